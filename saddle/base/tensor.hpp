// saddle/base/tensor.hpp — the storage every layer shares: row-major xtensor arrays, shapes, errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor/xarray.hpp>

namespace saddle {

// A dense, row-major tensor of float or double. The engine's values, tangents and adjoints,
// model parameters, optimizer state and datasets are all of this one type.
template <class T>
using Tensor = xt::xarray<T, xt::layout_type::row_major>;

// A list of parameter tensors of any shapes: what the functional API, optimizers and the Hessian
// operator take and return (gradients, directions v, Hv are lists of the same shapes).
template <class T>
using TensorList = std::vector<Tensor<T>>;

using Shape = std::vector<std::size_t>;

// A class label: the index of a class, 0 ≤ label < classes. One type wherever labels travel
// (datasets, batches, losses, pick, one_hot); int32, because 4 bytes per sample is plenty for class
// counts and keeps a dataset's labels compact, and it is `int` on every platform saddle builds on.
using Label = std::int32_t;

// A plain number (int, float, double, ...): what a tensor can be scaled by or shifted by.
template <class S>
concept Scalar = std::is_arithmetic_v<S>;

// Every error saddle raises: bad shapes, bad hyperparameters, corrupt files, misuse of the tape.
// The message names the operation and the values involved.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class S>
std::string shape_str(const S& shape) {
  std::ostringstream os;
  os << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) os << (i ? "," : "") << shape[i];
  if (shape.size() == 1) os << ',';
  os << ')';
  return os.str();
}

template <class S>
Shape to_shape(const S& s) {
  return Shape(s.begin(), s.end());
}

template <class S>
std::size_t shape_size(const S& s) {
  std::size_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// A tensor of the given shape whose elements are left uninitialised (the caller writes them all).
template <class T, class S>
Tensor<T> empty_tensor(const S& shape) {
  return Tensor<T>::from_shape(shape);
}

template <class T, class S>
Tensor<T> zeros_tensor(const S& shape) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  std::fill(t.begin(), t.end(), T(0));
  return t;
}

}  // namespace saddle
