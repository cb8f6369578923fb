// saddle/autodiff/shards.cpp — a weighted sum of terms over shards, the terms on saddle's
// workers, the sums over a fixed tree of the shards (see the header).
#include "saddle/autodiff/shards.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
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

// What a term runs under, whichever thread runs it: a tape of its own, the calling thread's
// no_grad and detect_anomaly, and the mark of a concurrent shard.
class TermScope {
 public:
  // The calling thread's modes, taken before the terms run; `record` false for a sum without
  // derivatives.
  struct Modes {
    bool record, check;
  };
  static Modes callers(bool derivatives) { return {derivatives && grad_enabled(), anomaly_detection()}; }

  TermScope(Modes modes, bool concurrent) : mark_(concurrent) {
    if (!modes.record) off_.emplace();
    if (modes.check) anomalies_.emplace();
  }

 private:
  ConcurrentShard mark_;
  TapeScope tape_;
  std::optional<no_grad> off_;
  std::optional<detect_anomaly> anomalies_;
};

// term(s, concurrent) for s < K: on saddle's workers when there are several, each worker taking a
// run of neighbouring shards first (parallel_chunks); one after another in shard order otherwise,
// or when a term requires shard order, after restart() has undone what the other terms did.
template <class Term, class Restart>
void run_terms(std::size_t K, Term&& term, Restart&& restart) {
  if (K == 1) return term(std::size_t(0), false);
  if (loop_workers() > 1) {
    try {
      parallel_chunks(Chunks{K, K}, [&](std::size_t s, std::size_t, std::size_t) { term(s, true); });
      return;
    } catch (const ShardOrderRequired&) {  // a term draws random numbers: all again, in order
      restart();
    }
  }
  const SingleThreadedBlas blas;  // as parallel_chunks holds it: the same products, the same bits
  for (std::size_t s = 0; s < K; ++s) term(s, false);
}

// l ← a·l + b·r over n entries, each product rounded, then their sum: the same bits whichever half
// is l. This file is compiled with -ffp-contract=off (autodiff/meson.build): fused into an FMA,
// a·l + b·r would round once and differently from b·r + a·l, and so depend on which half finished
// first (gcc fused it in a -Dnative build, and the bits changed from run to run).
template <class T>
void combine(T* l, T a, const T* r, T b, std::size_t n) {
  if (a == T(1) && b == T(1)) {
    for (std::size_t k = 0; k < n; ++k) l[k] += r[k];
  } else {
    for (std::size_t k = 0; k < n; ++k) l[k] = a * l[k] + b * r[k];
  }
}

// At most one entry per level of the tree (a shard's subtree and its siblings' up to the root):
// 64 levels hold any K; kept on the stack, so that a fold allocates nothing.
inline constexpr std::size_t kMaxLevels = 65;
template <class X>
struct PerLevel {
  std::array<X, kMaxLevels> at{};
  std::size_t size = 0;
  void push_back(const X& x) { at[size++] = x; }
  std::span<const X> span() const { return {at.data(), size}; }
};

// One tensor of a subtree's sum for one leaf (its gradient or its H·v): the entries, and the factor
// still to apply to them — a single shard's weight w_s until the subtree has two terms to add, 1
// after. Null where no term of the subtree gave the leaf that tensor.
template <class T>
struct Partial {
  Tensor<T>* x = nullptr;
  T scale = 1;
};

// The nested sums (((x₀ + x₁) + x₂) + …) of the partials, their factors applied, in one pass over
// the entries rather than one a node: a fold that completes several nodes of the tree sums them at
// once. Each sum of two rounds as it would alone, and the same in either order, so the bits are
// the tree's. Null partials are left out; a single one is returned as it is, its factor still to
// apply. The sum goes into the first partial's tensor.
template <class T>
Partial<T> sum_partials(std::span<const Partial<T>> xs) {
  PerLevel<Partial<T>> kept;
  for (const Partial<T>& x : xs)
    if (x.x) kept.push_back(x);
  const std::span<const Partial<T>> present = kept.span();
  if (present.size() < 2) return present.empty() ? Partial<T>{} : present[0];
  constexpr std::size_t kBlock = 512;  // entries summed at a time, in L1
  const std::size_t n = present[0].x->size();
  for (std::size_t b = 0; b < n; b += kBlock) {
    const std::size_t m = std::min(kBlock, n - b);
    T* sum = present[0].x->data() + b;
    T a = present[0].scale;  // the first sum applies the first partial's factor, the later ones 1
    for (std::size_t j = 1; j < present.size(); ++j, a = T(1))
      combine(sum, a, present[j].x->data() + b, present[j].scale, m);
  }
  return {present[0].x, T(1)};
}

