// examples/train/trainer.hpp — the training loop every training program shares: a model of the
// research, an optimizer of saddle stepping through an Objective over the current mini-batch, a
// learning-rate schedule, and the per-epoch measurements (loss, accuracy, weight and gradient norms).
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "analysis/module_loss.hpp"
#include "analysis/tensor_list_ops.hpp"
#include "examples/common/csv_writer.hpp"
#include "examples/common/progress.hpp"
#include "examples/train/minibatch_objective.hpp"
#include "examples/train/optimizers.hpp"
#include "nn/data/dataset.hpp"
#include "nn/losses.hpp"
#include "nn/models/models.hpp"

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

struct Evaluation {
  double loss = 0, accuracy = 0;
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
    const data::Dataset<T> part = set.slice(b, std::min(set.size(), b + chunk));
    const Var<T> logits = model.forward(Var<T>(part.images));
    const std::span<const int> labels(part.labels);
    e.loss += double(nn::softmax_cross_entropy(logits, labels).item()) * double(part.size());
    e.accuracy += nn::accuracy(logits.value(), labels) * double(part.size());
  }
  model.train(was_training);
  e.loss /= double(set.size());
  e.accuracy /= double(set.size());
  return e;
}

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
        objective_(cross_entropy_loss(*model_), train),
        full_(cross_entropy_loss(*model_), train, sample_range(0, train.size(), 1000)) {}

  // One pass over the training set; `on_step(k, batch_loss)` after each of its steps.
  void run_epoch(std::size_t epoch, const std::function<void(std::size_t, double)>& on_step = {}) {
    data::Batch<T> b;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < steps_per_epoch(); ++k) {
      if (!batches_.next(b)) batches_.next(b);  // an epoch boundary: the iterator starts the next one
      objective_.set_batch(b.indices);
      apply_schedule(schedule_, *optimizer_);
      optimizer_->step(objective_);
      if (!std::isfinite(objective_.last_loss()))
        throw Error("the loss diverged (it is " + std::string(std::isnan(objective_.last_loss()) ? "NaN" : "infinite") +
                    ") at epoch " + std::to_string(epoch) + ", step " + std::to_string(optimizer_->steps()) +
                    "; lower --lr (now " + CsvWriter::num(optimizer_->lr()) + ")");
      if (on_step) on_step(k + 1, objective_.last_loss());
    }
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  // The measurements at the current parameters (epoch 0: the initialisation).
  EpochReport report(std::size_t epoch) {
    EpochReport r;
    r.epoch = epoch;
    r.steps = optimizer_->steps();
    r.lr = optimizer_->lr();
    const TensorList<T> theta = nn::parameter_values(*model_);
    r.grad_norm = saddle::norm(full_.full_gradient(theta));
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
  MiniBatchObjective<T> objective_;
  SampleObjective<T> full_;
  double seconds_ = 0;
};

// The one-line summary of an epoch's measurements that the training programs print.
inline std::string epoch_line(const EpochReport& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "epoch %3zu  train loss %.4f acc %6.2f%%  test loss %.4f acc %6.2f%%  |θ| %.3f  |∇f| %.3e  lr %.3g  %.1fs",
                r.epoch, r.train.loss, 100 * r.train.accuracy, r.test.loss, 100 * r.test.accuracy, r.weight_norm,
                r.grad_norm, r.lr, r.seconds);
  return buf;
}

}  // namespace saddle::examples
