// saddle/optim/perturbation.hpp — the random draws of the saddle-escape methods, each from the
// optimizer's own seeded generator (distributions are built afresh for every draw, so the
// generator's state alone determines what comes next and saving it is enough to resume).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "saddle/autodiff/var.hpp"
#include "saddle/optim/optimizer.hpp"

namespace saddle {

// θ ← θ + ξ with ξ uniform in B(0, r) (saddle::random_uniform_ball), over the parameters i with
// active[i] (d counts those only).
template <class T>
void perturb_uniform_ball(std::vector<Var<T>>& params, const std::vector<bool>& active, double r, std::mt19937_64& rng);

// i uniform in {0, …, n − 1}.
std::size_t uniform_sample(std::size_t n, std::mt19937_64& rng);

// What the methods that perturb at random (PGD, ISO-PGD, CNC-PGD, CNC-SGD) share: the seeded
// generator and the count of perturbations, saved as "perturbations" and "rng" after the base
// optimizer's state.
template <class T>
class PerturbedOptimizer : public Optimizer<T> {
 public:
  // Perturbations taken so far.
  std::size_t perturbations() const { return perturbations_; }

 protected:
  PerturbedOptimizer(const char* name, std::vector<Var<T>> params, double lr, double weight_decay, std::uint64_t seed)
      : Optimizer<T>(name, std::move(params), lr, weight_decay), rng_(seed) {}
  void visit_state(StateVisitor<T>& v) override {
    Optimizer<T>::visit_state(v);
    v.count("perturbations", perturbations_);
    v.rng("rng", rng_);
  }

  std::mt19937_64 rng_;
  std::size_t perturbations_ = 0;
};

}  // namespace saddle
