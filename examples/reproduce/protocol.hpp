// examples/reproduce/protocol.hpp — what the reproductions share: MNIST split as the studies split
// it, one training run with its tidy logs (a row per logged step and per epoch, with a seed
// column), the learning-rate rule, and mean ± sd over seeds.
//
// The rule for learning rates (the studies do not publish theirs): every configuration (model,
// method, batch size) takes the rate of a half-decade grid that gives the lowest validation loss
// after a short run from seed 0 — one epoch, or the whole run when it has fewer than 50 steps an
// epoch (full-batch gradient descent). The validation set is the 10,000 training images the study
// left out (MNIST's training images 50,000…59,999), never the test set. A run that diverges scores
// +∞. Ties go to the smaller rate.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "saddle/base/parallel.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/interrupt.hpp"
#include "examples/common/progress.hpp"
#include "examples/train/trainer.hpp"

namespace saddle::examples::reproduce {

using T = float;

// The scale of a reproduction: the study's protocol (full) or the same pipeline on slices small
// enough for a test (quick).
struct Scale {
  bool quick = false;
  std::size_t seeds = 3;
};

// MNIST as the studies use it: the first `train_size` training images to train on, the next
// `validation_size` to choose learning rates, the first `test_size` test images to report.
struct Splits {
  data::Dataset<T> train, validation, test;
  std::string dir;
};

inline Splits load_splits(const std::string& dir, std::size_t train_size, std::size_t validation_size,
                          std::size_t test_size) {
  const data::Dataset<T> all = data::load_idx_dataset<T>(dir, "train");
  const data::Dataset<T> test = data::load_idx_dataset<T>(dir, "test");
  if (all.size() < train_size + validation_size || test.size() < test_size)
    throw Error("reproduce: " + dir + " holds " + std::to_string(all.size()) + " training and " +
                std::to_string(test.size()) + " test images; the protocol needs " +
                std::to_string(train_size + validation_size) + " and " + std::to_string(test_size) +
                " (the original MNIST: scripts/fetch-data.sh)");
  return {all.slice(0, train_size), all.slice(train_size, train_size + validation_size), test.slice(0, test_size),
          dir};
}

struct Stats {
  double mean = 0, sd = 0;  // sd: the sample standard deviation (n − 1); 0 for one value
  std::size_t n = 0;
};

inline Stats stats(const std::vector<double>& xs) {
  Stats s;
  s.n = xs.size();
  if (xs.empty()) return {NAN, NAN, 0};
  for (double x : xs) s.mean += x;
  s.mean /= double(xs.size());
  for (double x : xs) s.sd += (x - s.mean) * (x - s.mean);
  s.sd = xs.size() > 1 ? std::sqrt(s.sd / double(xs.size() - 1)) : 0;
  return s;
}

// "97.61 ± 0.08" (scaled by `scale`, `digits` decimals); one value prints without the ±.
inline std::string pm(const Stats& s, int digits, double scale = 1) {
  char buf[96];
  if (s.n > 1)
    std::snprintf(buf, sizeof buf, "%.*f ± %.*f", digits, s.mean * scale, digits, s.sd * scale);
  else
    std::snprintf(buf, sizeof buf, "%.*f", digits, s.mean * scale);
  return buf;
}

// Steps to an event (escaping a saddle) over seeds, where a run that missed it within max_steps
// counts as max_steps + 1: a method that never escapes ranks last, and its mean is a lower bound.
struct EventSteps {
  Stats steps;
  double min = NAN, max = NAN;  // over the runs, counted the same way
  std::size_t hits = 0, runs = 0;
};

inline EventSteps event_steps(const std::vector<std::size_t>& at, std::size_t max_steps) {
  EventSteps e;
  std::vector<double> xs;
  for (std::size_t t : at) {
    xs.push_back(t ? double(t) : double(max_steps + 1));
    e.hits += t ? 1 : 0;
  }
  e.runs = at.size();
  e.steps = stats(xs);
  if (!xs.empty()) {
    e.min = *std::min_element(xs.begin(), xs.end());
    e.max = *std::max_element(xs.begin(), xs.end());
  }
  return e;
}

// "34.0 ± 5.2 (3 of 3 escaped)", the event named by `verb`.
inline std::string event_text(const EventSteps& e, const std::string& verb = "escaped") {
  return pm(e.steps, 1) + " (" + std::to_string(e.hits) + " of " + std::to_string(e.runs) + " " + verb + ")";
}

// "0.003", "1e-06": a parameter as %g writes it.
inline std::string plain(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

inline std::string sci(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*e", digits, x);
  return buf;
}

inline std::string fixed(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// One configuration of a study: a named line of its figures.
struct RunSpec {
  std::string model_label;  // "softmax", "mlp", …: the group of figures it belongs to
  std::string series;       // its name in CSVs and legends, without commas: "sgd b1 Robbins-Monro"
  TrainConfig config;       // model, method, rate, batch, epochs, schedule (hyper.seed is set per run)
};

// A configuration of `model` trained by `method`.
inline RunSpec spec(const std::string& model, const std::string& series, const std::string& method,
                    std::size_t batch, std::size_t epochs) {
  RunSpec s;
  s.model_label = model;
  s.series = series;
  s.config.model = model;
  s.config.optimizer = method;
  s.config.batch = batch;
  s.config.epochs = epochs;
  return s;
}

struct EpochRow {
  std::size_t epoch = 0, steps = 0;
  double lr = 0, seconds = 0, weight_norm = 0;
  Evaluation train, test;
};

struct StepRow {
  std::size_t step = 0, epoch = 0;
  double lr = 0, batch_loss = 0, probe_loss = 0, probe_grad_norm = 0;
};

struct RunResult {
  RunSpec spec;
  std::uint64_t seed = 0;
  std::vector<EpochRow> epochs;  // epoch 0 is the initialisation
  std::vector<StepRow> steps;
  bool diverged = false;
  std::string why;                   // the divergence, in the trainer's words
  std::unique_ptr<Trainer<T>> trainer;  // the trained model, for measurements after training
  const EpochRow& last() const { return epochs.back(); }
};

// The tidy logs of a study, in DIR: steps.csv (a row per logged step) and epochs.csv (a row per
// epoch), both with the seed; a study adds its own.
class Logs {
 public:
  Logs(const std::string& dir, const std::string& study)
      : study_(study),
        steps_(dir + "/steps.csv", {"study", "model", "series", "seed", "step", "epoch", "lr", "batch_loss",
                                    "probe_loss", "probe_grad_norm"}),
        epochs_(dir + "/epochs.csv", {"study", "model", "series", "seed", "epoch", "step", "lr", "train_loss",
                                      "train_acc", "test_loss", "test_acc", "weight_norm", "seconds"}),
        tuning_(dir + "/tuning.csv", {"study", "model", "series", "parameter", "value", "validation_loss",
                                      "validation_acc"}) {}

  void step(const RunResult& r, const StepRow& s) {
    using N = CsvWriter;
    steps_.row({study_, r.spec.model_label, r.spec.series, std::to_string(r.seed), std::to_string(s.step),
                std::to_string(s.epoch), N::num(s.lr), N::num(s.batch_loss), N::num(s.probe_loss),
                N::num(s.probe_grad_norm)});
  }
  void epoch(const RunResult& r, const EpochRow& e) {
    using N = CsvWriter;
    epochs_.row({study_, r.spec.model_label, r.spec.series, std::to_string(r.seed), std::to_string(e.epoch),
                 std::to_string(e.steps), N::num(e.lr), N::num(e.train.loss), N::num(e.train.accuracy),
                 N::num(e.test.loss), N::num(e.test.accuracy), N::num(e.weight_norm), N::num(e.seconds)});
  }
  void tuning(const RunSpec& spec, const std::string& parameter, double value, const Evaluation& v) {
    using N = CsvWriter;
    tuning_.row({study_, spec.model_label, spec.series, parameter, N::num(value), N::num(v.loss),
                 N::num(v.accuracy)});
  }
  void finish() {
    steps_.finish();
    epochs_.finish();
    tuning_.finish();
  }

 private:
  std::string study_;
  CsvWriter steps_, epochs_, tuning_;
};

// How many steps apart the step rows are: about `rows` rows a run, whatever its length.
inline std::size_t log_stride(std::size_t total_steps, std::size_t rows) {
  return std::max<std::size_t>(1, (total_steps + rows - 1) / rows);
}

// Called after every step with the trainer and the step's number (1-based over the run).
using StepHook = std::function<void(Trainer<T>&, std::size_t step, double batch_loss)>;

// Trains spec from `seed`: rows of `logs` at every `stride`-th step (the mean loss and gradient norm
// over `probe`, a fixed set of training images, beside the mini-batch's loss) and at every epoch
// (loss and accuracy over the whole training and test sets). A diverged run stops there and says so.
inline RunResult train_run(const RunSpec& spec, std::uint64_t seed, const Splits& s, const data::Dataset<T>& probe,
                           Logs* logs, std::size_t step_rows, const StepHook& hook = {}) {
  RunResult r;
  r.spec = spec;
  r.seed = seed;
  TrainConfig c = spec.config;
  c.hyper.seed = seed;
  r.trainer = std::make_unique<Trainer<T>>(c, s.train, s.test);
  Trainer<T>& t = *r.trainer;
  const Objective<T> probe_loss(cross_entropy_loss(t.model()), probe, sample_range(0, probe.size(), 1000));
  const std::size_t total = c.epochs * t.steps_per_epoch();
  const std::size_t stride = log_stride(total, step_rows);
  double seconds = 0;
  auto measure_epoch = [&](std::size_t epoch) {
    EpochRow e;
    e.epoch = epoch;
    e.steps = t.optimizer().steps();
    e.lr = t.optimizer().lr();
    e.seconds = seconds;
    e.weight_norm = saddle::norm(nn::parameter_values(t.model()));
    e.train = evaluate(t.model(), s.train);
    e.test = evaluate(t.model(), s.test);
    r.epochs.push_back(e);
    if (logs) logs->epoch(r, e);
  };
  measure_epoch(0);
  const std::string label = spec.model_label + " " + spec.series + " seed " + std::to_string(seed);
  Progress progress(label, total, "steps");
  for (std::size_t epoch = 1; epoch <= c.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    try {
      t.run_epoch([&](std::size_t k, double batch_loss) {
        const std::size_t step = (epoch - 1) * t.steps_per_epoch() + k;
        check_interrupt();
        if (step % stride == 0 || step == total) {
          StepRow row{step, epoch, t.optimizer().lr(), batch_loss, 0, 0};
          const ValueAndGrad<T> vg = probe_loss.value_and_grad(nn::parameter_values(t.model()));
          row.probe_loss = vg.value;
          row.probe_grad_norm = saddle::norm(vg.grad);
          r.steps.push_back(row);
          if (logs) logs->step(r, row);
          progress.update(step);
        }
        if (hook) hook(t, step, batch_loss);
      });
    } catch (const Interrupted&) {
      throw;
    } catch (const Error& e) {
      if (std::string(e.what()).find("diverged") == std::string::npos) throw;
      r.diverged = true;
      r.why = e.what();
      return r;
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    measure_epoch(epoch);
  }
  return r;
}

// The grid the rule searches: rates 10^(k/2) from 1e-4 to 1 (quick: 1e-3, 1e-2, 1e-1).
inline std::vector<double> rate_grid(bool quick) {
  if (quick) return {1e-3, 1e-2, 1e-1};
  return {1e-4, 3.1622776601683795e-4, 1e-3, 3.1622776601683795e-3, 1e-2, 3.1622776601683795e-2, 1e-1,
          3.1622776601683795e-1, 1};
}

// The validation loss of spec after the rule's short run from seed 0 (+∞ when it diverges).
inline Evaluation validation_score(RunSpec spec, const Splits& s) {
  TrainConfig& c = spec.config;
  c.hyper.seed = 0;
  const std::size_t steps_per_epoch = c.batch == 0 ? 1 : (s.train.size() + c.batch - 1) / c.batch;
  if (steps_per_epoch >= 50) c.epochs = 1;  // else the whole run (full-batch gradient descent)
  Trainer<T> t(c, s.train, s.test);
  try {
    for (std::size_t e = 0; e < c.epochs; ++e) t.run_epoch();
  } catch (const Error& e) {
    if (std::string(e.what()).find("diverged") == std::string::npos) throw;
    Evaluation diverged;
    diverged.loss = std::numeric_limits<double>::infinity();
    return diverged;
  }
  Evaluation v = evaluate(t.model(), s.validation);
  if (!std::isfinite(v.loss)) v.loss = std::numeric_limits<double>::infinity();
  return v;
}

// Sets spec's learning rate by the rule (see the top of this file); returns it.
inline double tune_rate(RunSpec& spec, const Splits& s, const std::vector<double>& grid, Logs& logs) {
  double best = grid.front(), best_loss = std::numeric_limits<double>::infinity();
  for (double lr : grid) {
    check_interrupt();
    RunSpec trial = spec;
    trial.config.hyper.lr = lr;
    const Evaluation v = validation_score(trial, s);
    logs.tuning(spec, "lr", lr, v);
    if (v.loss < best_loss) best = lr, best_loss = v.loss;
  }
  spec.config.hyper.lr = best;
  std::printf("  %-8s %-34s lr %-10g (validation loss %.4f)\n", spec.model_label.c_str(), spec.series.c_str(), best,
              best_loss);
  std::fflush(stdout);
  return best;
}

// Sets one hyperparameter of spec's method (by its name in the list, "hypergrad_lr") by the same
// rule over `grid`, at spec's learning rate.
inline double tune_hyperparameter(RunSpec& spec, const std::string& name, const Splits& s,
                                  const std::vector<double>& grid, Logs& logs) {
  double best = grid.front(), best_loss = std::numeric_limits<double>::infinity();
  for (double x : grid) {
    check_interrupt();
    RunSpec trial = spec;
    trial.config.hyper.given[name] = x;
    const Evaluation v = validation_score(trial, s);
    logs.tuning(spec, name, x, v);
    if (v.loss < best_loss) best = x, best_loss = v.loss;
  }
  spec.config.hyper.given[name] = best;
  std::printf("  %-8s %-34s %s %-10g (validation loss %.4f)\n", spec.model_label.c_str(), spec.series.c_str(),
              name.c_str(), best, best_loss);
  std::fflush(stdout);
  return best;
}

// The runs of one configuration, a seed each.
using Runs = std::vector<RunResult>;

// A statistic of every run of a configuration, over seeds (diverged runs are left out).
template <class F>
Stats over_seeds(const Runs& runs, F&& f) {
  std::vector<double> xs;
  for (const auto& r : runs)
    if (!r.diverged) xs.push_back(f(r));
  return stats(xs);
}

// The per-epoch curves of several configurations as one tidy CSV of means over seeds: a row per
// (series, epoch), the columns train_loss, train_error_pct, test_error_pct, weight_norm, lr.
inline void write_epoch_means(const std::string& path, const std::vector<const Runs*>& configurations) {
  CsvWriter csv(path, {"series", "epoch", "train_loss", "train_error_pct", "test_error_pct", "test_acc_pct",
                       "weight_norm", "lr"});
  for (const Runs* runs : configurations) {
    if (runs->empty()) continue;
    std::size_t epochs = 0;
    for (const auto& r : *runs) epochs = std::max(epochs, r.epochs.size());
    for (std::size_t e = 0; e < epochs; ++e) {
      auto mean = [&](auto f) {
        std::vector<double> xs;
        for (const auto& r : *runs)
          if (e < r.epochs.size()) xs.push_back(f(r.epochs[e]));
        return CsvWriter::num(stats(xs).mean);
      };
      csv.row({runs->front().spec.series, std::to_string(e), mean([](const EpochRow& x) { return x.train.loss; }),
               mean([](const EpochRow& x) { return 100 * (1 - x.train.accuracy); }),
               mean([](const EpochRow& x) { return 100 * (1 - x.test.accuracy); }),
               mean([](const EpochRow& x) { return 100 * x.test.accuracy; }),
               mean([](const EpochRow& x) { return x.weight_norm; }), mean([](const EpochRow& x) { return x.lr; })});
    }
  }
  csv.finish();
}

// The step rows of several configurations as one tidy CSV: seed `seed` only (noise is a property of
// one trajectory; a mean over seeds would hide it), or the mean over seeds when `seed` is negative.
inline void write_step_curves(const std::string& path, const std::vector<const Runs*>& configurations, long seed) {
  CsvWriter csv(path, {"series", "step", "lr", "batch_loss", "probe_loss", "probe_grad_norm"});
  for (const Runs* runs : configurations) {
    if (runs->empty()) continue;
    std::size_t rows = 0;
    for (const auto& r : *runs) rows = std::max(rows, r.steps.size());
    for (std::size_t i = 0; i < rows; ++i) {
      std::vector<const StepRow*> at;
      for (const auto& r : *runs)
        if (i < r.steps.size() && (seed < 0 || r.seed == std::uint64_t(seed))) at.push_back(&r.steps[i]);
      if (at.empty()) continue;
      auto mean = [&](auto f) {
        double sum = 0;
        for (const StepRow* s : at) sum += f(*s);
        return CsvWriter::num(sum / double(at.size()));
      };
      csv.row({runs->front().spec.series, std::to_string(at.front()->step), mean([](const StepRow& s) { return s.lr; }),
               mean([](const StepRow& s) { return s.batch_loss; }), mean([](const StepRow& s) { return s.probe_loss; }),
               mean([](const StepRow& s) { return s.probe_grad_norm; })});
    }
  }
  csv.finish();
}

}  // namespace saddle::examples::reproduce
