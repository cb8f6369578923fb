// Elementwise functions. The forward's tangent f'(x)·ẋ lives in the dual algebra (dual.hpp);
// the VJP is g·f'(x) written with the op's output y where that is the cheaper form.
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/ops/instantiate.hpp"

namespace saddle {

template <class T>
Var<T> exp(const Var<T>& a) {
  return detail::apply<T>(
      "exp", [](const auto& a) { return exp(a); },
      [](const auto& g, const auto& y, const auto&, auto& ga) {
        if (ga) ga = g * y;  // (eˣ)' = eˣ
      },
      a);
}

template <class T>
Var<T> log(const Var<T>& a) {
  return detail::apply<T>(
      "log", [](const auto& a) { return log(a); },
      [](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = g / a;  // (log x)' = 1/x
      },
      a);
}

template <class T>
Var<T> sqrt(const Var<T>& a) {
  return detail::apply<T>(
      "sqrt", [](const auto& a) { return sqrt(a); },
      [](const auto& g, const auto& y, const auto&, auto& ga) {
        if (ga) ga = g / y * T(0.5);  // (√x)' = 1/(2√x)
      },
      a);
}

template <class T>
Var<T> pow(const Var<T>& a, Const<T> p) {
  return detail::apply<T>(
      "pow", [p](const auto& a) { return pow(a, p); },
      [p](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = g * pow(a, p - 1) * p;  // (xᵖ)' = p·xᵖ⁻¹
      },
      a);
}

template <class T>
Var<T> square(const Var<T>& a) {
  return detail::apply<T>(
      "square", [](const auto& a) { return a * a; },
      [](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = g * a * T(2);  // (x²)' = 2x
      },
      a);
}

template <class T>
Var<T> abs(const Var<T>& a) {
  return detail::apply<T>(
      "abs", [](const auto& a) { return masked(a, sign(a).v); },
      [](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = masked(g, sign(a).v);  // |x|' = sign(x)
      },
      a);
}

template <class T>
Var<T> tanh(const Var<T>& a) {
  return detail::apply<T>(
      "tanh", [](const auto& a) { return tanh(a); },
      [](const auto& g, const auto& y, const auto&, auto& ga) {
        if (ga) ga = g * (1 - y * y);  // tanh' = 1 − tanh²
      },
      a);
}

template <class T>
Var<T> sigmoid(const Var<T>& a) {
  return detail::apply<T>(
      "sigmoid", [](const auto& a) { return sigmoid(a); },
      [](const auto& g, const auto& y, const auto&, auto& ga) {
        if (ga) ga = g * (y * (1 - y));  // σ' = σ(1 − σ)
      },
      a);
}

template <class T>
Var<T> relu(const Var<T>& a) {
  return detail::apply<T>(
      "relu", [](const auto& a) { return relu(a); },
      [](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = where_positive(a, g);  // relu' = H(x)
      },
      a);
}

template <class T>
Var<T> softplus(const Var<T>& a) {
  return detail::apply<T>(
      "softplus", [](const auto& a) { return softplus(a); },
      [](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = g * sigmoid(a);  // softplus' = σ
      },
      a);
}

template <class T>
Var<T> where(const Var<T>& cond, const Var<T>& a, const Var<T>& b) {
  const Tensor<T>& condition = cond.value();
  const Shape s = kernels::broadcast_shape(
      kernels::broadcast_shape(to_shape(condition.shape()), a.shape(), "where"), b.shape(), "where");
  Tensor<T> take_a = detail::map(kernels::broadcast_to(condition, s), [](T c) { return T(c != 0); });
  Tensor<T> take_b = detail::map(take_a, [](T m) { return 1 - m; });
  return detail::apply<T>(
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
    return detail::map(x, [lo, hi](T v) { return T(v >= lo && v <= hi); });
  };
  return detail::apply<T>(
      "clamp",
      [=](const auto& a) {
        Dual<T> out = masked(a, inside(a.v));
        out.v = detail::map(a.v, [lo, hi](T v) { return std::min(std::max(v, lo), hi); });
        return out;
      },
      [=](const auto& g, const auto&, const auto& a, auto& ga) {
        if (ga) ga = masked(g, inside(a.v));  // 1 inside [lo, hi], 0 outside
      },
      a);
}

#define X(T)                                                              \
  template Var<T> exp(const Var<T>&);                                     \
  template Var<T> log(const Var<T>&);                                     \
  template Var<T> sqrt(const Var<T>&);                                    \
  template Var<T> pow(const Var<T>&, T);                                  \
  template Var<T> square(const Var<T>&);                                  \
  template Var<T> abs(const Var<T>&);                                     \
  template Var<T> tanh(const Var<T>&);                                    \
  template Var<T> sigmoid(const Var<T>&);                                 \
  template Var<T> relu(const Var<T>&);                                    \
  template Var<T> softplus(const Var<T>&);                                \
  template Var<T> where(const Var<T>&, const Var<T>&, const Var<T>&);  \
  template Var<T> clamp(const Var<T>&, T, T);
SADDLE_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle
