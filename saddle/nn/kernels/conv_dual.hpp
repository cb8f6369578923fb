// saddle/nn/kernels/conv_dual.hpp — 2-D convolution and its two adjoints in the dual algebra.
//
// y = conv(x, W) + b is bilinear in (x, W), so its tangent is the product rule's
//   ẏ = conv(ẋ, W) + conv(x, Ẇ) + ḃ                      (absent tangents skipped, as matmul_op)
// The adjoints, derived by hand from y_n = W·cols(x_n) per image (conv_kernels.hpp):
//   W̄ = Σ_n ȳ_n · cols(x_n)ᵀ      — the correlation of the input patches with the output gradient
//   x̄_n = col2im(Wᵀ · ȳ_n)        — the transposed convolution of the output gradient
// are bilinear too, in (ȳ, x) and (ȳ, W); their tangents follow the same rule:
//   W̄˙ = Σ_n ẏ̄_n·cols(x_n)ᵀ + ȳ_n·cols(ẋ_n)ᵀ,     x̄˙_n = col2im(Ẇᵀ·ȳ_n + Wᵀ·ẏ̄_n)
// which is what forward-over-reverse needs for Hessian-vector products. Stride-1 convolutions
// with few channels go through the direct loops of conv_direct.hpp (the Flat layout below);
// the others through im2col and BLAS, as follows. Images are processed one
// at a time, each product written straight into the image's NCHW slot (products over groups of
// 4–16 images measured no faster with OpenBLAS on these shapes, and need permutations to and from
// NCHW); an image's columns are built once and shared by the value's product and the tangent's;
// images run in parallel, and the weight adjoint sums them with parallel_sum (the same bits for
// any number of workers).
#pragma once

#include <algorithm>
#include <vector>

#include "saddle/autodiff/dual.hpp"
#include "saddle/nn/kernels/conv_direct.hpp"
#include "saddle/nn/kernels/conv_kernels.hpp"
#include "saddle/nn/kernels/image_buffers.hpp"
#include "saddle/base/parallel.hpp"

namespace saddle::nn::conv {


// Images per worker below which a thread costs more than it saves (~1M multiply-adds each).
inline std::size_t min_images(const Geometry& g) {
  return std::max<std::size_t>(1, (std::size_t(1) << 20) / std::max<std::size_t>(1, g.o * g.patch() * g.pixels()));
}

template <class T>
void fill_rows(T* y, const T* b, std::size_t rows, std::size_t len) {
  for (std::size_t r = 0; r < rows; ++r) std::fill(y + r * len, y + (r + 1) * len, b[r]);
}

// The flat layout of conv_direct.hpp for a stride-1 geometry: zero-bordered channels of
// hp × wp entries; outputs in wide rows of wp entries, input adjoints in rows of bs ≥ wp.
struct Flat {
  std::size_t hp, wp, plane;  // plane = hp·wp
  std::size_t len, len_r;     // wide output positions (Ho−1)·wp + Wo, rounded up to a step
  std::size_t in_size;        // an image's zero-bordered buffer: C·plane, plus reads past the last plane
  std::vector<std::ptrdiff_t> off;  // tap (c, i, j) → c·plane + i·wp + j
  // Input adjoint, x̄ = ȳ zero-bordered and correlated with the flipped kernels: x̄ at the interior
  // positions s = s0 + t, t < back_len, in rows of bs = wp rounded up to a step, read from ȳ placed
  // `front` entries into channels of gy_stride entries, zero around it. Any row length ≥ wp keeps
  // ȳ's rows apart by zeros; on whole vectors, the positions of a vector lie in one or two rows of
  // x̄. Row y of x̄ meets row p = y + pad − i of ȳ through the kernel's row i, so only the i with
  // 0 ≤ p < Ho read anything but zeros: with the taps in the order (i, o, j) those are one range,
  // back_first[y] … back_end[y] (LeNet-5's second layer: 50 of its 14 × 5 rows' kernel rows).
  std::size_t bs, front, s0, back_len, back_len_r, gy_stride;
  std::vector<std::ptrdiff_t> back_off;  // tap (i, o, j) → o·gy_stride + front − i·bs − j
  std::vector<std::size_t> back_first, back_end;

