// saddle/nn/conv_direct.hpp — stride-1 convolution without im2col, for small channel counts.
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
// and still matched col2im(Wᵀ·ȳ), which pays for the copies instead.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <vector>

namespace saddle::nn::conv::direct {

// 256-bit vectors of float or double: the operations the kernels need.
template <class T>
struct Simd;
template <>
struct Simd<float> {
  using V = __m256;
  static constexpr std::size_t n = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V splat(const float* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};
template <>
struct Simd<double> {
  using V = __m256d;
  static constexpr std::size_t n = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static V splat(const double* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
};

// Output positions are computed in whole vectors (two at a time, then one).
template <class T>
constexpr std::size_t step() {
  return Simd<T>::n;
}

inline std::size_t round_up(std::size_t n, std::size_t m) { return (n + m - 1) / m * m; }

namespace detail {

// OB output rows × two vectors of positions: 2·OB accumulators (12 of the 16 ymm registers at
// OB = 6), per tap two loads of the input and OB broadcasts of a weight.
template <class T, std::size_t OB>
void correlate_block(std::size_t K, const T* w, std::size_t ldw, const std::ptrdiff_t* off, const T* src, T* out,
                     std::size_t ldo, std::size_t len, bool accumulate) {
  using S = Simd<T>;
  constexpr std::size_t N = S::n;
  std::size_t t = 0;
  for (; t + 2 * N <= len; t += 2 * N) {
    typename S::V acc[OB][2];
#pragma GCC unroll 8
    for (std::size_t b = 0; b < OB; ++b) {
      acc[b][0] = accumulate ? S::load(out + b * ldo + t) : S::zero();
      acc[b][1] = accumulate ? S::load(out + b * ldo + t + N) : S::zero();
    }
    const T* s = src + t;
    for (std::size_t k = 0; k < K; ++k) {
      const T* x = s + off[k];
      const typename S::V x0 = S::load(x), x1 = S::load(x + N);
#pragma GCC unroll 8
      for (std::size_t b = 0; b < OB; ++b) {
        const typename S::V wb = S::splat(w + b * ldw + k);
        acc[b][0] = S::fma(wb, x0, acc[b][0]);
        acc[b][1] = S::fma(wb, x1, acc[b][1]);
      }
    }
#pragma GCC unroll 8
    for (std::size_t b = 0; b < OB; ++b) {
      S::store(out + b * ldo + t, acc[b][0]);
      S::store(out + b * ldo + t + N, acc[b][1]);
    }
  }
  if (t < len) {  // one vector left
    typename S::V acc[OB];
#pragma GCC unroll 8
    for (std::size_t b = 0; b < OB; ++b) acc[b] = accumulate ? S::load(out + b * ldo + t) : S::zero();
    const T* s = src + t;
    for (std::size_t k = 0; k < K; ++k) {
      const typename S::V x0 = S::load(s + off[k]);
#pragma GCC unroll 8
      for (std::size_t b = 0; b < OB; ++b) acc[b] = S::fma(S::splat(w + b * ldw + k), x0, acc[b]);
    }
#pragma GCC unroll 8
    for (std::size_t b = 0; b < OB; ++b) S::store(out + b * ldo + t, acc[b]);
  }
}

// OB rows of ȳ × KB taps: OB·KB vector partial sums (12 at 4 × 3), kept in acc between calls.
template <class T, std::size_t OB, std::size_t KB>
void correlate_weights_block(const T* a, std::size_t lda, const std::ptrdiff_t* off, const T* src, std::size_t len,
                             T* acc, std::size_t K) {
  using S = Simd<T>;
  constexpr std::size_t N = S::n;
  typename S::V part[OB][KB];
#pragma GCC unroll 8
  for (std::size_t b = 0; b < OB; ++b)
#pragma GCC unroll 8
    for (std::size_t c = 0; c < KB; ++c) part[b][c] = S::load(acc + (b * K + c) * N);
  for (std::size_t t = 0; t < len; t += N) {
    typename S::V x[KB];
#pragma GCC unroll 8
    for (std::size_t c = 0; c < KB; ++c) x[c] = S::load(src + t + off[c]);
#pragma GCC unroll 8
    for (std::size_t b = 0; b < OB; ++b) {
      const typename S::V g = S::load(a + b * lda + t);
#pragma GCC unroll 8
      for (std::size_t c = 0; c < KB; ++c) part[b][c] = S::fma(g, x[c], part[b][c]);
    }
  }
#pragma GCC unroll 8
  for (std::size_t b = 0; b < OB; ++b)
#pragma GCC unroll 8
    for (std::size_t c = 0; c < KB; ++c) S::store(acc + (b * K + c) * N, part[b][c]);
}

template <class T, std::size_t OB>
void correlate_weights_rows(std::size_t K, const T* a, std::size_t lda, const std::ptrdiff_t* off, const T* src,
                            std::size_t len, T* acc) {
  constexpr std::size_t N = Simd<T>::n;
  std::size_t k = 0;
  for (; k + 3 <= K; k += 3) correlate_weights_block<T, OB, 3>(a, lda, off + k, src, len, acc + k * N, K);
  if (K - k == 2) correlate_weights_block<T, OB, 2>(a, lda, off + k, src, len, acc + k * N, K);
  if (K - k == 1) correlate_weights_block<T, OB, 1>(a, lda, off + k, src, len, acc + k * N, K);
}

}  // namespace detail

// out[m·ldo + t] (+)= Σ_k w[m·ldw + k] · src[t + off[k]] for m < M, t < len (a multiple of
// Simd<T>::n); src[t + off[k]] must be readable for all of them.
template <class T>
void correlate(std::size_t M, std::size_t K, const T* w, std::size_t ldw, const std::ptrdiff_t* off, const T* src,
               T* out, std::size_t ldo, std::size_t len, bool accumulate) {
  std::size_t m = 0;
  for (; m + 6 <= M; m += 6)
    detail::correlate_block<T, 6>(K, w + m * ldw, ldw, off, src, out + m * ldo, ldo, len, accumulate);
  w += m * ldw;
  out += m * ldo;
  switch (M - m) {
    case 5: detail::correlate_block<T, 5>(K, w, ldw, off, src, out, ldo, len, accumulate); break;
    case 4: detail::correlate_block<T, 4>(K, w, ldw, off, src, out, ldo, len, accumulate); break;
    case 3: detail::correlate_block<T, 3>(K, w, ldw, off, src, out, ldo, len, accumulate); break;
    case 2: detail::correlate_block<T, 2>(K, w, ldw, off, src, out, ldo, len, accumulate); break;
    case 1: detail::correlate_block<T, 1>(K, w, ldw, off, src, out, ldo, len, accumulate); break;
    default: break;
  }
}

// acc[(m·K + k)·n + l] += Σ_(t ≡ l mod n) a[m·lda + t] · src[t + off[k]] for m < M, k < K,
// t < len (a multiple of n = Simd<T>::n): per-lane partial sums of W̄, summed by reduce_lanes.
template <class T>
void correlate_weights(std::size_t M, std::size_t K, const T* a, std::size_t lda, const std::ptrdiff_t* off,
                       const T* src, std::size_t len, T* acc) {
  constexpr std::size_t N = Simd<T>::n;
  std::size_t m = 0;
  for (; m + 4 <= M; m += 4) detail::correlate_weights_rows<T, 4>(K, a + m * lda, lda, off, src, len, acc + m * K * N);
  a += m * lda;
  acc += m * K * N;
  switch (M - m) {
    case 3: detail::correlate_weights_rows<T, 3>(K, a, lda, off, src, len, acc); break;
    case 2: detail::correlate_weights_rows<T, 2>(K, a, lda, off, src, len, acc); break;
    case 1: detail::correlate_weights_rows<T, 1>(K, a, lda, off, src, len, acc); break;
    default: break;
  }
}

}  // namespace saddle::nn::conv::direct
