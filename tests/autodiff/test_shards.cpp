// Sums over shards (autodiff/shards.hpp): the value, gradient and H·v of Σ_s w_s f_s against the
// functional API on the whole sum, the same bits for any number of workers, terms that draw random
// numbers run in shard order, and the fixed split of a batch's rows.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include "saddle/autodiff.hpp"
#include "saddle/base/parallel.hpp"
#include "tests/tensor_helpers.hpp"

using namespace saddle;
using saddle::testing::randn;
using saddle::testing::same_bits;

namespace {

double max_abs_diff(const TensorList<double>& a, const TensorList<double>& b) {
  double d = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    for (std::size_t i = 0; i < a[k].size(); ++i) d = std::max(d, std::abs(a[k].data()[i] - b[k].data()[i]));
  return d;
}

// A small nonlinear least-squares-like loss over the rows of X (n × 3): the mean over rows r of
// Σ_j tanh(x_r W + b)_j², with θ = (W (3 × 4), b (1 × 4)).
struct Rows {
  Tensor<double> X;
  explicit Rows(std::size_t n, std::mt19937_64& rng) : X(randn({n, 3}, rng)) {}
  std::size_t n() const { return X.shape()[0]; }
  Tensor<double> slice(std::size_t begin, std::size_t end) const {
    Tensor<double> out = zeros_tensor<double>(Shape{end - begin, 3});
    std::memcpy(out.data(), X.data() + begin * 3, (end - begin) * 3 * sizeof(double));
    return out;
  }
  static Var<double> mean_loss(const std::vector<Var<double>>& theta, const Tensor<double>& rows) {
    const Var<double> h = tanh(matmul(Var<double>(rows), theta[0]) + theta[1]);
    return sum(h * h) / static_cast<double>(rows.shape()[0]);
  }
};

struct Split {
  std::vector<ShardRange> shards;
  std::vector<double> weights;
  explicit Split(std::size_t n) : shards(row_shards(n)) {
    for (const ShardRange& r : shards) weights.push_back(double(r.end - r.begin) / double(n));
  }
};

ShardSum<double> over_shards(const Rows& rows, const Split& split, const TensorList<double>& theta,
                             const TensorList<double>* v, ShardDerivatives what) {
  ShardSum<double> total;
  add_over_shards<double>(
      [&](const std::vector<Var<double>>& x, std::size_t s) {
        return Rows::mean_loss(x, rows.slice(split.shards[s].begin, split.shards[s].end));
      },
      theta, v, split.weights, what, total);
  return total;
}

}  // namespace

