// saddle/nn/kernels/conv_kernels.hpp — the plain-tensor pieces a 2-D convolution is built from.
//
// A convolution (cross-correlation, as in PyTorch) of an image x (C, H, W) with filters
// w (O, C, kh, kw) is one matrix product once the image's patches are laid out as columns
// (im2col, Chellapilla et al. 2006):
//   cols[(c,i,j), (p,q)] = x[c, p·s − pad + i, q·s − pad + j]      (0 outside the image)
//   y[o, (p,q)] = Σ_(c,i,j) W[o, (c,i,j)] · cols[(c,i,j), (p,q)]     — y = W·cols, (O, Ho·Wo)
// Images are processed one at a time (their columns stay in cache), and the images of a batch are
// spread over the cores (conv_dual.hpp).
// col2im is the adjoint (transpose) of im2col: it adds each column entry back where it was read.
#pragma once

#include <cblas.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle::nn::conv {

struct Geometry {
  std::size_t n, c, h, w;   // input (N, C, H, W)
  std::size_t o, kh, kw;    // filters (O, C, kh, kw)
  std::size_t stride, pad;  // the same along both spatial axes
  std::size_t ho, wo;       // output (N, O, Ho, Wo)

  std::size_t patch() const { return c * kh * kw; }  // K, rows of an image's columns
  std::size_t pixels() const { return ho * wo; }     // P, output pixels of one image
  std::size_t image() const { return c * h * w; }    // input entries of one image
  std::size_t out_image() const { return o * ho * wo; }
};

// Output extent along one axis: ⌊(in + 2·pad − k)/stride⌋ + 1, or 0 when the kernel does not fit.
inline std::size_t output_extent(std::size_t in, std::size_t k, std::size_t stride, std::size_t pad) {
  return in + 2 * pad < k ? 0 : (in + 2 * pad - k) / stride + 1;
}

// The geometry of conv(x, w) with the shapes checked; errors start with `who`
// ("Conv2d(1→6, 5×5)") and name the shapes.
inline Geometry geometry(const Shape& x, const Shape& w, std::size_t stride, std::size_t pad, const std::string& who) {
  if (w.size() != 4) throw Error(who + ": weight of shape " + shape_str(w) + " is not (out, in, kh, kw)");
  if (stride == 0) throw Error(who + ": stride 0");
  if (x.size() != 4) throw Error(who + ": input of shape " + shape_str(x) + " is not 4-D (N, C, H, W)");
  if (x[1] != w[1])
    throw Error(who + ": input of shape " + shape_str(x) + " has " + std::to_string(x[1]) + " channels, expected " +
                std::to_string(w[1]));
  Geometry g{x[0],
             x[1],
             x[2],
             x[3],
             w[0],
             w[2],
             w[3],
             stride,
             pad,
             output_extent(x[2], w[2], stride, pad),
             output_extent(x[3], w[3], stride, pad)};
  if (g.ho == 0 || g.wo == 0)
    throw Error(who + ": a " + std::to_string(g.kh) + "×" + std::to_string(g.kw) + " kernel with padding " +
                std::to_string(pad) + " does not fit an input of shape " + shape_str(x));
  return g;
}

// The valid range [lo, hi) of output positions q for kernel offset j along an axis of extent
// `in`: 0 ≤ q·s − pad + j < in.
inline void valid_range(std::size_t in, std::size_t out, std::size_t j, const Geometry& g, std::size_t& lo,
                        std::size_t& hi) {
  const std::ptrdiff_t s = std::ptrdiff_t(g.stride), off = std::ptrdiff_t(j) - std::ptrdiff_t(g.pad);
  const std::ptrdiff_t first = off >= 0 ? 0 : (-off + s - 1) / s;
  const std::ptrdiff_t end = std::ptrdiff_t(in) - off <= 0 ? 0 : (std::ptrdiff_t(in) - off + s - 1) / s;
  lo = std::size_t(std::min<std::ptrdiff_t>(first, std::ptrdiff_t(out)));
  hi = std::size_t(std::clamp<std::ptrdiff_t>(end, std::ptrdiff_t(lo), std::ptrdiff_t(out)));
}

