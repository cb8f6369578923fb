// Specification of the nn ops and layers: each one through the generic harness (gradient, HVP,
// symmetry, tangent, float against double), its values against the definitions written as plain
// loops, and its errors naming the layer and the shapes.
#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "saddle/nn.hpp"
#include "tests/autodiff/op_harness.hpp"

using namespace saddle;
using namespace saddle::nn;
using saddle::testing::Domain;
using saddle::testing::op_case;

namespace {

template <class X>
using ValueOf = typename std::decay_t<X>::value_type;

// A fixed input for module cases, the same for float and double.
template <class T>
Var<T> fixed_input(const Shape& s, std::uint64_t seed) {
  init::Rng rng(seed);
  return Var<T>(init::normal<T>(s, 0, 1, rng));
}

const std::vector<saddle::testing::OpCase>& cases() {
  static const std::vector<saddle::testing::OpCase> all = {
      // linear
      op_case("linear", {{3, 4}, {5, 4}, {5}}, Domain::any, [](const auto& x) { return linear(x[0], x[1], x[2]); }),
      op_case("linear without bias", {{2, 3}, {4, 3}}, Domain::any, [](const auto& x) { return linear(x[0], x[1]); }),
      // convolution: strides, paddings, rectangular kernels
      op_case("conv2d stride 1 padding 0", {{2, 2, 5, 5}, {3, 2, 3, 3}, {3}}, Domain::any,
              [](const auto& x) { return conv2d(x[0], x[1], x[2], 1, 0); }),
      op_case("conv2d stride 1 padding 1", {{1, 2, 4, 5}, {2, 2, 3, 3}, {2}}, Domain::any,
              [](const auto& x) { return conv2d(x[0], x[1], x[2], 1, 1); }),
      op_case("conv2d stride 2 padding 1, 3×2 kernel", {{2, 2, 6, 5}, {3, 2, 3, 2}, {3}}, Domain::any,
              [](const auto& x) { return conv2d(x[0], x[1], x[2], 2, 1); }),
      op_case("conv2d stride 2 padding 2", {{2, 1, 7, 7}, {2, 1, 3, 3}, {2}}, Domain::any,
              [](const auto& x) { return conv2d(x[0], x[1], x[2], 2, 2); }),
      op_case("conv2d kernel wider than input, padding 2, no bias", {{1, 3, 4, 4}, {2, 3, 5, 5}}, Domain::any,
              [](const auto& x) { return conv2d(x[0], x[1], 1, 2); }),
      op_case("conv2d stride 3", {{1, 2, 8, 7}, {2, 2, 2, 2}, {2}}, Domain::any,
              [](const auto& x) { return conv2d(x[0], x[1], x[2], 3, 0); }),
      // pooling
      op_case("max_pool2d 2", {{2, 3, 4, 6}}, Domain::any, [](const auto& x) { return max_pool2d(x[0], 2); }),
      op_case("max_pool2d 3 stride 2", {{1, 2, 7, 7}}, Domain::any,
              [](const auto& x) { return max_pool2d(x[0], 3, 2); }),
      op_case("max_pool2d 2 stride 1 (overlapping)", {{1, 2, 4, 4}}, Domain::any,
              [](const auto& x) { return max_pool2d(x[0], 2, 1); }),
      op_case("max_pool2d 2 of odd size", {{2, 1, 5, 5}}, Domain::any,
              [](const auto& x) { return max_pool2d(x[0], 2); }),
      op_case("avg_pool2d 2", {{2, 3, 4, 4}}, Domain::any, [](const auto& x) { return avg_pool2d(x[0], 2); }),
      op_case("avg_pool2d 3 stride 2", {{1, 2, 7, 6}}, Domain::any,
              [](const auto& x) { return avg_pool2d(x[0], 3, 2); }),
      // dropout with a fixed mask
      op_case("apply_mask", {{3, 4}}, Domain::any,
              [](const auto& x) {
                using T = ValueOf<decltype(x[0])>;
                Tensor<T> m = {{2, 0, 2, 2}, {0, 0, 2, 0}, {2, 2, 2, 0}};
                return apply_mask(x[0], m);
              }),
      // losses
      op_case("softmax_cross_entropy", {{4, 5}}, Domain::any,
              [](const auto& x) {
                return softmax_cross_entropy(x[0], std::vector<Label>{0, 4, 2, 2});
              }),
      op_case("nll_loss of log_softmax", {{3, 4}}, Domain::any,
              [](const auto& x) {
                return nll_loss(log_softmax(x[0], 1), std::vector<Label>{3, 0, 1});
              }),
      op_case("mse_loss", {{3, 4}, {3, 4}}, Domain::any, [](const auto& x) { return mse_loss(x[0], x[1]); }),
      op_case("l2_penalty", {{2, 3}, {4}}, Domain::any,
              [](const auto& x) {
                return l2_penalty(std::vector{x[0], x[1]}, 0.3);
              }),
      // modules, called with their parameters as the inputs
      op_case("Linear module", {{3, 5}, {3}}, Domain::any,
              [](const auto& p) {
                using T = ValueOf<decltype(p[0])>;
                init::Rng rng(1);
                Linear<T> layer(5, 3, rng);
                ParameterSwap<T> swap(layer, p);
                return layer(fixed_input<T>({2, 5}, 11));
              }),
      op_case("Conv2d module, stride 2, padding 1", {{4, 2, 3, 3}, {4}}, Domain::any,
              [](const auto& p) {
                using T = ValueOf<decltype(p[0])>;
                init::Rng rng(1);
                Conv2d<T> layer(2, 4, 3, rng, 2, 1);
                ParameterSwap<T> swap(layer, p);
                return layer(fixed_input<T>({2, 2, 6, 6}, 12));
              }),
      op_case("conv, relu, max-pool, flatten, linear", {{3, 1, 3, 3}, {3}, {2, 12}, {2}}, Domain::any,
              [](const auto& p) {
                using T = ValueOf<decltype(p[0])>;
                init::Rng rng(1);
                Sequential<T> net;
                net.add(std::make_shared<Conv2d<T>>(1, 3, 3, rng, 1, 1))
                    .add(std::make_shared<ReLU<T>>())
                    .add(std::make_shared<MaxPool2d<T>>(2))
                    .add(std::make_shared<Flatten<T>>())
                    .add(std::make_shared<Linear<T>>(12, 2, rng));
                ParameterSwap<T> swap(net, p);
                return net(fixed_input<T>({2, 1, 4, 4}, 13));
              }),
      op_case("Tanh, Sigmoid, AvgPool2d modules", {{2, 1, 4, 4}}, Domain::any,
              [](const auto& x) {
                using T = ValueOf<decltype(x[0])>;
                Sequential<T> net;
                net.add(std::make_shared<Tanh<T>>())
                    .add(std::make_shared<AvgPool2d<T>>(2))
                    .add(std::make_shared<Sigmoid<T>>());
                return net(x[0]);
              }),
  };
  return all;
}

// conv2d by its definition: y[n,o,p,q] = b[o] + Σ_(c,i,j) w[o,c,i,j]·x[n, c, p·s − pad + i, q·s − pad + j].
Tensor<double> conv_by_definition(const Tensor<double>& x, const Tensor<double>& w, const Tensor<double>& b,
                                  std::size_t s, std::size_t pad) {
  const std::size_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const std::size_t O = w.shape()[0], kh = w.shape()[2], kw = w.shape()[3];
  const std::size_t Ho = (H + 2 * pad - kh) / s + 1, Wo = (W + 2 * pad - kw) / s + 1;
  Tensor<double> y = zeros_tensor<double>(Shape{N, O, Ho, Wo});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t o = 0; o < O; ++o)
      for (std::size_t p = 0; p < Ho; ++p)
        for (std::size_t q = 0; q < Wo; ++q) {
          double acc = b(o);
          for (std::size_t c = 0; c < C; ++c)
            for (std::size_t i = 0; i < kh; ++i)
              for (std::size_t j = 0; j < kw; ++j) {
                const long yy = long(p * s + i) - long(pad), xx = long(q * s + j) - long(pad);
                if (yy >= 0 && yy < long(H) && xx >= 0 && xx < long(W)) acc += w(o, c, i, j) * x(n, c, yy, xx);
              }
          y(n, o, p, q) = acc;
        }
  return y;
}

