// saddle/objective/objective.hpp — the one objective every algorithm of saddle reads: a loss
// averaged over a set of samples, f(θ) = (1/N) Σ_{n∈S} ℓ_n(θ), with its value, gradient, per-sample
// gradients ∇ℓ_n and Hessian-vector products H·v.
//
//   auto model = nn::make_model<double>("mlp");
//   Objective<double> f(cross_entropy_loss(*model), train, sample_range(0, train.size(), 1000));
//   const TensorList<double> theta = nn::parameter_values(*model);
//   double loss = f.loss(theta);                 // one forward pass per batch
//   TensorList<double> g = f.gradient(theta);    // one forward + reverse sweep per batch
//   TensorList<double> hv = f.hvp(theta, v);     // one forward-over-reverse sweep per batch
//   TensorList<double> g7 = f.sample_gradient(theta, 7);    // ∇ℓ of the 8th sample of the set
//   Objective<double> batch = f.over(one_batch(indices));   // same loss and data, other samples
//
// optim/ steps through it (the full-batch or mini-batch gradient, one sample's gradient, H·v),
// analysis/ reads curvature from it (the Hessian over a dataset, one batch or one sample).
//
// A model and its loss enter as a BatchLoss, evaluated on the rows of one batch b: either the mean
// L_b(θ) = (1/N_b) Σ_{n∈b} ℓ_n(θ) as a scalar, or the N_b losses ℓ_n(θ) of the rows, shape (N_b,),
// which the objective averages (a loss that keeps its rows apart also serves forward-mode
// per-sample derivatives, analysis/per_sample.hpp). Over a sample set S split into batches of
// sizes N_b (Σ N_b = N = |S|), the objective is the size-weighted average of the batch means,
//   f(θ) = Σ_b (N_b/N) L_b(θ),   ∇f = Σ_b (N_b/N) ∇L_b,   H v = Σ_b (N_b/N) H_b v.
// So a last, smaller batch counts for its size only, and the batch size is a memory/speed choice,
// never a change of objective (up to rounding). Each batch is cut into shards (row_shards,
// autodiff/shards.hpp: a power of two of them, of at least 32 rows, fixed by N_b alone), and
// L_b = Σ_s (n_s/N_b) L_s: the shards run on saddle's workers, each on its own tape over the same
// parameters, their sums over a fixed tree of the shards, batch after batch (bit-identical from
// run to run and for any number of workers). With several processes (base/distributed.hpp), each
// sums its own work units (below) in the same way, on its own workers, and the processes' sums are
// added in rank order.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "saddle/autodiff/functional.hpp"
#include "saddle/autodiff/shards.hpp"
#include "saddle/nn/data/dataset.hpp"

namespace saddle {

// The loss of the given rows: params in the model's order, inputs of shape (B, …) (rows of the
// dataset's images, the loss's own copy: a loss may move them into a Var), B labels. Returns their
// mean (a scalar) or each row's loss (shape (B,)). A callable taking `const Tensor<T>& inputs`
// serves as well. Called from several threads at once (the shards of a batch, autodiff/shards.hpp).
template <class T>
using BatchLoss =
    std::function<Var<T>(const std::vector<Var<T>>& params, Tensor<T> inputs, const std::vector<Label>& labels)>;

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

// Data for a finite sum that is not a classification: row n of `rows` (N, …) is what term n of the
// sum reads; every label is 0.
template <class T>
data::Dataset<T> unlabeled_data(Tensor<T> rows);

// One batch's rows, copied out of the dataset.
template <class T>
struct BatchData {
  Tensor<T> inputs;         // (N_b, …)
  std::vector<Label> labels;  // N_b
  double weight = 0;        // N_b / N
};

// f over a sample set of a dataset, one batch at a time. Holds the dataset by reference (it must
// outlive the objective). A cheap handle: copies, and the objectives over() makes, share the loss,
// the dataset and the evaluation counters. Not safe to call from two threads at once.
template <class T>
class Objective {
 public:
  // Errors: an empty loss or sample set, a batch size of 0, an index past the dataset's end, a
  // dataset whose images have no sample axis or whose image and label counts differ.
  Objective(BatchLoss<T> loss, const data::Dataset<T>& data, SampleSet samples);

  // The same loss on the same data over other samples (a mini-batch, one sample), sharing the
  // counters. Errors as for the constructor.
  Objective over(SampleSet samples) const;

  // N, the number of terms ℓ_n; sample positions run over 0..N−1 (positions in the sample set).
  std::size_t num_samples() const { return samples_.size(); }

  // f(θ), forward passes only.
  double loss(const TensorList<T>& params) const;
  // f(θ) and ∇f(θ).
  ValueAndGrad<T> value_and_grad(const TensorList<T>& params) const;
  TensorList<T> gradient(const TensorList<T>& params) const { return value_and_grad(params).grad; }
  // f, ∇f and H v in one pass: one forward-over-reverse sweep per batch.
  HvpResult<T> value_grad_hvp(const TensorList<T>& params, const TensorList<T>& v) const;
  TensorList<T> hvp(const TensorList<T>& params, const TensorList<T>& v) const { return value_grad_hvp(params, v).hvp; }