// Calls run(dst, first, lo, hi) for each row (c, i, j) of one image's columns and each output row
// p within it: cols[dst + q] for q ∈ [lo, hi) reads x[first + (q − lo)·s]; the other q of
// [0, Wo) lie in the padding (hi = lo = 0 when the whole row p does). Row r of the columns
// starts at r·ld, so the columns of several images can sit side by side.
template <class Run>
void for_each_patch_run(const Geometry& g, std::size_t ld, Run&& run) {
  for (std::size_t c = 0; c < g.c; ++c)
    for (std::size_t i = 0; i < g.kh; ++i) {
      std::size_t plo, phi;
      valid_range(g.h, g.ho, i, g, plo, phi);
      for (std::size_t j = 0; j < g.kw; ++j) {
        const std::size_t r = (c * g.kh + i) * g.kw + j;
        std::size_t lo, hi;
        valid_range(g.w, g.wo, j, g, lo, hi);
        for (std::size_t p = 0; p < g.ho; ++p) {
          const std::size_t dst = r * ld + p * g.wo;
          if (p < plo || p >= phi) {
            run(dst, std::size_t(0), std::size_t(0), std::size_t(0));
            continue;
          }
          // x[c, p·s − pad + i, q·s − pad + j] at q = lo (inside the image whenever lo < hi)
          const std::size_t row = (c * g.h + p * g.stride + i - g.pad) * g.w;
          run(dst, row + j + lo * g.stride - g.pad, lo, hi);
        }
      }
    }
}


// d[0, len) = s[0, len) in 32-byte chunks, the last one overlapping its predecessor.
template <class T>
inline void copy_run(T* d, const T* s, std::size_t len) {
  constexpr std::size_t V = 32 / sizeof(T);
  if (len < V) {
    for (std::size_t k = 0; k < len; ++k) d[k] = s[k];
    return;
  }
  for (std::size_t k = 0; k + V <= len; k += V) std::memcpy(d + k, s + k, 32);
  std::memcpy(d + len - V, s + len - V, 32);
}

// The image with a zero border of `pad` around each channel: (C, H + 2·pad, W + 2·pad).
template <class T>
const T* padded_image(const T* x, const Geometry& g, std::vector<T>& buffer) {
  if (g.pad == 0) return x;
  const std::size_t hp = g.h + 2 * g.pad, wp = g.w + 2 * g.pad;
  buffer.assign(g.c * hp * wp, T(0));
  for (std::size_t c = 0; c < g.c; ++c)
    for (std::size_t y = 0; y < g.h; ++y)
      std::memcpy(buffer.data() + (c * hp + y + g.pad) * wp + g.pad, x + (c * g.h + y) * g.w, g.w * sizeof(T));
  return buffer.data();
}


// The columns (K, P) of one image x (C, H, W), written with row stride ld ≥ P.
// With stride 1 every run of Wo columns is a contiguous piece of the zero-bordered image, copied
// without bounds tests; other strides go through for_each_patch_run.
template <class T>
void im2col(const T* x, const Geometry& g, T* cols, std::size_t ld) {
  const std::size_t wo = g.wo;
  if (g.stride == 1) {
    thread_local std::vector<T> buffer;
    const T* xp = padded_image(x, g, buffer);
    const std::size_t hp = g.h + 2 * g.pad, wp = g.w + 2 * g.pad;
    for (std::size_t c = 0; c < g.c; ++c)
      for (std::size_t i = 0; i < g.kh; ++i)
        for (std::size_t j = 0; j < g.kw; ++j) {
          T* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
          const T* src = xp + (c * hp + i) * wp + j;
          for (std::size_t p = 0; p < g.ho; ++p) copy_run(row + p * wo, src + p * wp, wo);
        }
    return;
  }
  const std::size_t s = g.stride;
  for_each_patch_run(g, ld, [&](std::size_t dst, std::size_t first, std::size_t lo, std::size_t hi) {
    T* d = cols + dst;
    for (std::size_t q = 0; q < lo; ++q) d[q] = T(0);
    if (lo < hi) {
      const T* x0 = x + first;  // x0[(q − lo)·s] for q ∈ [lo, hi)
      T* d0 = d + lo;
      const std::size_t len = hi - lo;
      for (std::size_t q = 0; q < len; ++q) d0[q] = x0[q * s];
    }
    for (std::size_t q = hi; q < wo; ++q) d[q] = T(0);
  });
}

