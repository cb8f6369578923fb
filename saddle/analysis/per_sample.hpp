// saddle/analysis/per_sample.hpp — the gradients ∇ℓ_z(θ) of the individual samples z of an
// objective's sample set, and their components vᵀ∇ℓ_z(θ) along given directions: the raw material
// of gradient-noise statistics (cnc.hpp).
//
// Two ways, same numbers:
//  - reverse mode, one value_and_grad per sample (Objective::for_each_sample_gradient): gives the
//    whole gradient, costs N small backward sweeps whatever the number of directions;
//  - forward mode, for a batch loss that returns each row's loss (shape (B,)): the JVP of the B
//    losses along v is (vᵀ∇ℓ_z)_z for the whole batch in one forward sweep (batched GEMMs), so k
//    directions over N samples cost k·⌈N/B⌉ forward sweeps and no backward sweep at all.
#pragma once

#include <vector>

#include "saddle/objective/objective.hpp"

namespace saddle {

enum class PerSampleMode {
  reverse,  // one value_and_grad per sample
  forward,  // one jvp per batch and direction; the batch loss must return shape (B,)
};

// The N × n matrix whose row z is saddle::flatten(∇ℓ_z(θ)). N·n numbers: for small models.
template <class T>
Tensor<T> per_sample_gradients(const Objective<T>& objective, const TensorList<T>& params);

// The N × k matrix D, D(z, j) = directions[j]ᵀ ∇ℓ_z(θ); each direction has the parameters' shapes.
// Reverse mode accumulates in double; forward mode takes the JVPs at T's precision.
// Error (forward mode): a batch loss whose output is not of shape (B,).
template <class T>
Tensor<double> per_sample_directional_derivatives(const Objective<T>& objective, const TensorList<T>& params,
                                                  const std::vector<TensorList<T>>& directions,
                                                  PerSampleMode mode = PerSampleMode::reverse);

}  // namespace saddle
