#include "saddle/optim/amsgrad.hpp"

#include "saddle/optim/registry.hpp"

namespace saddle {

// The entry of the list of optimizers (registry.hpp, methods.def).
std::vector<OptimizerMethod> amsgrad_methods() {
  return {optimizer_method<AMSGrad>(
      {.name = "amsgrad",
       .description = "Adam whose second-moment estimate never decreases (Reddi et al. 2018)",
       .in_comparison = true},
      {{"beta1", &AMSGradOptions::beta1, HyperparameterRange::unit_interval,
        "β₁, decay of the gradient's running average"},
       {"beta2", &AMSGradOptions::beta2, HyperparameterRange::unit_interval,
        "β₂, decay of the squared gradient's running average"},
       {"eps", &AMSGradOptions::eps, HyperparameterRange::positive, "ε, added to the denominator"}})};
}

}  // namespace saddle
