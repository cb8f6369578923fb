#include "saddle/optim/cnc_pgd.hpp"

#include "saddle/optim/perturbation.hpp"
#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
CNCPGD<T>::CNCPGD(std::vector<Var<T>> params, CNCPGDOptions opt)
    : PerturbedOptimizer<T>("CNC-PGD", std::move(params), opt.lr, opt.weight_decay, opt.seed), opt_(opt) {
  hyperparameter::check_nonnegative("CNC-PGD", "g_thres", opt.g_thres);
  hyperparameter::check_at_least_one("CNC-PGD", "t_thres", opt.t_thres);
  hyperparameter::check_positive("CNC-PGD", "r", opt.r);
}

template <class T>
void CNCPGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  this->gradient_step(g, this->lr());
}

template <class T>
void CNCPGD<T>::step(const Objective<T>& f) {
  // Daneshmand et al. 2018, Alg. 1: every t_thres steps, if ‖∇F‖² ≤ g_thres (read as the unbiased
  // estimate of perturbation.hpp), one step of size r along a single sample's gradient.
  const auto s = this->begin_periodic_step(f, opt_.t_thres, opt_.g_thres);
  if (s.perturb) {
    const std::size_t z = uniform_sample(f.num_samples(), this->rng_);
    const TensorList<T> grad_z = f.sample_gradient(this->values(), z);
    this->check_gradients("sample_gradient", grad_z);
    this->gradient_step(this->pointers(grad_z), opt_.r);
    this->count_perturbation();
    return;
  }
  update(this->pointers(s.grad));
}

template class CNCPGD<float>;
template class CNCPGD<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> cnc_pgd_methods() {
  return {optimizer_method<CNCPGD>(
      {.name = "cnc-pgd",
       .description = "gradient descent with a periodic step r along one sample's gradient near stationary points "
                      "(Daneshmand et al. 2018)"},
      {{"g_thres", &CNCPGDOptions::g_thres, HyperparameterRange::nonnegative,
        "gradient threshold, perturb when ‖∇f‖² ≤ g_thres (an unbiased estimate on mini-batches)"},
       {"t_thres", &CNCPGDOptions::t_thres, HyperparameterRange::positive_count,
        "perturbation period, perturb at steps t_thres, 2t_thres, …"},
       {"r", &CNCPGDOptions::r, HyperparameterRange::positive, "the larger step r along one sample's gradient"}})};
}

}  // namespace saddle