  explicit Flat(const Geometry& g) {
    hp = g.h + 2 * g.pad;
    wp = g.w + 2 * g.pad;
    plane = hp * wp;
    const std::size_t st = direct::step;
    len = (g.ho - 1) * wp + g.wo;
    len_r = direct::round_up(len, st);
    in_size = direct::round_up(g.c * plane + (len_r - len), st);  // images of a batch start on whole vectors
    for (std::size_t c = 0; c < g.c; ++c)
      for (std::size_t i = 0; i < g.kh; ++i)
        for (std::size_t j = 0; j < g.kw; ++j) off.push_back(std::ptrdiff_t(c * plane + i * wp + j));
    bs = direct::round_up(wp, st);
    front = (g.kh - 1) * bs + g.kw - 1;
    s0 = g.pad * bs + g.pad;
    back_len = (g.h - 1) * bs + g.w;
    back_len_r = direct::round_up(back_len, st);
    gy_stride = std::max(front + (g.ho - 1) * bs + g.wo, s0 + back_len_r + front);
    for (std::size_t i = 0; i < g.kh; ++i)
      for (std::size_t o = 0; o < g.o; ++o)
        for (std::size_t j = 0; j < g.kw; ++j)
          back_off.push_back(std::ptrdiff_t(o * gy_stride + front) - std::ptrdiff_t(i * bs + j));
    const std::size_t row_taps = g.o * g.kw;
    for (std::size_t y = 0; y * bs < back_len_r; ++y) {
      const std::size_t top = y + g.pad;                             // p ≥ 0: i ≤ top
      const std::size_t lo = top + 1 > g.ho ? top + 1 - g.ho : 0;  // p < Ho: i ≥ top − (Ho − 1)
      const std::size_t hi = std::min(g.kh, top + 1);
      back_first.push_back(std::min(lo, g.kh) * row_taps);
      back_end.push_back(std::max(back_first.back(), hi * row_taps));  // empty where lo ≥ hi
    }
  }

