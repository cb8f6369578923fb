// saddle/optim/momentum.hpp — gradient descent with heavy-ball momentum (PyTorch's SGD with
// momentum, dampening 0, nesterov=False).
//
//   input: θ₀, learning rate η (lr), momentum μ, L2 weight decay λ (weight_decay); v₀ = 0
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     v_t ← μ v_{t−1} + g_t
//     θ_t ← θ_{t−1} − η v_t
//
// B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
// USSR Comput. Math. Math. Phys. 4(5), 1964; in this form: I. Sutskever, J. Martens, G. Dahl and
// G. Hinton, "On the importance of initialization and momentum in deep learning", ICML 2013.
// State: "momentum_buffer.<i>" = v.
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct MomentumOptions {
  double lr = 1e-2;
  double momentum = 0.9;
  double weight_decay = 0;
};

template <class T>
class Momentum : public Optimizer<T> {
 public:
  explicit Momentum(std::vector<Var<T>> params, MomentumOptions opt = {})
      : Momentum("Momentum", std::move(params), opt, false) {}
  const MomentumOptions& options() const { return opt_; }

 protected:
  // Nesterov (nesterov.hpp) shares the velocity and its update; with nesterov_step its update()
  // is the reformulated Nesterov step.
  Momentum(const char* name, std::vector<Var<T>> params, MomentumOptions opt, bool nesterov_step);
  void update(const typename Optimizer<T>::Gradients& g) override;
  void visit_state(StateVisitor<T>& v) override;
  // g ← grad + λθ;  v ← μv + g;  θ ← θ − η(g + μv) with nesterov_step, else θ ← θ − ηv.
  void momentum_update(const typename Optimizer<T>::Gradients& g, double weight_decay, bool nesterov_step);

  TensorList<T> velocity_;

 private:
  MomentumOptions opt_;
  bool nesterov_step_;
};

}  // namespace saddle
