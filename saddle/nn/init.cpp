#include "saddle/nn/init.hpp"

#include <cmath>
#include <numbers>

namespace saddle::nn::init {

double unit_uniform(Rng& rng) { return double(rng() >> 11) * 0x1.0p-53; }

double standard_normal(Rng& rng) {
  // Box–Muller: √(−2 log u₁)·cos(2π u₂) with u₁ ∈ (0, 1].
  const double u1 = 1.0 - unit_uniform(rng);
  const double u2 = unit_uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

template <class T>
Tensor<T> uniform(const Shape& shape, double low, double high, Rng& rng) {
  if (!(low <= high))
    throw Error("init::uniform: low " + std::to_string(low) + " exceeds high " + std::to_string(high));
  Tensor<T> t = empty_tensor<T>(shape);
  for (auto& e : t) e = static_cast<T>(low + (high - low) * unit_uniform(rng));
  return t;
}

template <class T>
Tensor<T> normal(const Shape& shape, double mean, double std, Rng& rng) {
  if (!(std >= 0)) throw Error("init::normal: standard deviation " + std::to_string(std) + " is negative");
  Tensor<T> t = empty_tensor<T>(shape);
  for (auto& e : t) e = static_cast<T>(mean + std * standard_normal(rng));
  return t;
}

std::pair<std::size_t, std::size_t> fans(const Shape& shape) {
  if (shape.size() < 2)
    throw Error("init: fan in and fan out need a weight of at least 2 dimensions, got shape " + shape_str(shape));
  std::size_t receptive = 1;
  for (std::size_t i = 2; i < shape.size(); ++i) receptive *= shape[i];
  return {shape[1] * receptive, shape[0] * receptive};
}

double gain(const std::string& nonlinearity, double a) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity == "conv2d") return 1;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1 + a * a));
  throw Error("init::gain: unknown nonlinearity '" + nonlinearity +
              "' (expected linear, conv2d, sigmoid, tanh, relu or leaky_relu)");
}

namespace {
std::size_t fan_of(const Shape& shape, FanMode mode) {
  const auto [in, out] = fans(shape);
  return mode == FanMode::fan_in ? in : out;
}
}  // namespace

template <class T>
Tensor<T> xavier_uniform(const Shape& shape, Rng& rng, double g) {
  const auto [in, out] = fans(shape);
  const double b = g * std::sqrt(6.0 / double(in + out));
  return uniform<T>(shape, -b, b, rng);
}

template <class T>
Tensor<T> xavier_normal(const Shape& shape, Rng& rng, double g) {
  const auto [in, out] = fans(shape);
  return normal<T>(shape, 0, g * std::sqrt(2.0 / double(in + out)), rng);
}

template <class T>
Tensor<T> kaiming_uniform(const Shape& shape, Rng& rng, double a, FanMode mode) {
  const double b = gain("leaky_relu", a) * std::sqrt(3.0 / double(fan_of(shape, mode)));
  return uniform<T>(shape, -b, b, rng);
}

template <class T>
Tensor<T> kaiming_normal(const Shape& shape, Rng& rng, double a, FanMode mode) {
  return normal<T>(shape, 0, gain("leaky_relu", a) / std::sqrt(double(fan_of(shape, mode))), rng);
}

template <class T>
Tensor<T> default_weight(const Shape& weight_shape, Rng& rng) {
  return kaiming_uniform<T>(weight_shape, rng, std::sqrt(5.0));
}

template <class T>
Tensor<T> default_bias(const Shape& weight_shape, Rng& rng) {
  const double b = 1.0 / std::sqrt(double(fans(weight_shape).first));
  return uniform<T>(Shape{weight_shape[0]}, -b, b, rng);
}

#define X(T)                                                                  \
  template Tensor<T> uniform<T>(const Shape&, double, double, Rng&);          \
  template Tensor<T> normal<T>(const Shape&, double, double, Rng&);           \
  template Tensor<T> xavier_uniform<T>(const Shape&, Rng&, double);           \
  template Tensor<T> xavier_normal<T>(const Shape&, Rng&, double);            \
  template Tensor<T> kaiming_uniform<T>(const Shape&, Rng&, double, FanMode); \
  template Tensor<T> kaiming_normal<T>(const Shape&, Rng&, double, FanMode);  \
  template Tensor<T> default_weight<T>(const Shape&, Rng&);                   \
  template Tensor<T> default_bias<T>(const Shape&, Rng&);
X(float)
X(double)
#undef X

}  // namespace saddle::nn::init
