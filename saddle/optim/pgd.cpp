#include "saddle/optim/pgd.hpp"

#include <cmath>

#include "saddle/optim/perturbation.hpp"

namespace saddle {

template <class T>
PGD<T>::PGD(std::vector<Var<T>> params, PGDOptions opt)
    : PerturbedOptimizer<T>("PGD", std::move(params), opt.lr, opt.weight_decay, opt.seed), opt_(opt) {
  hyperparameter::check_nonnegative("PGD", "g_thres", opt.g_thres);
  hyperparameter::check_positive("PGD", "radius", opt.radius);
}

template <class T>
bool PGD<T>::perturb_if_due(const typename Optimizer<T>::Gradients& g) {
  const bool waited = this->perturbations_ == 0 || this->step_ - last_perturbation_ > opt_.t_thres;
  if (!waited || std::sqrt(this->effective_grad_norm_sq(g)) > opt_.g_thres) return false;
  std::vector<bool> active(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) active[i] = g[i] != nullptr;
  perturb_uniform_ball(this->params_, active, opt_.radius, this->rng_);
  last_perturbation_ = this->step_;
  ++this->perturbations_;
  return true;
}

template <class T>
void PGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  perturb_if_due(g);
  this->gradient_step(g, this->lr());
}

template <class T>
void PGD<T>::step(Objective<T>& f) {
  TensorList<T> grad = f.gradient(this->values());
  this->check_gradients("gradient", grad);
  this->begin_step(this->pointers(grad));
  if (perturb_if_due(this->pointers(grad))) {
    grad = f.gradient(this->values());  // ∇f at the perturbed point
    this->check_gradients("gradient", grad);
  }
  this->gradient_step(this->pointers(grad), this->lr());
}

template <class T>
void PGD<T>::visit_state(StateVisitor<T>& v) {
  PerturbedOptimizer<T>::visit_state(v);
  v.count("last_perturbation", last_perturbation_);
}

template class PGD<float>;
template class PGD<double>;

}  // namespace saddle
