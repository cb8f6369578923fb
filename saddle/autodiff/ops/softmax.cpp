// The softmax family along an axis, shifted by the maximum so that logits of ±1e4 stay finite:
//   logsumexp(x) = m + log Σ exp(x − m),   log_softmax(x) = x − logsumexp(x),   softmax = exp(log_softmax),
// the forwards from logsumexp_dual and softmax_dual (autodiff/dual.hpp): one exp per entry, the
// tangents written once.
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/autodiff/ops/instantiate.hpp"

namespace saddle {
namespace {

void check_axis(const char* op, const Shape& s, std::size_t axis) {
  if (axis >= s.size())
    throw Error(std::string(op) + ": axis " + std::to_string(axis) + " out of range for shape " + shape_str(s));
}

}  // namespace

template <class T>
Var<T> logsumexp(const Var<T>& a, std::size_t axis, bool keepdims) {
  check_axis("logsumexp", a.shape(), axis);
  return define_op<T>(
      "logsumexp",
      [=](const auto& a) {
        const Dual<T> y = logsumexp_dual(a, axis).lse;
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
      "log_softmax", [=](const auto& a) { return a - logsumexp_dual(a, axis).lse; },
      [=](const auto& g, const auto& y, const auto&, auto& ga) {
        if (ga) ga = g - exp(y) * sum(g, axis, true);  // ∂/∂x: g − softmax·Σg
      },
      a);
}

template <class T>
Var<T> softmax(const Var<T>& a, std::size_t axis) {
  check_axis("softmax", a.shape(), axis);
  return define_op<T>(
      "softmax", [=](const auto& a) { return softmax_dual(a, axis); },
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
