#include "saddle/optim/rmsprop.hpp"

#include <cmath>

#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
RMSProp<T>::RMSProp(std::vector<Var<T>> params, RMSPropOptions opt)
    : Optimizer<T>("RMSProp", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  hyperparameter::check_unit_interval("RMSProp", "alpha", opt.alpha);
  hyperparameter::check_positive("RMSProp", "eps", opt.eps);
  square_avg_ = this->zeros_like_params();
}

template <class T>
void RMSProp<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T eta = static_cast<T>(this->lr()), wd = static_cast<T>(this->weight_decay_);
  const T alpha = static_cast<T>(opt_.alpha), eps = static_cast<T>(opt_.eps);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    T* theta = this->data(i);
    T* v = square_avg_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      const T gj = grad[j] + wd * theta[j];
      v[j] = alpha * v[j] + (1 - alpha) * gj * gj;
      theta[j] -= eta * gj / (std::sqrt(v[j]) + eps);
    }
  }
}

template <class T>
void RMSProp<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "square_avg", square_avg_);
}

template class RMSProp<float>;
template class RMSProp<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> rmsprop_methods() {
  return {optimizer_method<RMSProp>(
      {.name = "rmsprop",
       .description = "steps over the root of a running average of squared gradients (Tieleman & Hinton 2012)"},
      {{"alpha", &RMSPropOptions::alpha, HyperparameterRange::unit_interval,
        "α, smoothing of the squared gradients' average"},
       {"eps", &RMSPropOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
