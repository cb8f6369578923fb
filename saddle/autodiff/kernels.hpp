// saddle/autodiff/kernels.hpp — the plain-tensor kernels the dual algebra is built from:
// NumPy broadcasting, reductions to a shape or along an axis, and matrix products through BLAS.
// Loops are written out on purpose: xtensor's lazy reducers along an axis ran 5–10× slower here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle::kernels {

// NumPy's rule: align shapes on the right; each pair of sizes must be equal or one of them 1.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);

enum class Binary { add, sub, mul, div };

// out = a ∘ b with broadcasting.
template <class T>
Tensor<T> binary(Binary f, const Tensor<T>& a, const Tensor<T>& b, const char* op);

// y += a·x where x broadcasts to y's shape.
template <class T>
void axpy_broadcast(T a, const Tensor<T>& x, Tensor<T>& y);

// Sum x over the axes that broadcasting added or stretched, so the result has `shape`
// (the adjoint of broadcast_to).
template <class T>
Tensor<T> sum_to(const Tensor<T>& x, const Shape& shape);

template <class T>
Tensor<T> broadcast_to(const Tensor<T>& x, const Shape& shape);

// View x as (outer, n, inner) around `axis`.
struct AxisSplit {
  std::size_t outer, n, inner;
};
AxisSplit split_at(const Shape& shape, std::size_t axis);
Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims);

template <class T>
Tensor<T> sum_axis(const Tensor<T>& x, std::size_t axis, bool keepdims);
template <class T>
T sum_all(const Tensor<T>& x);

// Index of the maximum along `axis` for each (outer, inner) position (first one on ties).
template <class T>
std::vector<std::size_t> argmax_axis(const Tensor<T>& x, std::size_t axis);

// The softmax of x along `axis`, p = exp(x − m) / Σ exp(x − m), and its log-sum-exp,
// lse = m + log Σ exp(x − m) (x's shape with the axis kept as 1), shifted by the maxima m along the
// axis so that logits of ±1e4 stay finite: one exp per entry. p and lse are resized. Error: an axis
// outside x's shape, or of no entries.
template <class T>
void softmax_axis(const Tensor<T>& x, std::size_t axis, Tensor<T>& p, Tensor<T>& lse);

// C = alpha·op(A)·op(B) + beta·C for 2-D row-major tensors; C is resized when beta == 0.
template <class T>
void gemm(bool trans_a, bool trans_b, T alpha, const Tensor<T>& a, const Tensor<T>& b, T beta,
          Tensor<T>& c);

template <class T>
Tensor<T> transpose2d(const Tensor<T>& x);

// f applied to each entry: out[i] = f(x[i]), and out[i] = f(x[i], y[i]) for two tensors of one shape.
template <class T, class F>
Tensor<T> map(const Tensor<T>& x, F f) {
  Tensor<T> out = empty_tensor<T>(x.shape());
  const T* px = x.data();
  T* po = out.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) po[i] = f(px[i]);
  return out;
}
template <class T, class F>
Tensor<T> map2(const Tensor<T>& x, const Tensor<T>& y, F f) {
  Tensor<T> out = empty_tensor<T>(x.shape());
  const T *px = x.data(), *py = y.data();
  T* po = out.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) po[i] = f(px[i], py[i]);
  return out;
}

}  // namespace saddle::kernels
