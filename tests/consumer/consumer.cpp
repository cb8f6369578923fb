// consumer — a program outside saddle's tree, built against an installed saddle (through
// pkg-config and through CMake's find_package; tests/consumer/run.sh does both), that uses it
// the way a user would:
//   1. defines differentiable ops of its own, an elementwise one and a binary one, and checks
//      their gradients and Hessian-vector products with saddle's checkers;
//   2. builds a small network of its own from saddle's layers and those ops;
//   3. takes a Hessian-vector product and the top eigenvalues of its loss Hessian by Lanczos,
//      and holds them against the dense Hessian, diagonalised here by Jacobi's method;
//   4. trains it with Adam and asserts that the loss falls by a real margin.
// Prints one line per check; exits 1 at the first failure, with the reason on one line.
#include <saddle/autodiff/rule.hpp>
#include <saddle/saddle.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

using namespace saddle;

namespace {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void expect(bool ok, const std::string& what) {
  if (!ok) throw Failure(what);
  std::printf("  ok  %s\n", what.c_str());
}

// ---- 1. ops of our own -------------------------------------------------------------------
// Written with the rule author's header, saddle/autodiff/rule.hpp.
//
// The inverse square root unit, a smooth softsign (Carlile et al. 2017), as one elementwise row:
//   y = x / √(1 + x²),   y' = (1 + x²)^(−3/2) = (1 − y²)^(3/2).
// (Softsign itself, x / (1 + |x|), has a kink in its second derivative at 0, where a
// finite-difference check of H·v through a network of it would be unreliable.) The derivative is
// written once over the number kind N: on plain numbers it gives the gradient, on jets its own
// directional derivative as well, the second-order part of H·v through this op.
struct Isru {
  static constexpr const char* name = "isru";
  template <class N>
  N value(const N& x) const {
    return x / saddle::sqrt(1 + x * x);
  }
  template <class N>
  N derivative(const N&, const N& y) const {
    const N s = 1 - y * y;  // 1 / (1 + x²)
    return s * saddle::sqrt(s);
  }
};

template <class T>
Var<T> isru(const Var<T>& x) {
  return elementwise<Isru>(x);
}

// A gate, y = a ⊙ σ(b) with b broadcast against a (a feature-wise gate of a batch), through
// define_op: its forward and VJP on dual tensors.
//   ∂y/∂a = σ(b),  ∂y/∂b = a σ(b)(1 − σ(b)), summed over the broadcast rows (sum_to).
template <class T>
Var<T> gate(const Var<T>& a, const Var<T>& b) {
  return define_op<T>(
      "gate", [](const Dual<T>& a, const Dual<T>& b) { return a * sigmoid(b); },
      [](const Dual<T>& g, const Dual<T>&, const Dual<T>& a, const Dual<T>& b, Adjoint<T>& ga, Adjoint<T>& gb) {
        const Dual<T> s = sigmoid(b);
        if (ga) ga = sum_to(g * s, a.shape());
        if (gb) gb = sum_to(g * a * s * (1 - s), b.shape());
      },
      a, b);
}

// The same ops as layers.
template <class T>
class IsruActivation : public nn::Module<T> {
 public:
  Var<T> forward(const Var<T>& x) override { return isru(x); }
  std::string describe() const override { return "Isru"; }
};

template <class T>
class FeatureGate : public nn::Module<T> {
 public:
  explicit FeatureGate(std::size_t features) { this->register_parameter("logit", zeros_tensor<T>(Shape{features})); }
  Var<T> forward(const Var<T>& x) override { return gate(x, this->parameter(0)); }
  std::string describe() const override { return "Gate"; }
};

Tensor<double> normal(const Shape& shape, std::mt19937_64& rng, double scale = 1) {
  std::normal_distribution<double> n(0, scale);
  Tensor<double> t = empty_tensor<double>(shape);
  for (auto& e : t) e = n(rng);
  return t;
}

TensorList<double> like(const TensorList<double>& shapes, std::mt19937_64& rng) {
  TensorList<double> v;
  for (const auto& t : shapes) v.push_back(normal(to_shape(t.shape()), rng));
  return v;
}

void check_ops(std::mt19937_64& rng) {
  std::puts("ops of our own");
  // The forward pass against the formula.
  const Tensor<double> x = normal({4, 3}, rng, 1.5);
  const Tensor<double> y = isru(Var<double>(x)).value();
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    worst = std::max(worst, std::abs(y.data()[i] - x.data()[i] / std::sqrt(1 + x.data()[i] * x.data()[i])));
  expect(worst < 1e-14, "isru's value is x/sqrt(1+x^2)");

  // Gradients and Hessian-vector products against central differences, in functions that
  // make both the first and the second derivatives of the ops matter.
  const Tensor<double> c = normal({5, 3}, rng);
  auto f_isru = [&](const std::vector<Var<double>>& p) { return sum(square(isru(p[0])) * Var<double>(c) + isru(p[0])); };
  auto f_gate = [&](const std::vector<Var<double>>& p) { return sum(square(gate(p[0], p[1])) + gate(p[0], p[1]) * Var<double>(c)); };
  const TensorList<double> p1{normal({5, 3}, rng, 1.5)};
  const TensorList<double> p2{normal({5, 3}, rng), normal({3}, rng)};
  for (const auto& [name, r] : {std::pair{"gradcheck(isru)", gradcheck(f_isru, p1)},
                                std::pair{"hvpcheck(isru)", hvpcheck(f_isru, p1, like(p1, rng))},
                                std::pair{"gradcheck(gate)", gradcheck(f_gate, p2)},
                                std::pair{"hvpcheck(gate)", hvpcheck(f_gate, p2, like(p2, rng))}})
    expect(r.ok, std::string(name) + ": " + r.message);
}

// ---- 2. a network of our own -------------------------------------------------------------
struct Problem {
  Tensor<double> x;
  std::vector<int> labels;
};

// 128 points in R⁴, each labelled by the largest of three fixed linear scores plus a curve:
// classes a small network separates well and a linear model does not quite.
Problem synthetic_data(std::mt19937_64& rng) {
  const std::size_t n = 128, d = 4, k = 3;
  Problem p{normal({n, d}, rng), std::vector<int>(n)};
  const Tensor<double> w = normal({d, k}, rng);
  for (std::size_t i = 0; i < n; ++i) {
    double best = -INFINITY;
    for (std::size_t j = 0; j < k; ++j) {
      double s = std::sin(2 * p.x(i, j));
      for (std::size_t q = 0; q < d; ++q) s += p.x(i, q) * w(q, j);
      if (s > best) best = s, p.labels[i] = int(j);
    }
  }
  return p;
}

std::shared_ptr<nn::Sequential<double>> make_network(std::uint64_t seed) {
  nn::init::Rng rng(seed);
  auto net = std::make_shared<nn::Sequential<double>>();
  net->add("fc1", std::make_shared<nn::Linear<double>>(4, 12, rng));
  net->add("gate", std::make_shared<FeatureGate<double>>(12));
  net->add("act", std::make_shared<IsruActivation<double>>());
  net->add("fc2", std::make_shared<nn::Linear<double>>(12, 3, rng));
  return net;
}

// ---- 3. curvature ------------------------------------------------------------------------
// All eigenvalues of a dense symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan,
// §8.5.3): an independent reference for the Lanczos values, sharing no code with saddle.
std::vector<double> jacobi_eigenvalues(std::vector<double> a, std::size_t n) {
  auto at = [&](std::size_t i, std::size_t j) -> double& { return a[i * n + j]; };
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, total = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) (i == j ? total : off) += at(i, j) * at(i, j);
    if (off <= 1e-30 * (total + off)) break;
    for (std::size_t p = 0; p + 1 < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        if (at(p, q) == 0) continue;
        const double theta = (at(q, q) - at(p, p)) / (2 * at(p, q));
        const double t = (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // columns p, q
          const double akp = at(k, p), akq = at(k, q);
          at(k, p) = c * akp - s * akq;
          at(k, q) = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {  // rows p, q
          const double apk = at(p, k), aqk = at(q, k);
          at(p, k) = c * apk - s * aqk;
          at(q, k) = s * apk + c * aqk;
        }
      }
  }
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = at(i, i);
  std::sort(values.rbegin(), values.rend());
  return values;
}

