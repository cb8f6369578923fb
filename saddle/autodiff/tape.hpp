// saddle/autodiff/tape.hpp — the tape that orders the nodes of the dynamic graph, and the
// thread-local switches (no_grad, detect_anomaly).
//
// Define-by-run: each op that a parameter with requires_grad reaches creates a node holding its
// output (value and forward tangent), its inputs and its VJP, and appends it to the active
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

#include "saddle/base/tensor.hpp"

namespace saddle {

// A value recorded on the tape, opaque here; rule authors see its definition in
// saddle/autodiff/rule.hpp (autodiff/node.hpp).
struct NodeBase;

// Nodes alive in this process: a graph that was released or dropped returns to the same count
// (memory tests, leak hunts).
std::size_t live_nodes();

// A recording of operations. One tape is active per thread; TapeScope makes a fresh one active.
class Tape {
 public:
  Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  std::uint64_t id() const { return id_; }
  // Nodes recorded and still alive.
  std::size_t size() const;

  void record(const std::shared_ptr<NodeBase>& node);
  // The reverse sweep from `root`, whose adjoint the caller has seeded.
  void backward(NodeBase& root);

  static Tape& active();

 private:
  void prune();
  std::uint64_t id_;
  std::vector<std::weak_ptr<NodeBase>> nodes_;
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

// Order for terms that draw random numbers inside a sum over shards (saddle/autodiff/shards.hpp).
// Shards run concurrently, so a generator shared by them would hand out its numbers in an order
// set by timing. A term that draws from one (nn::Dropout) calls require_shard_order() first: a
// no-op outside concurrently running shards; inside, it stops them, and the sum runs its shards
// again one after another on the calling thread, in shard order, which is also what one worker
// does: the draws, and so the bits, do not depend on the number of workers.
void require_shard_order();

}  // namespace saddle
