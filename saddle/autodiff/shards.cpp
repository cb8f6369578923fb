// saddle/autodiff/shards.cpp — a weighted sum of terms over shards, the terms on saddle's
// workers, the sums in shard order (see the header).
#include "saddle/autodiff/shards.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "saddle/autodiff/elementary.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/base/parallel.hpp"

namespace saddle {
namespace {

// Set on a thread while it runs a term of a sum whose shards may run at the same time, or a term
// of a sum inside such a term.
thread_local bool t_concurrent_shard = false;

// Thrown by require_shard_order() out of a concurrent term; add_over_shards catches it. Not an
// Error, so that a term's own `catch (const Error&)` lets it through.
struct ShardOrderRequired {};

class ConcurrentShard {
 public:
  explicit ConcurrentShard(bool on) : previous_(t_concurrent_shard) { t_concurrent_shard = on || previous_; }
  ~ConcurrentShard() { t_concurrent_shard = previous_; }
  ConcurrentShard(const ConcurrentShard&) = delete;
  ConcurrentShard& operator=(const ConcurrentShard&) = delete;

 private:
  bool previous_;
};

template <class T>
class SinkScope {
 public:
  explicit SinkScope(LeafAdjointSink<T>& sink) : previous_(active_leaf_sink<T>()) { active_leaf_sink<T>() = &sink; }
  ~SinkScope() { active_leaf_sink<T>() = previous_; }
  SinkScope(const SinkScope&) = delete;
  SinkScope& operator=(const SinkScope&) = delete;

 private:
  LeafAdjointSink<T>* previous_;
};

// into ← Σ_s w_s·parts[s] (set), or into + Σ_s w_s·parts[s] (add), entry by entry, the sum in
// shard order for each entry: the same bits however the entries are spread over the workers
// (detail::over_entries). The parts were written on the workers that ran the shards, and a small
// leaf's merge goes over them too, from kMergeEntries entries a worker, fewer than the elementwise
// passes take: on the calling thread alone, the softmax regression's merge (4 shards of 7,850
// entries) took 15 µs of its 95 µs step on 2 cores, 6 µs on one.
template <class T>
void add_weighted(const std::vector<std::pair<const T*, double>>& parts, bool set, Tensor<T>& into) {
  constexpr std::size_t kRun = 256;  // entries summed at a time in a local buffer (vector loops)
  T* out = into.data();
  constexpr std::size_t kMergeEntries = 2048;
  detail::over_entries(
      into.size(),
      [&](std::size_t begin, std::size_t end) {
        T acc[kRun];
        for (std::size_t j0 = begin; j0 < end; j0 += kRun) {
          const std::size_t n = std::min(kRun, end - j0);
          const T w0 = static_cast<T>(parts[0].second);
          const T* a0 = parts[0].first + j0;
          for (std::size_t k = 0; k < n; ++k) acc[k] = w0 * a0[k];
          for (std::size_t s = 1; s < parts.size(); ++s) {
            const T w = static_cast<T>(parts[s].second);
            const T* a = parts[s].first + j0;
            for (std::size_t k = 0; k < n; ++k) acc[k] += w * a[k];
          }
          T* o = out + j0;
          if (set)
            for (std::size_t k = 0; k < n; ++k) o[k] = acc[k];
          else
            for (std::size_t k = 0; k < n; ++k) o[k] += acc[k];
        }
      },
      kMergeEntries);
}

}  // namespace

void require_shard_order() {
  if (t_concurrent_shard) throw ShardOrderRequired{};
}

std::vector<ShardRange> row_shards(std::size_t n) {
  const Chunks c = fixed_chunks(n, kShardRows);
  std::vector<ShardRange> out;
  out.reserve(c.count);
  for (std::size_t k = 0; k < c.count; ++k) out.push_back({c.begin(k), c.end(k)});
  return out;
}

template <class T>
void add_over_shards(const ShardTerm<T>& f, const TensorList<T>& params, const TensorList<T>* v,
                     std::span<const double> weights, ShardDerivatives what, ShardSum<T>& total) {
  const std::size_t K = weights.size();
  if (K == 0) throw Error("add_over_shards: no shards (an empty list of weights)");
  const bool hvp = what == ShardDerivatives::hvp;
  if (hvp && !v) throw Error("add_over_shards: a Hessian-vector product needs a vector v");
  if (hvp) check_same_shapes("add_over_shards", params, *v);

  // The leaves every term reads: values (and tangents v) copied once, shared by the shards.
  std::vector<Var<T>> x;
  x.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (hvp)
      x.emplace_back(params[i], (*v)[i], true);
    else
      x.emplace_back(params[i], what != ShardDerivatives::none);
  }

