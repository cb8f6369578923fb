// saddle/nn/dropout.hpp — inverted dropout (torch.nn.Dropout): in training mode each call zeroes
// entries with probability p and scales the others by 1/(1 − p), with masks drawn from the
// layer's own seeded generator, so a run repeats exactly (in the shards of a batch too: they run in
// order when a Dropout draws); in evaluation mode the identity.
#pragma once

#include <cstdint>

#include "saddle/nn/init.hpp"
#include "saddle/nn/module.hpp"
#include "saddle/nn/ops.hpp"

namespace saddle::nn {

template <class T>
class Dropout : public Module<T> {
 public:
  explicit Dropout(double p = 0.5, std::uint64_t seed = 0) : p_(p), rng_(seed) {
    if (!(p >= 0 && p < 1)) throw Error("Dropout: probability " + std::to_string(p) + " is outside [0, 1)");
  }
  Var<T> forward(const Var<T>& x) override {
    if (!this->training() || p_ == 0) return x;
    require_shard_order();  // masks drawn in shard order, whatever the workers (autodiff/tape.hpp)
    return dropout(x, p_, rng_);
  }
  std::string describe() const override { return "Dropout(p=" + std::to_string(p_) + ")"; }
  void reseed(std::uint64_t seed) { rng_.seed(seed); }

 private:
  double p_;
  init::Rng rng_;
};

}  // namespace saddle::nn
