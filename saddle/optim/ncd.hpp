// saddle/optim/ncd.hpp — negative-curvature descent: gradient steps while the gradient is large;
// near a stationary point, one step along the eigenvector of the most negative Hessian eigenvalue.
//
//   input: θ₀, step η (lr), gradient threshold g_thres, curvature threshold ε_H (eps_h),
//          Hessian Lipschitz constant ρ (rho), L2 weight decay λ
//   for t = 1, 2, …
//     g ← ∇f(θ_{t−1}) + λθ_{t−1}
//     if ‖g‖ ≤ g_thres:
//       (λ_min, u) ← lanczos_bottom(v ↦ ∇²f(θ_{t−1}) v + λv),  ‖u‖ = 1
//       if λ_min < −ε_H:
//         θ_t ← θ_{t−1} − (|λ_min|/ρ) · sign(uᵀg) · u          (curvature step; sign(0) = +1)
//         continue
//     θ_t ← θ_{t−1} − η g
//
// Why the step |λ_min|/ρ: with a ρ-Lipschitz Hessian, f(θ + αs) ≤ f(θ) + α sᵀg + ½α² sᵀ∇²f s +
// (ρ/6)α³ for a unit s; with s = −sign(uᵀg)u the first-order term is ≤ 0 and the second is
// −½α²|λ_min|, so α = |λ_min|/ρ decreases f by at least |λ_min|³/(3ρ²). The negative-curvature
// step of Y. Carmon, J. C. Duchi, O. Hinder and A. Sidford, "Accelerated Methods for NonConvex
// Optimization", SIAM J. Optim. 28(2), 2018, and C. W. Royer and S. J. Wright, "Complexity
// Analysis of Second-Order Line-Search Algorithms for Smooth Nonconvex Optimization", SIAM J.
// Optim. 28(2), 2018; the eigenpair comes from Lanczos on Hessian-vector products
// (base/lanczos.hpp), started from a vector drawn from the optimizer's generator.
// Needs the objective (gradient and hvp): use step(f).
// Counters: curvature_steps(), last_curvature_step(), eigen_solves(), hessian_vector_products().
// State: "curvature_steps", "last_curvature_step", "eigen_solves", "hessian_vector_products", "rng".
#pragma once

#include <cstdint>
#include <random>

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct NCDOptions {
  double lr = 1e-2;
  double g_thres = 1e-3;
  double eps_h = 1e-3;
  double rho = 1;
  int lanczos_max_iter = 50;  // Hessian-vector products per eigen-solve, at most
  double lanczos_tol = 1e-6;  // residual of the Ritz pair, relative to the largest Ritz value
  std::uint64_t seed = 0;
  double weight_decay = 0;
};

template <class T>
class NCD final : public Optimizer<T> {
 public:
  explicit NCD(std::vector<Var<T>> params, NCDOptions opt = {});
  const NCDOptions& options() const { return opt_; }

  using Optimizer<T>::step;
  void step(const Objective<T>& f) override;
  std::size_t curvature_steps() const { return curvature_steps_; }
  // The step t of the latest curvature step (0 before the first).
  std::size_t last_curvature_step() const { return last_curvature_step_; }
  std::size_t eigen_solves() const { return eigen_solves_; }
  std::size_t hessian_vector_products() const { return hessian_vector_products_; }
  // λ_min found by the last eigen-solve (NaN before the first).
  double last_lambda_min() const { return last_lambda_min_; }

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;
  bool needs_objective() const override { return true; }
  void visit_state(StateVisitor<T>& v) override;

 private:
  NCDOptions opt_;
  std::mt19937_64 rng_;
  std::size_t curvature_steps_ = 0, last_curvature_step_ = 0;
  std::size_t eigen_solves_ = 0;
  std::size_t hessian_vector_products_ = 0;
  double last_lambda_min_;
};

}  // namespace saddle
