#include "saddle/optim/pgd.hpp"

#include <cmath>

#include "saddle/optim/perturbation.hpp"
#include "saddle/optim/registry.hpp"

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
void PGD<T>::step(const Objective<T>& f) {
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

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> pgd_methods() {
  return {optimizer_method<PGD>(
      {.name = "pgd",
       .description =
           "perturbed gradient descent: a random point of a ball when the gradient is small (Jin et al. 2017)"},
      {{"g_thres", &PGDOptions::g_thres, HyperparameterRange::nonnegative,
        "gradient threshold, perturb when ‖∇f‖ ≤ g_thres"},
       {"t_thres", &PGDOptions::t_thres, HyperparameterRange::count,
        "perturbation period, at least t_thres steps between perturbations"},
       {"radius", &PGDOptions::radius, HyperparameterRange::positive, "radius r of the perturbation ball"}})};
}

}  // namespace saddle
