// Specifications of the spectrum facade over Hessian operators of real losses: softmax regression
// (closed-form Hessian) and a tanh MLP at a point of negative curvature (dense Hessian from
// hessian()), both against the dense eigendecomposition (xtensor-blas eigh).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "problems.hpp"

using namespace saddle;
using namespace saddle::testing;

namespace {

// Softmax regression, d = 6, K = 4, N = 50 (n = 28 parameters), as the operator sees it: the whole
// dataset in batches of 16, 16, 16, 2.
struct SoftmaxCase {
  SoftmaxRegression p{6, 4, 50, 11};
  HessianOperator<double> H =
      hessian_operator(SoftmaxRegression::loss(), p.data, sample_range(0, 50, 16), p.params);
  DenseEigen exact = dense_eigen(p.hessian());  // ascending
  double lambda1() const { return exact.values.back(); }
  double trace() const { return std::accumulate(exact.values.begin(), exact.values.end(), 0.0); }
};

}  // namespace

TEST_CASE("Lanczos's top-5 and bottom-5 Hessian eigenvalues of softmax regression match the dense ones") {
  const SoftmaxCase c;
  // tol = 0: run until R^n is spanned, restarting on invariant subspaces, so each copy of the
  // (d + 1)-fold zero eigenvalue is found (one Krylov space holds one copy).
  const EigenOptions opt{.max_iter = 60, .tol = 0, .seed = 1};
  const auto top = top_eigenpairs<double>(c.H, c.p.params, 5, EigenSolver::lanczos, opt);
  const auto bottom = bottom_eigenpairs<double>(c.H, c.p.params, 5, EigenSolver::lanczos, opt);
  REQUIRE(top.eigenvalues.size() == 5);
  REQUIRE(bottom.eigenvalues.size() == 5);
  const double tol = 1e-6 * c.lambda1();
  const std::size_t n = c.exact.values.size();
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(std::abs(top.eigenvalues[i] - c.exact.values[n - 1 - i]) < tol);
    CHECK(std::abs(bottom.eigenvalues[i] - c.exact.values[i]) < tol);
    CHECK(std::abs(bottom.eigenvalues[i]) < tol);  // softmax is shift-invariant: d + 1 zeros
  }
  CHECK(c.H.hvp_calls() == static_cast<std::size_t>(top.iterations + bottom.iterations));
}

TEST_CASE("power iteration's top-3 agree with Lanczos and the dense eigenvalues") {
  const SoftmaxCase c;
  const auto top = top_eigenpairs<double>(c.H, c.p.params, 3, EigenSolver::power_iteration,
                                          {.max_iter = 2000, .tol = 1e-12, .seed = 2});
  const std::size_t n = c.exact.values.size();
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(std::abs(top.eigenvalues[i] - c.exact.values[n - 1 - i]) < 1e-6 * c.lambda1());
  }
  CHECK(std::is_sorted(top.eigenvalues.rbegin(), top.eigenvalues.rend()));
}

TEST_CASE("Hutchinson with 200 probes is within 5% of the exact Hessian trace") {
  const SoftmaxCase c;
  const SpectrumSummary s = spectrum_summary<double>(c.H, c.p.params, {.top = 0, .trace_probes = 200, .seed = 3});
  REQUIRE(s.trace);
  CHECK(s.trace_products == 200);
  CHECK(std::abs(s.trace->mean - c.trace()) < 0.05 * c.trace());
}

TEST_CASE("the SLQ density integrates to 1 and its mean is trace/n within 5%") {
  const SoftmaxCase c;
  SpectrumRequest r{.top = 0};
  r.density = true;
  r.density_options = {.n_v = 20, .m = 40, .grid_points = 2000};
  r.seed = 4;
  const SpectrumSummary s = spectrum_summary<double>(c.H, c.p.params, r);
  REQUIRE(s.density);
  const auto& d = *s.density;
  const double step = d.grid[1] - d.grid[0];
  double mass = 0, mean = 0;
  for (std::size_t i = 0; i < d.grid.size(); ++i) {
    mass += d.density[i] * step;
    mean += d.grid[i] * d.density[i] * step;
  }
  const double n = static_cast<double>(c.exact.values.size());
  CHECK(mass == doctest::Approx(1.0).epsilon(1e-9));
  CHECK(std::abs(mean - c.trace() / n) < 0.05 * c.trace() / n);
  CHECK(s.negative_mass->mass < 1e-3);  // a convex loss: no negative curvature
}

