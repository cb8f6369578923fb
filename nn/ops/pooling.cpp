// Max and average pooling over kernel×kernel windows of (N, C, H, W), no padding.
//
// Max pooling is linear once its arg-max is fixed by the value (the mask of relu and max, as in
// dual.hpp): y = x[a], ẏ = ẋ[a], and the VJP scatters ȳ back to a, x̄[a] += ȳ — the same map on
// both halves of the dual, so ∂²y/∂x² = 0 almost everywhere and HVPs flow through the selection.
// Average pooling is linear: y = (1/k²) Σ_window x, x̄ = (1/k²) ȳ spread over each window.
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/conv_kernels.hpp"
#include "nn/ops.hpp"
#include "nn/ops/instantiate.hpp"

namespace saddle::nn {
namespace {

struct PoolGeometry {
  std::size_t planes, h, w, k, s, ho, wo;
  Shape out(const Shape& x) const { return Shape{x[0], x[1], ho, wo}; }
};

PoolGeometry pool_geometry(const char* op, const Shape& x, std::size_t kernel, std::size_t stride) {
  const std::string who = std::string(op) + "(" + std::to_string(kernel) + ")";
  if (kernel == 0) throw Error(who + ": kernel size 0");
  if (x.size() != 4) throw Error(who + ": input of shape " + shape_str(x) + " is not 4-D (N, C, H, W)");
  const std::size_t s = stride == 0 ? kernel : stride;
  if (x[2] < kernel || x[3] < kernel)
    throw Error(who + ": a " + std::to_string(kernel) + "×" + std::to_string(kernel) +
                " window does not fit an input of shape " + shape_str(x));
  return {x[0] * x[1], x[2], x[3], kernel, s, conv::output_extent(x[2], kernel, s, 0),
          conv::output_extent(x[3], kernel, s, 0)};
}

// The flat index into x of each window's maximum (the first one on ties, as PyTorch).
template <class T>
std::vector<std::uint32_t> argmax_windows(const Tensor<T>& x, const PoolGeometry& g) {
  std::vector<std::uint32_t> arg(g.planes * g.ho * g.wo);
  const T* px = x.data();
  std::uint32_t* pa = arg.data();
  for (std::size_t c = 0; c < g.planes; ++c) {
    const std::size_t plane = c * g.h * g.w;
    for (std::size_t p = 0; p < g.ho; ++p)
      for (std::size_t q = 0; q < g.wo; ++q) {
        std::size_t best = plane + p * g.s * g.w + q * g.s;
        T m = px[best];
        for (std::size_t i = 0; i < g.k; ++i) {
          const std::size_t row = plane + (p * g.s + i) * g.w + q * g.s;
          for (std::size_t j = 0; j < g.k; ++j)
            if (px[row + j] > m) {
              m = px[row + j];
              best = row + j;
            }
        }
        *pa++ = static_cast<std::uint32_t>(best);
      }
  }
  return arg;
}

template <class T>
Tensor<T> take(const Tensor<T>& x, const std::vector<std::uint32_t>& arg, const Shape& shape) {
  Tensor<T> y = empty_tensor<T>(shape);
  for (std::size_t i = 0; i < arg.size(); ++i) y.data()[i] = x.data()[arg[i]];
  return y;
}

template <class T>
Tensor<T> put(const Tensor<T>& g, const std::vector<std::uint32_t>& arg, const Shape& shape) {
  Tensor<T> x = zeros_tensor<T>(shape);
  for (std::size_t i = 0; i < arg.size(); ++i) x.data()[arg[i]] += g.data()[i];
  return x;
}

template <class T>
Tensor<T> window_mean(const Tensor<T>& x, const PoolGeometry& g, const Shape& shape) {
  Tensor<T> y = empty_tensor<T>(shape);
  const T scale = T(1) / T(g.k * g.k);
  T* py = y.data();
  for (std::size_t c = 0; c < g.planes; ++c) {
    const T* plane = x.data() + c * g.h * g.w;
    for (std::size_t p = 0; p < g.ho; ++p)
      for (std::size_t q = 0; q < g.wo; ++q) {
        T s = 0;
        for (std::size_t i = 0; i < g.k; ++i) {
          const T* row = plane + (p * g.s + i) * g.w + q * g.s;
          for (std::size_t j = 0; j < g.k; ++j) s += row[j];
        }
        *py++ = s * scale;
      }
  }
  return y;
}

template <class T>
Tensor<T> window_spread(const Tensor<T>& gy, const PoolGeometry& g, const Shape& shape) {
  Tensor<T> x = zeros_tensor<T>(shape);
  const T scale = T(1) / T(g.k * g.k);
  const T* pg = gy.data();
  for (std::size_t c = 0; c < g.planes; ++c) {
    T* plane = x.data() + c * g.h * g.w;
    for (std::size_t p = 0; p < g.ho; ++p)
      for (std::size_t q = 0; q < g.wo; ++q) {
        const T v = *pg++ * scale;
        for (std::size_t i = 0; i < g.k; ++i) {
          T* row = plane + (p * g.s + i) * g.w + q * g.s;
          for (std::size_t j = 0; j < g.k; ++j) row[j] += v;
        }
      }
  }
  return x;
}

}  // namespace

template <class T>
Var<T> max_pool2d(const Var<T>& x, std::size_t kernel, std::size_t stride) {
  const PoolGeometry g = pool_geometry("max_pool2d", x.shape(), kernel, stride);
  auto arg = std::make_shared<std::vector<std::uint32_t>>(argmax_windows(x.value(), g));
  const Shape out = g.out(x.shape());
  return detail::apply<T>(
      "max_pool2d",
      [&](const Dual<T>& x) { return linear(x, [&](const Tensor<T>& t) { return take(t, *arg, out); }); },
      [arg](const Dual<T>& gy, const Dual<T>&, const Dual<T>& x, auto& gx) {
        const Shape in = x.shape();
        if (gx) gx = linear(gy, [&](const Tensor<T>& t) { return put(t, *arg, in); });  // x̄[a] += ȳ
      },
      x);
}

template <class T>
Var<T> avg_pool2d(const Var<T>& x, std::size_t kernel, std::size_t stride) {
  const PoolGeometry g = pool_geometry("avg_pool2d", x.shape(), kernel, stride);
  const Shape out = g.out(x.shape());
  return detail::apply<T>(
      "avg_pool2d",
      [&](const Dual<T>& x) { return linear(x, [&](const Tensor<T>& t) { return window_mean(t, g, out); }); },
      [g](const Dual<T>& gy, const Dual<T>&, const Dual<T>& x, auto& gx) {
        const Shape in = x.shape();
        if (gx) gx = linear(gy, [&](const Tensor<T>& t) { return window_spread(t, g, in); });
      },
      x);
}

#define X(T)                                                         \
  template Var<T> max_pool2d(const Var<T>&, std::size_t, std::size_t); \
  template Var<T> avg_pool2d(const Var<T>&, std::size_t, std::size_t);
SADDLE_NN_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle::nn
