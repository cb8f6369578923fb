// saddle/nn/functional_call.hpp — a model as a function of its parameters, θ ↦ L(θ), which is what
// value_and_grad, hvp and hessian take (torch.func.functional_call in PyTorch):
//
//   auto f = loss_of_parameters(model, softmax_cross_entropy<float>, x, labels);
//   auto Hv = hvp(f, parameter_values(model), v);
//
// ParameterSwap binds the given Vars in place of the module's parameters for its lifetime, on the
// calling thread (ParameterBinding, nn/module.hpp): the model's forward on this thread records its
// operations against them (carrying their tangents for a Hessian-vector product), while other
// threads see their own bindings or the module's own parameters. Nothing of the module changes,
// so several threads may run one model at once, each with its swap (the shards of a batch,
// autodiff/shards.hpp); a swap ends where it began, on its thread, even when the forward throws.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "saddle/nn/module.hpp"

namespace saddle::nn {

template <class T>
class ParameterSwap {
 public:
  ParameterSwap(Module<T>& model, const std::vector<Var<T>>& vars) {
    const std::vector<Var<T>*> slots = model.parameter_slots();
    if (vars.size() != slots.size())
      throw Error(model.describe() + ": functional call with " + std::to_string(vars.size()) +
                  " parameter tensors, the model has " + std::to_string(slots.size()));
    for (std::size_t i = 0; i < slots.size(); ++i)
      if (vars[i].shape() != slots[i]->shape()) {
        const auto names = model.named_parameters();
        throw Error(model.describe() + ": functional call gives '" + names[i].first + "' the shape " +
                    shape_str(vars[i].shape()) + ", the model's is " + shape_str(slots[i]->shape()));
      }
    binding_.slots.assign(slots.begin(), slots.end());
    binding_.vars = vars;
    binding_.outer = active_parameter_binding<T>();
    active_parameter_binding<T>() = &binding_;
  }
  ~ParameterSwap() { active_parameter_binding<T>() = binding_.outer; }
  ParameterSwap(const ParameterSwap&) = delete;
  ParameterSwap& operator=(const ParameterSwap&) = delete;

 private:
  ParameterBinding<T> binding_;
};

// The current values of the model's parameters, in named_parameters() order.
template <class T>
TensorList<T> parameter_values(const Module<T>& model) {
  return values_of(model.parameters());
}

// f(θ) = loss_fn(model_θ(x), y) as a callable on a list of parameter Vars. The model is held by
// reference and must outlive f; x and y are copied. loss_fn(const Var<T>& output, const Y& y)
// returns a scalar Var (softmax_cross_entropy, mse_loss, or any composition). The model runs in
// its current mode: call model.eval() first when it has Dropout, or each call of f draws new masks.
template <class T, class LossFn, class Y>
auto loss_of_parameters(Module<T>& model, LossFn loss_fn, Tensor<T> x, Y y) {
  return [&model, loss_fn = std::move(loss_fn), x = Var<T>(std::move(x)),
          y = std::move(y)](const std::vector<Var<T>>& params) -> Var<T> {
    ParameterSwap<T> guard(model, params);
    return loss_fn(model.forward(x), y);
  };
}

}  // namespace saddle::nn
