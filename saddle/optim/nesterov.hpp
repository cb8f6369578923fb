// saddle/optim/nesterov.hpp — Nesterov's accelerated gradient, in two equivalent forms.
//
//   input: θ₀, learning rate η (lr), momentum μ, L2 weight decay λ (weight_decay); v₀ = 0
//
//   look-ahead form (Sutskever et al. 2013, eq. 3–4, with v scaled by −1/η): the gradient is
//   taken at the point the momentum is about to carry θ to; needs the objective, step(f):
//     for t = 1, 2, …
//       φ_{t−1} ← θ_{t−1} − η μ v_{t−1}
//       g_t ← ∇f(φ_{t−1}) + λφ_{t−1}
//       v_t ← μ v_{t−1} + g_t
//       θ_t ← θ_{t−1} − η v_t
//
//   reformulated form (PyTorch's SGD with nesterov=True; Bengio, Boulanger-Lewandowski and
//   Pascanu 2013, §3.5), which tracks φ itself and needs only ∇f at the current iterate:
//     for t = 1, 2, …
//       g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//       v_t ← μ v_{t−1} + g_t
//       θ_t ← θ_{t−1} − η (g_t + μ v_t)
//   Started from the same θ₀ with v₀ = 0, the reformulated iterates are exactly the look-ahead
//   points φ_t of the first form.
//
// Y. Nesterov, "A method for solving the convex programming problem with convergence rate
// O(1/k²)", Soviet Math. Dokl. 27, 1983. I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the
// importance of initialization and momentum in deep learning", ICML 2013. Y. Bengio,
// N. Boulanger-Lewandowski and R. Pascanu, "Advances in optimizing recurrent networks", ICASSP 2013.
// State: "momentum_buffer.<i>" = v.
#pragma once

#include "saddle/optim/momentum.hpp"

namespace saddle {

enum class NesterovForm { reformulated, look_ahead };

struct NesterovOptions {
  double lr = 1e-2;
  double momentum = 0.9;
  NesterovForm form = NesterovForm::reformulated;
  double weight_decay = 0;
};

template <class T>
class Nesterov final : public Momentum<T> {
 public:
  explicit Nesterov(std::vector<Var<T>> params, NesterovOptions opt = {});
  const NesterovOptions& options() const { return opt_; }

  using Optimizer<T>::step;
  void step(const Objective<T>& f) override;

 protected:
  bool needs_objective() const override { return opt_.form == NesterovForm::look_ahead; }

 private:
  NesterovOptions opt_;
};

}  // namespace saddle
