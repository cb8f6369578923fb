#include "saddle/optim/nadam.hpp"

#include <algorithm>
#include <cmath>

#include "saddle/optim/adam.hpp"
#include "saddle/optim/registry.hpp"

namespace saddle {

namespace {

// Dozat's momentum schedule μ_t = β₁(1 − ½·0.96^{tψ}).
double nadam_momentum(double beta1, double momentum_decay, double t) {
  return beta1 * (1 - 0.5 * std::pow(0.96, t * momentum_decay));
}
// The coefficients of one Nadam step of a parameter at its step t.
template <class T>
struct NadamStep {
  T beta1, beta2, eps, weight_decay;
  T bc2;       // 1 − β₂ᵗ
  T grad;      // η(1 − μ_t)/(1 − Π_t)
  T momentum;  // η μ_{t+1}/(1 − Π_t μ_{t+1})
};
// Dozat 2016, Alg. 2 for a parameter at its step t; updates its Π.
template <class T>
NadamStep<T> nadam_step(double lr, double beta1, double beta2, double eps, double weight_decay, double momentum_decay,
                        double t, double& mu_product) {
  const double mu = nadam_momentum(beta1, momentum_decay, t);
  const double mu_next = nadam_momentum(beta1, momentum_decay, t + 1);
  mu_product = static_cast<double>(static_cast<T>(mu_product * mu));  // held at T's precision
  return {static_cast<T>(beta1),
          static_cast<T>(beta2),
          static_cast<T>(eps),
          static_cast<T>(weight_decay),
          static_cast<T>(1 - std::pow(beta2, t)),
          static_cast<T>(lr * (1 - mu) / (1 - mu_product)),
          static_cast<T>(lr * mu_next / (1 - mu_product * mu_next))};
}

// Nadam's moments and step on n coordinates, with AMSGrad's maximum for NAMSGrad:
//   g ← grad + λθ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  v̂ ← max(v̂, v) if max_v
//   θ ← θ − (c.grad·g + c.momentum·m) / (√((v̂ or v)/(1 − β₂ᵗ)) + ε)
template <class T>
void nadam_kernel(std::size_t n, const T* grad, T* theta, T* m, T* v, T* max_v, const NadamStep<T>& c) {
  for (std::size_t j = 0; j < n; ++j) {
    const T g = grad[j] + c.weight_decay * theta[j];
    m[j] = c.beta1 * m[j] + (1 - c.beta1) * g;
    v[j] = c.beta2 * v[j] + (1 - c.beta2) * g * g;
    T second = v[j];
    if (max_v) second = max_v[j] = std::max(max_v[j], v[j]);  // Reddi et al. 2018, Alg. 2
    // Dozat 2016, Alg. 2: bias-corrected gradient plus the next step's bias-corrected momentum.
    theta[j] -= (c.grad * g + c.momentum * m[j]) / (std::sqrt(second / c.bc2) + c.eps);
  }
}

}  // namespace

template <class T>
Nadam<T>::Nadam(const char* name, std::vector<Var<T>> params, NadamOptions opt, bool max_second_moment)
    : Optimizer<T>(name, std::move(params), opt.lr, opt.weight_decay),
      opt_(opt),
      max_second_moment_(max_second_moment) {
  hyperparameter::check_adam_options(name, opt.beta1, opt.beta2, opt.eps);
  hyperparameter::check_nonnegative(name, "momentum_decay", opt.momentum_decay);
  exp_avg_ = this->zeros_like_params();
  exp_avg_sq_ = this->zeros_like_params();
  if (max_second_moment_) max_exp_avg_sq_ = this->zeros_like_params();
  mu_product_.assign(this->params_.size(), 1.0);
}

template <class T>
void Nadam<T>::update(const typename Optimizer<T>::Gradients& g) {
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const auto c = nadam_step<T>(this->lr(), opt_.beta1, opt_.beta2, opt_.eps, this->weight_decay_, opt_.momentum_decay,
                                 static_cast<double>(this->leaf_steps_[i]), mu_product_[i]);
    nadam_kernel(this->size(i), g[i]->data(), this->data(i), exp_avg_[i].data(), exp_avg_sq_[i].data(),
                 max_second_moment_ ? max_exp_avg_sq_[i].data() : static_cast<T*>(nullptr), c);
  }
}

template <class T>
void Nadam<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "exp_avg", exp_avg_);
  this->visit_list(v, "exp_avg_sq", exp_avg_sq_);
  if (max_second_moment_) this->visit_list(v, "max_exp_avg_sq", max_exp_avg_sq_);
  for (std::size_t i = 0; i < mu_product_.size(); ++i) v.real("mu_product." + std::to_string(i), mu_product_[i]);
}

template class Nadam<float>;
template class Nadam<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> nadam_methods() {
  return {optimizer_method<Nadam>(
      {.name = "nadam",
       .description = "Adam with Nesterov momentum under Dozat's momentum schedule (Dozat 2016)",
       .in_comparison = true},
      {{"beta1", &NadamOptions::beta1, HyperparameterRange::unit_interval,
        "β₁, decay of the gradient's running average"},
       {"beta2", &NadamOptions::beta2, HyperparameterRange::unit_interval,
        "β₂, decay of the squared gradient's running average"},
       {"eps", &NadamOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
