// Specifications of per-sample gradients and the CNC statistics (Daneshmand et al. 2018), on a
// problem whose per-sample gradients are known in closed form, f_z(θ) = ½‖θ − a_z‖²
// (∇f_z = θ − a_z), and on tanh MLPs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "saddle/analysis/cnc.hpp"
#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "problems.hpp"

using namespace saddle;
using namespace saddle::testing;

namespace {

// f_z(θ) = ½‖θ − a_z‖² for θ = {A (2, 3), c (4,)}, n = 10; a_z is row z of the data (N, 10).
struct Quadratic {
  std::size_t N = 30;
  data::Dataset<double> data;
  TensorList<double> params;

  Quadratic() {
    std::mt19937_64 rng(31);
    data.images = gaussian({N, 10}, rng);
    data.labels.assign(N, 0);
    params = {gaussian({2, 3}, rng), gaussian({4}, rng)};
  }
  static BatchLoss<double> loss() {
    return [](const std::vector<Var<double>>& p, const Tensor<double>& a, const std::vector<int>&) {
      const Var<double> theta = concat(std::vector<Var<double>>{reshape(p[0], {6}), p[1]}, 0);
      return sum(square(theta - Var<double>(a)), 1) * 0.5;
    };
  }
  // ∇f_z = θ − a_z, flat.
  std::vector<double> gradient(std::size_t z) const {
    const Tensor<double> t = saddle::flatten(params);
    std::vector<double> g(10);
    for (std::size_t i = 0; i < 10; ++i) g[i] = t(i) - data.images(z, i);
    return g;
  }
};

}  // namespace

TEST_CASE("per-sample gradients of ½‖θ − a_z‖² are θ − a_z") {
  const Quadratic q;
  const Objective<double> f(Quadratic::loss(), q.data, sample_range(0, q.N, 7));
  const Tensor<double> G = per_sample_gradients(f, q.params);
  REQUIRE(G.shape() == Shape{q.N, 10});
  for (std::size_t z = 0; z < q.N; ++z)
    for (std::size_t i = 0; i < 10; ++i) CHECK(G(z, i) == doctest::Approx(q.gradient(z)[i]).epsilon(1e-14));
}

TEST_CASE("the CNC correlation and isotropic baseline equal their hand-computed values") {
  const Quadratic q;
  const Objective<double> f(Quadratic::loss(), q.data, sample_range(0, q.N, 7));
  std::mt19937_64 rng(32);
  const TensorList<double> v = random_normal_like(q.params, rng);  // normalised by the callee
  const Tensor<double> fv = saddle::flatten(v);
  const double nv = saddle::norm(v);
  double corr = 0, norms = 0, mean_proj = 0;
  for (std::size_t z = 0; z < q.N; ++z) {
    const auto g = q.gradient(z);
    double p = 0;
    for (std::size_t i = 0; i < 10; ++i) p += fv(i) / nv * g[i], norms += g[i] * g[i];
    corr += p * p / q.N;
    mean_proj += p / q.N;
  }
  const double baseline = norms / q.N / 10.0;

  const CncResult<double> r = cnc_correlation(f, q.params, v, {.random_directions = 4000, .seed = 33});
  CHECK(r.correlation == doctest::Approx(corr).epsilon(1e-12));
  CHECK(r.mean_projection == doctest::Approx(mean_proj).epsilon(1e-12));
  CHECK(r.baseline == doctest::Approx(baseline).epsilon(1e-12));
  CHECK(r.baseline_exact);
  CHECK(r.ratio == doctest::Approx(corr / baseline).epsilon(1e-12));
  CHECK(r.samples == q.N);
  CHECK(r.dimension == 10);
  CHECK(saddle::norm(r.direction) == doctest::Approx(1.0));
  // E_u[(uᵀg)²] = ‖g‖²/n for u uniform on the sphere: the Monte-Carlo average agrees.
  CHECK(std::abs(r.sampled_baseline - baseline) < 0.05 * baseline);
  CHECK(isotropic_baseline(f, q.params) == doctest::Approx(baseline).epsilon(1e-12));

  SUBCASE("forward mode over batches gives the same correlation and sampled baseline") {
    const CncResult<double> fm =
        cnc_correlation(f, q.params, v, {.mode = PerSampleMode::forward, .random_directions = 4000, .seed = 33});
    CHECK(fm.correlation == doctest::Approx(corr).epsilon(1e-12));
    CHECK(fm.sampled_baseline == doctest::Approx(r.sampled_baseline).epsilon(1e-10));
    CHECK_FALSE(fm.baseline_exact);
  }
}

TEST_CASE("by default the CNC direction is the eigenvector of λ_min") {
  const TanhMlp m(5, 6, 3, 40, 21);
  const DenseEigen exact = dense_eigen(m.dense_hessian());
  REQUIRE(exact.values.front() < 0);
  const Objective<double> f(m.loss(), m.data, sample_range(0, m.N, 16));
  CncOptions opt;
  opt.eigen.max_iter = 80;
  opt.eigen.tol = 1e-10;
  const CncResult<double> r = cnc_correlation(f, m.params, opt);
  REQUIRE(r.lambda_min);
  CHECK(*r.lambda_min == doctest::Approx(exact.values.front()).epsilon(1e-8));
  // E_z[(u_minᵀ∇f_z)²] from the dense eigenvector and the per-sample gradient matrix.
  const Tensor<double> G = per_sample_gradients(f, m.params);
  double corr = 0;
  for (std::size_t z = 0; z < m.N; ++z) {
    double p = 0;
    for (std::size_t i = 0; i < exact.vectors[0].size(); ++i) p += G(z, i) * exact.vectors[0][i];
    corr += p * p / m.N;
  }
  CHECK(r.correlation == doctest::Approx(corr).epsilon(1e-6));
  CHECK(r.hvp_products > 0);
}