  // Where an image x (C, H, W) goes in its zero-bordered buffer of in_size entries.
  Interior input(const Geometry& g) const { return {in_size, plane, g.pad * wp + g.pad, wp, g.c, g.h, g.w}; }
  // Where an output gradient ȳ (O, Ho, Wo) goes as rows of `row` entries, at `at` within channels of
  // `stride`.
  Interior output(const Geometry& g, std::size_t stride, std::size_t at, std::size_t row) const {
    return {g.o * stride, stride, at, row, g.o, g.ho, g.wo};
  }
};

// Stride 1 with few channels: the direct loops (measured on LeNet-5's layers, conv_direct.hpp).
// Larger layers keep im2col and BLAS, whose products grow with them; the bound also keeps the
// weight adjoint's partial sums (O·K vectors per worker, 2 MiB at most in double) bounded.
inline bool use_direct(const Geometry& g) { return g.stride == 1 && g.patch() <= 1024 && g.o <= 64; }

// W (O, C, kh, kw) rearranged as (C, kh, O, kw): the weights of the input adjoint's correlation,
// its taps in the order (i, o, j) of Flat::back_off.
template <class T>
std::vector<T> transpose_channels(const T* w, const Geometry& g) {
  std::vector<T> out(g.c * g.kh * g.o * g.kw);
  for (std::size_t o = 0; o < g.o; ++o)
    for (std::size_t c = 0; c < g.c; ++c)
      for (std::size_t i = 0; i < g.kh; ++i)
        std::copy(w + ((o * g.c + c) * g.kh + i) * g.kw, w + ((o * g.c + c) * g.kh + i + 1) * g.kw,
                  out.data() + ((c * g.kh + i) * g.o + o) * g.kw);
  return out;
}

// W (O, K) as (K, O): the weights of correlate_rows, a vector of output channels per tap.
template <class T>
std::vector<T> taps_by_channel(const T* w, std::size_t O, std::size_t K) {
  std::vector<T> out(K * O);
  for (std::size_t o = 0; o < O; ++o)
    for (std::size_t k = 0; k < K; ++k) out[k * O + o] = w[o * K + k];
  return out;
}

template <class T>
Dual<T> forward_direct(const Dual<T>& x, const Dual<T>& w, const Dual<T>* b, const Geometry& g) {
  const Flat f(g);
  const std::size_t K = g.patch(), O = g.o, P = g.pixels();
  Dual<T> y{empty_tensor<T>(Shape{g.n, g.o, g.ho, g.wo})};
  const bool bias_t = b && b->t;
  if (x.t || w.t || bias_t) y.t = empty_tensor<T>(y.v.shape());
  // Where the output channels fill whole vectors, correlate_rows writes the output rows directly;
  // elsewhere correlate computes wide rows, narrowed into y. Either way y = Σ + bias (or + 0), the
  // same bits.
  const bool rows = direct::rows_apply<T>(O, g.kw);
  std::vector<std::ptrdiff_t> row_off;
  for (std::size_t c = 0; c < g.c; ++c)
    for (std::size_t i = 0; i < g.kh; ++i) row_off.push_back(std::ptrdiff_t(c * f.plane + i * f.wp));
  const direct::RowGeometry rg{O, g.c * g.kh, g.kw, g.ho, g.wo, f.wp, row_off.data()};
  const std::vector<T> wt = rows ? taps_by_channel(w.v.data(), O, K) : std::vector<T>();
  const std::vector<T> wtt = rows && w.t ? taps_by_channel(w.t->data(), O, K) : std::vector<T>();
  // out = Ẇ·x or W·x (+)…: into `wide`, or straight into the image's output with correlate_rows
  auto correlate = [&](bool tangent_weights, const T* src, T* wide, T* out, bool accumulate) {
    if (rows)
      direct::correlate_rows(rg, (tangent_weights ? wtt : wt).data(), src, out, accumulate);
    else
      direct::correlate(O, K, tangent_weights ? w.t->data() : w.v.data(), K, f.off.data(), src, wide, f.len_r, f.len_r,
                        accumulate);
  };
  // y[o, p, q] = wide[o, p·wp + q] + bias[o], or y[o, p, q] += bias[o] where correlate_rows wrote y
  auto finish = [&](const T* wide, const T* bias, T* out) {
    if (rows)
      direct::add_bias(O, P, bias, out);
    else
      direct::narrow_rows(O, g.ho, g.wo, wide, f.len_r, f.wp, bias, out);
  };
  // Without padding, correlate_rows reads the image itself: its taps of the output pixels lie
  // inside the image (the wide rows of correlate read past it, into the padded buffer's slack).
  const bool in_place = rows && g.pad == 0;
  parallel_blocks(g.n, min_images(g), [&](std::size_t begin, std::size_t end, std::size_t) {
    thread_local Bordered<T> xp, xtp;
    thread_local LineVector<T> wide;
    if (!rows) wide.resize(O * f.len_r);
    auto input = [&](const T* images, std::size_t n, Bordered<T>& buf) -> const T* {
      if (in_place) return images + n * g.image();
      return buf.place(f.input(g), images + n * g.image(), 1);
    };
    for (std::size_t n = begin; n < end; ++n) {
      T* yn = y.v.data() + n * g.out_image();
      const T* xn = input(x.v.data(), n, xp);
      correlate(false, xn, wide.data(), yn, false);
      finish(wide.data(), b ? b->v.data() : nullptr, yn);
      if (!y.t) continue;
      T* ytn = y.t->data() + n * g.out_image();
      bool acc = false;
      if (w.t) {  // Ẇ·x
        correlate(true, xn, wide.data(), ytn, false);
        acc = true;
      }
      if (x.t) {  // + W·ẋ
        correlate(false, input(x.t->data(), n, xtp), wide.data(), ytn, acc);
        acc = true;
      }
      if (!acc) std::fill(rows ? ytn : wide.data(), rows ? ytn + g.out_image() : wide.data() + wide.size(), T(0));
      finish(wide.data(), bias_t ? b->t->data() : nullptr, ytn);  // + ḃ
    }
  });
  return y;
}

template <class T>
Dual<T> input_adjoint_direct(const Dual<T>& gy, const Dual<T>& w, const Geometry& g) {
  const Flat f(g);
  const std::size_t R = g.o * g.kh * g.kw, C = g.c;  // taps (i, o, j) per input channel
  Dual<T> gx{empty_tensor<T>(Shape{g.n, g.c, g.h, g.w})};
  if (gy.t || w.t) gx.t = empty_tensor<T>(gx.v.shape());
  const std::vector<T> wt = transpose_channels(w.v.data(), g);
  const std::vector<T> wtt = w.t ? transpose_channels(w.t->data(), g) : std::vector<T>();
  // x̄[c, y, x] = wide[c, y·bs + x]
  auto narrow = [&](const T* wide, T* out) {
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t y = 0; y < g.h; ++y)
        copy_row(wide + c * f.back_len_r + y * f.bs, g.w, out + (c * g.h + y) * g.w);
  };
  const direct::TapRows taps{f.bs, f.back_first.data(), f.back_end.data()};
  parallel_blocks(g.n, min_images(g), [&](std::size_t begin, std::size_t end, std::size_t) {
    thread_local Bordered<T> gb, gtb;
    thread_local LineVector<T> wide;
    wide.resize(C * f.back_len_r);
    const Interior wide_gy = f.output(g, f.gy_stride, f.front, f.bs);
    for (std::size_t n = begin; n < end; ++n) {
      const T* src = gb.place(wide_gy, gy.v.data() + n * g.out_image(), 1) + f.s0;
      direct::correlate(C, R, wt.data(), R, f.back_off.data(), src, wide.data(), f.back_len_r, f.back_len_r, false,
                        &taps);
      narrow(wide.data(), gx.v.data() + n * g.image());
      if (!gx.t) continue;
      bool acc = false;
      if (w.t) {  // Ẇᵀ·ȳ
        direct::correlate(C, R, wtt.data(), R, f.back_off.data(), src, wide.data(), f.back_len_r, f.back_len_r,
                          false, &taps);
        acc = true;
      }
      if (gy.t) {  // + Wᵀ·ẏ̄
        const T* tsrc = gtb.place(wide_gy, gy.t->data() + n * g.out_image(), 1) + f.s0;
        direct::correlate(C, R, wt.data(), R, f.back_off.data(), tsrc, wide.data(), f.back_len_r, f.back_len_r, acc,
                          &taps);
      }
      narrow(wide.data(), gx.t->data() + n * g.image());
    }
  });
  return gx;
}

