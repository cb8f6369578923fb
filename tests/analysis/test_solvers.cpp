// Specifications of the eigen-solvers, trace and density estimators of analysis/, each checked on
// operators built from explicit dense symmetric matrices Q·diag(λ)·Qᵀ against their dense
// eigendecomposition (xtensor-blas's eigvalsh).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "saddle/analysis/density.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/analysis/power_iteration.hpp"
#include "saddle/base/tensor_list.hpp"
#include "saddle/analysis/trace.hpp"
#include "tests/analysis/dense_eigen.hpp"
#include "tests/error_of.hpp"

using namespace saddle;

namespace {

// A dense symmetric n×n matrix, row-major.
struct Dense {
  int n;
  std::vector<double> a;
};

// Q·diag(spectrum)·Qᵀ with Q orthogonal: Gram–Schmidt (twice) on a Gaussian matrix.
Dense with_spectrum(const std::vector<double>& spectrum, std::uint64_t seed) {
  const int n = static_cast<int>(spectrum.size());
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<std::vector<double>> q(n, std::vector<double>(n));
  for (int i = 0; i < n; ++i) {
    for (double& e : q[i]) e = normal(rng);
    for (int pass = 0; pass < 2; ++pass)
      for (int j = 0; j < i; ++j) {
        double d = 0;
        for (int l = 0; l < n; ++l) d += q[j][l] * q[i][l];
        for (int l = 0; l < n; ++l) q[i][l] -= d * q[j][l];
      }
    double s = 0;
    for (double e : q[i]) s += e * e;
    for (double& e : q[i]) e /= std::sqrt(s);
  }
  Dense h{n, std::vector<double>(static_cast<std::size_t>(n) * n, 0.0)};
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      double s = 0;
      for (int l = 0; l < n; ++l) s += q[l][r] * spectrum[l] * q[l][c];
      h.a[static_cast<std::size_t>(r) * n + c] = s;
    }
  for (int r = 0; r < n; ++r)  // exact symmetry
    for (int c = 0; c < r; ++c)
      h.a[static_cast<std::size_t>(c) * n + r] = h.a[static_cast<std::size_t>(r) * n + c];
  return h;
}

// All eigenvalues, ascending, of the dense matrix (tests/analysis/dense_eigen.hpp).
std::vector<double> dense_eigenvalues(const Dense& h) {
  return testing::dense_eigenvalues(h.a, static_cast<std::size_t>(h.n));
}

template <class T>
TensorList<T> list_of(const std::vector<Shape>& shapes) {
  TensorList<T> x;
  for (const auto& s : shapes) x.push_back(zeros_tensor<T>(s));
  return x;
}

// v ↦ Hv on lists of the given shapes, the flat order being the lists' concatenated elements.
template <class T>
LinearOperator<T> dense_operator(const Dense& h, std::vector<Shape> shapes) {
  return [h, shapes](const TensorList<T>& v) {
    const Tensor<T> x = saddle::flatten(v);
    Tensor<T> y = empty_tensor<T>(Shape{static_cast<std::size_t>(h.n)});
    for (int r = 0; r < h.n; ++r) {
      double s = 0;
      for (int c = 0; c < h.n; ++c) s += h.a[static_cast<std::size_t>(r) * h.n + c] * x(c);
      y(r) = static_cast<T>(s);
    }
    return saddle::unflatten(y, shapes);
  };
}

double trace_of(const Dense& h) {
  double t = 0;
  for (int i = 0; i < h.n; ++i) t += h.a[static_cast<std::size_t>(i) * h.n + i];
  return t;
}

template <class T>
double residual(const LinearOperator<T>& H, const TensorList<T>& y, double lambda) {
  TensorList<T> r = H(y);
  axpy(-lambda, y, r);
  return saddle::norm(r);
}

// A spectrum with negative eigenvalues, clusters and a repeated eigenvalue (a bulk at zero):
// top 10, 9.5, 9.49, 8, 7.9; bottom −4, −3.99, −3, −2.5, −2.4; 100 zeros; the rest spread in (−2,
// 5).
std::vector<double> hessian_like_spectrum(int n) {
  std::vector<double> s = {10, 9.5, 9.49, 8, 7.9, -4, -3.99, -3, -2.5, -2.4};
  for (int i = 0; i < 100; ++i) s.push_back(0.0);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-2.0, 5.0);
  while (static_cast<int>(s.size()) < n) s.push_back(u(rng));
  return s;
}

const std::vector<Shape> kTwoTensors = {{10, 15}, {50}};  // n = 200

}  // namespace

