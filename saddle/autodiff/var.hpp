// saddle/autodiff/var.hpp — Var, the imperative face of the engine (as in PyTorch):
//   Var<double> w(init, /*requires_grad=*/true);
//   Var<double> loss = mean(square(matmul(x, w) - y));
//   loss.backward();            // fills w.grad()
// and `apply`, the one helper every op is written with: an op is its forward and its VJP,
// both in the dual algebra, so the same two lines give gradients, JVPs and Hessian-vector products.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "saddle/autodiff/tape.hpp"

namespace saddle {

template <class T>
class Var {
 public:
  using value_type = T;

  // A leaf: a constant (data) or, with requires_grad, a parameter that backward() fills .grad() of.
  explicit Var(Tensor<T> value, bool requires_grad = false);
  // A leaf carrying a forward-mode tangent (the direction of a JVP or HVP).
  Var(Tensor<T> value, Tensor<T> tangent, bool requires_grad);
  explicit Var(std::shared_ptr<detail::Node<T>> node) : node_(std::move(node)) {}

  const Tensor<T>& value() const { return node_->out.v; }
  // In-place access to a leaf's value (optimizer updates). Refused on recorded results.
  Tensor<T>& mutable_value();
  const std::optional<Tensor<T>>& tangent() const { return node_->out.t; }
  Shape shape() const { return node_->out.shape(); }
  std::size_t size() const { return node_->out.v.size(); }
  std::size_t dim() const { return node_->out.v.dimension(); }
  T item() const;  // the value of a one-element tensor

  const char* op() const { return node_->op; }
  bool is_leaf() const { return node_->tape_id == 0; }
  bool requires_grad() const { return node_->requires_grad; }
  void set_requires_grad(bool on);  // leaves only

  // The gradient accumulated in a leaf by backward() (sums over calls until zero_grad()).
  bool has_grad() const { return node_->has_adj; }
  const Tensor<T>& grad() const;
  // After a backward over tangents (hvp), the tangent of the gradient: H·v.
  const std::optional<Tensor<T>>& grad_tangent() const;
  void zero_grad();

  // Reverse sweep from this scalar; releases the graph behind it.
  void backward();
  // The same value cut from the graph: no history, no tangent.
  Var detach() const { return Var(node_->out.v, false); }

  const std::shared_ptr<detail::Node<T>>& node() const { return node_; }
  const Dual<T>& dual() const { return node_->out; }

