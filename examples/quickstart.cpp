// quickstart — the engine in one screen: the loss of a two-layer network on random data, its
// gradient, one exact Hessian-vector product (forward-over-reverse), and the checkers' verdicts.
//
//   quickstart [--samples N] [--hidden H] [--seed S]
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <random>

#include "saddle/autodiff.hpp"
#include "saddle/base/tensor_list.hpp"
#include "examples/common/cli.hpp"

using namespace saddle;

namespace {
Tensor<double> randn(const Shape& s, std::mt19937_64& rng, double scale) {
  std::normal_distribution<double> normal(0, scale);
  Tensor<double> t = empty_tensor<double>(s);
  for (auto& e : t) e = normal(rng);
  return t;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The saddle engine on a two-layer network: loss, gradient, Hessian-vector product, checks."};
  std::size_t samples = 64, inputs = 8, hidden = 16, classes = 3;
  std::uint64_t seed = 0;
  app.add_option("--samples", samples, "number of random samples")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--hidden", hidden, "hidden units of the tanh layer")->check(CLI::Range(1, 4096))->capture_default_str();
  app.add_option("--seed", seed, "random seed")->check(examples::count())->capture_default_str();
  return examples::run_program("quickstart", app, argc, argv, [&] {
    std::mt19937_64 rng(seed);
    const Tensor<double> x = randn({samples, inputs}, rng, 1.0);
    std::vector<Label> labels(samples);
    for (auto& l : labels) l = Label(rng() % classes);

    // θ = (W1, b1, W2, b2);  f(θ) = mean cross-entropy of softmax(tanh(x W1 + b1) W2 + b2)
    const TensorList<double> theta{randn({inputs, hidden}, rng, 1 / std::sqrt(double(inputs))), randn({hidden}, rng, 0.1),
                                   randn({hidden, classes}, rng, 1 / std::sqrt(double(hidden))), randn({classes}, rng, 0.1)};
    auto loss = [&](const std::vector<Var<double>>& p) {
      const Var<double> h = tanh(matmul(Var<double>(x), p[0]) + p[1]);
      return -mean(pick(log_softmax(matmul(h, p[2]) + p[3], 1), labels));
    };

    const TensorList<double> v = random_normal_like(theta, rng);
    const HvpResult<double> r = value_grad_hvp(loss, theta, v);

    std::printf("two-layer tanh network, %zu samples, %zu parameters\n", samples, numel(theta));
    std::printf("  %s\n", examples::run_context().c_str());
    std::printf("  loss                 %.10f\n", r.value);
    std::printf("  |grad|               %.10f\n", saddle::norm(r.grad));
    std::printf("  |Hv| (random v)      %.10f\n", saddle::norm(r.hvp));
    std::printf("  vᵀHv / vᵀv           %.10f\n", saddle::dot(v, r.hvp) / saddle::dot(v, v));

    const CheckReport g = gradcheck(loss, theta);
    const CheckReport h = hvpcheck(loss, theta, v);
    std::printf("  %s\n  %s\n", g.message.c_str(), h.message.c_str());
    return g.ok && h.ok ? 0 : 1;
  });
}
