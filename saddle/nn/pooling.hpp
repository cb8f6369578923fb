// saddle/nn/pooling.hpp — max and average pooling layers (torch.nn.MaxPool2d, AvgPool2d) over
// kernel×kernel windows, stride defaulting to the kernel size, no padding.
#pragma once

#include "saddle/nn/module.hpp"
#include "saddle/nn/ops.hpp"

namespace saddle::nn {

template <class T>
class MaxPool2d : public Module<T> {
 public:
  explicit MaxPool2d(std::size_t kernel_size, std::size_t stride = 0)
      : k_(kernel_size), s_(stride == 0 ? kernel_size : stride) {
    if (k_ == 0) throw Error("MaxPool2d: kernel size 0");
  }
  Var<T> forward(const Var<T>& x) override { return max_pool2d(x, k_, s_); }
  std::string describe() const override {
    return "MaxPool2d(" + std::to_string(k_) + (s_ != k_ ? ", stride " + std::to_string(s_) : "") + ")";
  }

 private:
  std::size_t k_, s_;
};

template <class T>
class AvgPool2d : public Module<T> {
 public:
  explicit AvgPool2d(std::size_t kernel_size, std::size_t stride = 0)
      : k_(kernel_size), s_(stride == 0 ? kernel_size : stride) {
    if (k_ == 0) throw Error("AvgPool2d: kernel size 0");
  }
  Var<T> forward(const Var<T>& x) override { return avg_pool2d(x, k_, s_); }
  std::string describe() const override {
    return "AvgPool2d(" + std::to_string(k_) + (s_ != k_ ? ", stride " + std::to_string(s_) : "") + ")";
  }

 private:
  std::size_t k_, s_;
};

}  // namespace saddle::nn
