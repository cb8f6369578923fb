// The affine map of a Linear layer, y = x Wᵀ + b, as one op: one GEMM with W transposed by a
// BLAS flag, the bias added in place.
//   ∂L/∂x = Ȳ W,   ∂L/∂W = Ȳᵀ x,   ∂L/∂b = Σ_rows Ȳ
// With tangents the products are the dual algebra's (ẋWᵀ + xẆᵀ, …), which gives HVPs.
#include "saddle/autodiff/rule.hpp"
#include "saddle/nn/ops.hpp"
#include "saddle/nn/ops/instantiate.hpp"

namespace saddle::nn {
namespace {

template <class T>
void check_linear(const Var<T>& x, const Var<T>& w, const Var<T>* b) {
  const Shape sx = x.shape(), sw = w.shape();
  const std::string who =
      "linear(" + (sw.size() == 2 ? std::to_string(sw[1]) + "→" + std::to_string(sw[0]) : shape_str(sw)) + ")";
  if (sw.size() != 2) throw Error(who + ": weight of shape " + shape_str(sw) + " is not 2-D (out, in)");
  if (sx.size() != 2 || sx[1] != sw[1])
    throw Error(who + ": input of shape " + shape_str(sx) + ", expected (N," + std::to_string(sw[1]) + ")");
  if (b && b->shape() != Shape{sw[0]})
    throw Error(who + ": bias of shape " + shape_str(b->shape()) + ", expected (" + std::to_string(sw[0]) + ",)");
}

// y[n, :] += b, on both halves of the dual.
template <class T>
void add_row_bias(Dual<T>& y, const Dual<T>& b) {
  auto add = [](Tensor<T>& m, const Tensor<T>& v) {
    const std::size_t rows = m.shape()[0], cols = m.shape()[1];
    for (std::size_t r = 0; r < rows; ++r) {
      T* row = m.data() + r * cols;
      for (std::size_t c = 0; c < cols; ++c) row[c] += v.data()[c];
    }
  };
  add(y.v, b.v);
  if (b.t) {
    if (!y.t) y.t = zeros_tensor<T>(y.v.shape());
    add(*y.t, *b.t);
  }
}

}  // namespace

template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& weight, const Var<T>& bias) {
  check_linear(x, weight, &bias);
  return define_op<T>(
      "linear",
      [](const Dual<T>& x, const Dual<T>& w, const Dual<T>& b) {
        Dual<T> y = matmul_nt(x, w);
        add_row_bias(y, b);
        return y;
      },
      [](const Dual<T>& g, const Dual<T>&, const Dual<T>& x, const Dual<T>& w, const Dual<T>&, auto& gx, auto& gw,
         auto& gb) {
        if (gx) gx = matmul(g, w);     // Ȳ W
        if (gw) gw = matmul_tn(g, x);  // Ȳᵀ x
        if (gb) gb = sum(g, 0, false);
      },
      x, weight, bias);
}

template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& weight) {
  check_linear<T>(x, weight, nullptr);
  return define_op<T>(
      "linear", [](const Dual<T>& x, const Dual<T>& w) { return matmul_nt(x, w); },
      [](const Dual<T>& g, const Dual<T>&, const Dual<T>& x, const Dual<T>& w, auto& gx, auto& gw) {
        if (gx) gx = matmul(g, w);
        if (gw) gw = matmul_tn(g, x);
      },
      x, weight);
}

#define X(T)                                                           \
  template Var<T> linear(const Var<T>&, const Var<T>&, const Var<T>&); \
  template Var<T> linear(const Var<T>&, const Var<T>&);
SADDLE_NN_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle::nn
