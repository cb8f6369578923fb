#include "saddle/optim/iso_pgd.hpp"

#include "saddle/optim/perturbation.hpp"

namespace saddle {

template <class T>
IsoPGD<T>::IsoPGD(std::vector<Var<T>> params, IsoPGDOptions opt)
    : PerturbedOptimizer<T>("ISO-PGD", std::move(params), opt.lr, opt.weight_decay, opt.seed), opt_(opt) {
  hyperparameter::check_nonnegative("ISO-PGD", "g_thres", opt.g_thres);
  hyperparameter::check_at_least_one("ISO-PGD", "t_thres", opt.t_thres);
  hyperparameter::check_positive("ISO-PGD", "radius", opt.radius);
}

template <class T>
void IsoPGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  if (this->step_ % opt_.t_thres == 0 && this->effective_grad_norm_sq(g) <= opt_.g_thres) {
    std::vector<bool> active(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) active[i] = g[i] != nullptr;
    perturb_uniform_ball(this->params_, active, opt_.radius, this->rng_);
    ++this->perturbations_;
    return;
  }
  this->gradient_step(g, this->lr());
}

template class IsoPGD<float>;
template class IsoPGD<double>;

}  // namespace saddle
