// saddle/optim/optimizer.hpp — the one interface every optimizer of saddle shares (PyTorch's shape):
//
//   Adam<float> opt(model_params, {.lr = 1e-3});
//   for (...) { opt.zero_grad(); loss.backward(); opt.step(); }   // from the leaves' gradients
//   opt.step(objective);                                          // methods that need f itself
//   save_npz("opt.npz", opt.state_dict());                        // or opt.save("opt.npz")
//
// The parameters are Var leaves; Var is a shared handle, so the optimizer updates the model's own
// tensors in place. step() reads each leaf's gradient and leaves a parameter without one (and its
// state) as it is. step(f) evaluates ∇f(θ) = f.gradient(θ) over all samples and applies the same
// update; methods needing more (a look-ahead gradient, one sample's gradient, Hessian-vector
// products) override it, and their step() refuses to run without the objective.
//
// Every method takes `weight_decay` λ ≥ 0, an L2 penalty folded into the gradient, g ← g + λθ
// (AdamW's decoupled decay is a separate option of AdamW).
//
// State: state_dict() gives named tensors — "step", "lr", "step.<i>" (updates parameter i has
// received), then the method's own, e.g. "exp_avg.0", "exp_avg_sq.0", … — scalars as 0-d tensors.
// Scalar state (the learning rate, Nadam's momentum products) is held at the precision T of the
// parameters, and random generators are saved word by word, so save_npz/load_npz followed by
// load_state_dict restores an optimizer whose next steps are identical bit for bit.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "saddle/base/npz.hpp"
#include "saddle/autodiff/var.hpp"
#include "saddle/objective/objective.hpp"

namespace saddle {

// Walks an optimizer's state in one fixed order; state_dict and load_state_dict share the walk,
// so the keys written and the keys read always agree.
template <class T>
class StateVisitor {
 public:
  virtual void tensor(const std::string& key, Tensor<T>& t) = 0;
  virtual void real(const std::string& key, double& x) = 0;  // x must be representable in T
  virtual void count(const std::string& key, std::size_t& n) = 0;
  virtual void rng(const std::string& key, std::mt19937_64& g) = 0;

 protected:
  ~StateVisitor() = default;
};

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update from the gradients stored in the leaves.
  virtual void step();
  // One update that may evaluate f: by default θ ← update(θ, f.gradient(θ)).
  virtual void step(const Objective<T>& f);
  // Clears the leaves' gradients.
  void zero_grad();

  // The learning rate η (the learned α_t of the hypergradient methods), at T's precision.
  double lr() const { return lr_; }
  void set_lr(double lr);
  // Steps taken so far (t of the update equations after the step is t = steps()).
  std::size_t steps() const { return step_; }
  const std::vector<Var<T>>& params() const { return params_; }
  const char* name() const { return name_; }

  NamedTensors<T> state_dict() const;
  // Throws saddle::Error naming the key on a missing or unexpected key or a shape that differs.
  void load_state_dict(const NamedTensors<T>& state);
  void save(const std::string& path) const { save_npz(path, state_dict()); }
  void load(const std::string& path) { load_state_dict(load_npz<T>(path)); }

 protected:
  // One pointer per parameter; nullptr where the parameter has no gradient this step.
  using Gradients = std::vector<const Tensor<T>*>;

  Optimizer(const char* name, std::vector<Var<T>> params, double lr, double weight_decay);

  // θ ← update(θ, g) for the parameters with a gradient. The step has been counted already:
  // steps() = t and leaf_steps_[i] = tᵢ include this one.
  virtual void update(const Gradients& g) = 0;
  // Methods whose step needs f (hvp, a sample's gradient, a look-ahead gradient) return true:
  // step() then refuses with an Error instead of counting a step it cannot take.
  virtual bool needs_objective() const { return false; }
  // The method's state after the base's "step", "lr", "step.<i>".
  virtual void visit_state(StateVisitor<T>& v);

  Gradients leaf_gradients() const;
  static Gradients pointers(const TensorList<T>& g);
  // θ as a list (copies of the parameters' values), for objectives.
  TensorList<T> values() const;
  // Throws unless g has the parameters' number and shapes (what an objective returned).
  void check_gradients(const char* what, const TensorList<T>& g) const;
  // Counts a step: step_ and leaf_steps_ of the parameters with a gradient.
  void begin_step(const Gradients& g);
  // ‖g + λθ‖² over the parameters with a gradient (λ the L2 weight decay).
  double effective_grad_norm_sq(const Gradients& g) const;
  // θ ← θ − η(g + λθ) for the parameters with a gradient.
  void gradient_step(const Gradients& g, double eta);
  // A list of zeros of the parameters' shapes (fresh moment buffers).
  TensorList<T> zeros_like_params() const;
  // Visits list[i] under "<prefix>.<i>".
  static void visit_list(StateVisitor<T>& v, const std::string& prefix, TensorList<T>& list);
  T* data(std::size_t i) { return params_[i].mutable_value().data(); }
  std::size_t size(std::size_t i) const { return params_[i].size(); }
  // Sets η without validation (a learned learning rate may leave [0, ∞)); rounds it to T.
  void assign_lr(double lr) { lr_ = static_cast<double>(static_cast<T>(lr)); }

  std::vector<Var<T>> params_;
  double weight_decay_;
  std::size_t step_ = 0;
  std::vector<std::size_t> leaf_steps_;

 private:
  const char* name_;
  double lr_ = 0;
};

// The hyperparameter checks the methods' constructors share; each throws saddle::Error naming the
// method, the parameter and its value: "Adam: beta2 = 1.5 is outside [0, 1)".
namespace hyperparameter {
void check_unit_interval(const char* method, const char* name, double x);  // in [0, 1)
void check_positive(const char* method, const char* name, double x);       // finite and > 0
void check_nonnegative(const char* method, const char* name, double x);    // finite and ≥ 0
void check_at_least_one(const char* method, const char* name, std::size_t n);
// x as the messages print it (the shortest of "%g": 1.5, 1e-08, nan).
std::string format_number(double x);
}  // namespace hyperparameter

}  // namespace saddle
