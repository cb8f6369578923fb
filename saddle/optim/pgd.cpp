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
  hyperparameter::check_nonnegative("PGD", "f_thres", opt.f_thres);
  theta_tilde_ = this->values();
}

template <class T>
bool PGD<T>::waited(std::size_t t) const {
  return this->perturbations() == 0 || t - this->last_perturbation() > opt_.t_thres;
}

template <class T>
void PGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  if (waited(this->step_) && this->effective_grad_norm_sq(g) <= opt_.g_thres * opt_.g_thres)
    this->perturb_in_ball(g, opt_.radius);
  this->gradient_step(g, this->lr());
}

template <class T>
void PGD<T>::step(const Objective<T>& f) {
  if (stopped_) return;  // Alg. 2 has returned θ̃
  // Jin et al. 2017, Alg. 2, with ‖∇F‖² read as the unbiased estimate of perturbation.hpp, and only
  // at the steps where the algorithm may perturb.
  const std::size_t t = this->step_ + 1;
  const bool may = waited(t);
  const TensorList<T> theta = this->values();
  GradientTest<T> test;
  if (may) {
    test = gradient_test(f, theta, this->weight_decay_);
  } else {
    ValueAndGrad<T> vg = f.value_and_grad(theta);
    test = {std::move(vg.grad), 0, vg.value};
  }
  TensorList<T> grad = test.grad;
  this->check_gradients("gradient", grad);
  // The stopping rule, t_thres steps after the last perturbation (the weight decay's ½λ‖θ‖² is
  // part of f).
  const bool rule = opt_.f_thres > 0;
  const double f_t = rule ? test.loss + 0.5 * this->weight_decay_ * saddle::dot(theta, theta) : 0.0;
  if (rule && this->perturbations() > 0 && t - this->last_perturbation() == opt_.t_thres &&
      f_t - f_tilde_ > -opt_.f_thres) {
    this->begin_step(this->pointers(grad));
    for (std::size_t i = 0; i < theta_tilde_.size(); ++i) this->params_[i].mutable_value() = theta_tilde_[i];
    stopped_ = 1;
    return;
  }
  this->begin_step(this->pointers(grad));
  if (may && test.norm_sq <= opt_.g_thres * opt_.g_thres) {
    theta_tilde_ = theta;
    f_tilde_ = static_cast<double>(static_cast<T>(f_t));  // at T's precision, as the state saves it
    this->perturb_in_ball(this->pointers(grad), opt_.radius);
    grad = f.gradient(this->values());  // ∇f at the perturbed point
    this->check_gradients("gradient", grad);
  }
  this->gradient_step(this->pointers(grad), this->lr());
}

template <class T>
void PGD<T>::visit_state(StateVisitor<T>& v) {
  PerturbedOptimizer<T>::visit_state(v);
  v.real("f_tilde", f_tilde_);
  v.count("stopped", stopped_);
  for (std::size_t i = 0; i < theta_tilde_.size(); ++i) v.tensor("theta_tilde." + std::to_string(i), theta_tilde_[i]);
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
        "gradient threshold, perturb when ‖∇f‖ ≤ g_thres (an unbiased estimate of ‖∇f‖² on mini-batches)"},
       {"t_thres", &PGDOptions::t_thres, HyperparameterRange::count,
        "perturbation period, at least t_thres steps between perturbations"},
       {"radius", &PGDOptions::radius, HyperparameterRange::positive, "radius r of the perturbation ball"},
       {"f_thres", &PGDOptions::f_thres, HyperparameterRange::nonnegative,
        "stopping rule, return θ̃ when a perturbation lowered f by less than f_thres in t_thres steps; 0 = never"}})};
}

}  // namespace saddle
