// saddle/optim/adagrad.hpp — Adagrad: per-coordinate steps scaled by the accumulated squared
// gradients.
//
//   input: θ₀, learning rate η (lr), ε (eps), G₀ (initial_accumulator_value),
//          L2 weight decay λ (weight_decay)
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     G_t ← G_{t−1} + g_t²
//     θ_t ← θ_{t−1} − η g_t / (√G_t + ε)
//
// J. Duchi, E. Hazan and Y. Singer, "Adaptive Subgradient Methods for Online Learning and
// Stochastic Optimization", JMLR 12, 2011 (the diagonal update of §1.1, as in PyTorch's Adagrad;
// PyTorch's lr_decay is Schedule::robbins_monro here).
// State: "sum.<i>" = G.
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct AdagradOptions {
  double lr = 1e-2;
  double eps = 1e-10;
  double initial_accumulator_value = 0;
  double weight_decay = 0;
};

template <class T>
class Adagrad final : public Optimizer<T> {
 public:
  explicit Adagrad(std::vector<Var<T>> params, AdagradOptions opt = {});
  const AdagradOptions& options() const { return opt_; }

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;
  void visit_state(StateVisitor<T>& v) override;

 private:
  AdagradOptions opt_;
  TensorList<T> sum_;
};

}  // namespace saddle
