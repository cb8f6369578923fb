// saddle/analysis/per_sample.hpp — the gradients ∇ℓ_z(θ) of the individual samples z of a sample
// set, and their components vᵀ∇ℓ_z(θ) along given directions: the raw material of gradient-noise
// statistics (cnc.hpp).
//
// Two ways, same numbers:
//  - reverse mode, one value_and_grad per sample (the BatchLoss on a batch of one row): gives the
//    whole gradient, costs N small backward sweeps whatever the number of directions;
//  - forward mode, for a loss that keeps its rows apart (PerSampleLoss, shape (B,)): the JVP of
//    the B losses along v is (vᵀ∇ℓ_z)_z for the whole batch in one forward sweep (batched GEMMs),
//    so k directions over N samples cost k·⌈N/B⌉ forward sweeps and no backward sweep at all.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "saddle/analysis/sample_objective.hpp"

namespace saddle {

// Called once per sample, in sample-set order: position 0..N−1 in the set, ℓ_z(θ), ∇ℓ_z(θ).
template <class T>
using SampleGradientVisitor = std::function<void(std::size_t position, double loss, const TensorList<T>& grad)>;

// One value_and_grad of the objective's BatchLoss per sample of its set (the set's batch size is
// ignored: each sample is its own batch).
template <class T>
void for_each_sample_gradient(const SampleObjective<T>& objective, const TensorList<T>& params,
                              const SampleGradientVisitor<T>& visit);

// The N × n matrix whose row z is saddle::flatten(∇ℓ_z(θ)). N·n numbers: for small models.
template <class T>
Tensor<T> per_sample_gradients(const SampleObjective<T>& objective, const TensorList<T>& params);

// The N × k matrix D, D(z, j) = directions[j]ᵀ ∇ℓ_z(θ), through per-sample gradients; each
// direction has the parameters' shapes. Accumulated in double.
template <class T>
Tensor<double> per_sample_directional_derivatives(const SampleObjective<T>& objective, const TensorList<T>& params,
                                                  const std::vector<TensorList<T>>& directions);

// The same N × k matrix by forward mode: one jvp of `loss` per batch of `samples` and direction.
// Error: a per-sample loss whose output is not of shape (B,).
template <class T>
Tensor<double> per_sample_directional_derivatives(const PerSampleLoss<T>& loss, const data::Dataset<T>& data,
                                                  const SampleSet& samples, const TensorList<T>& params,
                                                  const std::vector<TensorList<T>>& directions);

}  // namespace saddle
