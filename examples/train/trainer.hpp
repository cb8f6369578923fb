// examples/train/trainer.hpp — the training loop every training program shares: a model of the
// research, an optimizer of saddle stepping through the Objective over the current mini-batch, a
// learning-rate schedule, and the per-epoch measurements (loss, accuracy, weight and gradient norms).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "saddle/base/tensor_list.hpp"
#include "saddle/base/generator_state.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/progress.hpp"
#include "examples/train/checkpoint.hpp"
#include "examples/train/optimizers.hpp"
#include "saddle/nn/data/dataset.hpp"
#include "saddle/nn/losses.hpp"
#include "saddle/nn/models/models.hpp"
#include "saddle/objective/model_loss.hpp"

namespace saddle::examples {

struct ScheduleConfig {
  std::string name = "constant";  // constant, robbins-monro, inverse-time, step, cosine
  double tau = 1000, gamma = 0.5, lr_min = 0;
  std::size_t every = 1000;
};

struct TrainConfig {
  std::string model = "mlp", optimizer = "adam";
  Hyperparameters hyper;
  std::size_t batch = 200;  // 0 = full batch
  std::size_t epochs = 10;
  ScheduleConfig schedule;
};

// What a checkpoint must match to be continued: the flags that decide the run's course, and the
// data it trains on. Values print with 17 significant digits, so differing doubles never match.
inline RunSignature run_signature(const TrainConfig& c, const std::string& data_dir, std::size_t train_size,
                                  std::size_t test_size) {
  auto exact = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return std::string(buf);
  };
  const Hyperparameters& h = c.hyper;
  RunSignature s = {{"--model", c.model},
                    {"--optimizer", c.optimizer},
                    {"--data", data_dir},
                    {"training samples", std::to_string(train_size)},
                    {"test samples", std::to_string(test_size)},
                    {"--batch", std::to_string(c.batch)},
                    {"--epochs", std::to_string(c.epochs)},
                    {"--seed", std::to_string(h.seed)},
                    {"--lr", h.lr ? exact(*h.lr) : "default"},
                    {"--l2", exact(h.l2)},
                    {"--schedule", c.schedule.name},
                    {"--tau", exact(c.schedule.tau)},
                    {"--step-gamma", exact(c.schedule.gamma)},
                    {"--step-every", std::to_string(c.schedule.every)},
                    {"--lr-min", exact(c.schedule.lr_min)}};
  // Every method's flags (optimizers.hpp), in the list's order: the value given, or "default".
  for (const auto& f : hyperparameter_flags()) {
    const auto it = h.given.find(f.first->name);
    const std::string value = it == h.given.end()        ? "default"
                              : is_count(f.first->range) ? std::to_string(static_cast<std::size_t>(it->second))
                                                         : exact(it->second);
    s.emplace_back(f.flag(), value);
  }
  return s;
}

struct Evaluation {
  double loss = 0, accuracy = 0;
  nn::ClassTally per_class;  // each class's rows and hits
};

struct EpochReport {
  std::size_t epoch = 0, steps = 0;
  double lr = 0;
  Evaluation train, test;
  double weight_norm = 0, grad_norm = 0, seconds = 0;
};

inline Schedule make_schedule(const ScheduleConfig& c, double lr0, std::size_t total_steps) {
  if (c.name == "constant") return Schedule::constant(lr0);
  if (c.name == "robbins-monro") return Schedule::robbins_monro(lr0, c.tau);
  if (c.name == "inverse-time") return Schedule::inverse_time(lr0);
  if (c.name == "step") return Schedule::step_decay(lr0, c.gamma, c.every);
  if (c.name == "cosine") return Schedule::cosine(lr0, c.lr_min, total_steps);
  throw Error("unknown schedule '" + c.name + "' (constant, robbins-monro, inverse-time, step, cosine)");
}

// Mean loss and accuracy over a dataset, forward only, in chunks.
template <class T>
Evaluation evaluate(nn::Module<T>& model, const data::Dataset<T>& set) {
  no_grad off;
  const bool was_training = model.training();
  model.eval();
  Evaluation e;
  constexpr std::size_t chunk = 1000;
  for (std::size_t b = 0; b < set.size(); b += chunk) {
    data::Dataset<T> part = set.slice(b, std::min(set.size(), b + chunk));
    const Var<T> logits = model.forward_data(std::move(part.images));
    const std::span<const Label> labels(part.labels);
    e.loss += double(nn::softmax_cross_entropy(logits, labels).item()) * double(part.size());
    const nn::ClassTally tally = nn::class_tally(logits.value(), labels);
    if (b == 0)
      e.per_class = tally;
    else
      e.per_class += tally;
  }
  model.train(was_training);
  e.loss /= double(set.size());
  std::size_t right = 0;
  for (std::size_t c : e.per_class.correct) right += c;
  e.accuracy = double(right) / double(set.size());
  return e;
}

// The most rows of one forward pass of the trainer's objectives.
inline constexpr std::size_t kRowsPerPass = 1000;

