// examples/reproduce/halfspace_escape.hpp — Study C, part (c), the race: from each strict saddle
// w* of the perceptron risk that the search of halfspace.hpp found, GD, ISO-PGD and CNC-PGD as the
// dimension D grows.
//
// The dimension grows by coordinates that no point uses (x_j = 0 for j > 9); equivalently, the
// 9-D data sit in a 9-D subspace of R^D, since every method here is invariant under rotations.
// Then f_D(w) = f(w₁…₉) + ½λ‖w₁₀…_D‖², (w*, 0) is a strict saddle of f_D with the same λ_min and
// eigenvector, and every per-sample gradient lies in the data's 9 coordinates at (w*, 0): the
// squared projection μ₁ = E_z[(v₁ᵀ∇f_z)²/‖∇f_z‖²] does not depend on D, while that of an isotropic
// direction is 1/D — the two sides of the CNC argument, with nothing else changed.
//
// Every method starts at (w*, 0) with the step η; ISO-PGD perturbs by a uniform point of the ball
// of radius ρ, CNC-PGD by the step r∇f_z with r = ρ / E_z‖∇f_z(w*)‖, as long on average; both test
// ‖∇f‖² ≤ g_thres every t_thres steps. GD is the control: at w* its gradient is of the order of
// rounding, so it leaves only as fast as that error grows. A run has escaped at the first step t
// with f(w_t) ≤ f(w*) − δ.
#pragma once

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "saddle/optim.hpp"
#include "examples/reproduce/halfspace.hpp"
#include "examples/train/optimizers.hpp"

