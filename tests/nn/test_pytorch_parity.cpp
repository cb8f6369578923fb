// saddle's models compute what PyTorch's compute: with the same weights (saved by save_weights,
// loaded into the torch.nn models of bench/peers/pytorch.py), the same logits, loss, gradient and
// Hessian-vector product (against PyTorch's double backward), to 1e-10 in double.
// Skipped, with a message, where /usr/bin/python3 has no PyTorch.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "saddle/base/npz.hpp"
#include "saddle/nn.hpp"

namespace fs = std::filesystem;
using namespace saddle;
using namespace saddle::nn;

TEST_CASE("every model agrees with PyTorch in logits, loss, gradient and Hessian-vector product") {
  const fs::path dir = fs::temp_directory_path() / ("saddle-parity-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string models;
  for (const auto& name : model_names()) {
    auto model = make_model<double>(name, 3);
    save_weights(*model, (dir / (name + "_weights.npz")).string());
    init::Rng rng(9);
    const Tensor<double> x = init::uniform<double>({5, 1, 28, 28}, 0, 1, rng);
    const std::vector<Label> labels{1, 2, 3, 4, 5};
    auto f = loss_of_parameters(*model, softmax_cross_entropy<double>, x, labels);
    const TensorList<double> theta = parameter_values(*model);
    TensorList<double> v;
    for (const auto& t : theta) v.push_back(init::normal<double>(to_shape(t.shape()), 0, 1, rng));
    const HvpResult<double> r = value_grad_hvp(f, theta, v);
    NamedTensors<double> io{{"x", x},
                            {"labels", Tensor<double>{1, 2, 3, 4, 5}},
                            {"logits", model->forward(Var<double>(x)).value()},
                            {"loss", Tensor<double>(r.value)}};
    const auto names = model->named_parameters();
    for (std::size_t i = 0; i < names.size(); ++i) {
      io.emplace_back("v." + names[i].first, v[i]);
      io.emplace_back("grad." + names[i].first, r.grad[i]);
      io.emplace_back("hvp." + names[i].first, r.hvp[i]);
    }
    save_npz((dir / (name + "_io.npz")).string(), io);
    models += " " + name;
  }
  const std::string script = std::string(SADDLE_SOURCE_ROOT) + "/tests/nn/pytorch_parity.py";
  const int status = std::system(("/usr/bin/python3 " + script + " " + dir.string() + models).c_str());
  fs::remove_all(dir);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 77 || code == 127) {
    MESSAGE("skipped: /usr/bin/python3 with torch and numpy is not available");
    return;
  }
  CHECK(code == 0);
}
