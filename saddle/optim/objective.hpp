// saddle/optim/objective.hpp — what an optimizer may ask of a loss beyond the gradients already
// stored in the parameters: the finite-sum objective f(θ) = (1/n) Σᵢ fᵢ(θ).
//
// Methods that need more than one gradient per step receive an Objective: Nesterov's look-ahead
// form (∇f at θ − ημv), CNC-PGD and CNC-SGD (∇fᵢ of one sample i drawn by the optimizer),
// negative-curvature descent (Hessian-vector products ∇²f(θ)·v). θ is always the full parameter
// list, in the optimizer's order; every returned list has the shapes of θ.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "saddle/autodiff/var.hpp"

namespace saddle {

template <class T>
class Objective {
 public:
  virtual ~Objective() = default;

  // n, the number of terms fᵢ; sample indices run over 0..n−1.
  virtual std::size_t num_samples() const = 0;
  // f(θ) over all samples.
  virtual T loss(const TensorList<T>& theta) = 0;
  // ∇f(θ) over all samples (full batch).
  virtual TensorList<T> gradient(const TensorList<T>& theta) = 0;
  // ∇fᵢ(θ) of the single sample i.
  virtual TensorList<T> sample_gradient(const TensorList<T>& theta, std::size_t i) = 0;
  // ∇²f(θ)·v over all samples.
  virtual TensorList<T> hvp(const TensorList<T>& theta, const TensorList<T>& v) = 0;
};

// An Objective from a loss written with the engine's ops:
//   loss(params, std::nullopt) is f(θ) over all samples, loss(params, i) is fᵢ(θ).
// Gradients come from value_and_grad and Hessian-vector products from the forward-over-reverse hvp
// of autodiff/functional.hpp, so they are exact to rounding. Each evaluation is counted.
template <class T>
class FunctionObjective final : public Objective<T> {
 public:
  using Loss = std::function<Var<T>(const std::vector<Var<T>>&, std::optional<std::size_t>)>;

  FunctionObjective(Loss loss, std::size_t num_samples);

  std::size_t num_samples() const override { return num_samples_; }
  T loss(const TensorList<T>& theta) override;
  TensorList<T> gradient(const TensorList<T>& theta) override;
  TensorList<T> sample_gradient(const TensorList<T>& theta, std::size_t i) override;
  TensorList<T> hvp(const TensorList<T>& theta, const TensorList<T>& v) override;

  // Evaluations so far, for experiments that compare methods by work done.
  std::size_t loss_evaluations() const { return loss_evaluations_; }
  std::size_t gradient_evaluations() const { return gradient_evaluations_; }
  std::size_t sample_gradient_evaluations() const { return sample_gradient_evaluations_; }
  std::size_t hvp_evaluations() const { return hvp_evaluations_; }

 private:
  Loss loss_;
  std::size_t num_samples_;
  std::size_t loss_evaluations_ = 0;
  std::size_t gradient_evaluations_ = 0;
  std::size_t sample_gradient_evaluations_ = 0;
  std::size_t hvp_evaluations_ = 0;
};

}  // namespace saddle
