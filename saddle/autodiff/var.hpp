// saddle/autodiff/var.hpp — Var, the imperative face of the engine (as in PyTorch):
//   Var<double> w(init, /*requires_grad=*/true);
//   Var<double> loss = mean(square(matmul(x, w) - y));
//   loss.backward();            // fills w.grad()
// A Var is a handle on a node of the tape; copies share it. How to define a new op on Vars — its
// forward and VJP, once, in the dual algebra — is in saddle/autodiff/rule.hpp.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "saddle/autodiff/tape.hpp"

namespace saddle {

template <class T>
struct Node;  // defined on the rule author's side (saddle/autodiff/rule.hpp)

template <class T>
class Var {
 public:
  using value_type = T;

  // A leaf: a constant (data) or, with requires_grad, a parameter that backward() fills .grad() of.
  explicit Var(Tensor<T> value, bool requires_grad = false);
  // A leaf carrying a forward-mode tangent (the direction of a JVP or HVP).
  Var(Tensor<T> value, Tensor<T> tangent, bool requires_grad);

  const Tensor<T>& value() const;
  // In-place access to a leaf's value (optimizer updates). Refused on recorded results.
  Tensor<T>& mutable_value();
  const std::optional<Tensor<T>>& tangent() const;
  Shape shape() const;
  std::size_t size() const;
  std::size_t dim() const;
  T item() const;  // the value of a one-element tensor

  const char* op() const;
  bool is_leaf() const;
  bool requires_grad() const;
  void set_requires_grad(bool on);  // leaves only

  // The gradient accumulated in a leaf by backward() (sums over calls until zero_grad()).
  bool has_grad() const;
  const Tensor<T>& grad() const;
  // After a backward over tangents (hvp), the tangent of the gradient: H·v.
  const std::optional<Tensor<T>>& grad_tangent() const;
  void zero_grad();

  // Reverse sweep from this scalar; releases the graph behind it.
  void backward();
  // The same value cut from the graph: no history, no tangent.
  Var detach() const;

  // The same tensor, not merely an equal one: both handles share one node, so an update through
  // one is seen through the other.
  bool same_as(const Var& other) const { return node_ == other.node_; }

 private:
  // The rule author's access (saddle/autodiff/rule.hpp): the node behind a Var, and a Var on a node.
  template <class U>
  friend const std::shared_ptr<Node<U>>& node_of(const Var<U>& x);
  template <class U>
  friend Var<U> var_of(std::shared_ptr<Node<U>> node);

  explicit Var(std::shared_ptr<Node<T>> node);
  std::shared_ptr<Node<T>> node_;
};

// Leaf values → Vars and back.
template <class T>
std::vector<Var<T>> make_leaves(const TensorList<T>& values, bool requires_grad);
template <class T>
TensorList<T> values_of(const std::vector<Var<T>>& vars);
template <class T>
TensorList<T> grads_of(const std::vector<Var<T>>& vars);  // zeros where a leaf got no gradient

// What a reverse sweep left in the leaves, given up by their owner: each gradient and, with
// tangents (after a backward over tangents), its tangent H·v; zeros where a leaf got none. The
// tensors are moved out of leaves no other handle shares (a functional call's own leaves, which
// die with it) and copied from the rest.
template <class T>
struct LeafAdjoints {
  TensorList<T> grad, grad_tangent;
};
template <class T>
LeafAdjoints<T> take_adjoints(std::vector<Var<T>>&& leaves, bool tangents);

}  // namespace saddle
