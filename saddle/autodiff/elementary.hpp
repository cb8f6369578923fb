// saddle/autodiff/elementary.hpp — elementwise functions, one table row each.
//
// A row names the function and gives its value and its derivative, both written once, generically
// over a scalar number kind N:
//
//   struct Tanh {
//     static constexpr const char* name = "tanh";
//     template <class N> N value(const N& x) const { return std::tanh(x); }          // N = T
//     template <class N> N derivative(const N&, const N& y) const { return 1 - y * y; }  // y = f(x)
//   };
//
// From the row alone, one pass over the entries (in blocks that stay in cache) computes
// (elementwise below):
//   forward:  y = f(x),  ẏ = f'(x)·ẋ                              derivative at N = T
//   VJP:      x̄ = ḡ·f'(x),  its tangent ġ·f'(x) + ḡ·(f''(x)·ẋ)     derivative at N = Jet<T>, the
//             jets (x, ẋ) and (y, ẏ): the jet's tangent is the derivative's own directional derivative,
// so gradients, JVPs and Hessian-vector products through the function all come from that one line.
// value is evaluated on plain numbers only; derivative on numbers and on jets, so it may call the
// functions of other rows (softplus' = sigmoid) and the masks sign and step, whose values fix a
// branch and whose tangents are zero. Each row also gives the function on numbers, on jets and on
// dual tensors (for other ops' rules: log_softmax uses exp); the Var op is in saddle/autodiff/ops.hpp.
//
// Rows may hold parameters (Pow: the exponent). Call the elementary functions of a generic row
// qualified (saddle::abs(x)) or from inside namespace saddle: they take plain numbers and jets.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>

#include "saddle/autodiff/dual.hpp"
#include "saddle/autodiff/jet.hpp"
#include "saddle/base/parallel.hpp"

namespace saddle {

// ---- the fused passes ------------------------------------------------------------------------------

// Calls use(i, d, len) with d[k] = f'(x[i + k]) for consecutive blocks of entries. The derivative
// is written to a small buffer that stays in L1 and used in a second loop: fused into one loop, a
// derivative that is a 0/1 mask (relu's step) lets the compiler turn the product into a branch
// (under IEEE trapping rules it may not compute ḡ·0 speculatively), which does not vectorize.
namespace detail {
template <class Rule, class T, class Use>
void for_derivative_blocks(const Rule& rule, const T* px, const T* py, std::size_t n, Use&& use) {
  constexpr std::size_t block = 256;
  T d[block];
  for (std::size_t i = 0; i < n; i += block) {
    const std::size_t len = std::min(block, n - i);
    for (std::size_t k = 0; k < len; ++k) d[k] = T(rule.derivative(px[i + k], py[i + k]));
    use(i, d, len);
  }
}

// The entries a worker takes at least: below twice this a pass runs on the calling thread, where a
// parallel loop would cost more than it saves (a ReLU of LeNet-5's first layer on a batch of 200,
// 940,800 entries, goes over the workers; the MLP's 200 × 128 does not).
inline constexpr std::size_t kEntriesPerWorker = std::size_t(1) << 15;

// pass(begin, end) over [0, n): on the calling thread for n below twice `per_worker`, else in
// blocks of at least per_worker entries spread over the workers (base/parallel.hpp). Each entry's
// result depends on that entry alone, so the bits are the same for any number of workers.
template <class Pass>
void over_entries(std::size_t n, Pass&& pass, std::size_t per_worker = kEntriesPerWorker) {
  if (n < 2 * per_worker) {
    pass(std::size_t(0), n);
    return;
  }
  parallel_blocks(n, per_worker, [&](std::size_t begin, std::size_t end, std::size_t) { pass(begin, end); });
}
}  // namespace detail

// y = f(x) and, with a tangent, ẏ = f'(x)·ẋ.
template <class Rule, class T>
Dual<T> elementwise(const Dual<T>& x, const Rule& rule = {}) {
  Dual<T> y{empty_tensor<T>(x.v.shape())};
  if (x.t) y.t = empty_tensor<T>(x.v.shape());
  const T* px = x.v.data();
  T* py = y.v.data();
  const T* pdx = x.t ? x.t->data() : nullptr;
  T* pdy = x.t ? y.t->data() : nullptr;
  detail::over_entries(x.v.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) py[i] = T(rule.value(px[i]));
    if (!pdx) return;
    detail::for_derivative_blocks(rule, px + begin, py + begin, end - begin,
                                  [&](std::size_t i, const T* d, std::size_t len) {
                                    for (std::size_t k = 0; k < len; ++k) pdy[begin + i + k] = d[k] * pdx[begin + i + k];
                                  });
  });
  return y;
}

