#include "optim/amsgrad.hpp"

#include <algorithm>
#include <cmath>

#include "optim/adam.hpp"

namespace saddle {

template <class T>
AMSGrad<T>::AMSGrad(std::vector<Var<T>> params, AMSGradOptions opt)
    : Optimizer<T>("AMSGrad", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  detail::check_adam_options("AMSGrad", opt.beta1, opt.beta2, opt.eps);
  exp_avg_ = this->zeros_like_params();
  exp_avg_sq_ = this->zeros_like_params();
  max_exp_avg_sq_ = this->zeros_like_params();
}

template <class T>
void AMSGrad<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T wd = static_cast<T>(this->weight_decay_), eps = static_cast<T>(opt_.eps);
  const T b1 = static_cast<T>(opt_.beta1), b2 = static_cast<T>(opt_.beta2);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const double t = static_cast<double>(this->leaf_steps_[i]);
    const double bc1 = opt_.bias_correction ? 1 - std::pow(opt_.beta1, t) : 1.0;
    const double bc2 = opt_.bias_correction ? 1 - std::pow(opt_.beta2, t) : 1.0;
    const T step_size = static_cast<T>(this->lr() / bc1);
    const T sqrt_bc2 = static_cast<T>(std::sqrt(bc2));
    T* theta = this->data(i);
    T* m = exp_avg_[i].data();
    T* v = exp_avg_sq_[i].data();
    T* vmax = max_exp_avg_sq_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      const T gj = grad[j] + wd * theta[j];
      m[j] = b1 * m[j] + (1 - b1) * gj;
      v[j] = b2 * v[j] + (1 - b2) * gj * gj;
      vmax[j] = std::max(vmax[j], v[j]);  // Reddi et al. 2018, Alg. 2: v̂_t = max(v̂_{t−1}, v_t)
      theta[j] -= step_size * m[j] / (std::sqrt(vmax[j]) / sqrt_bc2 + eps);
    }
  }
}

template <class T>
void AMSGrad<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "exp_avg", exp_avg_);
  this->visit_list(v, "exp_avg_sq", exp_avg_sq_);
  this->visit_list(v, "max_exp_avg_sq", max_exp_avg_sq_);
}

template class AMSGrad<float>;
template class AMSGrad<double>;

}  // namespace saddle
