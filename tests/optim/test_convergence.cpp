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

// fᵢ(θ) = Σⱼ aᵢⱼ(θⱼ − θ*ⱼ)², i = 0..3, aᵢⱼ ∈ [0.5, 1.5]: strongly convex, and every sample has its
// minimum at θ*, so stochastic methods converge too. θ is a (3,) and a (2,2) tensor.
struct ConvexFiniteSum {
  std::vector<Shape> shapes{{3}, {2, 2}};
  std::vector<double> target{0.7, -1.2, 0.4, 2.0, -0.3, 1.1, -0.8};
  std::vector<std::vector<double>> a{{0.5, 1.0, 1.5, 0.8, 1.2, 0.6, 1.4},
                                     {1.5, 0.7, 0.9, 1.1, 0.5, 1.3, 1.0},
                                     {0.9, 1.4, 0.6, 0.5, 1.5, 1.0, 0.7},
                                     {1.1, 0.5, 1.2, 1.4, 0.8, 0.9, 0.6}};

  data::Dataset<double> data = unlabeled_data(saddle::testing::matrix(a));  // the aᵢ as rows

  TensorList<double> split(const std::vector<double>& flat) const { return saddle::testing::split_flat(shapes, flat); }
  // The mean of fᵢ over the given rows aᵢ.
  Var<double> loss(const std::vector<Var<double>>& x, const Tensor<double>& rows) const {
    const TensorList<double> W = split(saddle::testing::column_means(rows)), X = split(target);
    Var<double> total = sum(Var<double>(W[0]) * square(x[0] - Var<double>(X[0])));
    return total + sum(Var<double>(W[1]) * square(x[1] - Var<double>(X[1])));
  }
};

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
  ConvexFiniteSum problem;
  Objective<double> f([&](const std::vector<Var<double>>& x, const Tensor<double>& rows,
                          const std::vector<Label>&) { return problem.loss(x, rows); },
                      problem.data, sample_range(0, problem.a.size(), problem.a.size()));
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
