// The rules derived by hand — the fused softmax cross-entropy's (softmax(z) − onehot(t))/N and
// conv2d's Ȳ·colsᵀ and col2im(Wᵀ·Ȳ) — held against the same functions composed from primitive tape
// ops, whose derivatives the engine's generic rules give: values, gradients and Hessian-vector
// products (forward-over-reverse through each VJP's tangent) agree to ~1e-10, in double.
#include <doctest/doctest.h>

#include <cmath>

#include "saddle/nn.hpp"

using namespace saddle;
using namespace saddle::nn;

namespace {

using Fn = std::function<Var<double>(const std::vector<Var<double>>&)>;

double rel_diff(const TensorList<double>& a, const TensorList<double>& b) {
  double diff = 0, scale = 1e-300;
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    REQUIRE(a[k].shape() == b[k].shape());
    for (std::size_t i = 0; i < a[k].size(); ++i) {
      diff = std::max(diff, std::abs(a[k].data()[i] - b[k].data()[i]));
      scale = std::max(scale, std::abs(b[k].data()[i]));
    }
  }
  return diff / scale;
}

TensorList<double> random_list(const std::vector<Shape>& shapes, init::Rng& rng) {
  TensorList<double> out;
  for (const auto& s : shapes) out.push_back(init::normal<double>(s, 0, 1, rng));
  return out;
}

// f and g agree in value, gradient and Hessian-vector product at θ along v.
void check_same_derivatives(const Fn& registered, const Fn& composed, const TensorList<double>& theta,
                            const TensorList<double>& v) {
  const HvpResult<double> a = value_grad_hvp(registered, theta, v);
  const HvpResult<double> b = value_grad_hvp(composed, theta, v);
  CHECK(a.value == doctest::Approx(b.value).epsilon(1e-12));
  CHECK(rel_diff(a.grad, b.grad) < 1e-10);
  CHECK(rel_diff(a.hvp, b.hvp) < 1e-10);
  double hv_norm = 0;
  for (const auto& t : a.hvp)
    for (double e : t) hv_norm += e * e;
  CHECK(hv_norm > 1e-6);  // the comparison is not of two zeros
}

// ---- softmax cross-entropy composed from primitive ops -----------------------------------------


Var<double> ce_by_log_softmax(const Var<double>& z, const std::vector<Label>& t) {
  return -mean(pick(log_softmax(z, 1), t));
}
Var<double> ce_by_exp_sum_log(const Var<double>& z, const std::vector<Label>& t) {
  return mean(log(sum(exp(z), 1)) - pick(z, t));
}

// ---- conv2d composed from primitive ops: im2col by gather, then matmul ------------------------
// patches[(n,p,q), (c,i,j)] = x[n, c, p·s − pad + i, q·s − pad + j], read with `gather` from x
// flattened into one column with a zero appended (the index of every padding position).
Var<double> conv_by_gather(const Var<double>& x, const Var<double>& w, const Var<double>& b, std::size_t s,
                           std::size_t pad) {
  const Shape sx = x.shape(), sw = w.shape();
  const std::size_t N = sx[0], C = sx[1], H = sx[2], W = sx[3], O = sw[0], kh = sw[2], kw = sw[3];
  const std::size_t Ho = (H + 2 * pad - kh) / s + 1, Wo = (W + 2 * pad - kw) / s + 1, K = C * kh * kw;
  const std::size_t zero = N * C * H * W;
  const Var<double> column =
      concat(std::vector{reshape(x, {zero, 1}), Var<double>(zeros_tensor<double>(Shape{1, 1}))}, 0);
  std::vector<std::size_t> index;
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t p = 0; p < Ho; ++p)
      for (std::size_t q = 0; q < Wo; ++q)
        for (std::size_t c = 0; c < C; ++c)
          for (std::size_t i = 0; i < kh; ++i)
            for (std::size_t j = 0; j < kw; ++j) {
              const long y = long(p * s + i) - long(pad), xx = long(q * s + j) - long(pad);
              const bool inside = y >= 0 && y < long(H) && xx >= 0 && xx < long(W);
              index.push_back(inside ? ((n * C + c) * H + std::size_t(y)) * W + std::size_t(xx) : zero);
            }
  const Var<double> patches = reshape(gather(column, index), {N * Ho * Wo, K});
  const Var<double> rows = matmul(patches, transpose(reshape(w, {O, K}))) + b;  // (N·P, O)
  std::vector<std::size_t> to_nchw;                                             // (n, p, o) → (n, o, p)
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t o = 0; o < O; ++o)
      for (std::size_t p = 0; p < Ho * Wo; ++p) to_nchw.push_back((n * Ho * Wo + p) * O + o);
  return reshape(gather(reshape(rows, {N * Ho * Wo * O, 1}), to_nchw), {N, O, Ho, Wo});
}

}  // namespace

