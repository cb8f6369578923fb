// saddle/nn/flatten.hpp — (N, d₁, d₂, …) → (N, d₁·d₂·…), as torch.nn.Flatten: the bridge from
// convolutional feature maps (or images) to Linear layers.
#pragma once

#include <typeinfo>

#include "saddle/nn/module.hpp"

namespace saddle::nn {

template <class T>
class Flatten : public Module<T> {
 public:
  Var<T> forward(const Var<T>& x) override {
    const Shape s = x.shape();
    if (s.size() == 2) return x;
    return reshape(x, flat(s));
  }
  // Data reshaped in place: the entries stay where they are, in the same order. A subclass that
  // changed forward runs its forward.
  Var<T> forward_data(Tensor<T> x) override {
    if (typeid(*this) != typeid(Flatten<T>)) return this->forward(Var<T>(std::move(x)));
    x.reshape(flat(to_shape(x.shape())));
    return Var<T>(std::move(x));
  }
  std::string describe() const override { return "Flatten"; }

 private:
  static Shape flat(const Shape& s) {
    if (s.empty()) throw Error("Flatten: input is a scalar, expected (N, …)");
    std::size_t rest = 1;
    for (std::size_t k = 1; k < s.size(); ++k) rest *= s[k];
    return Shape{s[0], rest};
  }
};

}  // namespace saddle::nn
