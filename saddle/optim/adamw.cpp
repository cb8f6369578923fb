#include "saddle/optim/adamw.hpp"

#include "saddle/optim/registry.hpp"

namespace saddle {

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> adamw_methods() {
  return {optimizer_method<AdamW>(
      {.name = "adamw", .description = "Adam with decoupled weight decay, λ_w = 0.01 (Loshchilov & Hutter 2019)"},
      {{"beta1", &AdamWOptions::beta1, HyperparameterRange::unit_interval,
        "β₁, decay of the gradient's running average"},
       {"beta2", &AdamWOptions::beta2, HyperparameterRange::unit_interval,
        "β₂, decay of the squared gradient's running average"},
       {"eps", &AdamWOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
