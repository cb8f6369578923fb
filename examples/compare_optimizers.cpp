// compare_optimizers — the research's optimizer comparison: one model, several optimizers, the same
// initialisation and the same mini-batches for all, over one or more seeds; the table of each
// method's mean over the seeds, optionally one CSV (a row per optimizer, epoch and seed) and the
// figures (training loss, test accuracy; a line per optimizer, the mean over the seeds).
//
//   compare_optimizers --model mlp --optimizers sgd,momentum,nesterov,adam,nadam --epochs 10 --plot compare
//   compare_optimizers --model softmax --optimizers sgd,adam --lr sgd=0.1,adam=1e-3 --seeds 3 --csv c.csv
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>

#include "examples/common/cli.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/output_file.hpp"
#include "examples/common/output_paths.hpp"
#include "examples/common/plot.hpp"
#include "examples/common/progress.hpp"
#include "examples/train/checkpoint.hpp"
#include "examples/train/trainer.hpp"

using namespace saddle;
using namespace saddle::examples;
using T = float;

namespace {

// Each method's learning rate from --lr's items: "0.05" is every method's (every method not named,
// when names are given too), "adam=1e-3" one method's; a method with neither keeps its own default.
// Every item is checked here, before any data is read, and a bad one is named in the error.
std::vector<std::optional<double>> learning_rates(const std::vector<std::string>& items,
                                                  const std::vector<std::string>& methods) {
  std::vector<std::optional<double>> named(methods.size());
  std::optional<double> every;
  auto rate = [](const std::string& item, const std::string& text) {
    std::string s = text;
    const std::string why = learning_rate()(s);
    if (!why.empty()) throw Error("--lr" + (item.empty() ? "" : " " + item) + ": " + why);
    return parse_number(text);
  };
  for (const auto& item : items) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) {
      if (every)
        throw Error("--lr " + item + ": a second rate for every method (the first is " + CsvWriter::num(*every) + ")");
      every = rate("", item);
      continue;
    }
    const std::string name = item.substr(0, eq), text = item.substr(eq + 1);
    if (name.empty()) throw Error("--lr " + item + ": no method before '='");
    if (text.empty()) throw Error("--lr " + item + ": no learning rate after '='");
    const auto& all = optimizer_names();
    if (std::find(all.begin(), all.end(), name) == all.end())
      throw Error("--lr " + item + ": " + name + " is not an optimizer (see --help)");
    const auto it = std::find(methods.begin(), methods.end(), name);
    if (it == methods.end()) throw Error("--lr " + item + ": " + name + " is not one of --optimizers");
    const std::size_t m = static_cast<std::size_t>(it - methods.begin());
    if (named[m]) throw Error("--lr " + item + ": " + name + " is given a rate twice");
    named[m] = rate(item, text);
  }
  for (auto& r : named)
    if (!r) r = every;
  return named;
}

// The CSV's columns; `seed` is last, so the columns before it keep the positions they had when the
// comparison ran a single seed.
const std::vector<std::string> kColumns = {"optimizer",   "epoch",     "step",      "lr",
                                           "train_loss",  "train_acc", "test_loss", "test_acc",
                                           "weight_norm", "grad_norm", "seconds",   "seed"};
constexpr std::size_t kFirstMeasure = 2, kSeedColumn = 11;  // the columns averaged: [kFirstMeasure, kSeedColumn)

// The mean over the seeds of every measured column, per (optimizer, epoch), from the CSV's text (which
// a checkpoint keeps, so a resumed run averages the seeds run before it too): the table's rows and
// the figures' points. Rows keep the order in which each (optimizer, epoch) first appears; the last
// column, `seeds`, counts the rows averaged.
struct SeedMeans {
  std::vector<std::string> keys;  // "optimizer,epoch"
  std::vector<std::vector<double>> sums;
  std::vector<std::size_t> counts;

