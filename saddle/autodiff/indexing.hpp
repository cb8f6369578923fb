// saddle/autodiff/indexing.hpp — indexing kernels on plain tensors, each beside its adjoint:
// gather rows ↔ scatter-add rows, take one entry along an axis ↔ put it back, slice a block along an
// axis ↔ embed it in zeros. The ops apply them to both halves of a dual (dual.hpp, `linear`).
#pragma once

#include <algorithm>
#include <vector>

#include "saddle/autodiff/kernels.hpp"

namespace saddle::kernels {

template <class T>
Tensor<T> gather_rows(const Tensor<T>& x, const std::vector<std::size_t>& idx) {
  Shape s = to_shape(x.shape());
  const std::size_t row = shape_size(s) / s[0];
  s[0] = idx.size();
  Tensor<T> out = empty_tensor<T>(s);
  for (std::size_t i = 0; i < idx.size(); ++i)
    std::copy_n(x.data() + idx[i] * row, row, out.data() + i * row);
  return out;
}
template <class T>
Tensor<T> scatter_rows(const Tensor<T>& g, const std::vector<std::size_t>& idx, std::size_t n) {
  Shape s = to_shape(g.shape());
  const std::size_t row = s[0] ? shape_size(s) / s[0] : 0;
  s[0] = n;
  Tensor<T> out = zeros_tensor<T>(s);
  for (std::size_t i = 0; i < idx.size(); ++i) {
    T* dst = out.data() + idx[i] * row;
    const T* src = g.data() + i * row;
    for (std::size_t j = 0; j < row; ++j) dst[j] += src[j];
  }
  return out;
}
// y[o, i] = x[o, idx[o·inner + i], i] around `axis` (the axis is removed).
template <class T>
Tensor<T> take_along(const Tensor<T>& x, std::size_t axis, const std::vector<std::size_t>& idx) {
  const Shape sx = to_shape(x.shape());
  const auto s = kernels::split_at(sx, axis);
  Tensor<T> out = empty_tensor<T>(kernels::reduced_shape(sx, axis, false));
  for (std::size_t o = 0; o < s.outer; ++o)
    for (std::size_t i = 0; i < s.inner; ++i)
      out.data()[o * s.inner + i] = x.data()[(o * s.n + idx[o * s.inner + i]) * s.inner + i];
  return out;
}
template <class T>
Tensor<T> put_along(const Tensor<T>& g, std::size_t axis, const std::vector<std::size_t>& idx,
                    const Shape& full) {
  const auto s = kernels::split_at(full, axis);
  Tensor<T> out = zeros_tensor<T>(full);
  for (std::size_t o = 0; o < s.outer; ++o)
    for (std::size_t i = 0; i < s.inner; ++i)
      out.data()[(o * s.n + idx[o * s.inner + i]) * s.inner + i] += g.data()[o * s.inner + i];
  return out;
}
// The block [begin, end) along `axis`, and its adjoint: embedding into zeros of extent n.
template <class T>
Tensor<T> slice_axis(const Tensor<T>& x, std::size_t axis, std::size_t begin, std::size_t end) {
  Shape sx = to_shape(x.shape());
  const auto s = kernels::split_at(sx, axis);
  sx[axis] = end - begin;
  Tensor<T> out = empty_tensor<T>(sx);
  const std::size_t len = (end - begin) * s.inner;
  for (std::size_t o = 0; o < s.outer; ++o)
    std::copy_n(x.data() + (o * s.n + begin) * s.inner, len, out.data() + o * len);
  return out;
}
template <class T>
Tensor<T> embed_axis(const Tensor<T>& g, std::size_t axis, std::size_t begin, std::size_t n) {
  Shape sg = to_shape(g.shape());
  const auto s = kernels::split_at(sg, axis);
  sg[axis] = n;
  Tensor<T> out = zeros_tensor<T>(sg);
  const std::size_t len = s.n * s.inner;
  for (std::size_t o = 0; o < s.outer; ++o)
    std::copy_n(g.data() + o * len, len, out.data() + (o * n + begin) * s.inner);
  return out;
}

}  // namespace saddle::kernels
