// Curvature benchmarks over synthetic MNIST-shaped data (uniform pixels, random labels, the models
// at their seeded initialisation):
//   curvature/{hvp,ggn}/{mlp,lenet5}/f64   one Hessian-vector product and one generalized
//                                          Gauss–Newton product over 1,000 samples (batches of 250)
//   curvature/hvp/{mlp,lenet5}/f32         the Hessian-vector product in single precision, as
//                                          `hessian --precision float` computes it inside Lanczos
//   spectrum/lenet5_10k/{top5,bottom3}     Lanczos at its defaults (tol 1e-8, verification pass) for
//                                          the top 5 and the bottom 3 of LeNet-5's Hessian over
//                                          10,000 samples: one iteration each, minutes; the counter
//                                          `products` says how many Hessian-vector products it took
// Run the slow pair alone with --benchmark_filter=spectrum/.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>

#include "saddle/analysis/curvature.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/base/tensor_list.hpp"
#include "saddle/nn/models/models.hpp"

namespace {
using namespace saddle;

template <class T>
struct Workload {
  data::Dataset<T> data;
  std::unique_ptr<nn::Module<T>> model;

  Workload(const std::string& name, std::size_t samples) : model(nn::make_model<T>(name, 0)) {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> pixel(0.0, 1.0);
    data.images = empty_tensor<T>(Shape{samples, 1, 28, 28});
    for (auto& e : data.images) e = static_cast<T>(pixel(rng));
    for (std::size_t i = 0; i < samples; ++i) data.labels.push_back(static_cast<Label>(rng() % 10));
  }
  CurvatureOperator<T> op(Curvature kind) {
    return model_curvature_operator(kind, *model, data, sample_range(0, data.size(), 250));
  }
};

template <class T>
void BM_product(benchmark::State& state, std::string model, Curvature kind) {
  Workload<T> w(model, 1000);
  const auto M = w.op(kind);
  std::mt19937_64 rng(2);
  const TensorList<T> v = random_normal_like(M.parameters(), rng);
  for (auto _ : state) benchmark::DoNotOptimize(M(v));
}
void BM_product_f64(benchmark::State& state, std::string model, Curvature kind) { BM_product<double>(state, model, kind); }
void BM_product_f32(benchmark::State& state, std::string model, Curvature kind) { BM_product<float>(state, model, kind); }

void BM_spectrum(benchmark::State& state, bool bottom) {
  Workload<double> w("lenet5", 10000);
  const auto M = w.op(Curvature::hessian);
  EigenOptions opt;
  opt.k = bottom ? 3 : 5;
  int products = 0;
  for (auto _ : state) {
    const EigenResult<double> r = bottom ? lanczos_bottom<double>(M, M.parameters(), opt)
                                         : lanczos_top<double>(M, M.parameters(), opt);
    products = r.iterations;
    if (!r.converged) state.SkipWithError("not converged");
  }
  state.counters["products"] = products;
}

BENCHMARK_CAPTURE(BM_product_f64, hvp_mlp, std::string("mlp"), Curvature::hessian)
    ->Name("curvature/hvp/mlp/f64")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_product_f64, ggn_mlp, std::string("mlp"), Curvature::ggn)
    ->Name("curvature/ggn/mlp/f64")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_product_f64, hvp_lenet5, std::string("lenet5"), Curvature::hessian)
    ->Name("curvature/hvp/lenet5/f64")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_product_f64, ggn_lenet5, std::string("lenet5"), Curvature::ggn)
    ->Name("curvature/ggn/lenet5/f64")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_product_f32, hvp_mlp_f32, std::string("mlp"), Curvature::hessian)
    ->Name("curvature/hvp/mlp/f32")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_product_f32, hvp_lenet5_f32, std::string("lenet5"), Curvature::hessian)
    ->Name("curvature/hvp/lenet5/f32")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_spectrum, top5, false)->Name("spectrum/lenet5_10k/top5")->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_spectrum, bottom3, true)
    ->Name("spectrum/lenet5_10k/bottom3")
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