TEST_CASE("at a point of negative curvature of a tanh MLP, λ_min from Lanczos matches the dense one") {
  const TanhMlp m(5, 6, 3, 40, 21);  // n = 57
  const DenseEigen exact = dense_eigen(m.dense_hessian());
  REQUIRE(exact.values.front() < -1e-3);  // the point is a saddle region, not a minimum
  const auto H = hessian_operator(m.loss(), m.data, sample_range(0, m.N, 15), m.params);
  const auto low = lambda_min<double>(H, m.params, {.max_iter = 80, .tol = 1e-10, .seed = 5});
  const double scale = std::max(std::abs(exact.values.front()), std::abs(exact.values.back()));
  CHECK(std::abs(low.eigenvalues[0] - exact.values.front()) < 1e-6 * scale);
  // The eigenvector: |vᵀu_min| = 1 when λ_min is simple.
  const Tensor<double> v = saddle::flatten(low.eigenvectors[0]);
  double overlap = 0;
  for (std::size_t i = 0; i < v.size(); ++i) overlap += v(i) * exact.vectors[0][i];
  CHECK(std::abs(overlap) == doctest::Approx(1.0).epsilon(1e-6));

  SUBCASE("the bottom by shifted power iteration agrees") {
    const auto pw = bottom_eigenpairs<double>(H, m.params, 1, EigenSolver::power_iteration,
                                              {.max_iter = 20000, .tol = 1e-13, .seed = 6});
    CHECK(std::abs(pw.eigenvalues[0] - exact.values.front()) < 1e-4 * scale);
  }
  SUBCASE("the SLQ negative mass estimates the share of negative eigenvalues") {
    // The network ends in a softmax, so H has an exact null space whose dense eigenvalues are
    // ±1e-16 with a sign that rounding decides. Both sides use spectrum_summary's rule: an
    // eigenvalue counts as negative below −negative_tolerance·max|λ|.
    SpectrumRequest r{.top = 0};
    r.density = true;
    r.density_options = {.n_v = 100, .m = 57};
    r.seed = 7;
    r.negative_tolerance = 1e-6;
    const double cut = -r.negative_tolerance * scale;
    const auto negatives = std::count_if(exact.values.begin(), exact.values.end(), [cut](double x) { return x < cut; });
    REQUIRE(exact.values.front() < 100 * cut);  // the cut separates the negative eigenvalues from the zeros
    const double n = static_cast<double>(exact.values.size());
    const double p = static_cast<double>(negatives) / n;
    // With m = n, Lanczos resolves every distinct eigenvalue, so one run's negative mass is
    // Σ_{λᵢ<0} (uᵢᵀz)²/‖z‖² for a Gaussian z: Beta(k/2, (n−k)/2), mean p = k/n, variance
    // p(1−p)/(n/2 + 1). The mean of n_v runs is within 5 standard errors with probability 1 − 6e-7.
    const double standard_error = std::sqrt(p * (1 - p) / (n / 2 + 1) / r.density_options.n_v);
    const auto s = spectrum_summary<double>(H, m.params, r);
    CHECK(std::abs(s.negative_mass->mass - p) < 5 * standard_error);
    // The estimator's own standard error, from the runs' spread, is the theory's to 25%.
    CHECK(s.negative_mass->standard_error == doctest::Approx(standard_error).epsilon(0.25));
  }
  SUBCASE("gaps at the top and the bottom") {
    SpectrumRequest r{.top = 3, .bottom = 3};
    r.eigen = {.max_iter = 80, .tol = 1e-10, .seed = 8};
    const auto s = spectrum_summary<double>(H, m.params, r);
    const std::size_t n = exact.values.size();
    CHECK(s.top_gaps->gap == doctest::Approx(exact.values[n - 1] - exact.values[n - 2]).epsilon(1e-6));
    CHECK(s.bottom_gaps->gap == doctest::Approx(exact.values[1] - exact.values[0]).epsilon(1e-6));
    CHECK(s.bottom->values[0] == doctest::Approx(exact.values[0]).epsilon(1e-8));
  }
}

TEST_CASE("eigen-solver names parse, unknown ones are refused") {
  CHECK(parse_eigen_solver("lanczos") == EigenSolver::lanczos);
  CHECK(parse_eigen_solver("power") == EigenSolver::power_iteration);
  CHECK_THROWS_WITH_AS(parse_eigen_solver("arnoldi"), "eigen-solver 'arnoldi' is unknown; choose lanczos or power",
                       Error);
}
