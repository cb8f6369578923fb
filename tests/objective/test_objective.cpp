// Specifications of the Objective f(θ) = (1/N) Σ_n ℓ_n(θ) over a sample set: its value, gradient,
// per-sample gradients and Hessian-vector products, each against a computation that does not use
// the engine (plain C++ and finite differences), and how sample sets, batches and counters behave.
//
// The problem: θ = {W (3,2), c (2,)}, z_n = tanh(x_nᵀW + c), ℓ_n = log(e^{z_n,0} + e^{z_n,1}) − z_{n,y_n},
// over N = 10 rows x_n ∈ R³ with labels y_n ∈ {0, 1}: smooth, with a Hessian that is not constant.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "saddle/base/tensor_list.hpp"
#include "saddle/objective/objective.hpp"

using namespace saddle;

namespace {

constexpr std::size_t kN = 10, kIn = 3, kOut = 2, kDim = kIn * kOut + kOut;

struct TanhSoftmax {
  data::Dataset<double> data;
  TensorList<double> theta;

  TanhSoftmax() {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal(0.0, 1.0);
    data.images = empty_tensor<double>(Shape{kN, kIn});
    for (auto& e : data.images) e = normal(rng);
    for (std::size_t n = 0; n < kN; ++n) data.labels.push_back(static_cast<int>(rng() % kOut));
    theta = {empty_tensor<double>(Shape{kIn, kOut}), empty_tensor<double>(Shape{kOut})};
    for (auto& t : theta)
      for (auto& e : t) e = 0.8 * normal(rng);
  }

  // Each row's loss, shape (B,), with the engine's ops.
  static Var<double> rows_loss(const std::vector<Var<double>>& p, const Tensor<double>& x, const std::vector<Label>& y) {
    const Var<double> z = tanh(matmul(Var<double>(x), p[0]) + p[1]);
    return -pick(log_softmax(z, 1), y);
  }
  static BatchLoss<double> per_row() { return rows_loss; }
  static BatchLoss<double> mean_of_rows() {
    return [](const std::vector<Var<double>>& p, const Tensor<double>& x, const std::vector<Label>& y) {
      return mean(rows_loss(p, x, y));
    };
  }

  // ℓ_n at a flat θ (W row-major, then c), in plain C++.
  double sample_loss(const std::vector<double>& t, std::size_t n) const {
    double z[kOut];
    for (std::size_t j = 0; j < kOut; ++j) {
      double a = t[kIn * kOut + j];
      for (std::size_t i = 0; i < kIn; ++i) a += data.images(n, i) * t[i * kOut + j];
      z[j] = std::tanh(a);
    }
    const double m = std::max(z[0], z[1]);
    return m + std::log(std::exp(z[0] - m) + std::exp(z[1] - m)) - z[data.labels[n]];
  }
  double loss(const std::vector<double>& t, const std::vector<std::size_t>& samples) const {
    double s = 0;
    for (std::size_t n : samples) s += sample_loss(t, n);
    return s / static_cast<double>(samples.size());
  }

  std::vector<double> flat() const {
    const Tensor<double> f = saddle::flatten(theta);
    return std::vector<double>(f.begin(), f.end());
  }
};

std::vector<std::size_t> all_samples() {
  std::vector<std::size_t> s(kN);
  for (std::size_t n = 0; n < kN; ++n) s[n] = n;
  return s;
}

// Central differences of a function of the flat θ.
template <class F>
std::vector<double> finite_difference_gradient(F&& f, const std::vector<double>& t, double h = 1e-6) {
  std::vector<double> g(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::vector<double> a = t, b = t;
    a[i] += h;
    b[i] -= h;
    g[i] = (f(a) - f(b)) / (2 * h);
  }
  return g;
}

// The dense Hessian by second central differences of the plain-C++ loss.
std::vector<double> finite_difference_hessian(const TanhSoftmax& p, const std::vector<std::size_t>& samples,
                                              double h = 1e-4) {
  const std::vector<double> t = p.flat();
  std::vector<double> H(kDim * kDim);
  for (std::size_t i = 0; i < kDim; ++i)
    for (std::size_t j = 0; j < kDim; ++j) {
      auto at = [&](double si, double sj) {
        std::vector<double> u = t;
        u[i] += si * h;
        u[j] += sj * h;
        return p.loss(u, samples);
      };
      H[i * kDim + j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h);
    }
  return H;
}

double max_abs_diff(const TensorList<double>& a, const std::vector<double>& b) {
  const Tensor<double> f = saddle::flatten(a);
  REQUIRE(f.size() == b.size());
  double d = 0;
  for (std::size_t i = 0; i < b.size(); ++i) d = std::max(d, std::abs(f(i) - b[i]));
  return d;
}

}  // namespace

