// Specification of Module, Sequential, the functional call, initialisers and the models:
// PyTorch's parameter names and shapes, shared handles, parameter swaps that restore, the model as
// a function of its parameters for value_and_grad / hvp / hessian, and seeds that repeat bit for bit.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "saddle/nn.hpp"
#include "tests/tensor_helpers.hpp"

using namespace saddle;
using namespace saddle::nn;

namespace {

using Listing = std::vector<std::pair<std::string, Shape>>;

template <class T>
Listing listing(const Module<T>& m) {
  Listing out;
  for (const auto& [name, p] : m.named_parameters()) out.emplace_back(name, p.shape());
  return out;
}

template <class T>
Tensor<T> random_images(std::size_t n, std::uint64_t seed) {
  init::Rng rng(seed);
  return init::uniform<T>({n, 1, 28, 28}, 0, 1, rng);
}

// A small network with every kind of parameterised layer, for dense Hessians.
template <class T>
std::unique_ptr<Sequential<T>> tiny_net(std::uint64_t seed) {
  init::Rng rng(seed);
  auto net = std::make_unique<Sequential<T>>();
  net->add(std::make_shared<Conv2d<T>>(1, 2, 2, rng, 2, 0))
      .add(std::make_shared<Tanh<T>>())
      .add(std::make_shared<Flatten<T>>())
      .add(std::make_shared<Linear<T>>(8, 3, rng));
  return net;
}

}  // namespace

TEST_CASE("the models have PyTorch's parameter names and shapes, in registration order") {
  CHECK(listing(*softmax_regression<float>()) == Listing{{"fc.weight", {10, 784}}, {"fc.bias", {10}}});
  CHECK(listing(*mlp<float>()) == Listing{{"fc1.weight", {128, 784}},
                                          {"fc1.bias", {128}},
                                          {"fc2.weight", {64, 128}},
                                          {"fc2.bias", {64}},
                                          {"fc3.weight", {10, 64}},
                                          {"fc3.bias", {10}}});
  CHECK(listing(*small_cnn<float>()) == Listing{{"conv1.weight", {8, 1, 3, 3}},
                                                {"conv1.bias", {8}},
                                                {"conv2.weight", {8, 8, 3, 3}},
                                                {"conv2.bias", {8}},
                                                {"fc1.weight", {64, 392}},
                                                {"fc1.bias", {64}},
                                                {"fc2.weight", {10, 64}},
                                                {"fc2.bias", {10}}});
  CHECK(listing(*lenet5<float>()) == Listing{{"conv1.weight", {6, 1, 5, 5}},
                                             {"conv1.bias", {6}},
                                             {"conv2.weight", {16, 6, 5, 5}},
                                             {"conv2.bias", {16}},
                                             {"fc1.weight", {120, 400}},
                                             {"fc1.bias", {120}},
                                             {"fc2.weight", {84, 120}},
                                             {"fc2.bias", {84}},
                                             {"fc3.weight", {10, 84}},
                                             {"fc3.bias", {10}}});
  CHECK(softmax_regression<float>()->num_parameters() == 7850);
  CHECK(mlp<float>()->num_parameters() == 109386);
  CHECK(small_cnn<float>()->num_parameters() == 26466);
  CHECK(lenet5<double>()->num_parameters() == 61706);
}

TEST_CASE("every model maps (N, 1, 28, 28) images to (N, 10) logits") {
  for (const auto& name : model_names()) {
    CAPTURE(name);
    auto model = make_model<float>(name, 1);
    CHECK(model->forward(Var<float>(random_images<float>(3, 0))).shape() == Shape{3, 10});
  }
}

namespace {
Tensor<double> flat_of(Tensor<double> x) {
  x.reshape({x.shape()[0], x.size() / x.shape()[0]});
  return x;
}
}  // namespace