double max_abs_diff(const Tensor<double>& a, const Tensor<double>& b) {
  REQUIRE(a.shape() == b.shape());
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
  return m;
}

}  // namespace

TEST_CASE(
    "every nn op and layer: gradient, Hessian-vector product, symmetry and tangent agree with finite differences") {
  for (const auto& c : cases()) {
    SUBCASE(c.name.c_str()) { saddle::testing::check_op(c); }
  }
}

TEST_CASE("conv2d computes the cross-correlation of its definition for every stride and padding") {
  init::Rng rng(3);
  for (std::size_t s : {1, 2, 3})
    for (std::size_t pad : {0, 1, 2}) {
      CAPTURE(s);
      CAPTURE(pad);
      const Tensor<double> x = init::normal<double>({2, 3, 9, 8}, 0, 1, rng);
      const Tensor<double> w = init::normal<double>({4, 3, 3, 4}, 0, 1, rng);
      const Tensor<double> b = init::normal<double>({4}, 0, 1, rng);
      const Tensor<double> y = conv2d(Var<double>(x), Var<double>(w), Var<double>(b), s, pad).value();
      CHECK(max_abs_diff(y, conv_by_definition(x, w, b, s, pad)) < 1e-12);
    }
}

TEST_CASE("conv2d in float agrees with the definition in double, on rows wide enough for vector copies") {
  init::Rng rng(4);
  for (std::size_t pad : {0, 1, 2}) {
    CAPTURE(pad);
    const Tensor<double> x = init::normal<double>({3, 2, 21, 19}, 0, 1, rng);
    const Tensor<double> w = init::normal<double>({5, 2, 3, 5}, 0, 1, rng);
    const Tensor<double> b = init::normal<double>({5}, 0, 1, rng);
    const Tensor<float> y =
        conv2d(Var<float>(xt::cast<float>(x)), Var<float>(xt::cast<float>(w)), Var<float>(xt::cast<float>(b)), 1, pad)
            .value();
    CHECK(max_abs_diff(xt::cast<double>(y), conv_by_definition(x, w, b, 1, pad)) < 1e-4);
  }
}

