#include "optim/nadam.hpp"

#include <cmath>

#include "optim/adam.hpp"

namespace saddle {

template <class T>
Nadam<T>::Nadam(std::vector<Var<T>> params, NadamOptions opt)
    : Optimizer<T>("Nadam", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  detail::check_adam_options("Nadam", opt.beta1, opt.beta2, opt.eps);
  detail::check_nonnegative("Nadam", "momentum_decay", opt.momentum_decay);
  exp_avg_ = this->zeros_like_params();
  exp_avg_sq_ = this->zeros_like_params();
  mu_product_.assign(this->params_.size(), 1.0);
}

template <class T>
void Nadam<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T wd = static_cast<T>(this->weight_decay_), eps = static_cast<T>(opt_.eps);
  const T b1 = static_cast<T>(opt_.beta1), b2 = static_cast<T>(opt_.beta2);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const double t = static_cast<double>(this->leaf_steps_[i]);
    const auto c = detail::nadam_coefficients<T>(this->lr(), opt_.beta1, opt_.momentum_decay, t, mu_product_[i]);
    const T bc2 = static_cast<T>(1 - std::pow(opt_.beta2, t));
    T* theta = this->data(i);
    T* m = exp_avg_[i].data();
    T* v = exp_avg_sq_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      const T gj = grad[j] + wd * theta[j];
      m[j] = b1 * m[j] + (1 - b1) * gj;
      v[j] = b2 * v[j] + (1 - b2) * gj * gj;
      const T denom = std::sqrt(v[j] / bc2) + eps;
      // Dozat 2016, Alg. 2: bias-corrected gradient plus the next step's bias-corrected momentum.
      theta[j] -= (c.grad * gj + c.momentum * m[j]) / denom;
    }
  }
}

template <class T>
void Nadam<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "exp_avg", exp_avg_);
  this->visit_list(v, "exp_avg_sq", exp_avg_sq_);
  for (std::size_t i = 0; i < mu_product_.size(); ++i) v.real("mu_product." + std::to_string(i), mu_product_[i]);
}

template class Nadam<float>;
template class Nadam<double>;

}  // namespace saddle
