// saddle/autodiff/dual.hpp — dual tensors (value, tangent) and their algebra.
//
// Every op's forward and VJP are written once against this algebra. A Dual whose tangent is absent
// is a plain tensor: the tangent half of each rule is skipped, so gradients pay nothing for it.
// With tangents present, the same VJP code computes the adjoint AND its directional derivative,
// which is how a Hessian-vector product comes out of one forward and one reverse sweep:
//   Hv = d/dε ∇f(θ + εv)|ε=0   (Pearlmutter 1994; forward-over-reverse as in Stan's fvar<var>).
// This file is the only place where the product rule of tensors is written down; the derivatives
// of elementary functions (exp, tanh, ...) are written once each, in the rows of elementary.hpp.
#pragma once

#include <cmath>
#include <optional>
#include <type_traits>
#include <utility>

#include "saddle/autodiff/indexing.hpp"
#include "saddle/autodiff/kernels.hpp"

namespace saddle {

template <class T>
struct Dual {
  Tensor<T> v;                   // the value
  std::optional<Tensor<T>> t;    // its tangent; absent means structurally zero

  Dual() = default;
  Dual(Tensor<T> value) : v(std::move(value)) {}  // NOLINT: a tensor is a dual with no tangent
  Dual(Tensor<T> value, std::optional<Tensor<T>> tangent)
      : v(std::move(value)), t(std::move(tangent)) {}