// The sums Σ_s w_s·∇f_s (and Σ_s w_s·∇²f_s·v) of the leaves over a fixed binary tree of the
// shards: shards 2j and 2j+1 first, then pairs of pairs, up to the root. The thread whose term
// completes a node's second half sums the node at once (fold), beside the terms still running,
// on data its core has just written; the calling thread sums the root's two halves at the end
// (finish). The sums go into the adjoints' own tensors, in the sinks: nothing is allocated. The
// tree depends on K alone, so the bits are the same for any number of workers and any timing.
// Before, the terms' derivatives were summed after the loop, in shard order, over the workers:
// on 2 cores that took 64 µs of the MLP's 0.53 ms step, after 444 µs of terms. With the tree, and
// parallel_chunks giving each worker neighbouring shards, the step went 0.531 → 0.504 ms on 2
// cores and 0.905 → 0.866 on one (saddle_bench, 10 alternating rounds, medians of 5).
template <class T>
class ShardTree {
 public:
  ShardTree(std::vector<LeafAdjointSink<T>>& sinks, const std::vector<Var<T>>& leaves, std::span<const double> w)
      : sinks_(sinks), weights_(w), K_(sinks.size()), P_(std::bit_ceil(sinks.size())), L_(leaves.size()),
        parts_(K_ * L_), arrivals_(P_) {
    for (const Var<T>& x : leaves) leaves_.push_back(node_of(x).get());
  }

  // After term s: its adjoints enter the tree with their weight, and the nodes that s completes —
  // their other half done before — are summed, up to the first node still waiting for its other
  // half, or the root's halves.
  void fold(std::size_t s) {
    LeafAdjointSink<T>& sink = sinks_[s];
    const T w = static_cast<T>(weights_[s]);
    for (std::size_t i = 0; i < L_; ++i) {
      const std::size_t at = sink.index_of(*leaves_[i]);
      Dual<T>* d = at < sink.leaves.size() ? &sink.adjoints[at] : nullptr;
      part(s, i) = {{d ? &d->v : nullptr, w}, {d && d->t ? &*d->t : nullptr, w}};
    }
    PerLevel<std::size_t> halves;  // the first shards of the subtrees to sum: s's, then its siblings'
    halves.push_back(s);
    std::size_t first = s;  // the first shard of the node they make
    auto publish = [&] {
      if (halves.size > 1) sum_into(first, halves.span());
      halves.size = 0;
      halves.push_back(first);
    };
    for (std::size_t h = P_ + s, size = 1; h > 3; h /= 2, size *= 2) {  // node h, of `size` shards
      const std::size_t left = first_shard(h & ~std::size_t(1), size);
      if (left + size >= K_) continue;  // the right half holds no shard: nothing to wait for
      // The other half done (its sum published before it arrived), the sums go on in one pass.
      // Otherwise this half's sum is published first, then its arrival: the half that arrives
      // second sums the node.
      if (arrivals_[h / 2].load(std::memory_order_acquire) == 0) {
        publish();
        if (arrivals_[h / 2].fetch_add(1, std::memory_order_acq_rel) == 0) return;
      }
      halves.push_back(h & 1 ? left : left + size);
      first = left;
    }
    publish();
  }

  // The root, from its two halves, on the calling thread once every shard has folded: the sum is
  // read there next, and only one half comes from another core.
  void finish() {
    if (P_ > 1 && P_ / 2 < K_) {
      const std::size_t halves[] = {0, P_ / 2};
      sum_into(0, halves);
    }
  }

  // Leaf i's gradient and H·v sums once finished.
  const Partial<T>& gradient(std::size_t i) { return part(0, i).v; }
  const Partial<T>& hvp(std::size_t i) { return part(0, i).t; }

  // Back to the state before any fold (the terms run again, in shard order).
  void reset() {
    for (auto& a : arrivals_) a.store(0, std::memory_order_relaxed);
  }

