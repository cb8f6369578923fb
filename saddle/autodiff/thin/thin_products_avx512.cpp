// The AVX-512 build of the thin products (thin_products.hpp), compiled with -mavx512f
// (autodiff/meson.build) and run only where the processor and OS support it.
#include "saddle/autodiff/thin/thin_products.hpp"

namespace saddle::kernels::thin::avx512 {

constexpr std::size_t kVectorBytes = 64;
#include "saddle/autodiff/thin/thin_products.inc"

}  // namespace saddle::kernels::thin::avx512
