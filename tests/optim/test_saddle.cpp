// Escaping a strict saddle where the full gradient vanishes exactly but single-sample gradients
// do not: gradient descent stays put, the saddle-escape methods leave.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/optim.hpp"
#include "problems.hpp"

using namespace saddle;

namespace {

// f(x) = (1/n) Σᵢ [½xᵀDx + ¼‖x‖⁴ + aᵢᵀx], D = diag(1, …, 1, −1), x ∈ R^d a (d,1) column.
// The aᵢ come in pairs ±aᵢ of multiples of 1/64 (n a power of two), so Σᵢ aᵢ/n = 0 exactly in
// floating point: ∇f(0) = 0 and x = 0 is a strict saddle (λ_min = −1), while ∇fᵢ(0) = aᵢ ≠ 0.
// The minima are x = ±e_d with f = ½·(−1) + ¼ = −¼.
struct QuarticSaddle {
  std::size_t d = 10, n = 16;
  Tensor<double> diag;         // (d,1)
  data::Dataset<double> data;  // the aᵢ as rows (n,d)

  explicit QuarticSaddle(std::uint64_t seed) {
    diag = zeros_tensor<double>(Shape{d, 1});
    for (std::size_t j = 0; j < d; ++j) diag(j, 0) = j + 1 < d ? 1.0 : -1.0;
    Tensor<double> samples = zeros_tensor<double>(Shape{n, d});
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> k(-64, 64);
    for (std::size_t i = 0; i < n / 2; ++i)
      for (std::size_t j = 0; j < d; ++j) {
        samples(i, j) = k(rng) / 64.0;
        samples(i + n / 2, j) = -samples(i, j);
      }
    data = unlabeled_data(std::move(samples));
  }

  // The mean of fᵢ over the rows aᵢ given.
  Var<double> loss(const std::vector<Var<double>>& x, const Tensor<double>& a) const {
    const Var<double>& v = x[0];
    Var<double> quadratic = 0.5 * sum(Var<double>(diag) * square(v));
    Var<double> quartic = 0.25 * square(sum(square(v)));
    return quadratic + quartic + mean(matmul(Var<double>(a), v));
  }
  // f over the n samples, one batch.
  Objective<double> objective() const {
    return Objective<double>([this](const std::vector<Var<double>>& x, const Tensor<double>& a,
                                    const std::vector<Label>&) { return loss(x, a); },
                             data, sample_range(0, n, n));
  }
  std::vector<Var<double>> origin() const { return {Var<double>(zeros_tensor<double>(Shape{d, 1}), true)}; }
};

// Steps until f < −0.2, or −1 if that does not happen within max_steps.
int steps_to_escape(Optimizer<double>& opt, const Objective<double>& f, int max_steps) {
  for (int t = 1; t <= max_steps; ++t) {
    opt.step(f);
    if (f.loss(values_of(opt.params())) < -0.2) return t;
  }
  return -1;
}

}  // namespace

TEST_CASE("the saddle of the finite sum: ∇f(0) = 0 exactly, single-sample gradients are not 0") {
  QuarticSaddle problem(42);
  auto f = problem.objective();
  const TensorList<double> zero = values_of(problem.origin());
  const auto g = f.gradient(zero);
  for (std::size_t j = 0; j < problem.d; ++j) CHECK(g[0](j, 0) == 0.0);
  double g0 = 0;
  for (std::size_t j = 0; j < problem.d; ++j) g0 += std::abs(f.sample_gradient(zero, 0)[0](j, 0));
  CHECK(g0 > 0);
  CHECK(f.loss(zero) == 0.0);
}

TEST_CASE("started exactly at the saddle, gradient descent stays put") {
  QuarticSaddle problem(42);
  auto f = problem.objective();
  SGD<double> gd(problem.origin(), {.lr = 0.1});
  CHECK(steps_to_escape(gd, f, 500) == -1);
  for (std::size_t j = 0; j < problem.d; ++j) CHECK(gd.params()[0].value()(j, 0) == 0.0);
}

