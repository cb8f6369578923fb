// saddle/autodiff/shards.hpp — data parallelism inside one process: a weighted sum of terms
//
//   F(θ) = Σ_{s<K} w_s f_s(θ),   ∇F = Σ_s w_s ∇f_s,   ∇²F·v = Σ_s w_s ∇²f_s·v,
//
// the shards of a batch (f_s the mean loss over shard s's rows, w_s its share of the rows), each
// term recorded on a tape of its own on whichever of saddle's workers takes it
// (saddle/base/parallel.hpp), as a data-parallel training step runs its replicas — here without
// copies: every term reads the same parameter leaves, and the adjoints a term sends to them go to
// a sink of its own (LeafAdjointSink, autodiff/node.hpp). The value is summed in shard order, in
// double; the lists in T over a fixed binary tree of the shards, (w_0∇f_0 + w_1∇f_1) +
// (w_2∇f_2 + w_3∇f_3) for K = 4, each pair summed by the worker that finished it. So the bits
// depend on the terms and their weights, never on the number of workers or on their timing; a
// different K changes the rounding.
//
//   const std::vector<ShardRange> shards = row_shards(x.shape()[0]);   // rows of a batch x
//   std::vector<double> w;  // each shard's share of the rows
//   for (const ShardRange& r : shards) w.push_back(double(r.end - r.begin) / double(x.shape()[0]));
//   ShardSum<float> total;
//   add_over_shards<float>([&](const std::vector<Var<float>>& theta, std::size_t s) {
//     return mean_loss(theta, shards[s]);  // the mean loss over rows [begin, end) of shard s
//   }, params, nullptr, w, ShardDerivatives::gradient, total);   // total.value, total.grad
//
// f(params, s) is called from several threads at once for different s: it may read shared data
// and the parameters, and write only what it owns. A term that draws random numbers calls
// require_shard_order() (autodiff/tape.hpp) first, and the shards then run one after another.
// A BLAS product inside a term runs on one thread (parallel_chunks holds OpenBLAS to one). The
// calling thread's no_grad and detect_anomaly hold in every term, whichever thread runs it.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "saddle/autodiff/var.hpp"
#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
struct ShardSum {
  double value = 0;    // Σ w_s f_s
  TensorList<T> grad;  // Σ w_s ∇f_s (empty until a sum with derivatives)
  TensorList<T> hvp;   // Σ w_s ∇²f_s·v (empty until a sum with ShardDerivatives::hvp)
};

// Term s of the sum as a scalar Var of the parameter leaves.
template <class T>
using ShardTerm = std::function<Var<T>(const std::vector<Var<T>>& params, std::size_t shard)>;

enum class ShardDerivatives { none, gradient, hvp };

// Adds Σ_s weights[s]·f_s(params) — and, as `what` asks, the gradient, or the gradient and the
// Hessian-vector product with `v` (required then, of the shapes of params) — to what `total`
// holds: a sum over several batches is several calls, accumulated batch after batch. The lists
// are set by the first call that computes them. Errors: a term that is not a scalar, v missing
// or of other shapes, no weights; any term's Error, as it was thrown.
template <class T>
void add_over_shards(const ShardTerm<T>& f, const TensorList<T>& params, const TensorList<T>* v,
                     std::span<const double> weights, ShardDerivatives what, ShardSum<T>& total);

// The same sum for terms that are lists of numbers (each a product of some matrix of shard s
// with a vector, flattened; analysis/curvature.cpp's GGN and Fisher products): adds
// Σ_s weights[s]·f(s) to `total`, shard after shard, in double — the same bits for any number of
// workers. f(s) runs under the same rules as above: on any worker, under the calling thread's
// modes, in shard order if a term calls require_shard_order(). Errors: no weights, a term of
// another length than total, any term's Error.
using ShardNumbers = std::function<std::vector<double>(std::size_t shard)>;
void add_over_shards(const ShardNumbers& f, std::span<const double> weights, std::vector<double>& total);

// Shards of n rows: the contiguous pieces of fixed_chunks(n, kShardRows) (base/parallel.hpp), a
// power of two of them, each of at least kShardRows rows (one piece below 2·kShardRows). They
// depend on n alone: the same on one worker as on many.
inline constexpr std::size_t kShardRows = 32;
struct ShardRange {
  std::size_t begin, end;
};
std::vector<ShardRange> row_shards(std::size_t n);

}  // namespace saddle
