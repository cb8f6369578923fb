// The AVX2 build of the thin products (thin_products.hpp), compiled with -mavx2 -mfma
// (autodiff/meson.build) and run only where the processor has both.
#include "saddle/autodiff/thin/thin_products.hpp"

namespace saddle::kernels::thin::avx2 {

constexpr std::size_t kVectorBytes = 32;
#include "saddle/autodiff/thin/thin_products.inc"

}  // namespace saddle::kernels::thin::avx2