TEST_CASE("the value is the mean of the samples' losses, whatever the batch size") {
  const TanhSoftmax p;
  const double expected = p.loss(p.flat(), all_samples());
  for (std::size_t B : {1, 3, 4, 10, 16}) {
    CAPTURE(B);
    const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(0, kN, B));
    CHECK(f.loss(p.theta) == doctest::Approx(expected).epsilon(1e-14));
    CHECK(f.value_and_grad(p.theta).value == doctest::Approx(expected).epsilon(1e-14));
  }
}

TEST_CASE("the gradient equals central differences of the value") {
  const TanhSoftmax p;
  const auto fd =
      finite_difference_gradient([&](const std::vector<double>& t) { return p.loss(t, all_samples()); }, p.flat());
  const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 4));
  CHECK(max_abs_diff(f.gradient(p.theta), fd) < 1e-9);
}

TEST_CASE("a sample's gradient equals central differences of that sample's loss") {
  const TanhSoftmax p;
  const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(2, 9, 3));  // samples 2..8
  REQUIRE(f.num_samples() == 7);
  for (std::size_t i = 0; i < f.num_samples(); ++i) {
    CAPTURE(i);
    const auto fd =
        finite_difference_gradient([&](const std::vector<double>& t) { return p.sample_loss(t, 2 + i); }, p.flat());
    CHECK(max_abs_diff(f.sample_gradient(p.theta, i), fd) < 1e-9);
  }
  CHECK_THROWS_WITH_AS(f.sample_gradient(p.theta, 7), "Objective::sample_gradient: sample 7 is outside [0, 7)", Error);
}

TEST_CASE("for_each_sample_gradient visits the samples in order with their losses and gradients, which average to f") {
  const TanhSoftmax p;
  const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 4));
  std::vector<std::size_t> seen;
  TensorList<double> sum = zeros_like(p.theta);
  f.for_each_sample_gradient(p.theta, [&](std::size_t i, double loss, const TensorList<double>& g) {
    seen.push_back(i);
    CHECK(loss == doctest::Approx(p.sample_loss(p.flat(), i)).epsilon(1e-14));
    CHECK(saddle::flatten(g) == saddle::flatten(f.sample_gradient(p.theta, i)));
    axpy(1.0 / kN, g, sum);
  });
  CHECK(seen == all_samples());
  const Tensor<double> expected = saddle::flatten(f.gradient(p.theta));
  CHECK(max_abs_diff(sum, std::vector<double>(expected.begin(), expected.end())) < 1e-15);
}

