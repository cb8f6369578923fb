// The bottom of a spectrum, trusted: Lanczos at its default options against dense eigh where the
// bottom eigenvalues form a tight cluster or repeat, on a dense operator, a quadratic finite sum
// through the Hessian path, and a tanh MLP (lanczos.hpp, "When to stop, and what it certifies").
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "saddle/base/lanczos.hpp"
#include "tests/analysis/problems.hpp"

using namespace saddle;
using namespace saddle::testing;

namespace {

// An orthonormal basis of R^n (Gram–Schmidt twice on Gaussian vectors), as rows.
std::vector<std::vector<double>> orthonormal_rows(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<std::vector<double>> q(n, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    for (double& e : q[i]) e = normal(rng);
    for (int pass = 0; pass < 2; ++pass)
      for (std::size_t j = 0; j < i; ++j) {
        double d = 0;
        for (std::size_t l = 0; l < n; ++l) d += q[j][l] * q[i][l];
        for (std::size_t l = 0; l < n; ++l) q[i][l] -= d * q[j][l];
      }
    double s = 0;
    for (double e : q[i]) s += e * e;
    for (double& e : q[i]) e /= std::sqrt(s);
  }
  return q;
}

// The spectrum of the MLP of the issue that reported a skipped eigenvalue: the three lowest
// −0.830141, −0.826418, −0.821782 (gaps 0.0037 and 0.0046), a top of 76, and a bulk crowded at 0.
std::vector<double> clustered_spectrum(std::size_t n) {
  std::vector<double> s = {-0.830141, -0.826418, -0.821782, 76.0, 40.0, 20.0};
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> bulk(-0.3, 3.0);
  std::exponential_distribution<double> near_zero(200.0);
  while (s.size() < n) s.push_back(s.size() % 2 ? bulk(rng) : near_zero(rng) * (rng() % 2 ? 1 : -1));
  return s;
}

// f(θ) = (1/N) Σ_r ½ s_r (x_rᵀθ)² with N = n rows x_r = √(n|λ_r|)·q_r and s_r = sign λ_r: a finite
// sum whose Hessian is Q diag(λ) Qᵀ, evaluated through Objective and HessianOperator. Each row holds
// x_r and then s_r.
struct QuadraticSum {
  std::size_t n;
  data::Dataset<double> data;
  TensorList<double> theta;
  std::vector<double> spectrum;

  QuadraticSum(std::vector<double> lambda, std::uint64_t seed) : n(lambda.size()), spectrum(std::move(lambda)) {
    const auto q = orthonormal_rows(n, seed);
    Tensor<double> rows = zeros_tensor<double>(Shape{n, n + 1});
    for (std::size_t r = 0; r < n; ++r) {
      const double scale = std::sqrt(double(n) * std::abs(spectrum[r]));
      for (std::size_t j = 0; j < n; ++j) rows(r, j) = scale * q[r][j];
      rows(r, n) = spectrum[r] < 0 ? -1.0 : 1.0;
    }
    data = unlabeled_data(std::move(rows));
    std::mt19937_64 rng(seed + 1);
    theta = {gaussian({n, 1}, rng)};
  }

  BatchLoss<double> loss() const {
    const std::size_t d = n;
    return [d](const std::vector<Var<double>>& p, const Tensor<double>& rows, const std::vector<Label>&) {
      const std::size_t b = rows.shape()[0];
      Tensor<double> x = empty_tensor<double>(Shape{b, d}), sign = empty_tensor<double>(Shape{b, 1});
      for (std::size_t r = 0; r < b; ++r) {
        for (std::size_t j = 0; j < d; ++j) x(r, j) = rows(r, j);
        sign(r, 0) = rows(r, d);
      }
      const Var<double> z = matmul(Var<double>(x), p[0]);
      return mean(0.5 * Var<double>(sign) * square(z));
    };
  }

  std::vector<double> sorted() const {
    std::vector<double> s = spectrum;
    std::sort(s.begin(), s.end());
    return s;
  }
};

}  // namespace

