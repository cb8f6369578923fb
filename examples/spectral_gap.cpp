// spectral_gap — the research's end-of-training curvature experiment: train a model (LeNet-5 on
// MNIST by default) and, over its last training iterations, compute the top eigenvalues of the loss
// Hessian on a fixed set of samples (power iteration as PyHessian does, or Lanczos), and the gaps
// λ₁ − λ₂ and λ₂/λ₁. One CSV row per measured iteration, and the figure.
//
//   spectral_gap --model lenet5 --optimizer adam --epochs 3 --last 20 --samples 1000 --plot gap.png
#include <cstdio>
#include <optional>

#include "saddle/analysis/hessian_operator.hpp"
#include "saddle/analysis/spectrum.hpp"
#include "examples/common/cli.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/output_paths.hpp"
#include "examples/common/plot.hpp"
#include "examples/common/progress.hpp"
#include "examples/train/checkpoint.hpp"
#include "examples/train/trainer.hpp"

using namespace saddle;
using namespace saddle::examples;
using T = float;

int main(int argc, char** argv) {
  CLI::App app{"Spectral gaps of the loss Hessian over the last iterations of training (exact Hessian-vector products)."};
  TrainConfig c;
  c.model = "lenet5";
  c.epochs = 3;
  std::string dataset = "mnist", data_dir, csv_path = "spectral_gap.csv", plot_path, solver_name = "power";
  std::size_t last = 20, samples = 1000;
  int top = 2, iterations = 0;  // 0: the solver's default, set below
  double tol = 1e-3;
  app.add_option("--model", c.model, "softmax, mlp, cnn or lenet5")
      ->check(CLI::IsMember(nn::model_names()))
      ->capture_default_str();
  app.add_option("--optimizer", c.optimizer, "the method")->check(CLI::IsMember(optimizer_names()))->capture_default_str();
  app.add_option("--lr", c.hyper.lr, "learning rate in (0, 1e3] (default: the method's own)")->check(learning_rate());
  app.add_option("--batch", c.batch, "mini-batch size; 0 = full batch")->check(count())->capture_default_str();
  app.add_option("--epochs", c.epochs, "passes over the training set")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--last", last, "measure the Hessian at each of the last K iterations")->check(count())->capture_default_str();
  app.add_option("--samples", samples, "the Hessian of the mean loss over the first N training samples")
      ->check(count())
      ->capture_default_str();
  app.add_option("--top", top, "how many of the largest eigenvalues (≥ 2 for a gap)")
      ->check(CLI::Range(2, 100))
      ->capture_default_str();
  app.add_option("--solver", solver_name, "power (PyHessian's method) or lanczos")
      ->check(CLI::IsMember({"power", "lanczos"}))
      ->capture_default_str();
  app.add_option("--iterations", iterations,
                 "power: at most this many steps per eigenpair (default 1000; each stops early once its "
                 "residual is within --tol); lanczos: steps (default 100)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--tol", tol,
                 "power: stop an eigenpair when ‖Hv − λv‖ ≤ tol·|λ|, which bounds |λ − λ_true| by tol·|λ| even when "
                 "λ₂/λ₁ is near 1; lanczos: the Ritz residuals relative to the largest |θ|")
      ->check(finite())
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  auto* ds = app.add_option("--dataset", dataset, "mnist or fashion")
                 ->check(CLI::IsMember({"mnist", "fashion"}))
                 ->capture_default_str();
  app.add_option("--data", data_dir, "a directory holding the four MNIST-format IDX files")->check(path())->excludes(ds);
  app.add_option("--seed", c.hyper.seed, "seed of the initialisation, batches and start vectors")
      ->check(count())
      ->capture_default_str();
  app.add_option("--csv", csv_path, "one row per measured iteration")->check(path())->capture_default_str();
  app.add_option("--plot", plot_path, "render the eigenvalues and the gap along the iterations to this PNG")
      ->check(path());
  CheckpointFlags checkpoint;
  checkpoint.add_to(app);
  add_hyperparameter_flags(app, c.hyper);
  app.footer(optimizer_help(true));

  return run_program("spectral_gap", app, argc, argv, [&]() {
    // Everything the command line can get wrong, before the data is loaded.
    if (samples == 0) throw Error("--samples 0: the Hessian of the mean over no sample");
    if (last == 0) throw Error("--last 0: no iteration to measure");
    check_optimizer(c.optimizer, c.hyper);
    OutputPaths().add("--csv", csv_path).add("--plot", plot_path).add("--checkpoint", checkpoint.checkpoint).check();
    if (!plot_path.empty()) require_gnuplot();

    const std::string dir = data_dir.empty() ? data::resolve_dataset_dir(dataset) : data_dir;
    std::optional<CheckpointReader> resumed;  // read before the data: a file that is no checkpoint fails fast
    if (!checkpoint.resume.empty()) resumed.emplace(read_checkpoint(checkpoint.resume));
    const data::Dataset<T> train = data::load_idx_dataset<T>(dir, "train");
    const data::Dataset<T> test = data::load_idx_dataset<T>(dir, "test");
    if (samples == 0 || samples > train.size())
      throw Error("--samples = " + std::to_string(samples) + " must be in [1, " + std::to_string(train.size()) + "]");
    Trainer<T> trainer(c, train, test);
    const std::size_t total = c.epochs * trainer.steps_per_epoch();
    if (last == 0 || last > total)
      throw Error("--last = " + std::to_string(last) + " must be in [1, " + std::to_string(total) +
                  "] (the iterations of training)");
    const EigenSolver solver = parse_eigen_solver(solver_name);
    // Power iteration's residual shrinks like (λ₂/λ₁)^k, by a decade per ~22 steps at λ₂/λ₁ = 0.9,
    // so tol 1e-3 may take a few hundred; Lanczos converges in far fewer (Kaniel–Paige theory).
    if (iterations == 0) iterations = solver == EigenSolver::power_iteration ? 1000 : 100;
    const SampleSet hessian_samples = sample_range(0, samples, 250);

    std::vector<std::string> columns{"step", "epoch", "batch_loss"};
    for (int i = 1; i <= top; ++i) columns.push_back("lambda_" + std::to_string(i));
    for (const char* name : {"gap", "ratio", "products", "seconds"}) columns.push_back(name);
    CsvWriter csv(csv_path, columns);
    std::printf("%s with %s, %zu epochs (%zu iterations); top-%d Hessian eigenvalues (%s) over the first %zu samples at "
                "each of the last %zu iterations\n",
                c.model.c_str(), c.optimizer.c_str(), c.epochs, total, top, to_string(solver), samples, last);
    std::printf("  %s\n", run_context().c_str());

    EigenOptions opt;
    opt.max_iter = iterations;
    opt.tol = tol;
    opt.seed = c.hyper.seed;
    RunSignature signature = run_signature(c, dir, train.size(), test.size());
    for (const auto& [flag, value] : std::initializer_list<std::pair<const char*, std::string>>{
             {"--last", std::to_string(last)},
             {"--samples", std::to_string(samples)},
             {"--top", std::to_string(top)},
             {"--solver", solver_name},
             {"--iterations", std::to_string(iterations)},
             {"--tol", CsvWriter::num(tol)}})
      signature.emplace_back(flag, value);
    if (resumed) resume_training(trainer, csv, *resumed, signature);
    Progress progress("training", total - last, "steps");
    while (trainer.epochs_done() < c.epochs) {
      const std::size_t epoch = trainer.epochs_done() + 1;
      const bool finished = trainer.run_epoch([&](std::size_t k, double batch_loss) {
        const std::size_t step = (epoch - 1) * trainer.steps_per_epoch() + k;
        if (step + last <= total) {
          progress.update(step);
          return;
        }
        const auto start = std::chrono::steady_clock::now();
        const auto H = model_hessian_operator(trainer.model(), train, hessian_samples);
        const EigenResult<T> r = top_eigenpairs<T>(H, nn::parameter_values(trainer.model()), top, solver, opt);
        const SpectralGaps g = top_gaps(r.eigenvalues);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::vector<std::string> row{std::to_string(step), std::to_string(epoch), CsvWriter::num(batch_loss)};
        std::printf("step %6zu  loss %.4f  λ:", step, batch_loss);
        for (double l : r.eigenvalues) {
          row.push_back(CsvWriter::num(l));
          std::printf(" %.4f", l);
        }
        std::printf("  gap %.4f  λ2/λ1 %.4f  (%d products, %.1fs)\n", g.gap, g.ratio, r.iterations, seconds);
        std::fflush(stdout);
        for (double x : {g.gap, g.ratio, double(r.iterations), seconds}) row.push_back(CsvWriter::num(x));
        csv.row(row);
      }, [] { return interrupted() != 0; });
      if (!checkpoint.checkpoint.empty())
        save_checkpoint(checkpoint.checkpoint, trainer.state(), signature, csv.text());
      if (!finished || (interrupted() && trainer.epochs_done() < c.epochs)) {
        csv.finish();
        return report_interrupt("spectral_gap", interrupted(),
                                trainer.position(),
                                checkpoint.checkpoint);
      }
    }
    csv.finish();
    std::printf("wrote %s\n", csv_path.c_str());
    if (!plot_path.empty()) {
      std::vector<std::string> ys;
      for (int i = 1; i <= top; ++i) ys.push_back("lambda_" + std::to_string(i));
      ys.push_back("gap");
      plot_csv(PlotSpec(csv_path, plot_path,
                        c.model + " with " + c.optimizer + " on " + (data_dir.empty() ? dataset : data_dir) +
                            ": top Hessian eigenvalues at the end of training",
                        "iteration", "eigenvalue", "step", ys)
                   .whole_x());
      std::printf("plotted %s\n", plot_path.c_str());
    }
    return 0;
  });
}
