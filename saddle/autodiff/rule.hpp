// saddle/autodiff/rule.hpp — how to define a differentiable op: the rule author's header.
//
// An op is its forward and its VJP, each written once in the dual algebra: functions of Dual<T>
// (a tensor and its forward tangent, whose + − × ÷ matmul sum exp ... apply the product rule).
// Recorded with define_op, the two give the gradient, the JVP and the Hessian-vector product:
// the forward's tangents carry the direction v, and the VJP run on duals carries each adjoint's
// tangent, which at the parameters is H·v (forward-over-reverse). An elementwise function needs
// even less: one row with its value and derivative (elementary.hpp), recorded with elementwise.
//
//   #include <saddle/autodiff.hpp>
//   #include <saddle/autodiff/rule.hpp>
//
//   // softsign(x) = x/(1 + |x|): a row; the derivative is written once, in terms of y = f(x).
//   struct Softsign {
//     static constexpr const char* name = "softsign";
//     template <class N> N value(const N& x) const { return x / (1 + saddle::abs(x)); }
//     template <class N> N derivative(const N&, const N& y) const {
//       return saddle::square(1 - saddle::abs(y));  // 1/(1 + |x|)² = (1 − |y|)²
//     }
//   };
//   template <class T> saddle::Var<T> softsign(const saddle::Var<T>& x) {
//     return saddle::elementwise<Softsign>(x);
//   }
//
//   // a·b + b: a two-input op; the VJP sees the output's adjoint g, the output y and the inputs,
//   // and writes each input's adjoint that is wanted.
//   template <class T> saddle::Var<T> mul_add(const saddle::Var<T>& a, const saddle::Var<T>& b) {
//     using saddle::Dual;
//     return saddle::define_op<T>(
//         "mul_add", [](const Dual<T>& a, const Dual<T>& b) { return a * b + b; },
//         [](const Dual<T>& g, const Dual<T>&, const Dual<T>& a, const Dual<T>& b,
//            saddle::Adjoint<T>& ga, saddle::Adjoint<T>& gb) {
//           if (ga) ga = g * b;        // ∂/∂a = b
//           if (gb) gb = g * (a + 1);  // ∂/∂b = a + 1
//         },
//         a, b);
//   }
//
// Rules of the algebra: an absent tangent (Dual::t) is structurally zero and costs nothing; a mask
// that a value decides (relu, max) is taken from values only (masked, step, sign); inputs of
// different shapes broadcast like NumPy, and a VJP sums a broadcast input's adjoint back to its
// shape (sum_to). Check a new op with gradcheck and hvpcheck (saddle/autodiff/check.hpp).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "saddle/autodiff/dual.hpp"
#include "saddle/autodiff/elementary.hpp"
#include "saddle/autodiff/jet.hpp"
#include "saddle/autodiff/node.hpp"
#include "saddle/autodiff/var.hpp"

namespace saddle {

// The adjoint a VJP writes for one of its op's inputs. `if (gx)` asks whether that input wants one,
// so an op skips the products for data inputs (the bulk of the saving of reverse mode on MLPs);
// `gx = ...` gives it, of the input's shape.
template <class T>
class Adjoint {
 public:
  explicit Adjoint(bool wanted = false) : wanted_(wanted) {}
  explicit operator bool() const { return wanted_; }
  Adjoint& operator=(Dual<T>&& g) {
    value_ = std::move(g);
    written_ = true;
    return *this;
  }
  Adjoint& operator=(const Dual<T>& g) { return *this = Dual<T>(g); }

  bool written() const { return written_; }
  Dual<T>& value() { return value_; }