TEST_CASE("tensor list algebra matches the same algebra on the flattened vector") {
  const std::vector<Shape> shapes = {{3, 4}, {5}};
  std::mt19937_64 rng(1);
  const TensorList<double> x = random_normal_like(list_of<double>(shapes), rng);
  TensorList<double> y = random_normal_like(list_of<double>(shapes), rng);
  const Tensor<double> fx = saddle::flatten(x), fy = saddle::flatten(y);
  CHECK(numel(x) == 17);
  CHECK(fx.size() == 17);
  CHECK(fx(12) == x[1](0));
  double d = 0, nx = 0;
  for (std::size_t i = 0; i < 17; ++i) d += fx(i) * fy(i), nx += fx(i) * fx(i);
  CHECK(saddle::dot(x, y) == doctest::Approx(d).epsilon(1e-14));
  CHECK(saddle::norm(x) == doctest::Approx(std::sqrt(nx)).epsilon(1e-14));

  axpy(2.5, x, y);
  const Tensor<double> fz = saddle::flatten(y);
  for (std::size_t i = 0; i < 17; ++i) CHECK(fz(i) == doctest::Approx(fy(i) + 2.5 * fx(i)));
  scale(y, -2.0);
  CHECK(saddle::flatten(y)(3) == doctest::Approx(-2.0 * fz(3)));

  TensorList<double> u = x;
  const double before = normalize(u);
  CHECK(before == doctest::Approx(std::sqrt(nx)));
  CHECK(saddle::norm(u) == doctest::Approx(1.0));

  const TensorList<double> back = saddle::unflatten(fx, shapes);
  CHECK(shapes_of(back) == shapes);
  CHECK(saddle::flatten(back) == fx);
  CHECK(saddle::norm(zeros_like(x)) == 0.0);

  const TensorList<float> z = random_rademacher_like(list_of<float>(shapes), rng);
  for (const auto& t : z)
    for (float e : t) CHECK((e == 1.0f || e == -1.0f));
  CHECK(saddle::dot(z, z) == doctest::Approx(17.0));
}

TEST_CASE("add_scaled makes x + a·y without touching x, and axpy works on one tensor of a list") {
  const std::vector<Shape> shapes = {{3, 4}, {5}};
  std::mt19937_64 rng(2);
  const TensorList<double> x = random_normal_like(list_of<double>(shapes), rng);
  const TensorList<double> y = random_normal_like(list_of<double>(shapes), rng);
  const Tensor<double> fx = saddle::flatten(x), fy = saddle::flatten(y);
  const TensorList<double> z = add_scaled(x, -0.75, y);
  CHECK(shapes_of(z) == shapes);
  CHECK(saddle::flatten(x) == fx);
  for (std::size_t i = 0; i < 17; ++i) CHECK(saddle::flatten(z)(i) == doctest::Approx(fx(i) - 0.75 * fy(i)));
  Tensor<double> t = x[1];
  axpy(2.0, y[1], t);
  for (std::size_t i = 0; i < 5; ++i) CHECK(t(i) == doctest::Approx(x[1](i) + 2.0 * y[1](i)));
  Tensor<double> wrong = zeros_tensor<double>(Shape{4});
  CHECK_THROWS_WITH_AS(axpy(1.0, y[1], wrong), "axpy: shapes (5,) and (4,) differ", Error);
  CHECK_THROWS_AS(add_scaled(x, 1.0, list_of<double>({{3, 4}, {6}})), Error);
}

TEST_CASE("random_uniform_ball draws inside B(0, r), fills its radius as ρ^d, and repeats from the same seed") {
  const std::vector<Shape> shapes = {{2, 2}, {1}};  // d = 5
  const double r = 0.3;
  std::mt19937_64 rng(3);
  int inside_half = 0;
  const int draws = 4000;
  for (int k = 0; k < draws; ++k) {
    const TensorList<double> xi = random_uniform_ball<double>(shapes, r, rng);
    REQUIRE(shapes_of(xi) == shapes);
    const double rho = saddle::norm(xi);
    CHECK(rho <= r);
    inside_half += rho <= r / 2;
  }
  // P(‖ξ‖ ≤ r/2) = 2⁻⁵ for the uniform ball in R⁵; 4000 draws: standard error ≈ 0.0028.
  CHECK(std::abs(double(inside_half) / draws - 1.0 / 32) < 0.012);
  std::mt19937_64 a(4), b(4);
  CHECK(saddle::flatten(random_uniform_ball<float>(shapes, r, a)) ==
        saddle::flatten(random_uniform_ball<float>(shapes, r, b)));
  CHECK_THROWS_WITH_AS(random_uniform_ball<double>({}, r, rng), "random_uniform_ball: the dimension is 0", Error);
}

TEST_CASE("tensor list operations reject mismatched shapes, naming both shape lists") {
  const TensorList<double> a = list_of<double>({{3, 4}, {5}});
  TensorList<double> b = list_of<double>({{3, 4}, {6}});
  try {
    (void)saddle::dot(a, b);
    FAIL("dot accepted mismatched shapes");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "dot: shape lists [(3,4),(5,)] and [(3,4),(6,)] differ");
  }
  CHECK_THROWS_AS(axpy(1.0, a, b), Error);
  CHECK_THROWS_AS(normalize(b), Error);  // zero norm
  CHECK_THROWS_AS(saddle::unflatten(saddle::flatten(a), {{3, 4}, {6}}), Error);
}

