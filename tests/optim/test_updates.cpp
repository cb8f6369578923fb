// Each method's first three steps on f(θ) = Σ aθ² + bθ against its update equations written out
// here, coordinate by coordinate, from the papers (not from optim/'s code), to 1e-12 in double.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "saddle/optim.hpp"
#include "problems.hpp"

using namespace saddle;
using saddle::testing::flat;
using saddle::testing::max_abs_diff;
using saddle::testing::SeparableQuadratic;

namespace {

constexpr double tol = 1e-12;
constexpr std::size_t n = 7;

// One step of `opt` from the leaves' gradients of f.
void step_from_backward(Optimizer<double>& opt, const SeparableQuadratic& q) {
  opt.zero_grad();
  q.backward(opt.params());
  opt.step();
}

}  // namespace

TEST_CASE("SGD: θ ← θ − η(g + λθ)") {
  SeparableQuadratic q;
  SGD<double> opt(q.params(), {.lr = 0.1, .weight_decay = 0.01});
  std::vector<double> x = q.theta0;
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) x[j] -= 0.1 * (g[j] + 0.01 * x[j]);
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

TEST_CASE("SGD: a parameter without a gradient is left as it is") {
  SeparableQuadratic q;
  auto p = q.params();
  SGD<double> opt(p, {.lr = 0.1});
  sum(square(p[0])).backward();  // only the first tensor gets a gradient
  const Tensor<double> before = p[1].value();
  opt.step();
  CHECK(p[1].value() == before);
  CHECK(p[0].value()(0) == doctest::Approx(1.0 - 0.1 * 2.0));
}

