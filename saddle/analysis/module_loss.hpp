// saddle/analysis/module_loss.hpp — a saddle::nn model with the softmax cross-entropy as the
// losses analysis/ takes: the parameters are swapped into the model for the forward pass
// (nn::ParameterSwap, as torch.func.functional_call), so the model's own values are never changed
// and the tangents of a Hessian-vector product flow through its layers.
//
//   auto model = nn::make_model<double>("mlp");
//   nn::load_weights(*model, "mlp.npz");
//   auto H = model_hessian_operator(*model, train, sample_range(0, 1000, 250));
//
// The model is held by reference and must outlive the losses. The model's train/eval mode is left
// as the caller set it. Not safe to evaluate from two threads at once (the swap is on the model).
#pragma once

#include <span>
#include <vector>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/nn/functional_call.hpp"
#include "saddle/nn/losses.hpp"
#include "saddle/nn/module.hpp"

namespace saddle {

// L_b(θ) = mean over the rows of the softmax cross-entropy of model_θ(inputs) (logits), through
// nn::softmax_cross_entropy's fused rule.
template <class T>
BatchLoss<T> cross_entropy_loss(nn::Module<T>& model) {
  return [&model](const std::vector<Var<T>>& params, const Tensor<T>& inputs, const std::vector<int>& labels) {
    const nn::ParameterSwap<T> swap(model, params);
    return nn::softmax_cross_entropy(model.forward(Var<T>(inputs)), std::span<const int>(labels));
  };
}

// ℓ_n(θ) = −log softmax(model_θ(x_n))_{y_n} for each row, shape (B,): the forward-mode path of
// per_sample.hpp and cnc.hpp.
template <class T>
PerSampleLoss<T> per_sample_cross_entropy(nn::Module<T>& model) {
  return [&model](const std::vector<Var<T>>& params, const Tensor<T>& inputs, const std::vector<int>& labels) {
    const nn::ParameterSwap<T> swap(model, params);
    return -pick(log_softmax(model.forward(Var<T>(inputs)), 1), labels);
  };
}

// The Hessian of the mean cross-entropy over `samples` at the model's current parameters.
template <class T>
HessianOperator<T> model_hessian_operator(nn::Module<T>& model, const data::Dataset<T>& data, SampleSet samples) {
  return hessian_operator(cross_entropy_loss(model), data, std::move(samples), nn::parameter_values(model));
}

}  // namespace saddle
