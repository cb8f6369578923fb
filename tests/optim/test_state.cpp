// Optimizer state survives an .npz round trip bit for bit; bad hyperparameters, bad state files and
// bad schedules are refused with the name of what is wrong; schedules give the documented η_t.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "saddle/optim.hpp"
#include "problems.hpp"

using namespace saddle;
using saddle::testing::SeparableQuadratic;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("saddle_optim_" + name + ".npz")).string();
}

template <class T>
std::vector<Var<T>> quadratic_params() {
  // the parameters of SeparableQuadratic in precision T
  SeparableQuadratic q;
  TensorList<T> values;
  for (const auto& t : q.split(q.theta0)) values.push_back(Tensor<T>(xt::cast<T>(t)));
  return make_leaves(values, true);
}

template <class T>
void backward(const std::vector<Var<T>>& p) {
  // f = Σ (k+1)·θ² + θ over the tensors: a loss in precision T
  std::optional<Var<T>> total;
  for (std::size_t k = 0; k < p.size(); ++k) {
    Var<T> term = sum(square(p[k]) * T(k + 1) + p[k]);
    total = total ? *total + term : term;
  }
  total->backward();
}

template <class T>
void steps(Optimizer<T>& opt, int count) {
  for (int i = 0; i < count; ++i) {
    opt.zero_grad();
    backward(opt.params());
    opt.step();
  }
}

template <class T>
bool bitwise_equal(const std::vector<Var<T>>& x, const std::vector<Var<T>>& y) {
  for (std::size_t k = 0; k < x.size(); ++k)
    for (std::size_t j = 0; j < x[k].size(); ++j)
      if (std::memcmp(&x[k].value().data()[j], &y[k].value().data()[j], sizeof(T)) != 0) return false;
  return true;
}

// 3 steps, save, load into a fresh optimizer over copies of the parameters, 3 more: the same bits
// as 6 uninterrupted steps.
template <class M, class O>
void check_resume(const std::string& name, O options) {
  using T = typename std::remove_cvref_t<decltype(std::declval<M>().params()[0].value())>::value_type;
  INFO(name);
  auto straight = quadratic_params<T>();
  M uninterrupted(straight, options);
  steps(uninterrupted, 6);

  auto first = quadratic_params<T>();
  M before(first, options);
  steps(before, 3);
  const std::string path = temp_path(name);
  before.save(path);
  std::vector<Var<T>> second;
  for (const auto& p : first) second.emplace_back(p.value(), true);
  M after(second, options);
  after.load(path);
  std::remove(path.c_str());
  CHECK(after.steps() == 3);
  CHECK(after.lr() == before.lr());
  steps(after, 3);
  CHECK(bitwise_equal(after.params(), uninterrupted.params()));
  CHECK(after.lr() == uninterrupted.lr());
}

}  // namespace

TEST_CASE("save, load into a fresh optimizer, resume: bit for bit the uninterrupted run") {
  check_resume<Adam<double>>("Adam", AdamOptions{.lr = 0.1, .weight_decay = 0.01});
  check_resume<AMSGrad<double>>("AMSGrad", AMSGradOptions{.lr = 0.1, .beta2 = 0.5});
  check_resume<AdamHD<double>>("Adam-HD", AdamHDOptions{.lr = 0.05, .hypergrad_lr = 1e-2});
  // float: the learned learning rate is held at float precision, so it too survives exactly
  check_resume<AdamHD<float>>("Adam-HD float", AdamHDOptions{.lr = 0.05, .hypergrad_lr = 1e-2});
  check_resume<Nadam<float>>("Nadam float", NadamOptions{.lr = 0.05});
  // the random generator is part of the state
  check_resume<CNCSGD<double>>("CNC-SGD", CNCSGDOptions{.lr = 0.05, .t_thres = 2, .r = 0.2, .seed = 9});
  check_resume<IsoPGD<double>>("ISO-PGD", IsoPGDOptions{.lr = 0.05, .g_thres = 1e9, .t_thres = 2, .radius = 0.1});
}

TEST_CASE("state_dict: named tensors with scalars as 0-d tensors") {
  auto p = quadratic_params<double>();
  Adam<double> opt(p, {.lr = 0.25});
  steps(opt, 2);
  const auto state = opt.state_dict();
  CHECK(npz_get(state, "step").dimension() == 0);
  CHECK(npz_get(state, "step")() == 2.0);
  CHECK(npz_get(state, "lr")() == 0.25);
  CHECK(npz_get(state, "step.1")() == 2.0);
  CHECK(npz_get(state, "exp_avg.1").shape() == p[1].value().shape());
  CHECK(npz_get(state, "exp_avg_sq.0").shape() == p[0].value().shape());
  CHECK(state.size() == 4 + 4);  // step, lr, step.0, step.1; two moments of two tensors
}