TEST_CASE("fused softmax cross-entropy: value, gradient and HVP equal those of its compositions") {
  init::Rng rng(5);
  struct Case {
    std::size_t n, c;
  };
  for (const Case k : {Case{1, 2}, Case{4, 3}, Case{7, 10}, Case{16, 5}}) {
    CAPTURE(k.n);
    CAPTURE(k.c);
    std::vector<Label> t;
    for (std::size_t i = 0; i < k.n; ++i) t.push_back(int((i * 7 + 3) % k.c));
    // Logits from a nonlinear map of parameters, and the loss scaled by a function of another
    // parameter, so the loss's incoming adjoint carries a tangent too.
    const TensorList<double> theta = random_list({{k.n, k.c}, {k.c, k.c}, {3}}, rng);
    const TensorList<double> v = random_list({{k.n, k.c}, {k.c, k.c}, {3}}, rng);
    auto make = [&](auto loss) -> Fn {
      return [=](const std::vector<Var<double>>& p) {
        const Var<double> z = 3.0 * tanh(matmul(p[0], p[1]));
        return loss(z, t) * (1.0 + sum(square(p[2])));
      };
    };
    const Fn fused = make([](const Var<double>& z, const std::vector<Label>& t) { return softmax_cross_entropy(z, t); });
    check_same_derivatives(fused, make(ce_by_log_softmax), theta, v);
    check_same_derivatives(fused, make(ce_by_exp_sum_log), theta, v);
    // and directly in the logits, where the Hessian is (diag(p) − ppᵀ)/N row by row
    const Fn direct = [&](const std::vector<Var<double>>& p) { return softmax_cross_entropy(p[0], t); };
    const Fn direct_composed = [&](const std::vector<Var<double>>& p) { return ce_by_log_softmax(p[0], t); };
    check_same_derivatives(direct, direct_composed, {theta[0]}, {v[0]});
  }
}

TEST_CASE("conv2d's registered rule: value, gradient and HVP equal those of im2col by gather + matmul") {
  init::Rng rng(9);
  struct Case {
    Shape x, w;
  };
  const std::vector<Case> shapes = {
      {{2, 1, 6, 6}, {3, 1, 3, 3}},
      {{1, 3, 7, 5}, {2, 3, 3, 3}},
      {{3, 2, 8, 8}, {4, 2, 5, 5}},
      {{2, 2, 5, 6}, {3, 2, 2, 3}},
      {{2, 4, 6, 6}, {8, 4, 3, 3}},  // K·O = 288: the weight adjoint by GEMM rather than per-channel GEMV
  };
  for (const auto& c : shapes)
    for (std::size_t s : {1, 2})
      for (std::size_t pad : {0, 1, 2}) {
        CAPTURE(shape_str(c.x));
        CAPTURE(shape_str(c.w));
        CAPTURE(s);
        CAPTURE(pad);
        if (c.x[2] + 2 * pad < c.w[2] || c.x[3] + 2 * pad < c.w[3]) continue;
        const Shape b{c.w[0]};
        const TensorList<double> theta = random_list({c.x, c.w, b}, rng);
        const TensorList<double> v = random_list({c.x, c.w, b}, rng);
        // A nonlinear readout, so that second derivatives in x, w and b all meet.
        const Var<double> out_weights(init::normal<double>(
            to_shape(
                conv2d(Var<double>(theta[0]), Var<double>(theta[1]), Var<double>(theta[2]), s, pad).value().shape()),
            0, 1, rng));
        auto readout = [out_weights](const Var<double>& y) { return sum(out_weights * tanh(y)); };
        const Fn registered = [&](const std::vector<Var<double>>& p) {
          return readout(conv2d(p[0], p[1], p[2], s, pad));
        };
        const Fn composed = [&](const std::vector<Var<double>>& p) {
          return readout(conv_by_gather(p[0], p[1], p[2], s, pad));
        };
        check_same_derivatives(registered, composed, theta, v);
        // with the input as data (no tangent, no adjoint), as for a first layer
        const Fn registered_w = [&](const std::vector<Var<double>>& p) {
          return readout(conv2d(Var<double>(theta[0]), p[0], p[1], s, pad));
        };
        const Fn composed_w = [&](const std::vector<Var<double>>& p) {
          return readout(conv_by_gather(Var<double>(theta[0]), p[0], p[1], s, pad));
        };
        check_same_derivatives(registered_w, composed_w, {theta[1], theta[2]}, {v[1], v[2]});
      }
}

