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

#include <algorithm>
#include <cmath>

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

namespace detail {
// Dozat's momentum schedule μ_t = β₁(1 − ½·0.96^{tψ}).
inline double nadam_momentum(double beta1, double momentum_decay, double t) {
  return beta1 * (1 - 0.5 * std::pow(0.96, t * momentum_decay));
}
// The coefficients of one Nadam step of a parameter at its step t.
template <class T>
struct NadamStep {
  T beta1, beta2, eps, weight_decay;
  T bc2;       // 1 − β₂ᵗ
  T grad;      // η(1 − μ_t)/(1 − Π_t)
  T momentum;  // η μ_{t+1}/(1 − Π_t μ_{t+1})
};
// Dozat 2016, Alg. 2 for a parameter at its step t; updates its Π.
template <class T>
NadamStep<T> nadam_step(double lr, double beta1, double beta2, double eps, double weight_decay, double momentum_decay,
                        double t, double& mu_product) {
  const double mu = nadam_momentum(beta1, momentum_decay, t);
  const double mu_next = nadam_momentum(beta1, momentum_decay, t + 1);
  mu_product = static_cast<double>(static_cast<T>(mu_product * mu));  // held at T's precision
  return {static_cast<T>(beta1),
          static_cast<T>(beta2),
          static_cast<T>(eps),
          static_cast<T>(weight_decay),
          static_cast<T>(1 - std::pow(beta2, t)),
          static_cast<T>(lr * (1 - mu) / (1 - mu_product)),
          static_cast<T>(lr * mu_next / (1 - mu_product * mu_next))};
}

// Nadam's moments and step on n coordinates, with AMSGrad's maximum for NAMSGrad:
//   g ← grad + λθ;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  v̂ ← max(v̂, v) if max_v
//   θ ← θ − (c.grad·g + c.momentum·m) / (√((v̂ or v)/(1 − β₂ᵗ)) + ε)
template <class T>
void nadam_kernel(std::size_t n, const T* grad, T* theta, T* m, T* v, T* max_v, const NadamStep<T>& c) {
  for (std::size_t j = 0; j < n; ++j) {
    const T g = grad[j] + c.weight_decay * theta[j];
    m[j] = c.beta1 * m[j] + (1 - c.beta1) * g;
    v[j] = c.beta2 * v[j] + (1 - c.beta2) * g * g;
    T second = v[j];
    if (max_v) second = max_v[j] = std::max(max_v[j], v[j]);  // Reddi et al. 2018, Alg. 2
    // Dozat 2016, Alg. 2: bias-corrected gradient plus the next step's bias-corrected momentum.
    theta[j] -= (c.grad * g + c.momentum * m[j]) / (std::sqrt(second / c.bc2) + c.eps);
  }
}
}  // namespace detail

}  // namespace saddle
