#include "saddle/optim/adam.hpp"

#include <algorithm>
#include <cmath>

#include "saddle/optim/registry.hpp"

namespace saddle {

namespace hyperparameter {
void check_adam_options(const char* method, double beta1, double beta2, double eps) {
  check_unit_interval(method, "beta1", beta1);
  check_unit_interval(method, "beta2", beta2);
  check_positive(method, "eps", eps);
}
}  // namespace hyperparameter

namespace {

// The coefficients of one Adam step of a parameter at its step t.
template <class T>
struct AdamStep {
  T beta1, beta2, eps, weight_decay;
  T step_size;  // η/(1 − β₁ᵗ)
  T sqrt_bc2;   // √(1 − β₂ᵗ)
  T decay;      // θ's factor before the step: 1, or 1 − ηλ_w for AdamW

  // The coefficients at step t from the bias corrections bc₁ = 1 − β₁ᵗ and bc₂ = 1 − β₂ᵗ (1 where a
  // method omits them), computed in double and rounded once to T.
  static AdamStep at(double beta1, double beta2, double eps, double weight_decay, double lr, double bc1, double bc2,
                     double decay = 1) {
    return {T(beta1), T(beta2), T(eps), T(weight_decay), T(lr / bc1), T(std::sqrt(bc2)), T(decay)};
  }
};

// Adam's moments and step on n coordinates, shared by Adam, AdamW and AMSGrad:
//   g ← grad + λθ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  v̂ ← max(v̂, v) if max_v
//   θ ← decay·θ − step_size · m / (√(v̂ or v)/sqrt_bc2 + ε)
template <class T>
void adam_kernel(std::size_t n, const T* grad, T* theta, T* m, T* v, T* max_v, const AdamStep<T>& c) {
  for (std::size_t j = 0; j < n; ++j) {
    const T g = grad[j] + c.weight_decay * theta[j];
    m[j] = c.beta1 * m[j] + (1 - c.beta1) * g;
    v[j] = c.beta2 * v[j] + (1 - c.beta2) * g * g;
    T second = v[j];
    if (max_v) second = max_v[j] = std::max(max_v[j], v[j]);  // Reddi et al. 2018, Alg. 2
    theta[j] = c.decay * theta[j] - c.step_size * m[j] / (std::sqrt(second) / c.sqrt_bc2 + c.eps);
  }
}
}  // namespace

template <class T>
Adam<T>::Adam(const char* name, std::vector<Var<T>> params, AdamOptions opt, Variant variant)
    : Optimizer<T>(name, std::move(params), opt.lr, opt.weight_decay), opt_(opt), variant_(variant) {
  hyperparameter::check_adam_options(name, opt.beta1, opt.beta2, opt.eps);
  hyperparameter::check_nonnegative(name, "decoupled_weight_decay", variant.decoupled_weight_decay);
  exp_avg_ = this->zeros_like_params();
  exp_avg_sq_ = this->zeros_like_params();
  if (variant_.max_second_moment) max_exp_avg_sq_ = this->zeros_like_params();
}

template <class T>
void Adam<T>::update(const typename Optimizer<T>::Gradients& g) {
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const double t = static_cast<double>(this->leaf_steps_[i]);
    // Kingma & Ba 2015, Alg. 1: η m̂/(√v̂ + ε) = (η/(1−β₁ᵗ)) m / (√v/√(1−β₂ᵗ) + ε).
    const double bc1 = variant_.bias_correction ? 1 - std::pow(opt_.beta1, t) : 1.0;
    const double bc2 = variant_.bias_correction ? 1 - std::pow(opt_.beta2, t) : 1.0;
    // Loshchilov & Hutter 2019, Alg. 2: AdamW's θ ← θ − ηλ_w θ, outside the adaptive step.
    const auto c = AdamStep<T>::at(opt_.beta1, opt_.beta2, opt_.eps, this->weight_decay_, this->lr(), bc1, bc2,
                                   1 - this->lr() * variant_.decoupled_weight_decay);
    // Reddi et al. 2018, Alg. 2: AMSGrad divides by √v̂, v̂ = max(v̂, v).
    adam_kernel(this->size(i), g[i]->data(), this->data(i), exp_avg_[i].data(), exp_avg_sq_[i].data(),
                variant_.max_second_moment ? max_exp_avg_sq_[i].data() : static_cast<T*>(nullptr), c);
  }
}

template <class T>
void Adam<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "exp_avg", exp_avg_);
  this->visit_list(v, "exp_avg_sq", exp_avg_sq_);
  if (variant_.max_second_moment) this->visit_list(v, "max_exp_avg_sq", max_exp_avg_sq_);
}

template class Adam<float>;
template class Adam<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> adam_methods() {
  return {optimizer_method<Adam>(
      {.name = "adam", .description = "Adam, adaptive moment estimation (Kingma & Ba 2015)", .in_comparison = true},
      {{"beta1", &AdamOptions::beta1, HyperparameterRange::unit_interval,
        "β₁, decay of the gradient's running average"},
       {"beta2", &AdamOptions::beta2, HyperparameterRange::unit_interval,
        "β₂, decay of the squared gradient's running average"},
       {"eps", &AdamOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
