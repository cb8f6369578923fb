// saddle/nn/module.hpp — Module, the unit models are built from, and Sequential, as in PyTorch.
//
// A module owns named parameters (Var leaves with requires_grad) and named child modules.
// named_parameters() lists them depth first in registration order with dotted PyTorch names
// (`conv1.weight`, `fc2.bias`, `0.weight` inside a Sequential), the order every list of
// parameters, gradients and Hessian-vector products uses. A Var is a shared handle: an optimizer
// that keeps copies of parameters() updates the model's own tensors.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "saddle/autodiff/ops.hpp"

namespace saddle::nn {

template <class T>
using NamedParameters = std::vector<std::pair<std::string, Var<T>>>;

// The parameters that a ParameterSwap (nn/functional_call.hpp) puts in place of modules' own on
// the calling thread: a module whose slot is slots[i] reads vars[i] instead. Bindings nest (the
// innermost that names a slot wins). They are per thread, so that the shards of a batch
// (autodiff/shards.hpp) run one model on several threads at once, each with its own parameters.
template <class T>
struct ParameterBinding {
  std::vector<const Var<T>*> slots;
  std::vector<Var<T>> vars;
  const ParameterBinding* outer = nullptr;
};

// This thread's innermost binding, or null (explicitly instantiated in module.cpp).
template <class T>
const ParameterBinding<T>*& active_parameter_binding();

// What the module holding `own` reads for it on this thread: own, or the Var bound in its place.
template <class T>
const Var<T>& bound_parameter(const Var<T>& own) {
  for (const ParameterBinding<T>* b = active_parameter_binding<T>(); b; b = b->outer)
    for (std::size_t i = 0; i < b->slots.size(); ++i)
      if (b->slots[i] == &own) return b->vars[i];
  return own;
}

template <class T>
class Module {
 public:
  using value_type = T;

  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;  // parameters are shared handles: a copy would alias them
  Module& operator=(const Module&) = delete;

  virtual Var<T> forward(const Var<T>& x) = 0;
  Var<T> operator()(const Var<T>& x) { return forward(x); }
  // The forward pass on input data, handed over: a constant, with no gradient and no tangent. The
  // same as forward(Var<T>(x)); a module that only reshapes its input (Flatten) does so in place
  // rather than copying it, and a Sequential hands the data to its first child.
  virtual Var<T> forward_data(Tensor<T> x) { return forward(Var<T>(std::move(x))); }

  // What the module is, with its hyperparameters: "Conv2d(1→6, 5×5, padding 2)". Errors start with it.
  virtual std::string describe() const = 0;

  NamedParameters<T> named_parameters() const;
  std::vector<Var<T>> parameters() const;
  std::size_t num_parameters() const;  // scalar count
  // The module's own parameter handles, in named_parameters() order: what ParameterSwap binds.
  std::vector<Var<T>*> parameter_slots();

  // Training mode (the default) or evaluation mode, for this module and all its children.
  void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }

  void zero_grad();

  const std::vector<std::pair<std::string, std::shared_ptr<Module<T>>>>& children() const { return children_; }

  // A PyTorch-like listing: one line per module with its parameters' shapes.
  std::string summary() const;

 protected:
  // Registers a leaf with requires_grad; returns its index for parameter(i).
  std::size_t register_parameter(std::string name, Tensor<T> value);
  void register_module(std::string name, std::shared_ptr<Module<T>> child);
  // Parameter i as this thread sees it: the module's own, or the Var a ParameterSwap bound to it.
  const Var<T>& parameter(std::size_t i) const { return bound_parameter(params_[i].second); }
  std::size_t own_parameter_count() const { return params_.size(); }

 private:
  void collect(const std::string& prefix, NamedParameters<T>& out) const;
  void collect_slots(std::vector<Var<T>*>& out);
  void summarise(const std::string& name, int depth, std::string& out) const;

  NamedParameters<T> params_;
  std::vector<std::pair<std::string, std::shared_ptr<Module<T>>>> children_;
  bool training_ = true;
};

// Children applied in order. Unnamed children are called "0", "1", … as in torch.nn.Sequential;
// a model may name them instead ("conv1", "fc1", …), which names their parameters.
//
// A ReLU followed by a MaxPool2d runs as the pooling followed by the ReLU. Max pooling commutes
// with any nondecreasing function, so max over a window of max(x, 0) is max(max over the window
// of x, 0), exactly in floating point; the derivatives agree too (both send ȳ to the window's
// first maximum where it is positive, and nothing anywhere else). The ReLU's forward pass and its
// VJP then cover the pooled entries only, a quarter of them behind 2×2 windows.
template <class T>
class Sequential : public Module<T> {
 public:
  Sequential() = default;

  Sequential& add(std::shared_ptr<Module<T>> child);
  Sequential& add(std::string name, std::shared_ptr<Module<T>> child);

  Var<T> forward(const Var<T>& x) override;
  Var<T> forward_data(Tensor<T> x) override;
  std::string describe() const override { return "Sequential"; }

  std::size_t size() const { return this->children().size(); }
  Module<T>& operator[](std::size_t i) const;

 private:
  // Children from `first` on, applied to y.
  Var<T> forward_from(std::size_t first, Var<T> y);
  bool is_relu_then_pool(std::size_t i) const;  // children i and i + 1 (run as pool, then ReLU)
};

}  // namespace saddle::nn