template <class T>
class Trainer {
 public:
  // The datasets are held by reference and must outlive the trainer.
  Trainer(const TrainConfig& config, const data::Dataset<T>& train, const data::Dataset<T>& test)
      : config_(config),
        train_(train),
        test_(test),
        model_(nn::make_model<T>(config.model, config.hyper.seed)),
        optimizer_(make_optimizer<T>(config.optimizer, model_->parameters(), config.hyper)),
        batches_(train, config.batch == 0 ? train.size() : config.batch, config.hyper.seed),
        schedule_(make_schedule(config.schedule, optimizer_->lr(), batches_.batches_per_epoch() * config.epochs)),
        full_(cross_entropy_loss(*model_), train, sample_range(0, train.size(), kRowsPerPass)) {}

  // The rest of the current epoch (all of it, unless a resumed checkpoint stopped inside it);
  // `on_step(k, batch_loss)` after each step k. Returns false, the epoch unfinished, as soon as
  // `stop()` says so after a step: the state is then at a step boundary, ready to checkpoint.
  bool run_epoch(const std::function<void(std::size_t, double)>& on_step = {}, const std::function<bool()>& stop = {}) {
    const std::size_t epoch = epochs_done_ + 1;
    data::Batch<T> b;
    const auto start = std::chrono::steady_clock::now();
    bool finished = true;
    while (step_in_epoch_ < steps_per_epoch()) {
      if (!batches_.next(b)) batches_.next(b);  // an epoch boundary: the iterator starts the next one
      // The step's objective: the mean loss over the mini-batch, whose terms are the batch's samples
      // (CNC-PGD and CNC-SGD draw their single sample among them).
      // Evaluated in passes of at most kRowsPerPass rows: the mean is the same, and a full batch of
      // 50,000 images never becomes one tape of 50,000 rows.
      const Objective<T> batch =
          full_.over(SampleSet{b.indices, std::min<std::size_t>(b.indices.size(), kRowsPerPass)});
      apply_schedule(schedule_, *optimizer_);
      const std::size_t gradients = batch.gradient_evaluations();
      optimizer_->step(batch);
      ++step_in_epoch_;
      // The batch loss at the step's last gradient evaluation (kept from an earlier step by methods
      // that take none, such as CNC-SGD).
      if (batch.gradient_evaluations() > gradients) last_loss_ = batch.last_loss();
      if (!std::isfinite(last_loss_))
        throw Error("the loss diverged (it is " + std::string(std::isnan(last_loss_) ? "NaN" : "infinite") +
                    ") at epoch " + std::to_string(epoch) + ", step " + std::to_string(optimizer_->steps()) +
                    "; lower --lr (now " + CsvWriter::num(optimizer_->lr()) + ")");
      if (on_step) on_step(step_in_epoch_, last_loss_);
      if (stop && stop() && step_in_epoch_ < steps_per_epoch()) {
        finished = false;
        break;
      }
    }
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (finished) {
      ++epochs_done_;
      step_in_epoch_ = 0;
    }
    return finished;
  }

  // Everything a checkpoint holds of the training itself (examples/train/checkpoint.hpp).
  CheckpointArrays state() const {
    CheckpointArrays out;
    NamedTensors<T> weights;
    for (const auto& [name, p] : model_->named_parameters()) weights.emplace_back(name, p.value());
    add_group(out, "model", weights);
    add_group(out, "optimizer", optimizer_->state_dict());
    const data::BatchIteratorState b = batches_.state();
    out.emplace_back("batches.rng", generator_state<double>(b.rng));
    Tensor<double> order = Tensor<double>::from_shape(Shape{b.order.size()});
    std::copy(b.order.begin(), b.order.end(), order.begin());
    out.emplace_back("batches.order", std::move(order));
    out.emplace_back("batches.position", checkpoint_scalar(double(b.position)));
    out.emplace_back("batches.epoch", checkpoint_scalar(double(b.epoch)));
    out.emplace_back("trainer.epoch", checkpoint_scalar(double(epochs_done_)));
    out.emplace_back("trainer.step", checkpoint_scalar(double(step_in_epoch_)));
    out.emplace_back("trainer.seconds", checkpoint_scalar(seconds_));
    return out;
  }

  // Continues from a checkpoint of the same configuration. Everything is read and checked first;
  // an error leaves the trainer as it was.
  void restore(const CheckpointReader& ck) {
    data::BatchIteratorState b;
    const auto rng = generator_from_state(ck.tensor("batches.rng"));
    if (!rng) throw Error("checkpoint " + ck.path() + ": 'batches.rng' is not a saved generator state");
    b.rng = *rng;
    for (double i : ck.tensor("batches.order")) {
      if (!(i >= 0 && i == std::floor(i) && i < 9007199254740992.0))
        throw Error("checkpoint " + ck.path() + ": 'batches.order' holds " + CsvWriter::num(i) + ", not an index");
      b.order.push_back(static_cast<std::size_t>(i));
    }
    b.position = ck.count("batches.position");
    b.epoch = ck.count("batches.epoch");
    const std::size_t epochs = ck.count("trainer.epoch"), step = ck.count("trainer.step");
    const double seconds = ck.real("trainer.seconds");
    if (step >= steps_per_epoch())
      throw Error("checkpoint " + ck.path() + ": step " + std::to_string(step) + " is past an epoch of " +
                  std::to_string(steps_per_epoch()) + " steps");
    data::BatchIterator<T> batches = batches_;
    batches.restore(b);
    const NamedTensors<T> weights = ck.group<T>("model");
    const TensorList<T> before = nn::parameter_values(*model_);
    set_parameters(weights, ck.path());
    try {
      optimizer_->load_state_dict(ck.group<T>("optimizer"));
    } catch (const Error& e) {
      set_parameters(named(before), ck.path());
      throw Error("checkpoint " + ck.path() + ": " + e.what());
    }
    batches_ = std::move(batches);
    epochs_done_ = epochs;
    step_in_epoch_ = step;
    seconds_ = seconds;
  }

