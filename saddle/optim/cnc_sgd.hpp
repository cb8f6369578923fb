// saddle/optim/cnc_sgd.hpp — CNC-SGD: stochastic gradient descent with, every t_thres steps, one
// step of the larger size r, whose noise along the stochastic gradient (correlated with negative
// curvature, see cnc_pgd.hpp) carries the iterate away from strict saddles.
//
//   input: θ₀, step η (lr), period t_thres, large step r > η (r), L2 weight decay λ;
//          f = (1/n) Σᵢ fᵢ
//   for t = 1, 2, …
//     z ← uniform in {0, …, n − 1}
//     g ← ∇f_z(θ_{t−1}) + λθ_{t−1}
//     if t mod t_thres = 0:  θ_t ← θ_{t−1} − r g                      (perturbation)
//     else                   θ_t ← θ_{t−1} − η g
//
// H. Daneshmand, J. Kohler, A. Lucchi and T. Hofmann, "Escaping Saddles with Stochastic
// Gradients", ICML 2018, Algorithm 2.
// step(f) draws z and evaluates f.sample_gradient; step() takes the leaves' gradients as the
// stochastic gradient (of whatever sample or batch the caller used).
// Counters: perturbations() (the steps of size r).
// State: "perturbations", "last_perturbation", "rng" (perturbation.hpp).
#pragma once

#include <cstdint>
#include <random>

#include "saddle/optim/perturbation.hpp"

namespace saddle {

struct CNCSGDOptions {
  double lr = 1e-2;
  std::size_t t_thres = 10;
  double r = 1e-1;
  std::uint64_t seed = 0;
  double weight_decay = 0;
};

template <class T>
class CNCSGD final : public PerturbedOptimizer<T> {
 public:
  explicit CNCSGD(std::vector<Var<T>> params, CNCSGDOptions opt = {});
  const CNCSGDOptions& options() const { return opt_; }

  using Optimizer<T>::step;
  void step(const Objective<T>& f) override;

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;

 private:
  CNCSGDOptions opt_;
};

}  // namespace saddle
