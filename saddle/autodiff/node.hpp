// saddle/autodiff/node.hpp — a node of the dynamic graph: an op's output (a Dual: value and
// forward tangent), its adjoint, its inputs and its VJP. Part of the rule author's side
// (saddle/autodiff/rule.hpp); a user's headers only forward-declare it.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "saddle/autodiff/dual.hpp"
#include "saddle/autodiff/tape.hpp"

namespace saddle {

struct NodeBase {
  explicit NodeBase(const char* op_name);
  virtual ~NodeBase();
  NodeBase(const NodeBase&) = delete;
  NodeBase& operator=(const NodeBase&) = delete;

  const char* op;             // "matmul", "leaf", ...
  std::uint64_t tape_id = 0;  // the tape it was recorded on; 0 for leaves and constants
  bool requires_grad = false;
  bool has_adj = false;   // an adjoint reached this node in the current sweep
  bool released = false;  // its inputs and VJP were dropped by a backward sweep

  virtual void run_backward() = 0;  // push this node's adjoint to its inputs
  virtual void release() = 0;       // drop inputs, VJP and adjoint; keep the value
  virtual bool finite_adjoints(std::string& which) const = 0;
};

template <class T>
struct Node final : NodeBase {
  Node(const char* op_name, Dual<T> value) : NodeBase(op_name), out(std::move(value)) {}

  Dual<T> out;  // value and tangent
  Dual<T> adj;  // adjoint and its tangent (valid when has_adj)
  std::vector<std::shared_ptr<Node<T>>> inputs;
  std::function<void(Node<T>&)> vjp;

  void run_backward() override { vjp(*this); }
  void release() override {
    inputs.clear();
    inputs.shrink_to_fit();
    vjp = nullptr;
    adj = Dual<T>{};
    has_adj = false;
    released = true;
  }
  bool finite_adjoints(std::string& which) const override;
};

// Where the adjoints that reach leaves go while a sink is active on this thread, instead of the
// leaves' own adjoints: a sum over shards (saddle/autodiff/shards.hpp) runs its shards on several
// threads over the same parameter leaves, and gives each shard a sink of its own, so no two
// threads write one leaf and the shards' gradients can be added in shard order.
template <class T>
struct LeafAdjointSink {
  std::vector<const NodeBase*> leaves;  // in the order their first adjoint arrived
  std::vector<Dual<T>> adjoints;

  void add(const NodeBase& leaf, Dual<T>&& adjoint) {
    const std::size_t i = index_of(leaf);
    if (i < leaves.size()) return accumulate(adjoints[i], std::move(adjoint), false);
    leaves.push_back(&leaf);
    adjoints.push_back(std::move(adjoint));
  }
  const Dual<T>* find(const NodeBase& leaf) const {
    const std::size_t i = index_of(leaf);
    return i < leaves.size() ? &adjoints[i] : nullptr;
  }
  // The leaf's position in `leaves`, or leaves.size() (a model has a few dozen parameters at most).
  std::size_t index_of(const NodeBase& leaf) const {
    return static_cast<std::size_t>(std::find(leaves.begin(), leaves.end(), &leaf) - leaves.begin());
  }
};

// This thread's active sink, or null (explicitly instantiated for float and double in var.cpp).
template <class T>
LeafAdjointSink<T>*& active_leaf_sink();

namespace detail {
template <class T>
bool all_finite(const Tensor<T>& x) {
  const T* p = x.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}
}  // namespace detail

template <class T>
bool Node<T>::finite_adjoints(std::string& which) const {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& in = *inputs[i];
    if (!in.has_adj) continue;
    if (!detail::all_finite(in.adj.v) || (in.adj.t && !detail::all_finite(*in.adj.t))) {
      which = "the adjoint of its input " + std::to_string(i) + " (" + in.op + ")";
      return false;
    }
  }
  return true;
}

}  // namespace saddle