// l[0] = Σ_(i < 2H) l[i], the upper half added onto the lower half, H, H/2, …, 1: a fixed order.
template <class T, std::size_t H>
void fold_halves(T* l) {
  for (std::size_t i = 0; i < H; ++i) l[i] += l[i + H];
  if constexpr (H > 1) fold_halves<T, H / 2>(l);
}

// out[r] = Σ_l lanes[r·n + l] for each of `rows` rows of n per-lane partial sums (n = 2 … 16: the
// lanes of double or float in the SSE2, AVX2 or AVX-512 build),
// folded by halves. n is made a constant for the compiler: with n known only at run time, the
// loops' setup took longer than a chunk's fold needs (LeNet-5's second layer, O·K = 2400 rows).
template <class T>
void fold_lanes(T* lanes, std::size_t rows, std::size_t n, T* out) {
  auto fold = [&]<std::size_t N>() {
    for (std::size_t r = 0; r < rows; ++r) {
      fold_halves<T, N / 2>(lanes + r * N);
      out[r] = lanes[r * N];
    }
  };
  if (n == 2) return fold.template operator()<2>();
  if (n == 4) return fold.template operator()<4>();
  if (n == 8) return fold.template operator()<8>();
  if (n == 16) return fold.template operator()<16>();
  throw Error("conv2d: vectors of " + std::to_string(n) + " lanes");
}

