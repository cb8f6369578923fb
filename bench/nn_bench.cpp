// nn benchmarks, the same workloads as bench/peers/pytorch.py (shard_products is saddle's alone):
//   train_step/<model>/f32   forward, backward and an SGD update on 200 random images (Objective)
//   hvp/<model>/f64          a full forward-over-reverse Hessian-vector product over 1,000 samples
//   shard_products/softmax/f32     the products alone of train_step/softmax/f32's shards, each
//                                  on data of its own: the cores' ceiling for that step's speed-up
//   step_products/mlp/f32          the eight matrix products of an MLP training step on 200 rows,
//                                  one BLAS call each: the floor under any engine's step
//   conv2d_fwd|bwd/lenet5_c2/f32   LeNet-5's second convolution (6→16, 5×5) on (200, 6, 14, 14)
//   one_worker/<name>        each workload that bench/thread_scaling.py times, with one worker and
//                            BLAS on one thread, in the same process as <name> on all of them
//   parallel_blocks/round    a loop of 200 one-microsecond items on nn's worker pool, beside
//   thread_per_loop/round    the same loop on threads started and joined for it
// Times are wall-clock (BLAS and nn's workers run on all cores); run with --benchmark_repetitions=N
// for medians, or bench/compare.py for the table beside PyTorch. Builds with nn_dep, benchmark_dep
// and thread_dep, in the executable whose main is bench/main.cpp.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "saddle/autodiff/kernels.hpp"
#include "saddle/autodiff/shards.hpp"
#include "saddle/base/blas_info.hpp"
#include "saddle/base/parallel.hpp"
#include "saddle/nn.hpp"
#include "saddle/objective.hpp"
#include "saddle/nn/kernels/conv_direct.hpp"