TEST_CASE("load_state_dict refuses a state of another shape, naming the key") {
  auto p = quadratic_params<double>();
  Adam<double> opt(p, {});
  auto state = opt.state_dict();

  SUBCASE("a missing tensor") {
    state.pop_back();
    CHECK_THROWS_WITH_AS(opt.load_state_dict(state),
                         doctest::Contains("7 tensors given, 8 expected; key 'exp_avg_sq.1'"), Error);
  }
  SUBCASE("an extra tensor") {
    state.emplace_back("momentum_buffer.0", zeros_tensor<double>(Shape{3}));
    CHECK_THROWS_WITH_AS(opt.load_state_dict(state), doctest::Contains("key 'momentum_buffer.0' is unexpected"), Error);
  }
  SUBCASE("a tensor of another shape") {
    for (auto& [key, t] : state)
      if (key == "exp_avg.0") t = zeros_tensor<double>(Shape{4});
    CHECK_THROWS_WITH_AS(opt.load_state_dict(state),
                         doctest::Contains("'exp_avg.0' has shape (4,), the optimizer holds (3,)"), Error);
  }
  SUBCASE("a step count that is not a count, leaving the optimizer as it was") {
    steps(opt, 1);
    auto bad = opt.state_dict();
    for (auto& [key, t] : bad)
      if (key == "step.1") t() = 1.5;
    const auto before = opt.state_dict();
    CHECK_THROWS_WITH_AS(opt.load_state_dict(bad), "Adam: load_state_dict: 'step.1' = 1.5 is not a count", Error);
    const auto after = opt.state_dict();
    for (std::size_t k = 0; k < before.size(); ++k) CHECK(after[k].second == before[k].second);
  }
  SUBCASE("another method's state") {
    Momentum<double> other(quadratic_params<double>(), {});
    CHECK_THROWS_AS(opt.load_state_dict(other.state_dict()), Error);
  }
}

TEST_CASE("invalid hyperparameters are refused, naming the parameter and its value") {
  auto p = [] { return quadratic_params<double>(); };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(Adam<double>(p(), {.beta2 = 1.5}), "Adam: beta2 = 1.5 is outside [0, 1)", Error);
  CHECK_THROWS_WITH_AS(Adam<double>(p(), {.beta1 = -0.1}), "Adam: beta1 = -0.1 is outside [0, 1)", Error);
  CHECK_THROWS_WITH_AS(Adam<double>(p(), {.eps = 0}), "Adam: eps = 0 is not positive", Error);
  CHECK_THROWS_WITH_AS(SGD<double>(p(), {.lr = -1}), "SGD: lr = -1 is negative", Error);
  CHECK_THROWS_WITH_AS(SGD<double>(p(), {.lr = nan}), "SGD: lr = nan is not a number", Error);
  CHECK_THROWS_WITH_AS(AdamW<double>(p(), {.weight_decay = -0.5}), "AdamW: weight_decay = -0.5 is negative", Error);
  CHECK_THROWS_WITH_AS(AdamW<double>(p(), {.decoupled_weight_decay = -1}),
                       "AdamW: decoupled_weight_decay = -1 is negative", Error);
  CHECK_THROWS_WITH_AS(Momentum<double>(p(), {.momentum = 1}), "Momentum: momentum = 1 is outside [0, 1)", Error);
  CHECK_THROWS_WITH_AS(Nesterov<double>(p(), {.momentum = nan}), "Nesterov: momentum = nan is outside [0, 1)", Error);
  CHECK_THROWS_WITH_AS(Nadam<double>(p(), {.momentum_decay = -1}), "Nadam: momentum_decay = -1 is negative", Error);
  CHECK_THROWS_WITH_AS(AMSGrad<double>(p(), {.beta2 = 1}), "AMSGrad: beta2 = 1 is outside [0, 1)", Error);
  CHECK_THROWS_WITH_AS(NAMSGrad<double>(p(), {.eps = -1e-8}), "NAMSGrad: eps = -1e-08 is not positive", Error);
  CHECK_THROWS_WITH_AS(Adagrad<double>(p(), {.eps = 0}), "Adagrad: eps = 0 is not positive", Error);
  CHECK_THROWS_WITH_AS(RMSProp<double>(p(), {.alpha = 1.2}), "RMSProp: alpha = 1.2 is outside [0, 1)", Error);
  CHECK_THROWS_WITH_AS(SGDHD<double>(p(), {.hypergrad_lr = -1}), "SGD-HD: hypergrad_lr = -1 is negative", Error);
  CHECK_THROWS_WITH_AS(AdamHD<double>(p(), {.lr = nan}), "Adam-HD: lr = nan is not a number", Error);
  CHECK_THROWS_WITH_AS(PGD<double>(p(), {.radius = 0}), "PGD: radius = 0 is not positive", Error);
  CHECK_THROWS_WITH_AS(IsoPGD<double>(p(), {.t_thres = 0}), "ISO-PGD: t_thres = 0, at least 1 is needed", Error);
  CHECK_THROWS_WITH_AS(CNCPGD<double>(p(), {.r = -0.1}), "CNC-PGD: r = -0.1 is not positive", Error);
  CHECK_THROWS_WITH_AS(CNCSGD<double>(p(), {.lr = -0.1}), "CNC-SGD: lr = -0.1 is negative", Error);
  CHECK_THROWS_WITH_AS(NCD<double>(p(), {.rho = 0}), "NCD: rho = 0 is not positive", Error);
  CHECK_THROWS_WITH_AS(SGD<double>(std::vector<Var<double>>{}, {}), "SGD: the parameter list is empty", Error);
  auto q = p();
  CHECK_THROWS_WITH_AS(SGD<double>({q[0], q[0]}, {}), "SGD: parameters 0 and 1 are the same tensor", Error);
  SGD<double> sgd(p(), {});
  CHECK_THROWS_WITH_AS(sgd.set_lr(-0.5), "SGD: lr = -0.5 is negative", Error);
}

