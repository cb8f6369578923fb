// saddle/analysis/curvature.cpp — the Hessian, GGN, Fisher and empirical Fisher products (see the
// header for the equations).
#include "saddle/analysis/curvature.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>

#include "saddle/autodiff/functional.hpp"
#include "saddle/base/tensor_list.hpp"
#include "saddle/nn/functional_call.hpp"
#include "saddle/objective/model_loss.hpp"

namespace saddle {

namespace {

const std::vector<std::string> kCurvatureNames = {"hessian", "ggn", "fisher", "empirical-fisher"};

// A constant of the recorded graph, the weights of a reverse sweep.
template <class T>
Var<T> constant(Tensor<T> t) {
  return Var<T>(std::move(t));
}

// Jᵀ w for a function r(θ) of the rows: the gradient of Σ r(θ) ⊙ w, one reverse sweep.
template <class T, class F>
TensorList<T> weighted_vjp(F&& rows, const TensorList<T>& params, const Tensor<T>& w) {
  return grad([&](const std::vector<Var<T>>& p) { return sum(rows(p) * constant(w)); }, params);
}

}  // namespace

Curvature parse_curvature(const std::string& name) {
  for (std::size_t i = 0; i < kCurvatureNames.size(); ++i)
    if (name == kCurvatureNames[i]) return static_cast<Curvature>(i);
  throw Error("curvature '" + name + "': expected hessian, ggn, fisher or empirical-fisher");
}

const char* to_string(Curvature c) { return kCurvatureNames.at(static_cast<std::size_t>(c)).c_str(); }

const std::vector<std::string>& curvature_names() { return kCurvatureNames; }

template <class T>
LogitsFunction<T> model_logits(nn::Module<T>& model) {
  return [&model](const std::vector<Var<T>>& params, const Tensor<T>& inputs) {
    const nn::ParameterSwap<T> swap(model, params);
    return model.forward_data(inputs);  // a copy, which Flatten keeps
  };
}

template <class T>
TensorList<T> ggn_product(const LogitsFunction<T>& logits, const TensorList<T>& params, const Tensor<T>& inputs,
                          const TensorList<T>& v) {
  const auto rows = [&](const std::vector<Var<T>>& p) { return logits(p, inputs); };
  const auto [z, dz] = jvp(rows, params, v);  // z (B, C) and u = J v
  if (z.dimension() != 2) throw Error("ggn_product: logits of shape " + shape_str(z.shape()) + ", need (B, C)");
  const std::size_t B = z.shape()[0], C = z.shape()[1];
  // H_ℓ u = p ⊙ u − p (pᵀu) per row, divided by B for the mean.
  Tensor<T> w = empty_tensor<T>(z.shape());
  for (std::size_t n = 0; n < B; ++n) {
    double top = -INFINITY, total = 0, pu = 0;
    for (std::size_t c = 0; c < C; ++c) top = std::max(top, double(z(n, c)));
    std::vector<double> p(C);
    for (std::size_t c = 0; c < C; ++c) total += (p[c] = std::exp(double(z(n, c)) - top));
    for (std::size_t c = 0; c < C; ++c) pu += (p[c] /= total) * double(dz(n, c));
    for (std::size_t c = 0; c < C; ++c) w(n, c) = static_cast<T>(p[c] * (double(dz(n, c)) - pu) / double(B));
  }
  return weighted_vjp(rows, params, w);
}

template <class T>
TensorList<T> fisher_product(const LogitsFunction<T>& logits, const TensorList<T>& params, const Tensor<T>& inputs,
                             const TensorList<T>& v) {
  const auto log_p = [&](const std::vector<Var<T>>& p) { return log_softmax(logits(p, inputs), 1); };
  const auto [lp, t] = jvp(log_p, params, v);  // log p_c and t_c = ∇log p_cᵀv, (B, C)
  const std::size_t B = lp.shape()[0];
  Tensor<T> w = empty_tensor<T>(lp.shape());  // p_c t_c / B
  for (std::size_t i = 0; i < lp.size(); ++i)
    w.data()[i] = static_cast<T>(std::exp(double(lp.data()[i])) * double(t.data()[i]) / double(B));
  return weighted_vjp(log_p, params, w);
}

template <class T>
TensorList<T> empirical_fisher_product(const LogitsFunction<T>& logits, const TensorList<T>& params,
                                       const Tensor<T>& inputs, const std::vector<Label>& labels,
                                       const TensorList<T>& v) {
  const auto losses = [&](const std::vector<Var<T>>& p) {
    return -pick(log_softmax(logits(p, inputs), 1), std::span<const Label>(labels));
  };
  const auto [l, t] = jvp(losses, params, v);  // ℓ_n and t_n = ∇ℓ_nᵀv, (B,)
  Tensor<T> w = empty_tensor<T>(l.shape());
  for (std::size_t i = 0; i < l.size(); ++i) w.data()[i] = static_cast<T>(double(t.data()[i]) / double(l.size()));
  return weighted_vjp(losses, params, w);
}

template <class T>
CurvatureOperator<T>::CurvatureOperator(Curvature kind, LogitsFunction<T> logits, Objective<T> objective,
                                        TensorList<T> params)
    : state_(std::make_shared<State>(State{kind, std::move(logits), std::move(objective), std::move(params), 0})) {}

template <class T>
TensorList<T> CurvatureOperator<T>::operator()(const TensorList<T>& v) const {
  State& s = *state_;
  check_same_shapes("curvature product", s.params, v);
  ++s.products;
  if (s.kind == Curvature::hessian) return s.objective.hvp(s.params, v);
  const auto product = [&](const BatchData<T>& rows) {
    return s.kind == Curvature::ggn      ? ggn_product(s.logits, s.params, rows.inputs, v)
           : s.kind == Curvature::fisher ? fisher_product(s.logits, s.params, rows.inputs, v)
                                         : empirical_fisher_product(s.logits, s.params, rows.inputs, rows.labels, v);
  };
  // Σ_u (N_u/N)·M_u v over the work units (objective.hpp): the batches in order, or each process's
  // share summed in rank order in a data-parallel run.
  const std::vector<double> flat = s.objective.sum_units(
      [&](const BatchData<T>& rows) {
        const Tensor<T> mv = saddle::flatten(product(rows));
        return std::vector<double>(mv.begin(), mv.end());
      },
      numel(s.params));
  Tensor<T> mv = empty_tensor<T>(Shape{flat.size()});
  std::copy(flat.begin(), flat.end(), mv.begin());
  return unflatten(mv, shapes_of(s.params));
}

template <class T>
CurvatureOperator<T> model_curvature_operator(Curvature kind, nn::Module<T>& model, const data::Dataset<T>& data,
                                              SampleSet samples) {
  return CurvatureOperator<T>(kind, model_logits(model),
                              Objective<T>(cross_entropy_loss(model), data, std::move(samples)),
                              nn::parameter_values(model));
}

template <class T>
LinearOperator<T> diagonal_block(const LinearOperatorArg<T>& M, const TensorList<T>& like, std::size_t g) {
  if (g >= like.size())
    throw Error("diagonal_block: parameter tensor " + std::to_string(g) + " of a list of " +
                std::to_string(like.size()));
  return [M, zeros = zeros_like(like), g](const TensorList<T>& v) {
    if (v.size() != 1 || v[0].shape() != zeros[g].shape())
      throw Error("diagonal_block: a vector of shape list " + shape_list_str(shapes_of(v)) + " for the block of " +
                  shape_str(zeros[g].shape()));
    TensorList<T> full = zeros;
    full[g] = v[0];
    return TensorList<T>{M(full)[g]};
  };
}

#define SADDLE_CURVATURE(T)                                                                                       \
  template LogitsFunction<T> model_logits<T>(nn::Module<T>&);                                                     \
  template TensorList<T> ggn_product<T>(const LogitsFunction<T>&, const TensorList<T>&, const Tensor<T>&,         \
                                        const TensorList<T>&);                                                    \
  template TensorList<T> fisher_product<T>(const LogitsFunction<T>&, const TensorList<T>&, const Tensor<T>&,      \
                                           const TensorList<T>&);                                                 \
  template TensorList<T> empirical_fisher_product<T>(const LogitsFunction<T>&, const TensorList<T>&,              \
                                                     const Tensor<T>&, const std::vector<Label>&,                 \
                                                     const TensorList<T>&);                                       \
  template class CurvatureOperator<T>;                                                                            \
  template CurvatureOperator<T> model_curvature_operator<T>(Curvature, nn::Module<T>&, const data::Dataset<T>&,   \
                                                            SampleSet);                                           \
  template LinearOperator<T> diagonal_block<T>(const LinearOperatorArg<T>&, const TensorList<T>&, std::size_t);

SADDLE_CURVATURE(float)
SADDLE_CURVATURE(double)

}  // namespace saddle
