// saddle/nn/conv_dual.hpp — 2-D convolution and its two adjoints in the dual algebra.
//
// y = conv(x, W) + b is bilinear in (x, W), so its tangent is the product rule's
//   ẏ = conv(ẋ, W) + conv(x, Ẇ) + ḃ                      (absent tangents skipped, as matmul_op)
// The adjoints, derived by hand from y_n = W·cols(x_n) per image (conv_kernels.hpp):
//   W̄ = Σ_n ȳ_n · cols(x_n)ᵀ      — the correlation of the input patches with the output gradient
//   x̄_n = col2im(Wᵀ · ȳ_n)        — the transposed convolution of the output gradient
// are bilinear too, in (ȳ, x) and (ȳ, W); their tangents follow the same rule:
//   W̄˙ = Σ_n ẏ̄_n·cols(x_n)ᵀ + ȳ_n·cols(ẋ_n)ᵀ,     x̄˙_n = col2im(Ẇᵀ·ȳ_n + Wᵀ·ẏ̄_n)
// which is what forward-over-reverse needs for Hessian-vector products. Images are processed one
// at a time, each product written straight into the image's NCHW slot (products over groups of
// 4–16 images measured no faster with OpenBLAS on these shapes, and need permutations to and from
// NCHW); an image's columns are built once and shared by the value's product and the tangent's;
// images run in parallel.
#pragma once

#include <vector>

#include "autodiff/dual.hpp"
#include "nn/conv_kernels.hpp"
#include "nn/parallel.hpp"

