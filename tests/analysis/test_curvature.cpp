// The curvature operators of analysis/curvature.hpp against their dense forms, each built by an
// independent route on a small tanh network: the Hessian from hessian(), the GGN from the logits'
// Jacobian (one forward-mode product per coordinate) and H_ℓ = diag(p) − ppᵀ written out, the
// Fisher and the empirical Fisher from per-sample (per-class) gradients by reverse mode.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "saddle/analysis/curvature.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "saddle/autodiff/functional.hpp"
#include "saddle/base/parallel.hpp"
#include "saddle/nn/models/models.hpp"
#include "saddle/objective/model_loss.hpp"
#include "tests/analysis/problems.hpp"
#include "tests/tensor_helpers.hpp"

using namespace saddle;
using namespace saddle::testing;

namespace {

struct SmallNet {
  std::unique_ptr<nn::Sequential<double>> model;
  data::Dataset<double> data;
  TensorList<double> theta;
  std::size_t n = 0, N, C = 3;

  explicit SmallNet(std::size_t samples = 30) : N(samples) {
    model = nn::fully_connected<double>({.inputs = 5, .hidden = {4}, .classes = 3, .activation = "tanh"}, 3);
    std::mt19937_64 rng(9);
    data.images = gaussian({N, 5}, rng);
    for (std::size_t i = 0; i < N; ++i) data.labels.push_back(static_cast<Label>(rng() % C));
    theta = nn::parameter_values(*model);
    n = numel(theta);
  }

  // The unit vector e_j as a parameter list.
  TensorList<double> basis(std::size_t j) const {
    Tensor<double> flat = zeros_tensor<double>(Shape{n});
    flat(j) = 1;
    return unflatten(flat, shapes_of(theta));
  }

  // Sample i's logits z_i(θ) and p_i.
  std::vector<double> probabilities(std::size_t i) const {
    const Tensor<double> z = logits_at(i);
    std::vector<double> p(C);
    double top = -INFINITY, total = 0;
    for (std::size_t c = 0; c < C; ++c) top = std::max(top, z(0, c));
    for (std::size_t c = 0; c < C; ++c) total += (p[c] = std::exp(z(0, c) - top));
    for (double& e : p) e /= total;
    return p;
  }
  Tensor<double> logits_at(std::size_t i) const {
    const auto f = model_logits(*model);
    Tensor<double> x = empty_tensor<double>(Shape{1, 5});
    for (std::size_t j = 0; j < 5; ++j) x(0, j) = data.images(i, j);
    std::vector<Var<double>> p;
    for (const auto& t : theta) p.emplace_back(t);
    return f(p, x).value();
  }
  Tensor<double> row(std::size_t i) const {
    Tensor<double> x = empty_tensor<double>(Shape{1, 5});
    for (std::size_t j = 0; j < 5; ++j) x(0, j) = data.images(i, j);
    return x;
  }

  // G = (1/N) Σ_i J_iᵀ (diag p_i − p_i p_iᵀ) J_i, J_i column j = ∂z_i/∂θ_j by forward mode.
  std::vector<double> dense_ggn() const {
    const auto f = model_logits(*model);
    std::vector<double> G(n * n, 0.0);
    for (std::size_t i = 0; i < N; ++i) {
      const Tensor<double> x = row(i);
      std::vector<std::vector<double>> J(C, std::vector<double>(n));
      for (std::size_t j = 0; j < n; ++j) {
        const auto [z, dz] = jvp([&](const std::vector<Var<double>>& p) { return f(p, x); }, theta, basis(j));
        for (std::size_t c = 0; c < C; ++c) J[c][j] = dz(0, c);
      }
      const std::vector<double> p = probabilities(i);
      for (std::size_t a = 0; a < C; ++a)
        for (std::size_t b = 0; b < C; ++b) {
          const double h = (a == b ? p[a] : 0.0) - p[a] * p[b];
          for (std::size_t r = 0; r < n; ++r)
            for (std::size_t s = 0; s < n; ++s) G[r * n + s] += J[a][r] * h * J[b][s] / double(N);
        }
    }
    return G;
  }