TEST_CASE("lanczos_top and lanczos_bottom give the 5 extreme eigenvalues of the dense matrix to 1e-8 |λ1|") {
  const Dense h = with_spectrum(hessian_like_spectrum(200), 11);
  const std::vector<double> exact = dense_eigenvalues(h);
  const auto H = dense_operator<double>(h, kTwoTensors);
  const TensorList<double> like = list_of<double>(kTwoTensors);
  EigenOptions opt;
  opt.k = 5;
  opt.max_iter = 200;
  opt.tol = 1e-10;

  const EigenResult<double> top = lanczos_top(H, like, opt);
  REQUIRE(top.converged);
  REQUIRE(top.eigenvalues.size() == 5);
  CHECK(top.iterations < 200);
  for (int i = 0; i < 5; ++i) {
    CHECK(std::abs(top.eigenvalues[i] - exact[199 - i]) <= 1e-8 * 10);
    CHECK(shapes_of(top.eigenvectors[i]) == kTwoTensors);
    CHECK(saddle::norm(top.eigenvectors[i]) == doctest::Approx(1.0));
    CHECK(residual(H, top.eigenvectors[i], top.eigenvalues[i]) <= 1e-8 * 10);
  }
  CHECK(std::abs(saddle::dot(top.eigenvectors[1], top.eigenvectors[2])) < 1e-8);

  const EigenResult<double> bottom = lanczos_bottom(H, like, opt);
  REQUIRE(bottom.converged);
  for (int i = 0; i < 5; ++i) {
    CHECK(std::abs(bottom.eigenvalues[i] - exact[i]) <= 1e-8 * 10);
    CHECK(residual(H, bottom.eigenvectors[i], bottom.eigenvalues[i]) <= 1e-8 * 10);
  }
  CHECK(bottom.eigenvalues[0] == doctest::Approx(-4.0));
  CHECK(std::is_sorted(bottom.eigenvalues.begin(), bottom.eigenvalues.end()));
  CHECK(std::is_sorted(top.eigenvalues.rbegin(), top.eigenvalues.rend()));
}

TEST_CASE("lanczos works on a list of two tensors {(3,4),(5)} and in float") {
  const std::vector<Shape> shapes = {{3, 4}, {5}};
  std::vector<double> spectrum = {3, 2.9,  2.5, 1,  1,  1,    0,  0,  0,
                                  0, -0.5, -1,  -1, -2, -2.2, -6, 0.3};
  const Dense h = with_spectrum(spectrum, 5);
  const std::vector<double> exact = dense_eigenvalues(h);
  EigenOptions opt;
  opt.k = 3;
  opt.max_iter = 17;
  opt.tol = 1e-10;
  const auto top = lanczos_top(dense_operator<double>(h, shapes), list_of<double>(shapes), opt);
  REQUIRE(top.converged);
  for (int i = 0; i < 3; ++i) CHECK(std::abs(top.eigenvalues[i] - exact[16 - i]) <= 1e-8 * 6);

  opt.tol = 1e-5;
  const auto topf = lanczos_top(dense_operator<float>(h, shapes), list_of<float>(shapes), opt);
  const auto bottomf =
      lanczos_bottom(dense_operator<float>(h, shapes), list_of<float>(shapes), opt);
  for (int i = 0; i < 3; ++i) {
    CHECK(std::abs(topf.eigenvalues[i] - exact[16 - i]) <= 1e-4 * 6);
    CHECK(std::abs(bottomf.eigenvalues[i] - exact[i]) <= 1e-4 * 6);
  }
}

TEST_CASE("lanczos on n = 4 with k = 4 exhausts the space and returns the whole spectrum") {
  const std::vector<Shape> shapes = {{2, 2}};
  for (const std::vector<double>& spectrum :
       {std::vector<double>{4, -1, 2, 0.5}, std::vector<double>{2, 2, -3, 2}}) {
    const Dense h = with_spectrum(spectrum, 3);
    const std::vector<double> exact = dense_eigenvalues(h);
    EigenOptions opt;
    opt.k = 4;
    opt.max_iter = 50;
    const auto top = lanczos_top(dense_operator<double>(h, shapes), list_of<double>(shapes), opt);
    REQUIRE(top.converged);
    CHECK(top.iterations == 4);  // restarted after the invariant subspace when 2 is triple
    REQUIRE(top.eigenvalues.size() == 4);
    for (int i = 0; i < 4; ++i)
      CHECK(top.eigenvalues[i] == doctest::Approx(exact[3 - i]).epsilon(1e-12));
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < i; ++j)
        CHECK(std::abs(saddle::dot(top.eigenvectors[i], top.eigenvectors[j])) < 1e-10);
  }
}