void check_curvature(nn::Sequential<double>& net, const Problem& data, std::mt19937_64& rng) {
  std::puts("the network's loss Hessian");
  auto f = nn::loss_of_parameters(net, nn::softmax_cross_entropy<double>, data.x, data.labels);
  const TensorList<double> theta = nn::parameter_values(net);
  const std::size_t n = net.num_parameters();

  const CheckReport g = gradcheck(f, theta);
  expect(g.ok, "gradcheck(network loss): " + g.message);
  const TensorList<double> v = like(theta, rng);
  const CheckReport h = hvpcheck(f, theta, v);
  expect(h.ok, "hvpcheck(network loss): " + h.message);

  // The dense Hessian: symmetric, and its product with v is hvp's.
  const Tensor<double> H = hessian(f, theta);
  std::vector<double> dense(n * n);
  double asym = 0, scale = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      dense[i * n + j] = 0.5 * (H(i, j) + H(j, i));
      asym = std::max(asym, std::abs(H(i, j) - H(j, i)));
      scale = std::max(scale, std::abs(H(i, j)));
    }
  expect(asym <= 1e-10 * scale, "the dense Hessian (" + std::to_string(n) + "x" + std::to_string(n) + ") is symmetric");
  const TensorList<double> Hv = hvp(f, theta, v);
  double err = 0, norm = 0;
  std::size_t row = 0;
  for (const auto& block : Hv)
    for (std::size_t i = 0; i < block.size(); ++i, ++row) {
      double s = 0;
      std::size_t col = 0;
      for (const auto& vb : v)
        for (std::size_t j = 0; j < vb.size(); ++j, ++col) s += H(row, col) * vb.data()[j];
      err = std::max(err, std::abs(s - block.data()[i]));
      norm = std::max(norm, std::abs(s));
    }
  expect(err <= 1e-10 * std::max(1.0, norm), "hvp(f, theta, v) equals the dense Hessian times v");

  // The top two eigenvalues by Lanczos on v -> Hv, against Jacobi on the dense matrix.
  EigenOptions opt;
  opt.k = 2;
  opt.max_iter = int(n);
  opt.tol = 1e-10;
  opt.seed = 7;
  const EigenResult<double> top =
      lanczos_top([&](const TensorList<double>& u) { return hvp(f, theta, u); }, theta, opt);
  const std::vector<double> reference = jacobi_eigenvalues(dense, n);
  char line[200];
  std::snprintf(line, sizeof line, "lanczos_top: %.10g, %.10g; Jacobi on the dense Hessian: %.10g, %.10g",
                top.eigenvalues.at(0), top.eigenvalues.at(1), reference[0], reference[1]);
  bool close = top.converged;
  for (int i = 0; i < 2; ++i)
    close = close && std::abs(top.eigenvalues[i] - reference[i]) <= 1e-8 * std::max(1.0, std::abs(reference[0]));
  expect(close, line);
}