TEST_SUITE("shards") {
  TEST_CASE("row_shards cover [0, n) in order: a power of two of them, of at least kShardRows rows when several") {
    for (std::size_t n : {1, 5, 31, 32, 63, 64, 100, 200, 1000, 5000, 100000}) {
      CAPTURE(n);
      const std::vector<ShardRange> s = row_shards(n);
      REQUIRE(!s.empty());
      CHECK(std::has_single_bit(s.size()));
      CHECK(s.front().begin == 0);
      CHECK(s.back().end == n);
      for (std::size_t k = 0; k < s.size(); ++k) {
        if (k > 0) CHECK(s[k].begin == s[k - 1].end);
        if (s.size() > 1) CHECK(s[k].end - s[k].begin >= kShardRows);
      }
      // As many as the rows allow: twice as many would leave a shard under kShardRows.
      if (n >= 2 * kShardRows && s.size() < kMaxChunks) CHECK(n / (2 * s.size()) < kShardRows);
    }
  }

  TEST_CASE("a sum over shards has the value, gradient and H·v of the whole mean") {
    std::mt19937_64 rng(1);
    const Rows rows(200, rng);
    const Split split(rows.n());
    REQUIRE(split.shards.size() == 4);
    const TensorList<double> theta{randn({3, 4}, rng), randn({1, 4}, rng)};
    const TensorList<double> v{randn({3, 4}, rng), randn({1, 4}, rng)};
    const HvpResult<double> whole =
        value_grad_hvp([&](const std::vector<Var<double>>& x) { return Rows::mean_loss(x, rows.X); }, theta, v);

    const ShardSum<double> value = over_shards(rows, split, theta, nullptr, ShardDerivatives::none);
    const ShardSum<double> grad = over_shards(rows, split, theta, nullptr, ShardDerivatives::gradient);
    const ShardSum<double> hv = over_shards(rows, split, theta, &v, ShardDerivatives::hvp);
    // Sums of 200 terms of size O(1) regrouped: rounding differences of a few ulps of the sums.
    CHECK(value.value == doctest::Approx(whole.value).epsilon(1e-13));
    CHECK(value.grad.empty());
    CHECK(grad.value == doctest::Approx(whole.value).epsilon(1e-13));
    CHECK(max_abs_diff(grad.grad, whole.grad) < 1e-13);
    CHECK(hv.hvp.size() == 2);
    CHECK(max_abs_diff(hv.grad, whole.grad) < 1e-13);
    CHECK(max_abs_diff(hv.hvp, whole.hvp) < 1e-12);
  }

  TEST_CASE("calls accumulate: two halves of the rows add up to the whole, with their weights") {
    std::mt19937_64 rng(2);
    const Rows rows(256, rng);
    const TensorList<double> theta{randn({3, 4}, rng), randn({1, 4}, rng)};
    const ShardSum<double> whole = over_shards(rows, Split(256), theta, nullptr, ShardDerivatives::gradient);
    ShardSum<double> halves;
    for (std::size_t h = 0; h < 2; ++h) {
      const Split split(128);
      std::vector<double> w;
      for (double x : split.weights) w.push_back(x / 2);
      add_over_shards<double>(
          [&](const std::vector<Var<double>>& x, std::size_t s) {
            return Rows::mean_loss(x, rows.slice(128 * h + split.shards[s].begin, 128 * h + split.shards[s].end));
          },
          theta, nullptr, w, ShardDerivatives::gradient, halves);
    }
    CHECK(halves.value == doctest::Approx(whole.value).epsilon(1e-13));
    CHECK(max_abs_diff(halves.grad, whole.grad) < 1e-13);
  }

  TEST_CASE("the sums have the same bits for 1, 2 and 3 workers, run after run") {
    std::mt19937_64 rng(3);
    const Rows rows(1000, rng);
    const Split split(rows.n());
    const TensorList<double> theta{randn({3, 4}, rng), randn({1, 4}, rng)};
    const TensorList<double> v{randn({3, 4}, rng), randn({1, 4}, rng)};
    const ShardSum<double> first = [&] {
      const WorkerLimit one(1);
      return over_shards(rows, split, theta, &v, ShardDerivatives::hvp);
    }();
    for (std::size_t workers : {2, 3, 2, 2, 1}) {
      CAPTURE(workers);
      const WorkerLimit limit(workers);
      const ShardSum<double> again = over_shards(rows, split, theta, &v, ShardDerivatives::hvp);
      CHECK(std::memcmp(&again.value, &first.value, sizeof(double)) == 0);
      CHECK(same_bits(again.grad, first.grad));
      CHECK(same_bits(again.hvp, first.hvp));
    }
  }

  TEST_CASE("any number of shards, terms that reach some leaves, H·v tangents that are structurally zero: "
            "the weighted sums of the terms' own derivatives, the same bits for 1, 2 and 3 workers") {
    std::mt19937_64 rng(4);
    const TensorList<double> theta{randn({2, 3}, rng), randn({3}, rng), randn({2}, rng)};  // no term reads θ₂
    const TensorList<double> v{randn({2, 3}, rng), randn({3}, rng), randn({2}, rng)};
    // Four kinds of term: θ₀ alone, θ₁ alone and linear (its adjoint has no tangent), both, θ₀ linear.
    const ShardTerm<double> f = [](const std::vector<Var<double>>& x, std::size_t s) {
      const double c = 1.0 + 0.25 * double(s);
      switch (s % 4) {
        case 0:
          return sum(x[0] * x[0] * c);
        case 1:
          return sum(x[1] * c);
        case 2:
          return sum(tanh(x[0]) * x[1]) * c;
        default:
          return sum(x[0] * c);
      }
    };
    for (std::size_t K : {1, 2, 3, 5, 6, 7, 8, 13}) {
      CAPTURE(K);
      std::vector<double> w(K);
      for (std::size_t s = 0; s < K; ++s) w[s] = 1.0 / double(s + 2);
      HvpResult<double> expected{0.0, zeros_like(theta), zeros_like(theta)};
      for (std::size_t s = 0; s < K; ++s) {
        const HvpResult<double> r =
            value_grad_hvp([&](const std::vector<Var<double>>& x) { return f(x, s); }, theta, v);
        expected.value += w[s] * r.value;
        for (std::size_t i = 0; i < theta.size(); ++i) {
          expected.grad[i] += w[s] * r.grad[i];
          expected.hvp[i] += w[s] * r.hvp[i];
        }
      }
      std::optional<ShardSum<double>> first;
      for (std::size_t workers : {1, 2, 3}) {
        CAPTURE(workers);
        const WorkerLimit limit(workers);
        ShardSum<double> total;
        add_over_shards<double>(f, theta, &v, w, ShardDerivatives::hvp, total);
        // K terms of size O(1) summed in another grouping: a few ulps.
        CHECK(total.value == doctest::Approx(expected.value).epsilon(1e-13));
        CHECK(max_abs_diff(total.grad, expected.grad) < 1e-13);
        CHECK(max_abs_diff(total.hvp, expected.hvp) < 1e-13);
        for (const TensorList<double>* l : {&total.grad, &total.hvp})
          for (double e : (*l)[2]) CHECK(e == 0.0);
        if (!first) {
          first = total;
          continue;
        }
        CHECK(same_bits(total.grad, first->grad));
        CHECK(same_bits(total.hvp, first->hvp));
      }
    }
  }

  TEST_CASE("a θ of a layer's size: every leaf holds θ and v, the derivatives their closed forms, the same bits "
            "for 1, 2 and 3 workers") {
    std::mt19937_64 rng(8);
    // 80,001 entries, as many as an MLP's first layer reads.
    const TensorList<double> theta{randn({50000}, rng), randn({30001}, rng)};
    const TensorList<double> v{randn({50000}, rng), randn({30001}, rng)};
    // f_s = c_s Σ θ₀² + d_s Σ θ₁³: ∇ = (2 c_s θ₀, 3 d_s θ₁²), ∇²·v = (2 c_s v₀, 6 d_s θ₁ v₁).
    const ShardTerm<double> f = [](const std::vector<Var<double>>& x, std::size_t s) {
      const double c = 1.0 + double(s), d = 0.5 - 0.25 * double(s);
      return sum(x[0] * x[0]) * c + sum(x[1] * x[1] * x[1]) * d;
    };
    const std::vector<double> w{0.25, 0.25, 0.25, 0.25};
    double c = 0, d = 0;  // Σ w_s c_s, Σ w_s d_s
    for (std::size_t s = 0; s < 4; ++s) {
      c += w[s] * (1.0 + double(s));
      d += w[s] * (0.5 - 0.25 * double(s));
    }
    std::optional<ShardSum<double>> first;
    for (std::size_t workers : {1, 2, 3}) {
      CAPTURE(workers);
      const WorkerLimit limit(workers);
      ShardSum<double> gradient, hv;
      add_over_shards<double>(f, theta, nullptr, w, ShardDerivatives::gradient, gradient);
      add_over_shards<double>(f, theta, &v, w, ShardDerivatives::hvp, hv);
      double worst = 0;  // the largest error against the closed forms, relative to the entry's scale
      for (std::size_t i = 0; i < theta[0].size(); ++i) {
        const double t = theta[0].data()[i];
        worst = std::max(worst, std::abs(gradient.grad[0].data()[i] - 2 * c * t) / (1 + std::abs(2 * c * t)));
        worst = std::max(worst, std::abs(hv.hvp[0].data()[i] - 2 * c * v[0].data()[i]) / (1 + std::abs(2 * c)));
      }
      for (std::size_t i = 0; i < theta[1].size(); ++i) {
        const double t = theta[1].data()[i], u = v[1].data()[i];
        worst = std::max(worst, std::abs(gradient.grad[1].data()[i] - 3 * d * t * t) / (1 + std::abs(3 * d * t * t)));
        worst = std::max(worst, std::abs(hv.hvp[1].data()[i] - 6 * d * t * u) / (1 + std::abs(6 * d * t * u)));
      }
      // Four terms of a few roundings each, summed: a few ulps.
      CHECK(worst < 1e-14);
      CHECK(same_bits(hv.grad, gradient.grad));
      if (!first) {
        first = hv;
        continue;
      }
      CHECK(same_bits(hv.grad, first->grad));
      CHECK(same_bits(hv.hvp, first->hvp));
    }
  }

  TEST_CASE("the tree's sums are the same bits run after run, whichever worker finishes a pair first") {
    // Terms of about the same length on 2 and 3 workers, over parameters large enough that a
    // node's sum takes as long as a term: each node is summed by whichever of its halves finishes
    // second, often several nodes in one pass, while the other workers arrive.
    std::mt19937_64 rng(5);
    const TensorList<double> theta{randn({20000}, rng), randn({8}, rng)};
    const ShardTerm<double> f = [](const std::vector<Var<double>>& x, std::size_t s) {
      return sum(x[0] * x[0] * (1.0 + double(s))) + sum(x[1]) * double(s % 3);
    };
    for (std::size_t K : {8, 13, 16}) {
      CAPTURE(K);
      const std::vector<double> w(K, 1.0 / double(K));
      ShardSum<double> first;
      {
        const WorkerLimit one(1);
        add_over_shards<double>(f, theta, nullptr, w, ShardDerivatives::gradient, first);
      }
      for (int run = 0; run < 100; ++run) {
        const WorkerLimit limit(2 + run % 2);
        ShardSum<double> again;
        add_over_shards<double>(f, theta, nullptr, w, ShardDerivatives::gradient, again);
        REQUIRE(same_bits(again.grad, first.grad));
      }
    }
  }

  TEST_CASE("terms that call require_shard_order run one after another, in shard order, for any workers") {
    require_shard_order();  // outside a sum: nothing to order
    const TensorList<double> theta{Tensor<double>(xt::xarray<double>{1.5})};
    for (std::size_t workers : {1, 2, 3}) {
      CAPTURE(workers);
      const WorkerLimit limit(workers);
      std::mt19937_64 shared_rng(7);  // one generator for all the terms, as a Dropout layer has
      std::vector<std::size_t> order;
      std::mutex m;
      ShardSum<double> total;
      const std::vector<double> w(8, 1.0 / 8);
      add_over_shards<double>(
          [&](const std::vector<Var<double>>& x, std::size_t s) {
            require_shard_order();
            const double draw = std::uniform_real_distribution<double>(0, 1)(shared_rng);
            std::lock_guard lock(m);
            order.push_back(s);
            return x[0] * draw;
          },
          theta, nullptr, w, ShardDerivatives::gradient, total);
      std::vector<std::size_t> expected(8);
      for (std::size_t s = 0; s < 8; ++s) expected[s] = s;
      CHECK(order == expected);
      // The draws in shard order: Σ_s (1/8)·u_s·θ, with u_s the generator's s-th number.
      std::mt19937_64 replay(7);
      double g = 0;
      for (int s = 0; s < 8; ++s) g += std::uniform_real_distribution<double>(0, 1)(replay) / 8;
      CHECK(total.grad[0].data()[0] == doctest::Approx(g).epsilon(1e-15));
      CHECK(total.value == doctest::Approx(1.5 * g).epsilon(1e-15));
    }
  }

  TEST_CASE("a term that is a parameter itself, and parameters no term reaches, get their gradients") {
    const TensorList<double> theta{Tensor<double>(xt::xarray<double>{2.0}), Tensor<double>(xt::xarray<double>{3.0})};
    ShardSum<double> total;
    const std::vector<double> w{0.25, 0.75};
    add_over_shards<double>([](const std::vector<Var<double>>& x, std::size_t) { return x[0]; }, theta, nullptr, w,
                            ShardDerivatives::gradient, total);
    CHECK(total.value == doctest::Approx(2.0));
    CHECK(total.grad[0].data()[0] == doctest::Approx(1.0));
    CHECK(total.grad[1].data()[0] == 0.0);
  }

  TEST_CASE("the caller's detect_anomaly and no_grad hold in every shard, whichever thread runs it") {
    const TensorList<double> theta{Tensor<double>(xt::xarray<double>{1.0, 2.0})};
    const std::vector<double> w(4, 0.25);
    // log(θ − 3) is NaN; shard 3 alone takes it.
    const ShardTerm<double> f = [](const std::vector<Var<double>>& x, std::size_t s) {
      return s == 3 ? sum(log(x[0] - 3.0)) : sum(x[0] * x[0]);
    };
    for (std::size_t workers : {1, 2, 3}) {
      CAPTURE(workers);
      const WorkerLimit limit(workers);
      ShardSum<double> total;
      {
        const detect_anomaly on;
        CHECK_THROWS_WITH_AS(add_over_shards<double>(f, theta, nullptr, w, ShardDerivatives::gradient, total),
                             doctest::Contains("anomaly: 'log'"), Error);
      }
      ShardSum<double> quiet;
      {
        const no_grad off;  // nothing recorded: the gradient is zero, as value_and_grad's under no_grad
        add_over_shards<double>([](const std::vector<Var<double>>& x, std::size_t) { return sum(x[0] * x[0]); },
                                theta, nullptr, w, ShardDerivatives::gradient, quiet);
      }
      CHECK(quiet.value == doctest::Approx(5.0));
      CHECK(quiet.grad[0].data()[0] == 0.0);
      CHECK(quiet.grad[0].data()[1] == 0.0);
    }
  }

  TEST_CASE("lists of numbers: Σ w_s f(s) added shard after shard, the same bits for any workers") {
    // Terms whose sums round differently in another order: entries of magnitudes 1e±8.
    const std::size_t K = 8, length = 50;
    std::vector<std::vector<double>> terms(K, std::vector<double>(length));
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal;
    for (auto& t : terms)
      for (double& e : t) e = normal(rng) * std::pow(10.0, 8.0 * normal(rng));
    std::vector<double> w(K);
    for (double& e : w) e = std::abs(normal(rng));
    const std::vector<double> start(length, 0.125);
    std::vector<double> expected = start;  // start + w_0 t_0 + w_1 t_1 + …, left to right
    for (std::size_t s = 0; s < K; ++s)
      for (std::size_t i = 0; i < length; ++i) {
        volatile double product = w[s] * terms[s][i];  // rounded before the sum, as the library does
        expected[i] += product;
      }
    for (std::size_t workers : {1, 2, 3, 2}) {
      CAPTURE(workers);
      const WorkerLimit limit(workers);
      std::vector<double> total = start;
      add_over_shards([&](std::size_t s) { return terms[s]; }, w, total);
      CHECK(std::memcmp(total.data(), expected.data(), length * sizeof(double)) == 0);
    }
    // A term that draws numbers runs in shard order; a term of another length is refused by name.
    const WorkerLimit two(2);
    std::vector<std::size_t> order;
    std::mutex m;
    std::vector<double> total(1, 0.0);
    add_over_shards(
        [&](std::size_t s) {
          require_shard_order();
          std::lock_guard lock(m);
          order.push_back(s);
          return std::vector<double>{1.0};
        },
        w, total);
    CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK_THROWS_WITH_AS(add_over_shards([](std::size_t s) { return std::vector<double>(s == 5 ? 2 : 1); }, w, total),
                         "add_over_shards: shard 5 gave 2 numbers, expected 1", Error);
    CHECK_THROWS_WITH_AS(add_over_shards([](std::size_t) { return std::vector<double>(1); }, {}, total),
                         doctest::Contains("no shards"), Error);
  }

  TEST_CASE("bad sums are refused by name, and a term's Error comes through") {
    const TensorList<double> theta{Tensor<double>(xt::xarray<double>{1.0, 2.0})};
    ShardSum<double> total;
    const ShardTerm<double> sum_term = [](const std::vector<Var<double>>& x, std::size_t) { return sum(x[0]); };
    CHECK_THROWS_WITH_AS(add_over_shards<double>(sum_term, theta, nullptr, {}, ShardDerivatives::gradient, total),
                         doctest::Contains("no shards"), Error);
    const std::vector<double> w{0.5, 0.5};
    CHECK_THROWS_WITH_AS(add_over_shards<double>(sum_term, theta, nullptr, w, ShardDerivatives::hvp, total),
                         doctest::Contains("needs a vector v"), Error);
    CHECK_THROWS_WITH_AS(add_over_shards<double>([](const std::vector<Var<double>>& x, std::size_t) { return x[0]; },
                                                 theta, nullptr, w, ShardDerivatives::gradient, total),
                         doctest::Contains("a term must be a scalar"), Error);
    CHECK_THROWS_WITH_AS(add_over_shards<double>(
                             [](const std::vector<Var<double>>& x, std::size_t s) -> Var<double> {
                               if (s == 1) throw Error("shard 1 refuses");
                               return sum(x[0]);
                             },
                             theta, nullptr, w, ShardDerivatives::gradient, total),
                         "shard 1 refuses", Error);
  }
}
