#include "saddle/optim/iso_pgd.hpp"

#include "saddle/optim/perturbation.hpp"
#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
IsoPGD<T>::IsoPGD(std::vector<Var<T>> params, IsoPGDOptions opt)
    : PerturbedOptimizer<T>("ISO-PGD", std::move(params), opt.lr, opt.weight_decay, opt.seed), opt_(opt) {
  hyperparameter::check_nonnegative("ISO-PGD", "g_thres", opt.g_thres);
  hyperparameter::check_at_least_one("ISO-PGD", "t_thres", opt.t_thres);
  hyperparameter::check_positive("ISO-PGD", "radius", opt.radius);
}

// Every t_thres steps, if the gradient is small (‖∇f‖² ≤ g_thres), a point of the ball B(θ, r) in
// place of the gradient step.
template <class T>
void IsoPGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  if (this->step_ % opt_.t_thres == 0 && this->effective_grad_norm_sq(g) <= opt_.g_thres)
    this->perturb_in_ball(g, opt_.radius);
  else
    this->gradient_step(g, this->lr());
}

// The same, with ‖∇F‖² read by gradient_test (perturbation.hpp).
template <class T>
void IsoPGD<T>::step(const Objective<T>& f) {
  const auto s = this->begin_periodic_step(f, opt_.t_thres, opt_.g_thres);
  if (s.perturb)
    this->perturb_in_ball(this->pointers(s.grad), opt_.radius);
  else
    this->gradient_step(this->pointers(s.grad), this->lr());
}

template class IsoPGD<float>;
template class IsoPGD<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> iso_pgd_methods() {
  return {optimizer_method<IsoPGD>(
      {.name = "iso-pgd",
       .description = "CNC-PGD's schedule with a perturbation uniform in a ball (Daneshmand et al. 2018)"},
      {{"g_thres", &IsoPGDOptions::g_thres, HyperparameterRange::nonnegative,
        "gradient threshold, perturb when ‖∇f‖² ≤ g_thres (an unbiased estimate on mini-batches)"},
       {"t_thres", &IsoPGDOptions::t_thres, HyperparameterRange::positive_count,
        "perturbation period, perturb at steps t_thres, 2t_thres, …"},
       {"radius", &IsoPGDOptions::radius, HyperparameterRange::positive, "radius r of the perturbation ball"}})};
}

}  // namespace saddle