  explicit SeedMeans(const std::string& csv_text) {
    std::size_t start = csv_text.find('\n') + 1;  // past the header
    for (std::size_t end; (end = csv_text.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::vector<std::string> cells = gnuplot::split_csv_line(csv_text.substr(start, end - start));
      if (cells.size() != kColumns.size()) continue;
      const std::string key = cells[0] + "," + cells[1];
      std::size_t k = 0;
      while (k < keys.size() && keys[k] != key) ++k;
      if (k == keys.size()) {
        keys.push_back(key);
        sums.emplace_back(kSeedColumn - kFirstMeasure, 0.0);
        counts.push_back(0);
      }
      for (std::size_t c = kFirstMeasure; c < kSeedColumn; ++c) sums[k][c - kFirstMeasure] += parse_number(cells[c]);
      ++counts[k];
    }
  }

  // The means of (optimizer, epoch), in kColumns' order from kFirstMeasure; empty if it has no row.
  std::vector<double> at(const std::string& optimizer, std::size_t epoch) const {
    const std::string key = optimizer + "," + std::to_string(epoch);
    for (std::size_t k = 0; k < keys.size(); ++k)
      if (keys[k] == key) return mean(k);
    return {};
  }

  // As a tidy CSV: optimizer, epoch, the means, seeds.
  std::string csv() const {
    std::string out;
    for (std::size_t c = 0; c < kSeedColumn; ++c) out += kColumns[c] + ",";
    out += "seeds\n";
    for (std::size_t k = 0; k < keys.size(); ++k) {
      out += keys[k];
      for (double x : mean(k)) out.append(",").append(CsvWriter::num(x));
      out.append(",").append(std::to_string(counts[k])).append("\n");
    }
    return out;
  }

 private:
  std::vector<double> mean(std::size_t k) const {
    std::vector<double> m = sums[k];
    for (double& x : m) x /= double(counts[k]);
    return m;
  }
};

std::string exact(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Compare optimizers on one model: same initialisation, same mini-batches, the mean over seeds."};
  TrainConfig c;
  std::vector<std::string> optimizers = compared_optimizer_names();
  std::vector<std::string> lr_items;
  std::string dataset = "mnist", data_dir, csv_path, plot_prefix;
  std::size_t seeds = 1;
  app.add_option("--model", c.model, "softmax, mlp, cnn or lenet5")
      ->check(CLI::IsMember(nn::model_names()))
      ->capture_default_str();
  app.add_option("--optimizers", optimizers, "the methods, comma-separated")
      ->delimiter(',')
      ->check(CLI::IsMember(optimizer_names()))
      ->capture_default_str();
  app.add_option("--lr", lr_items,
                 "learning rates in (0, 1e3]: RATE for every method, NAME=RATE for one of --optimizers "
                 "(comma-separated, e.g. adam=1e-3,sgd=0.1); a method not named keeps its own default")
      ->delimiter(',');
  app.add_option("--batch", c.batch, "mini-batch size; 0 = full batch")->check(count())->capture_default_str();
  app.add_option("--epochs", c.epochs, "passes over the training set")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  auto* ds = app.add_option("--dataset", dataset, "mnist or fashion")
                 ->check(CLI::IsMember({"mnist", "fashion"}))
                 ->capture_default_str();
  app.add_option("--data", data_dir, "a directory holding the four MNIST-format IDX files")
      ->check(path())
      ->excludes(ds);
  std::size_t train_limit = 0;
  app.add_option("--train-limit", train_limit, "use only the first N training images (0 = all)")
      ->check(count())
      ->capture_default_str();
  app.add_option("--seed", c.hyper.seed, "the first seed of the initialisation and the batches")
      ->check(count())
      ->capture_default_str();
  app.add_option("--seeds", seeds, "run every method with the seeds --seed, --seed + 1, …, --seed + N - 1")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
      ->capture_default_str();
  app.add_option("--csv", csv_path, "write a row per (optimizer, epoch, seed) to this CSV (none unless given)")
      ->check(path());
  app.add_option("--plot", plot_prefix,
                 "render PREFIX_loss.png and PREFIX_accuracy.png, the mean over the seeds (gnuplot; needs no --csv)")
      ->check(path());
  CheckpointFlags checkpoint;
  checkpoint.add_to(app);
  app.footer(optimizer_help(false));

  return run_program("compare_optimizers", app, argc, argv, [&]() {
    // Everything the command line can get wrong, before the data is loaded.
    for (std::size_t i = 0; i < optimizers.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (optimizers[i] == optimizers[j])
          throw Error("--optimizers: " + optimizers[i] + " is named twice (each method runs once)");
    const std::vector<std::optional<double>> rates = learning_rates(lr_items, optimizers);
    const std::uint64_t first_seed = c.hyper.seed;
    if (seeds - 1 > std::numeric_limits<std::uint64_t>::max() - first_seed)
      throw Error("--seeds " + std::to_string(seeds) + ": the last seed would pass 2^64 - 1 from --seed " +
                  std::to_string(first_seed));
    for (std::size_t m = 0; m < optimizers.size(); ++m) {
      c.hyper.lr = rates[m];
      check_optimizer(optimizers[m], c.hyper);
    }
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
    std::optional<CheckpointReader> resumed;  // read before the data: a file that is no checkpoint fails fast
    if (!checkpoint.resume.empty()) resumed.emplace(read_checkpoint(checkpoint.resume));
    data::Dataset<T> train = data::load_idx_dataset<T>(dir, "train");
    const data::Dataset<T> test = data::load_idx_dataset<T>(dir, "test");
    if (train_limit > 0 && train_limit < train.size()) train = train.slice(0, train_limit);
    // The rows are kept in memory in any case: the means over the seeds are computed from them.
    CsvWriter csv = csv_path.empty() ? CsvWriter(kColumns) : CsvWriter(csv_path, kColumns);
    std::printf("%s on %s, batch %zu, %zu epochs, the same initialisation and batches for every method",
                c.model.c_str(), dir.c_str(), c.batch, c.epochs);
    if (seeds > 1)
      std::printf("; the mean over seeds %llu to %llu", static_cast<unsigned long long>(first_seed),
                  static_cast<unsigned long long>(first_seed + (seeds - 1)));
    std::printf("\n  %s\n%-20s %10s %9s %10s %9s %8s\n", run_context().c_str(), "optimizer", "train loss", "train acc", "test loss", "test acc",
                "seconds");
    // The run a checkpoint must match: every method's configuration, in order, and the seeds.
    c.hyper.lr.reset();
    RunSignature signature = run_signature(c, dir, train.size(), test.size());
    std::string methods, lrs;
    for (std::size_t m = 0; m < optimizers.size(); ++m) {
      methods += (m ? "," : "") + optimizers[m];
      lrs += (m ? "," : "") + optimizers[m] + "=" + (rates[m] ? exact(*rates[m]) : "default");
    }
    for (auto& entry : signature) {
      if (entry.first == "--optimizer") entry = {"--optimizers", methods};
      if (entry.first == "--lr") entry.second = lrs;
    }
    signature.emplace_back("--seeds", std::to_string(seeds));
    // The runs in order: every seed of the first method, then of the second, …; run = method · seeds + seed offset.
    const std::size_t runs = optimizers.size() * seeds;
    std::size_t first = 0;  // the run a resumed comparison continues with
    if (resumed) {
      check_signature(*resumed, signature);
      const std::size_t m = resumed->count("compare.method"), s = resumed->count("compare.seed");
      if (m >= optimizers.size() || s >= seeds)
        throw Error("checkpoint " + checkpoint.resume + ": method " + std::to_string(m) + " of " +
                    std::to_string(optimizers.size()) + ", seed " + std::to_string(s) + " of " + std::to_string(seeds));
      first = m * seeds + s;
      csv.restore(resumed->text("csv"));
      std::printf("resumed from %s at %s, seed %llu\n", checkpoint.resume.c_str(), optimizers[m].c_str(),
                  static_cast<unsigned long long>(first_seed + s));
    }
    std::vector<std::string> escapes;  // what the saddle-escape methods did, printed after the table
    for (std::size_t run = first; run < runs; ++run) {
      const std::size_t m = run / seeds, s = run % seeds;
      const std::string& name = optimizers[m];
      const std::string seed = std::to_string(first_seed + s);
      c.optimizer = name;
      c.hyper.lr = rates[m];
      c.hyper.seed = first_seed + s;
      Trainer<T> trainer(c, train, test);
      const bool continued = resumed && run == first;
      if (continued) trainer.restore(*resumed);
      Progress progress(seeds > 1 ? name + " seed " + seed : name, c.epochs * trainer.steps_per_epoch(), "steps");
      auto record = [&](std::size_t epoch) {
        const EpochReport r = trainer.report(epoch);
        using N = CsvWriter;
        csv.row({name, std::to_string(r.epoch), std::to_string(r.steps), N::num(r.lr), N::num(r.train.loss),
                 N::num(r.train.accuracy), N::num(r.test.loss), N::num(r.test.accuracy), N::num(r.weight_norm),
                 N::num(r.grad_norm), N::num(r.seconds), seed});
      };
      if (!continued) record(0);
      while (trainer.epochs_done() < c.epochs) {
        const std::size_t done = trainer.epochs_done() * trainer.steps_per_epoch();
        const bool finished = trainer.run_epoch([&](std::size_t k, double) { progress.update(done + k); },
                                                [] { return interrupted() != 0; });
        if (finished) record(trainer.epochs_done());
        if (!checkpoint.checkpoint.empty()) {
          CheckpointArrays state = trainer.state();
          state.emplace_back("compare.method", checkpoint_scalar(double(m)));
          state.emplace_back("compare.seed", checkpoint_scalar(double(s)));
          save_checkpoint(checkpoint.checkpoint, std::move(state), signature, csv.text());
        }
        if (interrupted() && trainer.epochs_done() < c.epochs) {
          csv.finish();
          return report_interrupt("compare_optimizers", interrupted(),
                                  name + (seeds > 1 ? " seed " + seed : "") + ", " + trainer.position(),
                                  checkpoint.checkpoint);
        }
      }
      if (const auto line = escape_summary(trainer.optimizer(), name))
        escapes.push_back(seeds > 1 ? *line + " (seed " + seed + ")" : *line);
      if (s + 1 < seeds) continue;
      // The method's last seed is done: its row of the table, the mean over its seeds at the last epoch.
      const std::vector<double> mean = SeedMeans(csv.text()).at(name, c.epochs);
      auto col = [&](const char* column) {
        const std::size_t i =
            static_cast<std::size_t>(std::find(kColumns.begin(), kColumns.end(), column) - kColumns.begin());
        return mean.at(i - kFirstMeasure);
      };
      std::printf("%-20s %10.4f %8.2f%% %10.4f %8.2f%% %8.1f\n", name.c_str(), col("train_loss"),
                  100 * col("train_acc"), col("test_loss"), 100 * col("test_acc"), col("seconds"));
      std::fflush(stdout);
    }
    csv.finish();
    for (const std::string& line : escapes) std::printf("%s\n", line.c_str());
    if (!csv_path.empty()) std::printf("wrote %s\n", csv_path.c_str());
    if (!plot_prefix.empty()) {
      // The figures draw the means over the seeds, from a temporary CSV beside them that never stays.
      OutputFile means(plot_prefix + "_means.csv");
      means.write(SeedMeans(csv.text()).csv());
      std::string title = c.model + " on " + (data_dir.empty() ? dataset : data_dir);
      if (seeds > 1) title.append(", mean of ").append(std::to_string(seeds)).append(" seeds");
      plot_csv(PlotSpec(means.temp_path(), loss_png, title + ": training loss", "epoch", "mean cross-entropy (log scale)",
                        "epoch", {"train_loss"})
                   .by("optimizer")
                   .logarithmic_y()
                   .whole_x());
      plot_csv(PlotSpec(means.temp_path(), accuracy_png, title + ": test error", "epoch", "test error (%, log scale)",
                        "epoch", {"test_acc"})
                   .by("optimizer")
                   .whole_x()
                   .as_error_pct());
      std::printf("plotted %s and %s\n", loss_png.c_str(), accuracy_png.c_str());
    }
    return 0;
  });
}
