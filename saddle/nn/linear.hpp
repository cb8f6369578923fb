// saddle/nn/linear.hpp — the fully connected layer y = x Wᵀ + b (torch.nn.Linear): weight
// (out, in), bias (out), both initialised as PyTorch does, U(−1/√in, 1/√in).
#pragma once

#include "saddle/nn/init.hpp"
#include "saddle/nn/module.hpp"
#include "saddle/nn/ops.hpp"

namespace saddle::nn {

template <class T>
class Linear : public Module<T> {
 public:
  Linear(std::size_t in_features, std::size_t out_features, init::Rng& rng, bool bias = true)
      : in_(in_features), out_(out_features), bias_(bias) {
    if (in_ == 0 || out_ == 0) throw Error(describe() + ": sizes must be positive");
    const Shape w{out_, in_};
    this->register_parameter("weight", init::default_weight<T>(w, rng));
    if (bias_) this->register_parameter("bias", init::default_bias<T>(w, rng));
  }

  Var<T> forward(const Var<T>& x) override {
    const Shape s = x.shape();
    if (s.size() != 2 || s[1] != in_)
      throw Error(describe() + ": input of shape " + shape_str(s) + ", expected (N," + std::to_string(in_) + ")");
    return bias_ ? linear(x, weight(), bias()) : linear(x, weight());
  }

  std::string describe() const override {
    return "Linear(" + std::to_string(in_) + "→" + std::to_string(out_) + (bias_ ? "" : ", no bias") + ")";
  }

  const Var<T>& weight() const { return this->parameter(0); }
  bool has_bias() const { return bias_; }
  const Var<T>& bias() const {
    if (!bias_) throw Error(describe() + ": has no bias");
    return this->parameter(1);
  }
  std::size_t in_features() const { return in_; }
  std::size_t out_features() const { return out_; }

 private:
  std::size_t in_, out_;
  bool bias_;
};

}  // namespace saddle::nn
