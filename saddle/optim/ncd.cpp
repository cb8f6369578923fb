#include "saddle/optim/ncd.hpp"

#include <cmath>
#include <limits>

#include "saddle/base/lanczos.hpp"
#include "saddle/base/tensor_list.hpp"
#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
NCD<T>::NCD(std::vector<Var<T>> params, NCDOptions opt)
    : Optimizer<T>("NCD", std::move(params), opt.lr, opt.weight_decay),
      opt_(opt),
      rng_(opt.seed),
      last_lambda_min_(std::numeric_limits<double>::quiet_NaN()) {
  hyperparameter::check_nonnegative("NCD", "g_thres", opt.g_thres);
  hyperparameter::check_nonnegative("NCD", "eps_h", opt.eps_h);
  hyperparameter::check_positive("NCD", "rho", opt.rho);
  hyperparameter::check_nonnegative("NCD", "lanczos_tol", opt.lanczos_tol);
  if (opt.lanczos_max_iter < 1)
    throw Error("NCD: lanczos_max_iter = " + std::to_string(opt.lanczos_max_iter) + ", at least 1 is needed");
}

template <class T>
void NCD<T>::update(const typename Optimizer<T>::Gradients& g) {
  this->gradient_step(g, this->lr());
}

template <class T>
void NCD<T>::step(const Objective<T>& f) {
  const TensorList<T> theta = this->values();
  TensorList<T> grad = f.gradient(theta);
  this->check_gradients("gradient", grad);
  const auto g = this->pointers(grad);
  this->begin_step(g);
  const double wd = this->weight_decay_;
  if (std::sqrt(this->effective_grad_norm_sq(g)) <= opt_.g_thres) {
    const LinearOperator<T> hessian = [&](const TensorList<T>& v) {
      TensorList<T> hv = f.hvp(theta, v);
      this->check_gradients("hvp", hv);
      axpy(static_cast<double>(static_cast<T>(wd)), v, hv);  // (H + λI)v
      return hv;
    };
    EigenOptions eig;
    eig.k = 1;
    eig.max_iter = opt_.lanczos_max_iter;
    eig.tol = opt_.lanczos_tol;
    eig.seed = rng_();
    const EigenResult<T> bottom = lanczos_bottom<T>(hessian, theta, eig);
    ++eigen_solves_;
    hessian_vector_products_ += static_cast<std::size_t>(bottom.iterations);
    last_lambda_min_ = bottom.eigenvalues.at(0);
    if (last_lambda_min_ < -opt_.eps_h) {
      const TensorList<T>& u = bottom.eigenvectors.at(0);
      const double ug = saddle::dot(u, grad) + wd * saddle::dot(u, theta);  // uᵀg, g with weight decay
      // θ ← θ − (|λ_min|/ρ)·sign(uᵀg)·u: a descent direction of length |λ_min|/ρ.
      const T alpha = static_cast<T>((ug < 0 ? -1.0 : 1.0) * std::abs(last_lambda_min_) / opt_.rho);
      for (std::size_t i = 0; i < u.size(); ++i)
        axpy(-static_cast<double>(alpha), u[i], this->params_[i].mutable_value());
      ++curvature_steps_;
      last_curvature_step_ = this->step_;
      return;
    }
  }
  update(g);
}

template <class T>
void NCD<T>::visit_state(StateVisitor<T>& v) {
  Optimizer<T>::visit_state(v);
  v.count("curvature_steps", curvature_steps_);
  v.count("last_curvature_step", last_curvature_step_);
  v.count("eigen_solves", eigen_solves_);
  v.count("hessian_vector_products", hessian_vector_products_);
  v.rng("rng", rng_);
}

template class NCD<float>;
template class NCD<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> ncd_methods() {
  return {optimizer_method<NCD>({.name = "ncd",
                                 .description = "negative-curvature descent: near a stationary point, a step along the "
                                                "Hessian's bottom eigenvector (Carmon et al. 2018)"},
                                {{"g_thres", &NCDOptions::g_thres, HyperparameterRange::nonnegative,
                                  "gradient threshold, look for negative curvature when ‖∇f‖ ≤ g_thres"},
                                 {"rho", &NCDOptions::rho, HyperparameterRange::positive,
                                  "Lipschitz constant ρ of the Hessian: curvature step |λ_min|/ρ"},
                                 {"eps_h", &NCDOptions::eps_h, HyperparameterRange::nonnegative,
                                  "curvature threshold: step when λ_min < −ε_H"}})};
}

}  // namespace saddle
