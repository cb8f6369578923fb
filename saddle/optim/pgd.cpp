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
bool PGD<T>::waited(std::size_t t) const {
  return this->perturbations() == 0 || t - this->last_perturbation() > opt_.t_thres;
}

template <class T>
void PGD<T>::perturb(const typename Optimizer<T>::Gradients& g) {
  std::vector<bool> active(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) active[i] = g[i] != nullptr;
  perturb_uniform_ball(this->params_, active, opt_.radius, this->rng_);
  this->count_perturbation();
}

template <class T>
void PGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  if (waited(this->step_) && this->effective_grad_norm_sq(g) <= opt_.g_thres * opt_.g_thres) perturb(g);
  this->gradient_step(g, this->lr());
}

template <class T>
void PGD<T>::step(const Objective<T>& f) {
  // Jin et al. 2017, Alg. 2, with ‖∇F‖² read as the unbiased estimate of perturbation.hpp, and only
  // at the steps where the algorithm may perturb.
  const bool may = waited(this->step_ + 1);
  const TensorList<T> theta = this->values();
  const GradientTest<T> test =
      may ? gradient_test(f, theta, this->weight_decay_) : GradientTest<T>{f.gradient(theta), 0};
  TensorList<T> grad = test.grad;
  this->check_gradients("gradient", grad);
  this->begin_step(this->pointers(grad));
  if (may && test.norm_sq <= opt_.g_thres * opt_.g_thres) {
    perturb(this->pointers(grad));
    grad = f.gradient(this->values());  // ∇f at the perturbed point
    this->check_gradients("gradient", grad);
  }
  this->gradient_step(this->pointers(grad), this->lr());
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
       {"radius", &PGDOptions::radius, HyperparameterRange::positive, "radius r of the perturbation ball"}})};
}

}  // namespace saddle
