// The AVX-512 build of the direct convolution loops (conv_direct.hpp): 512-bit vectors.
// Compiled with -mavx512f (nn/meson.build) and run only where the processor has it.
#include <immintrin.h>

#include "saddle/nn/kernels/conv_direct.hpp"

namespace saddle::nn::conv::direct::avx512 {

template <class T>
struct Simd;
template <>
struct Simd<float> {
  using V = __m512;
  static constexpr std::size_t n = 16;
  static constexpr std::size_t weight_taps = 6;  // 4 × 6 partial sums of W̄ in 32 registers
  static constexpr std::size_t weight_rows = 6;  // rows of ȳ per block of correlate_weights
  static constexpr std::size_t weight_sums = 24;  // registers for its partial sums
  static constexpr std::size_t row_pixels = 14;  // correlate_rows: pixels + 5 weights + 1 input in 32 registers
  static constexpr std::size_t out_rows = 12;  // correlate: 12 × 2 accumulators + 2 inputs + 1 weight in 32 registers
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V splat(const float* p) { return _mm512_set1_ps(*p); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
};
template <>
struct Simd<double> {
  using V = __m512d;
  static constexpr std::size_t n = 8;
  static constexpr std::size_t weight_taps = 6;
  static constexpr std::size_t weight_rows = 6;
  static constexpr std::size_t weight_sums = 24;
  static constexpr std::size_t row_pixels = 14;
  static constexpr std::size_t out_rows = 12;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static V splat(const double* p) { return _mm512_set1_pd(*p); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
};

#include "saddle/nn/kernels/conv_direct_kernels.inc"

}  // namespace saddle::nn::conv::direct::avx512
