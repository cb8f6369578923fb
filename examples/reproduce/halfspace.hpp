// examples/reproduce/halfspace.hpp — Study C, part (c): learning half-spaces, where the paper
// starts CNC-PGD and ISO-PGD at a saddle of the perceptron risk.
//
// The risk (Daneshmand et al. 2018, §5): f(w) = (1/n) Σᵢ σ(−yᵢxᵢᵀw) + ½λ‖w‖², σ the logistic
// function, w ∈ R⁹ without bias, on four Gaussian clusters of 20 points each with standard
// deviation 2, labels −1 for the first pair and +1 for the second. The means are those of the
// authors' notebook ("Learning Halfspaces.ipynb" in jonaskohler/escaping_saddles_with_stochastic_
// gradients); the saddle is not published (the notebook loads it from a file the repository does
// not hold), so it has to be located, and this part locates the critical points of f:
//
// Newton's method on ∇f = 0 — the step Δ = −H⁻¹∇f through the eigen-decomposition of the dense
// Hessian (9 Hessian-vector products), halved until ‖∇f‖² falls by the Armijo fraction; since
// (H∇f)ᵀΔ = −‖∇f‖², Δ descends ½‖∇f‖² wherever H is invertible, so the method converges to
// critical points of every index (minima and saddles alike), or stalls where ‖∇f‖ has a positive
// local minimum — from random starts w₀ ~ N(0, s²I) at scales s from 0.03 to 3, for several λ
// and data draws. A point with ‖∇f‖ ≤ 1e-10 is critical; it is a strict saddle when
// λ_min ≤ −τ, a minimum when λ_min ≥ τ, and degenerate between, τ = 1e-6·max(1, λ_max).
// Two critical points are one when their w differ by at most 1e-6 (relative).
//
// From every strict saddle found, CNC-PGD and ISO-PGD race away from it as the dimension grows
// (halfspace_escape.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <xtensor-blas/xlinalg.hpp>

#include "saddle/objective/objective.hpp"
#include "examples/common/plot.hpp"
#include "examples/reproduce/protocol.hpp"
#include "examples/reproduce/report.hpp"