  // Epochs completed so far, and steps taken in the current one.
  std::size_t epochs_done() const { return epochs_done_; }
  std::size_t step_in_epoch() const { return step_in_epoch_; }
  // Where the run stands, for messages: "epoch 3, step 41 of 60".
  std::string position() const {
    return "epoch " + std::to_string(epochs_done_ + 1) + ", step " + std::to_string(step_in_epoch_) + " of " +
           std::to_string(steps_per_epoch());
  }

  // The measurements at the current parameters (epoch 0: the initialisation).
  EpochReport report(std::size_t epoch) {
    EpochReport r;
    r.epoch = epoch;
    r.steps = optimizer_->steps();
    r.lr = optimizer_->lr();
    const TensorList<T> theta = nn::parameter_values(*model_);
    r.grad_norm = saddle::norm(full_.gradient(theta));
    r.weight_norm = saddle::norm(theta);
    r.train = evaluate(*model_, train_);
    r.test = evaluate(*model_, test_);
    r.seconds = seconds_;
    return r;
  }

  std::size_t steps_per_epoch() const { return batches_.batches_per_epoch(); }
  std::size_t batch_size() const { return batches_.batch_size(); }
  nn::Module<T>& model() { return *model_; }
  Optimizer<T>& optimizer() { return *optimizer_; }
  const TrainConfig& config() const { return config_; }

 private:
  TrainConfig config_;
  const data::Dataset<T>& train_;
  const data::Dataset<T>& test_;
  std::unique_ptr<nn::Module<T>> model_;
  std::unique_ptr<Optimizer<T>> optimizer_;
  data::BatchIterator<T> batches_;
  Schedule schedule_;
  Objective<T> full_;  // the mean loss over the training set, in batches of 1,000
  double last_loss_ = 0;
  double seconds_ = 0;
  std::size_t epochs_done_ = 0, step_in_epoch_ = 0;

  NamedTensors<T> named(const TensorList<T>& values) const {
    NamedTensors<T> out;
    const auto params = model_->named_parameters();
    for (std::size_t i = 0; i < params.size(); ++i) out.emplace_back(params[i].first, values[i]);
    return out;
  }

  // Every parameter from `weights`, checked by name, shape and finiteness before anything changes.
  void set_parameters(const NamedTensors<T>& weights, const std::string& path) {
    const auto params = model_->named_parameters();
    if (weights.size() != params.size())
      throw Error("checkpoint " + path + ": " + std::to_string(weights.size()) + " parameters for a model of " +
                  std::to_string(params.size()));
    for (std::size_t i = 0; i < params.size(); ++i)
      if (weights[i].first != params[i].first || to_shape(weights[i].second.shape()) != params[i].second.shape())
        throw Error("checkpoint " + path + ": parameter '" + weights[i].first + "' " +
                    shape_str(weights[i].second.shape()) + " where the model has '" + params[i].first + "' " +
                    shape_str(params[i].second.shape()));
    for (const auto& [name, w] : weights)
      if (!std::all_of(w.begin(), w.end(), [](T x) { return std::isfinite(x); }))
        throw Error("checkpoint " + path + ": parameter '" + name + "' holds a value that is not finite");
    for (std::size_t i = 0; i < params.size(); ++i) {
      Var<T> handle = params[i].second;
      handle.mutable_value() = weights[i].second;
    }
  }
};

// Continues `trainer` and the rows of `csv` from the checkpoint `ck`, which a run with the same
// signature must have written.
template <class T>
void resume_training(Trainer<T>& trainer, CsvWriter& csv, const CheckpointReader& ck, const RunSignature& signature) {
  check_signature(ck, signature);
  trainer.restore(ck);
  csv.restore(ck.text("csv"));
  std::printf("resumed from %s at %s\n", ck.path().c_str(), trainer.position().c_str());
}

// The one-line summary of an epoch's measurements that the training programs print.
inline std::string epoch_line(const EpochReport& r) {
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "epoch %3zu  train loss %.4f acc %6.2f%%  test loss %.4f acc %6.2f%%  |θ| %.3f  |∇f| %.3e  lr %.3g  %.1fs",
      r.epoch, r.train.loss, 100 * r.train.accuracy, r.test.loss, 100 * r.test.accuracy, r.weight_norm, r.grad_norm,
      r.lr, r.seconds);
  return buf;
}

}  // namespace saddle::examples
