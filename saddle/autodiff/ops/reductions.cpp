// Reductions: sum and mean (all, or along an axis) and max along an axis. The VJP of a sum
// broadcasts the adjoint back; max routes it to the arg-max (the mask is fixed by the value).
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
Var<T> sum(const Var<T>& a) {
  return define_op<T>(
      "sum", [](const auto& a) { return sum(a); },
      [](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = broadcast_to(g, a.shape());
      },
      a);
}

template <class T>
Var<T> sum(const Var<T>& a, std::size_t axis, bool keepdims) {
  check_axis("sum", a.shape(), axis);
  return define_op<T>(
      "sum_axis", [=](const auto& a) { return sum(a, axis, keepdims); },
      [=](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = broadcast_to(reshape(g, kernels::reduced_shape(a.shape(), axis, true)), a.shape());
      },
      a);
}

template <class T>
Var<T> mean(const Var<T>& a) {
  return mul_scalar(sum(a), T(1) / T(a.size()));
}

template <class T>
Var<T> mean(const Var<T>& a, std::size_t axis, bool keepdims) {
  check_axis("mean", a.shape(), axis);
  return mul_scalar(sum(a, axis, keepdims), T(1) / T(a.shape()[axis]));
}

template <class T>
Var<T> max(const Var<T>& a, std::size_t axis, bool keepdims) {
  check_axis("max", a.shape(), axis);
  return define_op<T>(
      "max",
      [=](const auto& a) {
        const auto arg = kernels::argmax_axis(a.v, axis);
        const Shape s = kernels::reduced_shape(a.shape(), axis, keepdims);
        return reshape(linear(a, [&](const Tensor<T>& x) { return kernels::take_along(x, axis, arg); }), s);
      },
      [=](const auto& g, const auto&, const auto& a, auto& ga) {
        if (!ga) return;
        const auto arg = kernels::argmax_axis(a.v, axis);
        const Shape full = a.shape();
        const Dual<T> flat = reshape(g, kernels::reduced_shape(full, axis, false));
        ga = linear(flat, [&](const Tensor<T>& x) { return kernels::put_along(x, axis, arg, full); });
      },
      a);
}

#define X(T)                                                  \
  template Var<T> sum(const Var<T>&);                         \
  template Var<T> sum(const Var<T>&, std::size_t, bool);      \
  template Var<T> mean(const Var<T>&);                        \
  template Var<T> mean(const Var<T>&, std::size_t, bool);     \
  template Var<T> max(const Var<T>&, std::size_t, bool);
SADDLE_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle
