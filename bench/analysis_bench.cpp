// Analysis benchmarks on nn's MLP 784-128-64-10 (ReLU, softmax cross-entropy), in double, over
// 1,000 random images (uniform pixels, random labels):
//   hessian_hvp/mlp/f64       one Hessian-vector product over the 1,000 samples (4 batches of 250)
//   lanczos20/mlp/f64         20 Lanczos steps (top-5 Ritz pairs) on that Hessian: 20 products
//   per_sample_grad/mlp/f64   the 1,000 per-sample gradients, one value_and_grad per sample
//   per_sample_jvp/mlp/f64    the 1,000 directional derivatives vᵀ∇ℓ_z by forward mode
// The same workloads in PyTorch: bench/peers/pytorch_hessian.py.
#include <benchmark/benchmark.h>

#include <random>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/analysis/per_sample.hpp"
#include "saddle/base/tensor_list.hpp"
#include "saddle/nn/models/models.hpp"

namespace {
using namespace saddle;

constexpr std::size_t kSamples = 1000, kBatch = 250;

struct MlpHessian {
  data::Dataset<double> data;
  std::unique_ptr<nn::Module<double>> model = nn::make_model<double>("mlp", 0);
  TensorList<double> params = nn::parameter_values(*model);

  MlpHessian() {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    data.images = empty_tensor<double>(Shape{kSamples, 1, 28, 28});
    for (auto& e : data.images) e = pixel(rng);
    for (std::size_t i = 0; i < kSamples; ++i) data.labels.push_back(static_cast<Label>(rng() % 10));
  }
  HessianOperator<double> hessian() { return model_hessian_operator(*model, data, sample_range(0, kSamples, kBatch)); }
  TensorList<double> direction() const {
    std::mt19937_64 rng(2);
    return random_normal_like(params, rng);
  }
};

void BM_hessian_hvp(benchmark::State& state) {
  MlpHessian p;
  const auto H = p.hessian();
  const TensorList<double> v = p.direction();
  for (auto _ : state) benchmark::DoNotOptimize(H(v));
}

void BM_lanczos20(benchmark::State& state) {
  MlpHessian p;
  const auto H = p.hessian();
  for (auto _ : state)
    benchmark::DoNotOptimize(lanczos_top<double>(H, p.params, {.k = 5, .max_iter = 20, .tol = 0, .seed = 3}));
}

void BM_per_sample_grad(benchmark::State& state) {
  MlpHessian p;
  const Objective<double> f(cross_entropy_loss(*p.model), p.data, sample_range(0, kSamples, kBatch));
  for (auto _ : state) {
    double total = 0;
    f.for_each_sample_gradient(p.params,
                               [&](std::size_t, double, const TensorList<double>& g) { total += g.back()(0); });
    benchmark::DoNotOptimize(total);
  }
}

void BM_per_sample_jvp(benchmark::State& state) {
  MlpHessian p;
  const std::vector<TensorList<double>> dirs = {p.direction()};
  const Objective<double> f(per_sample_cross_entropy(*p.model), p.data, sample_range(0, kSamples, kBatch));
  for (auto _ : state)
    benchmark::DoNotOptimize(per_sample_directional_derivatives(f, p.params, dirs, PerSampleMode::forward));
}

BENCHMARK(BM_hessian_hvp)->Name("hessian_hvp/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_lanczos20)->Name("lanczos20/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_per_sample_grad)->Name("per_sample_grad/mlp/f64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_per_sample_jvp)->Name("per_sample_jvp/mlp/f64")->Unit(benchmark::kMillisecond);

}  // namespace
