#include "saddle/autodiff/var.hpp"

#include "saddle/autodiff/rule.hpp"

namespace saddle {

template <class T>
Var<T>::Var(Tensor<T> value, bool requires_grad)
    : node_(std::make_shared<Node<T>>("leaf", Dual<T>{std::move(value)})) {
  node_->requires_grad = requires_grad;
}

template <class T>
Var<T>::Var(Tensor<T> value, Tensor<T> tangent, bool requires_grad) {
  if (value.shape() != tangent.shape())
    throw Error("Var: tangent of shape " + shape_str(tangent.shape()) + " for a value of shape " +
                shape_str(value.shape()));
  node_ = std::make_shared<Node<T>>("leaf", Dual<T>{std::move(value), std::move(tangent)});
  node_->requires_grad = requires_grad;
}

template <class T>
Var<T>::Var(std::shared_ptr<Node<T>> node) : node_(std::move(node)) {}

template <class T>
const Tensor<T>& Var<T>::value() const {
  return node_->out.v;
}
template <class T>
const std::optional<Tensor<T>>& Var<T>::tangent() const {
  return node_->out.t;
}
template <class T>
Shape Var<T>::shape() const {
  return node_->out.shape();
}
template <class T>
std::size_t Var<T>::size() const {
  return node_->out.v.size();
}
template <class T>
std::size_t Var<T>::dim() const {
  return node_->out.v.dimension();
}
template <class T>
const char* Var<T>::op() const {
  return node_->op;
}
template <class T>
bool Var<T>::is_leaf() const {
  return node_->tape_id == 0;
}
template <class T>
bool Var<T>::requires_grad() const {
  return node_->requires_grad;
}
template <class T>
bool Var<T>::has_grad() const {
  return node_->has_adj;
}
template <class T>
Var<T> Var<T>::detach() const {
  return Var(node_->out.v, false);
}

template <class T>
Tensor<T>& Var<T>::mutable_value() {
  if (!is_leaf())
    throw Error(std::string("mutable_value: '") + op() + "' is a recorded result, not a leaf");
  return node_->out.v;
}

template <class T>
T Var<T>::item() const {
  if (size() != 1)
    throw Error("item: expects a one-element tensor, got shape " + shape_str(value().shape()));
  return value().data()[0];
}

template <class T>
void Var<T>::set_requires_grad(bool on) {
  if (!is_leaf())
    throw Error(std::string("set_requires_grad: '") + op() + "' is a recorded result, not a leaf");
  node_->requires_grad = on;
}

template <class T>
const Tensor<T>& Var<T>::grad() const {
  if (!node_->has_adj)
    throw Error(std::string("grad: '") + op() +
                "' has no gradient (not a leaf reached by backward(), or zero_grad() was called)");
  return node_->adj.v;
}

template <class T>
const std::optional<Tensor<T>>& Var<T>::grad_tangent() const {
  static const std::optional<Tensor<T>> none;
  return node_->has_adj ? node_->adj.t : none;
}

template <class T>
void Var<T>::zero_grad() {
  node_->adj = Dual<T>{};
  node_->has_adj = false;
}

template <class T>
void Var<T>::backward() {
  auto& n = *node_;
  if (size() != 1)
    throw Error(std::string("backward: needs a scalar, but '") + n.op + "' has shape " +
                shape_str(value().shape()) + "; reduce it first (sum, mean)");
  if (n.released)
    throw Error(std::string("backward: the graph of '") + n.op +
                "' was already released by an earlier backward(); record the computation again");
  if (!n.requires_grad)
    throw Error(std::string("backward: '") + n.op +
                "' does not depend on any Var with requires_grad (or was computed under no_grad)");
  // Seed: ∂loss/∂loss = 1, whose tangent is zero.
  Dual<T> seed{Tensor<T>(xt::ones<T>(value().shape()))};
  if (is_leaf())
    if (LeafAdjointSink<T>* sink = active_leaf_sink<T>()) {
      sink->add(n, std::move(seed));
      return;
    }
  accumulate(n.adj, std::move(seed), !n.has_adj);
  n.has_adj = true;
  if (is_leaf()) return;
  if (n.tape_id != Tape::active().id())
    throw Error(std::string("backward: '") + n.op + "' was recorded on tape #" +
                std::to_string(n.tape_id) + ", but the active tape is #" +
                std::to_string(Tape::active().id()));
  Tape::active().backward(n);
}

template <class T>
std::vector<Var<T>> make_leaves(const TensorList<T>& values, bool requires_grad) {
  std::vector<Var<T>> out;
  out.reserve(values.size());
  for (const auto& v : values) out.emplace_back(v, requires_grad);
  return out;
}

template <class T>
TensorList<T> values_of(const std::vector<Var<T>>& vars) {
  TensorList<T> out;
  out.reserve(vars.size());
  for (const auto& v : vars) out.push_back(v.value());
  return out;
}

template <class T>
TensorList<T> grads_of(const std::vector<Var<T>>& vars) {
  TensorList<T> out;
  out.reserve(vars.size());
  for (const auto& v : vars) out.push_back(v.has_grad() ? v.grad() : zeros_tensor<T>(v.shape()));
  return out;
}

template <class T>
LeafAdjoints<T> take_adjoints(std::vector<Var<T>>&& leaves, bool tangents) {
  LeafAdjoints<T> out;
  out.grad.reserve(leaves.size());
  if (tangents) out.grad_tangent.reserve(leaves.size());
  for (Var<T>& leaf : leaves) {
    const std::shared_ptr<Node<T>>& n = node_of(leaf);
    const bool owned = n.use_count() == 1;  // nobody else can see the leaf's adjoint go
    auto take = [owned](Tensor<T>& t) -> Tensor<T> {
      if (owned) return std::move(t);
      return t;
    };
    out.grad.push_back(n->has_adj ? take(n->adj.v) : zeros_tensor<T>(leaf.shape()));
    if (tangents)
      out.grad_tangent.push_back(n->has_adj && n->adj.t ? take(*n->adj.t) : zeros_tensor<T>(leaf.shape()));
  }
  leaves.clear();
  return out;
}

template <class T>
LeafAdjointSink<T>*& active_leaf_sink() {
  thread_local LeafAdjointSink<T>* sink = nullptr;
  return sink;
}
template LeafAdjointSink<float>*& active_leaf_sink();
template LeafAdjointSink<double>*& active_leaf_sink();

template class Var<float>;
template class Var<double>;
template std::vector<Var<float>> make_leaves(const TensorList<float>&, bool);
template std::vector<Var<double>> make_leaves(const TensorList<double>&, bool);
template TensorList<float> values_of(const std::vector<Var<float>>&);
template TensorList<double> values_of(const std::vector<Var<double>>&);
template TensorList<float> grads_of(const std::vector<Var<float>>&);
template TensorList<double> grads_of(const std::vector<Var<double>>&);
template LeafAdjoints<float> take_adjoints(std::vector<Var<float>>&&, bool);
template LeafAdjoints<double> take_adjoints(std::vector<Var<double>>&&, bool);

}  // namespace saddle