TEST_CASE("lanczos with tol = 0 and max_iter = n finds every copy of a multiple top eigenvalue") {
  const std::vector<Shape> shapes = {{3, 4}, {5}};
  const std::vector<double> spectrum = {3, 3,    3,  2.5, 1,  1,  0,  0,  0,
                                        0, -0.5, -1, -1,  -2, -2, -6, 0.3};
  const Dense h = with_spectrum(spectrum, 6);
  const std::vector<double> exact = dense_eigenvalues(h);
  EigenOptions opt;
  opt.k = 4;
  opt.max_iter = 17;
  opt.tol = 0;
  const auto H = dense_operator<double>(h, shapes);
  const auto top = lanczos_top(H, list_of<double>(shapes), opt);
  CHECK(top.converged);
  CHECK(top.iterations == 17);
  for (int i = 0; i < 4; ++i) CHECK(std::abs(top.eigenvalues[i] - exact[16 - i]) <= 1e-10 * 6);
  const auto bottom = lanczos_bottom(H, list_of<double>(shapes), opt);
  for (int i = 0; i < 4; ++i) CHECK(std::abs(bottom.eigenvalues[i] - exact[i]) <= 1e-10 * 6);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < i; ++j)
      CHECK(std::abs(saddle::dot(top.eigenvectors[i], top.eigenvectors[j])) < 1e-10);
}