namespace saddle::examples::reproduce {

struct Halfspace {
  // The search for critical points.
  std::vector<double> lambdas{0, 0.001, 0.003, 0.01, 0.03, 0.3};
  std::vector<double> start_scales{0.03, 0.1, 0.3, 1, 3};
  std::size_t starts_per_scale = 100, newton_steps = 200, per_cluster = 20;
  double std_dev = 2;
  // The escape from each strict saddle found (halfspace_escape.hpp), the step η = 1 ≈ 1/(2λ_max) at
  // the saddles; ISO-PGD's radius 0.1 and g_thres 1e-6 on ‖∇f‖² are the authors' radius 0.1 and
  // threshold 0.001 on ‖∇f‖; CNC-PGD's r makes its step r·E_z‖∇f_z(w*)‖ as long.
  std::vector<std::size_t> dims{9, 30, 100, 300, 1000, 3000};
  double lr = 1, radius = 0.1, g_thres = 1e-6, delta = 1e-4;
  std::size_t t_thres = 10, max_steps = 3000;
  static Halfspace quick() {
    Halfspace p;
    p.lambdas = {0, 0.01};
    p.start_scales = {0.03};
    p.starts_per_scale = 100;
    p.dims = {9, 100};
    p.max_steps = 300;
    return p;
  }
};

inline constexpr std::size_t halfspace_dims = 9;

// The clusters of data draw `draw`: rows 20c … 20c + 19 from cluster c; y = −1 for c < 2 (label 0).
// In `dims` ≥ 9 dimensions the coordinates past the ninth are 0 for every point.
inline data::Dataset<double> halfspace_data(std::uint64_t draw, const Halfspace& p,
                                            std::size_t dims = halfspace_dims) {
  static constexpr double means[4][halfspace_dims] = {{-1, 0, 1, -0.5, 1, 2, 0, 4, 1},
                                                      {-0.5, 3, 1, 0.5, 2, 4, 0, 2, 2},
                                                      {1, 0, -1, -0.5, 2, 1, -1, 0, 3},
                                                      {2, -0.1, -1.5, -0.4, 1, 0.5, 0, 1, 4}};
  std::mt19937_64 rng(2018 + draw);
  std::normal_distribution<double> noise(0.0, p.std_dev);
  data::Dataset<double> d;
  d.images = zeros_tensor<double>(Shape{4 * p.per_cluster, std::max(dims, halfspace_dims)});
  for (std::size_t c = 0; c < 4; ++c)
    for (std::size_t i = 0; i < p.per_cluster; ++i) {
      for (std::size_t j = 0; j < halfspace_dims; ++j) d.images(c * p.per_cluster + i, j) = means[c][j] + noise(rng);
      d.labels.push_back(c < 2 ? 0 : 1);
    }
  return d;
}

// f over the data: the mean of σ(−yᵢxᵢᵀw) over the batch's rows, plus ½λ‖w‖².
inline Objective<double> halfspace_risk(const data::Dataset<double>& d, double lambda) {
  return Objective<double>(
      [lambda](const std::vector<Var<double>>& w, const Tensor<double>& x, const std::vector<Label>& labels) {
        Tensor<double> y = Tensor<double>::from_shape(Shape{labels.size(), 1});
        for (std::size_t i = 0; i < labels.size(); ++i) y(i, 0) = labels[i] == 1 ? 1.0 : -1.0;
        const Var<double> margins = Var<double>(y) * matmul(Var<double>(x), w[0]);
        return mean(sigmoid(-margins)) + 0.5 * lambda * sum(square(w[0]));
      },
      d, sample_range(0, d.size(), d.size()));
}

// The dense Hessian at w (autodiff's hessian: one Hessian-vector product a column) of f, whose
// sample set is one batch, symmetrised: it is symmetric to rounding, and LAPACK reads one triangle.
inline xt::xtensor<double, 2> dense_hessian(const Objective<double>& f, const TensorList<double>& w) {
  const BatchData<double> rows = f.batch(0);
  const Tensor<double> h = hessian([&](const std::vector<Var<double>>& x) { return f.batch_mean(x, rows); }, w);
  return (h + xt::transpose(h)) / 2.0;
}

enum class CriticalKind { minimum, strict_saddle, degenerate };

inline const char* to_string(CriticalKind k) {
  switch (k) {
    case CriticalKind::minimum: return "minimum";
    case CriticalKind::strict_saddle: return "strict saddle";
    case CriticalKind::degenerate: return "degenerate";
  }
  return "?";
}

struct CriticalPoint {
  std::vector<double> w;
  double loss = 0, grad_norm = 0, lambda_min = 0, lambda_max = 0;
  std::size_t index = 0;  // eigenvalues ≤ −τ
  CriticalKind kind = CriticalKind::minimum;
  std::size_t reached = 0;  // starts that converged to it
};

// Newton's step −H⁻¹g at w over the invertible part of H: −Σᵢ vᵢ (vᵢᵀg) / λᵢ.
inline std::vector<double> newton_step(const Objective<double>& f, const TensorList<double>& w,
                                       const TensorList<double>& g) {
  const std::size_t n = w[0].size();
  const auto [values, vectors] = xt::linalg::eigh(dense_hessian(f, w));
  std::vector<double> step(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    if (!(std::abs(values(i)) > 1e-14)) continue;
    double vg = 0;
    for (std::size_t j = 0; j < n; ++j) vg += vectors(j, i) * g[0].data()[j];
    for (std::size_t j = 0; j < n; ++j) step[j] -= vg / values(i) * vectors(j, i);
  }
  return step;
}

inline TensorList<double> moved(const TensorList<double>& w, const std::vector<double>& step, double t) {
  TensorList<double> next = w;
  for (std::size_t j = 0; j < step.size(); ++j) next[0].data()[j] += t * step[j];
  return next;
}

// What a critical point w is: its Hessian's extreme eigenvalues, index and kind.
inline CriticalPoint classify(const Objective<double>& f, const TensorList<double>& w, double grad_norm) {
  const std::size_t n = w[0].size();
  const auto values = xt::linalg::eigvalsh(dense_hessian(f, w));
  CriticalPoint c{{w[0].data(), w[0].data() + n}, f.loss(w), grad_norm, values(0), values(n - 1), 0,
                  CriticalKind::degenerate, 1};
  const double tau = 1e-6 * std::max(1.0, std::abs(c.lambda_max));
  for (std::size_t i = 0; i < n; ++i) c.index += values(i) <= -tau ? 1 : 0;
  c.kind = c.lambda_min <= -tau ? CriticalKind::strict_saddle
           : c.lambda_min >= tau ? CriticalKind::minimum
                                 : CriticalKind::degenerate;
  return c;
}

// Newton's method from w (above); the critical point reached, or none when it stalls or leaves
// every bounded region (‖w‖ > 1e6). Once ‖∇f‖ ≤ 1e-10, up to three full steps more, each kept
// only where it lowers ‖∇f‖, bring the point to rounding level.
inline std::optional<CriticalPoint> newton_critical(const Objective<double>& f, TensorList<double> w,
                                                    std::size_t max_steps) {
  for (std::size_t k = 0; k < max_steps; ++k) {
    const TensorList<double> g = f.gradient(w);
    const double g2 = saddle::dot(g, g);
    if (!std::isfinite(g2) || !(saddle::norm(w) <= 1e6)) return std::nullopt;
    if (std::sqrt(g2) <= 1e-10) {
      double best = std::sqrt(g2);
      for (int polish = 0; polish < 3; ++polish) {
        TensorList<double> next = moved(w, newton_step(f, w, f.gradient(w)), 1);
        const double norm_next = saddle::norm(f.gradient(next));
        if (!(norm_next < best)) break;
        best = norm_next;
        w = std::move(next);
      }
      return classify(f, w, best);
    }
    const std::vector<double> step = newton_step(f, w, g);
    double t = 1;
    TensorList<double> next = moved(w, step, t);
    for (; t > 1e-10; t /= 2, next = moved(w, step, t)) {
      const TensorList<double> gn = f.gradient(next);
      if (saddle::dot(gn, gn) <= (1 - 1e-4 * t) * g2) break;
    }
    if (!(t > 1e-10)) return std::nullopt;  // a positive local minimum of ‖∇f‖: stalled
    w = std::move(next);
  }
  return std::nullopt;
}

// The search at one λ and data draw: the distinct critical points and the starts that found none.
struct CriticalSearch {
  double lambda = 0;
  std::uint64_t draw = 0;
  std::vector<CriticalPoint> points;
  std::size_t starts = 0, stalled = 0;
};

inline bool same_point(const std::vector<double>& a, const std::vector<double>& b) {
  double diff = 0, size = 0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    diff = std::max(diff, std::abs(a[j] - b[j]));
    size = std::max({size, std::abs(a[j]), std::abs(b[j])});
  }
  return diff <= 1e-6 * std::max(1.0, size);
}

