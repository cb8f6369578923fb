// Small objectives with gradients known in closed form, shared by the specifications of optim/.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "saddle/autodiff/ops.hpp"
#include "saddle/objective/objective.hpp"

namespace saddle::testing {

// Tensors of the given shapes holding the entries of `flat` in order.
template <class T = double>
TensorList<T> split_flat(const std::vector<Shape>& shapes, const std::vector<double>& flat) {
  TensorList<T> out;
  std::size_t k = 0;
  for (const auto& s : shapes) {
    Tensor<T> t = empty_tensor<T>(s);
    for (std::size_t j = 0; j < t.size(); ++j) t.data()[j] = static_cast<T>(flat.at(k++));
    out.push_back(std::move(t));
  }
  return out;
}

// The rows of a matrix given row by row, as a (rows, columns) tensor.
template <class T = double>
Tensor<T> matrix(const std::vector<std::vector<double>>& rows) {
  Tensor<T> m = empty_tensor<T>(Shape{rows.size(), rows.at(0).size()});
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j) m(i, j) = static_cast<T>(rows[i][j]);
  return m;
}

// The mean of the rows of a (rows, columns) tensor.
template <class T>
std::vector<double> column_means(const Tensor<T>& rows) {
  std::vector<double> m(rows.shape()[1], 0.0);
  for (std::size_t i = 0; i < rows.shape()[0]; ++i)
    for (std::size_t j = 0; j < m.size(); ++j) m[j] += static_cast<double>(rows(i, j));
  for (auto& e : m) e /= static_cast<double>(rows.shape()[0]);
  return m;
}

// fᵢ(θ) = Σⱼ aᵢⱼ(θⱼ − θ*ⱼ)², i = 0..3, aᵢⱼ ∈ [0.5, 1.5], f = (1/n) Σᵢ fᵢ, over a (3,) and a (2,2)
// tensor: strongly convex, and every sample has its minimum at θ*, so stochastic methods converge
// too. The aᵢ are the rows of the objective's data.
template <class T = double>
struct ConvexFiniteSum {
  std::vector<Shape> shapes{{3}, {2, 2}};
  std::vector<double> target{0.7, -1.2, 0.4, 2.0, -0.3, 1.1, -0.8};
  std::vector<std::vector<double>> a{{0.5, 1.0, 1.5, 0.8, 1.2, 0.6, 1.4},
                                     {1.5, 0.7, 0.9, 1.1, 0.5, 1.3, 1.0},
                                     {0.9, 1.4, 0.6, 0.5, 1.5, 1.0, 0.7},
                                     {1.1, 0.5, 1.2, 1.4, 0.8, 0.9, 0.6}};
  data::Dataset<T> data = unlabeled_data(matrix<T>(a));

  TensorList<T> split(const std::vector<double>& flat) const { return split_flat<T>(shapes, flat); }
  // θ₀ = 0.
  std::vector<Var<T>> params() const { return make_leaves(split(std::vector<double>(7, 0.0)), true); }
  // The mean of fᵢ over the given rows aᵢ.
  Var<T> loss(const std::vector<Var<T>>& x, const Tensor<T>& rows) const {
    const TensorList<T> W = split(column_means(rows)), X = split(target);
    Var<T> total = sum(Var<T>(W[0]) * square(x[0] - Var<T>(X[0])));
    return total + sum(Var<T>(W[1]) * square(x[1] - Var<T>(X[1])));
  }
  // f over the n samples, one batch.
  Objective<T> objective() const {
    return Objective<T>([this](const std::vector<Var<T>>& x, const Tensor<T>& rows,
                               const std::vector<Label>&) { return loss(x, rows); },
                        data, sample_range(0, a.size(), a.size()));
  }
};

// f(θ) = Σⱼ aⱼθⱼ² + bⱼθⱼ over two parameter tensors of shapes (3,) and (2,2) (θ flattened in list
// order, 7 entries), so ∇f(θ) = 2aθ + b. As a finite sum of n = 4 samples,
// fᵢ(θ) = f(θ) + cᵢᵀθ with Σᵢ cᵢ = 0 (exactly: the cᵢ are dyadic), so ∇fᵢ(θ) = 2aθ + b + cᵢ and
// f = (1/n) Σᵢ fᵢ. The cᵢ are the rows of the objective's data.
struct SeparableQuadratic {
  std::vector<double> a{0.5, 1.0, 1.5, 0.75, 2.0, 1.25, 0.6};
  std::vector<double> b{0.3, -0.2, 0.5, -0.4, 0.1, 0.25, -0.35};
  std::vector<double> theta0{1.0, -0.5, 0.25, 2.0, -1.5, 0.8, -0.3};
  std::vector<std::vector<double>> c{{0.5, -0.25, 0.125, 0.75, -0.5, 0.25, 0.0625},
                                     {-0.25, 0.5, 0.375, -0.5, 0.25, -0.125, 0.5},
                                     {0.125, 0.25, -0.75, 0.25, 0.5, 0.375, -0.25},
                                     {-0.375, -0.5, 0.25, -0.5, -0.25, -0.5, -0.3125}};
  std::vector<Shape> shapes{{3}, {2, 2}};
  data::Dataset<double> data = unlabeled_data(matrix(c));

  // The two parameter tensors of a flat vector.
  TensorList<double> split(const std::vector<double>& flat) const { return split_flat(shapes, flat); }
  std::vector<Var<double>> params() const { return make_leaves(split(theta0), true); }

  std::vector<double> grad(const std::vector<double>& x) const {
    std::vector<double> g(x.size());
    for (std::size_t j = 0; j < x.size(); ++j) g[j] = 2 * a[j] * x[j] + b[j];
    return g;
  }
  std::vector<double> sample_grad(const std::vector<double>& x, std::size_t i) const {
    std::vector<double> g = grad(x);
    for (std::size_t j = 0; j < x.size(); ++j) g[j] += c[i][j];
    return g;
  }

  // The mean of fᵢ over the given rows cᵢ, written with the engine's ops.
  Var<double> loss(const std::vector<Var<double>>& x, const Tensor<double>& rows) const {
    const TensorList<double> A = split(a), B = split(b), C = split(column_means(rows));
    Var<double> total = sum(Var<double>(A[0]) * square(x[0]) + Var<double>(B[0] + C[0]) * x[0]);
    for (std::size_t k = 1; k < x.size(); ++k)
      total = total + sum(Var<double>(A[k]) * square(x[k]) + Var<double>(B[k] + C[k]) * x[k]);
    return total;
  }
  // Fills the leaves' gradients with ∇f through backward().
  void backward(const std::vector<Var<double>>& x) const { loss(x, data.images).backward(); }
  // f over the n samples, one batch.
  Objective<double> objective() const {
    return Objective<double>([this](const std::vector<Var<double>>& x, const Tensor<double>& rows,
                                    const std::vector<Label>&) { return loss(x, rows); },
                             data, sample_range(0, c.size(), c.size()));
  }
};

inline std::vector<double> flat(const std::vector<Var<double>>& params) {
  std::vector<double> out;
  for (const auto& p : params) out.insert(out.end(), p.value().data(), p.value().data() + p.size());
  return out;
}

inline double max_abs_diff(const std::vector<double>& x, const std::vector<double>& y) {
  REQUIRE(x.size() == y.size());
  double d = 0;
  for (std::size_t j = 0; j < x.size(); ++j) d = std::max(d, std::abs(x[j] - y[j]));
  return d;
}

}  // namespace saddle::testing
