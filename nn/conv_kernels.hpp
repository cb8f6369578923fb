// saddle/nn/conv_kernels.hpp — the plain-tensor maps a 2-D convolution is built from.
//
// A convolution (cross-correlation, as in PyTorch) of x (N, C, H, W) with w (O, C, kh, kw) is one
// matrix product once the input patches are laid out as columns (im2col, Chellapilla et al. 2006):
//   cols[(c,i,j), (n,p,q)] = x[n, c, p·s − pad + i, q·s − pad + j]    (0 outside the image)
//   Y[o, (n,p,q)] = Σ_(c,i,j) W[o, (c,i,j)] · cols[(c,i,j), (n,p,q)]    — Y = W·cols, (O, N·Ho·Wo)
// All maps here are linear in their tensor argument, so the dual algebra applies each of them to a
// value and its tangent alike (saddle::linear); col2im is the adjoint (transpose) of im2col, and
// rows_to_nchw / nchw_to_rows are each other's inverse and adjoint.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "autodiff/tensor.hpp"

namespace saddle::nn::conv {

struct Geometry {
  std::size_t n, c, h, w;   // input (N, C, H, W)
  std::size_t o, kh, kw;    // filters (O, C, kh, kw)
  std::size_t stride, pad;  // the same along both spatial axes
  std::size_t ho, wo;       // output (N, O, Ho, Wo)

