// Arithmetic with NumPy broadcasting. A broadcast input's adjoint is summed back to its shape.
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/autodiff/ops/instantiate.hpp"

namespace saddle {

template <class T>
Var<T> add(const Var<T>& a, const Var<T>& b) {
  return define_op<T>(
      "add", [](const auto& a, const auto& b) { return a + b; },
      [](const auto& g, const auto&, const auto& a, const auto& b, auto& ga, auto& gb) {
        if (ga) ga = sum_to(g, a.shape());  // ∂(a+b)/∂a = 1
        if (gb) gb = sum_to(g, b.shape());
      },
      a, b);
}

template <class T>
Var<T> sub(const Var<T>& a, const Var<T>& b) {
  return define_op<T>(
      "sub", [](const auto& a, const auto& b) { return a - b; },
      [](const auto& g, const auto&, const auto& a, const auto& b, auto& ga, auto& gb) {
        if (ga) ga = sum_to(g, a.shape());
        if (gb) gb = -sum_to(g, b.shape());
      },
      a, b);
}

template <class T>
Var<T> mul(const Var<T>& a, const Var<T>& b) {
  return define_op<T>(
      "mul", [](const auto& a, const auto& b) { return a * b; },
      [](const auto& g, const auto&, const auto& a, const auto& b, auto& ga, auto& gb) {
        if (ga) ga = sum_to(g * b, a.shape());  // ∂(ab)/∂a = b
        if (gb) gb = sum_to(g * a, b.shape());
      },
      a, b);
}

template <class T>
Var<T> div(const Var<T>& a, const Var<T>& b) {
  return define_op<T>(
      "div", [](const auto& a, const auto& b) { return a / b; },
      [](const auto& g, const auto& y, const auto& a, const auto& b, auto& ga, auto& gb) {
        if (ga) ga = sum_to(g / b, a.shape());       // ∂(a/b)/∂a = 1/b
        if (gb) gb = -sum_to(g * y / b, b.shape());  // ∂(a/b)/∂b = −a/b² = −y/b
      },
      a, b);
}

template <class T>
Var<T> neg(const Var<T>& a) {
  return define_op<T>(
      "neg", [](const auto& a) { return -a; },
      [](const auto& g, const auto&, const auto&, auto& ga) {
        if (ga) ga = -g;
      },
      a);
}

template <class T>
Var<T> add_scalar(const Var<T>& a, Const<T> s) {
  return define_op<T>(
      "add_scalar", [s](const auto& a) { return a + s; },
      [](const auto& g, const auto&, const auto&, auto& ga) {
        if (ga) ga = Dual<T>(g);
      },
      a);
}

template <class T>
Var<T> mul_scalar(const Var<T>& a, Const<T> s) {
  return define_op<T>(
      "mul_scalar", [s](const auto& a) { return a * s; },
      [s](const auto& g, const auto&, const auto&, auto& ga) {
        if (ga) ga = g * s;
      },
      a);
}

template <class T>
Var<T> rdiv_scalar(Const<T> s, const Var<T>& a) {
  return define_op<T>(
      "rdiv_scalar", [s](const auto& a) { return s / a; },
      [](const auto& g, const auto& y, const auto& a, auto& ga) {
        if (ga) ga = -(g * y / a);  // ∂(s/a)/∂a = −s/a² = −y/a
      },
      a);
}

#define X(T)                                                   \
  template Var<T> add(const Var<T>&, const Var<T>&);           \
  template Var<T> sub(const Var<T>&, const Var<T>&);           \
  template Var<T> mul(const Var<T>&, const Var<T>&);           \
  template Var<T> div(const Var<T>&, const Var<T>&);           \
  template Var<T> neg(const Var<T>&);                          \
  template Var<T> add_scalar(const Var<T>&, T);                \
  template Var<T> mul_scalar(const Var<T>&, T);                \
  template Var<T> rdiv_scalar(T, const Var<T>&);
SADDLE_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle
