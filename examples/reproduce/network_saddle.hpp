// examples/reproduce/network_saddle.hpp — Study C, part (b): escaping a strict saddle of a real
// network, by GD, SGD, ISO-PGD, CNC-PGD and NCD, as the network widens.
//
// The saddle, constructed: a sigmoid network 784-w-10 with every weight and hidden bias at 0 and
// the output bias b₂ = log of the class frequencies of the training images. Every hidden unit
// outputs σ(0) = ½ and softmax(b₂) = ȳ, the class frequencies, so with p = ȳ
//   ∇_{b₂} f = p − ȳ = 0,   ∇_{W₂} f = ½ (p − ȳ) 1ᵀ = 0,   ∇_{W₁} f = ∇_{b₁} f = 0  (W₂ = 0 carries
// no error back): a stationary point. On (W₁, W₂) the Hessian is [[0, C], [Cᵀ, A]] with
// C = σ'(0)·E_z[(p − y_z) x_zᵀ] ≠ 0 and A ⪰ 0, indefinite: a strict saddle (its λ_min is measured).
// The per-sample gradients there, ∇f_z = (p − y_z) on b₂ and ½(p − y_z)1ᵀ on W₂, are not 0 and
// reach the eigenvector of λ_min through its W₂ part, so CNC has something to act on; GD, whose
// gradient is 0 up to rounding, has not.
//
// Every method starts there with the same step η on the mean loss over M images (SGD on batches of
// `batch` drawn uniformly). ISO-PGD's radius is CNC-PGD's step length r·E_z‖∇f_z‖ at the saddle,
// so the two perturb by the same amount and differ in direction only. A run has escaped at the
// first step t with f(θ_t) ≤ f(θ*) − δ.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "saddle/analysis/cnc.hpp"
#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/nn/models/models.hpp"
#include "saddle/optim.hpp"
#include "examples/common/plot.hpp"
#include "examples/reproduce/protocol.hpp"
#include "examples/reproduce/report.hpp"

