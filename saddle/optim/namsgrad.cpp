#include "saddle/optim/namsgrad.hpp"

#include "saddle/optim/registry.hpp"

namespace saddle {

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> namsgrad_methods() {
  return {optimizer_method<NAMSGrad>(
      {.name = "namsgrad",
       .description = "Nadam over AMSGrad's non-decreasing second moment (Reddi et al. 2018, Dozat 2016)",
       .in_comparison = true},
      {{"beta1", &NAMSGradOptions::beta1, HyperparameterRange::unit_interval,
        "β₁, decay of the gradient's running average"},
       {"beta2", &NAMSGradOptions::beta2, HyperparameterRange::unit_interval,
        "β₂, decay of the squared gradient's running average"},
       {"eps", &NAMSGradOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
