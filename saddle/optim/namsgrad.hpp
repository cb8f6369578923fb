// saddle/optim/namsgrad.hpp — NAMSGrad: AMSGrad's non-decreasing second moment with Nadam's
// Nesterov momentum (the combination of Reddi et al. 2018 and Dozat 2016).
//
//   input: θ₀, learning rate η (lr), β₁, β₂, ε, momentum decay ψ, L2 weight decay λ;
//          m₀ = v₀ = v̂₀ = 0, Π₀ = 1
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     μ_t ← β₁(1 − ½·0.96^{tψ}),  μ_{t+1} ← β₁(1 − ½·0.96^{(t+1)ψ}),  Π_t ← Π_{t−1} μ_t
//     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
//     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
//     v̂_t ← max(v̂_{t−1}, v_t)                                      (AMSGrad)
//     d_t ← √(v̂_t / (1 − β₂ᵗ)) + ε
//     θ_t ← θ_{t−1} − η (1 − μ_t)/(1 − Π_t) · g_t/d_t
//                   − η μ_{t+1}/(1 − Π_t μ_{t+1}) · m_t/d_t                   (Nadam)
//
// The bias corrections are those of nadam.hpp; the maximum is over the uncorrected v_t, as in
// amsgrad.hpp. S. J. Reddi, S. Kale and S. Kumar, "On the Convergence of Adam and Beyond",
// ICLR 2018. T. Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop.
// State: "exp_avg.<i>", "exp_avg_sq.<i>", "max_exp_avg_sq.<i>", "mu_product.<i>".
#pragma once

#include "saddle/optim/nadam.hpp"

namespace saddle {

using NAMSGradOptions = NadamOptions;

template <class T>
class NAMSGrad final : public Nadam<T> {
 public:
  explicit NAMSGrad(std::vector<Var<T>> params, NAMSGradOptions opt = {})
      : Nadam<T>("NAMSGrad", std::move(params), opt, true) {}
};

}  // namespace saddle
