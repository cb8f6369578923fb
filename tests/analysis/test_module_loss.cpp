// Specifications of the adapter from saddle::nn models to batch losses: the Hessian
// operator of nn's MLP equals the one of the same network written with engine ops, the model's own
// parameters are left untouched, and the per-sample losses average to the batch loss.
#include <doctest/doctest.h>

#include <random>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/objective/model_loss.hpp"
#include "saddle/analysis/per_sample.hpp"
#include "saddle/nn/functional_call.hpp"
#include "saddle/nn/models/models.hpp"
#include "problems.hpp"

using namespace saddle;
using namespace saddle::testing;

namespace {

data::Dataset<double> random_images(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> pixel(0.0, 1.0);
  data::Dataset<double> d;
  d.images = empty_tensor<double>(Shape{n, 1, 28, 28});
  for (auto& e : d.images) e = pixel(rng);
  for (std::size_t i = 0; i < n; ++i) d.labels.push_back(static_cast<int>(rng() % 10));
  return d;
}

// nn::mlp's network with engine ops: relu(relu(x W1ᵀ + b1) W2ᵀ + b2) W3ᵀ + b3, W (out, in).
Var<double> engine_mlp_loss(const std::vector<Var<double>>& p, const Tensor<double>& images,
                            const std::vector<int>& labels) {
  const Var<double> x = reshape(Var<double>(images), Shape{images.shape()[0], 784});
  const Var<double> h1 = relu(matmul(x, transpose(p[0])) + p[1]);
  const Var<double> h2 = relu(matmul(h1, transpose(p[2])) + p[3]);
  const Var<double> z = matmul(h2, transpose(p[4])) + p[5];
  return -mean(pick(log_softmax(z, 1), labels));
}

}  // namespace

TEST_CASE("nn's MLP through the adapter has the Hessian-vector products of its engine-op twin") {
  const auto data = random_images(20, 61);
  auto model = nn::mlp<double>(62);
  const TensorList<double> theta = nn::parameter_values(*model);
  const auto H = model_hessian_operator(*model, data, sample_range(0, 20, 8));
  const auto twin = hessian_operator<double>(engine_mlp_loss, data, sample_range(0, 20, 20), theta);
  std::mt19937_64 rng(63);
  const TensorList<double> v = random_normal_like(theta, rng);
  const TensorList<double> a = H(v), b = twin(v);
  CHECK(max_abs_difference(a, b) < 1e-11 * saddle::norm(b));
  CHECK(H.loss() == doctest::Approx(twin.loss()).epsilon(1e-13));
  CHECK(max_abs_difference(H.gradient(), twin.gradient()) < 1e-13);
  // The model keeps its own parameters.
  CHECK(max_abs_difference(nn::parameter_values(*model), theta) == 0.0);
}

TEST_CASE("the per-sample cross-entropies of a model average to its batch loss") {
  const auto data = random_images(6, 64);
  auto model = nn::softmax_regression<double>(65);
  const TensorList<double> theta = nn::parameter_values(*model);
  const Objective<double> batch(cross_entropy_loss(*model), data, sample_range(0, 6, 6));
  const Objective<double> rows(per_sample_cross_entropy(*model), data, sample_range(0, 6, 4));
  CHECK(rows.loss(theta) == doctest::Approx(batch.loss(theta)).epsilon(1e-14));
  std::mt19937_64 rng(66);
  const std::vector<TensorList<double>> dirs = {random_normal_like(theta, rng)};
  const Tensor<double> fwd = per_sample_directional_derivatives(rows, theta, dirs, PerSampleMode::forward);
  const Tensor<double> rev = per_sample_directional_derivatives(batch, theta, dirs);
  for (std::size_t z = 0; z < 6; ++z) CHECK(fwd(z, 0) == doctest::Approx(rev(z, 0)).epsilon(1e-12));
}

TEST_CASE("a parameter list that does not fit the model is refused by name") {
  const auto data = random_images(2, 67);
  auto model = nn::softmax_regression<double>(68);
  TensorList<double> wrong = nn::parameter_values(*model);
  wrong[1] = zeros_tensor<double>(Shape{9});
  const Objective<double> f(cross_entropy_loss(*model), data, one_sample(0));
  CHECK_THROWS_AS(f.loss(wrong), Error);
}