 private:
  struct Part {
    Partial<T> v, t;  // a subtree's sums for one leaf: of the adjoints, of their tangents
  };
  Part& part(std::size_t shard, std::size_t leaf) { return parts_[shard * L_ + leaf]; }
  std::size_t first_shard(std::size_t h, std::size_t size) const { return h * size - P_; }

  // The sum of the subtrees that begin at `halves`, kept as the subtree that begins at `first`.
  void sum_into(std::size_t first, std::span<const std::size_t> halves) {
    PerLevel<Partial<T>> v, t;
    v.size = t.size = halves.size();
    for (std::size_t i = 0; i < L_; ++i) {
      for (std::size_t j = 0; j < halves.size(); ++j) {
        v.at[j] = part(halves[j], i).v;
        t.at[j] = part(halves[j], i).t;
      }
      part(first, i) = {sum_partials<T>(v.span()), sum_partials<T>(t.span())};
    }
  }

  std::vector<LeafAdjointSink<T>>& sinks_;
  std::span<const double> weights_;
  std::size_t K_, P_, L_;
  std::vector<const NodeBase*> leaves_;
  std::vector<Part> parts_;
  std::vector<std::atomic<std::uint8_t>> arrivals_;  // per inner node h (1 ≤ h < P): halves done
};

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
  ShardTree<T> tree(sinks, x, weights);
  const TermScope::Modes modes = TermScope::callers(what != ShardDerivatives::none);
  auto term = [&](std::size_t s, bool concurrent) {
    const TermScope scope(modes, concurrent);
    const SinkScope<T> sink(sinks[s]);
    Var<T> y = f(x, s);
    if (y.size() != 1)
      throw Error("add_over_shards: shard " + std::to_string(s) + " gave shape " + shape_str(y.shape()) +
                  "; a term must be a scalar");
    values[s] = static_cast<double>(y.item());
    if (modes.record && y.requires_grad()) y.backward();
    if (what != ShardDerivatives::none) tree.fold(s);
  };
  run_terms(K, term, [&] {
    sinks.assign(K, LeafAdjointSink<T>{});
    tree.reset();
  });

  for (std::size_t s = 0; s < K; ++s) total.value += weights[s] * values[s];
  if (what == ShardDerivatives::none) return;
  tree.finish();
  // Each leaf's root sum: moved in where the total is new (zeros where no term reached the leaf),
  // added to what it holds otherwise.
  auto into_total = [&](TensorList<T>& into, bool tangents) {
    const bool first = into.empty();
    if (first) into.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const Partial<T> sum = tangents ? tree.hvp(i) : tree.gradient(i);
      if (!sum.x) {
        if (first) into[i] = zeros_tensor<T>(params[i].shape());
      } else if (first) {
        if (sum.scale != T(1))
          for (T& e : *sum.x) e *= sum.scale;
        into[i] = std::move(*sum.x);
      } else {
        combine(into[i].data(), T(1), sum.x->data(), sum.scale, into[i].size());
      }
    }
  };
  into_total(total.grad, false);
  if (hvp) into_total(total.hvp, true);
}

void add_over_shards(const ShardNumbers& f, std::span<const double> weights, std::vector<double>& total) {
  const std::size_t K = weights.size();
  if (K == 0) throw Error("add_over_shards: no shards (an empty list of weights)");
  std::vector<std::vector<double>> terms(K);
  const TermScope::Modes modes = TermScope::callers(true);
  run_terms(
      K,
      [&](std::size_t s, bool concurrent) {
        const TermScope scope(modes, concurrent);
        terms[s] = f(s);
      },
      [&] { terms.assign(K, {}); });
  for (std::size_t s = 0; s < K; ++s) {
    if (terms[s].size() != total.size())
      throw Error("add_over_shards: shard " + std::to_string(s) + " gave " + std::to_string(terms[s].size()) +
                  " numbers, expected " + std::to_string(total.size()));
    const double w = weights[s];
    for (std::size_t i = 0; i < total.size(); ++i) total[i] += w * terms[s][i];
  }
}

template void add_over_shards(const ShardTerm<float>&, const TensorList<float>&, const TensorList<float>*,
                              std::span<const double>, ShardDerivatives, ShardSum<float>&);
template void add_over_shards(const ShardTerm<double>&, const TensorList<double>&, const TensorList<double>*,
                              std::span<const double>, ShardDerivatives, ShardSum<double>&);

}  // namespace saddle
