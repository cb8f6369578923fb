// saddle/nn/models/models.hpp — the models of the experiments, for (N, 1, 28, 28) images and 10
// classes, returning logits. Children are named as a PyTorch model's attributes would be, so the
// parameters are `fc1.weight`, `conv1.bias`, … (nn/MODELS.md lists them with their shapes).
// A seed fixes every initial parameter bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "saddle/nn/module.hpp"

namespace saddle::nn {

// Multinomial logistic regression: Flatten, Linear 784→10.
template <class T>
std::unique_ptr<Sequential<T>> softmax_regression(std::uint64_t seed = 0);
// 784-128-64-10 with ReLU.
template <class T>
std::unique_ptr<Sequential<T>> mlp(std::uint64_t seed = 0);
// conv 3×3 1→8 padding 1, ReLU, max-pool 2; conv 3×3 8→8 padding 1, ReLU, max-pool 2;
// Flatten; Linear 392→64, ReLU, Linear 64→10.
template <class T>
std::unique_ptr<Sequential<T>> small_cnn(std::uint64_t seed = 0);
// LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling: conv 5×5 1→6 padding 2, ReLU, max-pool 2;
// conv 5×5 6→16, ReLU, max-pool 2; Flatten; Linear 400→120→84→10 with ReLU.
template <class T>
std::unique_ptr<Sequential<T>> lenet5(std::uint64_t seed = 0);

// A fully connected network of any depth and width on flattened inputs, as the studies of
// curvature against dimension grow one: Flatten; for each hidden width w_l, Linear (→ w_l) and the
// activation ("relu", "tanh" or "sigmoid"); Linear (→ classes). Layers fc1, fc2, … and act1,
// act2, …, initialised as PyTorch's Linear (linear.hpp); without biases if `bias` is false.
struct FullyConnected {
  std::size_t inputs = 784;
  std::vector<std::size_t> hidden{128, 64};
  std::size_t classes = 10;
  std::string activation = "relu";
  bool bias = true;
};
// Errors: a size of 0, an unknown activation.
template <class T>
std::unique_ptr<Sequential<T>> fully_connected(const FullyConnected& spec, std::uint64_t seed = 0);

// The names make_model accepts: "softmax", "mlp", "cnn", "lenet5".
const std::vector<std::string>& model_names();
// One of the models above by name; throws saddle::Error listing the valid names.
template <class T>
std::unique_ptr<Module<T>> make_model(const std::string& name, std::uint64_t seed = 0);

}  // namespace saddle::nn
