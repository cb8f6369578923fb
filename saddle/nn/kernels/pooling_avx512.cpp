// 2×2 max pooling's inner loop in AVX-512 (pooling_simd.hpp). Compiled with -mavx512f
// (nn/meson.build); pooling.cpp calls it only where the processor has AVX-512.
#include <immintrin.h>

#include "saddle/nn/kernels/pooling_simd.hpp"

namespace saddle::nn::avx512 {

// Sixteen windows at a time, as the AVX2 build does eight: the even and odd columns of each row
// gathered from two vectors, then the scalar loop's three ordered comparisons (a NaN is never
// replaced) as masks. The last windows of a row (LeNet-5's rows have 14 and 5) go through the same
// code under load and store masks, which AVX-512 applies at no extra cost (AVX2's masked stores
// are slow: on an Intel Xeon, the pooling of LeNet-5's training step took ~6% of it in AVX2).
void max_row_2x2(const float* r0, const float* r1, std::size_t w, std::size_t wo, std::size_t top, float* pv,
                 std::uint32_t* pa) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i even = _mm512_add_epi32(lane, lane), odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i at_r0_odd = _mm512_set1_epi32(1), at_r1_even = _mm512_set1_epi32(int(w)),
                at_r1_odd = _mm512_set1_epi32(int(w + 1));
  // Windows q … q + count − 1 (count ≤ 16); lanes past count neither read nor written.
  auto windows = [&](std::size_t q, std::size_t count) {
    const std::size_t n = 2 * count;  // inputs of a row
    const __mmask16 lo = n >= 16 ? __mmask16(0xffff) : __mmask16((1u << n) - 1),
                    hi = n >= 32  ? __mmask16(0xffff)
                         : n > 16 ? __mmask16((1u << (n - 16)) - 1)
                                  : __mmask16(0),
                    out = count >= 16 ? __mmask16(0xffff) : __mmask16((1u << count) - 1);
    const __m512 a0 = _mm512_maskz_loadu_ps(lo, r0 + 2 * q), a1 = _mm512_maskz_loadu_ps(hi, r0 + 2 * q + 16);
    const __m512 b0 = _mm512_maskz_loadu_ps(lo, r1 + 2 * q), b1 = _mm512_maskz_loadu_ps(hi, r1 + 2 * q + 16);
    const __m512 r0_even = _mm512_permutex2var_ps(a0, even, a1), r0_odd = _mm512_permutex2var_ps(a0, odd, a1);
    const __m512 r1_even = _mm512_permutex2var_ps(b0, even, b1), r1_odd = _mm512_permutex2var_ps(b0, odd, b1);
    __m512 m = r0_even;
    __m512i at = _mm512_setzero_si512();
    __mmask16 gt = _mm512_cmp_ps_mask(r0_odd, m, _CMP_GT_OQ);
    m = _mm512_mask_blend_ps(gt, m, r0_odd);
    at = _mm512_mask_blend_epi32(gt, at, at_r0_odd);
    gt = _mm512_cmp_ps_mask(r1_even, m, _CMP_GT_OQ);
    m = _mm512_mask_blend_ps(gt, m, r1_even);
    at = _mm512_mask_blend_epi32(gt, at, at_r1_even);
    gt = _mm512_cmp_ps_mask(r1_odd, m, _CMP_GT_OQ);
    m = _mm512_mask_blend_ps(gt, m, r1_odd);
    at = _mm512_mask_blend_epi32(gt, at, at_r1_odd);
    const __m512i index = _mm512_add_epi32(_mm512_set1_epi32(int(top + 2 * q)), _mm512_add_epi32(even, at));
    _mm512_mask_storeu_ps(pv + q, out, m);
    _mm512_mask_storeu_epi32(pa + q, out, index);
  };
  std::size_t q = 0;
  for (; q + 16 <= wo; q += 16) windows(q, 16);
  if (q < wo) windows(q, wo - q);
}

}  // namespace saddle::nn::avx512
