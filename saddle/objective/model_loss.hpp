// saddle/objective/model_loss.hpp — a saddle::nn model with the softmax cross-entropy as a
// BatchLoss: the parameters are swapped into the model for the forward pass (nn::ParameterSwap, as
// torch.func.functional_call), so the model's own values are never changed and the tangents of a
// Hessian-vector product flow through its layers.
//
//   auto model = nn::make_model<double>("mlp");
//   nn::load_weights(*model, "mlp.npz");
//   Objective<double> f(cross_entropy_loss(*model), train, sample_range(0, 1000, 250));
//
// The model is held by reference and must outlive the losses. The model's train/eval mode is left
// as the caller set it. The swap binds the parameters on the calling thread only, so the shards of
// a batch evaluate the loss on several threads at once (Objective, autodiff/shards.hpp).
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "saddle/nn/functional_call.hpp"
#include "saddle/nn/losses.hpp"
#include "saddle/nn/module.hpp"
#include "saddle/objective/objective.hpp"

namespace saddle {

// L_b(θ) = mean over the rows of the softmax cross-entropy of model_θ(inputs) (logits), a scalar,
// through nn::softmax_cross_entropy's fused rule.
template <class T>
BatchLoss<T> cross_entropy_loss(nn::Module<T>& model) {
  return [&model](const std::vector<Var<T>>& params, Tensor<T> inputs, const std::vector<Label>& labels) {
    const nn::ParameterSwap<T> swap(model, params);
    return nn::softmax_cross_entropy(model.forward_data(std::move(inputs)), std::span<const Label>(labels));
  };
}

// ℓ_n(θ) = −log softmax(model_θ(x_n))_{y_n} for each row, shape (B,): the same objective, and the
// forward-mode path of per-sample directional derivatives (analysis/per_sample.hpp, cnc.hpp).
template <class T>
BatchLoss<T> per_sample_cross_entropy(nn::Module<T>& model) {
  return [&model](const std::vector<Var<T>>& params, Tensor<T> inputs, const std::vector<Label>& labels) {
    const nn::ParameterSwap<T> swap(model, params);
    return -pick(log_softmax(model.forward_data(std::move(inputs)), 1), labels);
  };
}

}  // namespace saddle
