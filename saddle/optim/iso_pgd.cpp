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
    perturb(g);
  else
    this->gradient_step(g, this->lr());
}

// The same, with ‖∇F‖² read as the unbiased estimate of perturbation.hpp.
template <class T>
void IsoPGD<T>::step(const Objective<T>& f) {
  const bool due = (this->step_ + 1) % opt_.t_thres == 0;
  const TensorList<T> theta = this->values();
  const GradientTest<T> test =
      due ? gradient_test(f, theta, this->weight_decay_) : GradientTest<T>{f.gradient(theta), 0, 0};
  this->check_gradients("gradient", test.grad);
  const auto g = this->pointers(test.grad);
  this->begin_step(g);
  if (due && test.norm_sq <= opt_.g_thres)
    perturb(g);
  else
    this->gradient_step(g, this->lr());
}

template <class T>
void IsoPGD<T>::perturb(const typename Optimizer<T>::Gradients& g) {
  std::vector<bool> active(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) active[i] = g[i] != nullptr;
  perturb_uniform_ball(this->params_, active, opt_.radius, this->rng_);
  this->count_perturbation();
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