  std::size_t patch() const { return c * kh * kw; }  // K, rows of cols
  std::size_t pixels() const { return ho * wo; }     // P, output pixels of one image
  std::size_t columns() const { return n * ho * wo; }
};

// Output extent along one axis: ⌊(in + 2·pad − k)/stride⌋ + 1, or 0 when the kernel does not fit.
inline std::size_t output_extent(std::size_t in, std::size_t k, std::size_t stride, std::size_t pad) {
  return in + 2 * pad < k ? 0 : (in + 2 * pad - k) / stride + 1;
}

// The geometry of conv(x, w) with the shapes checked; errors start with `who`
// ("Conv2d(1→6, 5×5)") and name the shapes.
inline Geometry geometry(const Shape& x, const Shape& w, std::size_t stride, std::size_t pad,
                         const std::string& who) {
  if (w.size() != 4) throw Error(who + ": weight of shape " + shape_str(w) + " is not (out, in, kh, kw)");
  if (stride == 0) throw Error(who + ": stride 0");
  if (x.size() != 4)
    throw Error(who + ": input of shape " + shape_str(x) + " is not 4-D (N, C, H, W)");
  if (x[1] != w[1])
    throw Error(who + ": input of shape " + shape_str(x) + " has " + std::to_string(x[1]) +
                " channels, expected " + std::to_string(w[1]));
  Geometry g{x[0], x[1], x[2], x[3], w[0], w[2], w[3], stride, pad,
             output_extent(x[2], w[2], stride, pad), output_extent(x[3], w[3], stride, pad)};
  if (g.ho == 0 || g.wo == 0)
    throw Error(who + ": a " + std::to_string(g.kh) + "×" + std::to_string(g.kw) + " kernel with padding " +
                std::to_string(pad) + " does not fit an input of shape " + shape_str(x));
  return g;
}

// The valid range [lo, hi) of output columns q for kernel offset j: 0 ≤ q·s − pad + j < W.
inline void valid_range(std::size_t extent_in, std::size_t extent_out, std::size_t j, const Geometry& g,
                        std::size_t& lo, std::size_t& hi) {
  const std::ptrdiff_t s = std::ptrdiff_t(g.stride), off = std::ptrdiff_t(j) - std::ptrdiff_t(g.pad);
  const std::ptrdiff_t first = off >= 0 ? 0 : (-off + s - 1) / s;
  const std::ptrdiff_t end = std::ptrdiff_t(extent_in) - off <= 0 ? 0 : (std::ptrdiff_t(extent_in) - off + s - 1) / s;
  lo = std::size_t(std::min<std::ptrdiff_t>(first, std::ptrdiff_t(extent_out)));
  hi = std::size_t(std::clamp<std::ptrdiff_t>(end, std::ptrdiff_t(lo), std::ptrdiff_t(extent_out)));
}

// Calls run(dst, first, lo, hi) for each row r = (c, i, j) of cols and each (n, p) within it:
// cols[dst + q] for q ∈ [lo, hi) reads x[first + (q − lo)·s]; the other q of [0, Wo) lie in
// the padding.
template <class Run>
void for_each_patch_run(const Geometry& g, Run&& run) {
  const std::size_t P = g.pixels(), NP = g.columns();
  for (std::size_t c = 0; c < g.c; ++c)
    for (std::size_t i = 0; i < g.kh; ++i)
      for (std::size_t j = 0; j < g.kw; ++j) {
        const std::size_t r = (c * g.kh + i) * g.kw + j;
        std::size_t lo, hi, plo, phi;
        valid_range(g.w, g.wo, j, g, lo, hi);
        valid_range(g.h, g.ho, i, g, plo, phi);
        for (std::size_t n = 0; n < g.n; ++n) {
          const std::size_t image = (n * g.c + c) * g.h * g.w;
          for (std::size_t p = 0; p < g.ho; ++p) {
            const std::size_t dst = r * NP + n * P + p * g.wo;
            if (p < plo || p >= phi) {
              run(dst, std::size_t(0), std::size_t(0), std::size_t(0));
              continue;
            }
            // x[n, c, p·s − pad + i, q·s − pad + j], first at q = lo (≥ 0 whenever lo < hi)
            const std::size_t row = image + (p * g.stride + i - g.pad) * g.w;
            run(dst, row + j + lo * g.stride - g.pad, lo, hi);
          }
        }
      }
}

// cols (K, N·P) from x (N, C, H, W).
template <class T>
Tensor<T> im2col(const Tensor<T>& x, const Geometry& g) {
  Tensor<T> cols = empty_tensor<T>(Shape{g.patch(), g.columns()});
  const T* px = x.data();
  T* pc = cols.data();
  const std::size_t s = g.stride, wo = g.wo;
  for_each_patch_run(g, [&](std::size_t dst, std::size_t first, std::size_t lo, std::size_t hi) {
    T* d = pc + dst;
    std::fill(d, d + lo, T(0));
    if (lo < hi) {
      const T* x0 = px + first;
      if (s == 1)
        std::memcpy(d + lo, x0, (hi - lo) * sizeof(T));
      else
        for (std::size_t q = lo; q < hi; ++q) d[q] = x0[(q - lo) * s];
    }
    std::fill(d + hi, d + wo, T(0));
  });
  return cols;
}

// The adjoint of im2col: x̄[n, c, y, x] = Σ of cols̄ over the patch entries that read (y, x).
template <class T>
Tensor<T> col2im(const Tensor<T>& cols, const Geometry& g) {
  Tensor<T> x = zeros_tensor<T>(Shape{g.n, g.c, g.h, g.w});
  const T* pc = cols.data();
  T* px = x.data();
  const std::size_t s = g.stride;
  for_each_patch_run(g, [&](std::size_t dst, std::size_t first, std::size_t lo, std::size_t hi) {
    if (lo >= hi) return;
    const T* d = pc + dst + lo;
    T* x0 = px + first;
    const std::size_t len = hi - lo;
    if (s == 1)
      for (std::size_t q = 0; q < len; ++q) x0[q] += d[q];
    else
      for (std::size_t q = 0; q < len; ++q) x0[q * s] += d[q];
  });
  return x;
}

// (O, N·P) → (N, O, Ho, Wo): the product's rows become channels.
template <class T>
Tensor<T> rows_to_nchw(const Tensor<T>& y, const Geometry& g) {
  Tensor<T> out = empty_tensor<T>(Shape{g.n, g.o, g.ho, g.wo});
  const std::size_t P = g.pixels(), NP = g.columns();
  for (std::size_t n = 0; n < g.n; ++n)
    for (std::size_t o = 0; o < g.o; ++o)
      std::memcpy(out.data() + (n * g.o + o) * P, y.data() + o * NP + n * P, P * sizeof(T));
  return out;
}

// (N, O, Ho, Wo) → (O, N·P), the inverse (and adjoint) of rows_to_nchw.
template <class T>
Tensor<T> nchw_to_rows(const Tensor<T>& y, const Geometry& g) {
  Tensor<T> out = empty_tensor<T>(Shape{g.o, g.columns()});
  const std::size_t P = g.pixels(), NP = g.columns();
  for (std::size_t n = 0; n < g.n; ++n)
    for (std::size_t o = 0; o < g.o; ++o)
      std::memcpy(out.data() + o * NP + n * P, y.data() + (n * g.o + o) * P, P * sizeof(T));
  return out;
}

// y[n, o, …] += b[o] for y of shape (N, O, …).
template <class T>
void add_channel_bias(Tensor<T>& y, const Tensor<T>& b) {
  const std::size_t N = y.shape()[0], O = y.shape()[1], P = y.size() / (N * O);
  T* py = y.data();
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t o = 0; o < O; ++o) {
      const T bo = b.data()[o];
      T* plane = py + (n * O + o) * P;
      for (std::size_t p = 0; p < P; ++p) plane[p] += bo;
    }
}

// The adjoint of adding a channel bias: b̄[o] = Σ_(n, p) ȳ[n, o, p].
template <class T>
Tensor<T> sum_per_channel(const Tensor<T>& y) {
  const std::size_t N = y.shape()[0], O = y.shape()[1], P = y.size() / (N * O);
  Tensor<T> b = zeros_tensor<T>(Shape{O});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t o = 0; o < O; ++o) {
      const T* plane = y.data() + (n * O + o) * P;
      T s = 0;
      for (std::size_t p = 0; p < P; ++p) s += plane[p];
      b.data()[o] += s;
    }
  return b;
}

}  // namespace saddle::nn::conv
