// saddle/optim/amsgrad.hpp — AMSGrad: Adam whose second-moment estimate never decreases.
//
//   input: θ₀, learning rate η (lr), β₁, β₂, ε, L2 weight decay λ; m₀ = v₀ = v̂₀ = 0
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
//     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
//     v̂_t ← max(v̂_{t−1}, v_t)
//     θ_t ← θ_{t−1} − η (m_t / (1 − β₁ᵗ)) / (√(v̂_t / (1 − β₂ᵗ)) + ε)
//
// S. J. Reddi, S. Kale and S. Kumar, "On the Convergence of Adam and Beyond", ICLR 2018,
// Algorithm 2. Bias correction: the paper's algorithm has none (and no ε). By default this follows
// PyTorch's Adam(amsgrad=True): the maximum is taken over the *uncorrected* v_t, and m and v̂ are
// divided by 1 − β₁ᵗ and 1 − β₂ᵗ as in Adam. With bias_correction = false the update is the
// paper's, θ_t ← θ_{t−1} − η m_t / (√v̂_t + ε). Reddi et al.'s step α_t = α/√t is
// Schedule::inverse_sqrt (schedule.hpp).
// State: "exp_avg.<i>" = m, "exp_avg_sq.<i>" = v, "max_exp_avg_sq.<i>" = v̂.
#pragma once

#include "saddle/optim/adam.hpp"

namespace saddle {

struct AMSGradOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  bool bias_correction = true;
  double weight_decay = 0;
};

template <class T>
class AMSGrad final : public Adam<T> {
 public:
  explicit AMSGrad(std::vector<Var<T>> params, AMSGradOptions opt = {})
      : Adam<T>(
            "AMSGrad", std::move(params),
            {.lr = opt.lr, .beta1 = opt.beta1, .beta2 = opt.beta2, .eps = opt.eps, .weight_decay = opt.weight_decay},
            {.bias_correction = opt.bias_correction, .max_second_moment = true}),
        opt_(opt) {}
  const AMSGradOptions& options() const { return opt_; }

 private:
  AMSGradOptions opt_;
};

}  // namespace saddle
