#include "saddle/optim/cnc_sgd.hpp"

#include "saddle/optim/perturbation.hpp"
#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
CNCSGD<T>::CNCSGD(std::vector<Var<T>> params, CNCSGDOptions opt)
    : PerturbedOptimizer<T>("CNC-SGD", std::move(params), opt.lr, opt.weight_decay, opt.seed), opt_(opt) {
  hyperparameter::check_at_least_one("CNC-SGD", "t_thres", opt.t_thres);
  hyperparameter::check_positive("CNC-SGD", "r", opt.r);
}

template <class T>
void CNCSGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  // Daneshmand et al. 2018, Alg. 2: the step is r every t_thres steps, η otherwise.
  if (this->step_ % opt_.t_thres == 0) {
    this->gradient_step(g, opt_.r);
    this->count_perturbation();
  } else {
    this->gradient_step(g, this->lr());
  }
}

template <class T>
void CNCSGD<T>::step(const Objective<T>& f) {
  const std::size_t z = uniform_sample(f.num_samples(), this->rng_);
  const TensorList<T> grad_z = f.sample_gradient(this->values(), z);
  this->check_gradients("sample_gradient", grad_z);
  const auto g = this->pointers(grad_z);
  this->begin_step(g);
  update(g);
}

template class CNCSGD<float>;
template class CNCSGD<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> cnc_sgd_methods() {
  return {optimizer_method<CNCSGD>(
      {.name = "cnc-sgd",
       .description = "single-sample gradient descent with a step r every t_thres steps (Daneshmand et al. 2018)"},
      {{"t_thres", &CNCSGDOptions::t_thres, HyperparameterRange::positive_count,
        "perturbation period, a step of size r at steps t_thres, 2t_thres, …"},
       {"r", &CNCSGDOptions::r, HyperparameterRange::positive, "the larger step r along one sample's gradient"}})};
}

}  // namespace saddle