  std::vector<double> values(K);
  std::vector<LeafAdjointSink<T>> sinks(K);
  // The calling thread's modes hold in every term, whichever thread runs it.
  const bool record = what != ShardDerivatives::none && grad_enabled(), check = anomaly_detection();
  auto term = [&](std::size_t s, bool concurrent) {
    const ConcurrentShard mark(concurrent);
    TapeScope scope;
    std::optional<no_grad> off;
    if (!record) off.emplace();
    std::optional<detect_anomaly> anomalies;
    if (check) anomalies.emplace();
    const SinkScope<T> sink(sinks[s]);
    Var<T> y = f(x, s);
    if (y.size() != 1)
      throw Error("add_over_shards: shard " + std::to_string(s) + " gave shape " + shape_str(y.shape()) +
                  "; a term must be a scalar");
    values[s] = static_cast<double>(y.item());
    if (record && y.requires_grad()) y.backward();
  };
  if (K == 1) {
    term(0, false);
  } else {
    bool done = false;
    if (loop_workers() > 1) {
      try {
        parallel_chunks(Chunks{K, K}, [&](std::size_t s, std::size_t, std::size_t) { term(s, true); });
        done = true;
      } catch (const ShardOrderRequired&) {  // a term draws random numbers: all again, in order
        sinks.assign(K, LeafAdjointSink<T>{});
      }
    }
    if (!done) {
      const SingleThreadedBlas blas;  // as parallel_chunks holds it: the same products, the same bits
      for (std::size_t s = 0; s < K; ++s) term(s, false);
    }
  }

  for (std::size_t s = 0; s < K; ++s) total.value += weights[s] * values[s];
  if (what == ShardDerivatives::none) return;
  // Each leaf's sums, entry by entry: set where the total is new (zeros where no term reached the
  // leaf), added to what it holds otherwise.
  auto merge = [&](TensorList<T>& into, bool tangents) {
    const bool first = into.empty();
    if (first) into.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const NodeBase& leaf = *node_of(x[i]);
      std::vector<std::pair<const T*, double>> parts;  // leaf i's ∇f_s (or ∇²f_s·v) with their w_s
      for (std::size_t s = 0; s < K; ++s)
        if (const Dual<T>* a = sinks[s].find(leaf)) {
          if (!tangents)
            parts.emplace_back(a->v.data(), weights[s]);
          else if (a->t)
            parts.emplace_back(a->t->data(), weights[s]);
        }
      if (first) into[i] = parts.empty() ? zeros_tensor<T>(params[i].shape()) : empty_tensor<T>(params[i].shape());
      if (!parts.empty()) add_weighted(parts, first, into[i]);
    }
  };
  merge(total.grad, false);
  if (hvp) merge(total.hvp, true);
}

template void add_over_shards(const ShardTerm<float>&, const TensorList<float>&, const TensorList<float>*,
                              std::span<const double>, ShardDerivatives, ShardSum<float>&);
template void add_over_shards(const ShardTerm<double>&, const TensorList<double>&, const TensorList<double>*,
                              std::span<const double>, ShardDerivatives, ShardSum<double>&);

}  // namespace saddle
