// The imperative engine: define-by-run recording, gradient accumulation, release of the tape,
// no_grad, detach, and the errors a user meets instead of a crash.
#include <doctest/doctest.h>

#include <string>

#include "saddle/autodiff.hpp"
#include "tests/error_of.hpp"

using namespace saddle;
using saddle::testing::error_of;

namespace {
bool message_has(const std::string& message, std::initializer_list<const char*> parts) {
  for (const char* p : parts)
    if (message.find(p) == std::string::npos) return false;
  return true;
}

}  // namespace

TEST_CASE("backward fills leaf gradients: d/dw Σ (w·x)² = 2(w·x)x") {
  Var<double> w(Tensor<double>{1.0, -2.0, 0.5}, true);
  Var<double> x(Tensor<double>{3.0, 1.0, 2.0});
  Var<double> loss = sum(square(w * x));
  loss.backward();
  REQUIRE(w.has_grad());
  CHECK_FALSE(x.has_grad());
  for (std::size_t i = 0; i < 3; ++i) {
    const double wx = w.value()(i) * x.value()(i);
    CHECK(w.grad()(i) == doctest::Approx(2 * wx * x.value()(i)));
  }
}

TEST_CASE("gradients accumulate over backward calls until zero_grad") {
  Var<double> w(Tensor<double>{2.0}, true);
  sum(w * w).backward();
  sum(w * w * 3.0).backward();
  CHECK(w.grad()(0) == doctest::Approx(4.0 + 12.0));
  w.zero_grad();
  CHECK_FALSE(w.has_grad());
  sum(w).backward();
  CHECK(w.grad()(0) == doctest::Approx(1.0));
}

TEST_CASE("define-by-run: C++ control flow decides the graph at each call") {
  auto f = [](const Var<double>& x) { return x.item() > 0 ? sum(exp(x)) : sum(x * x * x); };
  Var<double> a(Tensor<double>{0.5}, true), b(Tensor<double>{-0.5}, true);
  f(a).backward();
  f(b).backward();
  CHECK(a.grad()(0) == doctest::Approx(std::exp(0.5)));
  CHECK(b.grad()(0) == doctest::Approx(3 * 0.25));
}

TEST_CASE("a value used twice receives the sum of both adjoints") {
  Var<double> x(Tensor<double>{1.5}, true);
  Var<double> y = x * x + tanh(x);
  sum(y).backward();
  CHECK(x.grad()(0) == doctest::Approx(2 * 1.5 + 1 - std::tanh(1.5) * std::tanh(1.5)));
}

TEST_CASE("the tape is released after backward: a second backward is an error") {
  Var<double> w(Tensor<double>{1.0, 2.0}, true);
  Var<double> loss = sum(w * w);
  loss.backward();
  CHECK(message_has(error_of([&] { loss.backward(); }), {"backward", "released"}));
  CHECK(Tape::active().size() == 0);
  // The value stays readable, and detach() reuses it in a new graph.
  CHECK(loss.item() == doctest::Approx(5.0));
  Var<double> again = loss.detach() * w;
  sum(again).backward();
  CHECK(w.grad()(0) == doctest::Approx(2.0 + 5.0));
}

TEST_CASE("a training loop's memory does not grow from step to step") {
  Var<float> w(Tensor<float>(xt::ones<float>({8, 4})), true);
  Var<float> x(Tensor<float>(xt::ones<float>({16, 8})));
  std::size_t live_after_first = 0;
  for (int step = 0; step < 50; ++step) {
    Var<float> loss = mean(square(tanh(matmul(x, w)) - 0.5f));
    loss.backward();
    {
      no_grad off;
      w.mutable_value() -= 0.1f * w.grad();
    }
    w.zero_grad();
    if (step == 0) live_after_first = live_nodes();
    CHECK(live_nodes() == live_after_first);
  }
  // A graph computed and dropped without backward frees itself as well.
  const std::size_t before = live_nodes();
  { Var<float> unused = sum(matmul(x, w)); }
  CHECK(live_nodes() == before);
}

TEST_CASE("no_grad records nothing; detach cuts the graph") {
  Var<double> w(Tensor<double>{1.0}, true);
  {
    no_grad off;
    Var<double> y = w * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(message_has(error_of([&] { y.backward(); }), {"backward", "requires_grad"}));
  }
  Var<double> z = w.detach() * w;  // only the second factor carries the gradient
  sum(z).backward();
  CHECK(w.grad()(0) == doctest::Approx(1.0));
}

TEST_CASE("errors name the op and the shapes") {
  Var<double> a(zeros_tensor<double>(Shape{200, 784}), true), b(zeros_tensor<double>(Shape{785, 128}));
  CHECK(message_has(error_of([&] { matmul(a, b); }), {"matmul", "(200,784)", "(785,128)"}));
  Var<double> c(zeros_tensor<double>(Shape{3, 4})), d(zeros_tensor<double>(Shape{5}));
  CHECK(message_has(error_of([&] { c + d; }), {"add", "(3,4)", "(5,)"}));
  CHECK(message_has(error_of([&] { reshape(c, {5, 3}); }), {"reshape", "(3,4)", "(5,3)"}));
  CHECK(message_has(error_of([&] { sum(c, 2); }), {"sum", "axis 2"}));
  CHECK(message_has(error_of([&] { gather(c, {0, 3}); }), {"gather", "index[1] = 3"}));
  CHECK(message_has(error_of([&] { (a * 1.0).backward(); }), {"backward", "scalar", "(200,784)"}));
  Var<double> empty(zeros_tensor<double>(Shape{0, 3}));
  CHECK(message_has(error_of([&] { exp(empty); }), {"exp", "empty", "(0,3)"}));
}

TEST_CASE("values from two tapes cannot be mixed") {
  Var<double> w(Tensor<double>{1.0}, true);
  std::string message;
  {
    TapeScope first;
    Var<double> y = w * 2.0;
    TapeScope second;
    message = error_of([&] { y + w; });
  }
  CHECK(message_has(message, {"add", "tape", "two tapes"}));
}

TEST_CASE("anomaly mode names the first op that produced NaN or Inf") {
  Var<double> x(Tensor<double>{-1.0, 1.0}, true);
  CHECK_NOTHROW(log(x));  // off by default: NaN flows silently, as in every framework
  {
    detect_anomaly on;
    CHECK(message_has(error_of([&] { log(x); }), {"anomaly", "'log'", "value"}));
    Var<double> z(Tensor<double>{0.0}, true);
    Var<double> r = sum(sqrt(z));  // finite forward, infinite derivative at 0
    CHECK(message_has(error_of([&] { r.backward(); }), {"anomaly", "backward of 'sqrt'"}));
  }
  CHECK_FALSE(anomaly_detection());
}

TEST_CASE("the functional API leaves the caller's imperative graph untouched") {
  Var<double> w(Tensor<double>{3.0}, true);
  Var<double> pending = w * w;  // recorded on the thread's tape, backward not yet called
  const auto g = grad([](const std::vector<Var<double>>& p) { return sum(p[0] * p[0] * p[0]); },
                      TensorList<double>{Tensor<double>{2.0}});
  CHECK(g[0](0) == doctest::Approx(12.0));
  sum(pending).backward();
  CHECK(w.grad()(0) == doctest::Approx(6.0));
}
