// saddle/nn/activations.hpp — elementwise nonlinearities as modules, over the engine's ops
// (their derivatives are rows of autodiff/elementary.hpp).
#pragma once

#include "saddle/nn/module.hpp"

namespace saddle::nn {

template <class T>
class ReLU : public Module<T> {
 public:
  Var<T> forward(const Var<T>& x) override { return relu(x); }
  std::string describe() const override { return "ReLU"; }
};

template <class T>
class Tanh : public Module<T> {
 public:
  Var<T> forward(const Var<T>& x) override { return tanh(x); }
  std::string describe() const override { return "Tanh"; }
};

template <class T>
class Sigmoid : public Module<T> {
 public:
  Var<T> forward(const Var<T>& x) override { return sigmoid(x); }
  std::string describe() const override { return "Sigmoid"; }
};

}  // namespace saddle::nn
