// saddle/nn/init.hpp — parameter initialisers, as in torch.nn.init, drawn from a seeded
// std::mt19937_64. The uniform and normal draws are computed here from the generator's raw 64-bit
// output (not through <random>'s distributions, whose algorithms differ between standard
// libraries), so a seed gives the same parameters bit for bit everywhere.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "saddle/base/tensor.hpp"

namespace saddle::nn::init {

using Rng = std::mt19937_64;

// U[0, 1) with 53 random bits.
double unit_uniform(Rng& rng);
// N(0, 1) by the Box–Muller transform.
double standard_normal(Rng& rng);

template <class T>
Tensor<T> uniform(const Shape& shape, double low, double high, Rng& rng);
template <class T>
Tensor<T> normal(const Shape& shape, double mean, double std, Rng& rng);

// torch.nn.init._calculate_fan_in_and_fan_out: for a weight (out, in, k₁, k₂, …),
// fan_in = in·k₁·k₂·…, fan_out = out·k₁·k₂·…. Needs at least 2 dimensions.
std::pair<std::size_t, std::size_t> fans(const Shape& shape);

enum class FanMode { fan_in, fan_out };

// The gain for a nonlinearity (torch.nn.init.calculate_gain): linear/sigmoid 1, tanh 5/3,
// relu √2, leaky_relu with slope a: √(2/(1 + a²)).
double gain(const std::string& nonlinearity, double a = 0);

// Glorot & Bengio 2010: U(−b, b) with b = gain·√(6/(fan_in + fan_out)).
template <class T>
Tensor<T> xavier_uniform(const Shape& shape, Rng& rng, double gain = 1);
// N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)).
template <class T>
Tensor<T> xavier_normal(const Shape& shape, Rng& rng, double gain = 1);

// He et al. 2015 for a leaky ReLU of slope a (a = 0: ReLU): U(−b, b), b = gain(a)·√(3/fan).
template <class T>
Tensor<T> kaiming_uniform(const Shape& shape, Rng& rng, double a = 0, FanMode mode = FanMode::fan_in);
// N(0, σ²), σ = gain(a)/√fan.
template <class T>
Tensor<T> kaiming_normal(const Shape& shape, Rng& rng, double a = 0, FanMode mode = FanMode::fan_in);

// PyTorch's defaults for Linear and Conv2d (reset_parameters): the weight by kaiming_uniform with
// a = √5, which is U(−1/√fan_in, 1/√fan_in); the bias U(−1/√fan_in, 1/√fan_in) with the
// weight's fan_in.
template <class T>
Tensor<T> default_weight(const Shape& weight_shape, Rng& rng);
template <class T>
Tensor<T> default_bias(const Shape& weight_shape, Rng& rng);

}  // namespace saddle::nn::init
