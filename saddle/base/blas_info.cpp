// saddle/base/blas_info.cpp — OpenBLAS's own account of itself (cblas.h: openblas_get_*).
#include "saddle/base/blas_info.hpp"

#include <cblas.h>

#include "saddle/base/blas_kernel.hpp"

namespace saddle {

BlasInfo blas_info() {
  BlasInfo info;
  const char* config = openblas_get_config();
  const char* kernel = openblas_get_corename();
  info.config = config ? config : "";
  info.kernel = kernel ? kernel : "";
  info.threads = openblas_get_num_threads();
  info.chosen_by = blas_kernel_chooser();
  return info;
}

std::string describe(const BlasInfo& info) {
  // The build line starts with the library and its version: "OpenBLAS 0.3.21 NO_LAPACKE …".
  std::string library = info.config;
  const std::size_t second_space = library.find(' ', library.find(' ') + 1);
  if (second_space != std::string::npos) library.resize(second_space);
  return library + ", kernel " + info.kernel + " (chosen by " + info.chosen_by + "), " +
         std::to_string(info.threads) + (info.threads == 1 ? " thread" : " threads");
}

}  // namespace saddle
