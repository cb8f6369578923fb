// The Conv2d layer's forward: the geometry is checked here first so that errors name the layer.
#include "saddle/nn/conv2d.hpp"

#include "saddle/nn/kernels/conv_kernels.hpp"

namespace saddle::nn {

template <class T>
Var<T> Conv2d<T>::forward(const Var<T>& x) {
  conv::geometry(x.shape(), weight().shape(), stride_, padding_, describe());  // errors name the layer
  return bias_ ? conv2d(x, weight(), bias(), stride_, padding_) : conv2d(x, weight(), stride_, padding_);
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace saddle::nn
