// saddle/nn/ops.hpp — the differentiable ops of neural-network layers, each defined once by its
// forward and its VJP in the dual algebra (autodiff/dual.hpp), recorded with define_op
// (autodiff/rule.hpp), so each gives gradients, JVPs and Hessian-vector products like the engine's
// own ops. Activations are NCHW, as in PyTorch.
#pragma once

#include <cstddef>
#include <random>

#include "saddle/autodiff/ops.hpp"

namespace saddle::nn {

// ---- affine map (ops/linear.cpp) --------------------------------------------------------------
// y = x Wᵀ + b for x (N, in), W (out, in), b (out): torch.nn.functional.linear.
template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& weight, const Var<T>& bias);
template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& weight);

// ---- convolution (ops/conv2d.cpp) -------------------------------------------------------------
// Cross-correlation of x (N, C, H, W) with weight (O, C, kh, kw), plus bias (O): output
// (N, O, Ho, Wo), Ho = ⌊(H + 2·padding − kh)/stride⌋ + 1 (torch.nn.functional.conv2d).
template <class T>
Var<T> conv2d(const Var<T>& x, const Var<T>& weight, const Var<T>& bias, std::size_t stride = 1,
              std::size_t padding = 0);
template <class T>
Var<T> conv2d(const Var<T>& x, const Var<T>& weight, std::size_t stride = 1, std::size_t padding = 0);

// ---- pooling (ops/pooling.cpp) ----------------------------------------------------------------
// Maximum / mean over kernel×kernel windows moved by `stride` over (N, C, H, W); no padding,
// the last partial window dropped (ceil_mode false). stride 0 means stride = kernel.
template <class T>
Var<T> max_pool2d(const Var<T>& x, std::size_t kernel, std::size_t stride = 0);
template <class T>
Var<T> avg_pool2d(const Var<T>& x, std::size_t kernel, std::size_t stride = 0);

// ---- dropout (ops/dropout.cpp) ----------------------------------------------------------------
// x ⊙ m/(1 − p) with m ~ Bernoulli(1 − p) drawn from rng (inverted dropout: the expectation is x).
template <class T>
Var<T> dropout(const Var<T>& x, double p, std::mt19937_64& rng);
// x ⊙ mask for a constant mask of x's shape (dropout with a given mask).
template <class T>
Var<T> apply_mask(const Var<T>& x, const Tensor<T>& mask);

}  // namespace saddle::nn
