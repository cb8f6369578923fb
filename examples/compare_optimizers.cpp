// compare_optimizers — the research's optimizer comparison: one model, several optimizers, the same
// initialisation and the same mini-batches for all, one CSV (a row per optimizer and epoch) and the
// figures (training loss, test accuracy; a line per optimizer).
//
//   compare_optimizers --model mlp --optimizers sgd,momentum,nesterov,adam,nadam --epochs 10 --plot compare
#include <cstdio>
#include <optional>

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
  CLI::App app{"Compare optimizers on one model: same initialisation, same mini-batches, one CSV and one figure."};
  TrainConfig c;
  std::vector<std::string> optimizers = compared_optimizer_names();
  std::string dataset = "mnist", data_dir, csv_path = "compare.csv", plot_prefix;
  app.add_option("--model", c.model, "softmax, mlp, cnn or lenet5")
      ->check(CLI::IsMember(nn::model_names()))
      ->capture_default_str();
  app.add_option("--optimizers", optimizers, "the methods, comma-separated")
      ->delimiter(',')
      ->check(CLI::IsMember(optimizer_names()))
      ->capture_default_str();
  app.add_option("--lr", c.hyper.lr, "one learning rate in (0, 1e3] for every method (default: each method's own)")
      ->check(learning_rate());
  app.add_option("--batch", c.batch, "mini-batch size; 0 = full batch")->check(count())->capture_default_str();
  app.add_option("--epochs", c.epochs, "passes over the training set")->check(CLI::Range(1, 100000))->capture_default_str();
  auto* ds = app.add_option("--dataset", dataset, "mnist or fashion")
                 ->check(CLI::IsMember({"mnist", "fashion"}))
                 ->capture_default_str();
  app.add_option("--data", data_dir, "a directory holding the four MNIST-format IDX files")->check(path())->excludes(ds);
  std::size_t train_limit = 0;
  app.add_option("--train-limit", train_limit, "use only the first N training images (0 = all)")
      ->check(count())
      ->capture_default_str();
  app.add_option("--seed", c.hyper.seed, "seed of the initialisation and the batches")->check(count())->capture_default_str();
  app.add_option("--csv", csv_path, "the CSV of every (optimizer, epoch)")->check(path())->capture_default_str();
  app.add_option("--plot", plot_prefix, "render PREFIX_loss.png and PREFIX_accuracy.png (gnuplot)")->check(path());
  CheckpointFlags checkpoint;
  checkpoint.add_to(app);
  app.footer(optimizer_help(false));

  return run_program("compare_optimizers", app, argc, argv, [&]() {
    // Everything the command line can get wrong, before the data is loaded.
    for (std::size_t i = 0; i < optimizers.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (optimizers[i] == optimizers[j])
          throw Error("--optimizers: " + optimizers[i] + " is named twice (each method runs once)");
    for (const auto& name : optimizers) check_optimizer(name, c.hyper);
    const std::string loss_png = plot_prefix.empty() ? "" : plot_prefix + "_loss.png";
    const std::string accuracy_png = plot_prefix.empty() ? "" : plot_prefix + "_accuracy.png";
    OutputPaths()
        .add("--csv", csv_path)
        .add("--plot", loss_png)
        .add("--plot", accuracy_png)
        .add("--checkpoint", checkpoint.checkpoint)
        .check();
    if (!plot_prefix.empty()) require_gnuplot();

    const std::string dir = data_dir.empty() ? data::resolve_dataset_dir(dataset) : data_dir;
    data::Dataset<T> train = data::load_idx_dataset<T>(dir, "train");
    const data::Dataset<T> test = data::load_idx_dataset<T>(dir, "test");
    if (train_limit > 0 && train_limit < train.size()) train = train.slice(0, train_limit);
    CsvWriter csv(csv_path, {"optimizer", "epoch", "step", "lr", "train_loss", "train_acc", "test_loss", "test_acc",
                             "weight_norm", "grad_norm", "seconds"});
    std::printf("%s on %s, batch %zu, %zu epochs, the same initialisation and batches for every method\n",
                c.model.c_str(), dir.c_str(), c.batch, c.epochs);
    std::printf("%-20s %10s %9s %10s %9s %8s\n", "optimizer", "train loss", "train acc", "test loss", "test acc", "seconds");
    // The run a checkpoint must match: every method's configuration, in order.
    RunSignature signature = run_signature(c, dir, train.size(), test.size());
    std::string methods;
    for (const auto& name : optimizers) methods += (methods.empty() ? "" : ",") + name;
    for (auto& [flag, value] : signature)
      if (flag == "--optimizer") flag = "--optimizers", value = methods;
    std::size_t first = 0;  // the method a resumed run continues with
    std::optional<CheckpointReader> resumed;
    if (!checkpoint.resume.empty()) {
      resumed.emplace(load_checkpoint(checkpoint.resume, signature));
      first = resumed->count("compare.method");
      if (first >= optimizers.size())
        throw Error("checkpoint " + checkpoint.resume + ": method " + std::to_string(first) + " of " +
                    std::to_string(optimizers.size()));
      csv.restore(resumed->text("csv"));
      std::printf("resumed from %s at %s\n", checkpoint.resume.c_str(), optimizers[first].c_str());
    }
    for (std::size_t m = first; m < optimizers.size(); ++m) {
      const std::string& name = optimizers[m];
      c.optimizer = name;
      Trainer<T> trainer(c, train, test);
      if (resumed && m == first) trainer.restore(*resumed);
      Progress progress(name, c.epochs * trainer.steps_per_epoch(), "steps");
      auto record = [&](std::size_t epoch) {
        const EpochReport r = trainer.report(epoch);
        using N = CsvWriter;
        csv.row({name, std::to_string(r.epoch), std::to_string(r.steps), N::num(r.lr), N::num(r.train.loss),
                 N::num(r.train.accuracy), N::num(r.test.loss), N::num(r.test.accuracy), N::num(r.weight_norm),
                 N::num(r.grad_norm), N::num(r.seconds)});
        return r;
      };
      EpochReport r;
      if (!(resumed && m == first)) r = record(0);
      while (trainer.epochs_done() < c.epochs) {
        const std::size_t done = trainer.epochs_done() * trainer.steps_per_epoch();
        const bool finished = trainer.run_epoch([&](std::size_t k, double) { progress.update(done + k); },
                                                [] { return interrupted() != 0; });
        if (finished) r = record(trainer.epochs_done());
        if (!checkpoint.checkpoint.empty()) {
          CheckpointArrays state = trainer.state();
          state.emplace_back("compare.method", checkpoint_scalar(double(m)));
          save_checkpoint(checkpoint.checkpoint, std::move(state), signature, csv.text());
        }
        if (interrupted() && trainer.epochs_done() < c.epochs) {
          csv.finish();
          return report_interrupt("compare_optimizers", interrupted(),
                                  name + ", " + trainer.position(),
                                  checkpoint.checkpoint);
        }
      }
      std::printf("%-20s %10.4f %8.2f%% %10.4f %8.2f%% %8.1f\n", name.c_str(), r.train.loss, 100 * r.train.accuracy,
                  r.test.loss, 100 * r.test.accuracy, r.seconds);
      std::fflush(stdout);
    }
    csv.finish();
    std::printf("wrote %s\n", csv_path.c_str());
    if (!plot_prefix.empty()) {
      const std::string title = c.model + " on " + dataset;
      plot_csv({csv_path, loss_png, title + ": training loss", "epoch", "mean cross-entropy", "epoch",
                {"train_loss"}, "optimizer", true});
      plot_csv({csv_path, accuracy_png, title + ": test accuracy", "epoch", "accuracy", "epoch",
                {"test_acc"}, "optimizer", false});
      std::printf("plotted %s and %s\n", loss_png.c_str(), accuracy_png.c_str());
    }
    return 0;
  });
}
