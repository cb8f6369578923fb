// Specifications of loss slices and surfaces and of filter normalisation (Li et al. 2018).
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/analysis/landscape.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "problems.hpp"

using namespace saddle;
using namespace saddle::testing;

TEST_CASE("the landscape at α = β = 0 is the loss, and along the top eigenvector its curvature is λ₁") {
  const SoftmaxRegression p(6, 4, 50, 51);
  const Objective<double> f(SoftmaxRegression::loss(), p.data, sample_range(0, 50, 16));
  const HessianOperator<double> H(f, p.params);
  const auto top =
      top_eigenpairs<double>(H, p.params, 2, EigenSolver::lanczos, {.max_iter = 60, .tol = 1e-10, .seed = 1});
  const double loss = f.loss(p.params);

  const double h = 1e-3;
  const LossSlice s = loss_slice(parameter_loss(f), p.params, top.eigenvectors[0], {-h, 0.0, h});
  CHECK(s.losses[1] == doctest::Approx(loss).epsilon(1e-15));
  const double second_difference = (s.losses[0] - 2 * s.losses[1] + s.losses[2]) / (h * h);
  CHECK(second_difference == doctest::Approx(top.eigenvalues[0]).epsilon(1e-4));

  const LossSurface g = loss_surface(parameter_loss(f), p.params, top.eigenvectors[0], top.eigenvectors[1],
                                     linspace(-1, 1, 5), linspace(-0.5, 0.5, 3));
  CHECK(g.losses.size() == 15);
  CHECK(g.at(2, 1) == doctest::Approx(loss).epsilon(1e-15));
  // Along β = 0 the surface is the 1-D slice.
  const LossSlice row = loss_slice(parameter_loss(f), p.params, top.eigenvectors[0], linspace(-1, 1, 5));
  for (std::size_t i = 0; i < 5; ++i) CHECK(g.at(i, 1) == doctest::Approx(row.losses[i]).epsilon(1e-14));
}

TEST_CASE("a filter-normalised direction has the norms of θ's filters, and zero or rescaled biases") {
  std::mt19937_64 rng(52);
  const TensorList<double> theta = {gaussian({4, 3, 2, 2}, rng), gaussian({4}, rng), gaussian({5, 7}, rng),
                                    gaussian({5}, rng, 3.0)};
  const TensorList<double> d = filter_normalized_direction(theta, rng);
  for (std::size_t k : {0, 2}) {
    const std::size_t filters = theta[k].shape()[0], per = theta[k].size() / filters;
    for (std::size_t i = 0; i < filters; ++i) {
      double nd = 0, nt = 0;
      for (std::size_t j = 0; j < per; ++j) {
        nd += std::pow(d[k].data()[i * per + j], 2);
        nt += std::pow(theta[k].data()[i * per + j], 2);
      }
      CHECK(std::sqrt(nd) == doctest::Approx(std::sqrt(nt)).epsilon(1e-12));
    }
  }
  for (std::size_t k : {1, 3})
    for (double e : d[k]) CHECK(e == 0.0);

  TensorList<double> kept = random_normal_like(theta, rng);
  filter_normalize(kept, theta, BiasDirection::normalized);
  CHECK(saddle::norm(TensorList<double>{kept[3]}) ==
        doctest::Approx(saddle::norm(TensorList<double>{theta[3]})).epsilon(1e-12));
}

TEST_CASE("landscape arguments are checked") {
  const TensorList<double> theta = {zeros_tensor<double>(Shape{3})};
  const ParameterLoss<double> f = [](const TensorList<double>&) { return 0.0; };
  CHECK_THROWS_WITH_AS(loss_slice(f, theta, theta, {}), "loss_slice: the grid of α is empty", Error);
  CHECK_THROWS_AS(loss_slice(f, theta, {zeros_tensor<double>(Shape{4})}, {0.0}), Error);
  CHECK_THROWS_WITH_AS(linspace(0, 1, 0), "linspace: 0 points; need at least 1", Error);
  CHECK(linspace(0, 1, 3) == std::vector<double>{0, 0.5, 1});
}
