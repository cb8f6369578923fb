// hessian — the curvature of a trained (or freshly initialised) model's loss over the first N
// training samples (in file order, so the same samples are easy to take elsewhere): of the Hessian,
// or of the generalized Gauss–Newton, Fisher or empirical Fisher matrix (--operator), the extreme
// eigenvalues with what is certified about them, their gaps, the same per parameter tensor
// (--per-layer), the trace (Hutchinson or Hutch++), the diagonal, the spectral density and its
// negative mass, the top eigenvalue's distribution over batches, the CNC correlation of the
// per-sample gradients along the λ_min direction, and the loss along the top eigenvectors and
// random filter-normalised directions (1-D slices, a 2-D surface).
//
//   hessian --model mlp --weights mlp.npz --dataset fashion --samples 1000 --top 5 --bottom 3
//           --trace --trace-method hutch++ --density density.csv --cnc [--json]
//   hessian --model lenet5 --weights w.npz --operator ggn --per-layer --save-eigenvectors v.npz
//   hessian --model lenet5 --weights w.npz --top 2 --slice slice.csv --surface surface.csv --radius 1
//
// Every number comes from exact matrix-vector products (saddle/analysis/curvature.hpp), one pass
// over the N samples each: Lanczos for the eigenvalues (Golub & Van Loan §10.1), Hutchinson and
// Hutch++ for the trace and the diagonal, stochastic Lanczos quadrature for the density (Ghorbani
// et al. 2019; Yao et al. 2020), and the CNC statistic of Daneshmand et al. 2018 from one gradient
// per sample.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "saddle/analysis/cnc.hpp"
#include "saddle/analysis/curvature.hpp"
#include "saddle/objective/model_loss.hpp"
#include "saddle/analysis/landscape.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "saddle/base/blas_info.hpp"
#include "saddle/base/distributed.hpp"
#include "saddle/base/parallel.hpp"
#include "saddle/base/tensor_list.hpp"
#include "examples/common/cli.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/output_paths.hpp"
#include "examples/common/progress.hpp"
#include "examples/hessian/outputs.hpp"
#include "examples/hessian/settings.hpp"
#include "saddle/nn/models/models.hpp"
#include "saddle/nn/weights.hpp"

using namespace saddle;
using examples::certification;
using examples::eigen_json;
using examples::join;
using examples::json;
using examples::write_density;

namespace {


using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// M with a progress line per product: "top-5 lanczos [####....] 12/100 Mv  3.1 Mv/s  ETA …".
// The totals are the solvers' upper bounds (Lanczos may stop earlier).
class ProgressOperator {
 public:
  ProgressOperator(LinearOperator<double> M, bool quiet) : M_(std::move(M)), quiet_(quiet) {}
  LinearOperator<double> phase(const std::string& label, std::size_t bound) {
    progress_ = quiet_ ? nullptr : std::make_shared<examples::Progress>(label, bound, "Mv");
    done_ = 0;
    bound_ = bound;
    return [this](const TensorList<double>& v) {
      examples::check_interrupt();  // a signal ends the run between products (interrupt.hpp)
      TensorList<double> y = M_(v);
      if (progress_) progress_->update(std::min(++done_, bound_));
      return y;
    };
  }
  // Ends the line on a terminal when the solver stopped before its bound.
  void finish() {
    if (progress_ && done_ < bound_ && isatty(fileno(stderr))) std::fprintf(stderr, "\n");
    progress_.reset();
  }

