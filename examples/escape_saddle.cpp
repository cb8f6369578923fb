// escape_saddle — how many steps gradient descent and the saddle-escape methods of optim/ need to
// leave a strict saddle, as the dimension d grows.
//
// The objective is the finite sum f(x) = (1/n) Σᵢ [½xᵀDx + ¼‖x‖⁴ + aᵢᵀx], D = diag(1, …, 1, −1),
// started exactly at the saddle x = 0. The aᵢ come in pairs ±aᵢ of dyadic numbers, so ∇f(0) = 0
// exactly: gradient descent never moves. Each aᵢ has a component of order one along the
// negative-curvature direction e_d and entries of order 1/√d elsewhere (‖aᵢ‖ = O(1) for every d):
// the Correlated Negative Curvature condition of Daneshmand et al. 2018 with a constant that does
// not depend on d. An isotropic perturbation of radius r has a component of order r/√d along e_d,
// so PGD and ISO-PGD need more steps as d grows, CNC-PGD does not, and NCD finds e_d by Lanczos.
// "Escaped" means f < −0.2 (the minima ±e_d have f = −¼).
//
//   escape_saddle [--dims 10,100,1000,10000] [--trials 5] [--csv escape.csv] ...
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "saddle/autodiff/ops.hpp"
#include "examples/common/cli.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/output_paths.hpp"
#include "saddle/optim.hpp"

using namespace saddle;

namespace {

struct QuarticSaddle {
  std::size_t d, n;
  Tensor<double> diag;         // (d,1)
  data::Dataset<double> data;  // the aᵢ as rows (n,d)

  QuarticSaddle(std::size_t dim, std::size_t num_samples, std::uint64_t seed) : d(dim), n(num_samples) {
    diag = zeros_tensor<double>(Shape{d, 1});
    for (std::size_t j = 0; j < d; ++j) diag(j, 0) = j + 1 < d ? 1.0 : -1.0;
    // entries k/64 · 2^−m with 2^−m ≈ 1/√d off e_d: dyadic, so every partial sum is exact
    const double off_scale = std::ldexp(1.0, -static_cast<int>(std::lround(0.5 * std::log2(static_cast<double>(d)))));
    Tensor<double> samples = zeros_tensor<double>(Shape{n, d});
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> k(-64, 64);
    std::uniform_int_distribution<int> k_neg(32, 64);  // |aᵢ·e_d| ∈ [½, 1]
    for (std::size_t i = 0; i < n / 2; ++i) {
      for (std::size_t j = 0; j + 1 < d; ++j) samples(i, j) = k(rng) / 64.0 * off_scale;
      samples(i, d - 1) = (rng() & 1 ? 1 : -1) * k_neg(rng) / 64.0;
      for (std::size_t j = 0; j < d; ++j) samples(i + n / 2, j) = -samples(i, j);
    }
    data = unlabeled_data(std::move(samples));
  }

