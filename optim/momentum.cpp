#include "optim/momentum.hpp"

namespace saddle {

template <class T>
Momentum<T>::Momentum(std::vector<Var<T>> params, MomentumOptions opt)
    : Optimizer<T>("Momentum", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  detail::check_unit_interval("Momentum", "momentum", opt.momentum);
  velocity_ = this->zeros_like_params();
}

template <class T>
void Momentum<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T eta = static_cast<T>(this->lr()), wd = static_cast<T>(this->weight_decay_);
  const T mu = static_cast<T>(opt_.momentum);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    T* theta = this->data(i);
    T* v = velocity_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      v[j] = mu * v[j] + (grad[j] + wd * theta[j]);
      theta[j] -= eta * v[j];
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

}  // namespace saddle