TEST_CASE("forward_data: the data handed over gives forward's logits and gradients, bit for bit; Flatten keeps its entries") {
  for (const auto& name : model_names()) {
    CAPTURE(name);
    auto model = make_model<float>(name, 1);
    const Tensor<float> x = random_images<float>(3, 0);
    const auto params = parameter_values(*model);
    const auto through = [&](bool data) {
      return grad([&](const std::vector<Var<float>>& p) {
        const ParameterSwap<float> swap(*model, p);
        return sum(data ? model->forward_data(x) : model->forward(Var<float>(x)));
      }, params);
    };
    CHECK(model->forward_data(x).value() == model->forward(Var<float>(x)).value());
    const TensorList<float> a = through(true), b = through(false);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);
  }
  // Flatten alone: (2, 3, 4) → (2, 12), the entries in their row-major order.
  std::mt19937_64 rng(4);
  const Tensor<double> x = saddle::testing::randn(Shape{2, 3, 4}, rng);
  const Var<double> flat = Flatten<double>().forward_data(x);
  REQUIRE(flat.shape() == Shape{2, 12});
  CHECK(std::equal(x.begin(), x.end(), flat.value().begin()));
  CHECK_THROWS_WITH_AS(Flatten<double>().forward_data(Tensor<double>(1.0)),
                       "Flatten: input is a scalar, expected (N, …)", Error);
  // A Sequential that begins with a ReLU and a MaxPool2d still runs the pair as one (pool, then ReLU).
  Sequential<double> net;
  net.add(std::make_shared<ReLU<double>>()).add(std::make_shared<MaxPool2d<double>>(2)).add(std::make_shared<Flatten<double>>());
  const Tensor<double> images = saddle::testing::randn(Shape{2, 1, 4, 4}, rng);
  CHECK(net.forward_data(images).value() == net.forward(Var<double>(images)).value());
  // Subclasses that changed forward run it on data too.
  struct Doubled : Sequential<double> {
    Var<double> forward(const Var<double>& in) override { return Sequential<double>::forward(in) * 2.0; }
  };
  struct Negated : Flatten<double> {
    Var<double> forward(const Var<double>& in) override { return -Flatten<double>::forward(in); }
  };
  Doubled doubled;
  doubled.add(std::make_shared<Flatten<double>>());
  CHECK(doubled.forward_data(images).value() == 2.0 * flat_of(images));
  CHECK(Negated().forward_data(images).value() == -flat_of(images));
}

TEST_CASE("fully_connected: the MLP's layers bit for bit at its defaults; any depth, width and activation") {
  const auto a = fully_connected<double>({}, 5)->parameters(), b = mlp<double>(5)->parameters();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].value() == b[i].value());
  // The networks of Daneshmand et al. 2018: 10×10 inputs, three sigmoid layers of two units, no biases.
  auto narrow = fully_connected<float>({.inputs = 100, .hidden = {2, 2, 2}, .classes = 10, .activation = "sigmoid",
                                        .bias = false});
  CHECK(listing(*narrow) == Listing{{"fc1.weight", {2, 100}}, {"fc2.weight", {2, 2}}, {"fc3.weight", {2, 2}},
                                    {"fc4.weight", {10, 2}}});
  CHECK(narrow->num_parameters() == 228);
  // One hidden layer, by hand: logits = W₂ φ(W₁x + b₁) + b₂.
  for (const std::string act : {"tanh", "sigmoid", "relu"}) {
    CAPTURE(act);
    auto net = fully_connected<double>({.inputs = 784, .hidden = {3}, .classes = 2, .activation = act}, 2);
    const Tensor<double> x = random_images<double>(2, 3);
    const Tensor<double> out = net->forward(Var<double>(x)).value();
    const auto p = net->parameters();
    const Tensor<double>&w1 = p[0].value(), &b1 = p[1].value(), &w2 = p[2].value(), &b2 = p[3].value();
    for (std::size_t n = 0; n < 2; ++n)
      for (std::size_t k = 0; k < 2; ++k) {
        double logit = b2(k);
        for (std::size_t j = 0; j < 3; ++j) {
          double z = b1(j);
          for (std::size_t i = 0; i < 784; ++i) z += w1(j, i) * x.data()[n * 784 + i];
          const double h = act == "tanh" ? std::tanh(z) : act == "sigmoid" ? 1 / (1 + std::exp(-z)) : std::max(z, 0.0);
          logit += w2(k, j) * h;
        }
        CHECK(out(n, k) == doctest::Approx(logit).epsilon(1e-12));
      }
  }
  CHECK_THROWS_WITH_AS(fully_connected<float>({.activation = "gelu"}),
                       "fully_connected: unknown activation 'gelu' (relu, tanh, sigmoid)", Error);
}

