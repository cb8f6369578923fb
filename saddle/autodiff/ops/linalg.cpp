// Matrix product and transpose (2-D), through BLAS.
#include "saddle/autodiff/ops.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/autodiff/ops/instantiate.hpp"

namespace saddle {

template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b) {
  return define_op<T>(
      "matmul", [](const auto& a, const auto& b) { return matmul(a, b); },
      [](const auto& g, const auto&, const auto& a, const auto& b, auto& ga, auto& gb) {
        if (ga) ga = matmul_nt(g, b);  // ∂/∂A = G Bᵀ
        if (gb) gb = matmul_tn(a, g);  // ∂/∂B = Aᵀ G
      },
      a, b);
}

template <class T>
Var<T> transpose(const Var<T>& a) {
  return define_op<T>(
      "transpose", [](const auto& a) { return transpose(a); },
      [](const auto& g, const auto&, const auto&, auto& ga) {
        if (ga) ga = transpose(g);
      },
      a);
}

#define X(T)                                                 \
  template Var<T> matmul(const Var<T>&, const Var<T>&);      \
  template Var<T> transpose(const Var<T>&);
SADDLE_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle
