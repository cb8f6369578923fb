// saddle/nn/kernels/pooling_simd.hpp — the vector builds of 2×2 max pooling's inner loop: AVX2
// (pooling_avx2.cpp, compiled with -mavx2) and AVX-512 (pooling_avx512.cpp, -mavx512f); pooling.cpp
// calls the widest the processor has (base/simd.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

// One output row of 2×2, stride-2 max pooling over input rows r0, r1 (row `top` of the flat
// input, width w): pv[q] = the first maximum of r0[2q], r0[2q+1], r1[2q], r1[2q+1] in that order,
// pa[q] its flat index.
#define SADDLE_MAX_ROW_2X2(isa)                                                                                 \
  namespace saddle::nn::isa {                                                                                   \
  void max_row_2x2(const float* r0, const float* r1, std::size_t w, std::size_t wo, std::size_t top, float* pv, \
                   std::uint32_t* pa);                                                                          \
  }
SADDLE_MAX_ROW_2X2(avx2)
SADDLE_MAX_ROW_2X2(avx512)
#undef SADDLE_MAX_ROW_2X2
