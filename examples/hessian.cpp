// hessian — the curvature of a trained (or freshly initialised) model's loss: the extreme
// eigenvalues of the Hessian of the mean cross-entropy over the first N training samples (in file
// order, so the same samples are easy to take elsewhere), their gaps, the trace, the spectral
// density, the CNC correlation of the per-sample gradients along the λ_min direction, and the loss
// along the top eigenvectors and random filter-normalised directions (1-D slices, a 2-D surface).
//
//   hessian --model mlp --weights mlp.npz --dataset fashion --samples 1000 --top 5 --bottom 3
//           --trace --density density.csv --cnc [--json]
//   hessian --model lenet5 --weights w.npz --top 2 --slice slice.csv --surface surface.csv --radius 1
//
// Every number comes from exact Hessian-vector products (forward-over-reverse), one pass over the
// N samples each: Lanczos for the eigenvalues (Golub & Van Loan §10.1), Hutchinson for the trace,
// stochastic Lanczos quadrature for the density (Ghorbani et al. 2019; Yao et al. 2020), and the
// CNC statistic of Daneshmand et al. 2018 from one gradient per sample.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "saddle/analysis/cnc.hpp"
#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/analysis/landscape.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "saddle/base/tensor_list.hpp"
#include "examples/common/cli.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/output_paths.hpp"
#include "examples/common/progress.hpp"
#include "saddle/nn/models/models.hpp"
#include "saddle/nn/weights.hpp"

using namespace saddle;
using json = nlohmann::json;

namespace {

struct Settings {
  std::string model = "mlp", weights, dataset = "mnist", data_dir, density_csv, slice_csv, surface_csv;
  std::string surface_plane = "random";  // random: two filter-normalised directions; top: v₁ and v₂
  double radius = 1;
  int points = 41;
  std::size_t samples = 1000, batch = 250;
  int top = 5, bottom = 1, iterations = EigenOptions{}.max_iter, trace_probes = 100, density_runs = 3,
      density_steps = 80;
  double tol = EigenOptions{}.tol;
  double cnc_tol = 1e-10;  // the CNC direction's own solve
  double negative_tol = SpectrumRequest{}.negative_tolerance;
  std::uint64_t seed = 0, init_seed = 0;
  std::string solver = "lanczos";
  bool trace = false, cnc = false, as_json = false, quiet = false;
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// H with a progress line per product: "top-5 lanczos [####....] 12/100 hvp  3.1 hvp/s  ETA …".
// The totals are the solvers' upper bounds (Lanczos may stop earlier).
class ProgressOperator {
 public:
  ProgressOperator(const HessianOperator<double>& H, bool quiet) : H_(H), quiet_(quiet) {}
  LinearOperator<double> phase(const std::string& label, std::size_t bound) {
    progress_ = quiet_ ? nullptr : std::make_shared<examples::Progress>(label, bound, "hvp");
    done_ = 0;
    bound_ = bound;
    return [this](const TensorList<double>& v) {
      examples::check_interrupt();  // a signal ends the run between products (interrupt.hpp)
      TensorList<double> y = H_(v);
      if (progress_) progress_->update(++done_);
      return y;
    };
  }
  // Ends the line on a terminal when the solver stopped before its bound.
  void finish() {
    if (progress_ && done_ < bound_ && isatty(fileno(stderr))) std::fprintf(stderr, "\n");
    progress_.reset();
  }

