// The list of optimizers (saddle/optim/registry.hpp) as a specification that every method in it
// meets, in float and in double: a name a command line can carry and a line of description;
// registered defaults and ranges that are the ones its constructor holds; descent on a small convex
// finite sum; its state saved and restored bit for bit. A method added to the list is checked here
// without a line of this file changing.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "saddle/autodiff/ops.hpp"
#include "saddle/optim.hpp"
#include "tests/optim/problems.hpp"
#include "tests/temp_dir.hpp"

using namespace saddle;

namespace {

using saddle::testing::ConvexFiniteSum;

template <class T>
bool same_bits(const Tensor<T>& x, const Tensor<T>& y) {
  return x.shape() == y.shape() && std::memcmp(x.data(), y.data(), x.size() * sizeof(T)) == 0;
}

template <class T>
bool same_bits(const std::vector<Var<T>>& x, const std::vector<Var<T>>& y) {
  for (std::size_t k = 0; k < x.size(); ++k)
    if (!same_bits(x[k].value(), y[k].value())) return false;
  return true;
}

// Settings under which the saddle-escape methods perturb within a few steps: every gradient is
// "small" and the period is 2 (for the methods that have these hyperparameters).
OptimizerSettings perturbing(const OptimizerMethod& m) {
  OptimizerSettings s{.seed = 11};
  if (m.find("g_thres")) s.hyperparameters["g_thres"] = 1e9;
  if (m.find("t_thres")) s.hyperparameters["t_thres"] = 2;
  return s;
}

template <class T>
void check_descent(const OptimizerMethod& m) {
  INFO(m.name(), " in ", sizeof(T) == 4 ? "float" : "double");
  ConvexFiniteSum<T> problem;
  Objective<T> f = problem.objective();
  auto opt = m.make<T>(problem.params());
  const T before = f.loss(values_of(opt->params()));
  for (int t = 0; t < 20; ++t) opt->step(f);
  const T after = f.loss(values_of(opt->params()));
  CHECK(opt->steps() == 20);
  CHECK(std::isfinite(after));
  CHECK(after < before);
}

// 3 steps, save to .npz, load into a fresh optimizer over copies of the parameters, 3 more: the
// same bits, parameters and state, as 6 uninterrupted steps.
template <class T>
void check_resume(const OptimizerMethod& m) {
  INFO(m.name(), " in ", sizeof(T) == 4 ? "float" : "double");
  ConvexFiniteSum<T> problem;
  Objective<T> f = problem.objective();
  const OptimizerSettings settings = perturbing(m);
  auto uninterrupted = m.make<T>(problem.params(), settings);
  for (int t = 0; t < 6; ++t) uninterrupted->step(f);

  auto before = m.make<T>(problem.params(), settings);
  for (int t = 0; t < 3; ++t) before->step(f);
  saddle::testing::TempDir dir;
  before->save(dir / "state.npz");
  std::vector<Var<T>> copies;
  for (const auto& p : before->params()) copies.emplace_back(p.value(), true);
  auto after = m.make<T>(copies, settings);
  after->load(dir / "state.npz");
  CHECK(after->steps() == 3);
  for (int t = 0; t < 3; ++t) after->step(f);

  CHECK(same_bits(after->params(), uninterrupted->params()));
  const NamedTensors<T> resumed = after->state_dict(), straight = uninterrupted->state_dict();
  REQUIRE(resumed.size() == straight.size());
  for (std::size_t k = 0; k < resumed.size(); ++k) {
    INFO(resumed[k].first);
    CHECK(resumed[k].first == straight[k].first);
    CHECK(same_bits(resumed[k].second, straight[k].second));
  }
}

// A value just outside the range, and one on its edge inside it.
std::optional<double> outside(HyperparameterRange r) {
  switch (r) {
    case HyperparameterRange::unit_interval:
      return 1.0;
    case HyperparameterRange::positive:
      return 0.0;
    case HyperparameterRange::nonnegative:
      return -0.5;
    case HyperparameterRange::positive_count:
      return 0.0;
    case HyperparameterRange::count:
      return std::nullopt;  // every count is in it
  }
  return std::nullopt;
}
double edge(HyperparameterRange r) {
  switch (r) {
    case HyperparameterRange::positive:
      return 1e-12;
    case HyperparameterRange::positive_count:
      return 1.0;
    default:
      return 0.0;
  }
}

}  // namespace

// [a-z][a-z0-9]*(-[a-z0-9]+)*: lower case, words joined by single hyphens. (Not std::regex, whose
// std::function members trip g++ 12's -Wmaybe-uninitialized under the sanitizers.)
static bool is_cli_name(const std::string& s) {
  if (s.empty() || s.front() < 'a' || s.front() > 'z' || s.back() == '-') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && s[i - 1] != '-');
    if (!ok) return false;
  }
  return true;
}

