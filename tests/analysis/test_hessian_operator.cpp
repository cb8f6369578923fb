// Specifications of the objective over a sample set and its Hessian operator: batching does not
// change the objective, the three kinds of sample set give the Hessians of their samples, and
// products are counted. Expectations come from softmax regression's closed-form Hessian and
// gradient.
#include <doctest/doctest.h>

#include <random>

#include "saddle/analysis/hessian_operator.hpp"
#include "problems.hpp"

using namespace saddle;
using namespace saddle::testing;

TEST_CASE("the full-data Hessian operator in uneven batches equals the closed-form Hessian") {
  const SoftmaxRegression p(6, 4, 50, 1);
  const Tensor<double> H = p.hessian();
  std::mt19937_64 rng(2);
  const TensorList<double> v = random_normal_like(p.params, rng);
  const TensorList<double> expected = dense_apply(H, v);
  for (std::size_t B : {1, 7, 16, 50, 64}) {  // 16 → batches of 16, 16, 16, 2
    CAPTURE(B);
    const auto op = hessian_operator(SoftmaxRegression::loss(), p.data, sample_range(0, p.N, B), p.params);
    CHECK(max_abs_difference(op(v), expected) < 1e-12);
    CHECK(op.hvp_calls() == 1);
    CHECK(op.objective().batch_evaluations() == (p.N + B - 1) / B);
  }
}

TEST_CASE("loss and full gradient over the sample set match their closed forms") {
  const SoftmaxRegression p(6, 4, 50, 3);
  double loss = 0;
  Tensor<double> gW = zeros_tensor<double>(Shape{p.d, p.K}), gb = zeros_tensor<double>(Shape{p.K});
  for (std::size_t n = 0; n < p.N; ++n) {
    const auto q = p.probabilities(n);
    const int y = p.data.labels[n];
    loss -= std::log(q[y]) / p.N;
    for (std::size_t k = 0; k < p.K; ++k) {  // ∂ℓ/∂z = p − e_y
      const double r = (q[k] - (static_cast<int>(k) == y ? 1.0 : 0.0)) / p.N;
      gb(k) += r;
      for (std::size_t i = 0; i < p.d; ++i) gW(i, k) += p.data.images(n, i) * r;
    }
  }
  const auto op = hessian_operator(SoftmaxRegression::loss(), p.data, sample_range(0, p.N, 16), p.params);
  CHECK(op.loss() == doctest::Approx(loss).epsilon(1e-13));
  CHECK(max_abs_difference(op.gradient(), {gW, gb}) < 1e-13);
  const auto r = op.objective().value_grad_hvp(p.params, zeros_like(p.params));
  CHECK(r.value == doctest::Approx(loss).epsilon(1e-13));
  CHECK(op.objective().loss_evaluations() == 1);
  CHECK(op.objective().gradient_evaluations() == 1);
  CHECK(op.objective().hvp_evaluations() == 1);
  CHECK(op.hvp_calls() == 0);  // the objective's own products are not the operator's
}

TEST_CASE("one batch and one sample give the Hessians of exactly those samples") {
  const SoftmaxRegression p(6, 4, 50, 4);
  std::mt19937_64 rng(5);
  const TensorList<double> v = random_normal_like(p.params, rng);
  const std::vector<std::size_t> batch = {3, 17, 17, 42, 0};  // a repeat counts twice
  const auto ob = hessian_operator(SoftmaxRegression::loss(), p.data, one_batch(batch), p.params);
  CHECK(max_abs_difference(ob(v), dense_apply(p.hessian(batch), v)) < 1e-12);
  const auto os = hessian_operator(SoftmaxRegression::loss(), p.data, one_sample(9), p.params);
  CHECK(max_abs_difference(os(v), dense_apply(p.hessian({9}), v)) < 1e-12);
}

TEST_CASE("copies of a Hessian operator, and the solvers' std::function, share one counter") {
  const SoftmaxRegression p(3, 2, 10, 6);
  const auto op = hessian_operator(SoftmaxRegression::loss(), p.data, sample_range(0, 10, 4), p.params);
  const HessianOperator<double> copy = op;
  const LinearOperator<double> f = op.linear_operator();
  const TensorList<double> v = zeros_like(p.params);
  copy(v);
  f(v);
  f(v);
  CHECK(op.hvp_calls() == 3);
  CHECK(op.dimension() == 8);
  CHECK(op.objective().batch_evaluations() == 9);
}

TEST_CASE("sample sets and objectives reject empty sets, zero batch sizes and indices past the end") {
  const SoftmaxRegression p(3, 2, 10, 7);
  CHECK_THROWS_WITH_AS(sample_range(5, 5, 2),
                       "sample_range: samples [5, 5) in batches of 2; need begin < end and a batch "
                       "size of at least 1",
                       Error);
  CHECK_THROWS_AS(sample_range(0, 5, 0), Error);
  CHECK_THROWS_WITH_AS(one_batch({}), "one_batch: the batch holds no samples", Error);
  CHECK_THROWS_WITH_AS(Objective<double>(SoftmaxRegression::loss(), p.data, sample_range(0, 11, 4)),
                       "Objective: sample index 10 is past the dataset's 10 samples", Error);
  CHECK_THROWS_WITH_AS(Objective<double>(SoftmaxRegression::loss(), p.data, one_sample(10)),
                       "Objective: sample index 10 is past the dataset's 10 samples", Error);
  const Objective<double> f(SoftmaxRegression::loss(), p.data, sample_range(0, 10, 4));
  CHECK(f.samples().batch_count() == 3);
  CHECK(f.batch(2).labels.size() == 2);
  CHECK(f.batch(2).weight == doctest::Approx(0.2));
  CHECK_THROWS_WITH_AS(f.batch(3), "Objective::batch: batch 3 of a sample set of 3 batches", Error);
}
