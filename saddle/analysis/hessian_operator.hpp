// saddle/analysis/hessian_operator.hpp — the Hessian of a loss over a set of samples at a fixed
// point θ, as the linear operator v ↦ H_S(θ)v the solvers of analysis/ take.
//
//   Objective<double> f(loss, train, sample_range(0, 1000, 250));  // 4 batches
//   HessianOperator<double> H(f, params);
//   EigenResult<double> top = lanczos_top<double>(H, params, {.k = 5, .max_iter = 60});
//   H.hvp_calls();  // passes over the 1,000 samples so far
//
// H_S v = Σ_b (N_b/N) H_b v (objective/objective.hpp): each application is one forward-over-reverse
// sweep per batch, i.e. one pass over the sample set. The sample set chooses which Hessian: a whole
// dataset in batches (sample_range(0, N, B)), one mini-batch (one_batch), one sample (one_sample).
#pragma once

#include <cstddef>
#include <memory>

#include "saddle/base/linear_operator.hpp"
#include "saddle/nn/module.hpp"
#include "saddle/objective/model_loss.hpp"
#include "saddle/objective/objective.hpp"

namespace saddle {

// A cheap handle: copies (including the std::function the solvers convert it to) share the point,
// the objective and the counter, so hvp_calls() counts every product made through any copy.
template <class T>
class HessianOperator {
 public:
  // Error: params whose count or shapes the batch loss rejects surface on the first product.
  HessianOperator(Objective<T> objective, TensorList<T> params)
      : state_(std::make_shared<State>(State{std::move(objective), std::move(params), 0})) {}

  // H_S(θ)v: one pass over the sample set.
  TensorList<T> operator()(const TensorList<T>& v) const {
    ++state_->calls;
    return state_->objective.hvp(state_->params, v);
  }

  // The same operator as the solvers' type (sharing this handle's counter).
  LinearOperator<T> linear_operator() const { return *this; }

  // L_S(θ) and ∇L_S(θ) over the same samples at the same point.
  double loss() const { return state_->objective.loss(state_->params); }
  TensorList<T> gradient() const { return state_->objective.gradient(state_->params); }

  const TensorList<T>& parameters() const { return state_->params; }
  const Objective<T>& objective() const { return state_->objective; }
  std::size_t dimension() const {
    std::size_t n = 0;
    for (const auto& p : state_->params) n += p.size();
    return n;
  }
  std::size_t hvp_calls() const { return state_->calls; }  // products H_S v made so far

 private:
  struct State {
    Objective<T> objective;
    TensorList<T> params;
    std::size_t calls;
  };
  std::shared_ptr<State> state_;
};

// The Hessian at θ of the mean of `loss` over `samples` of `data`.
template <class T>
HessianOperator<T> hessian_operator(BatchLoss<T> loss, const data::Dataset<T>& data, SampleSet samples,
                                    TensorList<T> params) {
  return HessianOperator<T>(Objective<T>(std::move(loss), data, std::move(samples)), std::move(params));
}

// The Hessian of the mean cross-entropy of an nn model over `samples` at the model's current
// parameters (objective/model_loss.hpp). The model must outlive the operator.
//   auto H = model_hessian_operator(*model, train, sample_range(0, 1000, 250));
template <class T>
HessianOperator<T> model_hessian_operator(nn::Module<T>& model, const data::Dataset<T>& data, SampleSet samples) {
  return hessian_operator(cross_entropy_loss(model), data, std::move(samples), nn::parameter_values(model));
}

}  // namespace saddle
