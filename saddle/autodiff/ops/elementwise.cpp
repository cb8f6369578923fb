// Elementwise functions: each is a row of saddle/autodiff/elementary.hpp (name, value, derivative),
// recorded by `elementwise`; where and clamp are define_op rules.
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/ops/instantiate.hpp"
#include "saddle/autodiff/rule.hpp"

namespace saddle {

// One line per row of elementary.hpp: the row gives the forward, the VJP and their tangents.
#define SADDLE_ELEMENTWISE_OP(fn, Row) \
  template <class T>                   \
  Var<T> fn(const Var<T>& a) {         \
    return elementwise<rules::Row>(a); \
  }
SADDLE_ELEMENTARY_ROWS(SADDLE_ELEMENTWISE_OP)
#undef SADDLE_ELEMENTWISE_OP

template <class T>
Var<T> pow(const Var<T>& a, Const<T> p) {
  return elementwise(a, rules::Pow{double(p)});
}

// where and clamp are piecewise selections, not functions of one input: rules of their own, with
// masks fixed by the values.
template <class T>
Var<T> where(const Var<T>& cond, const Var<T>& a, const Var<T>& b) {
  const Tensor<T>& condition = cond.value();
  const Shape s = kernels::broadcast_shape(kernels::broadcast_shape(to_shape(condition.shape()), a.shape(), "where"),
                                           b.shape(), "where");
  Tensor<T> take_a = kernels::map(kernels::broadcast_to(condition, s), [](T c) { return T(c != 0); });
  Tensor<T> take_b = kernels::map(take_a, [](T m) { return 1 - m; });
  return define_op<T>(
      "where",
      [=](const auto& a, const auto& b) {
        return masked(broadcast_to(a, s), take_a) + masked(broadcast_to(b, s), take_b);
      },
      [=](const auto& g, const auto&, const auto& a, const auto& b, auto& ga, auto& gb) {
        if (ga) ga = sum_to(masked(g, take_a), a.shape());
        if (gb) gb = sum_to(masked(g, take_b), b.shape());
      },
      a, b);
}

template <class T>
Var<T> clamp(const Var<T>& a, Const<T> lo, Const<T> hi) {
  if (!(lo <= hi))
    throw Error("clamp: lower bound " + std::to_string(lo) + " exceeds upper bound " + std::to_string(hi));
  auto inside = [lo, hi](const Tensor<T>& x) {
    return kernels::map(x, [lo, hi](T v) { return T(v >= lo && v <= hi); });
  };
  return define_op<T>(
      "clamp",
      [=](const auto& a) {
        Dual<T> out = masked(a, inside(a.v));
        out.v = kernels::map(a.v, [lo, hi](T v) { return std::min(std::max(v, lo), hi); });
        return out;
      },
      [=](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = masked(g, inside(a.v));  // 1 inside [lo, hi], 0 outside
      },
      a);
}

#define SADDLE_INSTANTIATE_ROW(fn, Row) template Var<float> fn(const Var<float>&);
SADDLE_ELEMENTARY_ROWS(SADDLE_INSTANTIATE_ROW)
#undef SADDLE_INSTANTIATE_ROW
#define SADDLE_INSTANTIATE_ROW(fn, Row) template Var<double> fn(const Var<double>&);
SADDLE_ELEMENTARY_ROWS(SADDLE_INSTANTIATE_ROW)
#undef SADDLE_INSTANTIATE_ROW

#define X(T)                                                          \
  template Var<T> pow(const Var<T>&, T);                              \
  template Var<T> where(const Var<T>&, const Var<T>&, const Var<T>&); \
  template Var<T> clamp(const Var<T>&, T, T);
SADDLE_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle
