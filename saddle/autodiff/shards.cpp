// saddle/autodiff/shards.cpp — a weighted sum of terms over shards, the terms on saddle's
// workers, the sums in shard order (see the header).
#include "saddle/autodiff/shards.hpp"

#include <optional>
#include <string>

#include "saddle/autodiff/rule.hpp"
#include "saddle/base/parallel.hpp"

namespace saddle {
namespace {

// Set on a thread while it runs a term of a sum whose shards may run at the same time.
thread_local bool t_concurrent_shard = false;

// Thrown by require_shard_order() out of a concurrent term; add_over_shards catches it. Not an
// Error, so that a term's own `catch (const Error&)` lets it through.
struct ShardOrderRequired {};

class ConcurrentShard {
 public:
  explicit ConcurrentShard(bool on) : previous_(t_concurrent_shard) { t_concurrent_shard = on; }
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

// total ← total + w·part, or w·part when total is empty (the first term that reached the leaf).
template <class T>
void add_weighted(std::optional<Tensor<T>>& total, const Tensor<T>& part, double w) {
  if (total) {
    axpy(w, part, *total);
    return;
  }
  total = part;
  const T a = static_cast<T>(w);
  for (T& e : *total) e *= a;
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
  auto term = [&](std::size_t s, bool concurrent) {
    const ConcurrentShard mark(concurrent);
    TapeScope scope;
    std::optional<no_grad> off;
    if (what == ShardDerivatives::none) off.emplace();
    const SinkScope<T> sink(sinks[s]);
    Var<T> y = f(x, s);
    if (y.size() != 1)
      throw Error("add_over_shards: shard " + std::to_string(s) + " gave shape " + shape_str(y.shape()) +
                  "; a term must be a scalar");
    values[s] = static_cast<double>(y.item());
    if (what != ShardDerivatives::none && y.requires_grad()) y.backward();
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
  const bool first_grad = total.grad.empty(), first_hvp = hvp && total.hvp.empty();
  if (first_grad) total.grad = zeros_like(params);
  if (first_hvp) total.hvp = zeros_like(params);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const NodeBase& leaf = *node_of(x[i]);
    std::optional<Tensor<T>> g, hv;  // this call's Σ_s w_s ∇f_s and Σ_s w_s ∇²f_s·v for leaf i
    for (std::size_t s = 0; s < K; ++s)
      if (const Dual<T>* a = sinks[s].find(leaf)) {
        add_weighted(g, a->v, weights[s]);
        if (hvp && a->t) add_weighted(hv, *a->t, weights[s]);
      }
    if (g) first_grad ? void(total.grad[i] = std::move(*g)) : axpy(1.0, *g, total.grad[i]);
    if (hv) first_hvp ? void(total.hvp[i] = std::move(*hv)) : axpy(1.0, *hv, total.hvp[i]);
  }
}

template void add_over_shards(const ShardTerm<float>&, const TensorList<float>&, const TensorList<float>*,
                              std::span<const double>, ShardDerivatives, ShardSum<float>&);
template void add_over_shards(const ShardTerm<double>&, const TensorList<double>&, const TensorList<double>*,
                              std::span<const double>, ShardDerivatives, ShardSum<double>&);

}  // namespace saddle
