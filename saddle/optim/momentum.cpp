#include "saddle/optim/momentum.hpp"

#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
Momentum<T>::Momentum(const char* name, std::vector<Var<T>> params, MomentumOptions opt, bool nesterov_step)
    : Optimizer<T>(name, std::move(params), opt.lr, opt.weight_decay), opt_(opt), nesterov_step_(nesterov_step) {
  hyperparameter::check_unit_interval(name, "momentum", opt.momentum);
  velocity_ = this->zeros_like_params();
}

template <class T>
void Momentum<T>::update(const typename Optimizer<T>::Gradients& g) {
  momentum_update(g, this->weight_decay_, nesterov_step_);
}

template <class T>
void Momentum<T>::momentum_update(const typename Optimizer<T>::Gradients& g, double weight_decay, bool nesterov_step) {
  const T eta = static_cast<T>(this->lr()), wd = static_cast<T>(weight_decay);
  const T mu = static_cast<T>(opt_.momentum);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    T* theta = this->data(i);
    T* v = velocity_[i].data();
    const T* grad = g[i]->data();
    const std::size_t n = this->size(i);
    if (nesterov_step) {  // Bengio et al. 2013, §3.5
      for (std::size_t j = 0; j < n; ++j) {
        const T gj = grad[j] + wd * theta[j];
        v[j] = mu * v[j] + gj;
        theta[j] -= eta * (gj + mu * v[j]);
      }
    } else {  // Polyak 1964
      for (std::size_t j = 0; j < n; ++j) {
        v[j] = mu * v[j] + (grad[j] + wd * theta[j]);
        theta[j] -= eta * v[j];
      }
    }
  }
}

template <class T>
void Momentum<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "momentum_buffer", velocity_);
}

template class Momentum<float>;
template class Momentum<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> momentum_methods() {
  return {optimizer_method<Momentum>(
      {.name = "momentum",
       .description = "heavy-ball momentum, v ← μv + g, θ ← θ − ηv (Polyak 1964)",
       .in_comparison = true},
      {{"momentum", &MomentumOptions::momentum, HyperparameterRange::unit_interval, "momentum μ"}})};
}

}  // namespace saddle
