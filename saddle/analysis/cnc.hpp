// saddle/analysis/cnc.hpp — the Correlated Negative Curvature condition of stochastic gradients.
//
// Daneshmand, Kohler, Lucchi & Hofmann 2018, "Escaping Saddles with Stochastic Gradients" (ICML),
// Assumption 1 (CNC): at a point θ with λ_min(∇²f(θ)) < 0 and v its unit eigenvector,
//   E_z[(vᵀ∇f_z(θ))²] ≥ γ > 0,
// i.e. the stochastic gradients have a component along the escape direction, so SGD itself
// escapes the saddle without added isotropic noise. The paper's comparison (their §4, and
// Ge et al. 2015's perturbed GD) is with isotropic noise: for u uniform on the unit sphere of R^n,
//   E_z E_u[(uᵀ∇f_z(θ))²] = E_z ∇f_zᵀ E[uuᵀ] ∇f_z = E_z‖∇f_z(θ)‖² / n          (E[uuᵀ] = I/n),
// which falls like 1/n as models grow, while the CNC correlation along v need not. The ratio
//   correlation / baseline
// says how many times more gradient noise lies along v than along a random direction.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "saddle/base/linear_operator.hpp"
#include "saddle/analysis/per_sample.hpp"

namespace saddle {

struct CncOptions {
  // Reverse mode: one value_and_grad per sample; exact baseline E‖∇f_z‖²/n. Forward mode (the
  // objective's batch loss must return each row's loss, shape (B,)): 1 + random_directions jvps per
  // batch and no per-sample gradient; the baseline is the Monte-Carlo one (baseline_exact false)
  // and mean_squared_gradient_norm is NaN.
  PerSampleMode mode = PerSampleMode::reverse;
  // Random unit directions u for a Monte-Carlo estimate of the isotropic baseline (Gaussian vectors
  // normalised: uniform on the sphere), drawn from `seed`. With reverse mode 0 skips it (the exact
  // value E‖∇f_z‖²/n is always computed); forward mode needs at least 1.
  int random_directions = 0;
  std::uint64_t seed = 0;
  // Lanczos options for v when no direction is given (k is set to 1, smallest eigenvalue).
  EigenOptions eigen{.k = 1, .max_iter = 100, .tol = 1e-6, .seed = 0, .which_smallest = true};
};

template <class T>
struct CncResult {
  double correlation = 0;      // E_z[(vᵀ∇f_z)²]
  double baseline = 0;         // E_z E_u[(uᵀ∇f_z)²]: exact in reverse mode, else sampled
  bool baseline_exact = true;  // baseline from E‖∇f_z‖²/n (reverse mode) or sampled (forward mode)
  double sampled_baseline = std::numeric_limits<double>::quiet_NaN();            // Monte Carlo, if asked
  double ratio = 0;                                                              // correlation / baseline
  double mean_squared_gradient_norm = std::numeric_limits<double>::quiet_NaN();  // E‖∇f_z‖²
  double mean_projection = 0;                                                    // E_z vᵀ∇f_z = vᵀ∇f
  std::size_t samples = 0;                                                       // N
  std::size_t dimension = 0;                                                     // n
  std::optional<double> lambda_min;                                              // vᵀHv, when v was computed here
  TensorList<T> direction;                                                       // the unit v used
  int hvp_products = 0;                                                          // spent finding v
};

// E_z[(vᵀ∇f_z)²] over the objective's samples along a given direction v (normalised here), in
// opt.mode. Errors: v of other shapes than params, or zero; forward mode with
// opt.random_directions < 1.
template <class T>
CncResult<T> cnc_correlation(const Objective<T>& objective, const TensorList<T>& params, const TensorList<T>& v,
                             const CncOptions& opt = {});

// The same along the eigenvector of λ_min of the Hessian of the objective (over the same sample
// set, in its batches) at params, from lanczos_bottom.
template <class T>
CncResult<T> cnc_correlation(const Objective<T>& objective, const TensorList<T>& params, const CncOptions& opt = {});

// The measurement of Daneshmand et al. 2018, §3 (their Fig. 2): along unit directions v_1 … v_k
// (the bottom eigenvectors of the Hessian), the mean squared projection of the normalised
// per-sample gradients,
//   μ_j = E_z[(v_jᵀ∇f_z)² / ‖∇f_z‖²]   (samples with ∇f_z = 0 left out).
// For u uniform on the unit sphere of R^n, E_u[(uᵀĝ)²] = 1/n for every unit ĝ: the isotropic
// baseline, which falls like 1/n while CNC asks μ to stay of order one. Over an orthonormal basis
// of R^n the μ_j sum to 1.
struct NormalizedProjections {
  std::vector<double> mean_squared;  // μ_j, one per direction
  std::size_t samples = 0;           // the samples averaged over
  std::size_t zero_gradients = 0;    // samples left out, ∇f_z = 0
  double mean_gradient_norm = 0;     // E_z‖∇f_z‖ over every sample
  std::size_t dimension = 0;         // n
};

// μ_j above over the objective's samples, one reverse sweep per sample; the directions are
// normalised here. Errors: a direction of other shapes than params, or zero.
template <class T>
NormalizedProjections normalized_projections(const Objective<T>& objective, const TensorList<T>& params,
                                             const std::vector<TensorList<T>>& directions);

// The isotropic baseline alone, exactly: E_z‖∇f_z(θ)‖²/n over the objective's samples.
template <class T>
double isotropic_baseline(const Objective<T>& objective, const TensorList<T>& params);

}  // namespace saddle
