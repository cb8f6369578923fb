// Max and average pooling over kernel×kernel windows of (N, C, H, W), no padding.
//
// Max pooling is linear once its arg-max is fixed by the value (the mask of relu and max, as in
// dual.hpp): y = x[a], ẏ = ẋ[a], and the VJP scatters ȳ back to a, x̄[a] += ȳ — the same map on
// both halves of the dual, so ∂²y/∂x² = 0 almost everywhere and HVPs flow through the selection.
// Average pooling is linear: y = (1/k²) Σ_window x, x̄ = (1/k²) ȳ spread over each window.
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "saddle/base/simd.hpp"
#include "saddle/nn/kernels/conv_kernels.hpp"
#include "saddle/autodiff/rule.hpp"
#include "saddle/nn/ops.hpp"
#include "saddle/nn/ops/instantiate.hpp"
#include "saddle/nn/kernels/pooling_simd.hpp"
#include "saddle/base/parallel.hpp"

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
  return {x[0] * x[1],
          x[2],
          x[3],
          kernel,
          s,
          conv::output_extent(x[2], kernel, s, 0),
          conv::output_extent(x[3], kernel, s, 0)};
}

// One output row of 2×2, stride-2 max pooling over input rows r0, r1 (row `top` of the flat
// input, width w): pv[q] = the first maximum of r0[2q], r0[2q+1], r1[2q], r1[2q+1] in that order,
// pa[q] its flat index.
template <class T>
void max_row_2x2(const T* r0, const T* r1, std::size_t w, std::size_t wo, std::size_t top, T* pv, std::uint32_t* pa) {
  for (std::size_t q = 0; q < wo; ++q) {
    std::size_t best = 2 * q;
    T m = r0[2 * q];
    if (r0[2 * q + 1] > m) m = r0[best = 2 * q + 1];
    if (r1[2 * q] > m) m = r1[2 * q], best = w + 2 * q;
    if (r1[2 * q + 1] > m) m = r1[2 * q + 1], best = w + 2 * q + 1;
    pv[q] = m;
    pa[q] = static_cast<std::uint32_t>(top + best);
  }
}

template <class T>
using Row2x2 = void (*)(const T*, const T*, std::size_t, std::size_t, std::size_t, T*, std::uint32_t*);

// max_row_2x2 for T; in float the widest vector build (pooling_simd.hpp) the processor has.
template <class T>
Row2x2<T> row_2x2_kernel() {
  if constexpr (std::is_same_v<T, float>) {
    if (simd::active() >= simd::Isa::avx512) return avx512::max_row_2x2;
    if (simd::active() >= simd::Isa::avx2) return avx2::max_row_2x2;
  }
  return max_row_2x2<T>;
}

// Each window's arg-max: a flat index into x per output entry, written once by max_windows (so
// left uninitialised until then: zeroing it took as long as a pass of the pooling).
using Selection = std::shared_ptr<std::uint32_t[]>;

// Each window's maximum into y and its flat index into x into sel (the first in row-major order
// on ties, as PyTorch); planes spread over the cores.
template <class T>
void max_windows(const Tensor<T>& x, const PoolGeometry& g, Tensor<T>& y, const Selection& sel) {
  std::uint32_t* const arg = sel.get();
  const T* px = x.data();
  const std::size_t plane_in = g.h * g.w, plane_out = g.ho * g.wo;
  const Row2x2<T> row_2x2 = row_2x2_kernel<T>();
  parallel_blocks(g.planes, std::max<std::size_t>(1, (std::size_t(1) << 18) / plane_in),
                  [&](std::size_t begin, std::size_t end, std::size_t) {
                    for (std::size_t c = begin; c < end; ++c) {
                      const std::size_t plane = c * plane_in;
                      std::uint32_t* pa = arg + c * plane_out;
                      T* pv = y.data() + c * plane_out;
                      for (std::size_t p = 0; p < g.ho; ++p) {
                        const std::size_t top = plane + p * g.s * g.w;
                        if (g.k == 2 && g.s == 2) {  // the common case
                          row_2x2(px + top, px + top + g.w, g.w, g.wo, top, pv, pa);
                          pv += g.wo;
                          pa += g.wo;
                          continue;
                        }
                        for (std::size_t q = 0; q < g.wo; ++q) {
                          std::size_t best = top + q * g.s;
                          T m = px[best];
                          for (std::size_t i = 0; i < g.k; ++i) {
                            const std::size_t row = top + i * g.w + q * g.s;
                            for (std::size_t j = 0; j < g.k; ++j)
                              if (px[row + j] > m) {
                                m = px[row + j];
                                best = row + j;
                              }
                          }
                          *pv++ = m;
                          *pa++ = static_cast<std::uint32_t>(best);
                        }
                      }
                    }
                  });
}