TEST_CASE("make_model refuses an unknown name, listing the valid ones") {
  CHECK_THROWS_WITH_AS(make_model<float>("resnet", 0),
                       "make_model: unknown model 'resnet' (valid: softmax, mlp, cnn, lenet5)", Error);
}

TEST_CASE("a seed fixes every initial parameter bit for bit; another seed gives others") {
  const auto a = lenet5<float>(7)->parameters(), b = lenet5<float>(7)->parameters(), c = lenet5<float>(8)->parameters();
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].value() == b[i].value());
    CHECK_FALSE(a[i].value() == c[i].value());
  }
}

TEST_CASE("Linear and Conv2d start as PyTorch does: weights and biases in U(−1/√fan_in, 1/√fan_in)") {
  init::Rng rng(3);
  Conv2d<double> conv(6, 16, 5, rng);
  const double bound = 1 / std::sqrt(150.0);
  for (const auto& p : conv.parameters()) {
    double lo = 1, hi = -1;
    for (double e : p.value()) {
      lo = std::min(lo, e);
      hi = std::max(hi, e);
    }
    CHECK(lo >= -bound);
    CHECK(hi <= bound);
  }
  double lo = 1, hi = -1;
  for (double e : conv.weight().value()) {
    lo = std::min(lo, e);
    hi = std::max(hi, e);
  }
  CHECK(lo < -0.95 * bound);  // the whole interval is used (2,400 draws)
  CHECK(hi > 0.95 * bound);
  Linear<double> fc(400, 120, rng);
  for (double e : fc.weight().value()) CHECK(std::abs(e) <= 1 / std::sqrt(400.0));
}

TEST_CASE("Xavier and Kaiming initialisers have the variances of their definitions") {
  init::Rng rng(11);
  auto variance = [](const Tensor<double>& t) {
    double s = 0, s2 = 0;
    for (double e : t) {
      s += e;
      s2 += e * e;
    }
    const double n = double(t.size()), m = s / n;
    return s2 / n - m * m;
  };
  const Shape w{200, 100, 3, 3};  // fan_in 900, fan_out 1800
  CHECK(init::fans(w) == std::pair<std::size_t, std::size_t>{900, 1800});
  CHECK(variance(init::xavier_uniform<double>(w, rng)) == doctest::Approx(2.0 / 2700).epsilon(0.02));
  CHECK(variance(init::xavier_normal<double>(w, rng, 2.0)) == doctest::Approx(4 * 2.0 / 2700).epsilon(0.02));
  CHECK(variance(init::kaiming_uniform<double>(w, rng)) == doctest::Approx(2.0 / 900).epsilon(0.02));
  CHECK(variance(init::kaiming_normal<double>(w, rng, 0, init::FanMode::fan_out)) ==
        doctest::Approx(2.0 / 1800).epsilon(0.02));
  CHECK(init::gain("tanh") == doctest::Approx(5.0 / 3));
  CHECK(init::gain("leaky_relu", std::sqrt(5.0)) == doctest::Approx(std::sqrt(1.0 / 3)));
  CHECK_THROWS_AS(init::fans({3}), Error);
  CHECK_THROWS_AS(init::gain("swish"), Error);
}

