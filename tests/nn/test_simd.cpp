// The builds of the vector kernels (base/simd.hpp): SADDLE_SIMD's values, and every build the
// processor can run against the portable one on LeNet-5's layers — convolution and max pooling in
// value, gradient and Hessian-vector product. (meson test also runs the convolution and pooling
// tests once per build, through SADDLE_SIMD.)
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "saddle/base/simd.hpp"
#include "saddle/nn/kernels/conv_direct.hpp"
#include "saddle/nn.hpp"
#include "tests/error_of.hpp"

using namespace saddle;
using namespace saddle::nn;
using saddle::testing::error_of;

namespace {

template <class T>
double rel_diff(const TensorList<T>& a, const TensorList<T>& b) {
  double diff = 0, scale = 1e-300;
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    REQUIRE(a[k].shape() == b[k].shape());
    for (std::size_t i = 0; i < a[k].size(); ++i) {
      diff = std::max(diff, std::abs(double(a[k].data()[i]) - double(b[k].data()[i])));
      scale = std::max(scale, std::abs(double(b[k].data()[i])));
    }
  }
  return diff / scale;
}

// LeNet-5's convolutions and first pooling on a batch split across the workers, in value,
// gradient and HVP, with the kernels of `isa`.
template <class T>
HvpResult<T> lenet_layers(simd::Isa isa) {
  const simd::Force force(isa);
  REQUIRE(std::string(conv::direct::isa()) == simd::name(isa));
  init::Rng rng(29);
  const Shape sx{16, 1, 28, 28}, sw1{6, 1, 5, 5}, sw2{16, 6, 5, 5};
  TensorList<T> theta, v;
  for (const Shape& s : {sx, sw1, sw2}) {
    theta.push_back(init::normal<T>(s, 0, 1, rng));
    v.push_back(init::normal<T>(s, 0, 1, rng));
  }
  const Var<T> c(init::normal<T>(Shape{16, 16, 10, 10}, 0, 1, rng));
  const auto f = [&](const std::vector<Var<T>>& p) {
    const Var<T> h = tanh(max_pool2d(T(0.2) * conv2d(p[0], p[1], 1, 2), 2));
    return sum(c * tanh(T(0.1) * conv2d(h, p[2], 1, 0)));
  };
  return value_grad_hvp(f, theta, v);
}

// A layer of 10 outputs over 784 inputs, the softmax regression's, whose products the thin loops
// compute (autodiff/thin/thin_products.hpp): x·Wᵀ, its tangents ẋ·Wᵀ and x·Ẇᵀ, and the weight
// adjoint ȳᵀ·x — in value, gradient and HVP, with the kernels of `isa`.
template <class T>
HvpResult<T> classifier_layer(simd::Isa isa) {
  const simd::Force force(isa);
  init::Rng rng(31);
  TensorList<T> theta, v;
  for (const Shape& s : {Shape{50, 784}, Shape{10, 784}, Shape{10}}) {
    theta.push_back(init::normal<T>(s, 0, 1, rng));
    v.push_back(init::normal<T>(s, 0, 1, rng));
  }
  const Var<T> c(init::normal<T>(Shape{50, 10}, 0, 1, rng));
  const auto f = [&](const std::vector<Var<T>>& p) { return sum(c * tanh(T(0.05) * linear(p[0], p[1], p[2]))); };
  return value_grad_hvp(f, theta, v);
}

}  // namespace

TEST_CASE("SADDLE_SIMD names a build: avx512, avx2, baseline or sse2; any other value is an error naming it") {
  CHECK(simd::parse("avx512") == simd::Isa::avx512);
  CHECK(simd::parse("avx2") == simd::Isa::avx2);
  CHECK(simd::parse("baseline") == simd::Isa::baseline);
  CHECK(simd::parse("sse2") == simd::Isa::baseline);
  CHECK(error_of([] { simd::parse("avx"); }) == "SADDLE_SIMD=avx: expected avx512, avx2, baseline or sse2");
  CHECK(simd::supported(simd::Isa::baseline));
  CHECK(simd::supported(simd::active()));
}

namespace {

// Every wider build the processor runs against the portable one on Layers<T>::run(isa): value, gradient and HVP the same up to rounding, in float and
// in double.
template <template <class> class Layers>
void check_builds_agree() {
  const HvpResult<float> base_f = Layers<float>::run(simd::Isa::baseline);
  const HvpResult<double> base_d = Layers<double>::run(simd::Isa::baseline);
  for (simd::Isa isa : {simd::Isa::avx2, simd::Isa::avx512}) {
    if (!simd::supported(isa)) continue;
    CAPTURE(simd::name(isa));
    const HvpResult<float> f = Layers<float>::run(isa);
    CHECK(double(f.value) == doctest::Approx(double(base_f.value)).epsilon(1e-4));
    CHECK(rel_diff(f.grad, base_f.grad) < 1e-4);
    CHECK(rel_diff(f.hvp, base_f.hvp) < 1e-4);
    const HvpResult<double> d = Layers<double>::run(isa);
    CHECK(d.value == doctest::Approx(base_d.value).epsilon(1e-12));
    CHECK(rel_diff(d.grad, base_d.grad) < 1e-12);
    CHECK(rel_diff(d.hvp, base_d.hvp) < 1e-12);
  }
}
template <class T>
struct LenetLayers {
  static HvpResult<T> run(simd::Isa isa) { return lenet_layers<T>(isa); }
};
template <class T>
struct ClassifierLayer {
  static HvpResult<T> run(simd::Isa isa) { return classifier_layer<T>(isa); }
};

}  // namespace

