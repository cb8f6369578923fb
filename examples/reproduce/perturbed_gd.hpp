// examples/reproduce/perturbed_gd.hpp — Study D: a review of perturbed gradient descent (C. Jin,
// R. Ge, P. Netrapalli, S. M. Kakade and M. I. Jordan, "How to Escape Saddle Points Efficiently",
// ICML 2017) on MNIST: does perturbation speed up convergence, and for which networks?
//
// Protocol (full): ReLU networks 784-[w]×L-10 at PyTorch's initialisation, L ∈ {1, 2, 3, 4} hidden
// layers of width w ∈ {8, 16, …, 256}, on the mean cross-entropy f over the first 1,000 training
// images. Four methods with the same step η:
//   gd    gradient descent on f;
//   pgd   Jin et al.'s Algorithm 2 on f, with its stopping rule (optim/pgd.hpp);
//   sgd   stochastic gradient descent on mini-batches of 64;
//   psgd  the same perturbations on mini-batches (PGD stepping on the batch objective; its
//         small-gradient test reads the unbiased estimate of optim/perturbation.hpp; no stopping
//         rule, whose values of f would come from different batches).
// The thresholds follow one stated rule per network, not a tuning: g_thres is a tenth of the
// network's initial ‖∇f(θ₀)‖ (PGD perturbs where the gradient has fallen tenfold), the radius r is
// η·‖∇f(θ₀)‖ (one initial gradient step's length), t_thres = 20 steps and f_thres = 1e-4.
// Measured on f every `every` steps: the steps (and seconds) until f ≤ level, and the final f.
// PGD's speed-up over GD is GD's steps to the level over PGD's (a run that never reaches it
// counts as steps + 1), per depth × width; the same for PSGD over SGD.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "saddle/nn/models/models.hpp"
#include "saddle/optim.hpp"
#include "examples/common/plot.hpp"
#include "examples/reproduce/protocol.hpp"
#include "examples/reproduce/report.hpp"

