// 2-D convolution (cross-correlation) as one tape op: its forward and VJP are the dual-algebra
// maps of conv_dual.hpp — y = conv(x, W) + b with ẏ = conv(ẋ, W) + conv(x, Ẇ) + ḃ, and the two
// hand-derived adjoints
//   ∂L/∂W = Σ_n ȳ_n · cols(x_n)ᵀ,   ∂L/∂x_n = col2im(Wᵀ · ȳ_n),   ∂L/∂b = Σ_(n,p) ȳ[n, ·, p]
// whose tangents give Hessian-vector products. tests/nn/test_handderived.cpp holds this rule
// against a composition of primitive tape ops (im2col by gather, then matmul).
#include "saddle/base/simd.hpp"
#include "saddle/nn/kernels/conv_dual.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/nn/ops.hpp"
#include "saddle/nn/ops/instantiate.hpp"

namespace saddle::nn {
namespace {

std::string conv_name(const Shape& w) {
  if (w.size() != 4) return "conv2d";
  return "conv2d(" + std::to_string(w[1]) + "→" + std::to_string(w[0]) + ", " + std::to_string(w[2]) + "×" +
         std::to_string(w[3]) + ")";
}

}  // namespace

template <class T>
Var<T> conv2d(const Var<T>& x, const Var<T>& weight, const Var<T>& bias, std::size_t stride, std::size_t padding) {
  const std::string who = conv_name(weight.shape());
  const conv::Geometry geo = conv::geometry(x.shape(), weight.shape(), stride, padding, who);
  simd::active();  // refuses a bad SADDLE_SIMD here, on the calling thread, before the workers run the kernels
  if (bias.shape() != Shape{geo.o})
    throw Error(who + ": bias of shape " + shape_str(bias.shape()) + ", expected (" + std::to_string(geo.o) + ",)");
  return define_op<T>(
      "conv2d", [&](const Dual<T>& x, const Dual<T>& w, const Dual<T>& b) { return conv::forward(x, w, &b, geo); },
      [geo](const Dual<T>& g, const Dual<T>&, const Dual<T>& x, const Dual<T>& w, const Dual<T>&, auto& gx, auto& gw,
            auto& gb) {
        if (gx) gx = conv::input_adjoint(g, w, geo);
        if (gw) gw = conv::weight_adjoint(g, x, geo);
        if (gb) gb = linear(g, [](const Tensor<T>& t) { return conv::sum_per_channel(t); });
      },
      x, weight, bias);
}

template <class T>
Var<T> conv2d(const Var<T>& x, const Var<T>& weight, std::size_t stride, std::size_t padding) {
  const conv::Geometry geo = conv::geometry(x.shape(), weight.shape(), stride, padding, conv_name(weight.shape()));
  simd::active();  // as above
  return define_op<T>(
      "conv2d", [&](const Dual<T>& x, const Dual<T>& w) { return conv::forward<T>(x, w, nullptr, geo); },
      [geo](const Dual<T>& g, const Dual<T>&, const Dual<T>& x, const Dual<T>& w, auto& gx, auto& gw) {
        if (gx) gx = conv::input_adjoint(g, w, geo);
        if (gw) gw = conv::weight_adjoint(g, x, geo);
      },
      x, weight);
}

#define X(T)                                                                                     \
  template Var<T> conv2d(const Var<T>&, const Var<T>&, const Var<T>&, std::size_t, std::size_t); \
  template Var<T> conv2d(const Var<T>&, const Var<T>&, std::size_t, std::size_t);
SADDLE_NN_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle::nn