inline CriticalSearch search_critical_points(double lambda, std::uint64_t draw, const Halfspace& p) {
  const data::Dataset<double> d = halfspace_data(draw, p);
  const Objective<double> f = halfspace_risk(d, lambda);
  CriticalSearch s{lambda, draw, {}, 0, 0};
  std::mt19937_64 rng(7 + draw);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (double scale : p.start_scales)
    for (std::size_t i = 0; i < p.starts_per_scale; ++i, ++s.starts) {
      TensorList<double> w{Tensor<double>::from_shape(Shape{halfspace_dims, 1})};
      for (double& x : w[0]) x = scale * normal(rng);
      const std::optional<CriticalPoint> c = newton_critical(f, std::move(w), p.newton_steps);
      if (!c) {
        ++s.stalled;
        continue;
      }
      const auto known = std::find_if(s.points.begin(), s.points.end(),
                                      [&](const CriticalPoint& q) { return same_point(q.w, c->w); });
      if (known != s.points.end())
        ++known->reached;
      else
        s.points.push_back(*c);
    }
  return s;
}

// Whether halfspace_lambda_min.png has anything to show: a critical point at some λ > 0.
inline bool lambda_min_plotted(const std::vector<CriticalSearch>& searches) {
  return std::any_of(searches.begin(), searches.end(),
                     [](const CriticalSearch& s) { return s.lambda > 0 && !s.points.empty(); });
}