  // ∇ℓ_n(θ) of the sample at position i of the set (a batch of one row, whatever the batch size).
  // Error: i ≥ num_samples().
  TensorList<T> sample_gradient(const TensorList<T>& params, std::size_t i) const;
  // Calls visit(i, ℓ_n(θ), ∇ℓ_n(θ)) for every position i of the set, in order: one value_and_grad
  // per sample.
  using SampleGradientVisitor = std::function<void(std::size_t i, double loss, const TensorList<T>& grad)>;
  void for_each_sample_gradient(const TensorList<T>& params, const SampleGradientVisitor& visit) const;

  const SampleSet& samples() const { return samples_; }
  const data::Dataset<T>& data() const { return *shared_->data; }
  const BatchLoss<T>& batch_loss() const { return shared_->loss; }
  // The batch loss L_b(θ) of the given rows as a scalar Var (the mean of a per-row loss).
  Var<T> batch_mean(const std::vector<Var<T>>& params, const BatchData<T>& rows) const;
  // The same, the rows' inputs moved into the loss instead of copied.
  Var<T> batch_mean(const std::vector<Var<T>>& params, BatchData<T>&& rows) const;
  // Rows of batch b of the sample set.
  BatchData<T> batch(std::size_t b) const;

  // Data parallelism (base/distributed.hpp). The pieces the sample set is summed over, in order:
  // its batches, process k computing the k-th of K contiguous runs of them; or, when a run has more
  // processes than batches (a training mini-batch), each batch cut into K contiguous shards, shard
  // k computed by process k. Each piece counts for its rows over N. With one process, the batches.
  struct WorkUnit {
    std::size_t begin = 0, end = 0;  // positions in the sample set
    int owner = 0;                   // the rank that computes it
  };
  std::vector<WorkUnit> work_units() const;
  // Σ_u Σ_s (rows of s / N)·f(rows of s) over the work units u and their shards s (row_shards,
  // autodiff/shards.hpp): each process sums its own units in order, each unit's shards on its
  // workers and then in shard order (in double), and distributed::sum_in_rank_order adds the K
  // partial sums in rank order — the same bits on every process, for any number of workers,
  // whatever the timing. f returns a flat list of numbers of one length; it is called from
  // several threads at once (for a product that is linear in the rows' mean, the sum is the
  // product over the unit). Collective: every process calls it at the same point.
  using UnitFunction = std::function<std::vector<double>(const BatchData<T>& rows)>;
  std::vector<double> sum_units(const UnitFunction& f, std::size_t length) const;
  // The same for an arbitrary list of dataset positions (weight 1).
  BatchData<T> rows(const std::size_t* index, std::size_t count) const;

  // Evaluations so far through this handle and every copy, for experiments that compare methods
  // by work done: passes over a sample set by kind, single-sample gradients, and batch sweeps of
  // all kinds.
  std::size_t loss_evaluations() const { return shared_->loss_evaluations; }
  std::size_t gradient_evaluations() const { return shared_->gradient_evaluations; }
  std::size_t hvp_evaluations() const { return shared_->hvp_evaluations; }
  std::size_t sample_gradient_evaluations() const { return shared_->sample_gradient_evaluations; }
  std::size_t batch_evaluations() const { return shared_->batch_evaluations; }
  // f at the point of the latest value_and_grad or gradient (through any copy); NaN before one.
  double last_loss() const { return shared_->last_loss; }

 private:
  struct Shared;
  Objective(std::shared_ptr<Shared> shared, SampleSet samples);
  double unit_weight(const WorkUnit& u) const;  // its rows over N
  // Each shard's rows over N, for shards of the rows from position `begin` of the sample set.
  std::vector<double> shard_weights(std::size_t begin, const std::vector<ShardRange>& shards) const;
  // Adds Σ over the shards of the rows [begin, end) of the sample set of (n_s/N)·L_s, with the
  // derivatives `what` asks for, to total.
  void add_rows(std::size_t begin, std::size_t end, const TensorList<T>& params, const TensorList<T>* v,
                ShardDerivatives what, ShardSum<T>& total) const;
  // Σ over the work units of add_rows: this process's units, then the processes' sums in rank order.
  ShardSum<T> sum_pieces(const TensorList<T>& params, const TensorList<T>* v, ShardDerivatives what) const;

  std::shared_ptr<Shared> shared_;
  SampleSet samples_;
};

template <class T>
struct Objective<T>::Shared {
  BatchLoss<T> loss;
  const data::Dataset<T>* data;
  std::size_t loss_evaluations = 0, gradient_evaluations = 0, hvp_evaluations = 0, sample_gradient_evaluations = 0,
              batch_evaluations = 0;
  double last_loss;
};

}  // namespace saddle
