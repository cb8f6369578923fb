// Determinism of nn's parallel loops: sums over the items go through fixed chunks added in chunk
// order, so gradients, Hessian-vector products and training steps come out bit-identical for 1,
// 2 and 3 workers and on every run (a worker count above SADDLE_NUM_THREADS runs as that count;
// tests/nn/meson.build runs this suite again with 3 workers); OpenBLAS's thread count survives
// loops of two threads overlapping; SADDLE_NUM_THREADS is read strictly.
#include <cblas.h>
#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "saddle/nn.hpp"
#include "saddle/objective.hpp"
#include "saddle/base/parallel.hpp"
#include "tests/error_of.hpp"
#include "tests/tensor_helpers.hpp"

using namespace saddle;
using namespace saddle::nn;

namespace {

using saddle::testing::same_bits;  // lists of tensors; the overload below takes plain vectors

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Runs `compute` under worker limits 1, 2, 3 and three more times with 2, and checks every result
// has the bits of the first.
template <class F>
void check_same_bits_for_any_workers(F&& compute) {
  const auto first = [&] {
    WorkerLimit one(1);
    return compute();
  }();
  for (std::size_t workers : {1, 2, 3, 2, 2, 2}) {
    CAPTURE(workers);
    WorkerLimit limit(workers);
    CHECK(same_bits(compute(), first));
  }
}

}  // namespace

