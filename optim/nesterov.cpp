#include "optim/nesterov.hpp"

namespace saddle {

template <class T>
Nesterov<T>::Nesterov(std::vector<Var<T>> params, NesterovOptions opt)
    : Optimizer<T>("Nesterov", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {
  detail::check_unit_interval("Nesterov", "momentum", opt.momentum);
  velocity_ = this->zeros_like_params();
}

template <class T>
void Nesterov<T>::update(const typename Optimizer<T>::Gradients& g) {
  const T eta = static_cast<T>(this->lr()), wd = static_cast<T>(this->weight_decay_);
  const T mu = static_cast<T>(opt_.momentum);
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (!g[i]) continue;
    T* theta = this->data(i);
    T* v = velocity_[i].data();
    const T* grad = g[i]->data();
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      const T gj = grad[j] + wd * theta[j];
      v[j] = mu * v[j] + gj;
      theta[j] -= eta * (gj + mu * v[j]);
    }
  }
}

template <class T>
void Nesterov<T>::step(Objective<T>& f) {
  if (opt_.form == NesterovForm::reformulated) return Optimizer<T>::step(f);
  const T eta = static_cast<T>(this->lr()), wd = static_cast<T>(this->weight_decay_);
  const T mu = static_cast<T>(opt_.momentum);
  // φ = θ − ημv, the point the momentum carries θ to (Sutskever et al. 2013, eq. 3).
  TensorList<T> phi = this->values();
  for (std::size_t i = 0; i < phi.size(); ++i) {
    T* p = phi[i].data();
    const T* v = velocity_[i].data();
    for (std::size_t j = 0, n = phi[i].size(); j < n; ++j) p[j] -= eta * mu * v[j];
  }
  TensorList<T> g = f.gradient(phi);
  this->check_gradients("gradient", g);
  for (std::size_t i = 0; i < g.size(); ++i) {
    T* gi = g[i].data();
    const T* p = phi[i].data();
    for (std::size_t j = 0, n = g[i].size(); j < n; ++j) gi[j] += wd * p[j];
  }
  this->begin_step(this->pointers(g));
  look_ahead_update(g);
}

template <class T>
void Nesterov<T>::look_ahead_update(const TensorList<T>& g) {
  const T eta = static_cast<T>(this->lr()), mu = static_cast<T>(opt_.momentum);
  for (std::size_t i = 0; i < g.size(); ++i) {
    T* theta = this->data(i);
    T* v = velocity_[i].data();
    const T* grad = g[i].data();
    // Sutskever et al. 2013, eq. 3–4: v ← μv + ∇f(φ), θ ← θ − ηv.
    for (std::size_t j = 0, n = this->size(i); j < n; ++j) {
      v[j] = mu * v[j] + grad[j];
      theta[j] -= eta * v[j];
    }
  }
}

template <class T>
void Nesterov<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  this->visit_list(v, "momentum_buffer", velocity_);
}

template class Nesterov<float>;
template class Nesterov<double>;

}  // namespace saddle
