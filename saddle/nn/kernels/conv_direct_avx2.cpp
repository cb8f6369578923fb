// The AVX2 build of the direct convolution loops (conv_direct.hpp): 256-bit vectors with FMA.
// Compiled with -mavx2 -mfma (nn/meson.build) and run only where the processor has both.
#include <immintrin.h>

#include "saddle/nn/kernels/conv_direct.hpp"

namespace saddle::nn::conv::direct::avx2 {

template <class T>
struct Simd;
template <>
struct Simd<float> {
  using V = __m256;
  static constexpr std::size_t n = 8;
  static constexpr std::size_t weight_taps = 3;  // 4 × 3 partial sums of W̄ in 16 registers
  static constexpr std::size_t weight_rows = 4;  // rows of ȳ per block of correlate_weights
  static constexpr std::size_t weight_sums = 12;  // registers for its partial sums
  static constexpr std::size_t row_pixels = 10;  // correlate_rows: pixels + 5 weights + 1 input in 16 registers
  static constexpr std::size_t out_rows = 6;  // correlate: 6 × 2 accumulators + 2 inputs + 1 weight in 16 registers
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V splat(const float* p) { return _mm256_broadcast_ss(p); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};
template <>
struct Simd<double> {
  using V = __m256d;
  static constexpr std::size_t n = 4;
  static constexpr std::size_t weight_taps = 3;
  static constexpr std::size_t weight_rows = 4;
  static constexpr std::size_t weight_sums = 12;
  static constexpr std::size_t row_pixels = 10;
  static constexpr std::size_t out_rows = 6;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static V splat(const double* p) { return _mm256_broadcast_sd(p); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
};

#include "saddle/nn/kernels/conv_direct_kernels.inc"

}  // namespace saddle::nn::conv::direct::avx2
