// The portable build of the direct convolution loops (conv_direct.hpp): 128-bit SSE2 vectors,
// which every x86-64 processor has. SSE2 has no fused multiply-add, so fma rounds the product
// and the sum separately; results differ from the FMA builds by rounding only.
#include <emmintrin.h>

#include "saddle/nn/kernels/conv_direct.hpp"

namespace saddle::nn::conv::direct::sse2 {

template <class T>
struct Simd;
template <>
struct Simd<float> {
  using V = __m128;
  static constexpr std::size_t n = 4;
  static constexpr std::size_t weight_taps = 3;  // 4 × 3 partial sums of W̄ in 16 registers
  static constexpr std::size_t weight_rows = 4;  // rows of ȳ per block of correlate_weights
  static constexpr std::size_t weight_sums = 12;  // registers for its partial sums
  static constexpr std::size_t row_pixels = 10;  // correlate_rows: pixels + 5 weights + 1 input in 16 registers
  static constexpr std::size_t out_rows = 6;  // correlate: 6 × 2 accumulators + 2 inputs + product in 16 registers
  static V zero() { return _mm_setzero_ps(); }
  static V load(const float* p) { return _mm_loadu_ps(p); }
  static void store(float* p, V v) { _mm_storeu_ps(p, v); }
  static V splat(const float* p) { return _mm_set1_ps(*p); }
  static V add(V a, V b) { return _mm_add_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
};
template <>
struct Simd<double> {
  using V = __m128d;
  static constexpr std::size_t n = 2;
  static constexpr std::size_t weight_taps = 3;
  static constexpr std::size_t weight_rows = 4;
  static constexpr std::size_t weight_sums = 12;
  static constexpr std::size_t row_pixels = 10;
  static constexpr std::size_t out_rows = 6;
  static V zero() { return _mm_setzero_pd(); }
  static V load(const double* p) { return _mm_loadu_pd(p); }
  static void store(double* p, V v) { _mm_storeu_pd(p, v); }
  static V splat(const double* p) { return _mm_set1_pd(*p); }
  static V add(V a, V b) { return _mm_add_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm_add_pd(_mm_mul_pd(a, b), c); }
};

#include "saddle/nn/kernels/conv_direct_kernels.inc"

}  // namespace saddle::nn::conv::direct::sse2