TEST_CASE("conv2d's rule holds on a batch large enough to be split across threads") {
  init::Rng rng(17);
  const Shape sx{96, 3, 16, 16}, sw{8, 3, 3, 3}, sb{8};
  const TensorList<double> theta = random_list({sx, sw, sb}, rng), v = random_list({sx, sw, sb}, rng);
  const Var<double> c(init::normal<double>({96, 8, 16, 16}, 0, 1, rng));  // ~55k multiply-adds per image
  const Fn registered = [&](const std::vector<Var<double>>& p) {
    return sum(c * tanh(conv2d(p[0], p[1], p[2], 1, 1)));
  };
  const Fn composed = [&](const std::vector<Var<double>>& p) {
    return sum(c * tanh(conv_by_gather(p[0], p[1], p[2], 1, 1)));
  };
  check_same_derivatives(registered, composed, theta, v);
}

TEST_CASE("conv2d's stride-1 direct loops: every block shape of the kernels, and C = 1, against the composition") {
  // Filter counts 7, 13 and 9 leave 1 and 3 rows after blocks of 6 (forward) and 3 and 1 after
  // blocks of 4 (weight adjoint); 25, 8, 75, 4, 5 and 1 taps leave every remainder after the
  // weight adjoint's blocks of 3 (SSE2, AVX2) and 6 (AVX-512); 1 input channel is a first layer's;
  // widths give wide rows ending on a single vector or two.
  init::Rng rng(19);
  struct Case {
    Shape x, w;
    std::size_t pad;
  };
  const std::vector<Case> shapes = {
      {{2, 1, 12, 12}, {6, 1, 5, 5}, 2},  // LeNet-5's first layer, smaller
      {{2, 2, 7, 9}, {7, 2, 3, 3}, 1},    {{1, 2, 9, 11}, {13, 2, 3, 3}, 0},
      {{2, 2, 6, 7}, {5, 2, 2, 2}, 0},    {{2, 1, 5, 9}, {3, 1, 1, 1}, 1},
      {{2, 3, 10, 10}, {2, 3, 5, 5}, 2},  {{2, 1, 8, 9}, {4, 1, 2, 2}, 1},
      {{3, 5, 6, 6}, {9, 5, 1, 1}, 0},
  };
  for (const auto& c : shapes) {
    CAPTURE(shape_str(c.x));
    CAPTURE(shape_str(c.w));
    CAPTURE(c.pad);
    const Shape b{c.w[0]};
    const TensorList<double> theta = random_list({c.x, c.w, b}, rng), v = random_list({c.x, c.w, b}, rng);
    const Var<double> out_weights(init::normal<double>(
        to_shape(conv2d(Var<double>(theta[0]), Var<double>(theta[1]), Var<double>(theta[2]), 1, c.pad).value().shape()),
        0, 1, rng));
    const Fn registered = [&](const std::vector<Var<double>>& p) {
      return sum(out_weights * tanh(conv2d(p[0], p[1], p[2], 1, c.pad)));
    };
    const Fn composed = [&](const std::vector<Var<double>>& p) {
      return sum(out_weights * tanh(conv_by_gather(p[0], p[1], p[2], 1, c.pad)));
    };
    check_same_derivatives(registered, composed, theta, v);
  }
}