namespace saddle::examples::reproduce {

struct NetworkSaddle {
  std::vector<std::size_t> widths{8, 32, 128};
  std::size_t samples = 1000, batch = 10, max_steps = 400, lambda_every = 20;
  double lr = 0.5, r = 1.0, delta = 0.1;
  double g_thres = 1e-6;  // ISO-PGD and CNC-PGD, on ‖∇f‖² (CNC-PGD's paper value)
  std::size_t t_thres = 10;
  static NetworkSaddle quick() { return {{4, 8}, 100, 10, 40, 20, 0.5, 1.0, 0.1, 1e-6, 10}; }
};

inline const std::vector<std::string>& saddle_methods() {
  static const std::vector<std::string> m{"gd", "sgd", "iso-pgd", "cnc-pgd", "ncd"};
  return m;
}

// The saddle θ* of the sigmoid network 784-`width`-10 over the first `samples` images.
inline std::unique_ptr<nn::Module<T>> saddle_network(std::size_t width, const data::Dataset<T>& data,
                                                     std::size_t samples) {
  auto m = nn::fully_connected<T>({.inputs = 784, .hidden = {width}, .classes = 10, .activation = "sigmoid"});
  std::vector<double> count(10, 0.0);
  for (std::size_t i = 0; i < samples; ++i) count.at(static_cast<std::size_t>(data.labels[i])) += 1;
  for (auto& [name, p] : m->named_parameters()) {
    Tensor<T>& v = p.mutable_value();
    for (std::size_t k = 0; k < v.size(); ++k)
      v.data()[k] = name == "fc2.bias" ? static_cast<T>(std::log(std::max(count[k], 0.5) / double(samples))) : T(0);
  }
  return m;
}

// What the saddle is: its loss, gradient norm, λ_min, μ along its eigenvector and E‖∇f_z‖.
struct SaddleFacts {
  std::size_t width = 0, dimension = 0;
  double loss = 0, grad_norm = 0, lambda_min = 0, mu = 0, sample_grad_norm = 0;
};

inline double lambda_min_at(const Objective<T>& f, const TensorList<T>& theta, std::uint64_t seed,
                            std::vector<TensorList<T>>* vector = nullptr) {
  EigenOptions eig;
  eig.k = 1;
  eig.max_iter = 60;
  eig.tol = 1e-3;
  eig.seed = seed;
  eig.which_smallest = true;
  const EigenResult<T> e = lanczos_bottom<T>(HessianOperator<T>(f, theta), theta, eig);
  if (vector) *vector = e.eigenvectors;
  return e.eigenvalues.at(0);
}

inline SaddleFacts saddle_facts(std::size_t width, const Objective<T>& f, const TensorList<T>& theta) {
  SaddleFacts s;
  s.width = width;
  s.dimension = numel(theta);
  const ValueAndGrad<T> vg = f.value_and_grad(theta);
  s.loss = vg.value;
  s.grad_norm = saddle::norm(vg.grad);
  std::vector<TensorList<T>> v;
  s.lambda_min = lambda_min_at(f, theta, 0, &v);
  const NormalizedProjections mu = normalized_projections(f, theta, v);
  s.mu = mu.mean_squared.at(0);
  s.sample_grad_norm = mu.mean_gradient_norm;
  return s;
}

// One method's run from the saddle: the loss at every step (0 = the saddle), λ_min every
// `lambda_every` steps when asked, and the first step that escaped (0: none within max_steps).
struct EscapeRun {
  std::string method;
  std::size_t width = 0;
  std::uint64_t seed = 0;
  std::vector<double> loss;
  std::vector<std::pair<std::size_t, double>> lambda_min;
  std::size_t escaped_at = 0;
  std::size_t perturbations = 0;  // before escaping (NCD: curvature steps), or in the whole run if it did not
};

inline std::unique_ptr<Optimizer<T>> saddle_optimizer(const std::string& method, std::vector<Var<T>> params,
                                                      const NetworkSaddle& p, double radius, std::uint64_t seed) {
  if (method == "gd" || method == "sgd") return std::make_unique<SGD<T>>(std::move(params), SGDOptions{.lr = p.lr});
  if (method == "iso-pgd")
    return std::make_unique<IsoPGD<T>>(
        std::move(params),
        IsoPGDOptions{.lr = p.lr, .g_thres = p.g_thres, .t_thres = p.t_thres, .radius = radius, .seed = seed});
  if (method == "cnc-pgd")
    return std::make_unique<CNCPGD<T>>(
        std::move(params), CNCPGDOptions{.lr = p.lr, .g_thres = p.g_thres, .t_thres = p.t_thres, .r = p.r, .seed = seed});
  return std::make_unique<NCD<T>>(std::move(params), NCDOptions{.lr = p.lr, .seed = seed});
}

inline EscapeRun escape_run(const std::string& method, std::size_t width, std::uint64_t seed,
                            const data::Dataset<T>& data, const NetworkSaddle& p, double radius, bool trace_lambda) {
  std::unique_ptr<nn::Module<T>> model = saddle_network(width, data, p.samples);
  const Objective<T> f(cross_entropy_loss(*model), data, sample_range(0, p.samples, std::min<std::size_t>(p.samples, 500)));
  std::unique_ptr<Optimizer<T>> opt = saddle_optimizer(method, model->parameters(), p, radius, seed);
  std::mt19937_64 batches(seed);
  std::uniform_int_distribution<std::size_t> pick(0, p.samples - 1);
  EscapeRun run{method, width, seed, {}, {}, 0, 0};
  auto measure = [&](std::size_t t) {
    const TensorList<T> theta = nn::parameter_values(*model);
    run.loss.push_back(f.loss(theta));
    if (trace_lambda && t % p.lambda_every == 0) run.lambda_min.emplace_back(t, lambda_min_at(f, theta, seed));
    if (run.escaped_at == 0 && t > 0 && run.loss.back() <= run.loss.front() - p.delta) {
      run.escaped_at = t;
      if (const auto e = escape_record(*opt)) run.perturbations = e->count;  // none for GD and SGD
    }
  };
  measure(0);
  for (std::size_t t = 1; t <= p.max_steps; ++t) {
    if (method == "sgd") {
      std::vector<std::size_t> b(p.batch);
      for (auto& i : b) i = pick(batches);
      opt->step(f.over(one_batch(std::move(b))));
    } else {
      opt->step(f);
    }
    measure(t);
  }
  if (const auto e = escape_record(*opt); e && run.escaped_at == 0) run.perturbations = e->count;
  return run;
}

// Part (b): the saddle of every width, every method from it over the seeds.
struct SaddleStudy {
  std::vector<SaddleFacts> facts;
  std::vector<EscapeRun> runs;
};

inline SaddleStudy run_network_saddle(const data::Dataset<T>& all, const std::string& out, const Scale& scale) {
  const NetworkSaddle p = scale.quick ? NetworkSaddle::quick() : NetworkSaddle{};
  // f is the mean over exactly these images, its whole dataset: ISO-PGD and CNC-PGD read the papers'
  // test ‖∇f‖² ≤ g_thres exactly (optim/perturbation.hpp), as deterministic methods.
  const data::Dataset<T> train = all.slice(0, p.samples);
  SaddleStudy study;
  CsvWriter facts(out + "/saddle.csv", {"width", "dimension", "loss", "grad_norm", "lambda_min", "mu_1",
                                        "mean_sample_grad_norm", "cnc_r", "iso_radius"});
  CsvWriter losses(out + "/escape_loss.csv", {"width", "method", "seed", "step", "loss"});
  CsvWriter lambdas(out + "/escape_lambda_min.csv", {"width", "method", "step", "lambda_min"});
  CsvWriter steps(out + "/escape_steps.csv", {"width", "dimension", "method", "seed", "escaped_at", "perturbations_before"});
  using N = CsvWriter;
  const std::size_t traced = p.widths[p.widths.size() / 2];  // λ_min along the runs of seed 0 at this width
  for (std::size_t w : p.widths) {
    std::unique_ptr<nn::Module<T>> m = saddle_network(w, train, p.samples);
    const Objective<T> f(cross_entropy_loss(*m), train, sample_range(0, p.samples, std::min<std::size_t>(p.samples, 500)));
    const SaddleFacts s = saddle_facts(w, f, nn::parameter_values(*m));
    const double radius = p.r * s.sample_grad_norm;
    study.facts.push_back(s);
    facts.row({std::to_string(w), std::to_string(s.dimension), N::num(s.loss), N::num(s.grad_norm),
               N::num(s.lambda_min), N::num(s.mu), N::num(s.sample_grad_norm), N::num(p.r), N::num(radius)});
    std::printf("  saddle of 784-%zu-10 (d = %zu): f = %.4f, ‖∇f‖ = %.2e, λ_min = %.4g, μ₁ = %.3g\n", w, s.dimension,
                s.loss, s.grad_norm, s.lambda_min, s.mu);
    for (const std::string& method : saddle_methods())
      for (std::uint64_t seed = 0; seed < scale.seeds; ++seed) {
        EscapeRun r = escape_run(method, w, seed, train, p, radius, w == traced && seed == 0);
        for (std::size_t t = 0; t < r.loss.size(); ++t)
          losses.row({std::to_string(w), method, std::to_string(seed), std::to_string(t), N::num(r.loss[t])});
        for (const auto& [t, l] : r.lambda_min) lambdas.row({std::to_string(w), method, std::to_string(t), N::num(l)});
        steps.row({std::to_string(w), std::to_string(s.dimension), method, std::to_string(seed),
                   r.escaped_at ? std::to_string(r.escaped_at) : "", std::to_string(r.perturbations)});
        std::printf("    %-8s seed %llu: %s %zu perturbation%s\n", method.c_str(),
                    static_cast<unsigned long long>(seed),
                    r.escaped_at ? ("escaped at step " + std::to_string(r.escaped_at) + " after").c_str()
                                 : "did not escape in its steps, with",
                    r.perturbations, r.perturbations == 1 ? "" : "s");
        std::fflush(stdout);
        study.runs.push_back(std::move(r));
      }
  }
  facts.finish();
  losses.finish();
  lambdas.finish();
  steps.finish();

  // The figures: the traced width's mean loss per method, its λ_min, and steps to escape against d.
  CsvWriter loss_means(out + "/escape_loss_means.csv", {"method", "step", "loss"});
  CsvWriter step_means(out + "/escape_steps_means.csv", {"method", "dimension", "steps", "steps_min", "steps_max"});
  for (const std::string& method : saddle_methods()) {
    std::vector<const EscapeRun*> traced_runs;
    for (const EscapeRun& r : study.runs)
      if (r.method == method && r.width == traced) traced_runs.push_back(&r);
    for (std::size_t t = 0; t <= p.max_steps; ++t) {
      double sum = 0;
      for (const EscapeRun* r : traced_runs) sum += r->loss[t];
      loss_means.row({method, std::to_string(t), N::num(sum / double(traced_runs.size()))});
    }
    for (const SaddleFacts& s : study.facts) {
      std::vector<double> at;
      for (const EscapeRun& r : study.runs)
        if (r.method == method && r.width == s.width && r.escaped_at) at.push_back(double(r.escaped_at));
      if (at.empty()) continue;  // no run escaped: nothing to draw
      const auto [lo, hi] = std::minmax_element(at.begin(), at.end());
      step_means.row({method, std::to_string(s.dimension), N::num(stats(at).mean), N::num(*lo), N::num(*hi)});
    }
  }
  loss_means.finish();
  step_means.finish();
  const std::string title = "sigmoid 784-" + std::to_string(traced) + "-10 from its saddle";
  plot_csv(PlotSpec(out + "/escape_loss_means.csv", out + "/escape_loss.png", title + ": loss (mean over seeds)",
                    "step", "mean cross-entropy", "step", {"loss"})
               .by("method")
               .whole_x()
               .lines_only());
  plot_csv(PlotSpec(out + "/escape_lambda_min.csv", out + "/escape_lambda_min.png", title + ": λ_min (seed 0)", "step",
                    "λ_min of the Hessian", "step", {"lambda_min"})
               .by("method")
               .whole_x());
  plot_csv(PlotSpec(out + "/escape_steps_means.csv", out + "/escape_steps.png",
                    "steps to escape the saddle (runs that escaped; band: min to max over seeds)",
                    "dimension d (log scale)", "steps until f ≤ f(θ*) − δ", "dimension", {"steps"})
               .by("method")
               .logarithmic_x()
               .key_below()
               .band("steps_min", "steps_max"));
  return study;
}

// The claims of part (b): CNC-PGD against ISO-PGD at every width (runs that did not escape count as
// max_steps + 1), and every method's steps in a table.
inline void network_saddle_claims(Report& report, const SaddleStudy& study, const NetworkSaddle& p) {
  auto steps_of = [&](const std::string& method, std::size_t width) {
    std::vector<std::size_t> at;
    for (const EscapeRun& r : study.runs)
      if (r.method == method && r.width == width) at.push_back(r.escaped_at);
    return event_steps(at, p.max_steps);
  };
  std::vector<std::vector<std::string>> rows;
  std::size_t faster = 0;
  bool cnc_always = true;
  std::string measured;
  for (const SaddleFacts& f : study.facts) {
    std::vector<std::string> row{std::to_string(f.width), std::to_string(f.dimension), fixed(f.loss, 4),
                                 sci(f.grad_norm, 1), fixed(f.lambda_min, 4), sci(f.mu, 1)};
    for (const std::string& m : saddle_methods()) row.push_back(event_text(steps_of(m, f.width)));
    rows.push_back(row);
    const EventSteps cnc = steps_of("cnc-pgd", f.width), iso = steps_of("iso-pgd", f.width);
    faster += cnc.steps.mean < iso.steps.mean ? 1 : 0;
    cnc_always = cnc_always && cnc.hits == cnc.runs;
    measured += std::string(measured.empty() ? "" : "; ") + "d = " + std::to_string(f.dimension) + ": CNC-PGD " +
                pm(cnc.steps, 1) + ", ISO-PGD " + pm(iso.steps, 1) + " steps";
  }
  std::vector<std::string> header{"width", "d", "f(θ*)", "‖∇f(θ*)‖", "λ_min", "μ₁"};
  for (const std::string& m : saddle_methods()) header.push_back(m + ": steps to escape");
  report.table("(b) the saddle of the sigmoid network 784-w-10 (all weights 0, b₂ = log class frequencies) over " +
                   std::to_string(p.samples) + " images; steps until f ≤ f(θ*) − " + fixed(p.delta, 2) +
                   ", at most " + std::to_string(p.max_steps) + " (η = " + fixed(p.lr, 2) + ", CNC-PGD r = " +
                   fixed(p.r, 2) + ", ISO-PGD's radius r·E‖∇f_z‖, SGD batches of " + std::to_string(p.batch) + ")",
               header, rows);
  double largest_mu = 0;
  for (const SaddleFacts& f : study.facts) largest_mu = std::max(largest_mu, f.mu);
  if (largest_mu < 1e-6)
    report.paragraph(
        "At this saddle μ₁, the normalised per-sample gradients' squared projection on the eigenvector of λ_min, is " +
        sci(largest_mu, 1) +
        " at most: 0 to rounding. The hidden units are interchangeable there: every per-sample gradient is the same "
        "in each unit (½(p − y_z) in every column of W₂, 0 on W₁ and b₁), while the most negative curvature lies "
        "along combinations that differ between units and sum to 0 over them (on those the unit-sum block A and the "
        "coupling to b₂ vanish, leaving [[0, C], [Cᵀ, 0]] with eigenvalue −σ_max(C)). CNC's condition fails exactly "
        "at this saddle: a step along a single sample's gradient moves only the units' common part, whose curvature "
        "is less negative.");
  const Verdict v = faster == study.facts.size() && cnc_always ? Verdict::reproduced
                    : faster > 0                               ? Verdict::partly
                                                               : Verdict::not_reproduced;
  report.claim({"CNC-PGD, which takes a stochastic-gradient step near saddles, escapes faster than ISO-PGD, which adds "
                "isotropic noise (from a strict saddle of a real network, as the network widens)",
                measured, v,
                "mean steps to escape over the seeds, a run that did not escape counting as " +
                    std::to_string(p.max_steps + 1) +
                    ": reproduced when CNC-PGD's mean is below ISO-PGD's at every width and every CNC-PGD run escaped, "
                    "partly when its mean is below at some width",
                "escape_steps.png"});
  report.figure("escape_steps.png", "(b) steps to escape the network's saddle against d");
  report.figure("escape_loss.png", "(b) the loss from the saddle, every method");
  report.figure("escape_lambda_min.png", "(b) λ_min along the runs");
}

}  // namespace saddle::examples::reproduce