 private:
  HessianOperator<double> H_;
  bool quiet_;
  std::shared_ptr<examples::Progress> progress_;
  std::size_t done_ = 0, bound_ = 0;
};

// Lanczos certifies each pair against its own tolerance and verifies that none was skipped
// (saddle/base/lanczos.hpp); power iteration reports its residuals only.
json eigen_json(const EigenResult<double>& r, double seconds) {
  json j = {{"eigenvalues", r.eigenvalues},
            {"residuals", r.residuals},
            {"products", r.iterations},
            {"converged", r.converged},
            {"seconds", seconds}};
  if (!r.tolerances.empty()) {
    std::vector<bool> certified;
    for (std::size_t i = 0; i < r.residuals.size(); ++i) certified.push_back(r.residuals[i] <= r.tolerances[i]);
    j["tolerances"] = r.tolerances;
    j["certified"] = certified;
    j["verified"] = r.verified;
    j["missed_then_found"] = r.missed;
  }
  return j;
}

// "converged, verified" or what is not certified: "not converged: pairs 2, 3 above their tolerance".
std::string certification(const json& r) {
  if (!r.contains("certified")) return r["converged"].get<bool>() ? "converged" : "not converged";
  std::string open;
  const auto certified = r["certified"].get<std::vector<bool>>();
  for (std::size_t i = 0; i < certified.size(); ++i)
    if (!certified[i]) open += (open.empty() ? "" : ", ") + std::to_string(i + 1);
  if (!open.empty()) return "not converged: pair" + std::string(open.find(',') == std::string::npos ? " " : "s ") + open +
                            " above " + (open.find(',') == std::string::npos ? "its" : "their") + " tolerance";
  if (!r["verified"].get<bool>()) return "each pair within its tolerance, but the check for skipped eigenvalues ran out of steps";
  const int found = r["missed_then_found"].get<int>();
  return found ? "converged and verified (the check found " + std::to_string(found) + " the first run had skipped)"
               : "converged and verified";
}

std::string join(const std::vector<double>& x) {
  std::string s;
  char buf[32];
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.6g", i ? "  " : "", x[i]);
    s += buf;
  }
  return s;
}

void write_density(const std::string& path, const SpectralDensity& d) {
  examples::CsvWriter out(path, {"lambda", "density"});
  for (std::size_t i = 0; i < d.grid.size(); ++i)
    out.row({examples::CsvWriter::num(d.grid[i]), examples::CsvWriter::num(d.density[i])});
  out.finish();
}

int run(const Settings& s) {
  // Everything the command line can get wrong, before the work.
  examples::OutputPaths().add("--density", s.density_csv).add("--slice", s.slice_csv).add("--surface", s.surface_csv).check();
  if (!s.slice_csv.empty() && s.top < 1) throw Error("--slice: the slices along the top eigenvectors need --top ≥ 1");
  if (!s.surface_csv.empty() && s.surface_plane == "top" && s.top < 2)
    throw Error("--surface-plane top: the plane of v₁ and v₂ needs --top ≥ 2");
  const auto t_start = Clock::now();
  json report;
  json timings;

  // The model, at its seeded initialisation or with the given weights.
  std::unique_ptr<nn::Module<double>> model = nn::make_model<double>(s.model, s.init_seed);
  if (!s.weights.empty()) {
    if (!std::filesystem::exists(s.weights)) throw Error("--weights " + s.weights + ": no such file");
    nn::load_weights(*model, s.weights);  // refuses NaN and infinite weights
  }
  model->eval();
  const TensorList<double> theta = nn::parameter_values(*model);
  const std::size_t n = numel(theta);

  // The first N training samples in file order.
  auto t = Clock::now();
  const std::string source = s.data_dir.empty() ? s.dataset : s.data_dir;
  const data::Dataset<double> train = s.data_dir.empty() ? data::load_dataset<double>(s.dataset, "train")
                                                         : data::load_idx_dataset<double>(s.data_dir, "train");
  if (s.samples > train.size())
    throw Error("--samples " + std::to_string(s.samples) + " exceeds the " + std::to_string(train.size()) +
                " training samples of " + source);
  const data::Dataset<double> subset = train.slice(0, s.samples);
  timings["load_s"] = seconds_since(t);

  const std::size_t batch = std::min(s.batch, s.samples);
  const Objective<double> objective(cross_entropy_loss(*model), subset, sample_range(0, s.samples, batch));
  const HessianOperator<double> H(objective, theta);
  ProgressOperator P(H, s.quiet);

  report["model"] = s.model;
  report["weights"] = s.weights.empty() ? json(nullptr) : json(s.weights);
  report["initialisation_seed"] = s.weights.empty() ? json(s.init_seed) : json(nullptr);
  report["dataset"] = source;
  report["samples"] = s.samples;
  report["batch"] = batch;
  report["parameters"] = n;
  report["solver"] = s.solver;

  t = Clock::now();
  const ValueAndGrad<double> g = objective.value_and_grad(theta);
  timings["gradient_s"] = seconds_since(t);
  if (!std::isfinite(g.value) || !std::isfinite(saddle::norm(g.grad)))
    throw Error("the loss or its gradient is not finite at these weights; no curvature to report");
  report["loss"] = g.value;
  report["gradient_norm"] = saddle::norm(g.grad);

  const EigenSolver solver = parse_eigen_solver(s.solver);
  const EigenOptions eo{.k = 1, .max_iter = s.iterations, .tol = s.tol, .seed = s.seed};
  std::optional<EigenResult<double>> bottom, top;
  if (s.top > 0) {
    t = Clock::now();
    // Bounds: Lanczos's run and up to k verification runs; power iteration's steps per pair.
    const auto op = P.phase("top-" + std::to_string(s.top) + " " + s.solver,
                            static_cast<std::size_t>(s.iterations) * (solver == EigenSolver::lanczos ? s.top + 1 : s.top));
    const auto r = top_eigenpairs<double>(op, theta, s.top, solver, eo);
    top = r;
    P.finish();
    report["top"] = eigen_json(r, seconds_since(t));
    if (r.eigenvalues.size() >= 2) {
      const SpectralGaps gp = top_gaps(r.eigenvalues);
      report["gap"] = {{"gap", gp.gap}, {"ratio", gp.ratio}, {"differences", gp.differences}};
    }
  }
  if (s.bottom > 0) {
    t = Clock::now();
    const int k = std::max(s.bottom, 1);
    const auto op = P.phase("bottom-" + std::to_string(k) + " " + s.solver,
                            static_cast<std::size_t>(s.iterations) * (k + 1));
    bottom = bottom_eigenpairs<double>(op, theta, k, solver, eo);
    P.finish();
    report["bottom"] = eigen_json(*bottom, seconds_since(t));
    if (bottom->eigenvalues.size() >= 2) {
      const SpectralGaps gp = bottom_gaps(bottom->eigenvalues);
      report["bottom_gap"] = {{"gap", gp.gap}, {"differences", gp.differences}};
    }
  }
  if (s.trace) {
    t = Clock::now();
    const auto op = P.phase("trace", static_cast<std::size_t>(s.trace_probes));
    const TraceEstimate tr = hutchinson_trace<double>(op, theta, s.trace_probes, s.seed);
    P.finish();
    report["trace"] = {
        {"mean", tr.mean}, {"standard_error", tr.standard_error}, {"probes", tr.probes}, {"seconds", seconds_since(t)}};
  }
  if (!s.density_csv.empty()) {
    t = Clock::now();
    const int m = static_cast<int>(std::min<std::size_t>(s.density_steps, n));
    const auto op = P.phase("density", static_cast<std::size_t>(s.density_runs) * m);
    SpectrumRequest req{.top = 0};
    req.density = true;
    req.density_options = {.n_v = s.density_runs, .m = m};
    req.seed = s.seed;
    req.negative_tolerance = s.negative_tol;
    const SpectrumSummary sd = spectrum_summary<double>(op, theta, req);
    P.finish();
    write_density(s.density_csv, *sd.density);
    const NegativeMass& nm = *sd.negative_mass;
    report["density"] = {{"file", s.density_csv},
                         {"negative_mass", nm.mass},
                         {"negative_mass_standard_error", nm.standard_error},
                         {"negative_threshold", nm.threshold},
                         {"negative_threshold_relative", nm.relative_threshold},
                         {"runs", s.density_runs},
                         {"steps", m},
                         {"seconds", seconds_since(t)}};
  }
  if (s.cnc) {
    // The direction v_min to its own tolerance: CNC is a quadratic form in it, so a loose vector
    // moves the statistic (sin∠(v, u_min) ≤ residual / gap), whatever --tol the eigenvalues used.
    t = Clock::now();
    const auto op = P.phase("λ_min for --cnc", static_cast<std::size_t>(s.iterations) * 2);
    const EigenResult<double> v_min =
        lambda_min<double>(op, theta, {.max_iter = s.iterations, .tol = s.cnc_tol, .seed = s.seed});
    P.finish();
    const CncResult<double> c = cnc_correlation(objective, theta, v_min.eigenvectors.at(0));
    report["cnc"] = {{"correlation", c.correlation},
                     {"isotropic_baseline", c.baseline},
                     {"ratio", c.ratio},
                     {"lambda_min", v_min.eigenvalues.at(0)},
                     {"direction", eigen_json(v_min, 0)},
                     {"mean_squared_gradient_norm", c.mean_squared_gradient_norm},
                     {"mean_projection", c.mean_projection},
                     {"seconds", seconds_since(t)}};
  }
  if (!s.slice_csv.empty() || !s.surface_csv.empty()) {
    // f(θ + αu) along each top eigenvector and a random filter-normalised direction (Li et al. 2018),
    // and f(θ + αu + βw) over a plane, on the same samples as the Hessian.
    t = Clock::now();
    const ParameterLoss<double> f = parameter_loss(objective);
    const std::vector<double> alphas = linspace(-s.radius, s.radius, s.points);
    std::mt19937_64 rng(s.seed);
    const TensorList<double> u = filter_normalized_direction(theta, rng), w = filter_normalized_direction(theta, rng);
    if (!s.slice_csv.empty()) {
      examples::CsvWriter out(s.slice_csv, {"direction", "alpha", "loss"});
      auto write = [&](const std::string& name, const TensorList<double>& d) {
        const LossSlice slice = loss_slice(f, theta, d, alphas);
        for (std::size_t i = 0; i < alphas.size(); ++i)
          out.row({name, examples::CsvWriter::num(alphas[i]), examples::CsvWriter::num(slice.losses[i])});
      };
      for (std::size_t i = 0; i < top->eigenvectors.size(); ++i)
        write("top_eigenvector_" + std::to_string(i + 1), top->eigenvectors[i]);
      write("random_filter_normalised", u);
      out.finish();
    }
    if (!s.surface_csv.empty()) {
      const bool along_top = s.surface_plane == "top";
      const LossSurface surface = loss_surface(f, theta, along_top ? top->eigenvectors[0] : u,
                                               along_top ? top->eigenvectors[1] : w, alphas, alphas);
      examples::CsvWriter out(s.surface_csv, {"alpha", "beta", "loss"});
      for (std::size_t i = 0; i < alphas.size(); ++i)
        for (std::size_t j = 0; j < alphas.size(); ++j)
          out.row({examples::CsvWriter::num(alphas[i]), examples::CsvWriter::num(alphas[j]),
                   examples::CsvWriter::num(surface.at(i, j))});
      out.finish();
    }
    report["landscape"] = {{"slice", s.slice_csv.empty() ? json(nullptr) : json(s.slice_csv)},
                           {"surface", s.surface_csv.empty() ? json(nullptr) : json(s.surface_csv)},
                           {"surface_plane", s.surface_plane},
                           {"radius", s.radius},
                           {"points", s.points},
                           {"seconds", seconds_since(t)}};
  }
  report["products"] = H.hvp_calls();
  timings["total_s"] = seconds_since(t_start);
  report["timings"] = timings;

  if (s.as_json) {
    std::printf("%s\n", report.dump(1).c_str());
    return 0;
  }
  std::printf("Hessian of the mean cross-entropy of %s (%zu parameters)\n", s.model.c_str(), n);
  if (s.weights.empty())
    std::printf("  weights: seeded initialisation (seed %llu), no --weights given\n",
                static_cast<unsigned long long>(s.init_seed));
  else
    std::printf("  weights: %s\n", s.weights.c_str());
  std::printf("  samples: the first %zu training samples of %s, in batches of %zu\n", s.samples, source.c_str(), batch);
  std::printf("  loss %.6g, gradient norm %.4g\n", g.value, saddle::norm(g.grad));
  if (report.contains("top")) {
    const auto& r = report["top"];
    std::printf("top %d (%s, %d products, %s): %s\n", s.top, s.solver.c_str(), r["products"].get<int>(),
                certification(r).c_str(), join(r["eigenvalues"].get<std::vector<double>>()).c_str());
  }
  if (report.contains("gap"))
    std::printf("  gap λ1 − λ2 = %.6g, λ2/λ1 = %.4f\n", report["gap"]["gap"].get<double>(),
                report["gap"]["ratio"].get<double>());
  if (report.contains("bottom"))
    std::printf("bottom %d (%s, %d products, %s): %s\n", s.bottom, s.solver.c_str(), bottom->iterations,
                certification(report["bottom"]).c_str(), join(bottom->eigenvalues).c_str());
  if (report.contains("trace"))
    std::printf("trace ≈ %.6g ± %.2g (Hutchinson, %d probes)\n", report["trace"]["mean"].get<double>(),
                report["trace"]["standard_error"].get<double>(), s.trace_probes);
  if (report.contains("density"))
    std::printf("density: %s (SLQ, %d × %d steps), negative mass %.4f ± %.4f below −τ = %.4g (%g·max|λ|)\n",
                s.density_csv.c_str(), s.density_runs, report["density"]["steps"].get<int>(),
                report["density"]["negative_mass"].get<double>(),
                report["density"]["negative_mass_standard_error"].get<double>(),
                report["density"]["negative_threshold"].get<double>(), s.negative_tol);
  if (report.contains("cnc")) {
    const auto& c = report["cnc"];
    std::printf(
        "CNC along the λ_min = %.4g eigenvector: E[(vᵀ∇f_z)²] = %.4g, isotropic E‖∇f_z‖²/n = %.4g, ratio %.4g\n",
        c["lambda_min"].get<double>(), c["correlation"].get<double>(), c["isotropic_baseline"].get<double>(),
        c["ratio"].get<double>());
  }
  if (report.contains("landscape"))
    std::printf("landscape: %s%s%s (α in [−%g, %g], %d points a side)\n", s.slice_csv.c_str(),
                s.slice_csv.empty() || s.surface_csv.empty() ? "" : " and ", s.surface_csv.c_str(), s.radius, s.radius,
                s.points);
  std::printf("%zu Hessian-vector products, %.2f s in all (%.3f s for the first gradient pass)\n", H.hvp_calls(),
              timings["total_s"].get<double>(), timings["gradient_s"].get<double>());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hessian: extreme eigenvalues, gaps, trace, spectral density and CNC correlation of the Hessian "
      "of a model's mean cross-entropy over the first N training samples (exact Hessian-vector "
      "products, double precision)."};
  Settings s;
  app.add_option("--model", s.model, "model")->check(CLI::IsMember(nn::model_names()))->capture_default_str();
  app.add_option("--weights", s.weights, "weights .npz (nn::save_weights); without it, the seeded initialisation")
      ->check(examples::path());
  auto* ds = app.add_option("--dataset", s.dataset, "mnist or fashion")
                 ->check(CLI::IsMember({"mnist", "fashion"}))
                 ->capture_default_str();
  auto* dd = app.add_option("--data", s.data_dir, "a directory with the four IDX files (instead of --dataset)")
                 ->check(examples::path());
  ds->excludes(dd);
  app.add_option("--samples", s.samples, "the first N training samples")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  app.add_option("--batch", s.batch, "rows per forward pass (memory only, not the objective)")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  app.add_option("--top", s.top, "how many of the largest eigenvalues")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--bottom", s.bottom, "how many of the smallest eigenvalues")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--solver", s.solver, "lanczos or power")
      ->check(CLI::IsMember({"lanczos", "power"}))
      ->capture_default_str();
  app.add_option("--iterations", s.iterations,
                 "Lanczos steps a run (and a verification run; power: steps per eigenpair)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--tol", s.tol,
                 "residual tolerance of each eigenpair relative to its eigenvalue (Lanczos: max(|λ|, 1e-3·max|λ|)), "
                 "which bounds the eigenvalue's error")
      ->check(examples::finite())
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--cnc-tol", s.cnc_tol, "the same for the λ_min eigenvector --cnc projects on")
      ->check(examples::finite())
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--trace", s.trace, "Hutchinson trace estimate");
  app.add_option("--trace-probes", s.trace_probes, "Rademacher probes for --trace")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--density", s.density_csv, "write the SLQ spectral density to this CSV (lambda,density)")
      ->check(examples::path());
  app.add_option("--density-runs", s.density_runs, "SLQ start vectors")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--density-steps", s.density_steps, "Lanczos steps per SLQ run")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--negative-tol", s.negative_tol,
                 "the negative mass counts the density below −τ, τ = this × max|λ| (reported with its standard error)")
      ->check(examples::finite())
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--cnc", s.cnc, "CNC correlation along the λ_min eigenvector (one gradient per sample)");
  app.add_option("--slice", s.slice_csv,
                 "write the loss along each top eigenvector and a random filter-normalised direction to this CSV "
                 "(direction,alpha,loss)")
      ->check(examples::path());
  app.add_option("--surface", s.surface_csv, "write the loss over a plane through θ to this CSV (alpha,beta,loss)")
      ->check(examples::path());
  app.add_option("--surface-plane", s.surface_plane,
                 "random (two filter-normalised directions, Li et al. 2018) or top (the top two eigenvectors)")
      ->check(CLI::IsMember({"random", "top"}))
      ->capture_default_str();
  app.add_option("--radius", s.radius, "slices and surface span α, β in [−R, R]")
      ->check(examples::positive())
      ->capture_default_str();
  app.add_option("--points", s.points, "grid points a side (the surface costs points² loss evaluations)")
      ->check(CLI::Range(3, 1001))
      ->capture_default_str();
  app.add_option("--seed", s.seed, "seed of start vectors, probes and random directions")->check(examples::count())->capture_default_str();
  app.add_option("--init-seed", s.init_seed, "seed of the initialisation when no --weights")
      ->check(examples::count())
      ->capture_default_str();
  app.add_flag("--json", s.as_json, "print one JSON object instead of the report");
  app.add_flag("--quiet", s.quiet, "no progress line on stderr");
  return examples::run_program("hessian", app, argc, argv, [&] { return run(s); });
}
