#include "saddle/optim/nadam.hpp"

#include "saddle/optim/adam.hpp"

namespace saddle {

template <class T>
Nadam<T>::Nadam(const char* name, std::vector<Var<T>> params, NadamOptions opt, bool max_second_moment)
    : Optimizer<T>(name, std::move(params), opt.lr, opt.weight_decay),
      opt_(opt),
      max_second_moment_(max_second_moment) {
  detail::check_adam_options(name, opt.beta1, opt.beta2, opt.eps);
  detail::check_nonnegative(name, "momentum_decay", opt.momentum_decay);
  exp_avg_ = this->zeros_like_params();
  exp_avg_sq_ = this->zeros_like_params();
  if (max_second_moment_) max_exp_avg_sq_ = this->zeros_like_params();
  mu_product_.assign(this->params_.size(), 1.0);
}

template <class T>
void Nadam<T>::update(const typename Optimizer<T>::Gradients& g) {
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    const auto c =
        detail::nadam_step<T>(this->lr(), opt_.beta1, opt_.beta2, opt_.eps, this->weight_decay_, opt_.momentum_decay,
                              static_cast<double>(this->leaf_steps_[i]), mu_product_[i]);
    detail::nadam_kernel(this->size(i), g[i]->data(), this->data(i), exp_avg_[i].data(), exp_avg_sq_[i].data(),
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

}  // namespace saddle
