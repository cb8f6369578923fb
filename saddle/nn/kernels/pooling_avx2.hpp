// saddle/nn/kernels/pooling_avx2.hpp — the AVX2 build of 2×2 max pooling's inner loop
// (pooling_avx2.cpp, compiled with -mavx2); pooling.cpp calls it where the processor has AVX2.
#pragma once

#include <cstddef>
#include <cstdint>

namespace saddle::nn::avx2 {

// One output row of 2×2, stride-2 max pooling over input rows r0, r1 (row `top` of the flat
// input, width w): pv[q] = the first maximum of r0[2q], r0[2q+1], r1[2q], r1[2q+1] in that order,
// pa[q] its flat index.
void max_row_2x2(const float* r0, const float* r1, std::size_t w, std::size_t wo, std::size_t top, float* pv,
                 std::uint32_t* pa);

}  // namespace saddle::nn::avx2