TEST_CASE("H·v equals the dense finite-difference Hessian times v, over the set, one batch and one sample") {
  const TanhSoftmax p;
  std::mt19937_64 rng(12);
  const TensorList<double> v = random_normal_like(p.theta, rng);
  const Tensor<double> fv = saddle::flatten(v);
  struct Case {
    SampleSet samples;
    std::vector<std::size_t> rows;
  };
  const std::vector<Case> cases{{sample_range(0, kN, 3), all_samples()},
                                {one_batch({4, 1, 1, 7}), {4, 1, 1, 7}},  // a repeat counts twice
                                {one_sample(5), {5}}};
  for (const auto& c : cases) {
    CAPTURE(c.rows.size());
    const std::vector<double> H = finite_difference_hessian(p, c.rows);
    std::vector<double> Hv(kDim, 0.0);
    for (std::size_t i = 0; i < kDim; ++i)
      for (std::size_t j = 0; j < kDim; ++j) Hv[i] += H[i * kDim + j] * fv(j);
    const Objective<double> f(TanhSoftmax::per_row(), p.data, c.samples);
    CHECK(max_abs_diff(f.hvp(p.theta, v), Hv) < 1e-6);
  }
}

TEST_CASE("H·v is symmetric: uᵀ(Hv) = vᵀ(Hu)") {
  const TanhSoftmax p;
  std::mt19937_64 rng(13);
  const TensorList<double> u = random_normal_like(p.theta, rng), v = random_normal_like(p.theta, rng);
  const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 3));
  CHECK(saddle::dot(u, f.hvp(p.theta, v)) == doctest::Approx(saddle::dot(v, f.hvp(p.theta, u))).epsilon(1e-13));
}

TEST_CASE("value_grad_hvp gives in one pass what loss, gradient and hvp give") {
  const TanhSoftmax p;
  std::mt19937_64 rng(14);
  const TensorList<double> v = random_normal_like(p.theta, rng);
  const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 4));
  const HvpResult<double> r = f.value_grad_hvp(p.theta, v);
  CHECK(r.value == doctest::Approx(f.loss(p.theta)).epsilon(1e-15));
  CHECK(saddle::flatten(r.grad) == saddle::flatten(f.gradient(p.theta)));
  CHECK(saddle::flatten(r.hvp) == saddle::flatten(f.hvp(p.theta, v)));
}

TEST_CASE("a loss returning each row's loss and one returning their mean give the same objective") {
  const TanhSoftmax p;
  std::mt19937_64 rng(15);
  const TensorList<double> v = random_normal_like(p.theta, rng);
  const Objective<double> rows(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 4));
  const Objective<double> means(TanhSoftmax::mean_of_rows(), p.data, sample_range(0, kN, 4));
  // the objective takes the mean of a (B,) loss with the same op: the same bits
  CHECK(rows.loss(p.theta) == means.loss(p.theta));
  CHECK(saddle::flatten(rows.gradient(p.theta)) == saddle::flatten(means.gradient(p.theta)));
  CHECK(saddle::flatten(rows.hvp(p.theta, v)) == saddle::flatten(means.hvp(p.theta, v)));
}

TEST_CASE("over() is the same loss on other samples, and shares the evaluation counters") {
  const TanhSoftmax p;
  const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 4));
  const Objective<double> one = f.over(one_sample(6));
  CHECK(one.num_samples() == 1);
  CHECK(one.loss(p.theta) == doctest::Approx(p.sample_loss(p.flat(), 6)).epsilon(1e-14));
  CHECK(saddle::flatten(one.gradient(p.theta)) ==
        saddle::flatten(f.over(sample_range(0, kN, 1)).sample_gradient(p.theta, 6)));
  const Objective<double> batch = f.over(one_batch({0, 9}));
  CHECK(batch.loss(p.theta) == doctest::Approx(p.loss(p.flat(), {0, 9})).epsilon(1e-14));
  CHECK(f.loss_evaluations() == 2);      // one.loss, batch.loss
  CHECK(f.gradient_evaluations() == 1);  // one.gradient
  CHECK(f.sample_gradient_evaluations() == 1);
  CHECK(f.batch_evaluations() == 4);
  CHECK_THROWS_WITH_AS(f.over(one_sample(kN)), "Objective: sample index 10 is past the dataset's 10 samples", Error);
}