TEST_CASE(
    "lanczos_tridiagonal: the basis is orthonormal, QᵀHQ = T, and it stops on an invariant "
    "subspace") {
  const Dense h = with_spectrum(hessian_like_spectrum(200), 2);
  const auto H = dense_operator<double>(h, kTwoTensors);
  std::mt19937_64 rng(4);
  const TensorList<double> start = random_normal_like(list_of<double>(kTwoTensors), rng);
  const auto d = lanczos_decomposition(H, start, 30);
  const auto& t = d.tridiagonal;
  REQUIRE(t.alpha.size() == 30);
  REQUIRE(t.beta.size() == 29);
  CHECK_FALSE(t.exhausted);
  for (int i = 0; i < 30; ++i) {
    const TensorList<double> hq = H(d.basis[i]);
    for (int j = 0; j < 30; ++j) {
      const double expected =
          i == j ? t.alpha[i] : (std::abs(i - j) == 1 ? t.beta[std::min(i, j)] : 0.0);
      CHECK(std::abs(saddle::dot(d.basis[j], hq) - expected) < 1e-10);
      CHECK(std::abs(saddle::dot(d.basis[j], d.basis[i]) - (i == j ? 1.0 : 0.0)) < 1e-12);
    }
  }
  const auto same = lanczos_tridiagonal(H, start, 30);
  CHECK(same.alpha == t.alpha);

  // Three distinct eigenvalues: the Krylov space has dimension 3.
  std::vector<double> three(60, 1.0);
  std::fill(three.begin(), three.begin() + 20, -2.0);
  std::fill(three.begin() + 20, three.begin() + 30, 5.0);
  const std::vector<Shape> flat = {{60}};
  const auto small = lanczos_tridiagonal(dense_operator<double>(with_spectrum(three, 8), flat),
                                         random_normal_like(list_of<double>(flat), rng), 20);
  CHECK(small.exhausted);
  CHECK(small.alpha.size() == 3);
  const auto theta = tridiagonal_eigen(small.alpha, small.beta).values;
  CHECK(theta[0] == doctest::Approx(-2.0).epsilon(1e-12));
  CHECK(theta[1] == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(theta[2] == doctest::Approx(5.0).epsilon(1e-12));
}

TEST_CASE("the solvers handle degenerate operators: n = 1, H = 0 and H = c·I") {
  const std::vector<Shape> one = {{1}};
  const LinearOperator<double> twice = [](const TensorList<double>& v) {
    TensorList<double> r = v;
    saddle::scale(r, 2.0);
    return r;
  };
  EigenOptions opt;
  const auto single = lanczos_top(twice, list_of<double>(one), opt);
  CHECK(single.converged);
  CHECK(single.eigenvalues == std::vector<double>{2.0});

  const std::vector<Shape> shapes = {{2, 3}};
  const LinearOperator<double> zero = [](const TensorList<double>& v) { return zeros_like(v); };
  opt.k = 3;
  const auto z = lanczos_eigen(zero, list_of<double>(shapes), opt);
  CHECK(z.converged);
  CHECK(z.eigenvalues == std::vector<double>{0.0, 0.0, 0.0});
  const auto pz = power_iteration(zero, list_of<double>(shapes), opt);
  CHECK(pz.converged);
  CHECK(pz.eigenvalues == std::vector<double>{0.0, 0.0, 0.0});

  opt.which_smallest = true;
  const auto c = lanczos_eigen(twice, list_of<double>(shapes), opt);
  CHECK(c.converged);
  for (double l : c.eigenvalues) CHECK(l == doctest::Approx(2.0).epsilon(1e-14));
  const auto d = spectral_density(twice, list_of<double>(shapes));
  CHECK(d.nodes[0].size() == 1);
  CHECK(negative_mass_fraction(d) == 0.0);
  const auto peak = std::max_element(d.density.begin(), d.density.end()) - d.density.begin();
  CHECK(d.grid[static_cast<std::size_t>(peak)] == doctest::Approx(2.0).epsilon(1e-3));
}

TEST_CASE("lanczos rejects bad k, max_iter and operators of the wrong shape") {
  const Dense h = with_spectrum({1, 2, 3, 4, 5}, 1);
  const std::vector<Shape> shapes = {{5}};
  const auto H = dense_operator<double>(h, shapes);
  const auto like = list_of<double>(shapes);
  EigenOptions opt;
  opt.k = 0;
  CHECK_THROWS_AS(lanczos_top(H, like, opt), Error);
  opt.k = 6;
  CHECK_THROWS_AS(lanczos_bottom(H, like, opt), Error);
  opt.k = 3;
  opt.max_iter = 2;
  CHECK_THROWS_WITH_AS(lanczos_top(H, like, opt),
                       "lanczos_top: k = 3, max_iter = 2, tol = 1e-08 for n = 5 parameters; need "
                       "1 <= k <= n, max_iter >= k, tol >= 0",
                       Error);
  opt.k = 6;
  opt.max_iter = 100;
  CHECK_THROWS_AS(power_iteration(H, like, opt), Error);
  opt.k = 1;
  const LinearOperator<double> wrong = [](const TensorList<double>&) {
    return TensorList<double>{zeros_tensor<double>(Shape{4})};
  };
  CHECK_THROWS_AS(lanczos_top(wrong, like, opt), Error);
  CHECK_THROWS_AS(lanczos_tridiagonal(H, like, 3), Error);  // zero start vector
  CHECK_THROWS_AS(lanczos_tridiagonal(H, H(like), 0), Error);
}

// H, except that from its `bad`-th product on every entry is `value` (NaN or an infinity): what a
// model with non-finite weights, or one whose loss overflows, hands the solvers.
LinearOperator<double> fails_from(const LinearOperator<double>& H, int bad, double value) {
  auto calls = std::make_shared<int>(0);
  return [H, bad, value, calls](const TensorList<double>& v) {
    TensorList<double> r = H(v);
    if (++*calls >= bad)
      for (auto& t : r) t.fill(value);
    return r;
  };
}

TEST_CASE("the solvers throw on a product that is not finite instead of reporting convergence") {
  const Dense h = with_spectrum({-2, 1, 2, 3, 4, 5, 6, 7}, 3);
  const std::vector<Shape> shapes = {{8}};
  const auto H = dense_operator<double>(h, shapes);
  const auto like = list_of<double>(shapes);
  EigenOptions opt;
  opt.k = 2;
  opt.tol = 1e-10;  // no early stop: each solver reaches the bad product
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  CHECK(testing::error_of([&] { lanczos_top(fails_from(H, 3, nan), like, opt); }) ==
        "lanczos_top: H·v is not finite at iteration 3");
  CHECK(testing::error_of([&] { lanczos_bottom(fails_from(H, 1, inf), like, opt); }) ==
        "lanczos_bottom: H·v is not finite at iteration 1");
  CHECK(testing::error_of([&] { power_iteration(fails_from(H, 3, nan), like, opt); }) ==
        "power_iteration: H·v is not finite at iteration 3 (eigenpair 1)");
  CHECK(testing::error_of([&] { power_iteration(fails_from(H, 1, -inf), like, opt); }) ==
        "power_iteration: H·v is not finite at iteration 1 (eigenpair 1)");
  CHECK(testing::error_of([&] { hutchinson_trace(fails_from(H, 2, nan), like, 10, 0); }) ==
        "hutchinson_trace: zᵀH·z is not finite at probe 2");
  CHECK(testing::error_of([&] { spectral_density(fails_from(H, 2, nan), like); }).find("not finite") !=
        std::string::npos);
  // The same operators, finite, converge: the throws above are the NaN's doing.
  CHECK(lanczos_top(H, like, opt).converged);
  opt.max_iter = 1000;  // a residual of 1e-10·λ₁ at λ₂/λ₁ = 6/7 takes about 150 steps
  CHECK(power_iteration(H, like, opt).converged);
}

TEST_CASE("power_iteration finds the top 3 eigenvalues by magnitude, deflating repeated ones") {
  std::vector<double> spectrum = {10, -7, 5, -3, 3, 2, 2, 2};
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-2.5, 2.5);
  while (spectrum.size() < 120) spectrum.push_back(u(rng));
  const Dense h = with_spectrum(spectrum, 21);
  std::vector<double> exact = dense_eigenvalues(h);
  std::sort(exact.begin(), exact.end(),
            [](double a, double b) { return std::abs(a) > std::abs(b); });
  const std::vector<Shape> shapes = {{4, 5}, {100}};
  const auto H = dense_operator<double>(h, shapes);
  EigenOptions opt;
  opt.k = 3;
  opt.max_iter = 1000;
  opt.tol = 1e-12;
  const auto r = power_iteration(H, list_of<double>(shapes), opt);
  REQUIRE(r.converged);
  for (int i = 0; i < 3; ++i) {
    CHECK(r.eigenvalues[i] == doctest::Approx(exact[i]).epsilon(1e-8));
    CHECK(r.residuals[i] == doctest::Approx(residual(H, r.eigenvectors[i], r.eigenvalues[i])));
    CHECK(r.residuals[i] < 1e-4 * 10);
  }

  const Dense twice = with_spectrum({6, 6, 1, -1, 0.5, 0.2, 0.1, -0.3}, 4);
  const std::vector<Shape> flat = {{8}};
  opt.k = 2;
  const auto rep = power_iteration(dense_operator<double>(twice, flat), list_of<double>(flat), opt);
  CHECK(rep.eigenvalues[0] == doctest::Approx(6.0).epsilon(1e-10));
  CHECK(rep.eigenvalues[1] == doctest::Approx(6.0).epsilon(1e-10));
  CHECK(std::abs(saddle::dot(rep.eigenvectors[0], rep.eigenvectors[1])) < 1e-10);
}

