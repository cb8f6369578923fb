// saddle/optim/adam_hd.hpp — Adam-HD: Adam whose learning rate α is learned by hypergradient
// descent.
//
// Adam moves θ_{t−1} = θ_{t−2} − α d_{t−1} along its direction d = m̂/(√v̂ + ε), so
// ∂θ_{t−1}/∂α = −d_{t−1} and the hypergradient is h_t = ∇f(θ_{t−1}) · (−d_{t−1}):
//
//   input: θ₀, initial learning rate α₀ (lr), hypergradient learning rate β (hypergrad_lr),
//          β₁, β₂, ε, L2 weight decay λ; m₀ = v₀ = 0, d₀ = 0
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     h_t ← g_t · (−d_{t−1})            (a dot product over all parameters)
//     α_t ← α_{t−1} − β h_t
//     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
//     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
//     d_t ← (m_t/(1 − β₁ᵗ)) / (√(v_t/(1 − β₂ᵗ)) + ε)
//     θ_t ← θ_{t−1} − α_t d_t
//
// A. G. Baydin, R. Cornish, D. Martínez Rubio, M. Schmidt and F. Wood, "Online Learning Rate
// Adaptation with Hypergradient Descent", ICLR 2018, §2 (Adam-HD; the paper suggests β ≈ 1e-7 for
// Adam-HD where SGD-HD takes β ≈ 1e-3, since Adam's direction has unit-order entries).
// α_t is lr() (held at T's precision). A parameter without a gradient did not move: its d is reset
// to zero.
// State: "lr" = α, "exp_avg.<i>" = m, "exp_avg_sq.<i>" = v, "prev_direction.<i>" = d_{t−1}.
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct AdamHDOptions {
  double lr = 1e-3;            // α₀
  double hypergrad_lr = 1e-7;  // β
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

template <class T>
class AdamHD final : public Optimizer<T> {
 public:
  explicit AdamHD(std::vector<Var<T>> params, AdamHDOptions opt = {});
  const AdamHDOptions& options() const { return opt_; }

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;
  void visit_state(StateVisitor<T>& v) override;

 private:
  AdamHDOptions opt_;
  TensorList<T> exp_avg_, exp_avg_sq_, prev_direction_;
};

}  // namespace saddle