TEST_CASE("schedules: η_t for t = 1, 2, …") {
  CHECK(Schedule::constant(0.1).lr(1000) == 0.1);
  const auto rm = Schedule::robbins_monro(0.1, 10);
  CHECK(rm.lr(10) == doctest::Approx(0.05));
  CHECK(rm.lr(30) == doctest::Approx(0.025));
  CHECK(Schedule::inverse_time(0.3).lr(3) == doctest::Approx(0.1));
  CHECK(Schedule::inverse_sqrt(0.2).lr(4) == doctest::Approx(0.1));
  const auto sd = Schedule::step_decay(1.0, 0.5, 3);
  CHECK(sd.lr(1) == 1.0);
  CHECK(sd.lr(3) == 1.0);
  CHECK(sd.lr(4) == 0.5);
  CHECK(sd.lr(7) == 0.25);
  const auto cos = Schedule::cosine(1.0, 0.1, 10);
  CHECK(cos.lr(1) == 1.0);
  CHECK(cos.lr(6) == doctest::Approx(0.55));
  CHECK(cos.lr(11) == doctest::Approx(0.1));
  CHECK(cos.lr(500) == 0.1);
  CHECK_THROWS_WITH_AS(rm.lr(0), "Schedule robbins_monro: t = 0, steps are numbered from 1", Error);
  CHECK_THROWS_WITH_AS(Schedule::robbins_monro(0.1, 0), "Schedule robbins_monro: tau = 0 is not positive", Error);
  CHECK_THROWS_WITH_AS(Schedule::step_decay(0.1, 1.5, 2), "Schedule step_decay: gamma = 1.5 is outside (0, 1]", Error);
  CHECK_THROWS_WITH_AS(Schedule::cosine(0.1, 0.2, 5), "Schedule cosine: lr_min = 0.2 exceeds lr0 = 0.1", Error);
  const Schedule bad("negative", [](std::size_t) { return -1.0; });
  CHECK_THROWS_WITH_AS(bad.lr(1), "Schedule negative: lr(1) = -1 is not a learning rate", Error);
}

TEST_CASE("apply_schedule sets η_t before step t, with any method") {
  auto p = quadratic_params<double>();
  Momentum<double> opt(p, {.lr = 1.0, .momentum = 0.5});
  const auto sd = Schedule::step_decay(0.2, 0.1, 2);
  std::vector<double> seen;
  for (int t = 1; t <= 5; ++t) {
    apply_schedule(sd, opt);
    seen.push_back(opt.lr());
    opt.zero_grad();
    backward(opt.params());
    opt.step();
  }
  CHECK(seen[0] == 0.2);
  CHECK(seen[1] == 0.2);
  CHECK(seen[2] == doctest::Approx(0.02));
  CHECK(seen[4] == doctest::Approx(0.002));
}