TEST_CASE("conv2d in float: value, gradient and HVP agree with double on LeNet-5's layers, one image and many") {
  // One image runs on the calling thread, 64 are split across the workers.
  init::Rng rng(23);
  struct Case {
    Shape x, w;
    std::size_t pad;
  };
  for (const Case& c : {Case{{1, 1, 28, 28}, {6, 1, 5, 5}, 2}, Case{{64, 1, 28, 28}, {6, 1, 5, 5}, 2},
                       Case{{1, 6, 14, 14}, {16, 6, 5, 5}, 0}, Case{{64, 6, 14, 14}, {16, 6, 5, 5}, 0}}) {
    CAPTURE(shape_str(c.x));
    const Shape b{c.w[0]};
    const TensorList<double> theta = random_list({c.x, c.w, b}, rng), v = random_list({c.x, c.w, b}, rng);
    const Tensor<double> out_weights = init::normal<double>(
        to_shape(conv2d(Var<double>(theta[0]), Var<double>(theta[1]), Var<double>(theta[2]), 1, c.pad).value().shape()),
        0, 0.1, rng);
    auto to_float = [](const TensorList<double>& l) {
      TensorList<float> out;
      for (const auto& t : l) out.push_back(xt::cast<float>(t));
      return out;
    };
    const auto fd = [&](const std::vector<Var<double>>& p) {
      return sum(Var<double>(out_weights) * tanh(0.1 * conv2d(p[0], p[1], p[2], 1, c.pad)));
    };
    const Tensor<float> out_weights_f = xt::cast<float>(out_weights);
    const auto ff = [&](const std::vector<Var<float>>& p) {
      return sum(Var<float>(out_weights_f) * tanh(0.1f * conv2d(p[0], p[1], p[2], 1, c.pad)));
    };
    const HvpResult<double> d = value_grad_hvp(fd, theta, v);
    const HvpResult<float> f = value_grad_hvp(ff, to_float(theta), to_float(v));
    auto to_double = [](const TensorList<float>& l) {
      TensorList<double> out;
      for (const auto& t : l) out.push_back(xt::cast<double>(t));
      return out;
    };
    CHECK(double(f.value) == doctest::Approx(d.value).epsilon(1e-4));
    CHECK(rel_diff(to_double(f.grad), d.grad) < 1e-4);
    CHECK(rel_diff(to_double(f.hvp), d.hvp) < 1e-4);
  }
}

TEST_CASE("max_pool2d and the Linear op agree with their compositions in gradient and HVP") {
  init::Rng rng(21);
  // max over 2×2 windows = the engine's max along an axis of the gathered windows
  const Shape sx{2, 3, 4, 6};
  const TensorList<double> theta = random_list({sx}, rng), v = random_list({sx}, rng);
  const Var<double> c(init::normal<double>({2, 3, 2, 3}, 0, 1, rng));
  const Fn registered = [&](const std::vector<Var<double>>& p) { return sum(c * square(max_pool2d(p[0], 2))); };
  const Fn composed = [&](const std::vector<Var<double>>& p) {
    std::vector<std::size_t> index;  // rows (n, ch, py, px, i, j) of x flattened to a column
    for (std::size_t n = 0; n < 2; ++n)
      for (std::size_t ch = 0; ch < 3; ++ch)
        for (std::size_t py = 0; py < 2; ++py)
          for (std::size_t px = 0; px < 3; ++px)
            for (std::size_t i = 0; i < 2; ++i)
              for (std::size_t j = 0; j < 2; ++j) index.push_back(((n * 3 + ch) * 4 + py * 2 + i) * 6 + px * 2 + j);
    const Var<double> windows = reshape(gather(reshape(p[0], {144, 1}), index), {36, 4});
    return sum(c * square(reshape(max(windows, 1), {2, 3, 2, 3})));
  };
  check_same_derivatives(registered, composed, theta, v);

  const TensorList<double> lin = random_list({{5, 4}, {3, 4}, {3}}, rng), lv = random_list({{5, 4}, {3, 4}, {3}}, rng);
  const Fn fused = [](const std::vector<Var<double>>& p) { return sum(tanh(linear(p[0], p[1], p[2]))); };
  const Fn plain = [](const std::vector<Var<double>>& p) { return sum(tanh(matmul(p[0], transpose(p[1])) + p[2])); };
  check_same_derivatives(fused, plain, lin, lv);
}
