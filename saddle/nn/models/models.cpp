#include "saddle/nn/models/models.hpp"

#include <algorithm>

#include "saddle/nn/activations.hpp"
#include "saddle/nn/conv2d.hpp"
#include "saddle/nn/flatten.hpp"
#include "saddle/nn/linear.hpp"
#include "saddle/base/parallel.hpp"
#include "saddle/nn/pooling.hpp"

namespace saddle::nn {

template <class T>
std::unique_ptr<Sequential<T>> softmax_regression(std::uint64_t seed) {
  init::Rng rng(seed);
  auto m = std::make_unique<Sequential<T>>();
  m->add("flatten", std::make_shared<Flatten<T>>());
  m->add("fc", std::make_shared<Linear<T>>(784, 10, rng));
  return m;
}

template <class T>
std::unique_ptr<Sequential<T>> mlp(std::uint64_t seed) {
  init::Rng rng(seed);
  auto m = std::make_unique<Sequential<T>>();
  m->add("flatten", std::make_shared<Flatten<T>>());
  m->add("fc1", std::make_shared<Linear<T>>(784, 128, rng));
  m->add("relu1", std::make_shared<ReLU<T>>());
  m->add("fc2", std::make_shared<Linear<T>>(128, 64, rng));
  m->add("relu2", std::make_shared<ReLU<T>>());
  m->add("fc3", std::make_shared<Linear<T>>(64, 10, rng));
  return m;
}

template <class T>
std::unique_ptr<Sequential<T>> small_cnn(std::uint64_t seed) {
  init::Rng rng(seed);
  auto m = std::make_unique<Sequential<T>>();
  m->add("conv1", std::make_shared<Conv2d<T>>(1, 8, 3, rng, 1, 1));
  m->add("relu1", std::make_shared<ReLU<T>>());
  m->add("pool1", std::make_shared<MaxPool2d<T>>(2));
  m->add("conv2", std::make_shared<Conv2d<T>>(8, 8, 3, rng, 1, 1));
  m->add("relu2", std::make_shared<ReLU<T>>());
  m->add("pool2", std::make_shared<MaxPool2d<T>>(2));
  m->add("flatten", std::make_shared<Flatten<T>>());
  m->add("fc1", std::make_shared<Linear<T>>(392, 64, rng));
  m->add("relu3", std::make_shared<ReLU<T>>());
  m->add("fc2", std::make_shared<Linear<T>>(64, 10, rng));
  return m;
}

template <class T>
std::unique_ptr<Sequential<T>> lenet5(std::uint64_t seed) {
  init::Rng rng(seed);
  auto m = std::make_unique<Sequential<T>>();
  m->add("conv1", std::make_shared<Conv2d<T>>(1, 6, 5, rng, 1, 2));
  m->add("relu1", std::make_shared<ReLU<T>>());
  m->add("pool1", std::make_shared<MaxPool2d<T>>(2));
  m->add("conv2", std::make_shared<Conv2d<T>>(6, 16, 5, rng));
  m->add("relu2", std::make_shared<ReLU<T>>());
  m->add("pool2", std::make_shared<MaxPool2d<T>>(2));
  m->add("flatten", std::make_shared<Flatten<T>>());
  m->add("fc1", std::make_shared<Linear<T>>(400, 120, rng));
  m->add("relu3", std::make_shared<ReLU<T>>());
  m->add("fc2", std::make_shared<Linear<T>>(120, 84, rng));
  m->add("relu4", std::make_shared<ReLU<T>>());
  m->add("fc3", std::make_shared<Linear<T>>(84, 10, rng));
  return m;
}

template <class T>
std::unique_ptr<Sequential<T>> fully_connected(const FullyConnected& spec, std::uint64_t seed) {
  const std::vector<std::string> activations{"relu", "tanh", "sigmoid"};
  if (std::find(activations.begin(), activations.end(), spec.activation) == activations.end())
    throw Error("fully_connected: unknown activation '" + spec.activation + "' (relu, tanh, sigmoid)");
  init::Rng rng(seed);
  auto m = std::make_unique<Sequential<T>>();
  m->add("flatten", std::make_shared<Flatten<T>>());
  std::size_t in = spec.inputs;
  for (std::size_t l = 0; l <= spec.hidden.size(); ++l) {
    const std::size_t out = l < spec.hidden.size() ? spec.hidden[l] : spec.classes;
    m->add("fc" + std::to_string(l + 1), std::make_shared<Linear<T>>(in, out, rng, spec.bias));
    if (l == spec.hidden.size()) break;
    const std::string act = "act" + std::to_string(l + 1);
    if (spec.activation == "relu") m->add(act, std::make_shared<ReLU<T>>());
    if (spec.activation == "tanh") m->add(act, std::make_shared<Tanh<T>>());
    if (spec.activation == "sigmoid") m->add(act, std::make_shared<Sigmoid<T>>());
    in = out;
  }
  return m;
}

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names{"softmax", "mlp", "cnn", "lenet5"};
  return names;
}

template <class T>
std::unique_ptr<Module<T>> make_model(const std::string& name, std::uint64_t seed) {
  // SADDLE_NUM_THREADS is read here, so that a program refuses a bad value before any work, for
  // every model, and not only once a convolution or a pooling starts its first parallel loop.
  worker_count();
  if (name == "softmax") return softmax_regression<T>(seed);
  if (name == "mlp") return mlp<T>(seed);
  if (name == "cnn") return small_cnn<T>(seed);
  if (name == "lenet5") return lenet5<T>(seed);
  std::string valid;
  for (const auto& n : model_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("make_model: unknown model '" + name + "' (valid: " + valid + ")");
}

#define X(T)                                                                    \
  template std::unique_ptr<Sequential<T>> softmax_regression<T>(std::uint64_t); \
  template std::unique_ptr<Sequential<T>> mlp<T>(std::uint64_t);                \
  template std::unique_ptr<Sequential<T>> small_cnn<T>(std::uint64_t);          \
  template std::unique_ptr<Sequential<T>> lenet5<T>(std::uint64_t);             \
  template std::unique_ptr<Sequential<T>> fully_connected<T>(const FullyConnected&, std::uint64_t); \
  template std::unique_ptr<Module<T>> make_model<T>(const std::string&, std::uint64_t);
X(float)
X(double)
#undef X

}  // namespace saddle::nn