 private:
  std::shared_ptr<detail::Node<T>> node_;
};

namespace detail {

// The adjoint an op's VJP writes for one input. `if (gx)` asks whether that input wants it,
// so an op skips the products for data inputs (the bulk of the saving of reverse mode on MLPs).
template <class T>
struct AdjointSlot {
  bool wanted = false;
  bool set = false;
  Dual<T> value;
  explicit operator bool() const { return wanted; }
  AdjointSlot& operator=(Dual<T>&& g) {
    value = std::move(g);
    set = true;
    return *this;
  }
};

template <class T>
void check_operand(const char* op, const Var<T>& x) {
  const auto& n = *x.node();
  if (n.released && n.requires_grad)
    throw Error(std::string(op) + ": operand '" + n.op +
                "' belongs to a graph released by an earlier backward(); use .detach() to reuse its value");
  if (n.tape_id != 0 && n.tape_id != Tape::active().id())
    throw Error(std::string(op) + ": operand '" + n.op + "' was recorded on tape #" +
                std::to_string(n.tape_id) + ", but the active tape is #" +
                std::to_string(Tape::active().id()) + "; values from two tapes cannot be mixed");
  if (n.out.v.size() == 0)
    throw Error(std::string(op) + ": operand of shape " + shape_str(n.out.v.shape()) + " is empty");
}

template <class T>
void check_output(const char* op, const Dual<T>& out) {
  if (!anomaly_detection()) return;
  if (!all_finite(out.v)) throw Error(std::string("anomaly: '") + op + "' produced NaN or Inf in its value");
  if (out.t && !all_finite(*out.t))
    throw Error(std::string("anomaly: '") + op + "' produced NaN or Inf in its tangent");
}

template <class T>
void push_adjoint(const char* op, Node<T>& input, AdjointSlot<T>& slot) {
  if (!slot.set) return;
  if (slot.value.v.shape() != input.out.v.shape())
    throw Error(std::string(op) + ": internal error, VJP gave an adjoint of shape " +
                shape_str(slot.value.v.shape()) + " for an input of shape " + shape_str(input.out.v.shape()));
  accumulate(input.adj, std::move(slot.value), !input.has_adj);
  input.has_adj = true;
}

template <class T, class Vjp, std::size_t... I>
void run_vjp(Node<T>& n, Vjp& vjp, std::index_sequence<I...>) {
  std::array<AdjointSlot<T>, sizeof...(I)> slots{AdjointSlot<T>{n.inputs[I]->requires_grad, false, {}}...};
  vjp(n.adj, n.out, n.inputs[I]->out..., slots[I]...);
  (push_adjoint(n.op, *n.inputs[I], slots[I]), ...);
}

// Records y = fwd(x...) with the VJP vjp(ȳ, y, x..., x̄...) — for a fixed number of inputs.
template <class T, class Fwd, class Vjp, class... Xs>
Var<T> apply(const char* op, Fwd&& fwd, Vjp&& vjp, const Xs&... xs) {
  (check_operand(op, xs), ...);
  Dual<T> out = fwd(xs.dual()...);
  check_output(op, out);
  auto node = std::make_shared<Node<T>>(op, std::move(out));
  if (grad_enabled() && (xs.requires_grad() || ...)) {
    node->requires_grad = true;
    node->inputs = {xs.node()...};
    node->vjp = [vjp = std::forward<Vjp>(vjp)](Node<T>& n) mutable {
      run_vjp(n, vjp, std::index_sequence_for<Xs...>{});
    };
    Tape::active().record(node);
  }
  return Var<T>(std::move(node));
}

// The same for a list of inputs (concat): fwd(vector<const Dual*>), vjp(ȳ, y, inputs, slots).
template <class T, class Fwd, class Vjp>
Var<T> apply_list(const char* op, Fwd&& fwd, Vjp&& vjp, const std::vector<Var<T>>& xs) {
  std::vector<const Dual<T>*> in;
  bool rg = false;
  for (const auto& x : xs) {
    check_operand(op, x);
    in.push_back(&x.dual());
    rg = rg || x.requires_grad();
  }
  Dual<T> out = fwd(in);
  check_output(op, out);
  auto node = std::make_shared<Node<T>>(op, std::move(out));
  if (grad_enabled() && rg) {
    node->requires_grad = true;
    for (const auto& x : xs) node->inputs.push_back(x.node());
    node->vjp = [vjp = std::forward<Vjp>(vjp)](Node<T>& n) mutable {
      std::vector<const Dual<T>*> ins;
      std::vector<AdjointSlot<T>> slots(n.inputs.size());
      for (std::size_t i = 0; i < n.inputs.size(); ++i) {
        ins.push_back(&n.inputs[i]->out);
        slots[i].wanted = n.inputs[i]->requires_grad;
      }
      vjp(n.adj, n.out, ins, slots);
      for (std::size_t i = 0; i < n.inputs.size(); ++i) push_adjoint(n.op, *n.inputs[i], slots[i]);
    };
    Tape::active().record(node);
  }
  return Var<T>(std::move(node));
}

}  // namespace detail

// Leaf values → Vars and back.
template <class T>
std::vector<Var<T>> make_leaves(const TensorList<T>& values, bool requires_grad);
template <class T>
TensorList<T> values_of(const std::vector<Var<T>>& vars);
template <class T>
TensorList<T> grads_of(const std::vector<Var<T>>& vars);  // zeros where a leaf got no gradient

}  // namespace saddle
