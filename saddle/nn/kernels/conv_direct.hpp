// saddle/nn/kernels/conv_direct.hpp — stride-1 convolution without im2col, for small channel counts.
//
// With stride 1, lay each zero-bordered channel out flat with row length wp = W + 2·pad. Output
// pixel (p, q) then sits at the flat position t = p·wp + q, and tap (c, i, j) reads the input at
// t + off(c, i, j) with off = c·hp·wp + i·wp + j — one constant shift per tap for every pixel:
//   y[o, t] = Σ_k W[o, k] · x[t + off_k]                                         (correlate)
// Computing every t ∈ [0, (Ho−1)·wp + Wo) ("wide" rows of wp entries, the last wp − Wo of each
// row discarded) turns the convolution into shifted vector loads and FMAs on contiguous memory,
// with neither bounds tests nor a K×P patch matrix. The two adjoints have the same form:
//   W̄[o, k] = Σ_t ȳ[o, t] · x[t + off_k]           (correlate_weights; ȳ zero at discarded t)
//   x̄[c, s] = Σ_(o,i,j) W[o, c, i, j] · ȳ[o, s − i·wp − j]                       (correlate again,
//             on ȳ given a zero border of (kh−1)·wp + kw − 1 entries in front)
// The inner loop is FMA-bound (12 FMAs per 2 loads and 6 broadcasts). Measured against im2col
// with per-image OpenBLAS products on LeNet-5's second layer (6→16, 5×5, 200 images of 14×14):
// forward 1.37–1.41 ms vs 1.65–1.71 ms on one core, 0.83–0.92 vs 1.22–1.26 ms on two; the
// backward pass within noise of it (3.4–3.8 ms on one core). The wide rows cost (wp − Wo)/wp
// extra work (4/14 there) and the input adjoint runs over a zero border, ~2× its useful work,
// and still matched col2im(Wᵀ·ȳ), which pays for the copies instead. The input adjoint now skips
// the kernel rows that meet only the border above and below ȳ (TapRows): on an Intel Xeon with
// AVX-512, one thread, LeNet-5's second layer's backward pass went from 2.12 to 1.94 ms (medians of
// 4 × 5, run alternately).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "saddle/base/simd.hpp"

