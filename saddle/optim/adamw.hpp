// saddle/optim/adamw.hpp — AdamW, Adam with decoupled weight decay.
//
//   input: θ₀, learning rate η (lr), β₁, β₂, ε, decoupled decay λ_w (decoupled_weight_decay),
//          L2 weight decay λ (weight_decay, added to the gradient as in every method); m₀ = v₀ = 0
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     θ'  ← θ_{t−1} − η λ_w θ_{t−1}                       (the decay does not pass through m, v)
//     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
//     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
//     θ_t ← θ' − η m̂_t / (√v̂_t + ε),   m̂_t = m_t/(1 − β₁ᵗ), v̂_t = v_t/(1 − β₂ᵗ)
//
// I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019, Algorithm 2
// (with the schedule multiplier η_t folded into η, as PyTorch's AdamW does).
// State: "exp_avg.<i>" = m, "exp_avg_sq.<i>" = v.
#pragma once

#include "saddle/optim/adam.hpp"

namespace saddle {

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double decoupled_weight_decay = 1e-2;
  double weight_decay = 0;
};

template <class T>
class AdamW final : public Adam<T> {
 public:
  explicit AdamW(std::vector<Var<T>> params, AdamWOptions opt = {})
      : Adam<T>(
            "AdamW", std::move(params),
            {.lr = opt.lr, .beta1 = opt.beta1, .beta2 = opt.beta2, .eps = opt.eps, .weight_decay = opt.weight_decay},
            {.decoupled_weight_decay = opt.decoupled_weight_decay}),
        opt_(opt) {}
  const AdamWOptions& options() const { return opt_; }

 private:
  AdamWOptions opt_;
};

}  // namespace saddle