TEST_CASE("each kind of evaluation is counted: passes over the set, single samples and batch sweeps") {
  const TanhSoftmax p;
  const Objective<double> f(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 4));  // 3 batches
  const Objective<double> copy = f;
  CHECK(std::isnan(f.last_loss()));
  f.loss(p.theta);
  const double value = copy.value_and_grad(p.theta).value;
  CHECK(f.last_loss() == value);
  f.hvp(p.theta, zeros_like(p.theta));
  f.sample_gradient(p.theta, 0);
  CHECK(f.loss_evaluations() == 1);
  CHECK(f.gradient_evaluations() == 1);
  CHECK(f.hvp_evaluations() == 1);
  CHECK(f.sample_gradient_evaluations() == 1);
  CHECK(f.batch_evaluations() == 3 + 3 + 3 + 1);
}

TEST_CASE("float objectives agree with double ones to float precision") {
  const TanhSoftmax p;
  data::Dataset<float> data;
  data.images = xt::cast<float>(p.data.images);
  data.labels = p.data.labels;
  TensorList<float> theta;
  for (const auto& t : p.theta) theta.push_back(xt::cast<float>(t));
  const Objective<float> f(
      [](const std::vector<Var<float>>& w, const Tensor<float>& x, const std::vector<Label>& y) {
        const Var<float> z = tanh(matmul(Var<float>(x), w[0]) + w[1]);
        return -pick(log_softmax(z, 1), y);
      },
      data, sample_range(0, kN, 4));
  CHECK(f.loss(theta) == doctest::Approx(p.loss(p.flat(), all_samples())).epsilon(1e-6));
  const Objective<double> g(TanhSoftmax::per_row(), p.data, sample_range(0, kN, 4));
  const Tensor<float> gf = saddle::flatten(f.gradient(theta));
  const Tensor<double> gd = saddle::flatten(g.gradient(p.theta));
  for (std::size_t i = 0; i < kDim; ++i) CHECK(gf(i) == doctest::Approx(gd(i)).epsilon(1e-5).scale(1));
}

TEST_CASE("bad sample sets, losses and datasets are refused by name") {
  const TanhSoftmax p;
  CHECK_THROWS_WITH_AS(sample_range(5, 5, 2),
                       "sample_range: samples [5, 5) in batches of 2; need begin < end and a batch size of at least 1",
                       Error);
  CHECK_THROWS_WITH_AS(one_batch({}), "one_batch: the batch holds no samples", Error);
  CHECK_THROWS_WITH_AS(Objective<double>(BatchLoss<double>{}, p.data, one_sample(0)),
                       "Objective: the batch loss is empty", Error);
  CHECK_THROWS_WITH_AS(Objective<double>(TanhSoftmax::per_row(), p.data, SampleSet{{0, 1}, 0}),
                       "Objective: 2 samples in batches of 0; need at least one sample and a batch size of at least 1",
                       Error);
  data::Dataset<double> bad = p.data;
  bad.labels.pop_back();
  CHECK_THROWS_WITH_AS(Objective<double>(TanhSoftmax::per_row(), bad, one_sample(0)),
                       "Objective: dataset images of shape (10,3) and 9 labels; need one image row per label", Error);
  const Objective<double> wrong(
      [](const std::vector<Var<double>>& w, const Tensor<double>&, const std::vector<Label>&) { return w[0]; }, p.data,
      sample_range(0, kN, 4));
  CHECK_THROWS_WITH_AS(wrong.loss(p.theta),
                       "Objective: the batch loss returned shape (3,2) for a batch of 4 rows; need a scalar (their "
                       "mean) or (4,) (each row's loss)",
                       Error);
}

TEST_CASE("unlabeled_data makes a dataset of rows with label 0") {
  const data::Dataset<double> d = unlabeled_data(zeros_tensor<double>(Shape{4, 2}));
  CHECK(d.size() == 4);
  CHECK(d.labels == std::vector<Label>(4, 0));
  CHECK_THROWS_WITH_AS(unlabeled_data(zeros_tensor<double>(Shape{})), "unlabeled_data: a 0-d tensor has no rows",
                       Error);
}
