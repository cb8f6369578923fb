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

// Per class c: the rows labelled c (total[c]) and those whose largest logit is at c (correct[c]);
// tallies of chunks of one set add up to the set's.
struct ClassTally {
  std::vector<std::size_t> correct, total;
  explicit ClassTally(std::size_t classes = 0) : correct(classes, 0), total(classes, 0) {}
  std::size_t classes() const { return total.size(); }
  // correct[c]/total[c]; NaN for a class with no row.
  double accuracy(std::size_t c) const;
  // Error: tallies of different class counts.
  ClassTally& operator+=(const ClassTally& other);
};

// The tally of logits (N, C) against labels: C classes. Error: shapes that disagree, a label
// outside [0, C).
template <class T>
ClassTally class_tally(const Tensor<T>& logits, std::span<const Label> labels);

}  // namespace saddle::nn
