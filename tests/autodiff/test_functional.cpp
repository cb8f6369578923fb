// The functional API against Hessians known in closed form (to 1e-8 relative, in double),
// forward mode against finite differences, and the public checkers' verdicts.
#include <doctest/doctest.h>

#include <random>

#include "saddle/autodiff.hpp"
#include "saddle/autodiff/rule.hpp"
#include "tests/tensor_helpers.hpp"

using namespace saddle;
using saddle::testing::randn;

namespace {
double max_rel_diff(const Tensor<double>& a, const Tensor<double>& b) {
  double num = 0, den = 1e-300;
  for (std::size_t i = 0; i < a.size(); ++i) {
    num = std::max(num, std::abs(a.data()[i] - b.data()[i]));
    den = std::max(den, std::abs(b.data()[i]));
  }
  return num / den;
}

// y = M·v for a dense (n × n) M and v flattened from a list.
Tensor<double> dense_times(const Tensor<double>& M, const TensorList<double>& v) {
  std::vector<double> flat;
  for (const auto& t : v) flat.insert(flat.end(), t.begin(), t.end());
  Tensor<double> y = zeros_tensor<double>(Shape{flat.size()});
  for (std::size_t i = 0; i < flat.size(); ++i)
    for (std::size_t j = 0; j < flat.size(); ++j) y(i) += M(i, j) * flat[j];
  return y;
}

Tensor<double> flat_concat(const TensorList<double>& v) {
  std::vector<double> flat;
  for (const auto& t : v) flat.insert(flat.end(), t.begin(), t.end());
  Tensor<double> y = zeros_tensor<double>(Shape{flat.size()});
  std::copy(flat.begin(), flat.end(), y.begin());
  return y;
}
}  // namespace

TEST_CASE("hvp of a quadratic ½xᵀAx + bᵀx is A·v, and its gradient is Ax + b") {
  std::mt19937_64 rng(3);
  const std::size_t n = 6;
  Tensor<double> B = randn({n, n}, rng);
  Tensor<double> A = zeros_tensor<double>(Shape{n, n});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) A(i, j) = B(i, j) + B(j, i);
  const Tensor<double> b = randn({n, 1}, rng), x = randn({n, 1}, rng), v = randn({n, 1}, rng);
  auto f = [&](const std::vector<Var<double>>& p) {
    return 0.5 * sum(p[0] * matmul(Var<double>(A), p[0])) + sum(Var<double>(b) * p[0]);
  };
  const HvpResult<double> r = value_grad_hvp(f, TensorList<double>{x}, TensorList<double>{v});
  Tensor<double> Ax = zeros_tensor<double>(Shape{n, 1}), Av = zeros_tensor<double>(Shape{n, 1});
  double value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      Ax(i, 0) += A(i, j) * x(j, 0);
      Av(i, 0) += A(i, j) * v(j, 0);
    }
  }
  for (std::size_t i = 0; i < n; ++i) value += 0.5 * x(i, 0) * Ax(i, 0) + b(i, 0) * x(i, 0);
  CHECK(r.value == doctest::Approx(value).epsilon(1e-12));
  CHECK(max_rel_diff(r.grad[0], Ax + b) < 1e-12);
  CHECK(max_rel_diff(r.hvp[0], Av) < 1e-12);
}

TEST_CASE("hvp of Σ c·g(x) is c·g''(x)·v for each elementary function") {
  std::mt19937_64 rng(5);
  const Tensor<double> c = randn({7}, rng), v = randn({7}, rng);
  Tensor<double> x = randn({7}, rng);
  for (auto& e : x) e = 0.4 + std::abs(e);  // in every function's domain
  struct Case {
    const char* name;
    std::function<Var<double>(const Var<double>&)> g;
    std::function<double(double)> g2;  // the second derivative, by hand
  };
  const auto s = [](double u) { return 1 / (1 + std::exp(-u)); };
  const std::vector<Case> cases = {
      {"exp", [](const Var<double>& u) { return exp(u); }, [](double u) { return std::exp(u); }},
      {"log", [](const Var<double>& u) { return log(u); }, [](double u) { return -1 / (u * u); }},
      {"sqrt", [](const Var<double>& u) { return sqrt(u); }, [](double u) { return -0.25 * std::pow(u, -1.5); }},
      {"pow 2.5", [](const Var<double>& u) { return pow(u, 2.5); }, [](double u) { return 2.5 * 1.5 * std::pow(u, 0.5); }},
      {"square", [](const Var<double>& u) { return square(u); }, [](double) { return 2.0; }},
      {"tanh", [](const Var<double>& u) { return tanh(u); },
       [](double u) { const double t = std::tanh(u); return -2 * t * (1 - t * t); }},
      {"sigmoid", [](const Var<double>& u) { return sigmoid(u); },
       [s](double u) { return s(u) * (1 - s(u)) * (1 - 2 * s(u)); }},
      {"softplus", [](const Var<double>& u) { return softplus(u); }, [s](double u) { return s(u) * (1 - s(u)); }},
      {"reciprocal", [](const Var<double>& u) { return 1.0 / u; }, [](double u) { return 2 / (u * u * u); }},
  };
  for (const auto& k : cases) {
    CAPTURE(k.name);
    auto f = [&](const std::vector<Var<double>>& p) { return sum(Var<double>(c) * k.g(p[0])); };
    const Tensor<double> hv = hvp(f, TensorList<double>{x}, TensorList<double>{v})[0];
    Tensor<double> expected = zeros_tensor<double>(Shape{7});
    for (std::size_t i = 0; i < 7; ++i) expected(i) = c(i) * k.g2(x(i)) * v(i);
    CHECK(max_rel_diff(hv, expected) < 1e-12);
  }
}

