#include "saddle/optim/sgd.hpp"

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

}  // namespace saddle