namespace saddle::examples::reproduce {

struct PerturbedGd {
  std::vector<std::size_t> depths{1, 2, 3, 4}, widths{8, 16, 32, 64, 128, 256};
  std::size_t samples = 1000, batch = 64, steps = 300, every = 5, t_thres = 20;
  double lr = 0.1, level = 1.0, f_thres = 1e-4;
  static PerturbedGd quick() { return {{1, 2}, {8, 16}, 200, 32, 40, 5, 10, 0.1, 2.0, 1e-4}; }
};

inline const std::vector<std::string>& descent_methods() {
  static const std::vector<std::string> m{"gd", "pgd", "sgd", "psgd"};
  return m;
}

struct DescentRun {
  std::string method;
  std::size_t depth = 0, width = 0, dimension = 0;
  std::uint64_t seed = 0;
  std::vector<std::pair<std::size_t, double>> loss;  // (step, f) every `every` steps, and the last
  std::size_t reached = 0;                           // the first logged step with f ≤ level; 0: never
  double seconds_to_level = NAN, seconds = 0;
  std::size_t perturbations = 0, stopped_at = 0;     // stopped_at: the step PGD's rule fired, 0: never
  double final_loss() const { return loss.back().second; }
};

inline nn::FullyConnected descent_network(std::size_t depth, std::size_t width) {
  return {.inputs = 784, .hidden = std::vector<std::size_t>(depth, width), .classes = 10, .activation = "relu",
          .bias = true};
}

inline DescentRun descent_run(const std::string& method, std::size_t depth, std::size_t width, std::uint64_t seed,
                              const data::Dataset<T>& images, const PerturbedGd& p) {
  std::unique_ptr<nn::Module<T>> model = nn::fully_connected<T>(descent_network(depth, width), seed);
  const Objective<T> f(cross_entropy_loss(*model), images,
                       sample_range(0, images.size(), std::min<std::size_t>(images.size(), kRowsPerPass)));
  std::unique_ptr<Optimizer<T>> opt;
  if (method == "gd" || method == "sgd") {
    opt = std::make_unique<SGD<T>>(model->parameters(), SGDOptions{.lr = p.lr});
  } else {
    const double g0 = saddle::norm(f.gradient(nn::parameter_values(*model)));  // the thresholds' scale
    opt = std::make_unique<PGD<T>>(model->parameters(),
                                   PGDOptions{.lr = p.lr, .g_thres = 0.1 * g0, .t_thres = p.t_thres,
                                              .radius = p.lr * g0, .f_thres = method == "pgd" ? p.f_thres : 0.0,
                                              .seed = seed});
  }
  const auto* pgd = dynamic_cast<const PGD<T>*>(opt.get());
  data::BatchIterator<T> batches(images, p.batch, seed);
  data::Batch<T> b;
  DescentRun run;
  run.method = method;
  run.depth = depth;
  run.width = width;
  run.dimension = model->num_parameters();
  run.seed = seed;
  const auto start = std::chrono::steady_clock::now();
  auto log = [&](std::size_t t) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.loss.emplace_back(t, f.loss(nn::parameter_values(*model)));
    if (!run.reached && run.loss.back().second <= p.level) run.reached = t, run.seconds_to_level = seconds;
  };
  log(0);
  for (std::size_t t = 1; t <= p.steps; ++t) {
    if (method == "sgd" || method == "psgd") {
      if (!batches.next(b)) batches.next(b);
      opt->step(f.over(one_batch(b.indices)));
    } else {
      opt->step(f);
    }
    if (pgd && pgd->stopped()) {  // Alg. 2 has returned θ̃: the run ends there
      run.stopped_at = t;
      log(t);
      break;
    }
    if (t % p.every == 0 || t == p.steps) log(t);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (pgd) run.perturbations = pgd->perturbations();
  return run;
}

// Steps to the level over the seeds of one configuration and method; a run that never reaches it
// counts as steps + 1.
inline EventSteps steps_to_level(const std::vector<DescentRun>& runs, const std::string& method, std::size_t depth,
                                 std::size_t width, std::size_t steps) {
  std::vector<std::size_t> at;
  for (const DescentRun& r : runs)
    if (r.method == method && r.depth == depth && r.width == width) at.push_back(r.reached);
  return event_steps(at, steps);
}

inline double final_loss_mean(const std::vector<DescentRun>& runs, const std::string& method, std::size_t depth,
                              std::size_t width) {
  std::vector<double> xs;
  for (const DescentRun& r : runs)
    if (r.method == method && r.depth == depth && r.width == width) xs.push_back(r.final_loss());
  return stats(xs).mean;
}

inline int run_perturbed_gd(const std::string& data_dir, const std::string& out, const Scale& scale) {
  const auto started = std::chrono::steady_clock::now();
  const PerturbedGd p = scale.quick ? PerturbedGd::quick() : PerturbedGd{};
  const Splits s = load_splits(data_dir, p.samples, 0, 0);
  std::vector<DescentRun> runs;
  CsvWriter losses(out + "/descent_loss.csv", {"depth", "width", "method", "seed", "step", "loss"});
  CsvWriter summary(out + "/descent_runs.csv", {"depth", "width", "dimension", "method", "seed", "reached_at",
                                               "seconds_to_level", "final_loss", "seconds", "perturbations",
                                               "stopped_at"});
  using N = CsvWriter;
  for (std::size_t depth : p.depths)
    for (std::size_t width : p.widths) {
      for (const std::string& method : descent_methods())
        for (std::uint64_t seed = 0; seed < scale.seeds; ++seed) {
          DescentRun r = descent_run(method, depth, width, seed, s.train, p);
          for (const auto& [t, l] : r.loss)
            losses.row({std::to_string(depth), std::to_string(width), method, std::to_string(seed), std::to_string(t),
                        N::num(l)});
          summary.row({std::to_string(depth), std::to_string(width), std::to_string(r.dimension), method,
                       std::to_string(seed), r.reached ? std::to_string(r.reached) : "",
                       r.reached ? N::num(r.seconds_to_level) : "", N::num(r.final_loss()), N::num(r.seconds),
                       std::to_string(r.perturbations), r.stopped_at ? std::to_string(r.stopped_at) : ""});
          runs.push_back(std::move(r));
        }
      std::printf("  depth %zu width %4zu: f after %zu steps gd %.4f pgd %.4f sgd %.4f psgd %.4f\n", depth, width,
                  p.steps, final_loss_mean(runs, "gd", depth, width), final_loss_mean(runs, "pgd", depth, width),
                  final_loss_mean(runs, "sgd", depth, width), final_loss_mean(runs, "psgd", depth, width));
      std::fflush(stdout);
    }
  losses.finish();
  summary.finish();

  // The speed-ups, one heat map per pair: x log₂ of the width, y the depth.
  CsvWriter speedups(out + "/speedup.csv", {"log2_width", "depth", "pgd_over_gd", "psgd_over_sgd"});
  std::map<std::pair<std::size_t, std::size_t>, std::pair<double, double>> speedup;
  for (std::size_t width : p.widths)
    for (std::size_t depth : p.depths) {
      const double det = steps_to_level(runs, "gd", depth, width, p.steps).steps.mean /
                         steps_to_level(runs, "pgd", depth, width, p.steps).steps.mean;
      const double sto = steps_to_level(runs, "sgd", depth, width, p.steps).steps.mean /
                         steps_to_level(runs, "psgd", depth, width, p.steps).steps.mean;
      speedup[{depth, width}] = {det, sto};
      speedups.row({N::num(std::log2(double(width))), std::to_string(depth), N::num(det), N::num(sto)});
    }
  speedups.finish();
  const std::string mnist = "MNIST, " + std::to_string(p.samples) + " images";
  plot_grid({out + "/speedup.csv", out + "/pgd_speedup.png",
                "PGD's speed-up over GD to f ≤ " + fixed(p.level, 2) + " — " + mnist, "log₂ width", "hidden layers",
                "GD's steps / PGD's steps", "log2_width", "depth", "pgd_over_gd"});
  plot_grid({out + "/speedup.csv", out + "/psgd_speedup.png",
                "perturbed SGD's speed-up over SGD to f ≤ " + fixed(p.level, 2) + " — " + mnist, "log₂ width",
                "hidden layers", "SGD's steps / PSGD's steps", "log2_width", "depth", "psgd_over_sgd"});
  // The loss curves of the smallest and the largest network.
  CsvWriter corners(out + "/descent_corners.csv", {"series", "step", "loss"});
  for (const auto& [depth, width] : {std::pair{p.depths.front(), p.widths.front()}, std::pair{p.depths.back(), p.widths.back()}})
    for (const std::string& method : descent_methods())
      for (const DescentRun& r : runs)
        if (r.method == method && r.depth == depth && r.width == width && r.seed == 0)
          for (const auto& [t, l] : r.loss)
            corners.row({method + " L" + std::to_string(depth) + " w" + std::to_string(width), std::to_string(t),
                         N::num(l)});
  corners.finish();
  plot_csv(PlotSpec(out + "/descent_corners.csv", out + "/descent_loss.png",
                    "loss of the smallest and the largest network (seed 0) — " + mnist, "step",
                    "mean cross-entropy (log scale)", "step", {"loss"})
               .by("series")
               .logarithmic_y()
               .whole_x()
               .lines_only()
               .key_below());
  const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60;

  Report report("Study D: perturbed gradient descent (Jin et al. 2017) across depth and width on MNIST");
  report.paragraph(std::string(scale.quick ? "**Quick mode**: the pipeline on slices, not the study's protocol. " : "") +
                   "Run time " + fixed(minutes, 1) + " minutes, " + std::to_string(scale.seeds) +
                   " seeds, T = float; ReLU networks on the mean cross-entropy over the first " +
                   std::to_string(p.samples) + " training images, η = " + fixed(p.lr, 2) + ", " +
                   std::to_string(p.steps) + " steps; g_thres = ‖∇f(θ₀)‖/10, r = η‖∇f(θ₀)‖, t_thres = " +
                   std::to_string(p.t_thres) + ", f_thres = " + sci(p.f_thres, 0) +
                   " (examples/reproduce/perturbed_gd.hpp). descent_runs.csv holds every run.");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> faster_det, faster_sto;
  const auto small = [&](std::size_t depth, std::size_t width) {
    return depth <= p.depths[(p.depths.size() - 1) / 2] && width <= p.widths[(p.widths.size() - 1) / 2];
  };
  bool det_only_small = true, sto_only_small = true;
  for (std::size_t depth : p.depths)
    for (std::size_t width : p.widths) {
      const auto [det, sto] = speedup[{depth, width}];
      std::vector<std::string> row{std::to_string(depth), std::to_string(width)};
      for (const std::string& m : descent_methods())
        row.push_back(event_text(steps_to_level(runs, m, depth, width, p.steps), "reached") + ", f " +
                      fixed(final_loss_mean(runs, m, depth, width), 3));
      row.push_back(fixed(det, 2));
      row.push_back(fixed(sto, 2));
      rows.push_back(row);
      const std::string name = "L" + std::to_string(depth) + " w" + std::to_string(width) + " ×";
      if (det >= 1.1) faster_det.push_back(name + fixed(det, 2)), det_only_small = det_only_small && small(depth, width);
      if (sto >= 1.1) faster_sto.push_back(name + fixed(sto, 2)), sto_only_small = sto_only_small && small(depth, width);
    }
  std::vector<std::string> header{"hidden layers", "width"};
  for (const std::string& m : descent_methods()) header.push_back(m + ": steps to f ≤ " + fixed(p.level, 2) + ", final f");
  header.push_back("PGD / GD speed-up");
  header.push_back("PSGD / SGD speed-up");
  report.table("Steps to the level (mean ± sd over seeds; a run that never reached it counts as " +
                   std::to_string(p.steps + 1) + ") and the final loss",
               header, rows);
  auto listing = [](const std::vector<std::string>& xs) {
    std::string s;
    for (const auto& x : xs) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("none") : s;
  };
  const bool det_ok = !faster_det.empty() && det_only_small, sto_ok = !faster_sto.empty() && sto_only_small;
  report.claim({"In real networks, perturbation speeds up convergence only for small, shallow networks",
                "PGD at least 10% faster than GD: " + listing(faster_det) + "; perturbed SGD faster than SGD: " +
                    listing(faster_sto),
                det_ok && sto_ok ? Verdict::reproduced : det_ok || sto_ok ? Verdict::partly : Verdict::not_reproduced,
                "a pair (GD/PGD, SGD/perturbed SGD) agrees when the networks where the perturbed method reaches the "
                "level at least 10% sooner (mean steps over seeds) exist and all have at most " +
                    std::to_string(p.depths[(p.depths.size() - 1) / 2]) + " hidden layers of width at most " +
                    std::to_string(p.widths[(p.widths.size() - 1) / 2]) +
                    ": reproduced when both pairs agree, partly when one does",
                "pgd_speedup.png"});
  report.figure("pgd_speedup.png", "PGD's speed-up over GD, depth × width");
  report.figure("psgd_speedup.png", "perturbed SGD's speed-up over SGD, depth × width");
  report.figure("descent_loss.png", "the loss of the smallest and the largest network, every method");
  report.write(out + "/REPORT.md");
  std::printf("wrote %s/REPORT.md (%.1f minutes)\n", out.c_str(), minutes);
  return 0;
}

}  // namespace saddle::examples::reproduce
