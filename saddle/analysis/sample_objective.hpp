// saddle/analysis/sample_objective.hpp — a loss averaged over a chosen set of samples of a dataset,
// evaluated batch by batch: the objective whose gradient and Hessian analysis/ studies.
//
// A model and its loss enter as a BatchLoss: the mean loss over the rows it is given,
//   L_b(θ) = (1/N_b) Σ_{n∈b} ℓ(θ; x_n, y_n).
// Over a sample set S split into batches b of sizes N_b (Σ N_b = N = |S|), the objective is the
// mean over all N samples, which is the size-weighted average of the batch means:
//   L_S(θ) = (1/N) Σ_{n∈S} ℓ_n(θ) = Σ_b (N_b/N) L_b(θ),
// and by linearity the same weights give its gradient and its Hessian-vector product:
//   ∇L_S = Σ_b (N_b/N) ∇L_b,   H_S v = Σ_b (N_b/N) H_b v.
// So a last, smaller batch counts for its size only, and the result does not depend on the batch
// size (up to rounding): the batch size is a memory/speed choice, never a change of objective.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "saddle/autodiff/functional.hpp"
#include "saddle/nn/data/dataset.hpp"

namespace saddle {

// The mean loss over the given rows: params in the model's order, inputs of shape (B, …) (rows of
// the dataset's images), B labels. Must return a scalar.
template <class T>
using BatchLoss =
    std::function<Var<T>(const std::vector<Var<T>>& params, const Tensor<T>& inputs, const std::vector<int>& labels)>;

// The loss of each row separately, shape (B,). Its mean is a BatchLoss (mean_loss); knowing the
// rows apart lets cnc.hpp take all samples' directional derivatives in one forward-mode pass.
template <class T>
using PerSampleLoss =
    std::function<Var<T>(const std::vector<Var<T>>& params, const Tensor<T>& inputs, const std::vector<int>& labels)>;

// The BatchLoss L_b = mean of a per-sample loss.
template <class T>
BatchLoss<T> mean_loss(PerSampleLoss<T> per_sample);

// Which samples of a dataset (positions, in evaluation order) and how many rows a batch holds.
// Batch b is indices[b·batch_size, min((b+1)·batch_size, N)).
struct SampleSet {
  std::vector<std::size_t> indices;
  std::size_t batch_size = 1;

  std::size_t size() const { return indices.size(); }
  std::size_t batch_count() const { return (indices.size() + batch_size - 1) / batch_size; }
  std::size_t batch_begin(std::size_t b) const { return b * batch_size; }
  std::size_t batch_end(std::size_t b) const;
};

// Samples begin..end-1 of a dataset in file order, in batches of batch_size (the full-data objective
// is sample_range(0, data.size(), B)). Errors: begin ≥ end, batch_size 0.
SampleSet sample_range(std::size_t begin, std::size_t end, std::size_t batch_size);
// The given samples as a single batch (a mini-batch drawn by a BatchIterator: its `indices`).
SampleSet one_batch(std::vector<std::size_t> indices);
// The single sample at `index`: the per-sample loss ℓ_index.
SampleSet one_sample(std::size_t index);

// One batch's rows, copied out of the dataset.
template <class T>
struct BatchData {
  Tensor<T> inputs;         // (N_b, …)
  std::vector<int> labels;  // N_b
  double weight = 0;        // N_b / N
};

// L_S(θ), ∇L_S(θ) and H_S(θ)v for a BatchLoss over a sample set of a dataset, one batch at a time.
// Holds the dataset by reference (it must outlive the objective); copies of the objective share it
// and share the evaluation counters. Not safe to call from two threads at once.
template <class T>
class SampleObjective {
 public:
  // Errors: an empty sample set, a batch size of 0, an index past the dataset's end, a dataset whose
  // images have no sample axis or whose image and label counts differ.
  SampleObjective(BatchLoss<T> loss, const data::Dataset<T>& data, SampleSet samples);

  double loss(const TensorList<T>& params) const;
  ValueAndGrad<T> value_and_grad(const TensorList<T>& params) const;
  TensorList<T> full_gradient(const TensorList<T>& params) const { return value_and_grad(params).grad; }
  // L_S, ∇L_S and H_S v in one pass: one forward-over-reverse sweep per batch.
  HvpResult<T> value_grad_hvp(const TensorList<T>& params, const TensorList<T>& v) const;
  TensorList<T> hvp(const TensorList<T>& params, const TensorList<T>& v) const { return value_grad_hvp(params, v).hvp; }

  const SampleSet& samples() const { return state_->samples; }
  const data::Dataset<T>& data() const { return *state_->data; }
  const BatchLoss<T>& batch_loss() const { return state_->loss; }
  // Rows of batch b of the sample set.
  BatchData<T> batch(std::size_t b) const;
  // The same for an arbitrary list of dataset positions (weight 1).
  BatchData<T> rows(const std::size_t* index, std::size_t count) const;

  // Passes over the whole sample set so far, by kind, and batch evaluations of all kinds.
  std::size_t loss_passes() const { return state_->loss_passes; }
  std::size_t gradient_passes() const { return state_->gradient_passes; }
  std::size_t hvp_passes() const { return state_->hvp_passes; }
  std::size_t batch_evaluations() const { return state_->batch_evaluations; }

 private:
  struct State {
    BatchLoss<T> loss;
    const data::Dataset<T>* data;
    SampleSet samples;
    std::size_t loss_passes = 0, gradient_passes = 0, hvp_passes = 0, batch_evaluations = 0;
  };
  std::shared_ptr<State> state_;
};

}  // namespace saddle
