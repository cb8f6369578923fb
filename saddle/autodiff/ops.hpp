// saddle/autodiff/ops.hpp — every differentiable op of the engine. Each is defined once
// (ops/<family>.cpp) by its forward and its VJP in the dual algebra, recorded with define_op, which
// gives its gradient, its forward-mode tangent (JVP) and its contribution to Hessian-vector
// products; each elementwise function is one row (name, value, derivative) of
// autodiff/elementary.hpp. To write an op of your own, see saddle/autodiff/rule.hpp.
// Binary arithmetic broadcasts like NumPy. Axes are non-negative; `keepdims` as in NumPy.
#pragma once

#include <span>
#include <type_traits>
#include <vector>

#include "saddle/autodiff/var.hpp"

namespace saddle {

// A scalar argument takes the tensor's number type without deducing it: pow(x, 3) on a Var<float>.
template <class T>
using Const = std::type_identity_t<T>;

// ---- arithmetic (ops/arithmetic.cpp) -----------------------------------------------------------
template <class T> Var<T> add(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> sub(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> mul(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> div(const Var<T>& a, const Var<T>& b);
template <class T> Var<T> neg(const Var<T>& a);
template <class T> Var<T> add_scalar(const Var<T>& a, Const<T> s);     // a + s
template <class T> Var<T> mul_scalar(const Var<T>& a, Const<T> s);     // s·a
template <class T> Var<T> rdiv_scalar(Const<T> s, const Var<T>& a);    // s / a

// ---- linear algebra and shape (ops/linalg.cpp, ops/shape.cpp) ----------------------------------
template <class T> Var<T> matmul(const Var<T>& a, const Var<T>& b);  // 2-D, BLAS
template <class T> Var<T> transpose(const Var<T>& a);                // 2-D
template <class T> Var<T> reshape(const Var<T>& a, const Shape& shape);
template <class T> Var<T> rows(const Var<T>& a, std::size_t begin, std::size_t end);     // a[begin:end]
template <class T> Var<T> gather(const Var<T>& a, const std::vector<std::size_t>& index); // a[index]
// x[i, labels[i]] of a 2-D x: one entry per row (the picked log-probabilities of NLL).
template <class T> Var<T> pick(const Var<T>& a, std::span<const Label> labels);
template <class T> Var<T> concat(const std::vector<Var<T>>& parts, std::size_t axis);

// ---- reductions (ops/reductions.cpp) --------------------------------------------------------------
template <class T> Var<T> sum(const Var<T>& a);
template <class T> Var<T> sum(const Var<T>& a, std::size_t axis, bool keepdims = false);
template <class T> Var<T> mean(const Var<T>& a);
template <class T> Var<T> mean(const Var<T>& a, std::size_t axis, bool keepdims = false);
template <class T> Var<T> max(const Var<T>& a, std::size_t axis, bool keepdims = false);

// ---- softmax family (ops/softmax.cpp) -----------------------------------------------------------
template <class T> Var<T> logsumexp(const Var<T>& a, std::size_t axis, bool keepdims = false);
template <class T> Var<T> log_softmax(const Var<T>& a, std::size_t axis);
template <class T> Var<T> softmax(const Var<T>& a, std::size_t axis);

// ---- elementwise (rows of autodiff/elementary.hpp; ops/elementwise.cpp) ---------------------------
template <class T> Var<T> exp(const Var<T>& a);
template <class T> Var<T> log(const Var<T>& a);
template <class T> Var<T> sqrt(const Var<T>& a);
template <class T> Var<T> pow(const Var<T>& a, Const<T> p);
template <class T> Var<T> square(const Var<T>& a);
template <class T> Var<T> abs(const Var<T>& a);
template <class T> Var<T> tanh(const Var<T>& a);
template <class T> Var<T> sigmoid(const Var<T>& a);
template <class T> Var<T> relu(const Var<T>& a);
template <class T> Var<T> softplus(const Var<T>& a);
// condition ? a : b, elementwise with broadcasting. The condition's value is used as data
// (nonzero = true): no gradient flows into it.
template <class T> Var<T> where(const Var<T>& condition, const Var<T>& a, const Var<T>& b);
template <class T> Var<T> clamp(const Var<T>& a, Const<T> lo, Const<T> hi);

// ---- operators ----------------------------------------------------------------------------------
template <class T> Var<T> operator+(const Var<T>& a, const Var<T>& b) { return add(a, b); }
template <class T> Var<T> operator-(const Var<T>& a, const Var<T>& b) { return sub(a, b); }
template <class T> Var<T> operator*(const Var<T>& a, const Var<T>& b) { return mul(a, b); }
template <class T> Var<T> operator/(const Var<T>& a, const Var<T>& b) { return div(a, b); }
template <class T> Var<T> operator-(const Var<T>& a) { return neg(a); }
template <class T, Scalar S> Var<T> operator+(const Var<T>& a, S s) { return add_scalar(a, T(s)); }
template <class T, Scalar S> Var<T> operator+(S s, const Var<T>& a) { return add_scalar(a, T(s)); }
template <class T, Scalar S> Var<T> operator-(const Var<T>& a, S s) { return add_scalar(a, T(-s)); }
template <class T, Scalar S> Var<T> operator-(S s, const Var<T>& a) { return add_scalar(neg(a), T(s)); }
template <class T, Scalar S> Var<T> operator*(const Var<T>& a, S s) { return mul_scalar(a, T(s)); }
template <class T, Scalar S> Var<T> operator*(S s, const Var<T>& a) { return mul_scalar(a, T(s)); }
template <class T, Scalar S> Var<T> operator/(const Var<T>& a, S s) { return mul_scalar(a, T(1) / T(s)); }
template <class T, Scalar S> Var<T> operator/(S s, const Var<T>& a) { return rdiv_scalar(T(s), a); }

}  // namespace saddle
