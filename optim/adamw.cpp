#include "optim/adamw.hpp"

#include <cmath>

#include "optim/adam.hpp"

namespace saddle {

template <class T>
AdamW<T>::AdamW(std::vector<Var<T>> params, AdamWOptions opt)
    : Optimizer<T>("AdamW", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  detail::check_adam_options("AdamW", opt.beta1, opt.beta2, opt.eps);
  detail::check_nonnegative("AdamW", "decoupled_weight_decay", opt.decoupled_weight_decay);
  exp_avg_ = this->zeros_like_params();
  exp_avg_sq_ = this->zeros_like_params();
}

template <class T>
void AdamW<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T wd = static_cast<T>(this->weight_decay_), eps = static_cast<T>(opt_.eps);
  const T b1 = static_cast<T>(opt_.beta1), b2 = static_cast<T>(opt_.beta2);
  // Loshchilov & Hutter 2019, Alg. 2: θ ← θ − ηλ_w θ, outside the adaptive step.
  const T decay = static_cast<T>(1 - this->lr() * opt_.decoupled_weight_decay);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const double t = static_cast<double>(this->leaf_steps_[i]);
    const T step_size = static_cast<T>(this->lr() / (1 - std::pow(opt_.beta1, t)));
    const T sqrt_bc2 = static_cast<T>(std::sqrt(1 - std::pow(opt_.beta2, t)));
    T* theta = this->data(i);
    T* m = exp_avg_[i].data();
    T* v = exp_avg_sq_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      const T gj = grad[j] + wd * theta[j];
      m[j] = b1 * m[j] + (1 - b1) * gj;
      v[j] = b2 * v[j] + (1 - b2) * gj * gj;
      theta[j] = decay * theta[j] - step_size * m[j] / (std::sqrt(v[j]) / sqrt_bc2 + eps);
    }
  }
}

template <class T>
void AdamW<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "exp_avg", exp_avg_);
  this->visit_list(v, "exp_avg_sq", exp_avg_sq_);
}

template class AdamW<float>;
template class AdamW<double>;

}  // namespace saddle