// λ₂/λ₁ = 0.9, as in the Hessians of trained networks: a stop on the change of λ between steps
// (relative 1e-3) leaves v₁ about 0.2 rad from u₁, and deflating it lifts λ₂ by sin²θ·(λ₁ − λ₂),
// several hundredths of the gap. The residual rule bounds each error by its residual instead:
// for symmetric H the nearest eigenvalue is within ‖Hv − λv‖ of λ (Parlett §4.5), and the nearest
// is the true λᵢ when the residual is below half the gaps around it (0.25 here).
TEST_CASE_TEMPLATE("power_iteration at tol 1e-3 resolves λ₂ = 0.9 λ₁: each error within its residual, the gap to 1%",
                   T, float, double) {
  const std::vector<double> top = {10, 9, 8.5, 3, 1};
  std::vector<double> spectrum = top;
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> bulk(-1, 1);
  while (spectrum.size() < 200) spectrum.push_back(bulk(rng));
  const Dense h = with_spectrum(spectrum, 23);
  const std::vector<Shape> shapes = {{10, 10}, {100}};
  const auto H = dense_operator<T>(h, shapes);
  EigenOptions opt;
  opt.k = 3;
  opt.max_iter = 1000;
  opt.tol = 1e-3;
  const auto r = power_iteration(H, list_of<T>(shapes), opt);
  REQUIRE(r.converged);
  REQUIRE(r.eigenvalues.size() == 3);
  // The residual is computed in T: allow its rounding, n·ε·λ₁, on top of the bound.
  const double rounding = 200 * std::numeric_limits<T>::epsilon() * top[0];
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CAPTURE(r.eigenvalues[i]);
    CAPTURE(r.residuals[i]);
    // The full residual: the first pair's is what the rule bounds; later ones also carry the
    // earlier pairs' residuals (at most about tol·λ₁ each).
    CHECK(r.residuals[i] <= opt.tol * (i == 0 ? std::abs(r.eigenvalues[i]) : 2 * top[0]));
    CHECK(std::abs(r.eigenvalues[i] - top[i]) <= r.residuals[i] + rounding);
    CHECK(std::abs(r.eigenvalues[i] - top[i]) <= opt.tol * top[0]);
  }
  const double gap = r.eigenvalues[0] - r.eigenvalues[1], exact_gap = top[0] - top[1];
  CAPTURE(gap);
  CHECK(std::abs(gap - exact_gap) <= 1e-2 * exact_gap);
  CHECK(r.iterations < 3 * opt.max_iter);  // stopped early on every pair
}

TEST_CASE("hutchinson_trace with 2000 probes is within 3 standard errors and 5% of the trace") {
  std::vector<double> spectrum;
  for (int i = 0; i < 200; ++i) spectrum.push_back(-2.0 + 10.0 * i / 199.0);
  const Dense h = with_spectrum(spectrum, 31);
  const double exact = trace_of(h);
  const auto est = hutchinson_trace(dense_operator<double>(h, kTwoTensors),
                                    list_of<double>(kTwoTensors), 2000, 5);
  CHECK(est.probes == 2000);
  CHECK(std::abs(est.mean - exact) <= 3 * est.standard_error);
  CHECK(std::abs(est.mean - exact) <= 0.05 * std::abs(exact));
  // Var[zᵀHz] = 2 Σ_{i≠j} H_ij² for Rademacher z.
  double off = 0;
  for (int r = 0; r < h.n; ++r)
    for (int c = 0; c < h.n; ++c)
      if (r != c)
        off +=
            h.a[static_cast<std::size_t>(r) * h.n + c] * h.a[static_cast<std::size_t>(r) * h.n + c];
  CHECK(est.standard_error == doctest::Approx(std::sqrt(2 * off / 2000)).epsilon(0.15));
  CHECK_THROWS_AS(
      hutchinson_trace(dense_operator<double>(h, kTwoTensors), list_of<double>(kTwoTensors), 0),
      Error);
}