TEST_CASE("Lanczos's defaults give the bottom 3 of a tight cluster to 1e-8 relative and certify them") {
  const QuadraticSum f(clustered_spectrum(600), 3);
  const auto H = hessian_operator(f.loss(), f.data, sample_range(0, f.n, 200), f.theta);
  EigenOptions opt;  // the defaults
  opt.k = 3;
  REQUIRE(static_cast<std::size_t>(opt.max_iter) < f.n);  // a Krylov space smaller than R^n
  const auto low = lanczos_bottom<double>(H, f.theta, opt);
  const std::vector<double> exact = f.sorted();
  CHECK(low.converged);
  CHECK(low.verified);
  REQUIRE(low.eigenvalues.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(std::abs(low.eigenvalues[i] - exact[i]) <= 1e-8 * std::abs(exact[i]));
    CHECK(low.residuals[i] <= low.tolerances[i]);  // certified: the eigenvalue lies within its residual
    CHECK(std::abs(low.eigenvalues[i] - exact[i]) <= low.residuals[i] + 1e-14);
  }
  CHECK(low.iterations == static_cast<int>(H.hvp_calls()));  // the verification's products are counted
}

TEST_CASE("the verification pass finds the second copy of a repeated λ_min that one start vector cannot see") {
  // λ_min = −1 twice, then −0.6, −0.5 and a bulk in [0, 2]: a single Krylov space holds one copy of
  // λ_min, so the first run's three pairs are −1, −0.6 and −0.5 (converged long before rounding
  // brings the second copy in); the pass must find it.
  const std::size_t n = 300;
  std::vector<double> spectrum = {-1, -1, -0.6, -0.5, 2};
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> bulk(0.0, 2.0);
  while (spectrum.size() < n) spectrum.push_back(bulk(rng));
  std::vector<double> exact = spectrum;
  std::sort(exact.begin(), exact.end());
  const auto q = orthonormal_rows(n, 5);
  const LinearOperator<double> H = [&](const TensorList<double>& v) {
    Tensor<double> y = zeros_tensor<double>(Shape{n});
    for (std::size_t r = 0; r < n; ++r) {
      double c = 0;
      for (std::size_t j = 0; j < n; ++j) c += q[r][j] * v[0](j);
      for (std::size_t j = 0; j < n; ++j) y(j) += spectrum[r] * c * q[r][j];
    }
    return TensorList<double>{y};
  };
  const TensorList<double> like{zeros_tensor<double>(Shape{n})};
  EigenOptions opt;
  opt.k = 3;
  opt.max_iter = 200;
  const auto low = lanczos_bottom<double>(H, like, opt);
  CHECK(low.missed >= 1);
  CHECK(low.converged);
  for (std::size_t i = 0; i < 3; ++i) CHECK(std::abs(low.eigenvalues[i] - exact[i]) <= 1e-8 * std::abs(exact[i]));

  SUBCASE("without the pass, the same run reports a wrong third eigenvalue as converged") {
    opt.verify = false;
    const auto unverified = lanczos_bottom<double>(H, like, opt);
    CHECK(unverified.converged);
    CHECK_FALSE(unverified.verified);
    CHECK(unverified.eigenvalues[1] == doctest::Approx(-0.6).epsilon(1e-8));  // where −1 repeats
  }
}

TEST_CASE("Lanczos's defaults give the bottom 3 of a tanh MLP's Hessian as dense eigh does") {
  const TanhMlp m(24, 14, 4, 120, 31);  // n = 24·14 + 14 + 14·4 + 4 = 410
  const DenseEigen exact = dense_eigen(m.dense_hessian());
  REQUIRE(exact.values.front() < -1e-3);
  const auto H = hessian_operator(m.loss(), m.data, sample_range(0, m.N, 40), m.params);
  const auto low = bottom_eigenpairs<double>(H, m.params, 3);
  CHECK(low.converged);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(std::abs(low.eigenvalues[i] - exact.values[i]) <= 1e-8 * std::abs(exact.values[i]));
    CHECK(low.residuals[i] <= low.tolerances[i]);
  }
}