// The same on one jet: (f(x), f'(x)·ẋ).
template <class Rule, class T>
Jet<T> elementwise(const Jet<T>& x, const Rule& rule = {}) {
  const T y = T(rule.value(x.v));
  return {y, T(rule.derivative(x.v, y)) * x.t};
}

// x̄ = ḡ·f'(x) for y = f(x), with its tangent ġ·f'(x) + ḡ·(f'(x))˙ where (f'(x))˙ = f''(x)·ẋ comes from
// evaluating the derivative at the jets (x, ẋ), (y, ẏ). Absent tangents skip their terms.
template <class Rule, class T>
Dual<T> elementwise_vjp(const Dual<T>& g, const Dual<T>& y, const Dual<T>& x, const Rule& rule = {}) {
  Dual<T> gx{empty_tensor<T>(x.v.shape())};
  const std::size_t n = x.v.size();
  const T *pg = g.v.data(), *px = x.v.data(), *py = y.v.data();
  T* pgx = gx.v.data();
  if (!x.t) {  // f'(x) is a constant of the sweep: x̄˙ = ġ·f'(x)
    if (g.t) gx.t = empty_tensor<T>(x.v.shape());
    const T* pdg = g.t ? g.t->data() : nullptr;
    T* pdgx = g.t ? gx.t->data() : nullptr;
    detail::over_entries(n, [&](std::size_t begin, std::size_t end) {
      detail::for_derivative_blocks(rule, px + begin, py + begin, end - begin,
                                    [&](std::size_t i0, const T* d, std::size_t len) {
                                      const std::size_t i = begin + i0;
                                      if (!pdg) {
                                        for (std::size_t k = 0; k < len; ++k) pgx[i + k] = pg[i + k] * d[k];
                                        return;
                                      }
                                      for (std::size_t k = 0; k < len; ++k) {
                                        pgx[i + k] = pg[i + k] * d[k];
                                        pdgx[i + k] = pdg[i + k] * d[k];
                                      }
                                    });
    });
    return gx;
  }
  gx.t = empty_tensor<T>(x.v.shape());
  const Tensor<T> no_dy = y.t ? Tensor<T>() : zeros_tensor<T>(y.v.shape());  // ẏ is present whenever ẋ is
  const T* pdx = x.t->data();
  const T* pdy = y.t ? y.t->data() : no_dy.data();
  T* pdgx = gx.t->data();
  const T* pdg = g.t ? g.t->data() : nullptr;
  detail::over_entries(n, [&](std::size_t begin, std::size_t end) {
    // Two loops, so that neither tests inside for the absent ġ (a test there keeps it from vectorizing).
    if (pdg) {
      for (std::size_t i = begin; i < end; ++i) {
        const Jet<T> d = rule.derivative(Jet<T>{px[i], pdx[i]}, Jet<T>{py[i], pdy[i]});
        pgx[i] = pg[i] * d.v;
        pdgx[i] = pg[i] * d.t + pdg[i] * d.v;
      }
      return;
    }
    for (std::size_t i = begin; i < end; ++i) {
      const Jet<T> d = rule.derivative(Jet<T>{px[i], pdx[i]}, Jet<T>{py[i], pdy[i]});
      pgx[i] = pg[i] * d.v;
      pdgx[i] = pg[i] * d.t;
    }
  });
  return gx;
}

// ---- masks: values that fix a branch, with zero tangent ---------------------------------------------
template <std::floating_point S>
S sign(S x) {
  return S((x > 0) - (x < 0));
}
template <class T>
Jet<T> sign(const Jet<T>& x) {
  return {sign(x.v), T(0)};
}
// Heaviside step H(x) = 1 for x > 0, else 0.
template <std::floating_point S>
S step(S x) {
  return S(x > 0);  // no branch, so that the loops using it vectorize
}
template <class T>
Jet<T> step(const Jet<T>& x) {
  return {step(x.v), T(0)};
}

// The functions of the rows on plain numbers, declared before the rows so that their derivatives,
// evaluated at N = T, find them (on jets, argument-dependent lookup finds them).
#define SADDLE_DECLARE_SCALAR(fn, Row) \
  template <std::floating_point S>     \
  S fn(S x);