TEST_CASE("every build of the vector kernels this processor runs gives the portable build's LeNet-5 layers") {
  // Only rounding differs: FMA against a separate multiply and add, and the vector width in the
  // order of the weight gradient's partial sums.
  check_builds_agree<LenetLayers>();
}

TEST_CASE("every build of the thin products this processor runs gives the portable build's classifier layer") {
  // Only rounding differs: the vector width sets the order of each product's partial sums.
  check_builds_agree<ClassifierLayer>();
}

TEST_CASE("max_pool2d in float selects the same entries in every build the processor runs") {
  // Values from a set of five make ties common; selection involves no rounding, so the builds
  // agree exactly in value and in where the gradient goes. Rows of 13 windows take only the
  // masked tail of the vector loops, rows of 35 whole vectors of 8 or 16 windows too.
  init::Rng rng(31);
  const float levels[] = {-1.0f, 0.0f, 0.0f, 0.5f, 1.0f};
  for (std::size_t width : {27, 70}) {
    CAPTURE(width);
    Tensor<float> x = empty_tensor<float>(Shape{4, 6, 28, width});
    for (auto& e : x) e = levels[rng() % 5];
    const Tensor<float> weights = init::normal<float>(Shape{4, 6, 14, width / 2}, 0, 1, rng);
    auto pool = [&](simd::Isa isa) {
      const simd::Force force(isa);
      Var<float> in(x, true);
      const Var<float> y = max_pool2d(in, 2);
      sum(y * Var<float>(weights)).backward();
      return std::make_pair(Tensor<float>(y.value()), Tensor<float>(in.grad()));
    };
    const auto base = pool(simd::Isa::baseline);
    for (simd::Isa isa : {simd::Isa::avx2, simd::Isa::avx512}) {
      if (!simd::supported(isa)) continue;
      CAPTURE(simd::name(isa));
      const auto [y, grad] = pool(isa);
      CHECK(y == base.first);
      CHECK(grad == base.second);
    }
  }
}

TEST_CASE_TEMPLATE("correlate_rows gives the wide rows of correlate bit for bit, in every build", T, float, double) {
  for (simd::Isa isa : {simd::Isa::baseline, simd::Isa::avx2, simd::Isa::avx512}) {
    if (!simd::supported(isa)) continue;
    const simd::Force force(isa);
    CAPTURE(simd::name(isa));
    struct Case {
      std::size_t c, o, kh, kw, ho, wo;
    };
    // LeNet-5's second layer, the CNN's 3×3 layers, rows longer than a block (28) and a single pixel
    for (const Case& k : {Case{6, 16, 5, 5, 10, 10}, Case{8, 16, 3, 3, 14, 14}, Case{2, 32, 5, 5, 2, 28},
                          Case{3, 16, 3, 3, 1, 1}}) {
      if (!conv::direct::rows_apply<T>(k.o, k.kw)) continue;
      CAPTURE(k.wo);
      const std::size_t hp = k.ho + k.kh - 1, wp = k.wo + k.kw - 1, plane = hp * wp, K = k.c * k.kh * k.kw;
      const std::size_t len = conv::direct::round_up((k.ho - 1) * wp + k.wo, conv::direct::step);
      init::Rng rng(31);
      const Tensor<T> src = init::normal<T>(Shape{k.c * plane + len}, 0, 1, rng);  // reads past the last plane
      const Tensor<T> w = init::normal<T>(Shape{k.o, K}, 0, 1, rng);
      const Tensor<T> start = init::normal<T>(Shape{k.o, k.ho * k.wo}, 0, 1, rng);
      std::vector<std::ptrdiff_t> off, row_off;
      for (std::size_t c = 0; c < k.c; ++c)
        for (std::size_t i = 0; i < k.kh; ++i) {
          row_off.push_back(std::ptrdiff_t(c * plane + i * wp));
          for (std::size_t j = 0; j < k.kw; ++j) off.push_back(std::ptrdiff_t(c * plane + i * wp + j));
        }
      std::vector<T> wt(K * k.o);
      for (std::size_t o = 0; o < k.o; ++o)
        for (std::size_t t = 0; t < K; ++t) wt[t * k.o + o] = w.data()[o * K + t];
      const conv::direct::RowGeometry g{k.o, k.c * k.kh, k.kw, k.ho, k.wo, wp, row_off.data()};
      for (bool accumulate : {false, true}) {
        CAPTURE(accumulate);
        std::vector<T> wide(k.o * len, T(0)), rows(start.data(), start.data() + start.size());
        for (std::size_t o = 0; o < k.o; ++o)  // the same starting sums in the wide layout
          for (std::size_t p = 0; p < k.ho; ++p)
            for (std::size_t q = 0; q < k.wo; ++q) wide[o * len + p * wp + q] = start.data()[(o * k.ho + p) * k.wo + q];
        conv::direct::correlate(k.o, K, w.data(), K, off.data(), src.data(), wide.data(), len, len, accumulate);
        conv::direct::correlate_rows(g, wt.data(), src.data(), rows.data(), accumulate);
        std::size_t differ = 0;
        for (std::size_t o = 0; o < k.o; ++o)
          for (std::size_t p = 0; p < k.ho; ++p)
            for (std::size_t q = 0; q < k.wo; ++q) {
              const T a = wide[o * len + p * wp + q], b = rows[(o * k.ho + p) * k.wo + q];
              differ += std::memcmp(&a, &b, sizeof(T)) != 0;
            }
        CHECK(differ == 0);
      }
    }
  }
}