TEST_CASE("the list: names a command line can carry, each once, with a line of description") {
  const auto& methods = optimizer_methods();
  CHECK(methods.size() >= 18);
  std::set<std::string> names;
  for (const auto& m : methods) {
    INFO(m.name());
    CHECK(is_cli_name(m.name()));
    CHECK(names.insert(m.name()).second);
    CHECK(!m.description().empty());
    CHECK(m.description().find('\n') == std::string::npos);
    CHECK(&find_optimizer(m.name()) == &m);
    std::set<std::string> own;
    for (const auto& h : m.hyperparameters()) {
      CHECK(own.insert(h.name).second);
      CHECK(h.name != "lr");
      CHECK(h.name != "weight_decay");
      CHECK(!h.help.empty());
    }
  }
}

TEST_CASE("the list: lr, weight decay and seed reach the method; its default learning rate is the registered one") {
  ConvexFiniteSum<double> problem;
  for (const auto& m : optimizer_methods()) {
    INFO(m.name());
    CHECK(m.default_lr() > 0);
    CHECK(m.make<double>(problem.params())->lr() == m.default_lr());
    CHECK(m.make<float>(ConvexFiniteSum<float>().params())->lr() == double(float(m.default_lr())));
    CHECK(m.make<double>(problem.params(), {.lr = 0.125})->lr() == 0.125);
    CHECK_THROWS_WITH_AS(m.make<double>(problem.params(), {.weight_decay = -1}),
                         doctest::Contains("weight_decay = -1 is negative"), Error);
  }
}

TEST_CASE(
    "every registered hyperparameter: its default in its range; its constructor refuses just outside, naming it") {
  ConvexFiniteSum<double> problem;
  for (const auto& m : optimizer_methods())
    for (const auto& h : m.hyperparameters()) {
      INFO(m.name(), " ", h.name);
      CHECK(in_range(h.range, h.default_value));
      CHECK(in_range(h.range, edge(h.range)));
      CHECK_NOTHROW(m.make<double>(problem.params(), {.hyperparameters = {{h.name, edge(h.range)}}}));
      if (const auto bad = outside(h.range)) {
        CHECK(!in_range(h.range, *bad));
        CHECK_THROWS_WITH_AS(m.make<double>(problem.params(), {.hyperparameters = {{h.name, *bad}}}),
                             doctest::Contains((": " + h.name + " = ").c_str()), Error);
      }
      if (is_count(h.range))
        CHECK_THROWS_WITH_AS(m.make<double>(problem.params(), {.hyperparameters = {{h.name, 2.5}}}),
                             doctest::Contains((h.name + " = 2.5 is not a whole number").c_str()), Error);
    }
}

TEST_CASE("every registered method descends on a convex finite sum, in float and double") {
  for (const auto& m : optimizer_methods()) {
    check_descent<float>(m);
    check_descent<double>(m);
  }
}

TEST_CASE("every registered method: save, load into a fresh optimizer, resume: bit for bit the uninterrupted run") {
  for (const auto& m : optimizer_methods()) {
    check_resume<float>(m);
    check_resume<double>(m);
  }
}

TEST_CASE("the factory builds what the constructor builds: the same steps bit for bit") {
  ConvexFiniteSum<double> problem;
  Objective<double> f = problem.objective();
  auto registered = find_optimizer("nesterov-lookahead")
                        .make<double>(problem.params(), {.lr = 0.05, .hyperparameters = {{"momentum", 0.5}}});
  Nesterov<double> direct(problem.params(), {.lr = 0.05, .momentum = 0.5, .form = NesterovForm::look_ahead});
  auto cnc = find_optimizer("cnc-pgd").make<double>(
      problem.params(),
      {.lr = 0.05, .weight_decay = 0.01, .seed = 5, .hyperparameters = {{"g_thres", 1e9}, {"t_thres", 2}, {"r", 0.2}}});
  CNCPGD<double> cnc_direct(problem.params(),
                            {.lr = 0.05, .g_thres = 1e9, .t_thres = 2, .r = 0.2, .seed = 5, .weight_decay = 0.01});
  for (int t = 0; t < 5; ++t) {
    registered->step(f);
    direct.step(f);
    cnc->step(f);
    cnc_direct.step(f);
  }
  CHECK(same_bits(registered->params(), direct.params()));
  CHECK(same_bits(cnc->params(), cnc_direct.params()));
  CHECK(cnc_direct.perturbations() > 0);
}

TEST_CASE("the list refuses an unknown method and a hyperparameter the method does not have, naming them") {
  CHECK_THROWS_WITH_AS(find_optimizer("lbfgs"), doctest::Contains("unknown optimizer 'lbfgs' (one of: sgd, momentum"),
                       Error);
  ConvexFiniteSum<double> problem;
  CHECK_THROWS_WITH_AS(find_optimizer("sgd").make<double>(problem.params(), {.hyperparameters = {{"momentum", 0.9}}}),
                       "sgd has no hyperparameter 'momentum' (it has none besides lr and weight_decay)", Error);
  CHECK_THROWS_WITH_AS(find_optimizer("adam").make<double>(problem.params(), {.hyperparameters = {{"beta", 0.9}}}),
                       "adam has no hyperparameter 'beta' (it has: beta1, beta2, eps)", Error);
}
