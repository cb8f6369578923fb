#include "saddle/optim/adagrad.hpp"

#include <algorithm>
#include <cmath>

#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
Adagrad<T>::Adagrad(std::vector<Var<T>> params, AdagradOptions opt)
    : Optimizer<T>("Adagrad", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  hyperparameter::check_positive("Adagrad", "eps", opt.eps);
  hyperparameter::check_nonnegative("Adagrad", "initial_accumulator_value", opt.initial_accumulator_value);
  sum_ = this->zeros_like_params();
  for (auto& s : sum_) std::fill(s.data(), s.data() + s.size(), static_cast<T>(opt.initial_accumulator_value));
}

template <class T>
void Adagrad<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T eta = static_cast<T>(this->lr()), wd = static_cast<T>(this->weight_decay_);
  const T eps = static_cast<T>(opt_.eps);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    T* theta = this->data(i);
    T* s = sum_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      const T gj = grad[j] + wd * theta[j];
      s[j] += gj * gj;
      theta[j] -= eta * gj / (std::sqrt(s[j]) + eps);
    }
  }
}

template <class T>
void Adagrad<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "sum", sum_);
}

template class Adagrad<float>;
template class Adagrad<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> adagrad_methods() {
  return {optimizer_method<Adagrad>(
      {.name = "adagrad", .description = "steps over the root of the summed squared gradients (Duchi et al. 2011)"},
      {{"eps", &AdagradOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