TEST_CASE("Sequential names unnamed children by position, as torch.nn.Sequential") {
  init::Rng rng(0);
  Sequential<float> net;
  net.add(std::make_shared<Linear<float>>(4, 3, rng))
      .add(std::make_shared<ReLU<float>>())
      .add(std::make_shared<Linear<float>>(3, 2, rng, false));
  CHECK(listing(net) == Listing{{"0.weight", {3, 4}}, {"0.bias", {3}}, {"2.weight", {2, 3}}});
  CHECK(net.size() == 3);
  CHECK(net[1].describe() == "ReLU");
  CHECK_THROWS_AS(net[3], Error);
  CHECK_THROWS_AS(net.add("0", std::make_shared<ReLU<float>>()), Error);
  CHECK(net.summary().find("(2): Linear(3→2, no bias)  weight (2,3)") != std::string::npos);
}

TEST_CASE("Sequential runs ReLU then MaxPool2d as the pooling then the ReLU: the same values, gradients and HVPs") {
  // Inputs on a grid of halves, so that windows hold ties, zeros and only negative entries.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> grid(-2, 2);
  Tensor<double> x = zeros_tensor<double>(Shape{2, 3, 7, 7});
  for (auto& e : x) e = 0.5 * grid(rng);
  const Tensor<double> v = saddle::testing::randn(Shape{2, 3, 7, 7}, rng);
  for (const auto& window : std::vector<std::pair<std::size_t, std::size_t>>{{2, 2}, {3, 2}, {2, 1}}) {
    const std::size_t kernel = window.first, stride = window.second;
    CAPTURE(kernel);
    CAPTURE(stride);
    Sequential<double> net;
    net.add(std::make_shared<ReLU<double>>()).add(std::make_shared<MaxPool2d<double>>(kernel, stride));
    const Tensor<double> c = saddle::testing::randn(net.forward(Var<double>(x)).shape(), rng);
    // L = Σ c ⊙ y², so that H·v is not zero: 2c on the selected entries
    auto loss = [&](auto&& layers) {
      return [&, layers](const std::vector<Var<double>>& p) { return sum(square(layers(p[0])) * Var<double>(c)); };
    };
    const auto fused = value_grad_hvp(loss([&](const Var<double>& in) { return net.forward(in); }), TensorList<double>{x},
                                      TensorList<double>{v});
    const auto apart = value_grad_hvp(
        loss([&](const Var<double>& in) { return max_pool2d(relu(in), kernel, stride); }),
        TensorList<double>{x}, TensorList<double>{v});
    CHECK(std::string(net.forward(Var<double>(x)).op()) == "relu");  // the pooling ran first
    CHECK(fused.value == apart.value);
    CHECK(fused.grad[0] == apart.grad[0]);
    CHECK(fused.hvp[0] == apart.hvp[0]);
    CHECK(xt::amax(xt::abs(fused.hvp[0]))() > 0);
  }
  // A subclass of ReLU may compute something else: it runs as written, before the pooling.
  struct Shifted : ReLU<double> {
    Var<double> forward(const Var<double>& in) override { return ReLU<double>::forward(in) + 1.0; }
  };
  Sequential<double> net;
  net.add(std::make_shared<Shifted>()).add(std::make_shared<MaxPool2d<double>>(2));
  const Var<double> out = net.forward(Var<double>(x));
  CHECK(std::string(out.op()) == "max_pool2d");
  CHECK(out.value() == max_pool2d(relu(Var<double>(x)) + 1.0, 2, 2).value());
}

TEST_CASE("parameters are shared handles: an update through parameters() changes the model") {
  auto model = mlp<float>(0);
  auto params = model->parameters();
  const Var<float> x(random_images<float>(2, 1));
  const Tensor<float> before = model->forward(x).value();
  params[0].mutable_value() *= 0.0f;
  CHECK(model->named_parameters()[0].second.value() == params[0].value());
  CHECK_FALSE(model->forward(x).value() == before);
}

TEST_CASE("train() and eval() reach every child") {
  auto model = lenet5<float>();
  CHECK(model->training());
  model->eval();
  CHECK_FALSE(model->training());
  for (const auto& [name, child] : model->children()) CHECK_FALSE(child->training());
  model->train();
  for (const auto& [name, child] : model->children()) CHECK(child->training());
}

