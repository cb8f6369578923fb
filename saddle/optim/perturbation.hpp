// saddle/optim/perturbation.hpp — what the saddle-escape methods share: their random draws, each
// from the optimizer's own seeded generator (distributions are built afresh for every draw, so the
// generator's state alone determines what comes next and saving it is enough to resume); the test
// that decides when a gradient is small; the count of their perturbations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "saddle/autodiff/var.hpp"
#include "saddle/objective/objective.hpp"
#include "saddle/optim/optimizer.hpp"

namespace saddle {

// θ ← θ + ξ with ξ uniform in B(0, r) (saddle::random_uniform_ball), over the parameters i with
// active[i] (d counts those only).
template <class T>
void perturb_uniform_ball(std::vector<Var<T>>& params, const std::vector<bool>& active, double r, std::mt19937_64& rng);

// i uniform in {0, …, n − 1}.
std::size_t uniform_sample(std::size_t n, std::mt19937_64& rng);

// The small-gradient test of a stochastic run. PGD, ISO-PGD and CNC-PGD perturb when ‖∇F‖² is
// small (‖∇F‖² ≤ g_thres², resp. g_thres), F the loss over the data. Stepping on a mini-batch
// objective f of n samples, ‖∇f‖² is no estimate of it: E‖∇f‖² = ‖∇F‖² + tr Σ / n (Σ the covariance
// of the per-sample gradients), a noise floor far above any g_thres the theory would pick, so the
// test would never fire. With ∇f₁ and ∇f₂ the gradients over the two halves of f's samples
// (independent draws), E[∇f₁ᵀ∇f₂] = ‖∇F‖²: the test reads this unbiased estimate instead. It is
// ‖∇f‖² − ¼‖∇f₁ − ∇f₂‖² for equal halves, so it never exceeds ‖∇f‖² (it fires wherever the plain
// test does) and falls to 0 or below where the batch cannot tell ∇F from 0: at a stationary point
// of F, whatever the scale of the loss. An objective over every sample of its dataset is F itself,
// and a deterministic method's test is the papers' exact ‖∇f‖².
template <class T>
struct GradientTest {
  TensorList<T> grad;    // ∇f(θ), the mean over all n samples
  double norm_sq = 0;    // ∇f₁ᵀ∇f₂ (a subset), or ‖∇f‖² (the whole dataset, one sample); with weight decay
  double loss = 0;       // f(θ), without the weight decay's ½λ‖θ‖²
};

// ∇f(θ) and ‖∇F‖² as above, for the gradient with L2 weight decay λ (g + λθ): for f over a subset of
// its dataset, one pass over half of f's samples, then one over all (so that f's last loss is the
// mean over all); for f over the whole dataset, or one sample, ‖∇f‖² itself in one pass.
template <class T>
GradientTest<T> gradient_test(const Objective<T>& f, const TensorList<T>& theta, double weight_decay);

// What the methods that perturb at random (PGD, ISO-PGD, CNC-PGD, CNC-SGD) share: the seeded
// generator, the count of perturbations and the step of the latest, saved as "perturbations",
// "last_perturbation" and "rng" after the base optimizer's state.
template <class T>
class PerturbedOptimizer : public Optimizer<T> {
 public:
  // Perturbations taken so far.
  std::size_t perturbations() const { return perturbations_; }
  // The step t of the latest perturbation (0 before the first).
  std::size_t last_perturbation() const { return last_perturbation_; }

 protected:
  PerturbedOptimizer(const char* name, std::vector<Var<T>> params, double lr, double weight_decay, std::uint64_t seed)
      : Optimizer<T>(name, std::move(params), lr, weight_decay), rng_(seed) {}
  void visit_state(StateVisitor<T>& v) override {
    Optimizer<T>::visit_state(v);
    v.count("perturbations", perturbations_);
    v.count("last_perturbation", last_perturbation_);
    v.rng("rng", rng_);
  }
  // Counts a perturbation at the current step.
  void count_perturbation() {
    ++perturbations_;
    last_perturbation_ = this->step_;
  }
  // θ ← θ + ξ, ξ uniform in B(0, r), over the parameters with a gradient; counted.
  void perturb_in_ball(const typename Optimizer<T>::Gradients& g, double r) {
    std::vector<bool> active(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) active[i] = g[i] != nullptr;
    perturb_uniform_ball(this->params_, active, r, rng_);
    count_perturbation();
  }
  // A step of Daneshmand et al.'s schedule (CNC-PGD, ISO-PGD), begun (begin_step): ∇f(θ), and
  // whether the step perturbs: t mod t_thres = 0 and the small-gradient test (gradient_test) reads
  // ‖∇F‖² ≤ g_thres.
  struct PeriodicStep {
    TensorList<T> grad;
    bool perturb = false;
  };
  PeriodicStep begin_periodic_step(const Objective<T>& f, std::size_t t_thres, double g_thres) {
    const bool due = (this->step_ + 1) % t_thres == 0;
    const TensorList<T> theta = this->values();
    GradientTest<T> test =
        due ? gradient_test(f, theta, this->weight_decay_) : GradientTest<T>{f.gradient(theta), 0, 0};
    this->check_gradients("gradient", test.grad);
    this->begin_step(this->pointers(test.grad));
    return {std::move(test.grad), due && test.norm_sq <= g_thres};
  }

  std::mt19937_64 rng_;

 private:
  std::size_t perturbations_ = 0, last_perturbation_ = 0;
};

}  // namespace saddle