// x (C, H, W) += the adjoint of im2col applied to one image's columns (row stride ld).
// With stride 1 the runs are added into a zero-bordered buffer without bounds tests, and its
// interior is added to x.
template <class T>
void col2im_add(const T* cols, const Geometry& g, std::size_t ld, T* x) {
  const std::size_t wo = g.wo;
  if (g.stride == 1) {
    const std::size_t hp = g.h + 2 * g.pad, wp = g.w + 2 * g.pad;
    thread_local std::vector<T> buffer;
    T* xp = x;
    if (g.pad) {
      buffer.assign(g.c * hp * wp, T(0));
      xp = buffer.data();
    }
    for (std::size_t c = 0; c < g.c; ++c)
      for (std::size_t i = 0; i < g.kh; ++i)
        for (std::size_t j = 0; j < g.kw; ++j) {
          const T* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
          T* dst = xp + (c * hp + i) * wp + j;
          for (std::size_t p = 0; p < g.ho; ++p) {
            const T* s0 = row + p * wo;
            T* d0 = dst + p * wp;
            for (std::size_t q = 0; q < wo; ++q) d0[q] += s0[q];
          }
        }
    if (g.pad)
      for (std::size_t c = 0; c < g.c; ++c)
        for (std::size_t y = 0; y < g.h; ++y) {
          const T* s0 = xp + (c * hp + y + g.pad) * wp + g.pad;
          T* d0 = x + (c * g.h + y) * g.w;
          for (std::size_t q = 0; q < g.w; ++q) d0[q] += s0[q];
        }
    return;
  }
  const std::size_t s = g.stride;
  for_each_patch_run(g, ld, [&](std::size_t dst, std::size_t first, std::size_t lo, std::size_t hi) {
    if (lo >= hi) return;
    const T* d0 = cols + dst + lo;
    T* x0 = x + first;
    const std::size_t len = hi - lo;
    for (std::size_t q = 0; q < len; ++q) x0[q * s] += d0[q];
  });
}

// C = α·op(A)·op(B) + β·C on row-major blocks with leading dimensions (BLAS, one call).
inline void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                 std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
              alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}
inline void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha, const double* a,
                 std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
              alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

// acc (K, O) += cols (K, P) · ȳᵀ for one image's columns and output gradient ȳ (O, P): the
// transposed weight adjoint. A GEMM, except for patches as small as a first layer's (K·O ≤ 256),
// where O matrix-vector products, acc[:, o] += cols·ȳ[o, :], measured 1.5–1.7× faster.
inline void weight_adjoint_t(std::size_t K, std::size_t O, std::size_t P, const float* cols, const float* gy,
                             float* acc) {
  if (K * O <= 256)
    for (std::size_t o = 0; o < O; ++o)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, int(K), int(P), 1.0f, cols, int(P), gy + o * P, 1, 1.0f, acc + o,
                  int(O));
  else
    gemm(false, true, K, O, P, 1.0f, cols, P, gy, P, 1.0f, acc, O);
}
inline void weight_adjoint_t(std::size_t K, std::size_t O, std::size_t P, const double* cols, const double* gy,
                             double* acc) {
  if (K * O <= 256)
    for (std::size_t o = 0; o < O; ++o)
      cblas_dgemv(CblasRowMajor, CblasNoTrans, int(K), int(P), 1.0, cols, int(P), gy + o * P, 1, 1.0, acc + o, int(O));
  else
    gemm(false, true, K, O, P, 1.0, cols, P, gy, P, 1.0, acc, O);
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
  constexpr std::size_t L = 8;  // independent partial sums, so the loop vectorises
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t o = 0; o < O; ++o) {
      const T* plane = y.data() + (n * O + o) * P;
      T part[L] = {};
      std::size_t p = 0;
      for (; p + L <= P; p += L)
        for (std::size_t l = 0; l < L; ++l) part[l] += plane[p + l];
      T s = 0;
      for (; p < P; ++p) s += plane[p];
      for (std::size_t l = 0; l < L; ++l) s += part[l];
      b.data()[o] += s;
    }
  return b;
}

}  // namespace saddle::nn::conv