template <class T>
Tensor<T> take(const Tensor<T>& x, const Selection& sel, const Shape& shape) {
  Tensor<T> y = empty_tensor<T>(shape);
  for (std::size_t i = 0; i < y.size(); ++i) y.data()[i] = x.data()[sel[i]];
  return y;
}

// x̄ = 0, then x̄[a] += ȳ (windows that overlap add up), plane by plane: a plane is still in L1
// when its entries are scattered, where zeroing the whole tensor first went twice through L2.
template <class T>
Tensor<T> put(const Tensor<T>& g, const Selection& sel, const PoolGeometry& geo, const Shape& shape) {
  Tensor<T> x = empty_tensor<T>(shape);
  const std::size_t plane_in = geo.h * geo.w, plane_out = geo.ho * geo.wo;
  T* px = x.data();
  const T* pg = g.data();
  for (std::size_t c = 0; c < geo.planes; ++c) {
    std::fill(px + c * plane_in, px + (c + 1) * plane_in, T(0));
    for (std::size_t i = c * plane_out; i < (c + 1) * plane_out; ++i) px[sel[i]] += pg[i];
  }
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
  if (x.size() > std::numeric_limits<std::uint32_t>::max())
    throw Error("max_pool2d: input of " + std::to_string(x.size()) + " entries is too large to index");
  const Selection sel = std::make_shared_for_overwrite<std::uint32_t[]>(g.planes * g.ho * g.wo);
  const Shape out = g.out(x.shape());
  return define_op<T>(
      "max_pool2d",
      [&](const Dual<T>& x) {
        Dual<T> y{empty_tensor<T>(out)};
        max_windows(x.v, g, y.v, sel);
        if (x.t) y.t = take(*x.t, sel, out);  // ẏ = ẋ[a]
        return y;
      },
      [sel, g](const Dual<T>& gy, const Dual<T>&, const Dual<T>& x, auto& gx) {
        const Shape in = x.shape();
        if (gx) gx = linear(gy, [&](const Tensor<T>& t) { return put(t, sel, g, in); });  // x̄[a] += ȳ
      },
      x);
}

template <class T>
Var<T> avg_pool2d(const Var<T>& x, std::size_t kernel, std::size_t stride) {
  const PoolGeometry g = pool_geometry("avg_pool2d", x.shape(), kernel, stride);
  const Shape out = g.out(x.shape());
  return define_op<T>(
      "avg_pool2d",
      [&](const Dual<T>& x) { return linear(x, [&](const Tensor<T>& t) { return window_mean(t, g, out); }); },
      [g](const Dual<T>& gy, const Dual<T>&, const Dual<T>& x, auto& gx) {
        const Shape in = x.shape();
        if (gx) gx = linear(gy, [&](const Tensor<T>& t) { return window_spread(t, g, in); });
      },
      x);
}

#define X(T)                                                           \
  template Var<T> max_pool2d(const Var<T>&, std::size_t, std::size_t); \
  template Var<T> avg_pool2d(const Var<T>&, std::size_t, std::size_t);
SADDLE_NN_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle::nn