TEST_CASE("Hutch++ beats Hutchinson at equal products on a decaying spectrum, unbiased, its standard error honest") {
  // λ_i = 1/i², i = 1…200: the top few hold most of the trace and most of Hutchinson's variance.
  std::vector<double> spectrum;
  double trace = 0;
  for (int i = 1; i <= 200; ++i) trace += spectrum.emplace_back(1.0 / (double(i) * i));
  const Dense h = with_spectrum(spectrum, 47);
  const auto H = dense_operator<double>(h, kTwoTensors);
  const auto like = list_of<double>(kTwoTensors);
  const int products = 30, repeats = 300;
  double se_plain = 0, se_pp = 0, mean_pp = 0, reported_pp = 0;
  std::vector<double> pp;
  for (int r = 0; r < repeats; ++r) {
    const TraceEstimate a = hutchinson_trace<double>(H, like, products, 1000 + r);
    const TraceEstimate b = hutchpp_trace<double>(H, like, products, 1000 + r);
    CHECK(b.probes <= products);
    se_plain += (a.mean - trace) * (a.mean - trace) / repeats;
    se_pp += (b.mean - trace) * (b.mean - trace) / repeats;
    mean_pp += b.mean / repeats;
    reported_pp += b.standard_error / repeats;
    pp.push_back(b.mean);
  }
  CHECK(se_pp < 0.25 * se_plain);  // the theory's 1/m against 1/√m: far below at m = 30
  double sd = 0;
  for (double x : pp) sd += (x - mean_pp) * (x - mean_pp) / (repeats - 1);
  sd = std::sqrt(sd);
  CHECK(std::abs(mean_pp - trace) <= 4 * sd / std::sqrt(double(repeats)));  // unbiased
  CHECK(reported_pp == doctest::Approx(sd).epsilon(0.3));  // each run's own standard error is about its spread
  CHECK_THROWS_WITH_AS(hutchpp_trace<double>(H, like, 2), "hutchpp_trace: products = 2, need products >= 3", Error);
}

TEST_CASE("the diagonal: exact on small tensors, Hutchinson's elsewhere within its standard errors") {
  std::vector<double> spectrum;
  for (int i = 0; i < 200; ++i) spectrum.push_back(-1.0 + 3.0 * i / 199.0);
  const Dense h = with_spectrum(spectrum, 53);
  const auto H = dense_operator<double>(h, kTwoTensors);  // {(10, 15), (50)}
  const auto d = diagonal_estimate<double>(H, list_of<double>(kTwoTensors), 400, 50, 9);
  CHECK(d.products == 50 + 400);
  for (int i = 0; i < 150; ++i) {
    // z_i (Hz)_i = H_ii + z_i Σ_{l≠i} z_l H_il: variance Σ_{l≠i} H_il², so the standard error of
    // the mean of 400 is √(Σ_{l≠i} H_il² / 400); the estimate from the samples' spread is within
    // 15% of it (its own relative error is about 1/√800 plus the samples' kurtosis).
    const double exact = h.a[static_cast<std::size_t>(i) * 200 + i];
    double off = 0;
    for (int l = 0; l < 200; ++l)
      if (l != i) off += h.a[static_cast<std::size_t>(i) * 200 + l] * h.a[static_cast<std::size_t>(i) * 200 + l];
    const double se = std::sqrt(off / 400);
    CHECK(d.standard_error[0].data()[i] == doctest::Approx(se).epsilon(0.15));
    CHECK(std::abs(d.diagonal[0].data()[i] - exact) <= 5 * se);  // all 150 within 5 σ: fails w.p. < 1e-4
  }
  for (int i = 0; i < 50; ++i) {
    const double exact = h.a[static_cast<std::size_t>(150 + i) * 200 + 150 + i];
    CHECK(std::abs(d.diagonal[1].data()[i] - exact) <= 1e-13);
    CHECK(d.standard_error[1].data()[i] == 0);
  }
  CHECK_THROWS_WITH_AS(diagonal_estimate<double>(H, list_of<double>(kTwoTensors), 1, 50),
                       "diagonal_estimate: probes = 1, need probes >= 2 for tensors of more than 50 entries", Error);
}

