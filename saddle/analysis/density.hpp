// saddle/analysis/density.hpp — the spectral density of a symmetric operator by stochastic Lanczos
// quadrature, and the summaries read off spectra.
//
// SLQ (Golub & Meurant 2010, ch. 6; Ubaru, Chen & Saad 2017, "Fast estimation of tr(f(A)) via
// stochastic Lanczos quadrature"; Ghorbani, Krishnan & Xiao 2019; PyHessian's `density`, Yao et al.
// 2020 §3.3): for a unit start vector v, m Lanczos steps give T_m with eigenpairs (θ_i, s_i); the
// Gauss quadrature nodes θ_i with weights τ_i = s_{1,i}² approximate the spectral measure
// Σ_j (vᵀu_j)² δ(λ − λ_j) of H, whose mean over random v is the eigenvalue density (1/n) Σ_j δ(λ −
// λ_j). Averaging n_v runs and replacing each δ by a Gaussian of variance σ² gives a smooth
// density.
#pragma once

#include <cstdint>
#include <vector>

#include "saddle/base/linear_operator.hpp"

namespace saddle {

struct DensityOptions {
  int n_v = 1;               // independent start vectors (PyHessian's n_v)
  int m = 100;               // Lanczos steps per start (PyHessian's iter); fewer if n is smaller
  int grid_points = 1000;    // evaluation points of the density
  double sigma_squared = 0;  // kernel variance σ²; 0 selects 1e-5·w² (see gaussian_broadening)
  std::uint64_t seed = 0;    // seeds the Gaussian start vectors
};

struct SpectralDensity {
  std::vector<double> grid;                  // uniform, ascending
  std::vector<double> density;               // ρ on the grid, Σ ρ·Δ = 1
  std::vector<std::vector<double>> nodes;    // per run: Ritz values θ_i, ascending
  std::vector<std::vector<double>> weights;  // per run: τ_i = s_{1,i}², summing to 1
  double sigma_squared = 0;                  // the kernel variance used
};

// n_v runs of m Lanczos steps from Gaussian starts, then gaussian_broadening.
// Errors: n_v < 1, m < 1, grid_points < 2, sigma_squared < 0.
template <class T>
SpectralDensity spectral_density(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                                 DensityOptions opt = {});

// ρ(x) = (1/n_v) Σ_runs Σ_i τ_i N(x; θ_i, σ²) on a uniform grid from min θ − 6σ to max θ + 6σ,
// then divided by its Riemann sum Σ ρ·Δ so that it integrates to 1 on the grid.
// sigma_squared = 0 selects σ² = 1e-5·w², w the width max θ − min θ (or max|θ|, or 1, when that is
// 0): PyHessian's σ² = 1e-5 applied to the spectrum rescaled to unit width, so the picture of cH is
// the picture of H rescaled; σ ≈ 0.0032·w spans about three grid steps at the default 1000 points.
SpectralDensity gaussian_broadening(const std::vector<std::vector<double>>& nodes,
                                    const std::vector<std::vector<double>>& weights,
                                    int grid_points = 1000, double sigma_squared = 0);

// The fraction of the spectrum below −threshold, Σ_{θ_i < −threshold} τ_i averaged over runs: an
// estimate of #{λ_j < −threshold}/n (with threshold 0, the share of negative curvature).
double negative_mass_fraction(const SpectralDensity& d, double threshold = 0);

// The negative mass with its error. Each run's Σ_{θ_i < −τ} τ_i is an independent estimate of
// #{λ_j < −τ}/n, unbiased when the run's nodes resolve the spectrum around −τ (exactly so with m = n
// steps; Ubaru, Chen & Saad 2017 bound the quadrature error otherwise), so their mean has the
// Monte-Carlo standard error sd/√runs. τ is relative to the spectral scale, τ = relative·max|θ|:
// eigenvalues at the level of rounding, and the Ritz nodes that stand for a bulk crowded at 0,
// land on either side of 0 by chance, and a cut at 0 would count them as negative.
struct NegativeMass {
  double mass = 0;            // the mean over runs
  double standard_error = 0;  // sd of the runs' masses / √runs (0 for one run)
  double threshold = 0;       // τ
  double relative_threshold = 0;
  int runs = 0;
};
// Error: no runs, a relative threshold < 0 or not finite.
NegativeMass negative_mass(const SpectralDensity& d, double relative_threshold);

struct SpectralGaps {
  double gap = 0;                   // λ_1 − λ_2
  double ratio = 0;                 // λ_2 / λ_1 (±∞ or NaN when λ_1 = 0)
  std::vector<double> differences;  // λ_i − λ_{i+1}, i = 1..k−1, all ≥ 0
};

// Gaps of eigenvalues sorted descending (λ_1 ≥ λ_2 ≥ …) whatever their given order; for the gaps at
// the bottom of the spectrum pass the negated smallest eigenvalues. Error: fewer than 2 values.
SpectralGaps spectral_gaps(std::vector<double> eigenvalues);

}  // namespace saddle