#define SADDLE_ELEMENTARY_ROWS(X) \
  X(exp, Exp)                     \
  X(log, Log)                     \
  X(sqrt, Sqrt)                   \
  X(square, Square)               \
  X(abs, Abs)                     \
  X(tanh, Tanh)                   \
  X(sigmoid, Sigmoid)             \
  X(relu, Relu)                   \
  X(softplus, Softplus)
SADDLE_ELEMENTARY_ROWS(SADDLE_DECLARE_SCALAR)
#undef SADDLE_DECLARE_SCALAR
template <std::floating_point S, Scalar P>
S pow(S x, P p);

// ---- the table ------------------------------------------------------------------------------------
// clang-format off
namespace rules {

struct Exp {
  static constexpr const char* name = "exp";
  template <class N> N value(const N& x) const { return std::exp(x); }
  template <class N> N derivative(const N&, const N& y) const { return y; }  // (eˣ)' = eˣ
};
struct Log {
  static constexpr const char* name = "log";
  template <class N> N value(const N& x) const { return std::log(x); }
  template <class N> N derivative(const N& x, const N&) const { return 1 / x; }
};
struct Sqrt {
  static constexpr const char* name = "sqrt";
  template <class N> N value(const N& x) const { return std::sqrt(x); }
  template <class N> N derivative(const N&, const N& y) const { return 1 / (2 * y); }  // 1/(2√x)
};
struct Square {
  static constexpr const char* name = "square";
  template <class N> N value(const N& x) const { return x * x; }
  template <class N> N derivative(const N& x, const N&) const { return 2 * x; }
};
struct Abs {
  static constexpr const char* name = "abs";
  template <class N> N value(const N& x) const { return std::abs(x); }
  template <class N> N derivative(const N& x, const N&) const { return sign(x); }
};
struct Tanh {
  static constexpr const char* name = "tanh";
  template <class N> N value(const N& x) const { return std::tanh(x); }
  template <class N> N derivative(const N&, const N& y) const { return 1 - y * y; }
};
// σ(x) = 1/(1 + e⁻ˣ), evaluated so that no exponential overflows.
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  template <class N> N value(const N& x) const {
    return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
  }
  template <class N> N derivative(const N&, const N& y) const { return y * (1 - y); }
};
struct Relu {
  static constexpr const char* name = "relu";
  template <class N> N value(const N& x) const { return x > 0 ? x : N(0); }
  template <class N> N derivative(const N& x, const N&) const { return step(x); }
};
// softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), stable for large |x|.
struct Softplus {
  static constexpr const char* name = "softplus";
  template <class N> N value(const N& x) const { return std::max(x, N(0)) + std::log1p(std::exp(-std::abs(x))); }
  template <class N> N derivative(const N& x, const N&) const { return sigmoid(x); }
};
// xᵖ for a constant exponent p.
struct Pow {
  double p;
  const char* name = "pow";
  template <class N> N value(const N& x) const { return std::pow(x, N(p)); }
  template <class N> N derivative(const N& x, const N&) const { return p * pow(x, p - 1); }
};

}  // namespace rules
// clang-format on

// ---- each row's function on numbers, jets and dual tensors ------------------------------------------
#define SADDLE_DEFINE_ELEMENTARY(fn, Row) \
  template <std::floating_point S>        \
  S fn(S x) {                             \
    return rules::Row{}.value(x);         \
  }                                       \
  template <class T>                      \
  Jet<T> fn(const Jet<T>& x) {            \
    return elementwise(x, rules::Row{});  \
  }                                       \
  template <class T>                      \
  Dual<T> fn(const Dual<T>& x) {          \
    return elementwise(x, rules::Row{});  \
  }
SADDLE_ELEMENTARY_ROWS(SADDLE_DEFINE_ELEMENTARY)
#undef SADDLE_DEFINE_ELEMENTARY

template <std::floating_point S, Scalar P>
S pow(S x, P p) {
  return rules::Pow{double(p)}.value(x);
}
template <class T, Scalar P>
Jet<T> pow(const Jet<T>& x, P p) {
  return elementwise(x, rules::Pow{double(p)});
}
template <class T, Scalar P>
Dual<T> pow(const Dual<T>& x, P p) {
  return elementwise(x, rules::Pow{double(p)});
}

}  // namespace saddle
