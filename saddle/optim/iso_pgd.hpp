// saddle/optim/iso_pgd.hpp — ISO-PGD: the schedule of CNC-PGD (cnc_pgd.hpp) with an isotropic
// perturbation in place of its stochastic-gradient step; the baseline Daneshmand et al. compare
// CNC-PGD against.
//
//   input: θ₀, step η (lr), gradient threshold g_thres (on the squared norm), period t_thres,
//          radius r (radius), L2 weight decay λ
//   for t = 1, 2, …
//     g ← ∇f(θ_{t−1}) + λθ_{t−1}
//     if t mod t_thres = 0 and ‖g‖² ≤ g_thres:
//       θ_t ← θ_{t−1} + ξ_t,   ξ_t uniform in the ball B(0, r)          (perturbation)
//     else
//       θ_t ← θ_{t−1} − η g
//
// H. Daneshmand, J. Kohler, A. Lucchi and T. Hofmann, "Escaping Saddles with Stochastic
// Gradients", ICML 2018 (the isotropic-noise method of their experiments; the perturbation is
// Jin et al. 2017's, pgd.hpp). Where CNC-PGD's noise −r∇f_z lies along directions the data
// correlate with negative curvature, ξ has a component of order r/√d along any fixed direction.
// step(f) reads the test ‖g‖² ≤ g_thres as CNC-PGD does, through the unbiased estimate of
// perturbation.hpp; step() reads the leaves' ‖g‖².
// Counters: perturbations(), last_perturbation().
// State: "perturbations", "last_perturbation", "rng" (perturbation.hpp).
#pragma once

#include <cstdint>
#include <random>

#include "saddle/optim/perturbation.hpp"

namespace saddle {

struct IsoPGDOptions {
  double lr = 1e-2;
  double g_thres = 1e-6;
  std::size_t t_thres = 10;
  double radius = 1e-2;
  std::uint64_t seed = 0;
  double weight_decay = 0;
};

template <class T>
class IsoPGD final : public PerturbedOptimizer<T> {
 public:
  explicit IsoPGD(std::vector<Var<T>> params, IsoPGDOptions opt = {});
  const IsoPGDOptions& options() const { return opt_; }

  using Optimizer<T>::step;
  void step(const Objective<T>& f) override;

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;

 private:
  IsoPGDOptions opt_;
};

}  // namespace saddle