TEST_CASE("forward-mode directional derivatives equal those of per-sample gradients") {
  const TanhMlp m(5, 6, 3, 25, 22);
  const Objective<double> f(m.loss(), m.data, sample_range(0, m.N, 10));
  std::mt19937_64 rng(23);
  const std::vector<TensorList<double>> dirs = {random_normal_like(m.params, rng), random_normal_like(m.params, rng)};
  const Tensor<double> a = per_sample_directional_derivatives(f, m.params, dirs);
  const Tensor<double> b = per_sample_directional_derivatives(f, m.params, dirs, PerSampleMode::forward);
  REQUIRE(a.shape() == b.shape());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a.data()[i] == doctest::Approx(b.data()[i]).epsilon(1e-12));
}

TEST_CASE("the isotropic baseline falls like 1/n as an MLP widens") {
  // NTK-parameterised, so E‖∇f_z‖² tends to a limit and baseline = E‖∇f_z‖²/n ∝ 1/n.
  std::vector<double> log_n, log_b;
  std::vector<double> products;
  for (std::size_t h : {16, 64, 256}) {
    const TanhMlp m(5, h, 3, 40, 41, /*ntk=*/true);
    const Objective<double> f(m.loss(), m.data, sample_range(0, m.N, 40));
    const std::size_t n = numel(m.params);
    const CncResult<double> r = cnc_correlation(f, m.params, m.params, {.random_directions = 200, .seed = 42});
    CHECK(std::abs(r.sampled_baseline - r.baseline) < 0.25 * r.baseline);
    log_n.push_back(std::log(double(n)));
    log_b.push_back(std::log(r.baseline));
    products.push_back(r.baseline * n);
  }
  const double slope = (log_b.back() - log_b.front()) / (log_n.back() - log_n.front());
  CAPTURE(products[0]);
  CAPTURE(products[1]);
  CAPTURE(products[2]);
  CHECK(std::abs(slope + 1.0) < 0.2);
  const auto [lo, hi] = std::minmax_element(products.begin(), products.end());
  CHECK(*hi / *lo < 1.3);  // n·baseline = E‖∇f_z‖² roughly constant
}

TEST_CASE("CNC errors name the direction and the options") {
  const Quadratic q;
  const Objective<double> f(Quadratic::loss(), q.data, one_sample(0));
  CHECK_THROWS_WITH_AS(cnc_correlation(f, q.params, zeros_like(q.params)),
                       "cnc_correlation: the direction v has norm 0; need a nonzero finite direction", Error);
  CHECK_THROWS_AS(cnc_correlation(f, q.params, TensorList<double>{q.params[0]}), Error);
  CHECK_THROWS_AS(cnc_correlation(f, q.params, q.params, {.mode = PerSampleMode::forward, .random_directions = 0}),
                  Error);
}

TEST_CASE("the normalised projections μ_j = E_z[(v_jᵀ∇f_z)²/‖∇f_z‖²] equal their hand-computed values") {
  const Quadratic q;
  const Objective<double> f(Quadratic::loss(), q.data, sample_range(0, q.N, 7));
  std::mt19937_64 rng(3);
  const std::vector<TensorList<double>> directions{{gaussian({2, 3}, rng), gaussian({4}, rng)},
                                                   {gaussian({2, 3}, rng), gaussian({4}, rng)}};
  const NormalizedProjections r = normalized_projections(f, q.params, directions);
  REQUIRE(r.mean_squared.size() == 2);
  CHECK(r.samples == q.N);
  CHECK(r.zero_gradients == 0);
  CHECK(r.dimension == 10);
  for (std::size_t j = 0; j < 2; ++j) {
    const Tensor<double> v = saddle::flatten(directions[j]);
    double vv = 0;
    for (std::size_t i = 0; i < 10; ++i) vv += v(i) * v(i);
    double mu = 0;
    for (std::size_t z = 0; z < q.N; ++z) {
      const std::vector<double> g = q.gradient(z);
      double vg = 0, gg = 0;
      for (std::size_t i = 0; i < 10; ++i) vg += v(i) * g[i], gg += g[i] * g[i];
      mu += vg * vg / (vv * gg);
    }
    CHECK(r.mean_squared[j] == doctest::Approx(mu / double(q.N)).epsilon(1e-13));
  }
}

TEST_CASE("over an orthonormal basis the normalised projections sum to 1") {
  const Quadratic q;
  const Objective<double> f(Quadratic::loss(), q.data, sample_range(0, q.N, 7));
  std::vector<TensorList<double>> basis;
  for (std::size_t i = 0; i < 10; ++i) {
    TensorList<double> e{zeros_tensor<double>(Shape{2, 3}), zeros_tensor<double>(Shape{4})};
    if (i < 6)
      e[0](i / 3, i % 3) = 1;
    else
      e[1](i - 6) = 1;
    basis.push_back(e);
  }
  const NormalizedProjections r = normalized_projections(f, q.params, basis);
  double total = 0;
  for (double m : r.mean_squared) total += m;
  CHECK(total == doctest::Approx(1.0).epsilon(1e-14));
}