TEST_CASE("Momentum: v ← μv + g, θ ← θ − ηv") {
  SeparableQuadratic q;
  Momentum<double> opt(q.params(), {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.02});
  std::vector<double> x = q.theta0, v(n, 0);
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) {
      v[j] = 0.9 * v[j] + g[j] + 0.02 * x[j];
      x[j] -= 0.1 * v[j];
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

TEST_CASE("Nesterov, reformulated: θ ← θ − η(g + μv)") {
  SeparableQuadratic q;
  Nesterov<double> opt(q.params(), {.lr = 0.1, .momentum = 0.8});
  std::vector<double> x = q.theta0, v(n, 0);
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) {
      v[j] = 0.8 * v[j] + g[j];
      x[j] -= 0.1 * (g[j] + 0.8 * v[j]);
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

TEST_CASE("Nesterov, look-ahead: the gradient is taken at θ − ημv") {
  SeparableQuadratic q;
  auto f = q.objective();
  Nesterov<double> opt(q.params(), {.lr = 0.1, .momentum = 0.8, .form = NesterovForm::look_ahead});
  std::vector<double> x = q.theta0, v(n, 0);
  for (int t = 1; t <= 3; ++t) {
    opt.step(f);
    std::vector<double> phi(n);
    for (std::size_t j = 0; j < n; ++j) phi[j] = x[j] - 0.1 * 0.8 * v[j];
    const auto g = q.grad(phi);
    for (std::size_t j = 0; j < n; ++j) {
      v[j] = 0.8 * v[j] + g[j];
      x[j] -= 0.1 * v[j];
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
  CHECK_THROWS_WITH_AS(opt.step(), doctest::Contains("Nesterov: step() needs the objective"), Error);
  CHECK(opt.steps() == 3);
}

TEST_CASE("Nesterov: the reformulated iterates are the look-ahead points θ − ημv of the other form") {
  SeparableQuadratic q;
  auto f = q.objective();
  Nesterov<double> reformulated(q.params(), {.lr = 0.05, .momentum = 0.9});
  Nesterov<double> look_ahead(q.params(), {.lr = 0.05, .momentum = 0.9, .form = NesterovForm::look_ahead});
  for (int t = 1; t <= 20; ++t) {
    reformulated.step(f);
    look_ahead.step(f);
  }
  const auto state = look_ahead.state_dict();
  std::vector<double> phi = flat(look_ahead.params());
  std::size_t k = 0;
  for (const auto& [key, tensor] : state)
    if (key.rfind("momentum_buffer.", 0) == 0)
      for (std::size_t j = 0; j < tensor.size(); ++j, ++k) phi[k] -= 0.05 * 0.9 * tensor.data()[j];
  CHECK(k == n);
  CHECK(max_abs_diff(flat(reformulated.params()), phi) < tol);
}

TEST_CASE("Adam: Kingma & Ba's Algorithm 1 with bias corrections") {
  SeparableQuadratic q;
  Adam<double> opt(q.params(), {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-3, .weight_decay = 0.05});
  std::vector<double> x = q.theta0, m(n, 0), v(n, 0);
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) {
      g[j] += 0.05 * x[j];
      m[j] = 0.9 * m[j] + 0.1 * g[j];
      v[j] = 0.99 * v[j] + 0.01 * g[j] * g[j];
      const double mhat = m[j] / (1 - std::pow(0.9, t)), vhat = v[j] / (1 - std::pow(0.99, t));
      x[j] -= 0.1 * mhat / (std::sqrt(vhat) + 1e-3);
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

TEST_CASE("AdamW: the decay −ηλ_wθ bypasses the moments") {
  SeparableQuadratic q;
  AdamW<double> opt(q.params(), {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-3, .decoupled_weight_decay = 0.2});
  std::vector<double> x = q.theta0, m(n, 0), v(n, 0);
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) {
      m[j] = 0.9 * m[j] + 0.1 * g[j];
      v[j] = 0.99 * v[j] + 0.01 * g[j] * g[j];
      const double mhat = m[j] / (1 - std::pow(0.9, t)), vhat = v[j] / (1 - std::pow(0.99, t));
      x[j] = x[j] - 0.1 * 0.2 * x[j] - 0.1 * mhat / (std::sqrt(vhat) + 1e-3);
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

namespace {
// Dozat's momentum schedule as PyTorch's NAdam uses it.
double dozat_mu(double beta1, double psi, int t) { return beta1 * (1 - 0.5 * std::pow(0.96, t * psi)); }
}  // namespace

TEST_CASE("Nadam: bias-corrected gradient plus next step's momentum, over √v̂ + ε") {
  SeparableQuadratic q;
  Nadam<double> opt(q.params(), {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-3, .momentum_decay = 0.004});
  std::vector<double> x = q.theta0, m(n, 0), v(n, 0);
  double prod = 1;
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    const double mu = dozat_mu(0.9, 0.004, t), mu_next = dozat_mu(0.9, 0.004, t + 1);
    prod *= mu;
    for (std::size_t j = 0; j < n; ++j) {
      m[j] = 0.9 * m[j] + 0.1 * g[j];
      v[j] = 0.99 * v[j] + 0.01 * g[j] * g[j];
      const double denom = std::sqrt(v[j] / (1 - std::pow(0.99, t))) + 1e-3;
      x[j] -= 0.1 * (1 - mu) / (1 - prod) * g[j] / denom + 0.1 * mu_next / (1 - prod * mu_next) * m[j] / denom;
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

TEST_CASE("AMSGrad: v̂ = max(v̂, v) of the uncorrected v, then Adam's bias corrections") {
  // With a gradient sequence whose magnitude drops, v̂ keeps the larger past value.
  Var<double> x(Tensor<double>{1.0}, true);
  AMSGrad<double> opt({x}, {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.5, .eps = 1e-3});
  const double grads[3] = {2.0, 0.1, 0.3};
  double ref = 1.0, m = 0, v = 0, vmax = 0;
  for (int t = 1; t <= 3; ++t) {
    opt.zero_grad();
    sum(x * grads[t - 1]).backward();
    opt.step();
    const double g = grads[t - 1];
    m = 0.9 * m + 0.1 * g;
    v = 0.5 * v + 0.5 * g * g;
    vmax = std::max(vmax, v);
    ref -= 0.1 * (m / (1 - std::pow(0.9, t))) / (std::sqrt(vmax / (1 - std::pow(0.5, t))) + 1e-3);
    CHECK(std::abs(x.value()(0) - ref) < tol);
  }
  CHECK(vmax > v);  // the maximum mattered

  SUBCASE("bias_correction = false is Reddi et al.'s Algorithm 2: θ ← θ − η m/(√v̂ + ε)") {
    SeparableQuadratic q;
    AMSGrad<double> plain(q.params(), {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-3, .bias_correction = false});
    std::vector<double> y = q.theta0, mm(n, 0), vv(n, 0), vh(n, 0);
    for (int t = 1; t <= 3; ++t) {
      step_from_backward(plain, q);
      const auto g = q.grad(y);
      for (std::size_t j = 0; j < n; ++j) {
        mm[j] = 0.9 * mm[j] + 0.1 * g[j];
        vv[j] = 0.99 * vv[j] + 0.01 * g[j] * g[j];
        vh[j] = std::max(vh[j], vv[j]);
        y[j] -= 0.1 * mm[j] / (std::sqrt(vh[j]) + 1e-3);
      }
      CHECK(max_abs_diff(flat(plain.params()), y) < tol);
    }
  }
}

TEST_CASE("NAMSGrad: Nadam's step over AMSGrad's non-decreasing v̂") {
  Var<double> x(Tensor<double>{1.0, -1.0}, true);
  NAMSGrad<double> opt({x}, {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.5, .eps = 1e-3, .momentum_decay = 0.004});
  const double grads[3][2] = {{2.0, -1.0}, {0.1, 0.5}, {-0.3, 0.2}};
  double ref[2] = {1.0, -1.0}, m[2] = {0, 0}, v[2] = {0, 0}, vmax[2] = {0, 0}, prod = 1;
  for (int t = 1; t <= 3; ++t) {
    opt.zero_grad();
    sum(x * Var<double>(Tensor<double>{grads[t - 1][0], grads[t - 1][1]})).backward();
    opt.step();
    const double mu = dozat_mu(0.9, 0.004, t), mu_next = dozat_mu(0.9, 0.004, t + 1);
    prod *= mu;
    for (int j = 0; j < 2; ++j) {
      const double g = grads[t - 1][j];
      m[j] = 0.9 * m[j] + 0.1 * g;
      v[j] = 0.5 * v[j] + 0.5 * g * g;
      vmax[j] = std::max(vmax[j], v[j]);
      const double denom = std::sqrt(vmax[j] / (1 - std::pow(0.5, t))) + 1e-3;
      ref[j] -= 0.1 * (1 - mu) / (1 - prod) * g / denom + 0.1 * mu_next / (1 - prod * mu_next) * m[j] / denom;
      CHECK(std::abs(x.value()(j) - ref[j]) < tol);
    }
  }
}

TEST_CASE("Adagrad: G ← G + g², θ ← θ − ηg/(√G + ε)") {
  SeparableQuadratic q;
  Adagrad<double> opt(q.params(), {.lr = 0.5, .eps = 1e-10, .initial_accumulator_value = 0.1});
  std::vector<double> x = q.theta0, G(n, 0.1);
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) {
      G[j] += g[j] * g[j];
      x[j] -= 0.5 * g[j] / (std::sqrt(G[j]) + 1e-10);
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

TEST_CASE("RMSProp: v ← αv + (1−α)g², θ ← θ − ηg/(√v + ε)") {
  SeparableQuadratic q;
  RMSProp<double> opt(q.params(), {.lr = 0.05, .alpha = 0.9, .eps = 1e-8});
  std::vector<double> x = q.theta0, v(n, 0);
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) {
      v[j] = 0.9 * v[j] + 0.1 * g[j] * g[j];
      x[j] -= 0.05 * g[j] / (std::sqrt(v[j]) + 1e-8);
    }
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
}

TEST_CASE("SGD-HD: α_t = α_{t−1} + β ∇f(θ_{t−1})·∇f(θ_{t−2}), then θ ← θ − α_t g") {
  SeparableQuadratic q;
  SGDHD<double> opt(q.params(), {.lr = 0.05, .hypergrad_lr = 0.01});
  std::vector<double> x = q.theta0, prev(n, 0);
  double alpha = 0.05;
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    double h = 0;  // ∂f(θ_{t−1})/∂α = g_t · (−g_{t−1})
    for (std::size_t j = 0; j < n; ++j) h -= g[j] * prev[j];
    alpha -= 0.01 * h;
    for (std::size_t j = 0; j < n; ++j) x[j] -= alpha * g[j];
    prev = g;
    CHECK(std::abs(opt.lr() - alpha) < tol);
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
  CHECK(opt.lr() != 0.05);  // the learning rate was learned
}

TEST_CASE("Adam-HD: α_t = α_{t−1} − β ∇f(θ_{t−1})·(−d_{t−1}), d = m̂/(√v̂ + ε)") {
  SeparableQuadratic q;
  AdamHD<double> opt(q.params(), {.lr = 0.05, .hypergrad_lr = 0.01, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-3});
  std::vector<double> x = q.theta0, m(n, 0), v(n, 0), d(n, 0);
  double alpha = 0.05;
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    const auto g = q.grad(x);
    double h = 0;
    for (std::size_t j = 0; j < n; ++j) h += g[j] * -d[j];
    alpha -= 0.01 * h;
    for (std::size_t j = 0; j < n; ++j) {
      m[j] = 0.9 * m[j] + 0.1 * g[j];
      v[j] = 0.99 * v[j] + 0.01 * g[j] * g[j];
      d[j] = (m[j] / (1 - std::pow(0.9, t))) / (std::sqrt(v[j] / (1 - std::pow(0.99, t))) + 1e-3);
      x[j] -= alpha * d[j];
    }
    CHECK(std::abs(opt.lr() - alpha) < tol);
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
  CHECK(opt.lr() != 0.05);
}

// ---- saddle escape: exact gradient steps, and perturbations checked by what they must satisfy ----

TEST_CASE("PGD: a small gradient triggers one perturbation of norm ≤ r, then plain gradient steps") {
  SeparableQuadratic q;
  q.theta0 = {-0.3, 0.1, -1.0 / 6, 4.0 / 15, -0.025, -0.1, 0.29};  // ≈ −b/(2a): ‖∇f‖ ≈ 1e-3
  auto f = q.objective();
  const double eta = 0.1, r = 0.05;
  PGD<double> opt(q.params(), {.lr = eta, .g_thres = 0.01, .t_thres = 5, .radius = r, .seed = 7});
  opt.step(f);
  CHECK(opt.perturbations() == 1);
  // θ₁ = y − η∇f(y) with y = θ₀ + ξ, so y = (θ₁ + ηb)/(1 − 2ηa) coordinatewise.
  std::vector<double> x = flat(opt.params());
  double xi2 = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double y = (x[j] + eta * q.b[j]) / (1 - 2 * eta * q.a[j]);
    xi2 += (y - q.theta0[j]) * (y - q.theta0[j]);
  }
  CHECK(std::sqrt(xi2) <= r);
  CHECK(std::sqrt(xi2) > 0);
  for (int t = 2; t <= 3; ++t) {  // within t_thres of the perturbation: gradient steps only
    opt.step(f);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) x[j] -= eta * g[j];
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
  CHECK(opt.perturbations() == 1);
}

TEST_CASE("PGD's stopping rule: a perturbation at a minimum that f does not leave returns θ̃ after t_thres steps") {
  SeparableQuadratic q;
  q.theta0 = {-0.3, 0.1, -1.0 / 6, 4.0 / 15, -0.025, -0.1, 0.29};  // ≈ −b/(2a), the minimum
  auto f = q.objective();
  PGD<double> opt(q.params(),
                  {.lr = 0.1, .g_thres = 0.01, .t_thres = 5, .radius = 0.05, .f_thres = 1e-3, .seed = 7});
  opt.step(f);
  REQUIRE(opt.perturbations() == 1);  // at t = 1: θ̃ = θ₀
  for (int t = 2; t <= 5; ++t) {
    opt.step(f);
    CHECK_FALSE(opt.stopped());
    CHECK(max_abs_diff(flat(opt.params()), q.theta0) > 0);
  }
  opt.step(f);  // t − t_noise = t_thres and f(θ) − f(θ̃) ≥ 0 > −f_thres: Alg. 2 returns θ̃
  CHECK(opt.stopped());
  CHECK(flat(opt.params()) == q.theta0);
  opt.step(f);  // and stays there
  CHECK(flat(opt.params()) == q.theta0);
  CHECK(opt.perturbations() == 1);
  // Without the rule (f_thres = 0, the default) the same run keeps stepping.
  PGD<double> on(q.params(), {.lr = 0.1, .g_thres = 0.01, .t_thres = 5, .radius = 0.05, .seed = 7});
  for (int t = 1; t <= 7; ++t) on.step(f);
  CHECK_FALSE(on.stopped());
  CHECK(max_abs_diff(flat(on.params()), q.theta0) > 0);
}

TEST_CASE("ISO-PGD: gradient steps, and at t = t_thres a perturbation of norm ≤ r") {
  SeparableQuadratic q;
  const double eta = 0.1, r = 0.05;
  IsoPGD<double> opt(q.params(), {.lr = eta, .g_thres = 1e6, .t_thres = 2, .radius = r, .seed = 3});
  std::vector<double> x = q.theta0;
  for (int t = 1; t <= 3; ++t) {
    step_from_backward(opt, q);
    if (t == 2) {
      const auto now = flat(opt.params());
      double xi2 = 0;
      for (std::size_t j = 0; j < n; ++j) xi2 += (now[j] - x[j]) * (now[j] - x[j]);
      CHECK(std::sqrt(xi2) <= r);
      CHECK(std::sqrt(xi2) > 0);
      x = now;
      continue;
    }
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) x[j] -= eta * g[j];
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
  CHECK(opt.perturbations() == 1);
}

TEST_CASE("CNC-PGD: gradient steps, and at t = t_thres one step −r∇f_z on a single sample z") {
  SeparableQuadratic q;
  auto f = q.objective();
  const double eta = 0.1, r = 0.3;
  CNCPGD<double> opt(q.params(), {.lr = eta, .g_thres = 1e6, .t_thres = 2, .r = r, .seed = 11});
  std::vector<double> x = q.theta0;
  for (int t = 1; t <= 3; ++t) {
    opt.step(f);
    if (t == 2) {
      int matches = 0;
      for (std::size_t z = 0; z < q.c.size(); ++z) {
        auto y = x;
        const auto gz = q.sample_grad(x, z);
        for (std::size_t j = 0; j < n; ++j) y[j] -= r * gz[j];
        matches += max_abs_diff(flat(opt.params()), y) < tol;
      }
      CHECK(matches == 1);
      x = flat(opt.params());
      continue;
    }
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) x[j] -= eta * g[j];
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
  CHECK(opt.perturbations() == 1);
  CHECK(f.sample_gradient_evaluations() == 1);
  CHECK_THROWS_WITH_AS(opt.step(), doctest::Contains("CNC-PGD: step() needs the objective"), Error);
}

TEST_CASE("CNC-SGD: single-sample steps of size η, and of size r every t_thres steps") {
  SeparableQuadratic q;
  auto f = q.objective();
  const double eta = 0.1, r = 0.3;
  CNCSGD<double> opt(q.params(), {.lr = eta, .t_thres = 3, .r = r, .seed = 5});
  std::vector<double> x = q.theta0;
  for (int t = 1; t <= 3; ++t) {
    opt.step(f);
    const double step = t == 3 ? r : eta;
    int matches = 0;
    for (std::size_t z = 0; z < q.c.size(); ++z) {
      auto y = x;
      const auto gz = q.sample_grad(x, z);
      for (std::size_t j = 0; j < n; ++j) y[j] -= step * gz[j];
      matches += max_abs_diff(flat(opt.params()), y) < tol;
    }
    CHECK(matches == 1);
    x = flat(opt.params());
  }
  CHECK(opt.perturbations() == 1);
  CHECK(f.gradient_evaluations() == 0);
}

TEST_CASE("NCD: at a saddle one step of length |λ_min|/ρ along the bottom eigenvector, then gradient steps") {
  SeparableQuadratic q;
  q.a = {0.5, 1.0, -1.5, 0.75, 2.0, -0.5, 0.6};  // Hessian diag(2a): λ_min = −3 along coordinate 2
  for (std::size_t j = 0; j < n; ++j) q.theta0[j] = -q.b[j] / (2 * q.a[j]);  // the saddle
  auto f = q.objective();
  const double eta = 0.05, rho = 2;
  NCD<double> opt(q.params(), {.lr = eta, .g_thres = 1e-6, .eps_h = 0.1, .rho = rho, .seed = 1});
  opt.step(f);
  CHECK(opt.curvature_steps() == 1);
  CHECK(opt.last_lambda_min() == doctest::Approx(-3.0).epsilon(1e-12));
  std::vector<double> x = flat(opt.params());
  for (std::size_t j = 0; j < n; ++j) {
    const double moved = x[j] - q.theta0[j];
    if (j == 2)
      CHECK(std::abs(std::abs(moved) - 3.0 / rho) < tol);
    else
      CHECK(std::abs(moved) < tol);
  }
  for (int t = 2; t <= 3; ++t) {  // ‖∇f‖ = 2|a₂|·1.5 = 4.5 now: gradient steps
    opt.step(f);
    const auto g = q.grad(x);
    for (std::size_t j = 0; j < n; ++j) x[j] -= eta * g[j];
    CHECK(max_abs_diff(flat(opt.params()), x) < tol);
  }
  CHECK(opt.curvature_steps() == 1);
  CHECK(opt.eigen_solves() == 1);
  CHECK(opt.hessian_vector_products() == f.hvp_evaluations());
}
