// saddle/optim/sgd_hd.hpp — SGD-HD: gradient descent whose learning rate α is itself learned by
// gradient descent on the loss (hypergradient descent).
//
// θ_{t−1} = θ_{t−2} − α g_{t−1} gives ∂θ_{t−1}/∂α = −g_{t−1}, so the hypergradient of the loss
// with respect to α is h_t = ∇f(θ_{t−1}) · ∂θ_{t−1}/∂α = −g_t · g_{t−1}:
//
//   input: θ₀, initial learning rate α₀ (lr), hypergradient learning rate β (hypergrad_lr),
//          L2 weight decay λ (weight_decay); g₀ = 0
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     h_t ← g_t · (−g_{t−1})            (a dot product over all parameters)
//     α_t ← α_{t−1} − β h_t
//     θ_t ← θ_{t−1} − α_t g_t
//
// A. G. Baydin, R. Cornish, D. Martínez Rubio, M. Schmidt and F. Wood, "Online Learning Rate
// Adaptation with Hypergradient Descent", ICLR 2018, §2 (SGD-HD).
// α_t is lr() (held at T's precision; it may leave [0, ∞) if β is too large). A parameter without a
// gradient did not move, so its share of ∂θ/∂α — its g_{t−1} — is reset to zero.
// State: "lr" = α, "prev_grad.<i>" = g_{t−1}.
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct SGDHDOptions {
  double lr = 1e-2;            // α₀
  double hypergrad_lr = 1e-3;  // β
  double weight_decay = 0;
};

template <class T>
class SGDHD final : public Optimizer<T> {
 public:
  explicit SGDHD(std::vector<Var<T>> params, SGDHDOptions opt = {});
  const SGDHDOptions& options() const { return opt_; }

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;
  void visit_state(StateVisitor<T>& v) override;

 private:
  SGDHDOptions opt_;
  TensorList<T> prev_grad_;
};

}  // namespace saddle
