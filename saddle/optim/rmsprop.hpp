// saddle/optim/rmsprop.hpp — RMSProp: steps scaled by a running average of squared gradients.
//
//   input: θ₀, learning rate η (lr), smoothing α (alpha), ε (eps), L2 weight decay λ; v₀ = 0
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     v_t ← α v_{t−1} + (1 − α) g_t²
//     θ_t ← θ_{t−1} − η g_t / (√v_t + ε)
//
// T. Tieleman and G. Hinton, "Lecture 6.5 — RMSProp: Divide the gradient by a running average of
// its recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012 (PyTorch's RMSprop
// without momentum or centering).
// State: "square_avg.<i>" = v.
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct RMSPropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
};

template <class T>
class RMSProp final : public Optimizer<T> {
 public:
  explicit RMSProp(std::vector<Var<T>> params, RMSPropOptions opt = {});
  const RMSPropOptions& options() const { return opt_; }

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;
  void visit_state(StateVisitor<T>& v) override;

 private:
  RMSPropOptions opt_;
  TensorList<T> square_avg_;
};

}  // namespace saddle
