#include "optim/amsgrad.hpp"

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
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const double t = static_cast<double>(this->leaf_steps_[i]);
    const double bc1 = opt_.bias_correction ? 1 - std::pow(opt_.beta1, t) : 1.0;
    const double bc2 = opt_.bias_correction ? 1 - std::pow(opt_.beta2, t) : 1.0;
    const auto c =
        detail::AdamStep<T>::at(opt_.beta1, opt_.beta2, opt_.eps, this->weight_decay_, this->lr(), bc1, bc2);
    // Reddi et al. 2018, Alg. 2: the step divides by √v̂, v̂ = max(v̂, v).
    detail::adam_kernel(this->size(i), g[i]->data(), this->data(i), exp_avg_[i].data(), exp_avg_sq_[i].data(),
                        max_exp_avg_sq_[i].data(), c);
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
