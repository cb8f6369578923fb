// saddle/optim/sgd.hpp — (stochastic) gradient descent.
//
//   input: θ₀, learning rate η (lr), L2 weight decay λ (weight_decay)
//   for t = 1, 2, …
//     g_t ← ∇f(θ_{t−1}) + λθ_{t−1}
//     θ_t ← θ_{t−1} − η g_t
//
// H. Robbins and S. Monro, "A Stochastic Approximation Method", Ann. Math. Statist. 22(3), 1951.
#pragma once

#include "saddle/optim/optimizer.hpp"

namespace saddle {

struct SGDOptions {
  double lr = 1e-2;
  double weight_decay = 0;
};

template <class T>
class SGD final : public Optimizer<T> {
 public:
  explicit SGD(std::vector<Var<T>> params, SGDOptions opt = {});
  const SGDOptions& options() const { return opt_; }

 protected:
  void update(const typename Optimizer<T>::Gradients& g) override;

 private:
  SGDOptions opt_;
};

}  // namespace saddle