TEST_CASE("conv2d's row-wise path (output channels that fill whole vectors) and its tangent, padded or not") {
  // 16 output channels fill the vectors of every build (2 to 16 lanes); kernels 3 and 5 wide. The
  // tangent of a bilinear map is exact: ẏ = conv(ẋ, W) + conv(x, Ẇ) + ḃ.
  init::Rng rng(5);
  for (std::size_t k : {3, 5})
    for (std::size_t pad : {0, 1, 2}) {
      CAPTURE(k);
      CAPTURE(pad);
      const Tensor<double> x = init::normal<double>({3, 2, 12, 11}, 0, 1, rng);
      const Tensor<double> w = init::normal<double>({16, 2, k, k}, 0, 1, rng);
      const Tensor<double> b = init::normal<double>({16}, 0, 1, rng);
      const Tensor<double> dx = init::normal<double>({3, 2, 12, 11}, 0, 1, rng);
      const Tensor<double> dw = init::normal<double>({16, 2, k, k}, 0, 1, rng);
      const Tensor<double> db = init::normal<double>({16}, 0, 1, rng);
      const Var<double> y = conv2d(Var<double>(x, dx, false), Var<double>(w, dw, false), Var<double>(b, db, false), 1, pad);
      CHECK(max_abs_diff(y.value(), conv_by_definition(x, w, b, 1, pad)) < 1e-12);
      const Tensor<double> dy =
          conv_by_definition(dx, w, db, 1, pad) + conv_by_definition(x, dw, xt::zeros<double>({16}), 1, pad);
      REQUIRE(y.tangent());
      CHECK(max_abs_diff(*y.tangent(), dy) < 1e-12);
    }
}

