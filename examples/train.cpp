// train — trains one of the research's models on MNIST or Fashion-MNIST with any optimizer of
// saddle, printing and recording per-epoch loss, accuracy, weight and gradient norms.
//
//   train --model mlp --optimizer adam --lr 1e-3 --batch 200 --epochs 10 --dataset mnist --csv run.csv
//
// Every optimizer takes its step through an Objective over the current mini-batch, so the methods
// that need more than one gradient (Nesterov's look-ahead, CNC-PGD's single sample, NCD's
// Hessian-vector products) train exactly like the others. --batch 0 is full-batch gradient
// descent, --batch 1 single-sample SGD.
#include <cstdio>
#include <optional>

#include "examples/common/cli.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/output_paths.hpp"
#include "examples/common/plot.hpp"
#include "examples/common/interrupt.hpp"
#include "examples/common/progress.hpp"
#include "examples/train/checkpoint.hpp"
#include "examples/train/trainer.hpp"
#include "saddle/nn/weights.hpp"

using namespace saddle;
using namespace saddle::examples;
using T = float;

namespace {

// A schedule flag given with another schedule would be silently ignored: refuse it instead.
void check_schedule_flags(const CLI::App& app, const std::string& schedule) {
  const std::pair<const char*, const char*> flags[] = {
      {"--tau", "robbins-monro"}, {"--step-gamma", "step"}, {"--step-every", "step"}, {"--lr-min", "cosine"}};
  for (const auto& [flag, applies_to] : flags)
    if (app.count(flag) > 0 && schedule != applies_to)
      throw Error(std::string(flag) + " applies only to --schedule " + applies_to + ", not to " + schedule);
}

// One row per class of the final measurements: its test and training rows, hits and accuracy (hits /
// rows; NaN for a class without rows), so that Σ test_correct / Σ test_total is the run's test_acc.
void write_per_class(const std::string& path, const EpochReport& r) {
  const nn::ClassTally& test = r.test.per_class;
  const nn::ClassTally& train = r.train.per_class;
  if (test.classes() != train.classes())
    throw Error("--per-class: " + std::to_string(test.classes()) + " test classes, " + std::to_string(train.classes()) +
                " training classes");
  CsvWriter csv(
      path, {"class", "test_total", "test_correct", "test_accuracy", "train_total", "train_correct", "train_accuracy"});
  using N = CsvWriter;
  for (std::size_t k = 0; k < test.classes(); ++k)
    csv.row({std::to_string(k), std::to_string(test.total[k]), std::to_string(test.correct[k]),
             N::num(test.accuracy(k)), std::to_string(train.total[k]), std::to_string(train.correct[k]),
             N::num(train.accuracy(k))});
  csv.finish();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train a model of the research (softmax regression, MLP, CNN, LeNet-5) with any optimizer of saddle."};
  TrainConfig c;
  std::string dataset = "mnist", data_dir, csv_path, save_path, plot_path, per_class_path;
  CheckpointFlags checkpoint;
  std::size_t train_limit = 0;
  Hyperparameters& h = c.hyper;
  app.add_option("--model", c.model, "softmax, mlp, cnn or lenet5")
      ->check(CLI::IsMember(nn::model_names()))->capture_default_str();
  app.add_option("--optimizer", c.optimizer, "the method")->check(CLI::IsMember(optimizer_names()))->capture_default_str();
  app.add_option("--lr", h.lr, "learning rate η₀ in (0, 1e3] (default: the method's own)")->check(learning_rate());
  app.add_option("--batch", c.batch, "mini-batch size; 0 = full batch, 1 = single-sample SGD")
      ->check(count())->capture_default_str();
  app.add_option("--epochs", c.epochs, "passes over the training set")->check(CLI::Range(1, 100000))->capture_default_str();
  auto* ds = app.add_option("--dataset", dataset, "mnist (the original 60,000 + 10,000 digits) or fashion (Fashion-MNIST)")
                 ->check(CLI::IsMember({"mnist", "fashion"}))->capture_default_str();
  app.add_option("--data", data_dir, "a directory holding the four MNIST-format IDX files")->check(path())->excludes(ds);
  app.add_option("--train-limit", train_limit, "use only the first N training images (0 = all)")
      ->check(count())->capture_default_str();
  app.add_option("--seed", h.seed, "seed of the initialisation, the batches and the methods' noise")
      ->check(count())->capture_default_str();
  app.add_option("--csv", csv_path, "write one row per epoch to this CSV file")->check(path());
  app.add_option("--plot", plot_path, "render loss and accuracy curves to this PNG (gnuplot; needs --csv)")->check(path());
  app.add_option("--per-class", per_class_path,
                 "write each class's test and training accuracy at the end of training to this CSV")
      ->check(path());
  app.add_option("--save", save_path, "save the trained weights to this .npz file")->check(path());
  checkpoint.add_to(app);
  app.add_option("--schedule", c.schedule.name, "learning-rate schedule")
      ->check(CLI::IsMember({"constant", "robbins-monro", "inverse-time", "step", "cosine"}))->capture_default_str();
  app.add_option("--tau", c.schedule.tau, "robbins-monro: η_t = η₀/(1 + t/τ)")->check(positive())->capture_default_str();
  app.add_option("--step-gamma", c.schedule.gamma, "step: factor γ in (0, 1]")->check(positive())->capture_default_str();
  app.add_option("--step-every", c.schedule.every, "step: every k steps")->check(count())->capture_default_str();
  app.add_option("--lr-min", c.schedule.lr_min, "cosine: final learning rate")->check(finite())->capture_default_str();
  app.add_option("--l2", h.l2, "L2 weight decay λ (g ← g + λθ)")->check(finite())->capture_default_str();
  add_hyperparameter_flags(app, h);
  app.footer(optimizer_help(true));

  return run_program("train", app, argc, argv, [&]() {
    // Everything the command line can get wrong, before the data is loaded.
    check_schedule_flags(app, c.schedule.name);
    check_optimizer(c.optimizer, h);
    if (!plot_path.empty() && csv_path.empty()) throw Error("--plot needs --csv (the figure is drawn from the CSV)");
    OutputPaths()
        .add("--csv", csv_path)
        .add("--plot", plot_path)
        .add("--save", save_path)
        .add("--per-class", per_class_path)
        .add("--checkpoint", checkpoint.checkpoint)
        .check();
    if (!plot_path.empty()) require_gnuplot();

    const std::string dir = data_dir.empty() ? data::resolve_dataset_dir(dataset) : data_dir;
    std::optional<CheckpointReader> resumed;  // read before the data: a file that is no checkpoint fails fast
    if (!checkpoint.resume.empty()) resumed.emplace(read_checkpoint(checkpoint.resume));
    data::Dataset<T> train = data::load_idx_dataset<T>(dir, "train");
    const data::Dataset<T> test = data::load_idx_dataset<T>(dir, "test");
    if (train_limit > 0 && train_limit < train.size()) train = train.slice(0, train_limit);

    Trainer<T> trainer(c, train, test);
    const std::vector<std::string> columns = {"model",    "optimizer", "epoch",       "step",      "lr",
                                              "train_loss", "train_acc", "test_loss", "test_acc", "weight_norm",
                                              "grad_norm", "seconds", "perturbations", "last_perturbation"};
    CsvWriter csv = csv_path.empty() ? CsvWriter(columns) : CsvWriter(csv_path, columns);
    const RunSignature signature = run_signature(c, dir, train.size(), test.size());
    if (resumed) resume_training(trainer, csv, *resumed, signature);
    std::printf("train: %s (%zu parameters) with %s, %s schedule, batch %zu, %zu epochs on %s (%zu train, %zu test)\n",
                c.model.c_str(), trainer.model().num_parameters(), trainer.optimizer().name(), c.schedule.name.c_str(),
                trainer.batch_size(), c.epochs, dir.c_str(), train.size(), test.size());
    std::printf("  %s\n", run_context().c_str());
    // One row per epoch; epoch 0 is the initialisation, the point every curve starts from.
    std::optional<EpochReport> last;  // the latest measurements, for --per-class
    auto record = [&](std::size_t epoch) {
      const EpochReport r = trainer.report(epoch);
      const std::optional<EscapeRecord> escape = escape_record(trainer.optimizer());
      last = r;
      std::printf("%s\n", epoch_line(r).c_str());
      std::fflush(stdout);
      using N = CsvWriter;
      csv.row({c.model, c.optimizer, std::to_string(r.epoch), std::to_string(r.steps), N::num(r.lr),
               N::num(r.train.loss), N::num(r.train.accuracy), N::num(r.test.loss), N::num(r.test.accuracy),
               N::num(r.weight_norm), N::num(r.grad_norm), N::num(r.seconds),
               // The saddle-escape methods' perturbations (NCD: curvature steps) so far and the step of
               // the latest; 0 for the other methods.
               std::to_string(escape ? escape->count : 0), std::to_string(escape ? escape->last : 0)});
    };
    if (checkpoint.resume.empty()) record(0);
    bool stopped = false;
    while (!stopped && trainer.epochs_done() < c.epochs) {
      const std::size_t epoch = trainer.epochs_done() + 1;
      Progress progress("epoch " + std::to_string(epoch) + "/" + std::to_string(c.epochs), trainer.steps_per_epoch(),
                        "batches");
      stopped = !trainer.run_epoch([&](std::size_t k, double loss) { progress.update(k, "loss " + CsvWriter::num(loss)); },
                                   [] { return interrupted() != 0; });
      if (!stopped) record(epoch);
      if (!checkpoint.checkpoint.empty()) save_checkpoint(checkpoint.checkpoint, trainer.state(), signature, csv.text());
      stopped = stopped || (interrupted() && trainer.epochs_done() < c.epochs);
    }
    csv.finish();
    if (const auto line = escape_summary(trainer.optimizer(), c.optimizer)) std::printf("train: %s\n", line->c_str());
    if (!stopped && !per_class_path.empty()) {
      // A resumed run that had every epoch already has measured nothing yet.
      write_per_class(per_class_path, last ? *last : trainer.report(trainer.epochs_done()));
      std::printf("wrote %s\n", per_class_path.c_str());
    }
    if (!save_path.empty()) {
      nn::save_weights(trainer.model(), save_path);
      std::printf("saved weights to %s\n", save_path.c_str());
    }
    if (!plot_path.empty()) {
      plot_csv(PlotSpec(csv_path, plot_path,
                        c.model + " with " + c.optimizer + " on " + (data_dir.empty() ? dataset : data_dir), "epoch",
                        "mean cross-entropy (log scale, left)", "epoch", {"train_loss", "test_loss"})
                   .logarithmic_y()
                   .whole_x()
                   .right_axis_errors({"train_acc", "test_acc"}, "error (%, log scale, right)"));
      std::printf("plotted %s\n", plot_path.c_str());
    }
    if (stopped)
      return report_interrupt("train", interrupted(),
                              trainer.position(),
                              checkpoint.checkpoint);
    return 0;
  });
}
