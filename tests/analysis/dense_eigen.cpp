// The dense reference eigenpairs of the analysis tests (see the header).
#include "tests/analysis/dense_eigen.hpp"

#include <doctest/doctest.h>

#include <array>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xview.hpp>

namespace saddle::testing {

DenseEigen dense_eigen(const Tensor<double>& H) {
  REQUIRE(H.dimension() == 2);
  REQUIRE(H.shape()[0] == H.shape()[1]);
  const auto [w, v] = xt::linalg::eigh(H);  // eigenvector j is column j of v
  DenseEigen e{std::vector<double>(w.begin(), w.end()), {}};
  for (std::size_t j = 0; j < w.size(); ++j) {
    const auto column = xt::view(v, xt::all(), j);
    e.vectors.emplace_back(column.begin(), column.end());
  }
  return e;
}

std::vector<double> dense_eigenvalues(const std::vector<double>& a, std::size_t n) {
  REQUIRE(a.size() == n * n);
  const auto w = xt::linalg::eigvalsh(xt::adapt(a, std::array<std::size_t, 2>{n, n}));
  return std::vector<double>(w.begin(), w.end());
}

}  // namespace saddle::testing
