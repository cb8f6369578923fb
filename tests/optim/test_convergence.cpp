// Every method reaches the minimiser of a convex quadratic; Adam fails and AMSGrad succeeds on
// Reddi, Kale and Kumar's online counterexample.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "saddle/optim.hpp"
#include "problems.hpp"

using namespace saddle;

namespace {

using Factory = std::function<std::unique_ptr<Optimizer<double>>(std::vector<Var<double>>)>;

struct Case {
  std::string name;
  Factory make;
  int steps;
};

template <class M, class O>
Factory make(O opt) {
  return [opt](std::vector<Var<double>> p) { return std::make_unique<M>(std::move(p), opt); };
}

}  // namespace

TEST_CASE("every method converges on a convex quadratic: ‖θ − θ*‖ < 1e-3") {
  const saddle::testing::ConvexFiniteSum<double> problem;
  const Objective<double> f = problem.objective();
  const std::vector<Case> cases{
      {"SGD", make<SGD<double>>(SGDOptions{.lr = 0.2}), 200},
      {"Momentum", make<Momentum<double>>(MomentumOptions{.lr = 0.1, .momentum = 0.5}), 200},
      {"Nesterov", make<Nesterov<double>>(NesterovOptions{.lr = 0.1, .momentum = 0.5}), 200},
      {"Nesterov look-ahead",
       make<Nesterov<double>>(NesterovOptions{.lr = 0.1, .momentum = 0.5, .form = NesterovForm::look_ahead}), 200},
      {"Adam", make<Adam<double>>(AdamOptions{.lr = 0.05}), 1500},
      // decoupled decay moves the fixed point away from θ* (by ~1e-5 at this λ_w)
      {"AdamW", make<AdamW<double>>(AdamWOptions{.lr = 0.05, .decoupled_weight_decay = 1e-4}), 1500},
      {"Nadam", make<Nadam<double>>(NadamOptions{.lr = 0.05}), 1500},
      {"AMSGrad", make<AMSGrad<double>>(AMSGradOptions{.lr = 0.05}), 1500},
      {"NAMSGrad", make<NAMSGrad<double>>(NAMSGradOptions{.lr = 0.05}), 1500},
      {"Adagrad", make<Adagrad<double>>(AdagradOptions{.lr = 0.5}), 500},
      {"RMSProp", make<RMSProp<double>>(RMSPropOptions{.lr = 0.01}), 1500},
      {"SGD-HD", make<SGDHD<double>>(SGDHDOptions{.lr = 0.05, .hypergrad_lr = 1e-3}), 300},
      {"Adam-HD", make<AdamHD<double>>(AdamHDOptions{.lr = 0.05, .hypergrad_lr = 1e-4}), 1500},
      {"PGD", make<PGD<double>>(PGDOptions{.lr = 0.2, .g_thres = 1e-4, .t_thres = 10, .radius = 1e-5}), 200},
      {"ISO-PGD", make<IsoPGD<double>>(IsoPGDOptions{.lr = 0.2, .g_thres = 1e-8, .t_thres = 10, .radius = 1e-5}), 200},
      {"CNC-PGD", make<CNCPGD<double>>(CNCPGDOptions{.lr = 0.2, .g_thres = 1e-8, .t_thres = 10, .r = 0.4}), 200},
      {"CNC-SGD", make<CNCSGD<double>>(CNCSGDOptions{.lr = 0.1, .t_thres = 10, .r = 0.3}), 400},
      {"NCD", make<NCD<double>>(NCDOptions{.lr = 0.2}), 200},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto opt = c.make(make_leaves(problem.split(std::vector<double>(7, 0.0)), true));
    for (int t = 0; t < c.steps; ++t) opt->step(f);
    const auto x = saddle::testing::flat(opt->params());
    double d2 = 0;
    for (std::size_t j = 0; j < 7; ++j) d2 += (x[j] - problem.target[j]) * (x[j] - problem.target[j]);
    CHECK(std::sqrt(d2) < 1e-3);
  }
}

namespace {

// Reddi et al. 2018, §3: f_t(x) = Cx when t mod 3 = 1, else −x, on [−1, 1]. The average regret is
// minimised at x = −1, yet with β₁ = 0, β₂ = 1/(1 + C²) Adam's rare large gradient C is damped by
// v so that the two −1 gradients win: Adam drifts to x = +1.
template <class Method, class Options>
double reddi_average_of_last_iterates(Options options) {
  constexpr double C = 3;
  Var<double> x(Tensor<double>{0.0}, true);
  Method opt({x}, options);
  const Schedule alpha_t = Schedule::inverse_sqrt(0.5);  // α_t = α/√t
  double tail = 0;
  const int T = 3000, last = 300;
  for (int t = 1; t <= T; ++t) {
    opt.zero_grad();
    sum(x * (t % 3 == 1 ? C : -1.0)).backward();
    apply_schedule(alpha_t, opt);
    opt.step();
    double& xv = x.mutable_value()(0);
    xv = std::clamp(xv, -1.0, 1.0);  // projection onto the feasible set
    if (t > T - last) tail += xv / last;
  }
  return tail;
}

}  // namespace

TEST_CASE("Reddi et al.'s counterexample: Adam drifts to x = +1, AMSGrad converges toward x = −1") {
  const double beta2 = 1.0 / (1 + 3.0 * 3.0);
  const double adam = reddi_average_of_last_iterates<Adam<double>>(AdamOptions{.beta1 = 0, .beta2 = beta2});
  const double amsgrad = reddi_average_of_last_iterates<AMSGrad<double>>(AMSGradOptions{.beta1 = 0, .beta2 = beta2});
  CHECK(adam > 0.9);
  CHECK(amsgrad < -0.9);
}