// The search at every λ and data draw (draw s from seed s), its CSVs and figure.
inline std::vector<CriticalSearch> search_halfspace(const std::string& out, const Scale& scale, const Halfspace& p) {
  CsvWriter points(out + "/halfspace_critical.csv", {"lambda", "seed", "kind", "index", "loss", "grad_norm",
                                                     "lambda_min", "lambda_max", "w_norm", "starts_reaching"});
  CsvWriter searches(out + "/halfspace_search.csv",
                     {"lambda", "seed", "starts", "stalled", "critical_points", "strict_saddles"});
  CsvWriter lowest(out + "/halfspace_lambda_min.csv", {"lambda", "seed", "lambda_min"});
  using N = CsvWriter;
  std::vector<CriticalSearch> all;
  for (double lambda : p.lambdas)
    for (std::uint64_t draw = 0; draw < scale.seeds; ++draw) {
      CriticalSearch s = search_critical_points(lambda, draw, p);
      std::size_t saddles = 0;
      double smallest = INFINITY;
      for (const CriticalPoint& c : s.points) {
        saddles += c.kind == CriticalKind::strict_saddle ? 1 : 0;
        smallest = std::min(smallest, c.lambda_min);
        double w2 = 0;
        for (double x : c.w) w2 += x * x;
        points.row({N::num(lambda), std::to_string(draw), to_string(c.kind), std::to_string(c.index), N::num(c.loss),
                    N::num(c.grad_norm), N::num(c.lambda_min), N::num(c.lambda_max), N::num(std::sqrt(w2)),
                    std::to_string(c.reached)});
      }
      searches.row({N::num(lambda), std::to_string(draw), std::to_string(s.starts), std::to_string(s.stalled),
                    std::to_string(s.points.size()), std::to_string(saddles)});
      if (lambda > 0 && !s.points.empty()) lowest.row({N::num(lambda), std::to_string(draw), N::num(smallest)});
      std::printf("  λ = %g, draw %llu: %zu critical point%s (%zu strict saddle%s), %zu of %zu starts stalled\n",
                  lambda, static_cast<unsigned long long>(draw), s.points.size(), s.points.size() == 1 ? "" : "s",
                  saddles, saddles == 1 ? "" : "s", s.stalled, s.starts);
      std::fflush(stdout);
      all.push_back(std::move(s));
    }
  points.finish();
  searches.finish();
  lowest.finish();
  if (lambda_min_plotted(all))
    plot_csv(PlotSpec(out + "/halfspace_lambda_min.csv", out + "/halfspace_lambda_min.png",
                      "half-spaces: the smallest Hessian eigenvalue at any critical point found (λ > 0)",
                      "λ (log scale)", "λ_min at the critical points", "lambda", {"lambda_min"})
                 .by("seed")
                 .logarithmic_x());
  return all;
}

// One λ's critical points over the draws: "2 minima (λ_min 6.26e-02 … 6.60e-02, ‖w‖ 1.6);
// 13 of 20 starts stalled".
inline std::string halfspace_summary(const std::vector<CriticalSearch>& searches, double lambda) {
  std::size_t kinds[3] = {0, 0, 0}, stalled = 0, starts = 0;
  double lo = INFINITY, hi = -INFINITY, w_lo = INFINITY, w_hi = 0;
  for (const CriticalSearch& s : searches) {
    if (s.lambda != lambda) continue;
    stalled += s.stalled;
    starts += s.starts;
    for (const CriticalPoint& c : s.points) {
      ++kinds[static_cast<int>(c.kind)];
      lo = std::min(lo, c.lambda_min);
      hi = std::max(hi, c.lambda_min);
      double w2 = 0;
      for (double x : c.w) w2 += x * x;
      w_lo = std::min(w_lo, std::sqrt(w2));
      w_hi = std::max(w_hi, std::sqrt(w2));
    }
  }
  static const char* const names[3][2] = {
      {"minimum", "minima"}, {"strict saddle", "strict saddles"}, {"degenerate point", "degenerate points"}};
  std::string text;
  for (int k = 0; k < 3; ++k)
    if (kinds[k]) text += (text.empty() ? "" : ", ") + std::to_string(kinds[k]) + " " + names[k][kinds[k] == 1 ? 0 : 1];
  if (text.empty()) text = "no critical point";
  const auto range = [](const std::string& a, const std::string& b) { return a == b ? a : a + " … " + b; };
  if (std::isfinite(lo))
    text += " (λ_min " + range(sci(lo, 2), sci(hi, 2)) + ", ‖w‖ " + range(fixed(w_lo, 1), fixed(w_hi, 1)) + ")";
  return text + "; " + std::to_string(stalled) + " of " + std::to_string(starts) + " starts stalled";
}

}  // namespace saddle::examples::reproduce