namespace saddle::nn::conv {

namespace detail {

// Images per worker below which a thread costs more than it saves (~1M multiply-adds each).
inline std::size_t min_images(const Geometry& g) {
  return std::max<std::size_t>(1, (std::size_t(1) << 20) / std::max<std::size_t>(1, g.o * g.patch() * g.pixels()));
}

template <class T>
void fill_rows(T* y, const T* b, std::size_t rows, std::size_t len) {
  for (std::size_t r = 0; r < rows; ++r) std::fill(y + r * len, y + (r + 1) * len, b[r]);
}

}  // namespace detail

// conv(x, W) (+ b) for x (N, C, H, W), W (O, C, kh, kw), b (O): (N, O, Ho, Wo).
template <class T>
Dual<T> forward(const Dual<T>& x, const Dual<T>& w, const Dual<T>* b, const Geometry& g) {
  const std::size_t K = g.patch(), P = g.pixels(), O = g.o;
  Dual<T> y{empty_tensor<T>(Shape{g.n, g.o, g.ho, g.wo})};
  const bool bias_t = b && b->t;
  if (x.t || w.t || bias_t) y.t = empty_tensor<T>(y.v.shape());
  const T* wv = w.v.data();
  parallel_blocks(g.n, detail::min_images(g), [&](std::size_t begin, std::size_t end, std::size_t) {
    thread_local std::vector<T> cols;
    cols.resize(K * P);
    for (std::size_t n = begin; n < end; ++n) {
      T* yn = y.v.data() + n * g.out_image();
      if (b) detail::fill_rows(yn, b->v.data(), O, P);
      im2col(x.v.data() + n * g.image(), g, cols.data(), P);
      gemm(false, false, O, P, K, T(1), wv, K, cols.data(), P, T(b ? 1 : 0), yn, P);  // W·cols
      if (!y.t) continue;
      T* tn = y.t->data() + n * g.out_image();
      T beta = 0;
      if (bias_t) {
        detail::fill_rows(tn, b->t->data(), O, P);  // ḃ
        beta = 1;
      }
      if (w.t) {
        gemm(false, false, O, P, K, T(1), w.t->data(), K, cols.data(), P, beta, tn, P);  // + Ẇ·cols(x)
        beta = 1;
      }
      if (x.t) {
        im2col(x.t->data() + n * g.image(), g, cols.data(), P);
        gemm(false, false, O, P, K, T(1), wv, K, cols.data(), P, beta, tn, P);  // + W·cols(ẋ)
      }
    }
  });
  return y;
}

// x̄_n = col2im(Wᵀ·ȳ_n), shape (N, C, H, W).
template <class T>
Dual<T> input_adjoint(const Dual<T>& gy, const Dual<T>& w, const Geometry& g) {
  const std::size_t K = g.patch(), P = g.pixels(), O = g.o;
  Dual<T> gx{empty_tensor<T>(Shape{g.n, g.c, g.h, g.w})};
  if (gy.t || w.t) gx.t = empty_tensor<T>(gx.v.shape());
  parallel_blocks(g.n, detail::min_images(g), [&](std::size_t begin, std::size_t end, std::size_t) {
    thread_local std::vector<T> dcols;
    dcols.resize(K * P);
    for (std::size_t n = begin; n < end; ++n) {
      const T* gn = gy.v.data() + n * g.out_image();
      gemm(true, false, K, P, O, T(1), w.v.data(), K, gn, P, T(0), dcols.data(), P);  // Wᵀ·ȳ_n
      T* xn = gx.v.data() + n * g.image();
      std::fill(xn, xn + g.image(), T(0));
      col2im_add(dcols.data(), g, P, xn);
      if (!gx.t) continue;
      T beta = 0;
      if (w.t) {
        gemm(true, false, K, P, O, T(1), w.t->data(), K, gn, P, T(0), dcols.data(), P);  // Ẇᵀ·ȳ_n
        beta = 1;
      }
      if (gy.t)
        gemm(true, false, K, P, O, T(1), w.v.data(), K, gy.t->data() + n * g.out_image(), P, beta, dcols.data(),
             P);  // + Wᵀ·ẏ̄_n
      T* tn = gx.t->data() + n * g.image();
      std::fill(tn, tn + g.image(), T(0));
      col2im_add(dcols.data(), g, P, tn);
    }
  });
  return gx;
}

// W̄ = Σ_n ȳ_n·cols(x_n)ᵀ, shape (O, C, kh, kw). Computed transposed, W̄ᵀ = Σ_n cols(x_n)·ȳ_nᵀ
// (the faster orientation in OpenBLAS for these shapes); each worker sums its images.
template <class T>
Dual<T> weight_adjoint(const Dual<T>& gy, const Dual<T>& x, const Geometry& g) {
  const std::size_t K = g.patch(), P = g.pixels(), O = g.o;
  const bool tangent = gy.t || x.t;
  const std::size_t workers = worker_count();
  std::vector<std::vector<T>> acc(workers, std::vector<T>(K * O)), acc_t(tangent ? workers : 0, std::vector<T>(K * O));
  const std::size_t used =
      parallel_blocks(g.n, detail::min_images(g), [&](std::size_t begin, std::size_t end, std::size_t k) {
        thread_local std::vector<T> cols, cols_t;
        cols.resize(K * P);
        if (x.t) cols_t.resize(K * P);
        for (std::size_t n = begin; n < end; ++n) {
          const T* gn = gy.v.data() + n * g.out_image();
          im2col(x.v.data() + n * g.image(), g, cols.data(), P);
          weight_adjoint_t(K, O, P, cols.data(), gn, acc[k].data());  // cols·ȳ_nᵀ
          if (gy.t)
            weight_adjoint_t(K, O, P, cols.data(), gy.t->data() + n * g.out_image(), acc_t[k].data());  // cols(x)·ẏ̄_nᵀ
          if (x.t) {
            im2col(x.t->data() + n * g.image(), g, cols_t.data(), P);
            weight_adjoint_t(K, O, P, cols_t.data(), gn, acc_t[k].data());  // + cols(ẋ)·ȳ_nᵀ
          }
        }
      });
  auto transposed_sum = [&](std::vector<std::vector<T>>& parts) {
    Tensor<T> out = zeros_tensor<T>(Shape{g.o, g.c, g.kh, g.kw});
    for (std::size_t k = 0; k < used; ++k)
      for (std::size_t r = 0; r < K; ++r)
        for (std::size_t o = 0; o < O; ++o) out.data()[o * K + r] += parts[k][r * O + o];
    return out;
  };
  Dual<T> gw{transposed_sum(acc)};
  if (tangent) gw.t = transposed_sum(acc_t);
  return gw;
}

}  // namespace saddle::nn::conv
