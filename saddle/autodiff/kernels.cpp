#include "saddle/autodiff/kernels.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "saddle/autodiff/thin/thin_products.hpp"
#include "saddle/base/simd.hpp"

namespace saddle::kernels {
namespace {

// Element strides of a row-major tensor of shape `src` seen through the broadcast shape `dst`:
// an axis that broadcasting adds or stretches gets stride 0.
std::vector<std::size_t> aligned_strides(const Shape& src, const Shape& dst) {
  const std::size_t r = dst.size(), rs = src.size();
  std::vector<std::size_t> s(r, 0);
  std::size_t stride = 1;
  for (std::size_t k = 0; k < rs; ++k) {
    const std::size_t i = rs - 1 - k;  // axis of src, counted from the right
    const std::size_t j = r - 1 - k;   // the same axis in dst
    s[j] = src[i] == 1 ? 0 : stride;
    stride *= src[i];
  }
  return s;
}

// Calls body(out_offset, a_offset, b_offset) for each row along the last axis of `shape`
// (the out tensor is contiguous; a and b are read through their aligned strides).
template <class F>
void for_each_row(const Shape& shape, const std::vector<std::size_t>& sa,
                  const std::vector<std::size_t>& sb, F&& body) {
  const std::size_t r = shape.size();
  if (r <= 1) {
    body(std::size_t(0), std::size_t(0), std::size_t(0));
    return;
  }
  const std::size_t last = shape[r - 1];
  std::size_t rows = 1;
  for (std::size_t i = 0; i + 1 < r; ++i) rows *= shape[i];
  std::vector<std::size_t> idx(r - 1, 0);
  std::size_t oa = 0, ob = 0;
  for (std::size_t row = 0; row < rows; ++row) {
    body(row * last, oa, ob);
    for (std::size_t d = r - 1; d-- > 0;) {  // odometer over the leading axes
      ++idx[d];
      oa += sa[d];
      ob += sb[d];
      if (idx[d] < shape[d]) break;
      oa -= sa[d] * shape[d];
      ob -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

template <class T, class F>
void binary_loop(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& out, F f) {
  T* o = out.data();
  const T* pa = a.data();
  const T* pb = b.data();
  const std::size_t n = out.size();
  if (a.size() == n && b.size() == n) {
    for (std::size_t i = 0; i < n; ++i) o[i] = f(pa[i], pb[i]);
  } else if (b.size() == 1 && a.size() == n) {
    const T s = pb[0];
    for (std::size_t i = 0; i < n; ++i) o[i] = f(pa[i], s);
  } else if (a.size() == 1 && b.size() == n) {
    const T s = pa[0];
    for (std::size_t i = 0; i < n; ++i) o[i] = f(s, pb[i]);
  } else {
    const Shape shape = to_shape(out.shape());
    const auto sa = aligned_strides(to_shape(a.shape()), shape);
    const auto sb = aligned_strides(to_shape(b.shape()), shape);
    const std::size_t last = shape.empty() ? 1 : shape.back();
    const std::size_t la = shape.empty() ? 0 : sa.back(), lb = shape.empty() ? 0 : sb.back();
    for_each_row(shape, sa, sb, [&](std::size_t oo, std::size_t oa, std::size_t ob) {
      for (std::size_t j = 0; j < last; ++j) o[oo + j] = f(pa[oa + j * la], pb[ob + j * lb]);
    });
  }
}

}  // namespace

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  const std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t k = 0; k < r; ++k) {
    const std::size_t da = k < a.size() ? a[a.size() - 1 - k] : 1;
    const std::size_t db = k < b.size() ? b[b.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1)
      throw Error(std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
                  " do not broadcast");
    out[r - 1 - k] = da == 1 ? db : da;
  }
  return out;
}

template <class T>
Tensor<T> binary(Binary f, const Tensor<T>& a, const Tensor<T>& b, const char* op) {
  const Shape sa = to_shape(a.shape()), sb = to_shape(b.shape());
  Tensor<T> out = empty_tensor<T>(sa == sb ? sa : broadcast_shape(sa, sb, op));
  switch (f) {
    case Binary::add: binary_loop(a, b, out, [](T x, T y) { return x + y; }); break;
    case Binary::sub: binary_loop(a, b, out, [](T x, T y) { return x - y; }); break;
    case Binary::mul: binary_loop(a, b, out, [](T x, T y) { return x * y; }); break;
    case Binary::div: binary_loop(a, b, out, [](T x, T y) { return x / y; }); break;
  }
  return out;
}

template <class T>
void axpy_broadcast(T alpha, const Tensor<T>& x, Tensor<T>& y) {
  T* py = y.data();
  const T* px = x.data();
  if (x.size() == y.size()) {
    for (std::size_t i = 0, n = y.size(); i < n; ++i) py[i] += alpha * px[i];
    return;
  }
  const Shape shape = to_shape(y.shape());
  const auto sx = aligned_strides(to_shape(x.shape()), shape);
  const std::size_t last = shape.empty() ? 1 : shape.back();
  const std::size_t lx = shape.empty() ? 0 : sx.back();
  for_each_row(shape, sx, sx, [&](std::size_t oy, std::size_t ox, std::size_t) {
    for (std::size_t j = 0; j < last; ++j) py[oy + j] += alpha * px[ox + j * lx];
  });
}

template <class T>
Tensor<T> sum_to(const Tensor<T>& x, const Shape& shape) {
  const Shape sx = to_shape(x.shape());
  if (sx == shape) return x;
  if (broadcast_shape(shape, sx, "sum_to") != sx)
    throw Error("sum_to: shape " + shape_str(shape) + " does not broadcast to " + shape_str(sx));
  Tensor<T> out = zeros_tensor<T>(shape);
  T* po = out.data();
  const T* px = x.data();
  if (out.size() == 1) {
    po[0] = sum_all(x);
    return out;
  }
  const auto so = aligned_strides(shape, sx);
  const std::size_t last = sx.empty() ? 1 : sx.back();
  const std::size_t lo = sx.empty() ? 0 : so.back();
  for_each_row(sx, so, so, [&](std::size_t ox, std::size_t oo, std::size_t) {
    if (lo == 0) {
      T s = 0;
      for (std::size_t j = 0; j < last; ++j) s += px[ox + j];
      po[oo] += s;
    } else {
      for (std::size_t j = 0; j < last; ++j) po[oo + j] += px[ox + j];
    }
  });
  return out;
}

template <class T>
Tensor<T> broadcast_to(const Tensor<T>& x, const Shape& shape) {
  const Shape sx = to_shape(x.shape());
  if (sx == shape) return x;
  if (broadcast_shape(sx, shape, "broadcast_to") != shape)
    throw Error("broadcast_to: shape " + shape_str(sx) + " does not broadcast to " +
                shape_str(shape));
  Tensor<T> out = empty_tensor<T>(shape);
  T* po = out.data();
  const T* px = x.data();
  const auto s = aligned_strides(sx, shape);
  const std::size_t last = shape.empty() ? 1 : shape.back();
  const std::size_t l = shape.empty() ? 0 : s.back();
  for_each_row(shape, s, s, [&](std::size_t oo, std::size_t ox, std::size_t) {
    for (std::size_t j = 0; j < last; ++j) po[oo + j] = px[ox + j * l];
  });
  return out;
}

AxisSplit split_at(const Shape& shape, std::size_t axis) {
  AxisSplit s{1, shape[axis], 1};
  for (std::size_t i = 0; i < axis; ++i) s.outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) s.inner *= shape[i];
  return s;
}

Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims) {
  Shape out = shape;
  if (keepdims)
    out[axis] = 1;
  else
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
  return out;
}

