// Small problems with known curvature for the tests of analysis/: softmax regression (whose
// Hessian has a closed form), a tanh MLP (dense Hessian through hessian()), and dense eigenpairs.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "saddle/objective/objective.hpp"
#include "saddle/base/tensor_list.hpp"
#include "saddle/autodiff/functional.hpp"
#include "tests/analysis/dense_eigen.hpp"

namespace saddle::testing {


inline Tensor<double> gaussian(const Shape& shape, std::mt19937_64& rng, double scale = 1.0) {
  std::normal_distribution<double> normal(0.0, scale);
  Tensor<double> t = empty_tensor<double>(shape);
  for (auto& e : t) e = normal(rng);
  return t;
}

// Softmax regression, p = softmax(xW + b), W (d, K), b (K), mean cross-entropy, in engine ops.
struct SoftmaxRegression {
  std::size_t d, K, N;
  data::Dataset<double> data;  // images (N, d)
  TensorList<double> params;   // {W, b}

  SoftmaxRegression(std::size_t d_, std::size_t K_, std::size_t N_, std::uint64_t seed) : d(d_), K(K_), N(N_) {
    std::mt19937_64 rng(seed);
    data.images = gaussian({N, d}, rng);
    for (std::size_t n = 0; n < N; ++n) data.labels.push_back(static_cast<int>(rng() % K));
    params = {gaussian({d, K}, rng, 0.5), gaussian({K}, rng, 0.5)};
  }

  static Var<double> logits(const std::vector<Var<double>>& p, const Tensor<double>& x) {
    return matmul(Var<double>(x), p[0]) + p[1];
  }
  static BatchLoss<double> loss() {
    return [](const std::vector<Var<double>>& p, const Tensor<double>& x, const std::vector<Label>& y) {
      return -pick(log_softmax(logits(p, x), 1), y);
    };
  }

  std::vector<double> probabilities(std::size_t n) const {
    std::vector<double> z(K);
    double mx = -1e300, s = 0;
    for (std::size_t k = 0; k < K; ++k) {
      z[k] = params[1](k);
      for (std::size_t i = 0; i < d; ++i) z[k] += data.images(n, i) * params[0](i, k);
      mx = std::max(mx, z[k]);
    }
    for (auto& e : z) s += (e = std::exp(e - mx));
    for (auto& e : z) e /= s;
    return z;
  }

  // H = (1/|S|) Σ_{n∈S} (x̃ₙx̃ₙᵀ) ⊗ (diag(pₙ) − pₙpₙᵀ), x̃ = (x, 1), in the flat order of {W, b}:
  // entry (i, k) at i·K + k, the bias being row i = d.
  Tensor<double> hessian(const std::vector<std::size_t>& samples) const {
    const std::size_t n = (d + 1) * K;
    Tensor<double> H = zeros_tensor<double>(Shape{n, n});
    for (std::size_t s : samples) {
      const auto p = probabilities(s);
      for (std::size_t i = 0; i <= d; ++i)
        for (std::size_t j = 0; j <= d; ++j) {
          const double xi = i < d ? data.images(s, i) : 1.0, xj = j < d ? data.images(s, j) : 1.0;
          for (std::size_t k = 0; k < K; ++k)
            for (std::size_t l = 0; l < K; ++l)
              H(i * K + k, j * K + l) += xi * xj * ((k == l ? p[k] : 0.0) - p[k] * p[l]);
        }
    }
    H /= static_cast<double>(samples.size());
    return H;
  }
  Tensor<double> hessian() const { return hessian(all()); }
  std::vector<std::size_t> all() const {
    std::vector<std::size_t> s(N);
    for (std::size_t i = 0; i < N; ++i) s[i] = i;
    return s;
  }
};

// A one-hidden-layer tanh MLP, out = tanh(x W1 + b1) W2 + b2, mean cross-entropy, in engine ops.
// With `ntk` the layers are scaled as in the neural-tangent parameterisation (Jacot et al. 2018):
// out = tanh(x W1/√d_in + b1) W2/√h + b2 with N(0, 1) weights, so per-sample gradient norms
// converge as the width h grows.
struct TanhMlp {
  std::size_t in, hidden, out, N;
  bool ntk;
  data::Dataset<double> data;
  TensorList<double> params;

  TanhMlp(std::size_t in_, std::size_t hidden_, std::size_t out_, std::size_t N_, std::uint64_t seed, bool ntk_ = false)
      : in(in_), hidden(hidden_), out(out_), N(N_), ntk(ntk_) {
    std::mt19937_64 rng(seed);
    data.images = gaussian({N, in}, rng);
    for (std::size_t n = 0; n < N; ++n) data.labels.push_back(static_cast<int>(rng() % out));
    const double s1 = ntk ? 1.0 : 1.5 / std::sqrt(double(in));
    const double s2 = ntk ? 1.0 : 1.5 / std::sqrt(double(hidden));
    params = {gaussian({in, hidden}, rng, s1), gaussian({hidden}, rng, 0.5), gaussian({hidden, out}, rng, s2),
              gaussian({out}, rng, 0.5)};
  }

  BatchLoss<double> loss() const {
    const double c1 = ntk ? 1.0 / std::sqrt(double(in)) : 1.0;
    const double c2 = ntk ? 1.0 / std::sqrt(double(hidden)) : 1.0;
    return [c1, c2](const std::vector<Var<double>>& p, const Tensor<double>& x, const std::vector<Label>& y) {
      const Var<double> h = tanh(matmul(Var<double>(x), p[0]) * c1 + p[1]);
      const Var<double> z = matmul(h, p[2]) * c2 + p[3];
      return -pick(log_softmax(z, 1), y);
    };
  }

  // The dense Hessian of the mean loss over all N samples, column by column from hvp.
  Tensor<double> dense_hessian() const {
    const BatchLoss<double> f = loss();
    const auto& d = data;
    return saddle::hessian([&](const std::vector<Var<double>>& p) { return mean(f(p, d.images, d.labels)); }, params);
  }
};

inline TensorList<double> list_from_flat(const std::vector<double>& flat, const TensorList<double>& like) {
  Tensor<double> t = empty_tensor<double>(Shape{flat.size()});
  std::copy(flat.begin(), flat.end(), t.begin());
  return unflatten(t, shapes_of(like));
}

// y = H x for a dense H and a list x.
inline TensorList<double> dense_apply(const Tensor<double>& H, const TensorList<double>& x) {
  const Tensor<double> f = saddle::flatten(x);
  const std::size_t n = f.size();
  std::vector<double> y(n, 0.0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c < n; ++c) y[r] += H(r, c) * f(c);
  return list_from_flat(y, x);
}

inline double max_abs_difference(const TensorList<double>& a, const TensorList<double>& b) {
  double m = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    for (std::size_t i = 0; i < a[k].size(); ++i) m = std::max(m, std::abs(a[k].data()[i] - b[k].data()[i]));
  return m;
}

}  // namespace saddle::testing
