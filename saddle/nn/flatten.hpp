// saddle/nn/flatten.hpp — (N, d₁, d₂, …) → (N, d₁·d₂·…), as torch.nn.Flatten: the bridge from
// convolutional feature maps (or images) to Linear layers.
#pragma once

#include "saddle/nn/module.hpp"

namespace saddle::nn {

template <class T>
class Flatten : public Module<T> {
 public:
  Var<T> forward(const Var<T>& x) override {
    const Shape s = x.shape();
    if (s.empty()) throw Error("Flatten: input is a scalar, expected (N, …)");
    if (s.size() == 2) return x;
    return reshape(x, Shape{s[0], s[0] ? x.size() / s[0] : 0});
  }
  std::string describe() const override { return "Flatten"; }
};

}  // namespace saddle::nn