template <class T>
Tensor<T> sum_axis(const Tensor<T>& x, std::size_t axis, bool keepdims) {
  const Shape sx = to_shape(x.shape());
  const AxisSplit s = split_at(sx, axis);
  Tensor<T> out = zeros_tensor<T>(reduced_shape(sx, axis, keepdims));
  const T* px = x.data();
  T* po = out.data();
  for (std::size_t o = 0; o < s.outer; ++o) {
    T* row = po + o * s.inner;
    for (std::size_t k = 0; k < s.n; ++k) {
      const T* src = px + (o * s.n + k) * s.inner;
      for (std::size_t i = 0; i < s.inner; ++i) row[i] += src[i];
    }
  }
  return out;
}

template <class T>
T sum_all(const Tensor<T>& x) {
  const T* p = x.data();
  T s = 0;
  for (std::size_t i = 0, n = x.size(); i < n; ++i) s += p[i];
  return s;
}

template <class T>
std::vector<std::size_t> argmax_axis(const Tensor<T>& x, std::size_t axis) {
  const AxisSplit s = split_at(to_shape(x.shape()), axis);
  std::vector<std::size_t> arg(s.outer * s.inner, 0);
  const T* px = x.data();
  for (std::size_t o = 0; o < s.outer; ++o)
    for (std::size_t i = 0; i < s.inner; ++i) {
      const T* base = px + o * s.n * s.inner + i;
      std::size_t best = 0;
      for (std::size_t k = 1; k < s.n; ++k)
        if (base[k * s.inner] > base[best * s.inner]) best = k;
      arg[o * s.inner + i] = best;
    }
  return arg;
}

