// End to end: the MLP trained with plain SGD (θ ← θ − 0.1·∇L, batch 50, 5 epochs) on the first
// 10,000 Fashion-MNIST training images reaches at least 80% accuracy on the next 2,000.
#include <doctest/doctest.h>

#include <chrono>

#include "saddle/nn/data/dataset.hpp"
#include "saddle/nn.hpp"

using namespace saddle;
using namespace saddle::nn;

TEST_CASE("the MLP trained by SGD on 10,000 Fashion-MNIST images classifies 80% of the next 2,000") {
  const auto start = std::chrono::steady_clock::now();
  const data::Dataset<float> all = data::load_dataset<float>("fashion", "train");
  const data::Dataset<float> train = all.slice(0, 10000), held_out = all.slice(10000, 12000);

  auto model = mlp<float>(0);
  auto params = model->parameters();
  data::BatchIterator<float> batches(train, 50, 1);
  data::Batch<float> batch;
  for (int epoch = 0; epoch < 5; ++epoch) {
    while (batches.next(batch)) {
      Var<float> loss = softmax_cross_entropy(model->forward(Var<float>(batch.images)), batch.labels);
      loss.backward();
      for (auto& p : params) {
        p.mutable_value() -= 0.1f * p.grad();  // θ ← θ − η∇L
        p.zero_grad();
      }
    }
  }
  model->eval();
  no_grad off;
  const double acc = accuracy(model->forward(Var<float>(held_out.images)).value(), held_out.labels);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("held-out accuracy " << acc << " after 5 epochs, " << seconds << " s");
  CHECK(acc >= 0.80);
}
