// The rule author's header: an elementwise op from one user-written row gets its first and second
// derivatives right, and define_op records a user's op like the engine's own.
#include <doctest/doctest.h>

#include <cmath>

#include "op_harness.hpp"
#include "saddle/autodiff/rule.hpp"

using namespace saddle;

namespace {

// r(x) = x/(1 + x²): a rational function with r'' ≠ 0 everywhere but at 0 and ±√3.
struct Rational {
  static constexpr const char* name = "rational";
  template <class N>
  N value(const N& x) const {
    return x / (1 + x * x);
  }
  template <class N>
  N derivative(const N& x, const N&) const {
    return (1 - x * x) / saddle::square(1 + x * x);
  }
};

// Closed forms, derived by hand: r' = (1 − x²)/(1 + x²)², r'' = 2x(x² − 3)/(1 + x²)³.
double r1(double x) { return (1 - x * x) / std::pow(1 + x * x, 2); }
double r2(double x) { return 2 * x * (x * x - 3) / std::pow(1 + x * x, 3); }

template <class T>
Var<T> rational(const Var<T>& x) {
  return elementwise<Rational>(x);
}

}  // namespace

TEST_CASE("a user's row gives the gradient r'(x) and the Hessian-vector product r''(x)·v") {
  const Tensor<double> x{-2.0, -0.7, 0.3, 1.1, 2.5};
  const Tensor<double> v{0.5, -1.0, 2.0, 0.25, -0.75};
  auto f = [](const std::vector<Var<double>>& p) { return sum(rational(p[0])); };
  const HvpResult<double> r = value_grad_hvp(f, TensorList<double>{x}, TensorList<double>{v});
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x(i));
    CHECK(r.grad[0](i) == doctest::Approx(r1(x(i))).epsilon(1e-14));
    CHECK(r.hvp[0](i) == doctest::Approx(r2(x(i)) * v(i)).epsilon(1e-13));
  }
}

TEST_CASE("a user's row passes the op harness: gradient, HVP, symmetry, tangent, float") {
  testing::check_op(
      testing::op_case("rational", {{3, 4}}, testing::Domain::any, [](const auto& x) { return rational(x[0]); }));
}

TEST_CASE("a row evaluated on a jet gives the value and the directional derivative") {
  const Jet<double> y = elementwise(Jet<double>{0.4, 2.0}, Rational{});
  CHECK(y.v == doctest::Approx(0.4 / 1.16));
  CHECK(y.t == doctest::Approx(r1(0.4) * 2.0));
  const Jet<double> d = Rational{}.derivative(Jet<double>{0.4, 2.0}, y);
  CHECK(d.v == doctest::Approx(r1(0.4)));
  CHECK(d.t == doctest::Approx(r2(0.4) * 2.0));  // the second derivative, from the first written once
  const Jet<double> t = tanh(Jet<double>{0.4, 3.0});
  CHECK(t.v == doctest::Approx(std::tanh(0.4)));
  CHECK(t.t == doctest::Approx((1 - std::tanh(0.4) * std::tanh(0.4)) * 3.0));
}

TEST_CASE("a row's derivative on a jet holds a value-only mask: relu's step has no tangent") {
  const Jet<double> d = rules::Relu{}.derivative(Jet<double>{0.5, 4.0}, Jet<double>{0.5, 4.0});
  CHECK(d.v == 1.0);
  CHECK(d.t == 0.0);
}

TEST_CASE("a parameterised row: pow's exponent travels with the row") {
  const Tensor<double> x{0.5, 1.5, 2.0};
  auto f = [](const std::vector<Var<double>>& p) { return sum(elementwise(p[0], rules::Pow{2.5})); };
  const TensorList<double> g = grad(f, TensorList<double>{x});
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(g[0](i) == doctest::Approx(2.5 * std::pow(x(i), 1.5)));
}