namespace saddle::nn::conv::direct {

// A batch of images for correlate_weights: image i's ȳ at a + i·a_stride, its input at
// src + i·src_stride.
struct Images {
  std::size_t count, a_stride, src_stride;
};

// Where correlate may skip taps: an output position t lies in row t / row_len, and only the taps
// [first[r], end[r]) of its row r can read nonzero input (the input adjoint's taps whose kernel row
// misses ȳ's rows; conv_dual.hpp). first and end do not decrease with r, so positions of rows
// r0 … r1 take the taps [first[r0], end[r1]).
struct TapRows {
  std::size_t row_len;
  const std::size_t* first;
  const std::size_t* end;
};

// The output rows themselves (correlate_rows): where the output channels fill whole vectors (16
// floats or 8 doubles in AVX-512, 8 floats in AVX2) and the kernel is 3 or 5 wide, the vector
// runs over the channels instead of the positions, so no wide position is computed. A row of Wo
// pixels is a handful of accumulators; for each row (c, i) of the taps, the kw weight vectors are
// loaded once and each input value of the row is broadcast once and used for all the pixels and
// taps it meets (q + j = u): kw·(Wo + kw − 1)-ish FMAs per Wo + kw − 1 broadcasts. Every output
// still sums its taps in order with one FMA each, so the bits are those of correlate. LeNet-5's
// second layer (O = 16, 5×5, 200 images of 6×14×14) computed 144 wide positions for 100 outputs;
// on an Intel Xeon with AVX-512, one thread, bench/compare.py (medians of 3 × 5) went from 1.05 ms
// (PyTorch's oneDNN 0.78 ms in the same run) to 0.61 ms (PyTorch 0.57 ms). What is left is mostly
// the transposition of each block of accumulators (pixels × channels) into the output rows.
struct RowGeometry {
  std::size_t o, rows, kw;        // output channels, rows (c, i) of the taps, kernel width
  std::size_t ho, wo, wp;         // output rows and columns, the zero-bordered input's row length
  const std::ptrdiff_t* row_off;  // row r = (c, i) of the taps → c·plane + i·wp
};

// The kernels come in three builds of one source (conv_direct_kernels.inc), each compiled for its
// target in a file of its own and chosen at run time (base/simd.hpp): 128-bit SSE2 vectors
// with a separate multiply and add (conv_direct_sse2.cpp, for any x86-64), 256-bit AVX2 vectors
// with FMA (conv_direct_avx2.cpp), and 512-bit AVX-512 vectors (conv_direct_avx512.cpp). On
// AVX-512 hardware whose units are a full 512 bits wide (AMD Zen 5, Intel server cores) the
// latter doubles the FMAs per cycle; on the 2-core Zen 5 development machine, one thread
// (SADDLE_SIMD=avx2 vs the default, saddle_bench --benchmark_filter='conv2d|train_step/lenet5',
// medians of 5): LeNet-5's second layer forward 1.35 → 0.85 ms, backward 3.50 → 2.12 ms,
// LeNet-5's training step 8.8 → 6.6 ms.
// Each build declares the two entry points below in a namespace of its own; the including files
// use nothing else of this header, so no inline function is compiled for a wider target.
#define SADDLE_CONV_DIRECT_KERNELS(isa)                                                                              \
  namespace isa {                                                                                                    \
  template <class T>                                                                                                 \
  void correlate(std::size_t M, std::size_t K, const T* w, std::size_t ldw, const std::ptrdiff_t* off, const T* src, \
                 T* out, std::size_t ldo, std::size_t len, bool accumulate, const TapRows* taps);                    \
  template <class T>                                                                                                 \
  void correlate_weights(std::size_t M, std::size_t K, const T* a, std::size_t lda, const std::ptrdiff_t* off,       \
                         const T* src, std::size_t len, const Images& im, T* acc);                                   \
  template <class T>                                                                                                 \
  void correlate_rows(const RowGeometry& g, const T* wt, const T* src, T* out, bool accumulate);                    \
  template <class T>                                                                                                 \
  void narrow_rows(std::size_t channels, std::size_t ho, std::size_t wo, const T* wide, std::size_t ldc,            \
                   std::size_t wp, const T* bias, T* out);                                                           \
  template <class T>                                                                                                 \
  void add_bias(std::size_t channels, std::size_t len, const T* bias, T* out);                                      \
  }
SADDLE_CONV_DIRECT_KERNELS(sse2)
SADDLE_CONV_DIRECT_KERNELS(avx2)
SADDLE_CONV_DIRECT_KERNELS(avx512)
#undef SADDLE_CONV_DIRECT_KERNELS

// "avx512", "avx2" or "baseline": the build of the kernels in use.
inline const char* isa() { return simd::name(simd::active()); }

// Lanes of the vectors in use: the n of correlate_weights' per-lane partial sums.
template <class T>
std::size_t lanes() {
  switch (simd::active()) {
    case simd::Isa::avx512: return 64 / sizeof(T);
    case simd::Isa::avx2: return 32 / sizeof(T);
    case simd::Isa::baseline: break;
  }
  return 16 / sizeof(T);
}

// Output positions are computed in whole vectors; lengths rounded up to a multiple of `step`
// (64 bytes of float, the widest vector) suit every build.
constexpr std::size_t step = 16;

inline std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

// out[m·ldo + t] (+)= Σ_k w[m·ldw + k] · src[t + off[k]] for m < M, t < len (a multiple of
// `step`); src[t + off[k]] must be readable for all of them. With `taps`, the terms it leaves out
// of a position's row are skipped (they are zero).
template <class T>
void correlate(std::size_t M, std::size_t K, const T* w, std::size_t ldw, const std::ptrdiff_t* off, const T* src,
               T* out, std::size_t ldo, std::size_t len, bool accumulate, const TapRows* taps = nullptr) {
  switch (simd::active()) {
    case simd::Isa::avx512: return avx512::correlate(M, K, w, ldw, off, src, out, ldo, len, accumulate, taps);
    case simd::Isa::avx2: return avx2::correlate(M, K, w, ldw, off, src, out, ldo, len, accumulate, taps);
    case simd::Isa::baseline: break;
  }
  sse2::correlate(M, K, w, ldw, off, src, out, ldo, len, accumulate, taps);
}

// Whether correlate_rows takes O output channels and a kernel kw wide in the build in use.
template <class T>
bool rows_apply(std::size_t O, std::size_t kw) {
  return (kw == 3 || kw == 5) && O % lanes<T>() == 0;
}

// out[o·Ho·Wo + p·Wo + q] (+)= Σ_(r, j) wt[(r·kw + j)·O + o] · src[row_off[r] + p·wp + q + j] for
// o < O, p < Ho, q < Wo, the rows r and j < kw of g, wt the weights as (taps, O); only where
// rows_apply. The same bits as correlate's wide rows at p·wp + q.
template <class T>
void correlate_rows(const RowGeometry& g, const T* wt, const T* src, T* out, bool accumulate) {
  switch (simd::active()) {
    case simd::Isa::avx512: return avx512::correlate_rows(g, wt, src, out, accumulate);
    case simd::Isa::avx2: return avx2::correlate_rows(g, wt, src, out, accumulate);
    case simd::Isa::baseline: break;
  }
  sse2::correlate_rows(g, wt, src, out, accumulate);
}

// acc[(m·K + k)·n + l] += Σ_i Σ_(t ≡ l mod n) a[i·a_stride + m·lda + t] · src[i·src_stride + t + off[k]]
// for the images i of `im`, m < M, k < K, t < len (a multiple of `step`), with n = lanes<T>():
// per-lane partial sums of W̄.
template <class T>
void correlate_weights(std::size_t M, std::size_t K, const T* a, std::size_t lda, const std::ptrdiff_t* off,
                       const T* src, std::size_t len, const Images& im, T* acc) {
  switch (simd::active()) {
    case simd::Isa::avx512: return avx512::correlate_weights(M, K, a, lda, off, src, len, im, acc);
    case simd::Isa::avx2: return avx2::correlate_weights(M, K, a, lda, off, src, len, im, acc);
    case simd::Isa::baseline: break;
  }
  sse2::correlate_weights(M, K, a, lda, off, src, len, im, acc);
}

// out[(o·ho + p)·wo + q] = wide[o·ldc + p·wp + q] + bias[o] for o < channels, p < ho, q < wo
// (+ 0 without a bias): correlate's wide rows narrowed to the output.
template <class T>
void narrow_rows(std::size_t channels, std::size_t ho, std::size_t wo, const T* wide, std::size_t ldc, std::size_t wp,
                 const T* bias, T* out) {
  switch (simd::active()) {
    case simd::Isa::avx512: return avx512::narrow_rows(channels, ho, wo, wide, ldc, wp, bias, out);
    case simd::Isa::avx2: return avx2::narrow_rows(channels, ho, wo, wide, ldc, wp, bias, out);
    case simd::Isa::baseline: break;
  }
  sse2::narrow_rows(channels, ho, wo, wide, ldc, wp, bias, out);
}

// out[o·len + i] += bias[o] (+ 0 without a bias) for o < channels, i < len.
template <class T>
void add_bias(std::size_t channels, std::size_t len, const T* bias, T* out) {
  switch (simd::active()) {
    case simd::Isa::avx512: return avx512::add_bias(channels, len, bias, out);
    case simd::Isa::avx2: return avx2::add_bias(channels, len, bias, out);
    case simd::Isa::baseline: break;
  }
  sse2::add_bias(channels, len, bias, out);
}

}  // namespace saddle::nn::conv::direct