TEST_CASE("hvp of softmax regression equals the closed-form Hessian (diag p − ppᵀ) ⊗ xxᵀ") {
  std::mt19937_64 rng(11);
  const std::size_t N = 9, d = 5, K = 4;
  const Tensor<double> X = randn({N, d}, rng);
  std::vector<Label> t(N);
  for (auto& l : t) l = Label(rng() % K);
  const TensorList<double> theta{randn({d, K}, rng), randn({K}, rng)};
  auto f = [&](const std::vector<Var<double>>& p) {
    return -mean(pick(log_softmax(matmul(Var<double>(X), p[0]) + p[1], 1), t));
  };
  // H over (W row-major, then b): for sample n with features x̃ = (x, 1) per block,
  // H[(i,k),(j,l)] = (1/N) Σ_n x̃_i x̃_j (δ_kl p_k − p_k p_l).
  const std::size_t n = d * K + K;
  Tensor<double> H = zeros_tensor<double>(Shape{n, n});
  for (std::size_t s = 0; s < N; ++s) {
    std::vector<double> z(K, 0), p(K);
    for (std::size_t k = 0; k < K; ++k) {
      z[k] = theta[1](k);
      for (std::size_t i = 0; i < d; ++i) z[k] += X(s, i) * theta[0](i, k);
    }
    double m = *std::max_element(z.begin(), z.end()), Z = 0;
    for (std::size_t k = 0; k < K; ++k) Z += std::exp(z[k] - m);
    for (std::size_t k = 0; k < K; ++k) p[k] = std::exp(z[k] - m) / Z;
    auto feature = [&](std::size_t i) { return i < d ? X(s, i) : 1.0; };
    auto index = [&](std::size_t i, std::size_t k) { return i < d ? i * K + k : d * K + k; };
    for (std::size_t i = 0; i <= d; ++i)
      for (std::size_t j = 0; j <= d; ++j)
        for (std::size_t k = 0; k < K; ++k)
          for (std::size_t l = 0; l < K; ++l)
            H(index(i, k), index(j, l)) += feature(i) * feature(j) * ((k == l) * p[k] - p[k] * p[l]) / N;
  }
  for (int trial = 0; trial < 3; ++trial) {
    const TensorList<double> v{randn({d, K}, rng), randn({K}, rng)};
    const Tensor<double> got = flat_concat(hvp(f, theta, v));
    CHECK(max_rel_diff(got, dense_times(H, v)) < 1e-8);
  }
  // and hessian() assembles the same matrix column by column
  CHECK(max_rel_diff(hessian(f, theta), H) < 1e-8);
}

TEST_CASE("jvp agrees with finite differences and with ∇f·v for a scalar f") {
  std::mt19937_64 rng(8);
  const TensorList<double> x{randn({3, 4}, rng), randn({4, 2}, rng)}, v{randn({3, 4}, rng), randn({4, 2}, rng)};
  auto net = [](const std::vector<Var<double>>& p) { return softplus(matmul(tanh(p[0]), p[1])); };
  const CheckReport r = jvpcheck(net, x, v);
  CHECK_MESSAGE(r.ok, r.message);
  auto scalar = [&](const std::vector<Var<double>>& p) { return sum(net(p)); };
  const double dir = jvp(scalar, x, v).second();
  const TensorList<double> g = grad(scalar, x);
  double gv = 0;
  for (std::size_t k = 0; k < 2; ++k)
    for (std::size_t i = 0; i < g[k].size(); ++i) gv += g[k].data()[i] * v[k].data()[i];
  CHECK(dir == doctest::Approx(gv).epsilon(1e-12));
}

