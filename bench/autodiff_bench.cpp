// Engine benchmarks: the loss of an MLP 784-128-64-10 (ReLU, softmax cross-entropy) over 1,000
// random samples, written with engine ops — its gradient, its Hessian-vector product, and the
// same matrix products called directly in BLAS (the floors neither can beat).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstring>
#include <random>
#include <type_traits>

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

// The matrix products of one gradient and of one Hessian-vector product, in raw BLAS, the order
// and transposes the engine uses (matmul's VJP: Ā = Ḡ·Bᵀ, B̄ = Aᵀ·Ḡ). A layer Z = H·W on h rows
// of n_in → n_out takes three products in the gradient (Z, W̄ = Hᵀ·Z̄, H̄ = Z̄·Wᵀ) and, with
// tangents, nine in the HVP: Ż = Ḣ·W + H·V, W̄˙ = Ḣᵀ·Z̄ + Hᵀ·Z̄˙, H̄˙ = Z̄˙·Wᵀ + Z̄·Vᵀ on top. The
// first layer reads the data, which has neither tangent nor adjoint: two products and four. So
// the HVP's products cost (4·L₁ + 9·(L₂ + L₃)) ÷ (2·L₁ + 3·(L₂ + L₃)) = 2.12 × the gradient's,
// L_i = 1000·n_in·n_out the layers' multiply-adds: the floor of hvp ÷ grad on this loss.
template <class T>
struct MlpProducts {
  explicit MlpProducts(bool tangents) : tangents(tangents) {
    for (std::size_t i = 0; i < 3; ++i) {
      const std::size_t n = kWidth[i + 1];
      for (auto* v : {&z[i], &dz[i], &zt[i], &dzt[i]}) v->assign(kSamples * n, T(0.5));
      for (auto* v : {&w[i], &wt[i], &dw[i], &dwt[i]}) v->assign(kWidth[i] * n, T(0.01));
    }
  }

  void run() {
    const T* h[3] = {x.data(), z[0].data(), z[1].data()};
    const T* ht[3] = {nullptr, zt[0].data(), zt[1].data()};
    for (std::size_t i = 0; i < 3; ++i) {  // forward: Z = H·W, Ż = Ḣ·W + H·V
      const std::size_t in = kWidth[i], out = kWidth[i + 1];
      gemm(false, false, kSamples, out, in, h[i], w[i].data(), 0, z[i].data());
      if (!tangents) continue;
      if (ht[i]) gemm(false, false, kSamples, out, in, ht[i], w[i].data(), 0, zt[i].data());
      gemm(false, false, kSamples, out, in, h[i], wt[i].data(), ht[i] ? 1 : 0, zt[i].data());
    }
    for (std::size_t i = 3; i-- > 0;) {  // backward, from the last layer
      const std::size_t in = kWidth[i], out = kWidth[i + 1];
      // W̄ = Hᵀ·Z̄, W̄˙ = Ḣᵀ·Z̄ + Hᵀ·Z̄˙
      gemm(true, false, in, out, kSamples, h[i], dz[i].data(), 0, dw[i].data());
      if (tangents) {
        if (ht[i]) gemm(true, false, in, out, kSamples, ht[i], dz[i].data(), 0, dwt[i].data());
        gemm(true, false, in, out, kSamples, h[i], dzt[i].data(), ht[i] ? 1 : 0, dwt[i].data());
      }
      if (i == 0) break;  // the data gets no adjoint
      // H̄ = Z̄·Wᵀ, H̄˙ = Z̄˙·Wᵀ + Z̄·Vᵀ
      gemm(false, true, kSamples, in, out, dz[i].data(), w[i].data(), 0, dz[i - 1].data());
      if (tangents) {
        gemm(false, true, kSamples, in, out, dzt[i].data(), w[i].data(), 0, dzt[i - 1].data());
        gemm(false, true, kSamples, in, out, dz[i].data(), wt[i].data(), 1, dzt[i - 1].data());
      }
    }
  }

  static constexpr std::size_t kWidth[4] = {kIn, kH1, kH2, kOut};
  // β = 0 as a memset and β = 1, as kernels::gemm calls it (OpenBLAS's own clearing is slower).
  static void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T beta,
                   T* c) {
    if (beta == T(0)) {
      std::memset(c, 0, m * n * sizeof(T));
      beta = T(1);
    }
    const auto op_a = ta ? CblasTrans : CblasNoTrans, op_b = tb ? CblasTrans : CblasNoTrans;
    const int lda = ta ? int(m) : int(k), ldb = tb ? int(k) : int(n);
    if constexpr (std::is_same_v<T, float>)
      cblas_sgemm(CblasRowMajor, op_a, op_b, int(m), int(n), int(k), 1.0f, a, lda, b, ldb, beta, c, int(n));
    else
      cblas_dgemm(CblasRowMajor, op_a, op_b, int(m), int(n), int(k), 1.0, a, lda, b, ldb, beta, c, int(n));
  }

  bool tangents;
  std::vector<T> x = std::vector<T>(kSamples * kIn, T(0.5));
  std::vector<T> z[3], dz[3], zt[3], dzt[3], w[3], wt[3], dw[3], dwt[3];
};

// The gradient's eight products (three forward, five backward) and the HVP's twenty-two.
template <class T, bool tangents>
void BM_products(benchmark::State& state) {
  MlpProducts<T> p(tangents);
  for (auto _ : state) {
    p.run();
    benchmark::DoNotOptimize(p.dw[0].data());
    benchmark::ClobberMemory();
  }
}

BENCHMARK(BM_grad<double>)->Name("grad/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_hvp<double>)->Name("hvp/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_grad<float>)->Name("grad/mlp/f32")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_hvp<float>)->Name("hvp/mlp/f32")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_products<double, false>)->Name("blas_floor/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_products<double, true>)->Name("hvp_floor/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_products<float, false>)->Name("blas_floor/mlp/f32")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_products<float, true>)->Name("hvp_floor/mlp/f32")->Unit(benchmark::kMillisecond);

}  // namespace
