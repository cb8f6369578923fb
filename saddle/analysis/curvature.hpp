// saddle/analysis/curvature.hpp — the curvature matrices of a classifier's mean cross-entropy over
// a set of samples, each as a product v ↦ Mv that every solver of analysis/ takes (Lanczos, power
// iteration, Hutchinson, Hutch++, SLQ, CNC), and their diagonal blocks, one per parameter tensor.
//
//   auto M = model_curvature_operator(Curvature::ggn, *model, train, sample_range(0, 1000, 250));
//   EigenResult<double> top = lanczos_top<double>(M, M.parameters(), {.k = 5});
//   auto W1 = diagonal_block<double>(M, M.parameters(), 0);   // the block of 'fc1.weight'
//
// With z = g_θ(x) the logits of a sample, p = softmax(z), ℓ = −log p_y, J = ∂z/∂θ and the sums
// averaged over the samples (Martens 2020, "New insights and perspectives on the natural gradient
// method", §§8–9; Kunstner, Balles & Hennig 2019):
//   Hessian            H = E[∇²ℓ]                          forward-over-reverse (objective.hpp)
//   generalized Gauss–Newton   G = E[Jᵀ H_ℓ J],  H_ℓ = ∂²ℓ/∂z² = diag(p) − ppᵀ
//                      one forward-mode sweep gives u = J v, then one reverse sweep Jᵀ(H_ℓ u): G is
//                      the Hessian with the network linearised, positive semi-definite
//   Fisher             F = E_x E_{c∼p(·|x)}[∇log p_c ∇log p_cᵀ], the model's predictive
//                      distribution; computed as it is defined: a forward-mode sweep gives the
//                      directional derivatives t_c = ∇log p_cᵀv of every class's log-probability,
//                      one reverse sweep of Σ_c p_c t_c log p_c gives Σ_c p_c t_c ∇log p_c. For the
//                      softmax cross-entropy F = G (Martens §9.2), which tests/analysis checks.
//   empirical Fisher   E[∇ℓ ∇ℓᵀ] at the observed labels: t = ∇ℓᵀv by forward mode, then one
//                      reverse sweep of Σ t ℓ. Not a curvature of the loss in general (Kunstner et
//                      al. 2019); offered because optimisers and papers use it.
// Each product over a sample set is the size-weighted sum of its batches' products, in batch order,
// and each batch's the size-weighted sum of its shards' (Objective::sum_units), computed on
// saddle's workers, like every product of Objective: the batch size never changes the matrix,
// only memory and speed, and the bits do not depend on the number of workers.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "saddle/base/linear_operator.hpp"
#include "saddle/nn/module.hpp"
#include "saddle/objective/objective.hpp"

namespace saddle {

enum class Curvature { hessian, ggn, fisher, empirical_fisher };

// "hessian", "ggn", "fisher" or "empirical-fisher"; Error otherwise, naming the word.
Curvature parse_curvature(const std::string& name);
const char* to_string(Curvature c);
const std::vector<std::string>& curvature_names();

// A classifier as a function of its parameters: the logits (B, C) of the rows of `inputs`. A
// CurvatureOperator calls it from several threads at once, for the shards of a batch: it may read
// shared data and write only what it owns (nn::ParameterSwap binds on the calling thread only).
template <class T>
using LogitsFunction = std::function<Var<T>(const std::vector<Var<T>>& params, const Tensor<T>& inputs)>;

// The logits of an nn model with the given parameters swapped in (nn::ParameterSwap). The model
// must outlive the function.
template <class T>
LogitsFunction<T> model_logits(nn::Module<T>& model);

// One batch's products, each the mean over the batch's rows (the matrices above for one batch).
template <class T>
TensorList<T> ggn_product(const LogitsFunction<T>& logits, const TensorList<T>& params, const Tensor<T>& inputs,
                          const TensorList<T>& v);
template <class T>
TensorList<T> fisher_product(const LogitsFunction<T>& logits, const TensorList<T>& params, const Tensor<T>& inputs,
                             const TensorList<T>& v);
template <class T>
TensorList<T> empirical_fisher_product(const LogitsFunction<T>& logits, const TensorList<T>& params,
                                       const Tensor<T>& inputs, const std::vector<Label>& labels,
                                       const TensorList<T>& v);

// M of one kind over a sample set at a fixed θ. A cheap handle: copies share the point and the
// product counter, like HessianOperator.
template <class T>
class CurvatureOperator {
 public:
  // The objective supplies the samples, their batches and (for the Hessian) the loss; it must be
  // the mean softmax cross-entropy of the same logits (model_curvature_operator builds both).
  CurvatureOperator(Curvature kind, LogitsFunction<T> logits, Objective<T> objective, TensorList<T> params);

  TensorList<T> operator()(const TensorList<T>& v) const;  // Mv: one pass over the sample set
  LinearOperator<T> linear_operator() const { return *this; }

  Curvature kind() const { return state_->kind; }
  const TensorList<T>& parameters() const { return state_->params; }
  const Objective<T>& objective() const { return state_->objective; }
  std::size_t products() const { return state_->products; }  // Mv products made so far

 private:
  struct State {
    Curvature kind;
    LogitsFunction<T> logits;
    Objective<T> objective;
    TensorList<T> params;
    std::size_t products;
  };
  std::shared_ptr<State> state_;
};

// M of an nn model's mean softmax cross-entropy over `samples` of `data`, at the model's current
// parameters. The model must outlive the operator.
template <class T>
CurvatureOperator<T> model_curvature_operator(Curvature kind, nn::Module<T>& model, const data::Dataset<T>& data,
                                              SampleSet samples);

// The diagonal block M_gg of parameter tensor g: v_g ↦ (M [0, …, v_g, …, 0])_g, an operator on
// lists of the one tensor's shape. Each product is one full product of M. Error: g out of range.
template <class T>
LinearOperator<T> diagonal_block(const LinearOperatorArg<T>& M, const TensorList<T>& like, std::size_t g);

}  // namespace saddle