TEST_CASE("spectral_density integrates to 1, its mean is tr(H)/n, and it sees the negative mass") {
  std::vector<double> spectrum;
  for (int i = 0; i < 200; ++i) spectrum.push_back(-2.0 + 10.0 * i / 199.0);  // 20% negative
  const Dense h = with_spectrum(spectrum, 41);
  DensityOptions opt;
  opt.n_v = 30;
  opt.m = 40;
  opt.seed = 3;
  const auto d =
      spectral_density(dense_operator<double>(h, kTwoTensors), list_of<double>(kTwoTensors), opt);
  REQUIRE(d.grid.size() == 1000);
  REQUIRE(d.nodes.size() == 30);
  for (const auto& w : d.weights)
    CHECK(std::accumulate(w.begin(), w.end(), 0.0) == doctest::Approx(1.0));
  double mass = 0, mean = 0;
  for (std::size_t i = 0; i + 1 < d.grid.size(); ++i) {  // trapezoid rule
    const double dx = d.grid[i + 1] - d.grid[i];
    mass += 0.5 * dx * (d.density[i] + d.density[i + 1]);
    mean += 0.5 * dx * (d.grid[i] * d.density[i] + d.grid[i + 1] * d.density[i + 1]);
  }
  CHECK(mass == doctest::Approx(1.0).epsilon(1e-6));
  const double exact_mean = trace_of(h) / h.n;
  CHECK(std::abs(mean - exact_mean) <= 0.05 * std::abs(exact_mean));
  CHECK(negative_mass_fraction(d) == doctest::Approx(0.2).epsilon(0.25));
  CHECK(d.grid.front() < -2.0);
  CHECK(d.grid.back() > 8.0);
  CHECK(d.sigma_squared ==
        doctest::Approx(1e-5 * (d.grid.back() - d.grid.front() - 12 * std::sqrt(d.sigma_squared)) *
                        (d.grid.back() - d.grid.front() - 12 * std::sqrt(d.sigma_squared))));

  const auto f =
      spectral_density(dense_operator<float>(h, kTwoTensors), list_of<float>(kTwoTensors), opt);
  CHECK(negative_mass_fraction(f) == doctest::Approx(negative_mass_fraction(d)).epsilon(0.05));

  opt.grid_points = 1;
  CHECK_THROWS_AS(
      spectral_density(dense_operator<double>(h, kTwoTensors), list_of<double>(kTwoTensors), opt),
      Error);
}

TEST_CASE("the negative mass below −τ counts the dense negative eigenvalues within its standard error, ignoring a bulk at ±rounding") {
  // 20 eigenvalues in [−2, −0.5], 100 at ±1e-10 (a null space as rounding leaves it), 80 in
  // [0.5, 5]: the share below −τ is 20/200 for any τ between 1e-10 and 0.5.
  std::vector<double> spectrum;
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < 20; ++i) spectrum.push_back(-2.0 + 1.5 * u(rng));
  for (int i = 0; i < 100; ++i) spectrum.push_back(u(rng) < 0.5 ? -1e-10 : 1e-10);
  for (int i = 0; i < 80; ++i) spectrum.push_back(0.5 + 4.5 * u(rng));
  const Dense h = with_spectrum(spectrum, 43);
  DensityOptions opt;
  opt.n_v = 60;
  opt.m = 200;  // m = n: each run's nodes are the eigenvalues, so each run's mass is unbiased
  opt.seed = 5;
  const auto d = spectral_density(dense_operator<double>(h, kTwoTensors), list_of<double>(kTwoTensors), opt);
  const NegativeMass m = negative_mass(d, 1e-3);
  CHECK(m.runs == 60);
  CHECK(m.threshold == doctest::Approx(1e-3 * 5.0).epsilon(0.1));
  CHECK(m.standard_error > 0);
  // The runs' masses are Beta(10, 90) draws (the mean of 60 is within 4.5 standard errors with
  // probability 1 − 7e-6); the estimated standard error is within 30% of the true √(pq/(n/2+1)/60).
  CHECK(std::abs(m.mass - 0.1) <= 4.5 * m.standard_error);
  CHECK(m.standard_error == doctest::Approx(std::sqrt(0.1 * 0.9 / 101.0 / 60.0)).epsilon(0.3));
  // A cut at 0 would count about half the rounding-level bulk as negative curvature.
  CHECK(negative_mass_fraction(d, 0.0) > 0.1 + 0.15);
  CHECK_THROWS_WITH_AS(negative_mass(d, -1), "negative_mass: relative threshold -1.000000, need a finite value ≥ 0",
                       Error);
}

TEST_CASE("spectral_gaps sorts descending and reports λ1−λ2, λ2/λ1 and consecutive differences") {
  const SpectralGaps g = spectral_gaps({3.0, 1.0, 2.0, -1.0});
  CHECK(g.gap == 1.0);
  CHECK(g.ratio == doctest::Approx(2.0 / 3.0));
  CHECK(g.differences == std::vector<double>{1.0, 1.0, 2.0});
  CHECK_THROWS_AS(spectral_gaps({1.0}), Error);
}
