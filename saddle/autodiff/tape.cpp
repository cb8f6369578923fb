#include "saddle/autodiff/tape.hpp"

#include "saddle/autodiff/node.hpp"

#include <algorithm>

#include "saddle/base/memory.hpp"

namespace saddle {
namespace {
std::atomic<std::size_t> g_live_nodes{0};
std::atomic<std::uint64_t> g_next_tape_id{1};
thread_local Tape* t_active = nullptr;
thread_local bool t_grad_enabled = true;
thread_local bool t_anomaly = false;
}  // namespace

NodeBase::NodeBase(const char* op_name) : op(op_name) {
  keep_freed_memory();  // once per process (memory.hpp)
  ++g_live_nodes;
}
NodeBase::~NodeBase() { --g_live_nodes; }
std::size_t live_nodes() { return g_live_nodes.load(); }

Tape::Tape() : id_(g_next_tape_id++) {}

Tape& Tape::active() {
  if (!t_active) {
    thread_local Tape default_tape;
    t_active = &default_tape;
  }
  return *t_active;
}

std::size_t Tape::size() const {
  return static_cast<std::size_t>(std::count_if(nodes_.begin(), nodes_.end(), [](const auto& w) {
    auto n = w.lock();
    return n && !n->released;
  }));
}

void Tape::prune() {
  std::erase_if(nodes_, [](const auto& w) {
    auto n = w.lock();
    return !n || n->released;
  });
  prune_at_ = std::max<std::size_t>(1024, 2 * nodes_.size());
}

void Tape::record(const std::shared_ptr<NodeBase>& node) {
  node->tape_id = id_;
  if (nodes_.size() >= prune_at_) prune();
  nodes_.push_back(node);
}

void Tape::backward(NodeBase& root) {
  if (root.released)
    throw Error(std::string("backward: the graph of '") + root.op +
                "' was already released by an earlier backward(); record the computation again");
  const bool check = t_anomaly;
  // Hold every node for the sweep: releasing a node's inputs must not destroy an intermediate
  // that an adjoint has just reached. Each reference is dropped as soon as its node has run.
  std::vector<std::shared_ptr<NodeBase>> alive;
  alive.reserve(nodes_.size());
  for (const auto& w : nodes_) alive.push_back(w.lock());
  for (std::size_t i = alive.size(); i-- > 0;) {
    std::shared_ptr<NodeBase> node = std::move(alive[i]);
    if (!node || !node->has_adj) continue;
    if (node->released)
      throw Error(std::string("backward: reached '") + node->op +
                  "', whose graph an earlier backward() released; record the computation again");
    node->run_backward();
    std::string which;
    if (check && !node->finite_adjoints(which))
      throw Error(std::string("anomaly: the backward of '") + node->op +
                  "' produced NaN or Inf in " + which);
    node->release();
  }
  prune();
}

TapeScope::TapeScope() : previous_(&Tape::active()) { t_active = &tape_; }
TapeScope::~TapeScope() { t_active = previous_; }

bool grad_enabled() { return t_grad_enabled; }
no_grad::no_grad() : previous_(t_grad_enabled) { t_grad_enabled = false; }
no_grad::~no_grad() { t_grad_enabled = previous_; }

bool anomaly_detection() { return t_anomaly; }
void set_anomaly_detection(bool on) { t_anomaly = on; }
detect_anomaly::detect_anomaly() : previous_(t_anomaly) { t_anomaly = true; }
detect_anomaly::~detect_anomaly() { t_anomaly = previous_; }

}  // namespace saddle