// The kernel keeps per-lane partial sums in registers over a chunk of images (conv_direct.hpp);
// each chunk of parallel_sum starts them at zero and folds them into its slot.
template <class T>
Dual<T> weight_adjoint_direct(const Dual<T>& gy, const Dual<T>& x, const Geometry& g) {
  const std::size_t N = direct::lanes<T>();
  const Flat f(g);
  const std::size_t K = g.patch(), O = g.o, OK = O * K;
  const bool tangent = gy.t || x.t;
  // Images go to the kernel in chunks of about 256 KiB of padded inputs and widened ȳ, so that
  // the partial sums stay in registers over a whole chunk while its data stays in L2.
  const Interior padded_x = f.input(g), wide_gy = f.output(g, f.len_r, 0, f.wp);
  const std::size_t in_len = padded_x.slot, out_len = wide_gy.slot;
  const std::size_t chunk = std::max<std::size_t>(1, (std::size_t(256) << 10) / ((in_len + out_len) * sizeof(T)));
  // A sum's chunk spans at least one of the kernel's, so that folding the lanes stays small
  // beside the work (O·K·n additions against O·K·len multiply-adds per image).
  const std::size_t grain = std::max(min_images(g), chunk);
  const std::vector<T> sum =
      parallel_sum<T>(g.n, grain, (tangent ? 2 : 1) * OK, [&](std::size_t begin, std::size_t end, T* partial) {
        thread_local Bordered<T> xp, xtp, gw, gtw;
        thread_local std::vector<T> lanes, lanes_t;
        lanes.assign(OK * N, T(0));
        if (tangent) lanes_t.assign(OK * N, T(0));
        for (std::size_t n0 = begin; n0 < end; n0 += chunk) {
          const direct::Images im{std::min(chunk, end - n0), out_len, in_len};
          const T* xs = xp.place(padded_x, x.v.data() + n0 * g.image(), im.count);
          const T* gs = gw.place(wide_gy, gy.v.data() + n0 * g.out_image(), im.count);
          direct::correlate_weights(O, K, gs, f.len_r, f.off.data(), xs, f.len_r, im, lanes.data());
          if (gy.t) {  // ẏ̄ ⋆ x
            const T* gts = gtw.place(wide_gy, gy.t->data() + n0 * g.out_image(), im.count);
            direct::correlate_weights(O, K, gts, f.len_r, f.off.data(), xs, f.len_r, im, lanes_t.data());
          }
          if (x.t) {  // + ȳ ⋆ ẋ
            const T* xts = xtp.place(padded_x, x.t->data() + n0 * g.image(), im.count);
            direct::correlate_weights(O, K, gs, f.len_r, f.off.data(), xts, f.len_r, im, lanes_t.data());
          }
        }
        fold_lanes(lanes.data(), OK, N, partial);
        if (tangent) fold_lanes(lanes_t.data(), OK, N, partial + OK);
      });
  auto part = [&](std::size_t k) {
    Tensor<T> out = empty_tensor<T>(Shape{g.o, g.c, g.kh, g.kw});
    std::copy(sum.begin() + std::ptrdiff_t(k * OK), sum.begin() + std::ptrdiff_t((k + 1) * OK), out.data());
    return out;
  };
  Dual<T> out{part(0)};
  if (tangent) out.t = part(1);
  return out;
}


