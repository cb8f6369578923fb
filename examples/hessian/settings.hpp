// examples/hessian/settings.hpp — the hessian program's flags: what it computes and where it writes.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "saddle/analysis/curvature.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "saddle/nn/models/models.hpp"
#include "examples/common/cli.hpp"

namespace saddle::examples::hessian {

struct Settings {
  std::string model = "mlp", weights, dataset = "mnist", data_dir, density_csv, slice_csv, surface_csv;
  std::string surface_plane = "random";  // random: two filter-normalised directions; top: v₁ and v₂
  std::string curvature = "hessian", trace_method = "hutchinson", diag_npz, eigenvectors_npz, precision = "double";
  std::size_t diag_exact = 256;  // parameter tensors of at most this many entries get an exact diagonal
  bool per_layer = false, batch_spectrum = false;
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

inline void add_options(CLI::App& app, Settings& s) {
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
  app.add_option("--operator", s.curvature,
                 "the curvature matrix: hessian, ggn (generalized Gauss–Newton), fisher or empirical-fisher")
      ->check(CLI::IsMember(curvature_names()))
      ->capture_default_str();
  app.add_option("--precision", s.precision,
                 "double, or float: products in single precision inside the solvers (their vectors and sums in "
                 "double), about twice as fast; ask --tol no tighter than about 1e-6")
      ->check(CLI::IsMember({"double", "float"}))
      ->capture_default_str();
  app.add_flag("--per-layer", s.per_layer, "the same eigenvalues for each parameter tensor's diagonal block");
  app.add_option("--save-eigenvectors", s.eigenvectors_npz,
                 "write the top and bottom eigenvectors to this .npz, one array per eigenvector per parameter "
                 "(top_1.fc1.weight, …)")
      ->check(examples::path());
  app.add_option("--diag", s.diag_npz,
                 "write the diagonal to this .npz, one array per parameter and its standard error "
                 "(fc1.weight, fc1.weight.standard_error)")
      ->check(examples::path());
  app.add_option("--diag-exact", s.diag_exact, "--diag: exact on parameter tensors of at most this many entries")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
  app.add_flag("--batch-spectrum", s.batch_spectrum, "the top eigenvalue of each batch of --batch samples");
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
  app.add_option("--trace-method", s.trace_method, "hutchinson or hutch++ (Meyer et al. 2021)")
      ->check(CLI::IsMember({"hutchinson", "hutch++"}))
      ->capture_default_str();
  app.add_option("--trace-probes", s.trace_probes, "products for --trace and the sampled part of --diag")
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
}

}  // namespace saddle::examples::hessian
