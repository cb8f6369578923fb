// Losses. The softmax cross-entropy is fused: for z (N, C) and labels t,
//   L = (1/N) Σ_n [ lse(z_n) − z_n,t_n ],   lse(z) = m + log Σ_c exp(z_c − m),  m = max_c z_c
//   ∂L/∂z = (softmax(z) − onehot(t)) / N
// Both are written in the dual algebra on p = softmax(z) and lse, computed together with one exp
// per entry (logsumexp_dual and softmax_dual, autodiff/dual.hpp, with their tangents
// (lse)˙ = ⟨p, ż⟩ and ṗ = p ⊙ (ż − ⟨p, ż⟩)): the forward's tangent is
// (1/N) Σ_n (⟨p_n, ż_n⟩ − ż_n,t), and the VJP's, ṗ ⊙ g/N + (p − onehot) ⊙ ġ/N, comes from the
// product rule, so Hessian-vector products through the loss are exact.
// tests/nn/test_handderived.cpp holds it against log_softmax/pick/mean composed on the tape.
#include "saddle/nn/losses.hpp"

#include <limits>

#include "saddle/autodiff/rule.hpp"
#include "saddle/nn/ops/instantiate.hpp"

namespace saddle::nn {
namespace {

template <class T>
std::vector<std::size_t> checked_labels(const char* op, const Var<T>& z, std::span<const Label> labels) {
  const Shape s = z.shape();
  if (s.size() != 2) throw Error(std::string(op) + ": expects 2-D (N, classes) input, got shape " + shape_str(s));
  if (labels.size() != s[0])
    throw Error(std::string(op) + ": " + std::to_string(labels.size()) + " labels for input of shape " + shape_str(s));
  std::vector<std::size_t> t(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || std::size_t(labels[i]) >= s[1])
      throw Error(std::string(op) + ": label[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
                  " is outside 0.." + std::to_string(s[1] - 1));
    t[i] = std::size_t(labels[i]);
  }
  return t;
}

}  // namespace

template <class T>
Var<T> softmax_cross_entropy(const Var<T>& logits, std::span<const Label> labels) {
  const std::vector<std::size_t> t = checked_labels("softmax_cross_entropy", logits, labels);
  const T inv_n = T(1) / T(t.size());
  return define_op<T>(
      "softmax_cross_entropy",
      [&](const Dual<T>& z) {
        const Dual<T> lse = reshape(logsumexp_dual(z, 1).lse, Shape{t.size()});
        const Dual<T> picked = linear(z, [&](const Tensor<T>& x) { return kernels::take_along(x, 1, t); });
        return sum(lse - picked) * inv_n;
      },
      [t, inv_n](const Dual<T>& g, const Dual<T>&, const Dual<T>& z, auto& gz) {
        if (!gz) return;
        Dual<T> p = softmax_dual(z, 1);                                   // softmax(z), with its tangent
        for (std::size_t n = 0; n < t.size(); ++n) p.v(n, t[n]) -= T(1);  // − onehot(t), a constant
        gz = p * (g * inv_n);
      },
      logits);
}

template <class T>
Var<T> nll_loss(const Var<T>& log_probs, std::span<const Label> labels) {
  checked_labels("nll_loss", log_probs, labels);  // errors name nll_loss
  return -mean(pick(log_probs, labels));
}

template <class T>
Var<T> mse_loss(const Var<T>& prediction, const Var<T>& target) {
  if (prediction.shape() != target.shape())
    throw Error("mse_loss: prediction of shape " + shape_str(prediction.shape()) + " and target of shape " +
                shape_str(target.shape()));
  return mean(square(prediction - target));
}

template <class T>
Var<T> l2_penalty(const std::vector<Var<T>>& params, double lambda) {
  if (params.empty()) throw Error("l2_penalty: no parameters given");
  Var<T> total = sum(square(params[0]));
  for (std::size_t i = 1; i < params.size(); ++i) total = total + sum(square(params[i]));
  return total * T(lambda);
}

template <class T>
double accuracy(const Tensor<T>& logits, std::span<const Label> labels) {
  if (logits.dimension() != 2 || logits.shape()[0] != labels.size())
    throw Error("accuracy: logits of shape " + shape_str(logits.shape()) + " for " + std::to_string(labels.size()) +
                " labels");
  if (labels.empty()) return 0;
  const auto arg = kernels::argmax_axis(logits, 1);
  std::size_t right = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) right += Label(arg[i]) == labels[i];
  return double(right) / double(labels.size());
}

double ClassTally::accuracy(std::size_t c) const {
  return total.at(c) == 0 ? std::numeric_limits<double>::quiet_NaN() : double(correct[c]) / double(total[c]);
}

ClassTally& ClassTally::operator+=(const ClassTally& other) {
  if (other.classes() != classes())
    throw Error("ClassTally: adding a tally of " + std::to_string(other.classes()) + " classes to one of " +
                std::to_string(classes()));
  for (std::size_t c = 0; c < classes(); ++c) {
    correct[c] += other.correct[c];
    total[c] += other.total[c];
  }
  return *this;
}

template <class T>
ClassTally class_tally(const Tensor<T>& logits, std::span<const Label> labels) {
  if (logits.dimension() != 2 || logits.shape()[0] != labels.size())
    throw Error("class_tally: logits of shape " + shape_str(logits.shape()) + " for " + std::to_string(labels.size()) +
                " labels");
  const std::size_t classes = logits.shape()[1];
  ClassTally tally(classes);
  if (labels.empty()) return tally;
  const auto arg = kernels::argmax_axis(logits, 1);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const Label y = labels[i];
    if (y < 0 || std::size_t(y) >= classes)
      throw Error("class_tally: label " + std::to_string(y) + " of row " + std::to_string(i) + " is outside [0, " +
                  std::to_string(classes) + ")");
    ++tally.total[std::size_t(y)];
    tally.correct[std::size_t(y)] += Label(arg[i]) == y;
  }
  return tally;
}

#define X(T)                                                                  \
  template Var<T> softmax_cross_entropy(const Var<T>&, std::span<const Label>); \
  template Var<T> nll_loss(const Var<T>&, std::span<const Label>);              \
  template Var<T> mse_loss(const Var<T>&, const Var<T>&);                     \
  template Var<T> l2_penalty(const std::vector<Var<T>>&, double);             \
  template double accuracy(const Tensor<T>&, std::span<const Label>);      \
  template ClassTally class_tally(const Tensor<T>&, std::span<const Label>);
SADDLE_NN_FOR_FLOAT_TYPES(X)
#undef X

}  // namespace saddle::nn