 private:
  bool wanted_;
  bool written_ = false;
  Dual<T> value_;
};

// The node behind a Var, its dual (value and tangent), and a Var on a node.
template <class T>
const std::shared_ptr<Node<T>>& node_of(const Var<T>& x) {
  return x.node_;
}
template <class T>
const Dual<T>& dual_of(const Var<T>& x) {
  return node_of(x)->out;
}
template <class T>
Var<T> var_of(std::shared_ptr<Node<T>> node) {
  return Var<T>(std::move(node));
}

namespace detail {

template <class T>
void check_operand(const char* op, const Var<T>& x) {
  const auto& n = *node_of(x);
  if (n.released && n.requires_grad)
    throw Error(std::string(op) + ": operand '" + n.op +
                "' belongs to a graph released by an earlier backward(); use .detach() to reuse its value");
  if (n.tape_id != 0 && n.tape_id != Tape::active().id())
    throw Error(std::string(op) + ": operand '" + n.op + "' was recorded on tape #" + std::to_string(n.tape_id) +
                ", but the active tape is #" + std::to_string(Tape::active().id()) +
                "; values from two tapes cannot be mixed");
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
void push_adjoint(const char* op, Node<T>& input, Adjoint<T>& slot) {
  if (!slot.written()) return;
  if (slot.value().v.shape() != input.out.v.shape())
    throw Error(std::string(op) + ": internal error, VJP gave an adjoint of shape " +
                shape_str(slot.value().v.shape()) + " for an input of shape " + shape_str(input.out.v.shape()));
  if (input.tape_id == 0)  // a leaf: maybe one that concurrent shards share
    if (LeafAdjointSink<T>* sink = active_leaf_sink<T>()) {
      sink->add(input, std::move(slot.value()));
      return;
    }
  accumulate(input.adj, std::move(slot.value()), !input.has_adj);
  input.has_adj = true;
}

template <class T, class Vjp, std::size_t... I>
void run_vjp(Node<T>& n, Vjp& vjp, std::index_sequence<I...>) {
  std::array<Adjoint<T>, sizeof...(I)> slots{Adjoint<T>(n.inputs[I]->requires_grad)...};
  vjp(n.adj, n.out, n.inputs[I]->out..., slots[I]...);
  (push_adjoint(n.op, *n.inputs[I], slots[I]), ...);
}

}  // namespace detail

// Records y = forward(x...) on the active tape with its VJP
//   vjp(const Dual<T>& g, const Dual<T>& y, const Dual<T>& x..., Adjoint<T>& gx...)
// where g is ∂L/∂y (with its tangent during an HVP). The forward runs at once; the VJP is kept
// only when some input requires a gradient and recording is on (not under no_grad). Operands are
// checked (same tape, not released, not empty), and under detect_anomaly the output too.
template <class T, class Forward, class Vjp, class... Inputs>
Var<T> define_op(const char* name, Forward forward, Vjp vjp, const Inputs&... inputs) {
  static_assert((std::is_same_v<Inputs, Var<T>> && ...), "define_op: every input is a Var<T>");
  (detail::check_operand(name, inputs), ...);
  Dual<T> out = forward(dual_of(inputs)...);
  detail::check_output(name, out);
  auto node = std::make_shared<Node<T>>(name, std::move(out));
  if (grad_enabled() && (inputs.requires_grad() || ...)) {
    node->requires_grad = true;
    node->inputs = {node_of(inputs)...};
    node->vjp = [vjp = std::move(vjp)](Node<T>& n) mutable {
      detail::run_vjp(n, vjp, std::index_sequence_for<Inputs...>{});
    };
    Tape::active().record(node);
  }
  return var_of(std::move(node));
}

// The same for a list of inputs of any length (concat):
//   forward(const std::vector<const Dual<T>*>& x) → Dual<T>
//   vjp(const Dual<T>& g, const Dual<T>& y, const std::vector<const Dual<T>*>& x, std::vector<Adjoint<T>>& gx)
template <class T, class Forward, class Vjp>
Var<T> define_list_op(const char* name, Forward forward, Vjp vjp, const std::vector<Var<T>>& inputs) {
  std::vector<const Dual<T>*> in;
  bool wanted = false;
  for (const auto& x : inputs) {
    detail::check_operand(name, x);
    in.push_back(&dual_of(x));
    wanted = wanted || x.requires_grad();
  }
  Dual<T> out = forward(in);
  detail::check_output(name, out);
  auto node = std::make_shared<Node<T>>(name, std::move(out));
  if (grad_enabled() && wanted) {
    node->requires_grad = true;
    for (const auto& x : inputs) node->inputs.push_back(node_of(x));
    node->vjp = [vjp = std::move(vjp)](Node<T>& n) mutable {
      std::vector<const Dual<T>*> ins;
      std::vector<Adjoint<T>> slots;
      for (const auto& input : n.inputs) {
        ins.push_back(&input->out);
        slots.emplace_back(input->requires_grad);
      }
      vjp(n.adj, n.out, ins, slots);
      for (std::size_t i = 0; i < n.inputs.size(); ++i) detail::push_adjoint(n.op, *n.inputs[i], slots[i]);
    };
    Tape::active().record(node);
  }
  return var_of(std::move(node));
}

// An elementwise op from one row (elementary.hpp): y = f(x) with the VJP ḡ·f'(x), both one fused
// pass, with tangents and Hessian-vector products from the row's derivative alone.
template <class Rule, class T>
Var<T> elementwise(const Var<T>& x, const Rule& rule = {}) {
  return define_op<T>(
      rule.name, [&rule](const Dual<T>& x) { return elementwise(x, rule); },
      [rule](const Dual<T>& g, const Dual<T>& y, const Dual<T>& x, Adjoint<T>& gx) {
        if (gx) gx = elementwise_vjp(g, y, x, rule);
      },
      x);
}

}  // namespace saddle