// conv(x, W) (+ b) for x (N, C, H, W), W (O, C, kh, kw), b (O): (N, O, Ho, Wo).
template <class T>
Dual<T> forward(const Dual<T>& x, const Dual<T>& w, const Dual<T>* b, const Geometry& g) {
  if (use_direct(g)) return forward_direct(x, w, b, g);
  const std::size_t K = g.patch(), P = g.pixels(), O = g.o;
  Dual<T> y{empty_tensor<T>(Shape{g.n, g.o, g.ho, g.wo})};
  const bool bias_t = b && b->t;
  if (x.t || w.t || bias_t) y.t = empty_tensor<T>(y.v.shape());
  const T* wv = w.v.data();
  parallel_blocks(g.n, min_images(g), [&](std::size_t begin, std::size_t end, std::size_t) {
    thread_local std::vector<T> cols;
    cols.resize(K * P);
    for (std::size_t n = begin; n < end; ++n) {
      T* yn = y.v.data() + n * g.out_image();
      if (b) fill_rows(yn, b->v.data(), O, P);
      im2col(x.v.data() + n * g.image(), g, cols.data(), P);
      gemm(false, false, O, P, K, T(1), wv, K, cols.data(), P, T(b ? 1 : 0), yn, P);  // W·cols
      if (!y.t) continue;
      T* tn = y.t->data() + n * g.out_image();
      T beta = 0;
      if (bias_t) {
        fill_rows(tn, b->t->data(), O, P);  // ḃ
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
  if (use_direct(g)) return input_adjoint_direct(gy, w, g);
  const std::size_t K = g.patch(), P = g.pixels(), O = g.o;
  Dual<T> gx{empty_tensor<T>(Shape{g.n, g.c, g.h, g.w})};
  if (gy.t || w.t) gx.t = empty_tensor<T>(gx.v.shape());
  parallel_blocks(g.n, min_images(g), [&](std::size_t begin, std::size_t end, std::size_t) {
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
// (the faster orientation in OpenBLAS for these shapes), summed by parallel_sum.
template <class T>
Dual<T> weight_adjoint(const Dual<T>& gy, const Dual<T>& x, const Geometry& g) {
  if (use_direct(g)) return weight_adjoint_direct(gy, x, g);
  const std::size_t K = g.patch(), P = g.pixels(), O = g.o, KO = K * O;
  const bool tangent = gy.t || x.t;
  const std::vector<T> sum = parallel_sum<T>(
      g.n, min_images(g), (tangent ? 2 : 1) * KO, [&](std::size_t begin, std::size_t end, T* acc) {
        thread_local std::vector<T> cols, cols_t;
        cols.resize(K * P);
        if (x.t) cols_t.resize(K * P);
        for (std::size_t n = begin; n < end; ++n) {
          const T* gn = gy.v.data() + n * g.out_image();
          im2col(x.v.data() + n * g.image(), g, cols.data(), P);
          weight_adjoint_t(K, O, P, cols.data(), gn, acc);  // cols·ȳ_nᵀ
          if (gy.t)
            weight_adjoint_t(K, O, P, cols.data(), gy.t->data() + n * g.out_image(), acc + KO);  // cols(x)·ẏ̄_nᵀ
          if (x.t) {
            im2col(x.t->data() + n * g.image(), g, cols_t.data(), P);
            weight_adjoint_t(K, O, P, cols_t.data(), gn, acc + KO);  // + cols(ẋ)·ȳ_nᵀ
          }
        }
      });
  auto transposed = [&](std::size_t k) {
    Tensor<T> out = empty_tensor<T>(Shape{g.o, g.c, g.kh, g.kw});
    const T* part = sum.data() + k * KO;
    for (std::size_t r = 0; r < K; ++r)
      for (std::size_t o = 0; o < O; ++o) out.data()[o * K + r] = part[r * O + o];
    return out;
  };
  Dual<T> gw{transposed(0)};
  if (tangent) gw.t = transposed(1);
  return gw;
}

}  // namespace saddle::nn::conv