namespace {
using namespace saddle;
using namespace saddle::nn;

template <class T>
Tensor<T> random_images(std::size_t n, std::uint64_t seed) {
  init::Rng rng(seed);
  return init::uniform<T>({n, 1, 28, 28}, 0, 1, rng);
}

std::vector<Label> random_labels(std::size_t n, std::uint64_t seed) {
  init::Rng rng(seed);
  std::vector<Label> y(n);
  for (auto& e : y) e = Label(rng() % 10);
  return y;
}

// One step as the train program takes it: the mean loss over the batch and its gradient through
// Objective (the batch's shards on saddle's workers, autodiff/shards.hpp), then θ ← θ − η∇L.
template <class T>
void train_step(benchmark::State& state, const std::string& model_name) {
  auto model = make_model<T>(model_name, 0);
  const data::Dataset<T> images{random_images<T>(200, 1), random_labels(200, 2)};
  const Objective<T> f(cross_entropy_loss(*model), images, sample_range(0, 200, 200));
  TensorList<T> theta = parameter_values(*model);
  for (auto _ : state) {
    const ValueAndGrad<T> step = f.value_and_grad(theta);
    axpy(-0.01, step.grad, theta);
    benchmark::DoNotOptimize(step.value);
  }
}

// H·v over 1,000 samples in one batch, as the hessian program computes it (Objective::hvp).
template <class T>
void hvp_step(benchmark::State& state, const std::string& model_name) {
  auto model = make_model<T>(model_name, 0);
  const data::Dataset<T> samples{random_images<T>(1000, 3), random_labels(1000, 4)};
  const Objective<T> f(cross_entropy_loss(*model), samples, sample_range(0, 1000, 1000));
  const TensorList<T> theta = parameter_values(*model);
  init::Rng rng(5);
  TensorList<T> v;
  for (const auto& t : theta) v.push_back(init::normal<T>(to_shape(t.shape()), 0, 1, rng));
  for (auto _ : state) benchmark::DoNotOptimize(f.hvp(theta, v));
}

// The products of the softmax regression's step alone: for each shard of its 200 rows
// (row_shards, 4 of 50), Z = X·Wᵀ and ∂W = ∂Zᵀ·X (kernels::gemm, as nn::linear computes them; the
// thin loops of autodiff/thin/thin_products.hpp take both), the shards on saddle's workers as
// add_over_shards runs them, each with rows, weights and outputs of its own. Nothing is shared and
// nothing runs alone, so its speed-up on 2 threads against 1 is what the machine's cores give this
// work when both are busy: the ceiling for train_step/softmax/f32's, measured in the same run
// (bench/thread_scaling.py prints the two side by side).
void shard_products(benchmark::State& state) {
  struct Shard {
    Tensor<float> x, w, dz, z, dw;
  };
  std::vector<Shard> shards;
  init::Rng rng(9);
  for (const ShardRange& r : row_shards(200)) {
    const std::size_t n = r.end - r.begin;
    shards.push_back({init::uniform<float>({n, 784}, 0, 1, rng), init::normal<float>({10, 784}, 0, 0.01, rng),
                      init::normal<float>({n, 10}, 0, 0.1, rng), {}, {}});
  }
  for (auto _ : state) {
    parallel_chunks(Chunks{shards.size(), shards.size()}, [&](std::size_t s, std::size_t, std::size_t) {
      Shard& d = shards[s];
      kernels::gemm(false, true, 1.0f, d.x, d.w, 0.0f, d.z);
      kernels::gemm(true, false, 1.0f, d.dz, d.x, 0.0f, d.dw);
    });
    benchmark::DoNotOptimize(shards.data());
  }
}

// The matrix products of one training step of the MLP 784-128-64-10 on 200 rows, each one call
// on the whole batch as PyTorch makes them (bench/peers/pytorch.py times the same eight): the
// forward Zₗ = Hₗ₋₁·Wₗᵀ of the three layers, the weight adjoints ∂Wₗ = ∂Zₗᵀ·Hₗ₋₁ and the input
// adjoints ∂Hₗ₋₁ = ∂Zₗ·Wₗ of the upper two (the images need none). They are 90.9 MFLOP, nearly all
// of the step's arithmetic, so no engine's step on this BLAS takes less: beside
// train_step/mlp/f32 (its own and PyTorch's) it says how far a target below it can be reached.
// Runs on the calling thread, with OpenBLAS's own threads (OPENBLAS_NUM_THREADS).
void step_products(benchmark::State& state) {
  init::Rng rng(10);
  const std::size_t widths[] = {784, 128, 64, 10}, rows = 200;
  std::vector<Tensor<float>> h, w, dz, z(3), dw(3), dh(3);  // h[l] is layer l's input
  for (std::size_t l = 0; l < 3; ++l) {
    h.push_back(init::uniform<float>({rows, widths[l]}, 0, 1, rng));
    w.push_back(init::normal<float>({widths[l + 1], widths[l]}, 0, 0.05, rng));
    dz.push_back(init::normal<float>({rows, widths[l + 1]}, 0, 0.1, rng));
  }
  for (auto _ : state) {
    for (std::size_t l = 0; l < 3; ++l) kernels::gemm(false, true, 1.0f, h[l], w[l], 0.0f, z[l]);
    for (std::size_t l = 3; l-- > 0;) {
      kernels::gemm(true, false, 1.0f, dz[l], h[l], 0.0f, dw[l]);
      if (l > 0) kernels::gemm(false, false, 1.0f, dz[l], w[l], 0.0f, dh[l]);
    }
    benchmark::DoNotOptimize(dw.data());
  }
}

struct LenetC2 {
  Var<float> x, w, b;
  explicit LenetC2(bool requires_grad)
      : x(make({200, 6, 14, 14}, 6), requires_grad),
        w(make({16, 6, 5, 5}, 7), requires_grad),
        b(make({16}, 8), requires_grad) {}
  static Tensor<float> make(const Shape& s, std::uint64_t seed) {
    init::Rng rng(seed);
    return init::normal<float>(s, 0, 0.1, rng);
  }
};

void conv2d_fwd(benchmark::State& state) {
  const LenetC2 c(false);
  for (auto _ : state) benchmark::DoNotOptimize(conv2d(c.x, c.w, c.b));
}

// The backward pass of sum(conv2d(x, w, b)) into x, w and b; the forward is not timed.
void conv2d_bwd(benchmark::State& state) {
  const LenetC2 c(true);
  for (auto _ : state) {
    state.PauseTiming();
    Var<float> loss = sum(conv2d(c.x, c.w, c.b));
    state.ResumeTiming();
    loss.backward();
    state.PauseTiming();
    for (auto v : {c.x, c.w, c.b}) v.zero_grad();
    state.ResumeTiming();
  }
}

// A parallel loop of 200 items of about a microsecond each (a sum of 1,000 terms), the grain of
// nn's loops: parallel_blocks/round through nn's worker pool, and as a reference,
// thread_per_loop/round with a thread started and joined for every loop.
double item_work(std::size_t i) {
  double s = 0;
  for (std::size_t k = 1; k <= 1000; ++k) s += 1.0 / double(i + k);
  return s;
}

void pool_round(benchmark::State& state) {
  std::vector<double> out(200);
  for (auto _ : state) {
    parallel_blocks(out.size(), 1, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t i = b; i < e; ++i) out[i] = item_work(i);
    });
    benchmark::DoNotOptimize(out.data());
  }
}

