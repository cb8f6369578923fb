// The SSE2 build of the thin products (thin_products.hpp): the baseline every x86-64 processor
// runs, compiled with the rest of the library.
#include "saddle/autodiff/thin/thin_products.hpp"

namespace saddle::kernels::thin::baseline {

constexpr std::size_t kVectorBytes = 16;
#include "saddle/autodiff/thin/thin_products.inc"

}  // namespace saddle::kernels::thin::baseline
