// saddle/nn/losses.hpp — training objectives, scalar Vars on the tape (so they are in the
// gradient and in Hessian-vector products). Labels are class indices, one per row.
#pragma once

#include <span>
#include <vector>

#include "saddle/autodiff/ops.hpp"

namespace saddle::nn {

// mean_n (logsumexp(z_n) − z_n,t_n) for logits z (N, C), one fused op whose VJP is the closed
// form (softmax(z) − onehot(t))·ḡ/N (torch.nn.functional.cross_entropy).
template <class T>
Var<T> softmax_cross_entropy(const Var<T>& logits, std::span<const Label> labels);
// −mean_n log_probs[n, t_n] (torch.nn.functional.nll_loss).
template <class T>
Var<T> nll_loss(const Var<T>& log_probs, std::span<const Label> labels);
// mean of (prediction − target)² over all entries (torch.nn.functional.mse_loss).
template <class T>
Var<T> mse_loss(const Var<T>& prediction, const Var<T>& target);
// λ Σ_W ‖W‖² over the given parameters (weight decay as a term of the objective).
template <class T>
Var<T> l2_penalty(const std::vector<Var<T>>& params, double lambda);

// The fraction of rows whose largest logit is at the label.
template <class T>
double accuracy(const Tensor<T>& logits, std::span<const Label> labels);

}  // namespace saddle::nn