void thread_round(benchmark::State& state) {
  std::vector<double> out(200);
  const std::size_t helpers = worker_count() - 1;
  for (auto _ : state) {
    std::atomic<std::size_t> next{0};
    auto run = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < out.size();) out[i] = item_work(i);
    };
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < helpers; ++k) threads.emplace_back(run);
    run();
    for (auto& t : threads) t.join();
    benchmark::DoNotOptimize(out.data());
  }
}

template <class F>
void add(const char* name, F&& f) {
  benchmark::RegisterBenchmark(name, std::forward<F>(f))->Unit(benchmark::kMillisecond);
}

// `name` as it runs, and `one_worker/name`: the same workload with one worker (WorkerLimit) and
// OpenBLAS on one thread, as SADDLE_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 would run it. In one
// process, with --benchmark_enable_random_interleaving, the repetitions of both mix within seconds
// of each other, so that a slow spell of a shared machine falls on both thread counts alike
// (bench/thread_scaling.py).
template <class F>
void add_scaling(const std::string& name, F f) {
  add(name.c_str(), f);
  add(("one_worker/" + name).c_str(), [f](benchmark::State& s) {
    const WorkerLimit one(1);
    const SingleThreadedBlas blas;
    f(s);
  });
}

// The workers, or the one-line error of a bad SADDLE_NUM_THREADS and exit status 2 (this runs
// before main, where an exception would abort).
std::size_t workers_or_exit() {
  try {
    return worker_count();
  } catch (const Error& e) {
    std::fprintf(stderr, "saddle_bench: %s\n", e.what());
    std::exit(2);
  }
}

const int registered = [] {
  // In the report's context, so that a table says which build of the kernels it measured.
  benchmark::AddCustomContext("saddle_conv_kernels", conv::direct::isa());
  benchmark::AddCustomContext("saddle_nn_workers", std::to_string(workers_or_exit()));
  const BlasInfo blas = blas_info();  // which BLAS kernel the products ran on (base/blas_info.hpp)
  benchmark::AddCustomContext("blas", describe(blas));
  benchmark::AddCustomContext("blas_config", blas.config);
  add_scaling("train_step/softmax/f32", [](benchmark::State& s) { train_step<float>(s, "softmax"); });
  add_scaling("train_step/mlp/f32", [](benchmark::State& s) { train_step<float>(s, "mlp"); });
  add_scaling("train_step/cnn/f32", [](benchmark::State& s) { train_step<float>(s, "cnn"); });
  add_scaling("train_step/lenet5/f32", [](benchmark::State& s) { train_step<float>(s, "lenet5"); });
  add("hvp/mlp_model/f64", [](benchmark::State& s) { hvp_step<double>(s, "mlp"); });
  add_scaling("hvp/lenet5/f64", [](benchmark::State& s) { hvp_step<double>(s, "lenet5"); });
  add_scaling("shard_products/softmax/f32", shard_products);
  add("step_products/mlp/f32", step_products);
  add("conv2d_fwd/lenet5_c2/f32", conv2d_fwd);
  add("conv2d_bwd/lenet5_c2/f32", conv2d_bwd);
  benchmark::RegisterBenchmark("parallel_blocks/round", pool_round)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("thread_per_loop/round", thread_round)->Unit(benchmark::kMicrosecond);
  return 0;
}();

}  // namespace