TEST_CASE("conv2d's adjoints pass the dot-product test against the definition while layers take turns") {
  // The direct loops keep each thread's zero-bordered buffers from call to call, one per layout
  // (a few); six geometries in turn, twice, reuse and replace them. For y = conv(x, W):
  // ⟨ȳ, conv(ẋ, W)⟩ = ⟨x̄, ẋ⟩ and ⟨ȳ, conv(x, Ẇ)⟩ = ⟨W̄, Ẇ⟩, with x̄, W̄ the VJPs of ȳ.
  struct Layer {
    std::size_t n, c, h, w, o, k, pad;
  };
  const std::vector<Layer> layers{{5, 1, 28, 28, 6, 5, 2}, {5, 6, 14, 14, 16, 5, 0}, {4, 1, 28, 28, 8, 3, 1},
                                  {4, 8, 14, 14, 8, 3, 1}, {3, 2, 9, 13, 7, 3, 2},   {6, 3, 7, 7, 16, 3, 0}};
  std::vector<std::array<Tensor<double>, 2>> first;  // each layer's x̄ and W̄ in the first round
  for (int round = 0; round < 2; ++round)
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const Layer& g = layers[l];
      CAPTURE(l);
      init::Rng data(l);  // the same data in both rounds
      const Tensor<double> x = init::normal<double>({g.n, g.c, g.h, g.w}, 0, 1, data);
      const Tensor<double> w = init::normal<double>({g.o, g.c, g.k, g.k}, 0, 1, data);
      const Tensor<double> b = init::normal<double>({g.o}, 0, 1, data);
      const Tensor<double> dx = init::normal<double>({g.n, g.c, g.h, g.w}, 0, 1, data);
      const Tensor<double> dw = init::normal<double>({g.o, g.c, g.k, g.k}, 0, 1, data);
      const Tensor<double> zero_b = zeros_tensor<double>(Shape{g.o});
      const Tensor<double> ybar = init::normal<double>(to_shape(conv_by_definition(x, w, b, 1, g.pad).shape()), 0, 1, data);
      Var<double> xv(x, true), wv(w, true);
      sum(conv2d(xv, wv, Var<double>(b), 1, g.pad) * Var<double>(ybar)).backward();
      const double by_x = xt::sum(ybar * conv_by_definition(dx, w, zero_b, 1, g.pad))();
      const double by_w = xt::sum(ybar * conv_by_definition(x, dw, zero_b, 1, g.pad))();
      CHECK(std::abs(xt::sum(xv.grad() * dx)() - by_x) < 1e-10 * (1 + std::abs(by_x)));
      CHECK(std::abs(xt::sum(wv.grad() * dw)() - by_w) < 1e-10 * (1 + std::abs(by_w)));
      if (round == 0) {
        first.push_back({xv.grad(), wv.grad()});
        continue;
      }
      CHECK(xv.grad() == first[l][0]);  // what earlier layouts left in the buffers changes nothing
      CHECK(wv.grad() == first[l][1]);
    }
}

TEST_CASE("max_pool2d takes each window's maximum, avg_pool2d its mean") {
  Tensor<double> x = {{{{1, 5, 2, 0}, {3, 4, 8, 1}, {0, 0, 1, 1}, {9, 2, 1, 7}}}};
  const Tensor<double> mx = max_pool2d(Var<double>(x), 2).value();
  const Tensor<double> av = avg_pool2d(Var<double>(x), 2).value();
  CHECK(to_shape(mx.shape()) == Shape{1, 1, 2, 2});
  CHECK(mx(0, 0, 0, 0) == 5);
  CHECK(mx(0, 0, 0, 1) == 8);
  CHECK(mx(0, 0, 1, 0) == 9);
  CHECK(mx(0, 0, 1, 1) == 7);
  CHECK(av(0, 0, 0, 0) == doctest::Approx(13.0 / 4));
  CHECK(av(0, 0, 1, 1) == doctest::Approx(10.0 / 4));
  const Tensor<double> m3 = max_pool2d(Var<double>(x), 3, 1).value();
  CHECK(to_shape(m3.shape()) == Shape{1, 1, 2, 2});
  CHECK(m3(0, 0, 1, 0) == 9);
}

