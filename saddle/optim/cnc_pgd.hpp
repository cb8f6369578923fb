// saddle/optim/cnc_pgd.hpp — CNC-PGD: gradient descent that, at regular intervals and only near
// a stationary point, takes one larger step along the gradient of a single random sample. Under
// the Correlated Negative Curvature assumption (stochastic gradients have a component of order
// one along the most negative eigenvector of the Hessian), that step escapes strict saddles at a
// rate that does not depend on the dimension d.
//
//   input: θ₀, step η (lr), gradient threshold g_thres (on the squared norm), period t_thres,
//          stochastic step r > η (r), L2 weight decay λ; f = (1/n) Σᵢ fᵢ
//   for t = 1, 2, …
//     g ← ∇f(θ_{t−1}) + λθ_{t−1}
//     if t mod t_thres = 0 and ‖g‖² ≤ g_thres:
//       z ← uniform in {0, …, n − 1}
//       θ_t ← θ_{t−1} − r (∇f_z(θ_{t−1}) + λθ_{t−1})                   (perturbation)
//     else
//       θ_t ← θ_{t−1} − η g
//
// H. Daneshmand, J. Kohler, A. Lucchi and T. Hofmann, "Escaping Saddles with Stochastic
// Gradients", ICML 2018, Algorithm 1.
// Needs the objective (full and single-sample gradients): use step(f). On a mini-batch objective the
// test ‖g‖² ≤ g_thres reads an unbiased estimate of the full gradient's ‖∇F‖² from the batch's two
// halves (perturbation.hpp), not ‖g‖², which never falls below the batch's noise floor; checking
// costs half a pass more, every t_thres steps.
// Counters: perturbations(), last_perturbation().
// State: "perturbations", "last_perturbation", "rng" (perturbation.hpp).
#pragma once

#include <cstdint>
#include <random>

#include "saddle/optim/perturbation.hpp"

namespace saddle {

struct CNCPGDOptions {
  double lr = 1e-2;
  double g_thres = 1e-6;
  std::size_t t_thres = 10;
  double r = 1e-1;
  std::uint64_t seed = 0;
  double weight_decay = 0;
};

template <class T>
class CNCPGD final : public PerturbedOptimizer<T> {
 public:
  explicit CNCPGD(std::vector<Var<T>> params, CNCPGDOptions opt = {});
  const CNCPGDOptions& options() const { return opt_; }

  using Optimizer<T>::step;
  void step(const Objective<T>& f) override;

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;
  bool needs_objective() const override { return true; }

 private:
  CNCPGDOptions opt_;
};

}  // namespace saddle