TEST_CASE("started exactly at the saddle, PGD, ISO-PGD, CNC-PGD and NCD escape (f < −0.2)") {
  QuarticSaddle problem(42);
  SUBCASE("PGD") {
    auto f = problem.objective();
    PGD<double> opt(problem.origin(), {.lr = 0.1, .g_thres = 1e-3, .t_thres = 20, .radius = 0.1, .seed = 1});
    CHECK(steps_to_escape(opt, f, 500) > 0);
    CHECK(opt.perturbations() >= 1);
  }
  SUBCASE("ISO-PGD") {
    auto f = problem.objective();
    IsoPGD<double> opt(problem.origin(), {.lr = 0.1, .g_thres = 1e-6, .t_thres = 10, .radius = 0.1, .seed = 1});
    CHECK(steps_to_escape(opt, f, 500) > 0);
    CHECK(opt.perturbations() >= 1);
  }
  SUBCASE("CNC-PGD") {
    auto f = problem.objective();
    CNCPGD<double> opt(problem.origin(), {.lr = 0.1, .g_thres = 1e-6, .t_thres = 10, .r = 0.2, .seed = 1});
    CHECK(steps_to_escape(opt, f, 500) > 0);
    CHECK(opt.perturbations() >= 1);
  }
  SUBCASE("NCD") {
    auto f = problem.objective();
    NCD<double> opt(problem.origin(), {.lr = 0.1, .g_thres = 1e-3, .eps_h = 1e-3, .rho = 1, .seed = 1});
    CHECK(steps_to_escape(opt, f, 500) > 0);
    CHECK(opt.curvature_steps() >= 1);
    CHECK(opt.last_lambda_min() == doctest::Approx(-1.0).epsilon(1e-9));
  }
}

TEST_CASE("PGD with its stopping rule leaves the saddle and returns a minimum: f = −¼, λ_min > 0") {
  QuarticSaddle problem(42);
  auto f = problem.objective();
  PGD<double> opt(problem.origin(),
                  {.lr = 0.1, .g_thres = 1e-3, .t_thres = 20, .radius = 0.1, .f_thres = 1e-4, .seed = 1});
  int t = 0;
  while (!opt.stopped() && t < 5000) opt.step(f), ++t;
  REQUIRE(opt.stopped());
  CHECK(opt.perturbations() >= 2);  // one at the saddle, one at the minimum it then confirmed
  const TensorList<double> x = values_of(opt.params());
  CHECK(f.loss(x) == doctest::Approx(-0.25).epsilon(1e-3));
  EigenOptions eig;
  eig.max_iter = 20;
  eig.which_smallest = true;
  CHECK(lanczos_bottom<double>(HessianOperator<double>(f, x), x, eig).eigenvalues.at(0) > 0.1);
}

namespace {

// Σ over the parameters of (a + λx)ᵀ(b + λx), in plain loops.
double decayed_dot(const TensorList<double>& a, const TensorList<double>& b, const TensorList<double>& x,
                   double lambda) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t k = 0; k < a[i].size(); ++k)
      s += (a[i].data()[k] + lambda * x[i].data()[k]) * (b[i].data()[k] + lambda * x[i].data()[k]);
  return s;
}

// A point away from the saddle, for the tests of the small-gradient test.
TensorList<double> some_point(std::size_t d) {
  TensorList<double> x{zeros_tensor<double>(Shape{d, 1})};
  for (std::size_t j = 0; j < d; ++j) x[0](j, 0) = 0.3 * std::sin(1.0 + double(j));
  return x;
}

}  // namespace