  // Σ_i weight_i(c) g g_ᵀ / N over the gradients g of −log p_c(x_i) for the classes `classes(i)`.
  template <class Weights>
  std::vector<double> dense_outer(Weights&& weights) const {
    const auto f = model_logits(*model);
    std::vector<double> M(n * n, 0.0);
    for (std::size_t i = 0; i < N; ++i) {
      const Tensor<double> x = row(i);
      const std::vector<double> p = probabilities(i);
      for (std::size_t c = 0; c < C; ++c) {
        const double w = weights(i, c, p);
        if (w == 0) continue;
        const std::vector<Label> label{static_cast<Label>(c)};
        const TensorList<double> g = grad(
            [&](const std::vector<Var<double>>& q) {
              return -sum(pick(log_softmax(f(q, x), 1), std::span<const Label>(label)));
            },
            theta);
        const Tensor<double> gf = saddle::flatten(g);
        for (std::size_t r = 0; r < n; ++r)
          for (std::size_t s = 0; s < n; ++s) M[r * n + s] += w * gf(r) * gf(s) / double(N);
      }
    }
    return M;
  }

  std::vector<double> dense_of(const LinearOperator<double>& M) const {
    std::vector<double> D(n * n);
    for (std::size_t j = 0; j < n; ++j) {
      const Tensor<double> col = saddle::flatten(M(basis(j)));
      for (std::size_t r = 0; r < n; ++r) D[r * n + j] = col(r);
    }
    return D;
  }
};

double max_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

std::vector<double> to_vector(const TensorList<double>& x) {
  const Tensor<double> flat = saddle::flatten(x);
  return {flat.begin(), flat.end()};
}

double max_abs(const std::vector<double>& a) {
  double m = 0;
  for (double x : a) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace

TEST_CASE("each curvature operator equals its dense form to 1e-10, over batches of any size") {
  const SmallNet net;
  const std::vector<double> ggn = net.dense_ggn();
  const std::vector<double> fisher = net.dense_outer([](std::size_t, std::size_t c, const std::vector<double>& p) { return p[c]; });
  const std::vector<double> empirical = net.dense_outer(
      [&](std::size_t i, std::size_t c, const std::vector<double>&) { return c == std::size_t(net.data.labels[i]) ? 1.0 : 0.0; });
  const auto loss = [&](const std::vector<Var<double>>& p) {
    return cross_entropy_loss(*net.model)(p, net.data.images, net.data.labels);
  };
  const Tensor<double> h = hessian(loss, net.theta);
  const std::vector<double> hess(h.begin(), h.end());
  for (std::size_t batch : {std::size_t(30), std::size_t(7)}) {
    CAPTURE(batch);
    const auto op = [&](Curvature k) {
      return model_curvature_operator(k, *net.model, net.data, sample_range(0, net.N, batch));
    };
    CHECK(max_difference(net.dense_of(op(Curvature::hessian)), hess) <= 1e-10 * max_abs(hess));
    CHECK(max_difference(net.dense_of(op(Curvature::ggn)), ggn) <= 1e-10 * max_abs(ggn));
    CHECK(max_difference(net.dense_of(op(Curvature::fisher)), fisher) <= 1e-10 * max_abs(fisher));
    CHECK(max_difference(net.dense_of(op(Curvature::empirical_fisher)), empirical) <= 1e-10 * max_abs(empirical));
  }
  SUBCASE("for the softmax cross-entropy the Fisher is the GGN, and the GGN is positive semi-definite") {
    CHECK(max_difference(fisher, ggn) <= 1e-12 * max_abs(ggn));
    const std::vector<double> values = dense_eigenvalues(ggn, net.n);
    CHECK(values.front() >= -1e-12 * values.back());
    const std::vector<double> hessian_values = dense_eigenvalues(hess, net.n);
    CHECK(hessian_values.front() < -1e-6);  // while the Hessian here has negative curvature
  }
}

TEST_CASE("GGN and Fisher products in shards: the product of the whole set, the same bits for 1, 2 and 3 workers") {
  const SmallNet net(200);
  const auto logits = model_logits(*net.model);
  std::mt19937_64 rng(4);
  TensorList<double> v;
  for (const auto& t : net.theta) v.push_back(gaussian(Shape(t.shape().begin(), t.shape().end()), rng));
  for (Curvature k : {Curvature::ggn, Curvature::fisher, Curvature::empirical_fisher}) {
    CAPTURE(to_string(k));
    // The one-call product of all 200 rows, no shards.
    const TensorList<double> whole =
        k == Curvature::ggn      ? ggn_product(logits, net.theta, net.data.images, v)
        : k == Curvature::fisher ? fisher_product(logits, net.theta, net.data.images, v)
                                 : empirical_fisher_product(logits, net.theta, net.data.images, net.data.labels, v);
    const std::vector<double> expected = to_vector(whole);
    for (std::size_t batch : {std::size_t(200), std::size_t(64)}) {  // 4 shards of 50 rows; 2 of 32 and one of 8
      CAPTURE(batch);
      const auto M = model_curvature_operator(k, *net.model, net.data, sample_range(0, net.N, batch));
      const TensorList<double> first = [&] {
        const WorkerLimit one(1);
        return M(v);
      }();
      CHECK(max_difference(to_vector(first), expected) <= 1e-12 * max_abs(expected));
      for (std::size_t workers : {2, 3, 2}) {
        CAPTURE(workers);
        const WorkerLimit limit(workers);
        CHECK(same_bits(M(v), first));
      }
    }
  }
}

TEST_CASE("a diagonal block is the slice of the dense Hessian for that parameter tensor") {
  const SmallNet net;
  const auto loss = [&](const std::vector<Var<double>>& p) {
    return cross_entropy_loss(*net.model)(p, net.data.images, net.data.labels);
  };
  const Tensor<double> h = hessian(loss, net.theta);
  const auto H = model_curvature_operator(Curvature::hessian, *net.model, net.data, sample_range(0, net.N, 10));
  std::size_t offset = 0;
  for (std::size_t g = 0; g < net.theta.size(); ++g) {
    const std::size_t size = net.theta[g].size();
    const LinearOperator<double> block = diagonal_block<double>(H, net.theta, g);
    const TensorList<double> like{net.theta[g]};
    double worst = 0, scale = 0;
    for (std::size_t j = 0; j < size; ++j) {
      Tensor<double> e = zeros_tensor<double>(net.theta[g].shape());
      e.data()[j] = 1;
      const Tensor<double> col = block({e})[0];
      for (std::size_t r = 0; r < size; ++r) {
        worst = std::max(worst, std::abs(col.data()[r] - h(offset + r, offset + j)));
        scale = std::max(scale, std::abs(h(offset + r, offset + j)));
      }
    }
    CHECK(worst <= 1e-12 * std::max(scale, 1e-300));
    // And the solvers take it: its top eigenvalue is the dense block's.
    std::vector<double> dense(size * size);
    for (std::size_t r = 0; r < size; ++r)
      for (std::size_t c = 0; c < size; ++c) dense[r * size + c] = h(offset + r, offset + c);
    const std::vector<double> values = dense_eigenvalues(dense, size);
    const auto top = lanczos_top<double>(block, like, {.k = 1});
    CHECK(top.eigenvalues[0] == doctest::Approx(values.back()).epsilon(1e-8));
    offset += size;
  }
  CHECK_THROWS_WITH_AS(diagonal_block<double>(H, net.theta, 4), "diagonal_block: parameter tensor 4 of a list of 4",
                       Error);
}

TEST_CASE("curvature names parse, unknown ones are refused") {
  for (const std::string& name : curvature_names()) CHECK(to_string(parse_curvature(name)) == name);
  CHECK_THROWS_WITH_AS(parse_curvature("gauss-newton"),
                       "curvature 'gauss-newton': expected hessian, ggn, fisher or empirical-fisher", Error);
}