namespace saddle::examples::reproduce {

inline const std::vector<std::string>& halfspace_methods() {
  static const std::vector<std::string> m{"gd", "iso-pgd", "cnc-pgd"};
  return m;
}

// A strict saddle the search found, where the race starts.
struct HalfspaceSaddle {
  double lambda = 0;
  std::uint64_t draw = 0;
  CriticalPoint point;
  double mu = 0, sample_grad_norm = 0;  // μ₁ and E_z‖∇f_z‖ at w*
};

inline HalfspaceSaddle describe_saddle(double lambda, std::uint64_t draw, const CriticalPoint& c,
                                       const Halfspace& p) {
  const data::Dataset<double> d = halfspace_data(draw, p);  // f refers to it
  const Objective<double> f = halfspace_risk(d, lambda);
  TensorList<double> w{Tensor<double>::from_shape(Shape{halfspace_dims, 1})};
  std::copy(c.w.begin(), c.w.end(), w[0].data());
  const auto vectors = std::get<1>(xt::linalg::eigh(dense_hessian(f, w)));  // a name a lambda can capture
  HalfspaceSaddle s{lambda, draw, c, 0, 0};
  f.for_each_sample_gradient(w, [&](std::size_t, double, const TensorList<double>& gz) {
    const double n = saddle::norm(gz);
    s.sample_grad_norm += n;
    double proj = 0;
    for (std::size_t j = 0; j < halfspace_dims; ++j) proj += vectors(j, 0) * gz[0].data()[j];
    s.mu += n > 0 ? proj * proj / (n * n) : 0;
  });
  s.sample_grad_norm /= double(f.num_samples());
  s.mu /= double(f.num_samples());
  return s;
}

struct HalfspaceRun {
  std::size_t saddle = 0, dims = 0, escaped_at = 0;
  std::size_t perturbations = 0;  // before escaping, or in the whole run when it did not
  std::string method;
  std::uint64_t seed = 0;
};

// One method's run from saddle s on f, the risk of s's data draw in `dims` dimensions.
inline HalfspaceRun halfspace_escape(const Objective<double>& f, const HalfspaceSaddle& s, std::size_t saddle_id,
                                     std::size_t dims, const std::string& method, std::uint64_t seed,
                                     const Halfspace& p) {
  Tensor<double> start = zeros_tensor<double>(Shape{dims, 1});
  std::copy(s.point.w.begin(), s.point.w.end(), start.data());
  std::vector<Var<double>> w{Var<double>(start, true)};
  std::unique_ptr<Optimizer<double>> opt;
  if (method == "cnc-pgd")
    opt = std::make_unique<CNCPGD<double>>(w, CNCPGDOptions{.lr = p.lr, .g_thres = p.g_thres, .t_thres = p.t_thres,
                                                            .r = p.radius / s.sample_grad_norm, .seed = seed});
  else if (method == "iso-pgd")
    opt = std::make_unique<IsoPGD<double>>(
        w, IsoPGDOptions{.lr = p.lr, .g_thres = p.g_thres, .t_thres = p.t_thres, .radius = p.radius, .seed = seed});
  else
    opt = std::make_unique<SGD<double>>(w, SGDOptions{.lr = p.lr});
  const double f_star = f.loss(TensorList<double>{start});
  HalfspaceRun run{saddle_id, dims, 0, 0, method, seed};
  for (std::size_t t = 1; t <= p.max_steps && run.escaped_at == 0; ++t) {
    opt->step(f);
    if (f.loss(values_of(opt->params())) <= f_star - p.delta) run.escaped_at = t;
  }
  if (const auto e = escape_record(*opt)) run.perturbations = e->count;
  return run;
}

struct HalfspaceStudy {
  std::vector<CriticalSearch> searches;
  std::vector<HalfspaceSaddle> saddles;
  std::vector<HalfspaceRun> runs;
};

// Steps to escape of one method at one D, over every saddle and seed.
inline EventSteps halfspace_steps(const HalfspaceStudy& study, const std::string& method, std::size_t dims,
                                  const Halfspace& p) {
  std::vector<std::size_t> at;
  for (const HalfspaceRun& r : study.runs)
    if (r.method == method && r.dims == dims) at.push_back(r.escaped_at);
  return event_steps(at, p.max_steps);
}

// Part (c): the search, then the race from every strict saddle it found, over D and the seeds.
inline HalfspaceStudy run_halfspace(const std::string& out, const Scale& scale, const Halfspace& p) {
  HalfspaceStudy study;
  study.searches = search_halfspace(out, scale, p);
  for (const CriticalSearch& s : study.searches)
    for (const CriticalPoint& c : s.points)
      if (c.kind == CriticalKind::strict_saddle) study.saddles.push_back(describe_saddle(s.lambda, s.draw, c, p));
  CsvWriter saddles(out + "/halfspace_saddles.csv", {"saddle", "lambda", "seed", "loss", "grad_norm", "lambda_min",
                                                     "mu_1", "mean_sample_grad_norm", "cnc_r", "iso_radius"});
  CsvWriter runs(out + "/halfspace_escape.csv",
                 {"saddle", "dimension", "method", "seed", "escaped_at", "perturbations"});
  CsvWriter means(out + "/halfspace_steps_means.csv", {"method", "dimension", "steps", "steps_min", "steps_max"});
  using N = CsvWriter;
  for (std::size_t k = 0; k < study.saddles.size(); ++k) {
    const HalfspaceSaddle& s = study.saddles[k];
    saddles.row({std::to_string(k), N::num(s.lambda), std::to_string(s.draw), N::num(s.point.loss),
                 N::num(s.point.grad_norm), N::num(s.point.lambda_min), N::num(s.mu), N::num(s.sample_grad_norm),
                 N::num(p.radius / s.sample_grad_norm), N::num(p.radius)});
    std::printf("  saddle %zu (λ = %g, draw %llu): f = %.6f, ‖∇f‖ = %.1e, λ_min = %.4g, μ₁ = %.3f\n", k, s.lambda,
                static_cast<unsigned long long>(s.draw), s.point.loss, s.point.grad_norm, s.point.lambda_min, s.mu);
    for (std::size_t dims : p.dims) {
      std::printf("    D = %zu:", dims);
      const data::Dataset<double> d = halfspace_data(s.draw, p, dims);  // f refers to it
      const Objective<double> f = halfspace_risk(d, s.lambda);
      for (const std::string& method : halfspace_methods())
        for (std::uint64_t seed = 0; seed < scale.seeds; ++seed) {
          const HalfspaceRun r = halfspace_escape(f, s, k, dims, method, seed, p);
          runs.row({std::to_string(k), std::to_string(dims), method, std::to_string(seed),
                    r.escaped_at ? std::to_string(r.escaped_at) : "", std::to_string(r.perturbations)});
          std::printf(" %s %s", method.c_str(), r.escaped_at ? std::to_string(r.escaped_at).c_str() : "-");
          study.runs.push_back(r);
        }
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  for (const std::string& method : halfspace_methods())
    for (std::size_t dims : p.dims) {
      const EventSteps e = halfspace_steps(study, method, dims, p);
      if (e.runs) means.row({method, std::to_string(dims), N::num(e.steps.mean), N::num(e.min), N::num(e.max)});
    }
  saddles.finish();
  runs.finish();
  means.finish();
  if (!study.saddles.empty())
    plot_csv(PlotSpec(out + "/halfspace_steps_means.csv", out + "/halfspace_steps.png",
                      "half-spaces: steps to escape the saddles (a run that did not escape counts as " +
                          std::to_string(p.max_steps + 1) + "; band: min to max)",
                      "dimension D (log scale)", "steps until f ≤ f(w*) − δ (log scale)", "dimension", {"steps"})
                 .by("method")
                 .logarithmic_x()
                 .logarithmic_y()
                 .band("steps_min", "steps_max"));
  return study;
}

// What the search found, each saddle, the race, and the claim: CNC-PGD at least as fast as
// ISO-PGD at every D, and ISO-PGD's mean over CNC-PGD's larger at the largest D than at the smallest.
inline void halfspace_claims(Report& report, const HalfspaceStudy& study, const Halfspace& p) {
  std::vector<std::vector<std::string>> rows;
  std::size_t draws = 0;
  for (const CriticalSearch& s : study.searches) draws = std::max<std::size_t>(draws, s.draw + 1);
  for (double lambda : p.lambdas) rows.push_back({plain(lambda), halfspace_summary(study.searches, lambda)});
  report.table("(c) half-spaces: the critical points Newton's method reached (" + std::to_string(draws) +
                   " data draws, " + std::to_string(p.start_scales.size() * p.starts_per_scale) +
                   " random starts each)",
               {"λ", "critical points (over the draws)"}, rows);
  report.paragraph(
      "A point counts as critical at ‖∇f‖ ≤ 1e-10. Far out, where every margin is large and σ saturates, f is "
      "the share of misclassified points (a multiple of 1/80) and its gradient and Hessian vanish to rounding: "
      "such points count as critical and are degenerate plateaus, not strict saddles. A start stalls where ‖∇f‖ "
      "has a positive local minimum, which Newton's step cannot lower. The paper's saddle is not published, so "
      "whether its data draw or λ differed from these cannot be checked.");
  rows.clear();
  for (std::size_t k = 0; k < study.saddles.size(); ++k) {
    const HalfspaceSaddle& s = study.saddles[k];
    rows.push_back({std::to_string(k), plain(s.lambda), std::to_string(s.draw), fixed(s.point.loss, 6),
                    sci(s.point.grad_norm, 1), fixed(s.point.lambda_min, 4), fixed(s.mu, 3)});
  }
  if (!rows.empty())
    report.table("(c) half-spaces: the strict saddles the race starts from (μ₁ is the same at every D; an isotropic "
                 "direction's is 1/D)",
                 {"saddle", "λ", "draw", "f(w*)", "‖∇f(w*)‖", "λ_min", "μ₁"}, rows);
  rows.clear();
  std::string measured;
  std::vector<double> ratios;
  std::size_t as_fast = 0;
  for (std::size_t dims : p.dims) {
    std::vector<std::string> row{std::to_string(dims)};
    double iso = 0, cnc = 0;
    for (const std::string& method : halfspace_methods()) {
      const EventSteps e = halfspace_steps(study, method, dims, p);
      if (!e.runs) continue;
      row.push_back(event_text(e));
      if (method == "iso-pgd") iso = e.steps.mean;
      if (method == "cnc-pgd") cnc = e.steps.mean;
    }
    if (row.size() == 1) continue;
    ratios.push_back(iso / cnc);
    as_fast += cnc <= iso ? 1 : 0;
    row.push_back(fixed(iso / cnc, 2));
    rows.push_back(row);
    measured += (measured.empty() ? "" : "; ") + std::string("D = ") + std::to_string(dims) + ": CNC-PGD " +
                fixed(cnc, 1) + ", ISO-PGD " + fixed(iso, 1) + " steps";
  }
  if (!rows.empty())
    report.table("(c) half-spaces: steps to escape, over the saddles and seeds (η = " + plain(p.lr) + ", ρ = " +
                     plain(p.radius) + ", t_thres = " + std::to_string(p.t_thres) + ", δ = " + plain(p.delta) +
                     ", at most " + std::to_string(p.max_steps) + " steps)",
                 {"D", "GD", "ISO-PGD", "CNC-PGD", "ISO / CNC"}, rows);
  const bool fast = !ratios.empty() && as_fast == ratios.size();
  const bool grows = ratios.size() > 1 && ratios.back() > ratios.front();
  if (study.saddles.empty())
    measured = "the search found no strict saddle (" + std::to_string(study.searches.size()) +
               " searches over λ and data draws), so there is no saddle to start from";
  report.claim({"On learning half-spaces (perceptron risk, 4 Gaussian clusters in 9-D, 20 points each, std 2, labels "
                "±1 by pairs, started at a saddle), CNC-PGD leaves the saddle at least as fast as ISO-PGD and the gap "
                "grows with the dimension",
                measured, fast && grows ? Verdict::reproduced : fast || grows ? Verdict::partly : Verdict::not_reproduced,
                "mean steps over the saddles and seeds (a run that did not escape counts as " +
                    std::to_string(p.max_steps + 1) +
                    "): reproduced when CNC-PGD's mean is at most ISO-PGD's at every D and ISO / CNC is larger at the "
                    "largest D than at the smallest; partly when one of the two holds; not reproduced otherwise, or "
                    "when the search finds no strict saddle",
                !study.saddles.empty()                 ? "halfspace_steps.png"
                : lambda_min_plotted(study.searches) ? "halfspace_lambda_min.png"
                                                     : ""});
  if (!study.saddles.empty())
    report.figure("halfspace_steps.png", "(c) half-spaces: steps to escape against the dimension D");
  if (lambda_min_plotted(study.searches))
    report.figure("halfspace_lambda_min.png", "(c) half-spaces: λ_min at the critical points found, against λ");
}

}  // namespace saddle::examples::reproduce
