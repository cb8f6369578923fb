// saddle/autodiff/jet.hpp — a forward-mode dual number of one entry: a value and its tangent,
// x + ẋε with ε² = 0. Arithmetic on jets is the product rule for scalars:
//   (a ± b)˙ = ȧ ± ḃ,   (ab)˙ = ȧb + aḃ,   (a/b)˙ = (ȧ − (a/b)ḃ)/b.
// The elementwise passes (elementary.hpp) evaluate a row's derivative f'(x) at the jet (x, ẋ) to
// get f'(x) and its own directional derivative f''(x)ẋ at once: the second-order part of a
// Hessian-vector product through an elementwise op, from a derivative written once.
#pragma once

#include "saddle/base/tensor.hpp"

namespace saddle {

template <class T>
struct Jet {
  T v;  // value
  T t;  // tangent
};

// clang-format off
template <class T> Jet<T> operator+(const Jet<T>& a, const Jet<T>& b) { return {a.v + b.v, a.t + b.t}; }
template <class T> Jet<T> operator-(const Jet<T>& a, const Jet<T>& b) { return {a.v - b.v, a.t - b.t}; }
template <class T> Jet<T> operator-(const Jet<T>& a) { return {-a.v, -a.t}; }
template <class T> Jet<T> operator*(const Jet<T>& a, const Jet<T>& b) { return {a.v * b.v, a.t * b.v + a.v * b.t}; }
template <class T> Jet<T> operator/(const Jet<T>& a, const Jet<T>& b) {
  const T q = a.v / b.v;
  return {q, (a.t - q * b.t) / b.v};
}

// With a constant (its tangent is zero).
template <class T, Scalar S> Jet<T> operator+(const Jet<T>& a, S s) { return {a.v + T(s), a.t}; }
template <class T, Scalar S> Jet<T> operator+(S s, const Jet<T>& a) { return {T(s) + a.v, a.t}; }
template <class T, Scalar S> Jet<T> operator-(const Jet<T>& a, S s) { return {a.v - T(s), a.t}; }
template <class T, Scalar S> Jet<T> operator-(S s, const Jet<T>& a) { return {T(s) - a.v, -a.t}; }
template <class T, Scalar S> Jet<T> operator*(const Jet<T>& a, S s) { return {a.v * T(s), a.t * T(s)}; }
template <class T, Scalar S> Jet<T> operator*(S s, const Jet<T>& a) { return {T(s) * a.v, T(s) * a.t}; }
template <class T, Scalar S> Jet<T> operator/(const Jet<T>& a, S s) { return {a.v / T(s), a.t / T(s)}; }
template <class T, Scalar S> Jet<T> operator/(S s, const Jet<T>& b) {  // (s/b)˙ = −(s/b)ḃ/b
  const T q = T(s) / b.v;
  return {q, -q * b.t / b.v};
}

// Comparisons look at values only (piecewise definitions: the branch is fixed by the value).
template <class T, Scalar S> bool operator<(const Jet<T>& a, S s) { return a.v < T(s); }
template <class T, Scalar S> bool operator>(const Jet<T>& a, S s) { return a.v > T(s); }
template <class T, Scalar S> bool operator>=(const Jet<T>& a, S s) { return a.v >= T(s); }
// clang-format on

}  // namespace saddle
