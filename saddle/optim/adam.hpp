// saddle/optim/adam.hpp — Adam, adaptive moment estimation.
//
//   input: θ₀, learning rate η (lr), β₁, β₂ (beta1, beta2), ε (eps), L2 weight decay λ
//          (weight_decay); m₀ = 0, v₀ = 0
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     m_t ← β₁ m_{t−1} + (1 − β₁) g_t
//     v_t ← β₂ v_{t−1} + (1 − β₂) g_t²
//     m̂_t ← m_t / (1 − β₁ᵗ)
//     v̂_t ← v_t / (1 − β₂ᵗ)
//     θ_t ← θ_{t−1} − η m̂_t / (√v̂_t + ε)
//
// D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1.
// t counts the updates each parameter has received (a parameter without a gradient is skipped).
// State: "exp_avg.<i>" = m, "exp_avg_sq.<i>" = v.
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

template <class T>
class Adam : public Optimizer<T> {
 public:
  explicit Adam(std::vector<Var<T>> params, AdamOptions opt = {}) : Adam("Adam", std::move(params), opt, {}) {}
  const AdamOptions& options() const { return opt_; }

 protected:
  // What AdamW (adamw.hpp) and AMSGrad (amsgrad.hpp) change in Adam's step.
  struct Variant {
    bool bias_correction = true;        // AMSGrad may omit 1 − β₁ᵗ and 1 − β₂ᵗ
    double decoupled_weight_decay = 0;  // AdamW's λ_w: θ ← (1 − ηλ_w)θ before the step
    bool max_second_moment = false;     // AMSGrad's v̂ = max(v̂, v)
  };
  Adam(const char* name, std::vector<Var<T>> params, AdamOptions opt, Variant variant);
  void update(const typename Optimizer<T>::Gradients& g) override;
  void visit_state(StateVisitor<T>& v) override;

 private:
  AdamOptions opt_;
  Variant variant_;
  TensorList<T> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;  // the last one only with max_second_moment
};

namespace hyperparameter {
// The checks Adam's relatives share: β₁, β₂ ∈ [0, 1), ε > 0.
void check_adam_options(const char* method, double beta1, double beta2, double eps);
}  // namespace hyperparameter

}  // namespace saddle
