// saddle/optim/pgd.hpp — perturbed gradient descent: gradient descent that adds a random point of
// a small ball whenever the gradient is small, so that it does not linger at a strict saddle.
//
//   input: θ₀, step η (lr), gradient threshold g_thres, waiting time t_thres, radius r (radius),
//          L2 weight decay λ; t_noise = −∞
//   for t = 1, 2, …
//     if ‖∇f(θ_{t−1})‖ ≤ g_thres and t − t_noise > t_thres:
//       θ̃ ← θ_{t−1};  t_noise ← t
//       θ_{t−1} ← θ̃ + ξ_t,   ξ_t uniform in the ball B(0, r)          (perturbation)
//     θ_t ← θ_{t−1} − η (∇f(θ_{t−1}) + λθ_{t−1})
//
// C. Jin, R. Ge, P. Netrapalli, S. M. Kakade and M. I. Jordan, "How to Escape Saddle Points
// Efficiently", ICML 2017, Algorithm 2 (without its stopping rule: this is an optimizer that keeps
// stepping; the caller decides when to stop).
// step(f) evaluates ∇f again at the perturbed point, as the algorithm does, and reads the test
// ‖∇f‖ ≤ g_thres through the unbiased estimate of ‖∇F‖² of perturbation.hpp (half a pass more at
// the steps where it may perturb). step() has only the
// leaves' gradient at θ̃; it perturbs and then steps with ∇f(θ̃) (‖∇f(θ̃)‖ ≤ g_thres, so the two
// differ by at most η·(g_thres + ‖∇f(θ̃ + ξ)‖)).
// Counters: perturbations(), last_perturbation().
// State: "perturbations", "last_perturbation" (t_noise), "rng" (perturbation.hpp).
#pragma once

#include <cstdint>
#include <random>

#include "saddle/optim/perturbation.hpp"

namespace saddle {

struct PGDOptions {
  double lr = 1e-2;
  double g_thres = 1e-3;
  std::size_t t_thres = 10;
  double radius = 1e-2;
  std::uint64_t seed = 0;
  double weight_decay = 0;
};

template <class T>
class PGD final : public PerturbedOptimizer<T> {
 public:
  explicit PGD(std::vector<Var<T>> params, PGDOptions opt = {});
  const PGDOptions& options() const { return opt_; }

  using Optimizer<T>::step;
  void step(const Objective<T>& f) override;

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;

 private:
  // Jin et al. 2017, Alg. 2: at step t, whether no perturbation happened in the last t_thres steps.
  bool waited(std::size_t t) const;
  // θ ← θ + ξ, ξ uniform in B(0, r), over the parameters with a gradient.
  void perturb(const typename Optimizer<T>::Gradients& g);
  PGDOptions opt_;
};

}  // namespace saddle