  // The mean of fᵢ over the rows aᵢ given: ½xᵀDx + ¼‖x‖⁴ + mean(aᵢᵀx).
  Var<double> loss(const std::vector<Var<double>>& x, const Tensor<double>& a) const {
    const Var<double>& v = x[0];
    const Var<double> quadratic = 0.5 * sum(Var<double>(diag) * square(v));
    const Var<double> quartic = 0.25 * square(sum(square(v)));
    return quadratic + quartic + mean(matmul(Var<double>(a), v));
  }
  // f over all n samples, as one batch.
  Objective<double> objective() const {
    return Objective<double>([this](const std::vector<Var<double>>& x, const Tensor<double>& a,
                                    const std::vector<int>&) { return loss(x, a); },
                             data, sample_range(0, n, n));
  }
};

struct Settings {
  double lr = 0.1, radius = 0.1, r = 0.2, g_thres = 1e-3, eps_h = 1e-3, rho = 1, threshold = -0.2;
  std::size_t t_thres = 10, samples = 16;
  int max_steps = 2000, trials = 5;
  std::uint64_t seed = 0;
};

// One run's outcome.
struct Run {
  int steps = -1;  // −1: not escaped within max_steps
  std::size_t gradients = 0, sample_gradients = 0, hvps = 0, events = 0;
};

using Make = std::function<std::unique_ptr<Optimizer<double>>(std::vector<Var<double>>, std::uint64_t)>;

struct Method {
  std::string name;
  Make make;
  std::function<std::size_t(const Optimizer<double>&)> events;  // perturbations or curvature steps
};

// The perturbations of PGD, ISO-PGD and CNC-PGD.
std::size_t perturbation_count(const Optimizer<double>& o) {
  return static_cast<const PerturbedOptimizer<double>&>(o).perturbations();
}

std::vector<Method> methods(const Settings& s) {
  std::vector<Method> m;
  m.push_back(
      {"GD", [s](auto p, std::uint64_t) { return std::make_unique<SGD<double>>(std::move(p), SGDOptions{.lr = s.lr}); },
       [](const Optimizer<double>&) { return std::size_t{0}; }});
  m.push_back(
      {"PGD",
       [s](auto p, std::uint64_t seed) {
         return std::make_unique<PGD<double>>(
             std::move(p),
             PGDOptions{.lr = s.lr, .g_thres = s.g_thres, .t_thres = s.t_thres, .radius = s.radius, .seed = seed});
       },
       perturbation_count});
  // ISO-PGD and CNC-PGD compare ‖∇f‖² with their threshold: g_thres² is the same test as PGD's.
  m.push_back({"ISO-PGD",
               [s](auto p, std::uint64_t seed) {
                 return std::make_unique<IsoPGD<double>>(std::move(p), IsoPGDOptions{.lr = s.lr,
                                                                                     .g_thres = s.g_thres * s.g_thres,
                                                                                     .t_thres = s.t_thres,
                                                                                     .radius = s.radius,
                                                                                     .seed = seed});
               },
               perturbation_count});
  m.push_back(
      {"CNC-PGD",
       [s](auto p, std::uint64_t seed) {
         return std::make_unique<CNCPGD<double>>(
             std::move(p),
             CNCPGDOptions{.lr = s.lr, .g_thres = s.g_thres * s.g_thres, .t_thres = s.t_thres, .r = s.r, .seed = seed});
       },
       perturbation_count});
  m.push_back({"NCD",
               [s](auto p, std::uint64_t seed) {
                 return std::make_unique<NCD<double>>(
                     std::move(p),
                     NCDOptions{.lr = s.lr, .g_thres = s.g_thres, .eps_h = s.eps_h, .rho = s.rho, .seed = seed});
               },
               [](const Optimizer<double>& o) { return static_cast<const NCD<double>&>(o).curvature_steps(); }});
  return m;
}

Run run_once(const Method& method, const QuarticSaddle& problem, const Settings& s, std::uint64_t seed) {
  Objective<double> f = problem.objective();
  auto opt = method.make({Var<double>(zeros_tensor<double>(Shape{problem.d, 1}), true)}, seed);
  Run run;
  for (int t = 1; t <= s.max_steps; ++t) {
    examples::check_interrupt();  // a signal ends the run between steps (interrupt.hpp)
    opt->step(f);
    if (f.loss(values_of(opt->params())) < s.threshold) {
      run.steps = t;
      break;
    }
  }
  run.gradients = f.gradient_evaluations();
  run.sample_gradients = f.sample_gradient_evaluations();
  run.hvps = f.hvp_evaluations();
  run.events = method.events(*opt);
  return run;
}

template <class V>
double median(std::vector<V> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? static_cast<double>(v[h]) : 0.5 * (static_cast<double>(v[h - 1]) + static_cast<double>(v[h]));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Steps to escape the strict saddle x = 0 of f(x) = (1/n) Σᵢ [½xᵀDx + ¼‖x‖⁴ + aᵢᵀx], D = diag(1,…,1,−1), "
      "where ∇f(0) = 0 exactly, for GD, PGD, ISO-PGD, CNC-PGD and NCD as the dimension d grows."};
  Settings s;
  std::vector<std::size_t> dims{10, 100, 1000, 10000};
  std::string csv_path;
  app.add_option("--dims", dims, "dimensions d")
      ->delimiter(',')
      ->check(CLI::Range(std::size_t{2}, std::size_t{1000000}))
      ->capture_default_str();
  app.add_option("--samples", s.samples, "number of samples n (even)")
      ->check(CLI::Range(std::size_t{2}, std::size_t{4096}))
      ->capture_default_str();
  app.add_option("--trials", s.trials, "runs per (method, d), each with its own data and seed")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--max-steps", s.max_steps, "give up after this many steps")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  app.add_option("--lr", s.lr, "gradient step η in (0, 1e3] of every method")
      ->check(examples::learning_rate())
      ->capture_default_str();
  app.add_option("--radius", s.radius, "PGD and ISO-PGD: radius r of the perturbation ball")
      ->check(examples::positive())
      ->capture_default_str();
  app.add_option("--r", s.r, "CNC-PGD: step r of the single-sample gradient step")
      ->check(examples::positive())
      ->capture_default_str();
  app.add_option("--t-thres", s.t_thres, "PGD: steps between perturbations; ISO-PGD, CNC-PGD: period")
      ->check(examples::count())
      ->capture_default_str();
  app.add_option("--g-thres", s.g_thres, "gradient norm below which a method perturbs or looks for curvature")
      ->check(examples::positive())
      ->capture_default_str();
  app.add_option("--rho", s.rho, "NCD: Hessian Lipschitz constant ρ (curvature step |λ_min|/ρ)")
      ->check(examples::positive())
      ->capture_default_str();
  app.add_option("--threshold", s.threshold, "escaped once f < threshold")
      ->check(examples::finite())
      ->capture_default_str();
  app.add_option("--seed", s.seed, "base random seed")->check(examples::count())->capture_default_str();
  app.add_option("--csv", csv_path, "also write one row per (method, d) to this CSV file")->check(examples::path());
  return examples::run_program("escape_saddle", app, argc, argv, [&] {
    if (s.samples % 2)
      throw Error("--samples = " + std::to_string(s.samples) + " must be even (the aᵢ come in pairs ±aᵢ)");
    if (s.t_thres == 0) throw Error("--t-thres 0: the methods need at least one step between perturbations");
    for (std::size_t i = 0; i < dims.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (dims[i] == dims[j]) throw Error("--dims: " + std::to_string(dims[i]) + " is named twice");
    examples::OutputPaths().add("--csv", csv_path).check();
    const std::vector<std::string> columns{"method",
                                           "d",
                                           "trials",
                                           "escaped",
                                           "median_steps",
                                           "min_steps",
                                           "max_steps",
                                           "median_gradients",
                                           "median_sample_gradients",
                                           "median_products",
                                           "median_events",
                                           "seconds"};
    examples::CsvWriter csv;
    if (!csv_path.empty()) csv = examples::CsvWriter(csv_path, columns);
    std::printf(
        "f < %g from x = 0, n = %zu, η = %g, r = %g (ball), r = %g (CNC), t_thres = %zu, %d trials, at most %d steps\n",
        s.threshold, s.samples, s.lr, s.radius, s.r, s.t_thres, s.trials, s.max_steps);
    std::printf("  %s\n", examples::run_context().c_str());
    std::printf("%-8s %7s %8s %22s %10s %12s %6s %7s %8s\n", "method", "d", "escaped", "steps: median [min,max]",
                "gradients", "sample grads", "products", "events", "seconds");
    for (const Method& method : methods(s)) {
      for (std::size_t d : dims) {
        const auto start = std::chrono::steady_clock::now();
        std::vector<int> steps;
        std::vector<std::size_t> gradients, sample_gradients, hvps, events;
        for (int trial = 0; trial < s.trials; ++trial) {
          const std::uint64_t seed = s.seed + 1000003 * static_cast<std::uint64_t>(trial);
          const QuarticSaddle problem(d, s.samples, seed);
          const Run run = run_once(method, problem, s, seed);
          if (run.steps > 0) steps.push_back(run.steps);
          gradients.push_back(run.gradients);
          sample_gradients.push_back(run.sample_gradients);
          hvps.push_back(run.hvps);
          events.push_back(run.events);
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const int escaped = static_cast<int>(steps.size());
        char range[64];
        if (escaped)
          std::snprintf(range, sizeof range, "%g [%d,%d]", median(steps), *std::min_element(steps.begin(), steps.end()),
                        *std::max_element(steps.begin(), steps.end()));
        else
          std::snprintf(range, sizeof range, "never (> %d)", s.max_steps);
        std::printf("%-8s %7zu %5d/%-2d %22s %10g %12g %6g %7g %8.2f\n", method.name.c_str(), d, escaped, s.trials,
                    range, median(gradients), median(sample_gradients), median(hvps), median(events), seconds);
        std::fflush(stdout);
        const auto num = examples::CsvWriter::num;
        csv.row({method.name, std::to_string(d), std::to_string(s.trials), std::to_string(escaped),
                 escaped ? num(median(steps)) : "",
                 escaped ? std::to_string(*std::min_element(steps.begin(), steps.end())) : "",
                 escaped ? std::to_string(*std::max_element(steps.begin(), steps.end())) : "", num(median(gradients)),
                 num(median(sample_gradients)), num(median(hvps)), num(median(events)), num(seconds)});
      }
    }
    csv.finish();
    return 0;
  });
}
