// examples/train/minibatch_objective.hpp — the Objective an optimizer sees while training:
// f is the mean loss over the current mini-batch (the full training set with --batch 0), and a
// "single sample" is drawn by the optimizer from the whole training set (CNC-PGD, CNC-SGD).
#pragma once

#include <optional>
#include <vector>

#include "saddle/analysis/sample_objective.hpp"
#include "saddle/optim/objective.hpp"

namespace saddle::examples {

template <class T>
class MiniBatchObjective final : public Objective<T> {
 public:
  MiniBatchObjective(BatchLoss<T> loss, const data::Dataset<T>& train) : loss_(std::move(loss)), train_(train) {}

  void set_batch(std::vector<std::size_t> indices) { batch_.emplace(loss_, train_, one_batch(std::move(indices))); }

  std::size_t num_samples() const override { return train_.size(); }
  T loss(const TensorList<T>& theta) override { return T(current().loss(theta)); }
  TensorList<T> gradient(const TensorList<T>& theta) override {
    ValueAndGrad<T> r = current().value_and_grad(theta);
    last_loss_ = r.value;
    return std::move(r.grad);
  }
  TensorList<T> sample_gradient(const TensorList<T>& theta, std::size_t i) override {
    return SampleObjective<T>(loss_, train_, one_sample(i)).full_gradient(theta);
  }
  TensorList<T> hvp(const TensorList<T>& theta, const TensorList<T>& v) override { return current().hvp(theta, v); }

  // The batch loss at the last gradient evaluation (for the progress line).
  double last_loss() const { return last_loss_; }

 private:
  const SampleObjective<T>& current() const {
    if (!batch_) throw Error("MiniBatchObjective: no batch set");
    return *batch_;
  }
  BatchLoss<T> loss_;
  const data::Dataset<T>& train_;
  std::optional<SampleObjective<T>> batch_;
  double last_loss_ = 0;
};

}  // namespace saddle::examples