TEST_CASE("the small-gradient test reads ∇f₁ᵀ∇f₂ over the two halves of a mini-batch, ‖∇f‖² over all the data") {
  QuarticSaddle problem(7);
  const auto f = problem.objective();
  const TensorList<double> x = some_point(problem.d);
  const double lambda = 0.1;
  for (std::size_t n : {12, 7}) {  // mini-batches of the 16 samples: two equal halves, and 3 + 4
    CAPTURE(n);
    std::vector<std::size_t> all(n), first, second;
    for (std::size_t i = 0; i < n; ++i) (i < n / 2 ? first : second).push_back(all[i] = (5 * i + 3) % 16);
    const Objective<double> fn = f.over(one_batch(all));
    const auto g1 = f.over(one_batch(first)).gradient(x), g2 = f.over(one_batch(second)).gradient(x);
    const GradientTest<double> test = gradient_test(fn, x, lambda);
    CHECK(test.norm_sq == doctest::Approx(decayed_dot(g1, g2, x, lambda)).epsilon(1e-13));
    const auto g = fn.gradient(x);
    for (std::size_t j = 0; j < problem.d; ++j) CHECK(test.grad[0](j, 0) == g[0](j, 0));
    // It is ‖∇f‖² less a square, so it never exceeds the plain test's ‖∇f‖² (equal halves: less ¼‖∇f₁ − ∇f₂‖²).
    CHECK(test.norm_sq <= decayed_dot(g, g, x, lambda));
    if (n % 2 == 0) {
      double diff = 0;
      for (std::size_t j = 0; j < problem.d; ++j) diff += std::pow(g1[0](j, 0) - g2[0](j, 0), 2);
      CHECK(test.norm_sq == doctest::Approx(decayed_dot(g, g, x, lambda) - diff / 4).epsilon(1e-12));
    }
  }
  // One sample, and every sample of the data (f is F itself): the plain ‖∇f + λx‖².
  for (const Objective<double>& exact : {f.over(one_sample(3)), f}) {
    const auto g = exact.gradient(x);
    const GradientTest<double> test = gradient_test(exact, x, lambda);
    CHECK(test.norm_sq == doctest::Approx(decayed_dot(g, g, x, lambda)).epsilon(1e-14));
    CHECK(test.loss == doctest::Approx(exact.loss(x)).epsilon(1e-14));
  }
  // At the saddle ∇f = 0 exactly, and the test fires.
  CHECK(gradient_test(f, values_of(problem.origin()), 0.0).norm_sq == 0);
}

TEST_CASE("over mini-batches drawn with replacement, ∇f₁ᵀ∇f₂ is an unbiased estimate of ‖∇F‖², ‖∇f‖² is not") {
  // E[∇f₁ᵀ∇f₂] = ‖∇F‖² for independent halves, while E‖∇f‖² = ‖∇F‖² + tr Σ / B. The means of K
  // batches are held to 5 standard errors of their own spread.
  QuarticSaddle problem(11);
  const auto f = problem.objective();
  const TensorList<double> x = some_point(problem.d);
  const auto full = f.gradient(x);
  const double truth = decayed_dot(full, full, x, 0);
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<std::size_t> pick(0, problem.n - 1);
  constexpr std::size_t K = 4000, B = 8;
  std::vector<double> estimate(K), plain(K);
  for (std::size_t k = 0; k < K; ++k) {
    std::vector<std::size_t> batch(B);
    for (auto& i : batch) i = pick(rng);
    const GradientTest<double> test = gradient_test(f.over(one_batch(batch)), x, 0);
    estimate[k] = test.norm_sq;
    plain[k] = decayed_dot(test.grad, test.grad, x, 0);
  }
  auto mean_and_se = [](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double e : v) m += e;
    m /= double(v.size());
    for (double e : v) s += (e - m) * (e - m);
    return std::pair{m, std::sqrt(s / double(v.size() - 1) / double(v.size()))};
  };
  const auto [m, se] = mean_and_se(estimate);
  const auto [mp, sep] = mean_and_se(plain);
  CHECK(std::abs(m - truth) < 5 * se);
  CHECK(mp - truth > 5 * sep);  // the noise floor tr Σ / B, many standard errors above ‖∇F‖²
}
