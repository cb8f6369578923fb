#include "saddle/optim/sgd.hpp"

#include "saddle/optim/registry.hpp"

namespace saddle {

template <class T>
SGD<T>::SGD(std::vector<Var<T>> params, SGDOptions opt)
    : Optimizer<T>("SGD", std::move(params), opt.lr, opt.weight_decay), opt_(opt) {}

template <class T>
void SGD<T>::update(const typename Optimizer<T>::Gradients& g) {
  this->gradient_step(g, this->lr());
}

template class SGD<float>;
template class SGD<double>;

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> sgd_methods() {
  return {optimizer_method<SGD>({.name = "sgd",
                                 .description = "gradient descent, θ ← θ − η(g + λθ) (Robbins & Monro 1951)",
                                 .in_comparison = true},
                                {})};
}

}  // namespace saddle