  Shape shape() const { return to_shape(v.shape()); }
};

namespace detail {

// acc += x, where an absent acc is zero.
template <class T>
void add_into(std::optional<Tensor<T>>& acc, Tensor<T>&& x) {
  if (!acc)
    acc = std::move(x);
  else
    kernels::axpy_broadcast(T(1), x, *acc);
}

}  // namespace detail

// ---- adjoint accumulation: into += g (both halves) --------------------------------------------
template <class T>
void accumulate(Dual<T>& into, Dual<T>&& g, bool into_empty) {
  if (into_empty) {
    into = std::move(g);
    return;
  }
  kernels::axpy_broadcast(T(1), g.v, into.v);
  if (g.t) detail::add_into(into.t, std::move(*g.t));
}

// ---- arithmetic with NumPy broadcasting ------------------------------------------------------
template <class T>
Dual<T> operator+(const Dual<T>& a, const Dual<T>& b) {
  Dual<T> out{kernels::binary(kernels::Binary::add, a.v, b.v, "add")};
  const Shape s = out.shape();
  if (a.t) out.t = kernels::broadcast_to(*a.t, s);
  if (b.t) {
    if (out.t) kernels::axpy_broadcast(T(1), *b.t, *out.t);
    else out.t = kernels::broadcast_to(*b.t, s);
  }
  return out;
}

template <class T>
Dual<T> operator-(const Dual<T>& a) {
  Dual<T> out{kernels::map(a.v, [](T x) { return -x; })};
  if (a.t) out.t = kernels::map(*a.t, [](T x) { return -x; });
  return out;
}

template <class T>
Dual<T> operator-(const Dual<T>& a, const Dual<T>& b) {
  Dual<T> out{kernels::binary(kernels::Binary::sub, a.v, b.v, "sub")};
  const Shape s = out.shape();
  if (a.t) out.t = kernels::broadcast_to(*a.t, s);
  if (b.t) {
    if (!out.t) out.t = zeros_tensor<T>(s);
    kernels::axpy_broadcast(T(-1), *b.t, *out.t);
  }
  return out;
}

// (ab)˙ = ȧb + aḃ
template <class T>
Dual<T> operator*(const Dual<T>& a, const Dual<T>& b) {
  using kernels::Binary;
  Dual<T> out{kernels::binary(Binary::mul, a.v, b.v, "mul")};
  if (a.t) out.t = kernels::binary(Binary::mul, *a.t, b.v, "mul");
  if (b.t) detail::add_into(out.t, kernels::binary(Binary::mul, a.v, *b.t, "mul"));
  if (out.t && out.t->shape() != out.v.shape()) out.t = kernels::broadcast_to(*out.t, out.shape());
  return out;
}

// (a/b)˙ = (ȧ − (a/b)ḃ)/b
template <class T>
Dual<T> operator/(const Dual<T>& a, const Dual<T>& b) {
  using kernels::Binary;
  Dual<T> out{kernels::binary(Binary::div, a.v, b.v, "div")};
  if (a.t || b.t) {
    std::optional<Tensor<T>> num;
    if (a.t) num = kernels::broadcast_to(*a.t, out.shape());
    if (b.t) {
      if (!num) num = zeros_tensor<T>(out.shape());
      kernels::axpy_broadcast(T(-1), kernels::binary(Binary::mul, out.v, *b.t, "div"), *num);
    }
    out.t = kernels::binary(Binary::div, *num, b.v, "div");
  }
  return out;
}

// ---- with a scalar constant --------------------------------------------------------------------
template <class T, Scalar S>
Dual<T> operator*(const Dual<T>& a, S s) {
  const T c = static_cast<T>(s);
  Dual<T> out{kernels::map(a.v, [c](T x) { return c * x; })};
  if (a.t) out.t = kernels::map(*a.t, [c](T x) { return c * x; });
  return out;
}
template <class T, Scalar S>
Dual<T> operator*(S s, const Dual<T>& a) {
  return a * s;
}
template <class T, Scalar S>
Dual<T> operator/(const Dual<T>& a, S s) {
  return a * (T(1) / static_cast<T>(s));
}
template <class T, Scalar S>
Dual<T> operator+(const Dual<T>& a, S s) {
  const T c = static_cast<T>(s);
  return Dual<T>{kernels::map(a.v, [c](T x) { return x + c; }), a.t};
}
template <class T, Scalar S>
Dual<T> operator+(S s, const Dual<T>& a) {
  return a + s;
}
template <class T, Scalar S>
Dual<T> operator-(const Dual<T>& a, S s) {
  return a + (-static_cast<T>(s));
}
template <class T, Scalar S>
Dual<T> operator-(S s, const Dual<T>& a) {
  const T c = static_cast<T>(s);
  Dual<T> out{kernels::map(a.v, [c](T x) { return c - x; })};
  if (a.t) out.t = kernels::map(*a.t, [](T x) { return -x; });
  return out;
}
// (s/b)˙ = −(s/b)ḃ/b
template <class T, Scalar S>
Dual<T> operator/(S s, const Dual<T>& b) {
  const T c = static_cast<T>(s);
  Dual<T> out{kernels::map(b.v, [c](T x) { return c / x; })};
  if (b.t) {
    Tensor<T> t = empty_tensor<T>(b.v.shape());
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = -out.v.data()[i] * b.t->data()[i] / b.v.data()[i];
    out.t = std::move(t);
  }
  return out;
}

// ---- linear algebra ----------------------------------------------------------------------------
// (AB)˙ = ȦB + AḂ, each a BLAS call; absent tangents skip theirs.
template <class T>
Dual<T> matmul_op(const Dual<T>& a, const Dual<T>& b, bool ta, bool tb) {
  Dual<T> out;
  kernels::gemm(ta, tb, T(1), a.v, b.v, T(0), out.v);
  if (a.t) {
    out.t.emplace();
    kernels::gemm(ta, tb, T(1), *a.t, b.v, T(0), *out.t);
  }
  if (b.t) {
    if (!out.t) {
      out.t.emplace();
      kernels::gemm(ta, tb, T(1), a.v, *b.t, T(0), *out.t);
    } else {
      kernels::gemm(ta, tb, T(1), a.v, *b.t, T(1), *out.t);
    }
  }
  return out;
}
template <class T>
Dual<T> matmul(const Dual<T>& a, const Dual<T>& b) { return matmul_op(a, b, false, false); }
template <class T>  // a·bᵀ
Dual<T> matmul_nt(const Dual<T>& a, const Dual<T>& b) { return matmul_op(a, b, false, true); }
template <class T>  // aᵀ·b
Dual<T> matmul_tn(const Dual<T>& a, const Dual<T>& b) { return matmul_op(a, b, true, false); }

template <class T>
Dual<T> transpose(const Dual<T>& a) {
  Dual<T> out{kernels::transpose2d(a.v)};
  if (a.t) out.t = kernels::transpose2d(*a.t);
  return out;
}

template <class T>
Dual<T> reshape(const Dual<T>& a, const Shape& shape) {
  Dual<T> out{a.v};
  out.v.reshape(shape);
  if (a.t) {
    out.t = *a.t;
    out.t->reshape(shape);
  }
  return out;
}

// ---- broadcasting and reductions (linear: the tangent goes through the same map) --------------
template <class T>
Dual<T> sum_to(const Dual<T>& a, const Shape& shape) {
  Dual<T> out{kernels::sum_to(a.v, shape)};
  if (a.t) out.t = kernels::sum_to(*a.t, shape);
  return out;
}
template <class T>
Dual<T> broadcast_to(const Dual<T>& a, const Shape& shape) {
  Dual<T> out{kernels::broadcast_to(a.v, shape)};
  if (a.t) out.t = kernels::broadcast_to(*a.t, shape);
  return out;
}
template <class T>
Dual<T> sum(const Dual<T>& a, std::size_t axis, bool keepdims) {
  Dual<T> out{kernels::sum_axis(a.v, axis, keepdims)};
  if (a.t) out.t = kernels::sum_axis(*a.t, axis, keepdims);
  return out;
}
template <class T>
Dual<T> sum(const Dual<T>& a) {
  Dual<T> out{Tensor<T>(kernels::sum_all(a.v))};
  if (a.t) out.t = Tensor<T>(kernels::sum_all(*a.t));
  return out;
}

// ---- the softmax family ---------------------------------------------------------------------------
// log Σ exp(x) along `axis`, the axis kept, with its tangent (lse)˙ = Σ_axis p ⊙ ẋ, and the softmax
// p it was computed from (its value only): one exp per entry (kernels::softmax_axis, shifted by the
// maxima). What needs only lse (logsumexp, log_softmax, the cross-entropy's value) stops here.
template <class T>
struct LogSumExpDual {
  Dual<T> lse;
  Tensor<T> p;
};
template <class T>
LogSumExpDual<T> logsumexp_dual(const Dual<T>& x, std::size_t axis) {
  LogSumExpDual<T> out;
  kernels::softmax_axis(x.v, axis, out.p, out.lse.v);
  if (x.t) out.lse.t = kernels::sum_axis(kernels::binary(kernels::Binary::mul, out.p, *x.t, "softmax"), axis, true);
  return out;
}
// softmax(x) along `axis` with its tangent ṗ = p ⊙ (ẋ − (lse)˙), the derivative of softmax.
template <class T>
Dual<T> softmax_dual(const Dual<T>& x, std::size_t axis) {
  using kernels::Binary;
  LogSumExpDual<T> s = logsumexp_dual(x, axis);
  Dual<T> p{std::move(s.p)};
  if (x.t) p.t = kernels::binary(Binary::mul, p.v, kernels::binary(Binary::sub, *x.t, *s.lse.t, "softmax"), "softmax");
  return p;
}

// ---- masks fixed by the value ---------------------------------------------------------------------
// Piecewise-linear maps (dropout, where, clamp, max-pooling) are linear once their mask is fixed by
// the value: the same product on both halves, without the product rule's second half.
// x·m for a constant mask m of the same shape, without the product rule's second half.
template <class T>
Dual<T> masked(const Dual<T>& x, const Tensor<T>& m) {
  auto mul = [](T a, T b) { return a * b; };
  Dual<T> out{kernels::map2(x.v, m, mul)};
  if (x.t) out.t = kernels::map2(*x.t, m, mul);
  return out;
}

// Apply one linear tensor map to both halves of a dual.
template <class T, class F>
Dual<T> linear(const Dual<T>& x, F f) {
  Dual<T> out{f(x.v)};
  if (x.t) out.t = f(*x.t);
  return out;
}

}  // namespace saddle
