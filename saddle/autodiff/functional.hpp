// saddle/autodiff/functional.hpp — the functional face of the engine (as in JAX), for
// f : (parameters) → scalar, where the parameters are a list of tensors of any shapes:
//
//   auto [loss, g] = value_and_grad(f, params);   // one forward + one reverse sweep
//   auto [y, dy]   = jvp(f, params, v);           // forward mode: one sweep carrying tangents
//   TensorList Hv  = hvp(f, params, v);           // forward-over-reverse: exact, ≈2× a gradient
//   Tensor H       = hessian(f, params);          // dense, n Hessian-vector products (small n)
//
// f is any callable taking `const std::vector<Var<T>>&` and returning a Var<T>. Each call records
// on a fresh tape (TapeScope), so it neither sees nor disturbs the caller's imperative graph.
#pragma once

#include <utility>

#include "saddle/autodiff/ops.hpp"
#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
struct ValueAndGrad {
  T value;
  TensorList<T> grad;
};

template <class T>
struct HvpResult {
  T value;
  TensorList<T> grad;  // ∇f(θ)
  TensorList<T> hvp;   // ∇²f(θ)·v
};

template <class T, class F>
ValueAndGrad<T> value_and_grad(F&& f, const TensorList<T>& params) {
  TapeScope scope;
  std::vector<Var<T>> x = make_leaves(params, /*requires_grad=*/true);
  Var<T> y = f(x);
  if (y.size() != 1) throw Error("value_and_grad: f must return a scalar, got shape " + shape_str(y.shape()));
  const T value = y.item();
  if (y.requires_grad()) y.backward();
  return {value, take_adjoints(std::move(x), /*tangents=*/false).grad};
}

template <class T, class F>
TensorList<T> grad(F&& f, const TensorList<T>& params) {
  return value_and_grad(std::forward<F>(f), params).grad;
}

// Forward mode: f(θ) and its directional derivative Df(θ)[v]. f may return any shape.
template <class T, class F>
std::pair<Tensor<T>, Tensor<T>> jvp(F&& f, const TensorList<T>& params, const TensorList<T>& v) {
  check_same_shapes("jvp", params, v);
  TapeScope scope;
  no_grad off;  // nothing to record: the tangent rides along the forward sweep
  std::vector<Var<T>> x;
  for (std::size_t i = 0; i < params.size(); ++i) x.emplace_back(params[i], v[i], false);
  Var<T> y = f(x);
  Tensor<T> dy = y.tangent() ? *y.tangent() : zeros_tensor<T>(y.shape());
  return {y.value(), std::move(dy)};
}

// Forward-over-reverse: the forward sweep carries tangents v, the reverse sweep carries
// adjoints and their tangents; the parameters' adjoints are ∇f and their tangents H·v.
template <class T, class F>
HvpResult<T> value_grad_hvp(F&& f, const TensorList<T>& params, const TensorList<T>& v) {
  check_same_shapes("hvp", params, v);
  TapeScope scope;
  std::vector<Var<T>> x;
  for (std::size_t i = 0; i < params.size(); ++i) x.emplace_back(params[i], v[i], true);
  Var<T> y = f(x);
  if (y.size() != 1) throw Error("hvp: f must return a scalar, got shape " + shape_str(y.shape()));
  const T value = y.item();
  if (y.requires_grad()) y.backward();
  LeafAdjoints<T> a = take_adjoints(std::move(x), /*tangents=*/true);
  return {value, std::move(a.grad), std::move(a.grad_tangent)};
}

template <class T, class F>
TensorList<T> hvp(F&& f, const TensorList<T>& params, const TensorList<T>& v) {
  return value_grad_hvp(std::forward<F>(f), params, v).hvp;
}

// The dense Hessian (n × n, n = total parameter count), column j = H·e_j. For small n.
template <class T, class F>
Tensor<T> hessian(F&& f, const TensorList<T>& params) {
  std::size_t n = 0;
  for (const auto& p : params) n += p.size();
  Tensor<T> H = zeros_tensor<T>(Shape{n, n});
  TensorList<T> e;
  for (const auto& p : params) e.push_back(zeros_tensor<T>(p.shape()));
  std::size_t j = 0;
  for (std::size_t k = 0; k < params.size(); ++k)
    for (std::size_t i = 0; i < params[k].size(); ++i, ++j) {
      e[k].data()[i] = 1;
      const TensorList<T> col = hvp(f, params, e);
      e[k].data()[i] = 0;
      std::size_t r = 0;
      for (const auto& c : col)
        for (std::size_t q = 0; q < c.size(); ++q) H(r++, j) = c.data()[q];
    }
  return H;
}

}  // namespace saddle