 private:
  LinearOperator<double> M_;
  bool quiet_;
  std::shared_ptr<examples::Progress> progress_;
  std::size_t done_ = 0, bound_ = 0;
};

int run(const examples::hessian::Settings& s) {
  // Everything the command line can get wrong, before the work.
  examples::OutputPaths()
      .add("--density", s.density_csv)
      .add("--slice", s.slice_csv)
      .add("--surface", s.surface_csv)
      .add("--diag", s.diag_npz)
      .add("--save-eigenvectors", s.eigenvectors_npz)
      .check();
  if (!s.slice_csv.empty() && s.top < 1) throw Error("--slice: the slices along the top eigenvectors need --top ≥ 1");
  if (!s.eigenvectors_npz.empty() && s.top < 1 && s.bottom < 1)
    throw Error("--save-eigenvectors: no eigenvectors to save with --top 0 and --bottom 0");
  if (!s.diag_npz.empty() && s.trace_probes < 2)
    throw Error("--diag: the sampled diagonal needs --trace-probes ≥ 2, got " + std::to_string(s.trace_probes));
  if (s.trace && s.trace_method == "hutch++" && s.trace_probes < 3)
    throw Error("--trace-method hutch++: needs --trace-probes ≥ 3 products, got " + std::to_string(s.trace_probes));
  const Curvature kind = parse_curvature(s.curvature);
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
  const CurvatureOperator<double> M(kind, model_logits(*model), objective, theta);
  // --precision float: the products in single precision (the model and the samples in float, each
  // product's input rounded to float and its output widened back); Lanczos's vectors, their
  // orthogonalisation and every reduction stay in double.
  const bool single = s.precision == "float";
  std::unique_ptr<nn::Module<float>> model32;
  std::optional<data::Dataset<float>> subset32;
  std::optional<Objective<float>> objective32;
  std::optional<CurvatureOperator<float>> M32;
  LinearOperator<double> product = M;
  if (single) {
    model32 = nn::make_model<float>(s.model, s.init_seed);
    if (!s.weights.empty()) nn::load_weights(*model32, s.weights);
    model32->eval();
    // byte/255 rounded to double and then to float is byte/255 rounded to float, for all 256 bytes
    subset32 = data::Dataset<float>{xt::cast<float>(subset.images), subset.labels};
    objective32.emplace(cross_entropy_loss(*model32), *subset32, sample_range(0, s.samples, batch));
    M32.emplace(kind, model_logits(*model32), *objective32, nn::parameter_values(*model32));
    product = [op = *M32](const TensorList<double>& v) {
      TensorList<float> v32;
      for (const auto& t : v) v32.push_back(xt::cast<float>(t));
      TensorList<double> out;
      for (const auto& t : op(v32)) out.push_back(xt::cast<double>(t));
      return out;
    };
  }
  const auto products = [&] { return single ? M32->products() : M.products(); };
  ProgressOperator P(product, s.quiet);
  std::vector<std::string> names;
  for (const auto& [name, p] : model->named_parameters()) names.push_back(name);

  report["model"] = s.model;
  report["weights"] = s.weights.empty() ? json(nullptr) : json(s.weights);
  report["initialisation_seed"] = s.weights.empty() ? json(s.init_seed) : json(nullptr);
  report["dataset"] = source;
  report["samples"] = s.samples;
  report["batch"] = batch;
  report["parameters"] = n;
  report["operator"] = s.curvature;
  report["precision"] = s.precision;
  report["solver"] = s.solver;
  const BlasInfo blas = blas_info();
  report["blas"] = {
      {"config", blas.config}, {"kernel", blas.kernel}, {"chosen_by", blas.chosen_by}, {"threads", blas.threads}};
  report["saddle_workers"] = worker_count();
  report["processes"] = distributed::size();

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
  if (!s.eigenvectors_npz.empty()) {
    NamedTensors<double> arrays;
    if (top) examples::add_eigenvectors(arrays, "top", *top, names);
    if (bottom) examples::add_eigenvectors(arrays, "bottom", *bottom, names);
    save_npz(s.eigenvectors_npz, arrays);
    report["eigenvectors"] = s.eigenvectors_npz;
  }
  if (s.per_layer) {
    // Each parameter tensor's diagonal block M_gg (curvature.hpp), as many pairs as it has room for.
    report["per_layer"] = json::array();
    for (std::size_t g = 0; g < names.size(); ++g) {
      t = Clock::now();
      const TensorList<double> like{theta[g]};
      const int k_top = std::min<int>(s.top, int(theta[g].size())), k_bottom = std::min<int>(s.bottom, int(theta[g].size()));
      const auto op = P.phase(names[g], static_cast<std::size_t>(s.iterations) * (k_top + k_bottom + 2));
      const LinearOperator<double> block = diagonal_block<double>(op, theta, g);
      json layer = {{"name", names[g]}, {"parameters", theta[g].size()}};
      if (k_top > 0) layer["top"] = eigen_json(top_eigenpairs<double>(block, like, k_top, solver, eo), seconds_since(t));
      const auto t_bottom = Clock::now();
      if (k_bottom > 0)
        layer["bottom"] =
            eigen_json(bottom_eigenpairs<double>(block, like, k_bottom, solver, eo), seconds_since(t_bottom));
      P.finish();
      report["per_layer"].push_back(layer);
    }
  }
  if (s.trace) {
    t = Clock::now();
    const auto op = P.phase("trace " + s.trace_method, static_cast<std::size_t>(s.trace_probes));
    const TraceEstimate tr = s.trace_method == "hutch++" ? hutchpp_trace<double>(op, theta, s.trace_probes, s.seed)
                                                         : hutchinson_trace<double>(op, theta, s.trace_probes, s.seed);
    P.finish();
    report["trace"] = {{"mean", tr.mean},
                       {"standard_error", tr.standard_error},
                       {"method", s.trace_method},
                       {"products", tr.probes},
                       {"seconds", seconds_since(t)}};
  }
  if (!s.diag_npz.empty()) {
    t = Clock::now();
    std::size_t exact = 0;
    for (const auto& p : theta) exact += p.size() <= s.diag_exact ? p.size() : 0;
    const auto op = P.phase("diagonal", exact + static_cast<std::size_t>(s.trace_probes));
    const DiagonalEstimate<double> d = diagonal_estimate<double>(op, theta, s.trace_probes, s.diag_exact, s.seed);
    P.finish();
    examples::save_diagonal(s.diag_npz, d, names);
    report["diagonal"] = {{"file", s.diag_npz},
                          {"exact_up_to", s.diag_exact},
                          {"probes", s.trace_probes},
                          {"products", d.products},
                          {"seconds", seconds_since(t)}};
  }
  if (s.batch_spectrum) {
    // λ_max of M over each batch of the N samples: how much one mini-batch's curvature says.
    t = Clock::now();
    std::vector<double> tops;
    std::size_t products = 0;
    for (std::size_t b = 0; b < objective.samples().batch_count(); ++b) {
      const SampleSet& all = objective.samples();
      std::vector<std::size_t> rows(all.indices.begin() + all.batch_begin(b), all.indices.begin() + all.batch_end(b));
      const CurvatureOperator<double> Mb(kind, model_logits(*model), objective.over(one_batch(std::move(rows))), theta);
      ProgressOperator Pb(Mb, s.quiet);
      const auto op = Pb.phase("batch " + std::to_string(b + 1) + " top", static_cast<std::size_t>(s.iterations) * 2);
      tops.push_back(top_eigenpairs<double>(op, theta, 1, solver, eo).eigenvalues.at(0));
      Pb.finish();
      products += Mb.products();
    }
    const examples::Summary sm = examples::summary_of(tops);
    report["batch_spectrum"] = {{"batch", batch}, {"batches", tops.size()}, {"top", tops},  {"mean", sm.mean},
                                {"sd", sm.sd},    {"min", sm.min},          {"max", sm.max}, {"products", products},
                                {"seconds", seconds_since(t)}};
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
  report["products"] = products();  // over all N samples (--batch-spectrum's are its own)
  timings["total_s"] = seconds_since(t_start);
  report["timings"] = timings;

  if (s.as_json) {
    std::printf("%s\n", report.dump(1).c_str());
    return 0;
  }
  const char* matrix = kind == Curvature::hessian  ? "Hessian"
                       : kind == Curvature::ggn    ? "Generalized Gauss–Newton matrix"
                       : kind == Curvature::fisher ? "Fisher"
                                                   : "Empirical Fisher";
  std::printf("%s of the mean cross-entropy of %s (%zu parameters)\n", matrix, s.model.c_str(), n);
  if (s.weights.empty())
    std::printf("  weights: seeded initialisation (seed %llu), no --weights given\n",
                static_cast<unsigned long long>(s.init_seed));
  else
    std::printf("  weights: %s\n", s.weights.c_str());
  std::printf("  samples: the first %zu training samples of %s, in batches of %zu\n", s.samples, source.c_str(), batch);
  std::printf("  loss %.6g, gradient norm %.4g\n", g.value, saddle::norm(g.grad));
  std::printf("  %s\n", examples::run_context().c_str());
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
  if (report.contains("per_layer")) {
    std::printf("per layer (the diagonal block of each parameter tensor):\n");
    for (const auto& layer : report["per_layer"]) {
      std::printf("  %-14s %8zu", layer["name"].get<std::string>().c_str(), layer["parameters"].get<std::size_t>());
      for (const char* part : {"top", "bottom"})
        if (layer.contains(part))
          std::printf("  %s %s (%s)", part, join(layer[part]["eigenvalues"].get<std::vector<double>>()).c_str(),
                      certification(layer[part]).c_str());
      std::printf("\n");
    }
  }
  if (report.contains("trace"))
    std::printf("trace ≈ %.6g ± %.2g (%s, %d products)\n", report["trace"]["mean"].get<double>(),
                report["trace"]["standard_error"].get<double>(), s.trace_method.c_str(),
                report["trace"]["products"].get<int>());
  if (report.contains("diagonal"))
    std::printf("diagonal: %s (exact on tensors of ≤ %zu entries, %d probes elsewhere)\n", s.diag_npz.c_str(),
                s.diag_exact, s.trace_probes);
  if (report.contains("batch_spectrum")) {
    const auto& b = report["batch_spectrum"];
    std::printf("top eigenvalue over %zu batches of %zu: %.6g ± %.3g [%.6g, %.6g]\n", b["batches"].get<std::size_t>(),
                batch, b["mean"].get<double>(), b["sd"].get<double>(), b["min"].get<double>(), b["max"].get<double>());
  }
  if (report.contains("eigenvectors")) std::printf("eigenvectors: %s\n", s.eigenvectors_npz.c_str());
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
  std::printf("%zu products with the %s, %.2f s in all (%.3f s for the first gradient pass)\n", products(),
              s.curvature.c_str(),
              timings["total_s"].get<double>(), timings["gradient_s"].get<double>());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hessian: the curvature of a model's mean cross-entropy over the first N training samples — of the "
      "Hessian, the generalized Gauss–Newton matrix, the Fisher or the empirical Fisher: extreme eigenvalues "
      "with what is certified, gaps, per-layer blocks, trace, diagonal, spectral density, the top eigenvalue "
      "over batches, CNC correlation, landscapes (exact matrix-vector products, double precision)."};
  examples::hessian::Settings s;
  examples::hessian::add_options(app, s);
  return examples::run_program("hessian", app, argc, argv, [&] { return run(s); });
}
