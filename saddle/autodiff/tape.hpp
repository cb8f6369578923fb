// saddle/autodiff/tape.hpp — nodes of the dynamic graph and the tape that orders them.
//
// Define-by-run: each op that a parameter with requires_grad reaches creates a node holding its
// output (a Dual: value and forward tangent), its inputs and its VJP, and appends it to the active
// tape. backward() walks the tape in reverse creation order — a topological order for free — and
// releases each node's inputs and VJP as soon as it has run, so the graph's memory is returned
// during the sweep. The tape holds weak references: a graph nobody can reach (say, a loss computed
// and dropped without backward) frees itself, and nothing grows from one training step to the next.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "saddle/autodiff/dual.hpp"

namespace saddle {

namespace detail {

struct NodeBase {
  explicit NodeBase(const char* op_name);
  virtual ~NodeBase();
  NodeBase(const NodeBase&) = delete;
  NodeBase& operator=(const NodeBase&) = delete;

  const char* op;              // "matmul", "leaf", ...
  std::uint64_t tape_id = 0;   // the tape it was recorded on; 0 for leaves and constants
  bool requires_grad = false;
  bool has_adj = false;        // an adjoint reached this node in the current sweep
  bool released = false;       // its inputs and VJP were dropped by a backward sweep

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

std::size_t live_nodes();  // nodes alive in this process (for memory tests)

}  // namespace detail

// A recording of operations. One tape is active per thread; TapeScope makes a fresh one active.
class Tape {
 public:
  Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  std::uint64_t id() const { return id_; }
  // Nodes recorded and still alive.
  std::size_t size() const;

  void record(const std::shared_ptr<detail::NodeBase>& node);
  // The reverse sweep from `root`, whose adjoint the caller has seeded.
  void backward(detail::NodeBase& root);

  static Tape& active();

 private:
  void prune();
  std::uint64_t id_;
  std::vector<std::weak_ptr<detail::NodeBase>> nodes_;
  std::size_t prune_at_ = 1024;
};

// Makes a fresh tape active for its lifetime (the functional API runs each call in one).
class TapeScope {
 public:
  TapeScope();
  ~TapeScope();
  TapeScope(const TapeScope&) = delete;
  TapeScope& operator=(const TapeScope&) = delete;
  Tape& tape() { return tape_; }

 private:
  Tape tape_;
  Tape* previous_;
};

// Gradient recording on or off for this thread (no_grad: evaluation, optimizer updates).
bool grad_enabled();
class no_grad {
 public:
  no_grad();
  ~no_grad();
  no_grad(const no_grad&) = delete;
  no_grad& operator=(const no_grad&) = delete;

 private:
  bool previous_;
};

// Anomaly mode: every op checks its output, tangent and adjoints for NaN/Inf and throws an Error
// naming the first op that produced one. Off by default (it costs a pass over every tensor).
bool anomaly_detection();
void set_anomaly_detection(bool on);
class detect_anomaly {
 public:
  detect_anomaly();
  ~detect_anomaly();
  detect_anomaly(const detect_anomaly&) = delete;
  detect_anomaly& operator=(const detect_anomaly&) = delete;

 private:
  bool previous_;
};

namespace detail {
template <class T>
bool all_finite(const Tensor<T>& x) {
  const T* p = x.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

template <class T>
bool Node<T>::finite_adjoints(std::string& which) const {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& in = *inputs[i];
    if (!in.has_adj) continue;
    if (!all_finite(in.adj.v) || (in.adj.t && !all_finite(*in.adj.t))) {
      which = "the adjoint of its input " + std::to_string(i) + " (" + in.op + ")";
      return false;
    }
  }
  return true;
}
}  // namespace detail

}  // namespace saddle
