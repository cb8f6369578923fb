#include "saddle/nn/models/models.hpp"

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
  template std::unique_ptr<Module<T>> make_model<T>(const std::string&, std::uint64_t);
X(float)
X(double)
#undef X

}  // namespace saddle::nn
