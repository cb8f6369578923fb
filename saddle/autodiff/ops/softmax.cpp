// The softmax family along an axis, shifted by the maximum so that logits of ±1e4 stay finite:
//   logsumexp(x) = m + log Σ exp(x − m),   log_softmax(x) = x − logsumexp(x),   softmax = exp(log_softmax).
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/autodiff/ops/instantiate.hpp"

namespace saddle {
namespace {

void check_axis(const char* op, const Shape& s, std::size_t axis) {
  if (axis >= s.size())
    throw Error(std::string(op) + ": axis " + std::to_string(axis) + " out of range for shape " + shape_str(s));
}

// logsumexp along `axis` with the axis kept. The shift m is a constant: the tangent,
// Σ softmax(x)·ẋ, comes out of the dual algebra of exp, sum and log unchanged by it.
template <class T>
Dual<T> logsumexp_keep(const Dual<T>& x, std::size_t axis) {
  const Shape keep = kernels::reduced_shape(x.shape(), axis, true);
  Tensor<T> m = kernels::take_along(x.v, axis, kernels::argmax_axis(x.v, axis));
  m.reshape(keep);
  const Dual<T> shift{m};
  return log(sum(exp(x - shift), axis, true)) + shift;
}

}  // namespace

template <class T>
Var<T> logsumexp(const Var<T>& a, std::size_t axis, bool keepdims) {
  check_axis("logsumexp", a.shape(), axis);
  return define_op<T>(
      "logsumexp",
      [=](const auto& a) {
        const Dual<T> y = logsumexp_keep(a, axis);
        return keepdims ? y : reshape(y, kernels::reduced_shape(a.shape(), axis, false));
      },
      [=](const auto& g, const auto& y, const auto& a, auto& ga) {
        if (!ga) return;
        const Shape keep = kernels::reduced_shape(a.shape(), axis, true);
        ga = reshape(g, keep) * exp(a - reshape(y, keep));  // ∂lse/∂x = softmax(x)
      },
      a);
}

template <class T>
Var<T> log_softmax(const Var<T>& a, std::size_t axis) {
  check_axis("log_softmax", a.shape(), axis);
  return define_op<T>(
      "log_softmax", [=](const auto& a) { return a - logsumexp_keep(a, axis); },
      [=](const auto& g, const auto& y, const auto&, auto& ga) {
        if (ga) ga = g - exp(y) * sum(g, axis, true);  // ∂/∂x: g − softmax·Σg
      },
      a);
}

template <class T>
Var<T> softmax(const Var<T>& a, std::size_t axis) {
  check_axis("softmax", a.shape(), axis);
  return define_op<T>(
      "softmax", [=](const auto& a) { return exp(a - logsumexp_keep(a, axis)); },
      [=](const auto& g, const auto& y, const auto&, auto& ga) {
        if (ga) ga = y * (g - sum(g * y, axis, true));  // Jᵀg = y ⊙ (g − ⟨g, y⟩)
      },
      a);
}

#define X(T)                                                     \
  template Var<T> logsumexp(const Var<T>&, std::size_t, bool);   \
  template Var<T> log_softmax(const Var<T>&, std::size_t);       \
  template Var<T> softmax(const Var<T>&, std::size_t);
SADDLE_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle
