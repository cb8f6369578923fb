// 2-D convolution (cross-correlation) by im2col and one GEMM for the whole batch
// (conv_kernels.hpp): with cols = im2col(x) of shape (K, N·P) and W as (O, K),
//   Y = W · cols                                    (then laid out as (N, O, Ho, Wo)) + b
// The op is bilinear in (x, W), so in the dual algebra its tangent is
//   Ẏ = Ẇ · cols(x) + W · cols(ẋ) + ḃ
// (matmul_op skips an absent half). The two adjoints, derived by hand from Y = W·cols:
//   ∂L/∂W = Ȳ · colsᵀ              — the correlation of the input patches with the output gradient
//   ∂L/∂x = col2im(Wᵀ · Ȳ)          — the transposed convolution of the output gradient
//   ∂L/∂b = Σ_(n,p) Ȳ[n, o, p]
// are written with the Dual matmul, so with tangents present the same lines give their tangents,
// which forward-over-reverse needs for Hessian-vector products. tests/nn/test_handderived.cpp
// holds this rule against a composition of primitive tape ops.
#include <memory>

#include "nn/conv_kernels.hpp"
#include "nn/ops.hpp"
#include "nn/ops/instantiate.hpp"

namespace saddle::nn {
namespace {

std::string conv_name(const Shape& w) {
  if (w.size() != 4) return "conv2d";
  return "conv2d(" + std::to_string(w[1]) + "→" + std::to_string(w[0]) + ", " + std::to_string(w[2]) + "×" +
         std::to_string(w[3]) + ")";
}

template <class T>
Dual<T> weight_matrix(const Dual<T>& w, const conv::Geometry& g) {
  return reshape(w, Shape{g.o, g.patch()});
}

// Y = W·im2col(x) (+ b) as (N, O, Ho, Wo); the columns are kept in *cols for ∂L/∂W.
template <class T>
Dual<T> conv_forward(const Dual<T>& x, const Dual<T>& w, const Dual<T>* b, const conv::Geometry& g,
                     Dual<T>* cols_out) {
  Dual<T> cols = linear(x, [&](const Tensor<T>& t) { return conv::im2col(t, g); });
  Dual<T> y = linear(matmul(weight_matrix(w, g), cols), [&](const Tensor<T>& t) { return conv::rows_to_nchw(t, g); });
  if (b) {
    conv::add_channel_bias(y.v, b->v);
    if (b->t) {
      if (!y.t) y.t = zeros_tensor<T>(y.v.shape());
      conv::add_channel_bias(*y.t, *b->t);
    }
  }
  if (cols_out) *cols_out = std::move(cols);
  return y;
}

// The columns the forward kept, shared between the op's forward and its VJP.
template <class T>
struct ColumnCache {
  bool keep = false;
  Dual<T> cols;
};

template <class T, class SlotX, class SlotW>
void conv_vjp(const Dual<T>& g, const Dual<T>& x, const Dual<T>& w, ColumnCache<T>& cache,
              const conv::Geometry& geo, SlotX& gx, SlotW& gw) {
  const Dual<T> gy = linear(g, [&](const Tensor<T>& t) { return conv::nchw_to_rows(t, geo); });  // Ȳ (O, N·P)
  if (gw) {
    if (!cache.keep) cache.cols = linear(x, [&](const Tensor<T>& t) { return conv::im2col(t, geo); });
    gw = reshape(matmul_nt(gy, cache.cols), w.shape());  // Ȳ·colsᵀ
  }
  cache.cols = Dual<T>{};
  if (gx)
    gx = linear(matmul_tn(weight_matrix(w, geo), gy),
                [&](const Tensor<T>& t) { return conv::col2im(t, geo); });  // col2im(Wᵀ·Ȳ)
}

}  // namespace

template <class T>
Var<T> conv2d(const Var<T>& x, const Var<T>& weight, const Var<T>& bias, std::size_t stride, std::size_t padding) {
  const std::string who = conv_name(weight.shape());
  const conv::Geometry geo = conv::geometry(x.shape(), weight.shape(), stride, padding, who);
  if (bias.shape() != Shape{geo.o})
    throw Error(who + ": bias of shape " + shape_str(bias.shape()) + ", expected (" + std::to_string(geo.o) + ",)");
  auto cache = std::make_shared<ColumnCache<T>>();
  cache->keep = grad_enabled() && weight.requires_grad();
  return detail::apply<T>(
      "conv2d",
      [&](const Dual<T>& x, const Dual<T>& w, const Dual<T>& b) {
        return conv_forward(x, w, &b, geo, cache->keep ? &cache->cols : nullptr);
      },
      [geo, cache](const Dual<T>& g, const Dual<T>&, const Dual<T>& x, const Dual<T>& w, const Dual<T>&, auto& gx,
                   auto& gw, auto& gb) {
        conv_vjp(g, x, w, *cache, geo, gx, gw);
        if (gb) gb = linear(g, [](const Tensor<T>& t) { return conv::sum_per_channel(t); });
      },
      x, weight, bias);
}

template <class T>
Var<T> conv2d(const Var<T>& x, const Var<T>& weight, std::size_t stride, std::size_t padding) {
  const conv::Geometry geo = conv::geometry(x.shape(), weight.shape(), stride, padding, conv_name(weight.shape()));
  auto cache = std::make_shared<ColumnCache<T>>();
  cache->keep = grad_enabled() && weight.requires_grad();
  return detail::apply<T>(
      "conv2d",
      [&](const Dual<T>& x, const Dual<T>& w) {
        return conv_forward<T>(x, w, nullptr, geo, cache->keep ? &cache->cols : nullptr);
      },
      [geo, cache](const Dual<T>& g, const Dual<T>&, const Dual<T>& x, const Dual<T>& w, auto& gx, auto& gw) {
        conv_vjp(g, x, w, *cache, geo, gx, gw);
      },
      x, weight);
}

#define X(T)                                                                                         \
  template Var<T> conv2d(const Var<T>&, const Var<T>&, const Var<T>&, std::size_t, std::size_t); \
  template Var<T> conv2d(const Var<T>&, const Var<T>&, std::size_t, std::size_t);
SADDLE_NN_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle::nn
