// saddle/nn/conv2d.hpp — the 2-D convolution layer (torch.nn.Conv2d) on NCHW activations:
// weight (out_channels, in_channels, k, k), bias (out_channels), initialised as PyTorch does,
// U(−1/√fan_in, 1/√fan_in) with fan_in = in_channels·k².
#pragma once

#include "saddle/nn/init.hpp"
#include "saddle/nn/module.hpp"
#include "saddle/nn/ops.hpp"

namespace saddle::nn {

template <class T>
class Conv2d : public Module<T> {
 public:
  Conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size, init::Rng& rng,
         std::size_t stride = 1, std::size_t padding = 0, bool bias = true)
      : in_(in_channels), out_(out_channels), k_(kernel_size), stride_(stride), padding_(padding), bias_(bias) {
    if (in_ == 0 || out_ == 0 || k_ == 0 || stride_ == 0)
      throw Error(describe() + ": channels, kernel size and stride must be positive");
    const Shape w{out_, in_, k_, k_};
    this->register_parameter("weight", init::default_weight<T>(w, rng));
    if (bias_) this->register_parameter("bias", init::default_bias<T>(w, rng));
  }

  Var<T> forward(const Var<T>& x) override;  // conv2d.cpp

  std::string describe() const override {
    std::string s = "Conv2d(" + std::to_string(in_) + "→" + std::to_string(out_) + ", " + std::to_string(k_) + "×" +
                    std::to_string(k_);
    if (stride_ != 1) s += ", stride " + std::to_string(stride_);
    if (padding_ != 0) s += ", padding " + std::to_string(padding_);
    if (!bias_) s += ", no bias";
    return s + ")";
  }

  const Var<T>& weight() const { return this->parameter(0); }
  bool has_bias() const { return bias_; }
  const Var<T>& bias() const {
    if (!bias_) throw Error(describe() + ": has no bias");
    return this->parameter(1);
  }
  std::size_t stride() const { return stride_; }
  std::size_t padding() const { return padding_; }

 private:
  std::size_t in_, out_, k_, stride_, padding_;
  bool bias_;
};

}  // namespace saddle::nn
