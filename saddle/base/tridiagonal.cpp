// saddle/base/tridiagonal.cpp — the eigenpairs of a Lanczos tridiagonal (see lanczos.hpp).
//
// A file of its own because xtensor-blas 0.20 brings its own copy of cblas.h (xflens), whose enums
// clash with OpenBLAS's <cblas.h> in one translation unit; lanczos.cpp calls OpenBLAS directly.
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>

#include "saddle/base/lanczos.hpp"

namespace saddle {

TridiagonalEigen tridiagonal_eigen(const std::vector<double>& alpha, const std::vector<double>& beta) {
  const std::size_t m = alpha.size();
  if (m < 1 || beta.size() + 1 != alpha.size()) {
    std::ostringstream os;
    os << "tridiagonal_eigen: " << alpha.size() << " diagonal and " << beta.size()
       << " off-diagonal entries do not form a tridiagonal matrix";
    throw Error(os.str());
  }
  // T as a dense symmetric matrix for xtensor-blas's eigh (LAPACK dsyevd, divide and conquer). T is
  // already tridiagonal, so dsyevd's reduction is exact and its cost is that of the tridiagonal
  // solver; for the m of a Lanczos run (tens to hundreds) it is as fast as dstev or faster.
  xt::xtensor<double, 2> t = xt::zeros<double>({m, m});
  for (std::size_t i = 0; i < m; ++i) t(i, i) = alpha[i];
  for (std::size_t i = 0; i + 1 < m; ++i) t(i + 1, i) = t(i, i + 1) = beta[i];
  for (double x : t)
    if (!std::isfinite(x)) {
      std::ostringstream os;
      os << "tridiagonal_eigen: the " << m << "x" << m << " tridiagonal holds " << x;
      throw Error(os.str());
    }
  TridiagonalEigen out;
  try {
    const auto [w, v] = xt::linalg::eigh(t);  // ascending; eigenvector i is column i of v
    out.values.assign(w.begin(), w.end());
    out.vectors.resize(m * m);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < m; ++j) out.vectors[i * m + j] = v(j, i);
  } catch (const std::runtime_error& e) {
    std::ostringstream os;
    os << "tridiagonal_eigen: LAPACK dsyevd failed for m = " << m << ": " << e.what();
    throw Error(os.str());
  }
  return out;
}

}  // namespace saddle