TEST_CASE("backward through a model fills every parameter's gradient; zero_grad clears them") {
  auto model = small_cnn<float>(2);
  Var<float> loss =
      softmax_cross_entropy(model->forward(Var<float>(random_images<float>(4, 2))), std::vector<Label>{1, 2, 3, 4});
  loss.backward();
  // Not a structured binding: CHECK_MESSAGE captures the name in a lambda, which clang before 16
  // does not allow for a binding.
  for (const auto& named : model->named_parameters()) CHECK_MESSAGE(named.second.has_grad(), named.first);
  model->zero_grad();
  for (const auto& p : model->parameters()) CHECK_FALSE(p.has_grad());
}

TEST_CASE("ParameterSwap runs the model on the given Vars and restores its own, also after an error") {
  auto model = mlp<double>(0);
  const auto own = model->parameters();
  const Var<double> x(random_images<double>(2, 3));
  TensorList<double> doubled = parameter_values(*model);
  for (auto& t : doubled) t *= 2.0;
  const auto swapped = make_leaves(doubled, true);
  {
    ParameterSwap<double> swap(*model, swapped);
    CHECK(model->parameters()[0].same_as(swapped[0]));
  }
  for (std::size_t i = 0; i < own.size(); ++i) CHECK(model->parameters()[i].same_as(own[i]));
  try {
    ParameterSwap<double> swap(*model, swapped);
    model->forward(Var<double>(zeros_tensor<double>(Shape{2, 5})));
  } catch (const Error&) {
  }
  for (std::size_t i = 0; i < own.size(); ++i) CHECK(model->parameters()[i].same_as(own[i]));
  CHECK_THROWS_WITH_AS(ParameterSwap<double>(*model, std::vector<Var<double>>(swapped.begin(), swapped.end() - 1)),
                       "Sequential: functional call with 5 parameter tensors, the model has 6", Error);
  auto wrong = swapped;
  wrong[2] = Var<double>(zeros_tensor<double>(Shape{64, 127}), true);
  CHECK_THROWS_WITH_AS(ParameterSwap<double>(*model, wrong),
                       "Sequential: functional call gives 'fc2.weight' the shape (64,127), the model's is (64,128)",
                       Error);
}

TEST_CASE("loss_of_parameters: value_and_grad equals the imperative backward, hvp passes hvpcheck") {
  auto model = lenet5<double>(4);
  const Tensor<double> x = random_images<double>(3, 4);
  const std::vector<Label> y{3, 1, 4};
  auto f = loss_of_parameters(*model, softmax_cross_entropy<double>, x, y);
  const TensorList<double> theta = parameter_values(*model);
  const auto [value, g] = value_and_grad(f, theta);

  Var<double> loss = softmax_cross_entropy(model->forward(Var<double>(x)), y);
  loss.backward();
  CHECK(value == loss.item());
  const auto params = model->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) CHECK(g[i] == params[i].grad());

  init::Rng rng(1);
  TensorList<double> v, u;
  for (const auto& t : theta) v.push_back(init::normal<double>(to_shape(t.shape()), 0, 1, rng));
  for (const auto& t : theta) u.push_back(init::normal<double>(to_shape(t.shape()), 0, 1, rng));
  CheckOptions opt;
  opt.step = 1e-6;  // small enough that no ReLU or max-pool selection flips along v
  opt.rtol = 1e-5;
  opt.atol = 1e-7;
  const CheckReport h = hvpcheck(f, theta, v, opt);
  CHECK_MESSAGE(h.ok, h.message);
  const CheckReport s = symmetry_check(f, theta, u, v);
  CHECK_MESSAGE(s.ok, s.message);
  // the model's own parameters are untouched by the functional calls
  for (std::size_t i = 0; i < params.size(); ++i) CHECK(model->parameters()[i].value() == theta[i]);
}

TEST_CASE("every model's gradient matches the directional finite difference, and its HVP hvpcheck") {
  for (const auto& name : model_names()) {
    CAPTURE(name);
    auto model = make_model<double>(name, 5);
    auto f =
        loss_of_parameters(*model, softmax_cross_entropy<double>, random_images<double>(2, 6), std::vector<Label>{0, 7});
    const TensorList<double> theta = parameter_values(*model);
    init::Rng rng(2);
    TensorList<double> v;
    for (const auto& t : theta) v.push_back(init::normal<double>(to_shape(t.shape()), 0, 1, rng));
    const auto [value, g] = value_and_grad(f, theta);
    double gv = 0;
    for (std::size_t k = 0; k < g.size(); ++k)
      for (std::size_t i = 0; i < g[k].size(); ++i) gv += g[k].data()[i] * v[k].data()[i];
    auto along = [&](double h) {
      TensorList<double> p = theta;
      for (std::size_t k = 0; k < p.size(); ++k) p[k] += h * v[k];
      TapeScope scope;
      return f(make_leaves(p, false)).item();
    };
    const double h = 1e-6;
    CHECK((along(h) - along(-h)) / (2 * h) == doctest::Approx(gv).epsilon(1e-6));
    CheckOptions opt;
    opt.step = 1e-6;
    opt.rtol = 1e-5;
    opt.atol = 1e-7;
    const CheckReport r = hvpcheck(f, theta, v, opt);
    CHECK_MESSAGE(r.ok, r.message);
  }
}

TEST_CASE("the dense Hessian of a small network is symmetric and its columns are HVPs") {
  auto net = tiny_net<double>(3);
  init::Rng rng(4);
  const Tensor<double> x = init::normal<double>({3, 1, 4, 4}, 0, 1, rng);
  auto f = loss_of_parameters(*net, softmax_cross_entropy<double>, x, std::vector<Label>{0, 2, 1});
  const TensorList<double> theta = parameter_values(*net);
  const Tensor<double> H = hessian(f, theta);
  const std::size_t n = net->num_parameters();
  REQUIRE(to_shape(H.shape()) == Shape{n, n});
  double asym = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) asym = std::max(asym, std::abs(H(i, j) - H(j, i)));
  CHECK(asym < 1e-12);
  TensorList<double> v;
  for (const auto& t : theta) v.push_back(init::normal<double>(to_shape(t.shape()), 0, 1, rng));
  const TensorList<double> hv = hvp(f, theta, v);
  std::vector<double> flat_v, flat_hv;
  for (std::size_t k = 0; k < v.size(); ++k)
    for (std::size_t i = 0; i < v[k].size(); ++i) {
      flat_v.push_back(v[k].data()[i]);
      flat_hv.push_back(hv[k].data()[i]);
    }
  for (std::size_t i = 0; i < n; ++i) {
    double row = 0;
    for (std::size_t j = 0; j < n; ++j) row += H(i, j) * flat_v[j];
    CHECK(row == doctest::Approx(flat_hv[i]).epsilon(1e-10));
  }
}

TEST_CASE("l2_penalty adds 2λW to the gradient and 2λv to the HVP") {
  auto model = softmax_regression<double>(0);
  const Tensor<double> x = random_images<double>(2, 8);
  const std::vector<Label> y{1, 2};
  const double lambda = 0.01;
  auto plain = loss_of_parameters(*model, softmax_cross_entropy<double>, x, y);
  auto penalised = [&](const std::vector<Var<double>>& p) { return plain(p) + l2_penalty(p, lambda); };
  const TensorList<double> theta = parameter_values(*model);
  TensorList<double> v = theta;
  for (auto& t : v) t = xt::ones<double>(t.shape());
  const auto a = value_grad_hvp(plain, theta, v), b = value_grad_hvp(penalised, theta, v);
  for (std::size_t k = 0; k < theta.size(); ++k)
    for (std::size_t i = 0; i < theta[k].size(); ++i) {
      CHECK(b.grad[k].data()[i] ==
            doctest::Approx(a.grad[k].data()[i] + 2 * lambda * theta[k].data()[i]).epsilon(1e-12));
      CHECK(b.hvp[k].data()[i] == doctest::Approx(a.hvp[k].data()[i] + 2 * lambda).epsilon(1e-12));
    }
}
