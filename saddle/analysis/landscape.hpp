// saddle/analysis/landscape.hpp — the loss on a line or a plane through θ:
//   1-D: f(θ + αu),   2-D: f(θ + αu + βw),
// on a grid of α (and β), along given directions (the top Hessian eigenvectors, a step, the line to
// another minimum) or along random filter-normalised directions.
//
// Filter normalisation (Li, Xu, Taylor, Studer & Goldstein 2018, "Visualizing the Loss Landscape
// of Neural Nets", NeurIPS, §4): draw d ~ N(0, I) of the parameters' shapes, then rescale each
// filter of d to the norm of the matching filter of θ,
//   d_{i,j} ← d_{i,j} / ‖d_{i,j}‖ · ‖θ_{i,j}‖        (their eq. (1)),
// so that a step α means the same relative change in every layer whatever its scale (ReLU networks
// are invariant to rescaling a layer's weights, which makes raw random directions misleading).
// A filter here is a slice along a tensor's first axis: an output channel of a convolution's
// (O, C, kh, kw) weight, an output neuron of nn's (out, in) Linear weight (Li et al. treat a fully
// connected layer as a 1×1 convolution). One-dimensional tensors (biases) are zeroed, as Li et al.
// do for biases and batch-norm parameters, unless BiasDirection::normalized asks for the whole
// bias rescaled to ‖θ_bias‖. A filter of θ that is zero gives a zero filter of d.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "saddle/objective/objective.hpp"

namespace saddle {

// θ ↦ f(θ), e.g. the loss of an Objective over its sample set.
template <class T>
using ParameterLoss = std::function<double(const TensorList<T>&)>;

template <class T>
ParameterLoss<T> parameter_loss(const Objective<T>& objective) {
  return [objective](const TensorList<T>& p) { return objective.loss(p); };
}

enum class BiasDirection {
  zero,        // Li et al. 2018: biases do not move
  normalized,  // the bias direction rescaled as one block to ‖θ_bias‖
};

// Rescales `direction` filter by filter to the norms of params' filters (see above), in place.
// Error: lists of different shapes.
template <class T>
void filter_normalize(TensorList<T>& direction, const TensorList<T>& params, BiasDirection bias = BiasDirection::zero);

// A Gaussian direction drawn from rng, filter-normalised against params.
template <class T>
TensorList<T> filter_normalized_direction(const TensorList<T>& params, std::mt19937_64& rng,
                                          BiasDirection bias = BiasDirection::zero);

// n equally spaced values from lo to hi inclusive (n = 1 gives {lo}). Error: n < 1.
std::vector<double> linspace(double lo, double hi, int n);

struct LossSlice {
  std::vector<double> alphas;
  std::vector<double> losses;  // f(θ + α_i u)
};

struct LossSurface {
  std::vector<double> alphas, betas;
  std::vector<double> losses;  // row-major: losses[i·betas.size() + j] = f(θ + α_i u + β_j w)
  double at(std::size_t i, std::size_t j) const { return losses[i * betas.size() + j]; }
};

// Error (both): directions of other shapes than params, an empty grid.
template <class T>
LossSlice loss_slice(const ParameterLoss<T>& f, const TensorList<T>& params, const TensorList<T>& u,
                     const std::vector<double>& alphas);
template <class T>
LossSurface loss_surface(const ParameterLoss<T>& f, const TensorList<T>& params, const TensorList<T>& u,
                         const TensorList<T>& w, const std::vector<double>& alphas, const std::vector<double>& betas);

}  // namespace saddle
