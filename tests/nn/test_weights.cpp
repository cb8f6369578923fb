// Specification of nn/weights: a model's parameters go to .npz under their PyTorch names and come
// back bit for bit; every mismatch between file and model is refused before anything is changed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "saddle/base/npz.hpp"
#include "saddle/nn.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace saddle;
using namespace saddle::nn;

using saddle::testing::TempDir;

namespace {

template <class T>
void check_same_parameters(const Module<T>& a, const Module<T>& b) {
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    CHECK(pa[i].first == pb[i].first);
    CHECK(pa[i].second.value() == pb[i].second.value());
  }
}

}  // namespace

TEST_CASE_TEMPLATE("save_weights then load_weights restores every model bit for bit", T, float, double) {
  TempDir dir;
  for (const auto& name : model_names()) {
    CAPTURE(name);
    auto saved = make_model<T>(name, 1), loaded = make_model<T>(name, 2);
    save_weights(*saved, dir / (name + ".npz"));
    const auto handles = loaded->parameters();
    load_weights(*loaded, dir / (name + ".npz"));
    check_same_parameters(*saved, *loaded);
    CHECK(handles[0].value() == saved->parameters()[0].value());  // loaded in place: old handles see it
  }
}

TEST_CASE("the file holds one array per named parameter, as numpy.load sees it") {
  TempDir dir;
  auto model = lenet5<float>(0);
  save_weights(*model, dir / "lenet.npz");
  const NamedTensors<float> arrays = load_npz<float>(dir / "lenet.npz");
  const auto params = model->named_parameters();
  REQUIRE(arrays.size() == params.size());
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    CHECK(arrays[i].first == params[i].first);
    CHECK(arrays[i].second == params[i].second.value());
  }
}

TEST_CASE("float64 weights load into a float model") {
  TempDir dir;
  auto wide = mlp<double>(3);
  save_weights(*wide, dir / "mlp64.npz");
  auto narrow = mlp<float>(4);
  load_weights(*narrow, dir / "mlp64.npz");
  CHECK(narrow->parameters()[0].value() == Tensor<float>(xt::cast<float>(wide->parameters()[0].value())));
}

TEST_CASE("load_weights refuses a missing name, a wrong shape, an extra name and a corrupt file, changing nothing") {
  TempDir dir;
  auto model = mlp<float>(0);
  const TensorList<float> before = parameter_values(*model);
  auto unchanged = [&] {
    const TensorList<float> now = parameter_values(*model);
    for (std::size_t i = 0; i < now.size(); ++i) CHECK(now[i] == before[i]);
  };
  NamedTensors<float> arrays;
  for (const auto& [name, p] : mlp<float>(9)->named_parameters()) arrays.emplace_back(name, p.value());

  NamedTensors<float> missing(arrays.begin(), arrays.end() - 1);
  save_npz(dir / "missing.npz", missing);
  CHECK_THROWS_WITH_AS(load_weights(*model, dir / "missing.npz"),
                       ("load_weights: '" + (dir / "missing.npz") +
                        "' has no array 'fc3.bias' for Sequential's parameter of shape (10,)")
                           .c_str(),
                       Error);
  unchanged();

  NamedTensors<float> wrong = arrays;
  wrong[2].second = zeros_tensor<float>(Shape{64, 100});
  save_npz(dir / "wrong.npz", wrong);
  CHECK_THROWS_WITH_AS(load_weights(*model, dir / "wrong.npz"),
                       ("load_weights: '" + (dir / "wrong.npz") +
                        "' holds 'fc2.weight' of shape (64,100), the model's parameter has shape (64,128)")
                           .c_str(),
                       Error);
  unchanged();

  NamedTensors<float> extra = arrays;
  extra.emplace_back("fc4.weight", zeros_tensor<float>(Shape{2, 2}));
  save_npz(dir / "extra.npz", extra);
  CHECK_THROWS_WITH_AS(load_weights(*model, dir / "extra.npz"),
                       ("load_weights: '" + (dir / "extra.npz") +
                        "' holds an array 'fc4.weight' of shape (2,2) that is no parameter of Sequential")
                           .c_str(),
                       Error);
  unchanged();

  std::ofstream(dir / "corrupt.npz") << "this is not a zip archive";
  try {
    load_weights(*model, dir / "corrupt.npz");
    FAIL("a corrupt file was accepted");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(what.rfind("load_weights: ", 0) == 0);
    CHECK(what.find("corrupt.npz") != std::string::npos);
  }
  CHECK_THROWS_AS(load_weights(*model, dir / "absent.npz"), Error);
  unchanged();
}

TEST_CASE("load_weights refuses NaN and infinite values, naming the parameter and the first one, changing nothing") {
  TempDir dir;
  auto model = mlp<double>(0);
  const TensorList<double> before = parameter_values(*model);
  NamedTensors<double> arrays;
  for (const auto& [name, p] : mlp<double>(5)->named_parameters()) arrays.emplace_back(name, p.value());
  REQUIRE(arrays[2].first == "fc2.weight");
  REQUIRE(arrays[2].second.shape() == Shape{64, 128});
  auto refusal = [&](const NamedTensors<double>& a) {
    save_npz(dir / "bad.npz", a);
    try {
      load_weights(*model, dir / "bad.npz");
    } catch (const Error& e) {
      const TensorList<double> now = parameter_values(*model);
      for (std::size_t i = 0; i < now.size(); ++i) CHECK(now[i] == before[i]);
      return std::string(e.what());
    }
    FAIL("load_weights accepted a non-finite value");
    return std::string();
  };
  const std::string prefix = "load_weights: '" + (dir / "bad.npz") + "' holds ";

  NamedTensors<double> nan = arrays;
  nan[2].second(3, 17) = std::numeric_limits<double>::quiet_NaN();
  nan[2].second(40, 0) = std::numeric_limits<double>::infinity();  // later in row-major order
  nan[4].second(0, 0) = std::numeric_limits<double>::quiet_NaN();  // a later parameter
  CHECK(refusal(nan) == prefix + "'fc2.weight' with nan at index (3,17), the first of its values that is not finite");

  NamedTensors<double> inf = arrays;
  inf[1].second(63) = -std::numeric_limits<double>::infinity();
  CHECK(refusal(inf) == prefix + "'fc1.bias' with -inf at index (63,), the first of its values that is not finite");

  // 1e300 is finite as a double but overflows a float: a float model refuses it as inf.
  auto narrow = mlp<float>(0);
  NamedTensors<double> huge = arrays;
  huge[0].second(1, 2) = 1e300;
  save_npz(dir / "huge.npz", huge);
  CHECK_THROWS_WITH_AS(load_weights(*narrow, dir / "huge.npz"),
                       ("load_weights: '" + (dir / "huge.npz") +
                        "' holds 'fc1.weight' with inf at index (1,2), the first of its values that is not finite")
                           .c_str(),
                       Error);
  load_weights(*model, dir / "huge.npz");  // the same file is fine for a double model
  CHECK(model->named_parameters()[0].second.value()(1, 2) == 1e300);
}