TEST_SUITE("determinism") {
  TEST_CASE("SADDLE_NUM_THREADS is a whole number in 1..256, and unset means the hardware's count") {
    CHECK(parse_num_threads(nullptr, 8) == 8);
    CHECK(parse_num_threads(nullptr, 0) == 1);  // hardware_concurrency() may not know
    CHECK(parse_num_threads(nullptr, 1000) == kMaxWorkers);
    CHECK(parse_num_threads("1", 8) == 1);
    CHECK(parse_num_threads("3", 8) == 3);
    CHECK(parse_num_threads("007", 8) == 7);
    CHECK(parse_num_threads("256", 8) == 256);
    CHECK(testing::error_of([] { parse_num_threads("abc", 8); }) ==
          "SADDLE_NUM_THREADS = 'abc' is not a whole number in 1..256");
    for (const std::string bad :
         {"", "-4", "0", "257", "100000", "99999999999999999999999999", "2x", " 2", "+2", "2.0"}) {
      CAPTURE(bad);
      CHECK(testing::error_of([&] { parse_num_threads(bad.c_str(), 8); }) ==
            "SADDLE_NUM_THREADS = '" + bad + "' is not a whole number in 1..256");
    }
  }

  TEST_CASE("fixed_chunks cover [0, n) in order: a power of two of them, of at least `grain` items when several") {
    for (std::size_t n : {0, 1, 5, 63, 64, 65, 1000, 100000}) {
      for (std::size_t grain : {1, 7, 100}) {
        CAPTURE(n);
        CAPTURE(grain);
        const Chunks chunks = fixed_chunks(n, grain);
        CHECK((chunks.count == 0) == (n == 0));
        CHECK(chunks.count <= kMaxChunks);
        CHECK(std::has_single_bit(chunks.count) == (n > 0));                   // shared evenly among 2, 4, 8… workers
        if (n > 0) CHECK(2 * chunks.count > std::min(kMaxChunks, n / grain));  // over half what the grain allows
        std::size_t next = 0;
        for (std::size_t c = 0; c < chunks.count; ++c) {
          REQUIRE(chunks.begin(c) == next);
          REQUIRE(chunks.end(c) > chunks.begin(c));
          if (chunks.count > 1) REQUIRE(chunks.end(c) - chunks.begin(c) >= grain);
          next = chunks.end(c);
        }
        CHECK(next == n);
      }
    }
  }

  TEST_CASE("parallel_sum adds each chunk in item order and the chunks in chunk order, for any workers") {
    // Terms of magnitudes 2^-30 … 2^30: another grouping of the additions changes the bits.
    constexpr std::size_t n = 1000, size = 3, grain = 10;
    init::Rng rng(7);
    std::vector<double> terms(n * size);
    for (auto& t : terms) t = std::ldexp(double(rng() % 2001) - 1000.0, int(rng() % 61) - 30);
    auto body = [&](std::size_t begin, std::size_t end, double* partial) {
      for (std::size_t i = begin; i < end; ++i)
        for (std::size_t j = 0; j < size; ++j) partial[j] += terms[i * size + j];
    };
    const Chunks chunks = fixed_chunks(n, grain);
    std::vector<double> expected(size, 0.0), sequential(size, 0.0);
    for (std::size_t c = 0; c < chunks.count; ++c) {
      std::vector<double> part(size, 0.0);
      body(chunks.begin(c), chunks.end(c), part.data());
      for (std::size_t j = 0; j < size; ++j) expected[j] = c == 0 ? part[j] : expected[j] + part[j];
    }
    body(0, n, sequential.data());
    REQUIRE_FALSE(same_bits(expected, sequential));  // the terms tell the two orders apart
    check_same_bits_for_any_workers([&] { return parallel_sum<double>(n, grain, size, body); });
    CHECK(same_bits(parallel_sum<double>(n, grain, size, body), expected));
    CHECK(same_bits(parallel_sum<double>(0, grain, size, body), std::vector<double>(size, 0.0)));
  }

  TEST_CASE("parallel_sum of large vectors uses fewer chunks, its slots within kMaxSumBytes") {
    const std::size_t size = kMaxSumBytes / sizeof(double) / 4;  // four slots fit
    std::atomic<std::size_t> chunks{0};
    const std::vector<double> sum = parallel_sum<double>(64, 1, size, [&](std::size_t b, std::size_t e, double* p) {
      ++chunks;
      p[0] += double(e - b);
      p[size - 1] += 1;
    });
    CHECK(chunks.load() >= 1);
    CHECK(chunks.load() <= 4);
    CHECK(sum[0] == 64.0);
    CHECK(sum[size - 1] == double(chunks.load()));
  }

  TEST_CASE_TEMPLATE("conv2d's gradients and Hessian-vector products are bit-identical for any workers", T, float,
                     double) {
    struct Case {
      Shape x, w;
      std::size_t stride, pad;
    };
    // LeNet-5's second layer (the direct loops) and a strided layer (im2col and BLAS).
    for (const Case& c : {Case{{120, 6, 14, 14}, {16, 6, 5, 5}, 1, 0}, Case{{24, 16, 16, 16}, {32, 16, 3, 3}, 2, 1}}) {
      CAPTURE(c.stride);
      init::Rng rng(3);
      TensorList<T> theta, v;
      for (const Shape& s : {c.x, c.w, Shape{c.w[0]}}) {
        theta.push_back(init::normal<T>(s, 0, 1, rng));
        v.push_back(init::normal<T>(s, 0, 1, rng));
      }
      auto f = [&](const std::vector<Var<T>>& p) {
        const Var<T> y = conv2d(p[0], p[1], p[2], c.stride, c.pad);
        return sum(y * y);
      };
      check_same_bits_for_any_workers([&] {
        const HvpResult<T> r = value_grad_hvp(f, theta, v);
        TensorList<T> all = r.grad;
        all.insert(all.end(), r.hvp.begin(), r.hvp.end());
        return all;
      });
    }
  }

  TEST_CASE("elementwise passes over the workers: tanh's gradient and Hessian-vector product, bit-identical") {
    // 150,000 entries: above the size where the fused passes go over the workers (elementary.hpp).
    init::Rng rng(7);
    const TensorList<double> theta{init::normal<double>({300, 500}, 0, 1, rng)};
    const TensorList<double> v{init::normal<double>({300, 500}, 0, 1, rng)};
    auto f = [](const std::vector<Var<double>>& p) { return sum(tanh(p[0])); };
    check_same_bits_for_any_workers([&] {
      const HvpResult<double> r = value_grad_hvp(f, theta, v);
      return TensorList<double>{r.grad[0], r.hvp[0]};
    });
    // against the derivatives by hand: ∂/∂x tanh = 1 − t², and H·v = −2t(1 − t²)·v, entry by entry
    WorkerLimit two(2);
    const HvpResult<double> r = value_grad_hvp(f, theta, v);
    double worst = 0;
    for (std::size_t i = 0; i < theta[0].size(); ++i) {
      const double t = std::tanh(theta[0].data()[i]), d = 1 - t * t;
      worst = std::max({worst, std::abs(r.grad[0].data()[i] - d), std::abs(r.hvp[0].data()[i] + 2 * t * d * v[0].data()[i])});
    }
    CHECK(worst < 1e-14);
  }

  TEST_CASE("training steps of the CNN and LeNet-5 are bit-identical for any workers") {
    init::Rng rng(4);
    const Var<float> x(init::uniform<float>({100, 1, 28, 28}, 0, 1, rng));
    std::vector<Label> labels(100);
    for (auto& l : labels) l = int(rng() % 10);
    for (const std::string name : {"cnn", "lenet5"}) {
      CAPTURE(name);
      check_same_bits_for_any_workers([&] {
        auto model = make_model<float>(name, 5);
        for (int step = 0; step < 3; ++step) {  // θ ← θ − 0.1·∇L
          Var<float> loss = softmax_cross_entropy(model->forward(x), labels);
          loss.backward();
          for (auto& p : model->parameters()) {
            float* w = p.mutable_value().data();
            const float* g = p.grad().data();
            for (std::size_t i = 0; i < p.size(); ++i) w[i] -= 0.1f * g[i];
            p.zero_grad();
          }
        }
        return parameter_values(*model);
      });
    }
  }

  TEST_CASE("LeNet-5's Hessian-vector product in double is bit-identical for any workers") {
    init::Rng rng(6);
    auto model = make_model<double>("lenet5", 2);
    std::vector<Label> labels(100);
    for (auto& l : labels) l = int(rng() % 10);
    auto f = loss_of_parameters(*model, softmax_cross_entropy<double>,
                                init::uniform<double>({100, 1, 28, 28}, 0, 1, rng), labels);
    const TensorList<double> theta = parameter_values(*model);
    TensorList<double> v;
    for (const auto& t : theta) v.push_back(init::normal<double>(to_shape(t.shape()), 0, 1, rng));
    check_same_bits_for_any_workers([&] { return hvp(f, theta, v); });
  }

  TEST_CASE_TEMPLATE("Objective's value, gradient and H·v over the shards of a batch are bit-identical for any workers",
                     T, float, double) {
    init::Rng rng(8);
    const data::Dataset<T> images{init::uniform<T>({128, 1, 28, 28}, 0, 1, rng), std::vector<Label>(128)};
    auto model = make_model<T>("lenet5", 3);
    const Objective<T> f(cross_entropy_loss(*model), images, sample_range(0, 128, 128));  // 4 shards
    const TensorList<T> theta = parameter_values(*model);
    TensorList<T> v;
    for (const auto& t : theta) v.push_back(init::normal<T>(to_shape(t.shape()), 0, 1, rng));
    check_same_bits_for_any_workers([&] {
      const HvpResult<T> r = f.value_grad_hvp(theta, v);
      TensorList<T> out = r.grad;
      out.insert(out.end(), r.hvp.begin(), r.hvp.end());
      out.push_back(Tensor<T>(xt::xarray<T>{r.value, static_cast<T>(f.loss(theta))}));
      return out;
    });
  }

  TEST_CASE("ParameterSwap binds per thread: two threads run one model at once, each with its own parameters") {
    init::Rng rng(9);
    auto model = make_model<double>("mlp", 1);
    const Var<double> x(init::uniform<double>({4, 1, 28, 28}, 0, 1, rng));
    const TensorList<double> own = parameter_values(*model);
    std::vector<std::vector<Var<double>>> thetas(2);
    std::vector<Tensor<double>> expected(2);
    for (std::size_t k = 0; k < 2; ++k) {
      for (const auto& t : own) thetas[k].emplace_back(init::normal<double>(to_shape(t.shape()), 0, 0.1, rng));
      const ParameterSwap<double> swap(*model, thetas[k]);
      expected[k] = model->forward(x).value();
    }
    std::atomic<int> wrong{0};
    auto run = [&](std::size_t k) {
      for (int r = 0; r < 200; ++r) {
        const ParameterSwap<double> swap(*model, thetas[k]);
        if (model->forward(x).value() != expected[k]) ++wrong;
        if (model->named_parameters()[0].second.value() != thetas[k][0].value()) ++wrong;
      }
    };
    std::thread a(run, 0), b(run, 1);
    a.join();
    b.join();
    CHECK(wrong.load() == 0);
    CHECK(same_bits(parameter_values(*model), own));  // the model's own parameters never changed
  }

  TEST_CASE("Dropout's masks over the shards of a batch are drawn in shard order: the same bits for any workers") {
    init::Rng data_rng(10);
    const data::Dataset<double> rows{init::normal<double>({128, 8}, 0, 1, data_rng), std::vector<Label>(128, 1)};
    check_same_bits_for_any_workers([&] {
      init::Rng rng(11);
      Sequential<double> net;
      net.add(std::make_shared<Linear<double>>(8, 16, rng));
      net.add(std::make_shared<Dropout<double>>(0.5, 12));
      net.add(std::make_shared<Linear<double>>(16, 3, rng));
      const Objective<double> f(cross_entropy_loss(net), rows, sample_range(0, 128, 128));  // 4 shards
      TensorList<double> out;
      for (int step = 0; step < 2; ++step) {  // two draws of every mask
        const ValueAndGrad<double> g = f.value_and_grad(parameter_values(net));
        out.insert(out.end(), g.grad.begin(), g.grad.end());
      }
      return out;
    });
  }

  TEST_CASE("OpenBLAS's thread count is restored when parallel loops of two threads overlap") {
    const int before = openblas_get_num_threads();
    openblas_set_num_threads(2);
    REQUIRE(openblas_get_num_threads() == 2);
    std::atomic<bool> blas_single{true};
    // Items of ~20 µs, so that the two threads' loops overlap in every order.
    auto item = [&] {
      if (openblas_get_num_threads() != 1) blas_single = false;
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
      while (std::chrono::steady_clock::now() < until) {
      }
    };
    auto loops = [&] {
      for (int r = 0; r < 200; ++r) {
        parallel_blocks(4, 1, [&](std::size_t, std::size_t, std::size_t) { item(); });
        parallel_sum<double>(4, 1, 1, [&](std::size_t, std::size_t, double*) { item(); });
      }
    };
    std::thread a(loops), b(loops);
    a.join();
    b.join();
    if (worker_count() > 1) CHECK(blas_single.load());  // with one worker nothing runs in parallel
    CHECK(openblas_get_num_threads() == 2);
    openblas_set_num_threads(before);
  }
}