template <class T>
void softmax_axis(const Tensor<T>& x, std::size_t axis, Tensor<T>& p, Tensor<T>& lse) {
  const Shape sx = to_shape(x.shape());
  if (axis >= sx.size() || sx[axis] == 0)
    throw Error("softmax_axis: axis " + std::to_string(axis) + " is outside shape " + shape_str(sx) +
                " or of no entries");
  const AxisSplit s = split_at(sx, axis);
  p = empty_tensor<T>(sx);
  lse = empty_tensor<T>(reduced_shape(sx, axis, true));
  for (std::size_t o = 0; o < s.outer; ++o)
    for (std::size_t i = 0; i < s.inner; ++i) {
      const std::size_t first = o * s.n * s.inner + i;  // entry k of this line: first + k·inner
      const T* xl = x.data() + first;
      T* pl = p.data() + first;
      T m = xl[0];
      for (std::size_t k = 1; k < s.n; ++k) m = std::max(m, xl[k * s.inner]);
      T sum = 0;
      for (std::size_t k = 0; k < s.n; ++k) sum += pl[k * s.inner] = std::exp(xl[k * s.inner] - m);
      for (std::size_t k = 0; k < s.n; ++k) pl[k * s.inner] /= sum;
      lse.data()[o * s.inner + i] = m + std::log(sum);
    }
}

namespace {
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                      const float* a, int lda, const float* b, int ldb, float beta, float* c,
                      int ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha,
                      const double* a, int lda, const double* b, int ldb, double beta, double* c,
                      int ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// A·Bᵀ with at most kThinSide rows of B, or Aᵀ·B with at most kThinSide columns of A, their long
// side at least kLong, on the loops of thin/thin_products.hpp for the instruction set in use
// (base/simd.hpp); false, and nothing done, for other products.
template <class T>
bool thin_product(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a, const T* b,
                  T beta, T* c) {
  constexpr std::size_t kLong = 32;
  const bool nt = !ta && tb && n <= thin::kThinSide && k >= kLong;
  const bool tn = ta && !tb && m <= thin::kThinSide && n >= kLong;
  if (!nt && !tn) return false;
  const simd::Isa isa = simd::active();
  auto* f = isa >= simd::Isa::avx512 ? (nt ? thin::avx512::nt<T> : thin::avx512::tn<T>)
            : isa >= simd::Isa::avx2 ? (nt ? thin::avx2::nt<T> : thin::avx2::tn<T>)
                                     : (nt ? thin::baseline::nt<T> : thin::baseline::tn<T>);
  f(m, n, k, alpha, a, b, beta, c);
  return true;
}
}  // namespace

