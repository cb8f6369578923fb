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
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const double t = static_cast<double>(this->leaf_steps_[i]);
    // Loshchilov & Hutter 2019, Alg. 2: θ ← θ − ηλ_w θ, outside the adaptive step.
    const auto c = detail::AdamStep<T>::at(opt_.beta1, opt_.beta2, opt_.eps, this->weight_decay_, this->lr(),
                                          1 - std::pow(opt_.beta1, t), 1 - std::pow(opt_.beta2, t),
                                          1 - this->lr() * opt_.decoupled_weight_decay);
    detail::adam_kernel(this->size(i), g[i]->data(), this->data(i), exp_avg_[i].data(), exp_avg_sq_[i].data(),
                        static_cast<T*>(nullptr), c);
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