TEST_CASE("max_pool2d in float: each 2×2 window's first maximum and its gradient, on wide rows with ties") {
  // Widths 37, 38, 16, 29 and 10 give 18, 19, 8, 14 and 5 windows a row: blocks of eight for the
  // vector code, then a masked block of fewer (or none). Values from a set of five make ties
  // common (as after a ReLU); on a tie the first entry in row-major order wins, and only it
  // receives the gradient.
  for (std::size_t width : {37, 38, 16, 29, 10}) {
    CAPTURE(width);
    const std::size_t n = 2, c = 3, h = 7, ho = h / 2, wo = width / 2;
    init::Rng rng(width);
    const float levels[] = {-1.0f, 0.0f, 0.0f, 0.5f, 1.0f};
    Tensor<float> x = empty_tensor<float>(Shape{n, c, h, width});
    for (auto& e : x) e = levels[rng() % 5];
    const Tensor<float> weights = init::normal<float>(Shape{n, c, ho, wo}, 0, 1, rng);
    Var<float> in(x, true);
    const Var<float> y = max_pool2d(in, 2);
    sum(y * Var<float>(weights)).backward();
    Tensor<float> expected_grad = zeros_tensor<float>(Shape{n, c, h, width});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < c; ++k)
        for (std::size_t p = 0; p < ho; ++p)
          for (std::size_t q = 0; q < wo; ++q) {
            std::size_t bi = 2 * p, bj = 2 * q;
            for (std::size_t di = 0; di < 2; ++di)
              for (std::size_t dj = 0; dj < 2; ++dj)
                if (x(i, k, 2 * p + di, 2 * q + dj) > x(i, k, bi, bj)) bi = 2 * p + di, bj = 2 * q + dj;
            REQUIRE(y.value()(i, k, p, q) == x(i, k, bi, bj));
            expected_grad(i, k, bi, bj) = weights(i, k, p, q);
          }
    CHECK(in.grad() == expected_grad);
  }
}

TEST_CASE("linear computes x Wᵀ + b with PyTorch's layout") {
  const Tensor<double> x = {{1, 2}, {3, 4}, {5, 6}};
  const Tensor<double> w = {{1, 0}, {0, 1}, {1, 1}};  // (out 3, in 2)
  const Tensor<double> b = {10, 20, 30};
  const Tensor<double> y = linear(Var<double>(x), Var<double>(w), Var<double>(b)).value();
  const Tensor<double> expected = {{11, 22, 33}, {13, 24, 37}, {15, 26, 41}};
  CHECK(y == expected);
}

TEST_CASE("the fused softmax cross-entropy equals mean(logsumexp(z) − z_t) and stays finite for huge logits") {
  const Tensor<double> z = {{1, 2, 3}, {1000, -1000, 0}};
  const std::vector<Label> t{2, 1};
  const double expected = ((std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3) + (1000 + 1000)) / 2;
  CHECK(softmax_cross_entropy(Var<double>(z), t).item() == doctest::Approx(expected).epsilon(1e-14));
  CHECK(std::isfinite(softmax_cross_entropy(Var<float>(Tensor<float>{{1e4f, -1e4f}}), std::vector<Label>{1}).item()));
}

TEST_CASE("accuracy counts the rows whose largest logit is the label") {
  const Tensor<float> z = {{0, 1}, {2, 1}, {0, 3}, {5, 4}};
  CHECK(accuracy(z, std::vector<Label>{1, 0, 0, 1}) == doctest::Approx(0.5));
}

