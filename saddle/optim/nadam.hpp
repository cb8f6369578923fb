// saddle/optim/nadam.hpp — Nadam, Adam with Nesterov momentum.
//
// The variant of PyTorch's NAdam: Dozat's update with his momentum schedule
// μ_t = β₁(1 − ½·0.96^{tψ}) (ψ = momentum_decay), which warms the momentum up from β₁/2 to β₁.
//
//   input: θ₀, learning rate η (lr), β₁, β₂, ε, momentum decay ψ, L2 weight decay λ;
//          m₀ = v₀ = 0, Π₀ = 1
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     μ_t ← β₁(1 − ½·0.96^{tψ}),  μ_{t+1} ← β₁(1 − ½·0.96^{(t+1)ψ})
//     Π_t ← Π_{t−1} μ_t
//     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
//     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
//     v̂_t ← v_t / (1 − β₂ᵗ)
//     θ_t ← θ_{t−1} − η (1 − μ_t)/(1 − Π_t) · g_t/(√v̂_t + ε)
//                   − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t/(√v̂_t + ε)
//
// The last line is Nesterov's look-ahead applied to Adam's momentum: the bias-corrected current
// gradient plus the bias-corrected momentum of the *next* step.
// T. Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop, Algorithm 2.
// State: "exp_avg.<i>" = m, "exp_avg_sq.<i>" = v, "mu_product.<i>" = Π (at T's precision).
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct NadamOptions {
  double lr = 2e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double momentum_decay = 4e-3;
  double weight_decay = 0;
};

template <class T>
class Nadam : public Optimizer<T> {
 public:
  explicit Nadam(std::vector<Var<T>> params, NadamOptions opt = {}) : Nadam("Nadam", std::move(params), opt, false) {}
  const NadamOptions& options() const { return opt_; }

 protected:
  // NAMSGrad (namsgrad.hpp) is this method with AMSGrad's maximum over v (max_second_moment).
  Nadam(const char* name, std::vector<Var<T>> params, NadamOptions opt, bool max_second_moment);
  void update(const typename Optimizer<T>::Gradients& g) override;
  void visit_state(StateVisitor<T>& v) override;

 private:
  NadamOptions opt_;
  bool max_second_moment_;
  TensorList<T> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;  // the last one only with max_second_moment
  std::vector<double> mu_product_;
};

}  // namespace saddle
