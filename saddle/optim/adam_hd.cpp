#include "saddle/optim/adam_hd.hpp"

#include <algorithm>
#include <cmath>

#include "saddle/optim/adam.hpp"
#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
AdamHD<T>::AdamHD(std::vector<Var<T>> params, AdamHDOptions opt)
    : Optimizer<T>("Adam-HD", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  hyperparameter::check_adam_options("Adam-HD", opt.beta1, opt.beta2, opt.eps);
  hyperparameter::check_nonnegative("Adam-HD", "hypergrad_lr", opt.hypergrad_lr);
  exp_avg_ = this->zeros_like_params();
  exp_avg_sq_ = this->zeros_like_params();
  prev_direction_ = this->zeros_like_params();
}

template <class T>
void AdamHD<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T wd = static_cast<T>(this->weight_decay_), eps = static_cast<T>(opt_.eps);
  const T b1 = static_cast<T>(opt_.beta1), b2 = static_cast<T>(opt_.beta2);
  // A loop, not saddle::dot: g_t + λθ is formed on the fly and parameters without a gradient are skipped.
  double gd = 0;  // g_t · d_{t−1} = −h_t
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const T* grad = g[i]->data();
    const T* theta = this->params_[i].value().data();
    const T* d = prev_direction_[i].data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j)
      gd += static_cast<double>(grad[j] + wd * theta[j]) * static_cast<double>(d[j]);
  }
  this->assign_lr(this->lr() + opt_.hypergrad_lr * gd);  // α_t = α_{t−1} − β h_t
  const T alpha = static_cast<T>(this->lr());
  for (std::size_t i = 0; i < g.size(); ++i) {
    T* d = prev_direction_[i].data();
    if (!g[i]) {
      std::fill(d, d + prev_direction_[i].size(), T(0));
      continue;
    }
    const double t = static_cast<double>(this->leaf_steps_[i]);
    const T bc1 = static_cast<T>(1 - std::pow(opt_.beta1, t));
    const T bc2 = static_cast<T>(1 - std::pow(opt_.beta2, t));
    T* theta = this->data(i);
    T* m = exp_avg_[i].data();
    T* v = exp_avg_sq_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      const T gj = grad[j] + wd * theta[j];
      m[j] = b1 * m[j] + (1 - b1) * gj;
      v[j] = b2 * v[j] + (1 - b2) * gj * gj;
      d[j] = (m[j] / bc1) / (std::sqrt(v[j] / bc2) + eps);
      theta[j] -= alpha * d[j];
    }
  }
}

template <class T>
void AdamHD<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "exp_avg", exp_avg_);
  this->visit_list(v, "exp_avg_sq", exp_avg_sq_);
  this->visit_list(v, "prev_direction", prev_direction_);
}

template class AdamHD<float>;
template class AdamHD<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> adam_hd_methods() {
  return {optimizer_method<AdamHD>(
      {.name = "adam-hd",
       .description = "Adam whose learning rate is learned by hypergradient descent (Baydin et al. 2018)",
       .in_comparison = true},
      {{"hypergrad_lr", &AdamHDOptions::hypergrad_lr, HyperparameterRange::nonnegative,
        "β, the learning rate of the learning rate"},
       {"beta1", &AdamHDOptions::beta1, HyperparameterRange::unit_interval,
        "β₁, decay of the gradient's running average"},
       {"beta2", &AdamHDOptions::beta2, HyperparameterRange::unit_interval,
        "β₂, decay of the squared gradient's running average"},
       {"eps", &AdamHDOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
