// The thin products (autodiff/thin/thin_products.hpp) that kernels::gemm sends A·Bᵀ with few rows
// of B and Aᵀ·B with few columns of A to: in every build the processor can run, against the
// product summed in long double, over the shapes that reach each loop's edges (a thin side of 1 to
// 16, odd row counts, lengths that are not a whole number of vectors) and the α, β the engine
// passes. (tests/nn/test_simd.cpp holds the builds against each other on a softmax regression.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "saddle/autodiff/kernels.hpp"
#include "saddle/autodiff/thin/thin_products.hpp"
#include "saddle/base/simd.hpp"

using namespace saddle;

namespace {

std::vector<simd::Isa> runnable() {
  std::vector<simd::Isa> out;
  for (simd::Isa isa : {simd::Isa::baseline, simd::Isa::avx2, simd::Isa::avx512})
    if (simd::supported(isa)) out.push_back(isa);
  return out;
}

template <class T>
Tensor<T> random_matrix(std::size_t r, std::size_t c, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Tensor<T> x = empty_tensor<T>(Shape{r, c});
  for (T& e : x) e = T(normal(rng));
  return x;
}

// α·op(A)·op(B) + β·C in long double, from the definition.
template <class T>
Tensor<T> reference(bool ta, bool tb, T alpha, const Tensor<T>& a, const Tensor<T>& b, T beta, const Tensor<T>& c) {
  const std::size_t m = ta ? a.shape()[1] : a.shape()[0], k = ta ? a.shape()[0] : a.shape()[1];
  const std::size_t n = tb ? b.shape()[0] : b.shape()[1];
  Tensor<T> out = empty_tensor<T>(Shape{m, n});
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      long double s = 0;
      for (std::size_t p = 0; p < k; ++p)
        s += static_cast<long double>(ta ? a(p, i) : a(i, p)) * (tb ? b(j, p) : b(p, j));
      out(i, j) = T(alpha * s + (beta == T(0) ? 0.0L : static_cast<long double>(beta) * c(i, j)));
    }
  return out;
}

// The largest error of kernels::gemm against the reference, each entry's relative to
// |β·c| + Σ_p |α·a·b| (the bound of a sum's rounding error is a multiple of it).
template <class T>
double worst_error(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, T alpha, T beta,
                   std::mt19937_64& rng) {
  const Tensor<T> a = ta ? random_matrix<T>(k, m, rng) : random_matrix<T>(m, k, rng);
  const Tensor<T> b = tb ? random_matrix<T>(n, k, rng) : random_matrix<T>(k, n, rng);
  const Tensor<T> c0 = random_matrix<T>(m, n, rng);
  Tensor<T> c = c0;
  kernels::gemm(ta, tb, alpha, a, b, beta, c);
  const Tensor<T> want = reference(ta, tb, alpha, a, b, beta, c0);
  double worst = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double scale = std::abs(double(beta) * double(c0(i, j)));
      for (std::size_t p = 0; p < k; ++p)
        scale += std::abs(double(alpha)) * std::abs(double(ta ? a(p, i) : a(i, p)) * double(tb ? b(j, p) : b(p, j)));
      worst = std::max(worst, std::abs(double(c(i, j)) - double(want(i, j))) / scale);
    }
  return worst;
}

template <class T>
void check_shapes() {
  // A sum of k products in T rounds by at most about k·ε relative to Σ|terms| (Higham, §3.1);
  // the loops' blocked sums do better, so k·ε bounds them with room to spare.
  const double eps = std::numeric_limits<T>::epsilon();
  std::mt19937_64 rng(41);
  for (simd::Isa isa : runnable()) {
    const simd::Force force(isa);
    CAPTURE(simd::name(isa));
    for (std::size_t side = 1; side <= kernels::thin::kThinSide; ++side)
      for (std::size_t rows : {1, 2, 3, 50})
        for (std::size_t len : {32, 37, 100, 784})
          for (const std::pair<T, T>& factors :
               {std::pair{T(1), T(0)}, std::pair{T(1), T(1)}, std::pair{T(-0.5), T(2)}}) {
            const T alpha = factors.first, beta = factors.second;
            CAPTURE(side);
            CAPTURE(rows);
            CAPTURE(len);
            CAPTURE(double(beta));
            // nt: (rows × len) · (side × len)ᵀ, a layer's forward
            CHECK(worst_error<T>(false, true, rows, side, len, alpha, beta, rng) <= double(len) * eps);
            // tn: (rows × side)ᵀ · (rows × len), its weight adjoint
            CHECK(worst_error<T>(true, false, side, len, rows, alpha, beta, rng) <= double(rows + 1) * eps);
          }
  }
}

}  // namespace

TEST_CASE("thin products: A·Bᵀ and Aᵀ·B with a thin side of 1 to 16, in every build, within k·ε of the exact sum") {
  check_shapes<float>();
  check_shapes<double>();
}

TEST_CASE("thin products: β = 0 writes the product whatever C held, NaN included") {
  std::mt19937_64 rng(43);
  for (simd::Isa isa : runnable()) {
    const simd::Force force(isa);
    CAPTURE(simd::name(isa));
    const Tensor<double> a = random_matrix<double>(5, 40, rng), b = random_matrix<double>(3, 40, rng);
    Tensor<double> c = empty_tensor<double>(Shape{5, 3});
    for (double& e : c) e = std::nan("");
    kernels::gemm(false, true, 1.0, a, b, 0.0, c);
    const Tensor<double> want = reference(false, true, 1.0, a, b, 0.0, c);
    for (std::size_t i = 0; i < c.size(); ++i) CHECK(c.data()[i] == doctest::Approx(want.data()[i]).epsilon(1e-13));
  }
}