TEST_CASE("class_tally counts each class's rows and hits; chunks add up to the whole; bad labels are refused") {
  const Tensor<float> z = {{0, 1, 0}, {2, 1, 0}, {0, 3, 0}, {5, 4, 0}, {0, 0, 1}};
  const std::vector<Label> y{1, 0, 0, 1, 2};
  const ClassTally t = class_tally(z, y);
  CHECK(t.total == std::vector<std::size_t>{2, 2, 1});
  CHECK(t.correct == std::vector<std::size_t>{1, 1, 1});
  CHECK(t.accuracy(0) == 0.5);
  CHECK(t.accuracy(2) == 1.0);
  // the tally's sum of hits over rows is the accuracy's
  CHECK(double(t.correct[0] + t.correct[1] + t.correct[2]) / 5 == doctest::Approx(accuracy(z, y)));
  ClassTally sum = class_tally(Tensor<float>{{0, 1, 0}, {2, 1, 0}}, std::span(y).first(2));
  sum += class_tally(Tensor<float>{{0, 3, 0}, {5, 4, 0}, {0, 0, 1}}, std::span(y).subspan(2));
  CHECK(sum.total == t.total);
  CHECK(sum.correct == t.correct);
  CHECK(std::isnan(ClassTally(3).accuracy(1)));
  CHECK_THROWS_WITH_AS(class_tally(z, std::vector<Label>{1, 0, 0, 1, 3}), "class_tally: label 3 of row 4 is outside [0, 3)",
                       Error);
  CHECK_THROWS_AS(sum += ClassTally(2), Error);
}

TEST_CASE("Dropout zeroes a fraction p in training mode, scales survivors by 1/(1 − p), is the identity in eval") {
  Dropout<double> drop(0.25, 42);
  const Var<double> x(Tensor<double>(xt::ones<double>({100, 100})));
  const Tensor<double> y = drop(x).value();
  std::size_t zeros = 0;
  for (double e : y) {
    CHECK((e == 0 || e == doctest::Approx(1 / 0.75)));
    zeros += e == 0;
  }
  CHECK(double(zeros) / 1e4 == doctest::Approx(0.25).epsilon(0.05));
  Dropout<double> same(0.25, 42);
  CHECK(same(x).value() == y);        // the seed fixes the masks
  CHECK_FALSE(drop(x).value() == y);  // a fresh mask each call
  drop.eval();
  CHECK(drop(x).value() == x.value());
}

TEST_CASE("layers refuse inputs of the wrong shape, naming the layer and the shapes") {
  init::Rng rng(0);
  Conv2d<float> conv(1, 6, 5, rng);
  const Var<float> images(zeros_tensor<float>(Shape{200, 3, 28, 28}));
  CHECK_THROWS_WITH_AS(conv(images), "Conv2d(1→6, 5×5): input of shape (200,3,28,28) has 3 channels, expected 1",
                       Error);
  CHECK_THROWS_WITH_AS(conv(Var<float>(zeros_tensor<float>(Shape{2, 1, 3, 3}))),
                       "Conv2d(1→6, 5×5): a 5×5 kernel with padding 0 does not fit an input of shape (2,1,3,3)", Error);
  Linear<float> fc(784, 128, rng);
  CHECK_THROWS_WITH_AS(fc(images), "Linear(784→128): input of shape (200,3,28,28), expected (N,784)", Error);
  MaxPool2d<float> pool(2);
  CHECK_THROWS_WITH_AS(pool(Var<float>(zeros_tensor<float>(Shape{3, 4}))),
                       "max_pool2d(2): input of shape (3,4) is not 4-D (N, C, H, W)", Error);
  CHECK_THROWS_WITH_AS(softmax_cross_entropy(Var<float>(zeros_tensor<float>(Shape{2, 10})), std::vector<Label>{1, 10}),
                       "softmax_cross_entropy: label[1] = 10 is outside 0..9", Error);
  CHECK_THROWS_WITH_AS(softmax_cross_entropy(Var<float>(zeros_tensor<float>(Shape{2, 10})), std::vector<Label>{1}),
                       "softmax_cross_entropy: 1 labels for input of shape (2,10)", Error);
  CHECK_THROWS_AS(Dropout<float>(1.0), Error);
}
