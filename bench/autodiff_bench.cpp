// Engine benchmarks: the loss of an MLP 784-128-64-10 (ReLU, softmax cross-entropy) over 1,000
// random samples, written with engine ops — its gradient, its Hessian-vector product, and the
// same matrix products called directly in BLAS (the floor a gradient cannot beat).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <random>

#include "saddle/autodiff.hpp"

namespace {
using namespace saddle;

constexpr std::size_t kSamples = 1000, kIn = 784, kH1 = 128, kH2 = 64, kOut = 10;

template <class T>
Tensor<T> random_tensor(const Shape& s, std::mt19937_64& rng, double scale) {
  std::normal_distribution<double> normal(0, scale);
  Tensor<T> t = empty_tensor<T>(s);
  for (auto& e : t) e = T(normal(rng));
  return t;
}

template <class T>
struct MlpProblem {
  Tensor<T> x;
  std::vector<Label> labels;
  TensorList<T> params, direction;

  MlpProblem() {
    std::mt19937_64 rng(1);
    x = random_tensor<T>({kSamples, kIn}, rng, 1.0);
    for (std::size_t i = 0; i < kSamples; ++i) labels.push_back(Label(rng() % kOut));
    const Shape shapes[] = {{kIn, kH1}, {kH1}, {kH1, kH2}, {kH2}, {kH2, kOut}, {kOut}};
    for (const auto& s : shapes) {
      params.push_back(random_tensor<T>(s, rng, 1.0 / std::sqrt(double(s[0]))));
      direction.push_back(random_tensor<T>(s, rng, 1.0));
    }
  }

  // mean cross-entropy of softmax(relu(relu(x W1 + b1) W2 + b2) W3 + b3)
  Var<T> loss(const std::vector<Var<T>>& p) const {
    const Var<T> input(x);
    const Var<T> h1 = relu(matmul(input, p[0]) + p[1]);
    const Var<T> h2 = relu(matmul(h1, p[2]) + p[3]);
    const Var<T> z = matmul(h2, p[4]) + p[5];
    return -mean(pick(log_softmax(z, 1), labels));
  }
};

template <class T>
void BM_grad(benchmark::State& state) {
  const MlpProblem<T> problem;
  auto f = [&](const std::vector<Var<T>>& p) { return problem.loss(p); };
  for (auto _ : state) benchmark::DoNotOptimize(value_and_grad(f, problem.params));
}

template <class T>
void BM_hvp(benchmark::State& state) {
  const MlpProblem<T> problem;
  auto f = [&](const std::vector<Var<T>>& p) { return problem.loss(p); };
  for (auto _ : state) benchmark::DoNotOptimize(hvp(f, problem.params, problem.direction));
}

// The eight matrix products of one gradient: three forward, five backward (no input gradient).
void BM_blas_floor(benchmark::State& state) {
  const MlpProblem<float> problem;
  const auto& W = problem.params;
  std::vector<float> h1(kSamples * kH1), h2(kSamples * kH2), z(kSamples * kOut);
  std::vector<float> g1(kSamples * kH1), g2(kSamples * kH2), dW1(kIn * kH1), dW2(kH1 * kH2), dW3(kH2 * kOut);
  auto gemm = [](bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
                1.0f, a, ta ? int(m) : int(k), b, tb ? int(k) : int(n), 0.0f, c, int(n));
  };
  for (auto _ : state) {
    gemm(false, false, kSamples, kH1, kIn, problem.x.data(), W[0].data(), h1.data());
    gemm(false, false, kSamples, kH2, kH1, h1.data(), W[2].data(), h2.data());
    gemm(false, false, kSamples, kOut, kH2, h2.data(), W[4].data(), z.data());
    gemm(true, false, kH2, kOut, kSamples, h2.data(), z.data(), dW3.data());
    gemm(false, true, kSamples, kH2, kOut, z.data(), W[4].data(), g2.data());
    gemm(true, false, kH1, kH2, kSamples, h1.data(), g2.data(), dW2.data());
    gemm(false, true, kSamples, kH1, kH2, g2.data(), W[2].data(), g1.data());
    gemm(true, false, kIn, kH1, kSamples, problem.x.data(), g1.data(), dW1.data());
    benchmark::DoNotOptimize(dW1.data());
    benchmark::ClobberMemory();
  }
}

BENCHMARK(BM_grad<double>)->Name("grad/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_hvp<double>)->Name("hvp/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_grad<float>)->Name("grad/mlp/f32")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_hvp<float>)->Name("hvp/mlp/f32")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_blas_floor)->Name("blas_floor/mlp/f32")->Unit(benchmark::kMillisecond);

}  // namespace
