#include "saddle/optim/objective.hpp"

#include <string>
#include <utility>

#include "saddle/autodiff/functional.hpp"

namespace saddle {

template <class T>
FunctionObjective<T>::FunctionObjective(Loss loss, std::size_t num_samples)
    : loss_(std::move(loss)), num_samples_(num_samples) {
  if (!loss_) throw Error("FunctionObjective: the loss function is empty");
  if (num_samples_ == 0) throw Error("FunctionObjective: num_samples = 0; at least one sample is needed");
}

template <class T>
T FunctionObjective<T>::loss(const TensorList<T>& theta) {
  ++loss_evaluations_;
  TapeScope scope;
  no_grad off;
  const std::vector<Var<T>> x = make_leaves(theta, /*requires_grad=*/false);
  const Var<T> y = loss_(x, std::nullopt);
  if (y.size() != 1)
    throw Error("FunctionObjective: the loss must be a scalar, got shape " + shape_str(y.value().shape()));
  return y.item();
}

template <class T>
TensorList<T> FunctionObjective<T>::gradient(const TensorList<T>& theta) {
  ++gradient_evaluations_;
  return saddle::grad([this](const std::vector<Var<T>>& x) { return loss_(x, std::nullopt); }, theta);
}

template <class T>
TensorList<T> FunctionObjective<T>::sample_gradient(const TensorList<T>& theta, std::size_t i) {
  if (i >= num_samples_)
    throw Error("FunctionObjective: sample " + std::to_string(i) + " is outside [0, " + std::to_string(num_samples_) +
                ")");
  ++sample_gradient_evaluations_;
  return saddle::grad([this, i](const std::vector<Var<T>>& x) { return loss_(x, i); }, theta);
}

template <class T>
TensorList<T> FunctionObjective<T>::hvp(const TensorList<T>& theta, const TensorList<T>& v) {
  ++hvp_evaluations_;
  return saddle::hvp([this](const std::vector<Var<T>>& x) { return loss_(x, std::nullopt); }, theta, v);
}

template class FunctionObjective<float>;
template class FunctionObjective<double>;

}  // namespace saddle
