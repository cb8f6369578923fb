// The reference the analysis tests hold the solvers against: every eigenpair of a small dense
// symmetric matrix, from xtensor-blas (LAPACK dsyevd).
//
// Declared here and defined in dense_eigen.cpp, so that no test file includes xtensor-blas: its
// xlinalg.hpp brings xtensor's printer (xio.hpp), through which doctest would then print tensors,
// and g++ 12 warns falsely (-Wrestrict) inside that printer.
#pragma once

#include <cstddef>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle::testing {

// Eigenvalues (ascending) and, one per eigenvalue, orthonormal eigenvectors.
struct DenseEigen {
  std::vector<double> values;
  std::vector<std::vector<double>> vectors;
};

// H: (n, n), symmetric. Fails the current test when H is not square or LAPACK does not converge.
DenseEigen dense_eigen(const Tensor<double>& H);

// The eigenvalues, ascending, of the n×n symmetric matrix a (row-major).
std::vector<double> dense_eigenvalues(const std::vector<double>& a, std::size_t n);

}  // namespace saddle::testing