template <class T>
void gemm(bool trans_a, bool trans_b, T alpha, const Tensor<T>& a, const Tensor<T>& b, T beta,
          Tensor<T>& c) {
  if (a.dimension() != 2 || b.dimension() != 2)
    throw Error("matmul: operands must be 2-D, got " + shape_str(a.shape()) + " and " +
                shape_str(b.shape()));
  const std::size_t m = trans_a ? a.shape()[1] : a.shape()[0];
  const std::size_t k = trans_a ? a.shape()[0] : a.shape()[1];
  const std::size_t kb = trans_b ? b.shape()[1] : b.shape()[0];
  const std::size_t n = trans_b ? b.shape()[0] : b.shape()[1];
  if (k != kb)
    throw Error("matmul: shapes " + shape_str(a.shape()) + (trans_a ? "ᵀ" : "") + " and " +
                shape_str(b.shape()) + (trans_b ? "ᵀ" : "") + " do not align");
  if (beta == T(0)) {
    if (c.dimension() != 2 || c.shape()[0] != m || c.shape()[1] != n)
      c = empty_tensor<T>(Shape{m, n});
  } else if (c.dimension() != 2 || c.shape()[0] != m || c.shape()[1] != n) {
    throw Error("matmul: accumulator of shape " + shape_str(c.shape()) + " for a product (" +
                std::to_string(m) + "," + std::to_string(n) + ")");
  }
  if (m == 0 || n == 0) return;
  if (k == 0) {  // empty inner dimension: the product is zero
    for (auto& e : c) e *= beta;
    return;
  }
  if (thin_product(trans_a, trans_b, m, n, k, alpha, a.data(), b.data(), beta, c.data())) return;
  // β = 0 as β = 1 on zeros: OpenBLAS clears C in a pass of its own before it adds the products,
  // and on its Zen kernel that pass ran at a quarter of memset's speed (the MLP's first-layer
  // weight adjoint, 128×784 over 50 rows: 212 µs a product with β = 0, 184 with a memset and
  // β = 1; the same either way on the Haswell kernel). The products added to zeros round as they
  // would alone: the same values.
  if (beta == T(0)) {
    std::memset(c.data(), 0, c.size() * sizeof(T));
    beta = T(1);
  }
  blas_gemm(trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, int(m),
            int(n), int(k), alpha, a.data(), int(a.shape()[1]), b.data(), int(b.shape()[1]), beta,
            c.data(), int(n));
}

template <class T>
Tensor<T> transpose2d(const Tensor<T>& x) {
  if (x.dimension() != 2) throw Error("transpose: expects a 2-D tensor, got " + shape_str(x.shape()));
  const std::size_t r = x.shape()[0], c = x.shape()[1];
  Tensor<T> out = empty_tensor<T>(Shape{c, r});
  const T* px = x.data();
  T* po = out.data();
  constexpr std::size_t B = 32;  // cache blocking
  for (std::size_t i0 = 0; i0 < r; i0 += B)
    for (std::size_t j0 = 0; j0 < c; j0 += B)
      for (std::size_t i = i0; i < std::min(r, i0 + B); ++i)
        for (std::size_t j = j0; j < std::min(c, j0 + B); ++j) po[j * r + i] = px[i * c + j];
  return out;
}

#define SADDLE_INSTANTIATE(T)                                                                   \
  template Tensor<T> binary(Binary, const Tensor<T>&, const Tensor<T>&, const char*);          \
  template void axpy_broadcast(T, const Tensor<T>&, Tensor<T>&);                               \
  template Tensor<T> sum_to(const Tensor<T>&, const Shape&);                                   \
  template Tensor<T> broadcast_to(const Tensor<T>&, const Shape&);                             \
  template Tensor<T> sum_axis(const Tensor<T>&, std::size_t, bool);                            \
  template T sum_all(const Tensor<T>&);                                                        \
  template std::vector<std::size_t> argmax_axis(const Tensor<T>&, std::size_t);               \
  template void softmax_axis(const Tensor<T>&, std::size_t, Tensor<T>&, Tensor<T>&);           \
  template void gemm(bool, bool, T, const Tensor<T>&, const Tensor<T>&, T, Tensor<T>&);        \
  template Tensor<T> transpose2d(const Tensor<T>&);
SADDLE_INSTANTIATE(float)
SADDLE_INSTANTIATE(double)
#undef SADDLE_INSTANTIATE

}  // namespace saddle::kernels
