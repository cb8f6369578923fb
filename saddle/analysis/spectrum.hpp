// saddle/analysis/spectrum.hpp — what one asks of a Hessian's spectrum, in one place: the top and
// bottom eigenpairs, λ_min, the gaps, the trace, the density and its negative mass. Thin functions
// over a symmetric operator (a HessianOperator or any LinearOperator); the work is done by
// lanczos.hpp, power_iteration.hpp, trace.hpp and density.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saddle/analysis/density.hpp"
#include "saddle/base/lanczos.hpp"
#include "saddle/base/linear_operator.hpp"
#include "saddle/analysis/power_iteration.hpp"
#include "saddle/analysis/trace.hpp"

namespace saddle {

enum class EigenSolver {
  lanczos,          // Lanczos with full reorthogonalisation: extreme eigenvalues by value
  power_iteration,  // PyHessian's power iteration with deflation
};

// "lanczos" or "power" (also "power_iteration"); Error otherwise, naming the word.
EigenSolver parse_eigen_solver(const std::string& name);
const char* to_string(EigenSolver solver);

// The k largest eigenvalues and their vectors, descending. Lanczos ranks by value; power iteration
// ranks by magnitude, so it answers the same question when the top of the spectrum outweighs its
// most negative end, |λ_1| > |λ_min| (the usual case for a loss Hessian near a minimum), and it
// returns the pairs sorted descending. opt.k is replaced by k.
template <class T>
EigenResult<T> top_eigenpairs(const LinearOperatorArg<T>& H, const TensorList<T>& like, int k,
                              EigenSolver solver = EigenSolver::lanczos, EigenOptions opt = {});

// The k smallest eigenvalues and their vectors, ascending (λ_min first). Lanczos finds them
// directly; power iteration runs on the shifted operator σI − H with σ = |λ|_max (one more power
// iteration), whose top eigenvalues σ − λ_min ≥ … are the bottom of H reflected (Golub & Van Loan
// §8.2.1, shifts). Eigenvalues are reported as λ = vᵀHv of each vector; iterations count all
// products with H.
template <class T>
EigenResult<T> bottom_eigenpairs(const LinearOperatorArg<T>& H, const TensorList<T>& like, int k,
                                 EigenSolver solver = EigenSolver::lanczos, EigenOptions opt = {});

// λ_min and its unit eigenvector (bottom_eigenpairs with k = 1, Lanczos).
template <class T>
EigenResult<T> lambda_min(const LinearOperatorArg<T>& H, const TensorList<T>& like, EigenOptions opt = {});

// Gaps at the top, λ_1 − λ_2, …, and at the bottom, λ_{min+1} − λ_min, … (all ≥ 0), through
// spectral_gaps. Error: fewer than 2 eigenvalues.
SpectralGaps top_gaps(const std::vector<double>& top_eigenvalues);
SpectralGaps bottom_gaps(const std::vector<double>& bottom_eigenvalues);

// Everything at once, as the `hessian` program reports it. Zero counts skip a part.
struct SpectrumRequest {
  int top = 5;     // k largest
  int bottom = 0;  // k smallest
  EigenSolver solver = EigenSolver::lanczos;
  EigenOptions eigen{};  // max_iter, tol, seed of the eigen-solvers (k is set per part)
  int trace_probes = 0;  // Hutchinson probes
  bool density = false;  // SLQ density
  DensityOptions density_options{};
  std::uint64_t seed = 0;  // trace and density probes (replaces density_options.seed)
  // The negative mass counts the spectrum below −τ, τ = negative_tolerance·max|θ| (density.hpp,
  // NegativeMass): a Hessian's bulk at 0 comes out of Lanczos as nodes on either side of 0.
  double negative_tolerance = 1e-3;
};

// Eigenvalues with their residuals ‖Hv − λv‖, without the vectors.
struct EigenvalueReport {
  std::vector<double> values;
  std::vector<double> residuals;
  int products = 0;  // Hv products spent
  bool converged = false;
};

struct SpectrumSummary {
  std::optional<EigenvalueReport> top;                // descending
  std::optional<EigenvalueReport> bottom;             // ascending, λ_min first
  std::optional<SpectralGaps> top_gaps, bottom_gaps;  // when ≥ 2 eigenvalues were asked for
  std::optional<TraceEstimate> trace;
  std::optional<SpectralDensity> density;
  std::optional<NegativeMass> negative_mass;  // share of the SLQ spectral measure below −τ (see above)
  int trace_products = 0, density_products = 0;
};

// The parts the request asks for, in the order top, bottom, trace, density. Eigenvectors are not
// kept; call top_eigenpairs / bottom_eigenpairs for them.
template <class T>
SpectrumSummary spectrum_summary(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                                 const SpectrumRequest& request);

}  // namespace saddle
