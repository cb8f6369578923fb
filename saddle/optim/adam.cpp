#include "saddle/optim/adam.hpp"

#include <cmath>

namespace saddle {

namespace detail {
void check_adam_options(const char* method, double beta1, double beta2, double eps) {
  check_unit_interval(method, "beta1", beta1);
  check_unit_interval(method, "beta2", beta2);
  check_positive(method, "eps", eps);
}
}  // namespace detail

template <class T>
Adam<T>::Adam(const char* name, std::vector<Var<T>> params, AdamOptions opt, Variant variant)
    : Optimizer<T>(name, std::move(params), opt.lr, opt.weight_decay), opt_(opt), variant_(variant) {
  detail::check_adam_options(name, opt.beta1, opt.beta2, opt.eps);
  detail::check_nonnegative(name, "decoupled_weight_decay", variant.decoupled_weight_decay);
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
    const auto c = detail::AdamStep<T>::at(opt_.beta1, opt_.beta2, opt_.eps, this->weight_decay_, this->lr(), bc1, bc2,
                                           1 - this->lr() * variant_.decoupled_weight_decay);
    // Reddi et al. 2018, Alg. 2: AMSGrad divides by √v̂, v̂ = max(v̂, v).
    detail::adam_kernel(this->size(i), g[i]->data(), this->data(i), exp_avg_[i].data(), exp_avg_sq_[i].data(),
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

}  // namespace saddle