// ---- 4. training -------------------------------------------------------------------------
void check_training(nn::Sequential<double>& net, const Problem& data) {
  std::puts("training with Adam");
  AdamOptions opt;
  opt.lr = 0.02;
  Adam<double> adam(net.parameters(), opt);
  const Var<double> x(data.x);
  const std::span<const int> labels(data.labels);
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    adam.zero_grad();
    Var<double> loss = nn::softmax_cross_entropy(net.forward(x), labels);
    (step == 0 ? first : last) = loss.item();
    loss.backward();
    adam.step();
  }
  char line[160];
  std::snprintf(line, sizeof line, "the loss falls from %.4f to %.4f in 300 full-batch steps (to less than a quarter)", first,
                last);
  expect(std::isfinite(last) && last < 0.25 * first, line);
}

}  // namespace

int main() {
  try {
    std::mt19937_64 rng(2024);
    check_ops(rng);
    const Problem data = synthetic_data(rng);
    auto net = make_network(3);
    std::printf("network: %zu parameters\n%s", net->num_parameters(), net->summary().c_str());
    check_curvature(*net, data, rng);
    check_training(*net, data);
    std::puts("consumer: all checks passed");
    return 0;
  } catch (const Failure& e) {
    std::printf("consumer: FAILED: %s\n", e.what());
  } catch (const std::exception& e) {
    std::printf("consumer: FAILED with an exception: %s\n", e.what());
  }
  return 1;
}
