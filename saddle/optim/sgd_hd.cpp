#include "saddle/optim/sgd_hd.hpp"

#include <algorithm>

#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
SGDHD<T>::SGDHD(std::vector<Var<T>> params, SGDHDOptions opt)
    : Optimizer<T>("SGD-HD", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  hyperparameter::check_nonnegative("SGD-HD", "hypergrad_lr", opt.hypergrad_lr);
  prev_grad_ = this->zeros_like_params();
}

template <class T>
void SGDHD<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T wd = static_cast<T>(this->weight_decay_);
  // g_t, with the weight decay folded in, into a scratch list (g_{t−1} is still needed for h_t).
  TensorList<T> grad(g.size());
  // A loop, not saddle::dot: one pass folds the decay into g_t and takes the product with g_{t−1}.
  double gg = 0;  // g_t · g_{t−1} = −h_t
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    grad[i] = *g[i];
    T* gi = grad[i].data();
    const T* theta = this->params_[i].value().data();
    const T* prev = prev_grad_[i].data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      gi[j] += wd * theta[j];
      gg += static_cast<double>(gi[j]) * static_cast<double>(prev[j]);
    }
  }
  this->assign_lr(this->lr() + opt_.hypergrad_lr * gg);  // α_t = α_{t−1} − β h_t
  const T alpha = static_cast<T>(this->lr());
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) {
      std::fill(prev_grad_[i].data(), prev_grad_[i].data() + prev_grad_[i].size(), T(0));
      continue;
    }
    T* theta = this->data(i);
    const T* gi = grad[i].data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) theta[j] -= alpha * gi[j];
    prev_grad_[i] = std::move(grad[i]);
  }
}

template <class T>
void SGDHD<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "prev_grad", prev_grad_);
}

template class SGDHD<float>;
template class SGDHD<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> sgd_hd_methods() {
  return {optimizer_method<SGDHD>(
      {.name = "sgd-hd",
       .description = "gradient descent whose learning rate is learned by hypergradient descent (Baydin et al. 2018)",
       .in_comparison = true},
      {{"hypergrad_lr", &SGDHDOptions::hypergrad_lr, HyperparameterRange::nonnegative,
        "β, the learning rate of the learning rate"}})};
}

}  // namespace saddle
