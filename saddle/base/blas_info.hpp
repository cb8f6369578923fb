// saddle/base/blas_info.hpp — which BLAS does the products: the library's build line, the kernel it
// runs and its thread count, for programs and benchmarks to state beside their results.
//
// Debian's OpenBLAS is built for every x86-64 kernel (DYNAMIC_ARCH) and picks one at load time from
// the processor's identity, or from OPENBLAS_CORETYPE when set. A processor it does not know gets
// its oldest kernel, Prescott (SSE3), three to four times slower than the one the processor could
// run: `kernel` shows which it is.
#pragma once

#include <string>

namespace saddle {

struct BlasInfo {
  std::string config;  // OpenBLAS's build line, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … Prescott …"
  std::string kernel;  // the kernel in use, e.g. "Haswell", "SkylakeX", "Prescott"
  int threads = 1;     // OpenBLAS's threads
  std::string chosen_by;  // blas_kernel.hpp: "OpenBLAS", "OPENBLAS_CORETYPE" or "saddle"
};

BlasInfo blas_info();

// "OpenBLAS 0.3.21, kernel Prescott, 2 threads".
std::string describe(const BlasInfo& info);

}  // namespace saddle