TEST_CASE("the adjoints taken from the leaves: moved from the call's own, copied from one f kept") {
  // f(a, b, c) = Σ a²·b, c unused: ∇_a = 2ab, ∇_b = a², ∇_c = 0; H·v = (2b·v_a + 2a·v_b, 2a·v_a, 0).
  std::mt19937_64 rng(11);
  const TensorList<double> x{randn({2, 3}, rng), randn({2, 3}, rng), randn({4}, rng)};
  const TensorList<double> v{randn({2, 3}, rng), randn({2, 3}, rng), randn({4}, rng)};
  std::vector<Var<double>> kept;  // a handle f keeps on b: b's adjoint must stay readable through it
  auto f = [&](const std::vector<Var<double>>& p) {
    kept = {p[1]};
    return sum(p[0] * p[0] * p[1]);
  };
  const HvpResult<double> r = value_grad_hvp(f, x, v);
  const ValueAndGrad<double> g = value_and_grad(f, x);
  const Tensor<double>& a = x[0];
  const Tensor<double>& b = x[1];
  const Tensor<double> grad_a = 2.0 * a * b, grad_b = a * a;
  const Tensor<double> hv_a = 2.0 * b * v[0] + 2.0 * a * v[1], hv_b = 2.0 * a * v[0];
  for (const TensorList<double>* grad : {&r.grad, &g.grad}) {
    CHECK(max_rel_diff((*grad)[0], grad_a) < 1e-15);
    CHECK(max_rel_diff((*grad)[1], grad_b) < 1e-15);
    CHECK((*grad)[2] == zeros_tensor<double>(Shape{4}));
  }
  CHECK(max_rel_diff(r.hvp[0], hv_a) < 1e-15);
  CHECK(max_rel_diff(r.hvp[1], hv_b) < 1e-15);
  CHECK(r.hvp[2] == zeros_tensor<double>(Shape{4}));
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].grad() == g.grad[1]);  // the last call's b, still holding its gradient
}

TEST_CASE("logits of ±1e4 give finite log-softmax, gradient and hvp") {
  const TensorList<double> z{Tensor<double>{{1e4, -1e4, 0.0}, {-1e4, 1e4, 1e4}}};
  const TensorList<double> v{Tensor<double>{{1.0, 2.0, 3.0}, {-1.0, 0.5, 2.0}}};
  auto f = [](const std::vector<Var<double>>& p) { return -mean(pick(log_softmax(p[0], 1), std::vector<Label>{1, 2})); };
  const HvpResult<double> r = value_grad_hvp(f, z, v);
  CHECK(std::isfinite(r.value));
  CHECK(r.value == doctest::Approx((2e4 + std::log(2.0)) / 2));
  for (const auto& t : {r.grad[0], r.hvp[0]})
    for (double e : t) CHECK(std::isfinite(e));
  CHECK(r.grad[0](0, 1) == doctest::Approx(-0.5));  // (softmax − onehot)/N: (0 − 1)/2
  CHECK(r.grad[0](1, 2) == doctest::Approx(-0.25)); // (½ − 1)/2
}

TEST_CASE("the checkers reject a wrong derivative and name the worst entry") {
  // A function whose VJP is deliberately wrong: y = x³ with a VJP of 2x² instead of 3x².
  auto wrong = [](const std::vector<Var<double>>& p) {
    const Var<double> cube = define_op<double>(
        "wrong_cube", [](const auto& x) { return x * x * x; },
        [](const auto& g, const auto&, const auto& x, auto& gx) {
          if (gx) gx = g * x * x * 2.0;
        },
        p[0]);
    return sum(cube);
  };
  const TensorList<double> x{Tensor<double>{0.5, 1.5, -2.0}};
  const CheckReport r = gradcheck(wrong, x);
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("input 0 entry (2)") != std::string::npos);
  CHECK(r.message.find("MISMATCH") != std::string::npos);
  CHECK(gradcheck(wrong, x).max_error > 1e3);
}

TEST_CASE("hvpcheck catches a wrong tangent rule that gradcheck cannot see") {
  // y = x³ with the right VJP (3x²) but a forward tangent of 2x²·ẋ instead of 3x²·ẋ;
  // f = Σ y² reads y's tangent in its own VJP, so only the Hessian-vector product is wrong.
  auto bad_tangent = [](const std::vector<Var<double>>& p) {
    const Var<double> cube = define_op<double>(
        "bad_tangent_cube",
        [](const auto& x) {
          Dual<double> y = x * x * x;
          if (x.t) y.t = (x * x * 2.0).v * *x.t;
          return y;
        },
        [](const auto& g, const auto&, const auto& x, auto& gx) {
          if (gx) gx = g * x * x * 3.0;
        },
        p[0]);
    return sum(square(cube));
  };
  const TensorList<double> x{Tensor<double>{0.5, 1.5, -2.0}}, v{Tensor<double>{1.0, -1.0, 0.5}};
  CHECK(gradcheck(bad_tangent, x).ok);
  const CheckReport h = hvpcheck(bad_tangent, x, v);
  CHECK_FALSE(h.ok);
  CHECK(h.message.find("hvpcheck: MISMATCH") != std::string::npos);
}
