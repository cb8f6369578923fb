// saddle/analysis/spectrum.cpp — the spectrum facade over the solvers (see the header).
#include "saddle/analysis/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "saddle/base/tensor_list.hpp"

namespace saddle {

EigenSolver parse_eigen_solver(const std::string& name) {
  if (name == "lanczos") return EigenSolver::lanczos;
  if (name == "power" || name == "power_iteration") return EigenSolver::power_iteration;
  throw Error("eigen-solver '" + name + "' is unknown; choose lanczos or power");
}

const char* to_string(EigenSolver solver) { return solver == EigenSolver::lanczos ? "lanczos" : "power_iteration"; }

namespace {

// Reorders the pairs of r by eigenvalue: descending, or ascending.
template <class T>
void sort_pairs(EigenResult<T>& r, bool descending) {
  std::vector<std::size_t> order(r.eigenvalues.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return descending ? r.eigenvalues[a] > r.eigenvalues[b] : r.eigenvalues[a] < r.eigenvalues[b];
  });
  EigenResult<T> s;
  for (std::size_t i : order) {
    s.eigenvalues.push_back(r.eigenvalues[i]);
    if (i < r.eigenvectors.size()) s.eigenvectors.push_back(std::move(r.eigenvectors[i]));
    if (i < r.residuals.size()) s.residuals.push_back(r.residuals[i]);
  }
  s.iterations = r.iterations;
  s.converged = r.converged;
  r = std::move(s);
}

template <class T>
EigenvalueReport report_of(const EigenResult<T>& r) {
  return {r.eigenvalues, r.residuals, r.iterations, r.converged};
}

}  // namespace

template <class T>
EigenResult<T> top_eigenpairs(const LinearOperatorArg<T>& H, const TensorList<T>& like, int k, EigenSolver solver,
                              EigenOptions opt) {
  opt.k = k;
  opt.which_smallest = false;
  if (solver == EigenSolver::lanczos) return lanczos_top<T>(H, like, opt);
  EigenResult<T> r = power_iteration<T>(H, like, opt);
  sort_pairs(r, /*descending=*/true);
  return r;
}

template <class T>
EigenResult<T> bottom_eigenpairs(const LinearOperatorArg<T>& H, const TensorList<T>& like, int k, EigenSolver solver,
                                 EigenOptions opt) {
  opt.k = k;
  if (solver == EigenSolver::lanczos) return lanczos_bottom<T>(H, like, opt);
  // σ ≥ |λ| for every eigenvalue makes σI − H positive semidefinite with its largest eigenvalues
  // σ − λ_min ≥ σ − λ_2 ≥ …, so power iteration (by magnitude) meets them first.
  EigenOptions first = opt;
  first.k = 1;
  const EigenResult<T> magnitude = power_iteration<T>(H, like, first);
  const double sigma = std::abs(magnitude.eigenvalues.at(0));
  LinearOperator<T> shifted = [&H, sigma](const TensorList<T>& v) {
    TensorList<T> y = H(v);
    scale(y, -1.0);
    axpy(sigma, v, y);
    return y;
  };
  EigenResult<T> r = power_iteration<T>(shifted, like, opt);
  for (double& mu : r.eigenvalues) mu = sigma - mu;
  r.iterations += magnitude.iterations;
  r.converged = r.converged && magnitude.converged;
  sort_pairs(r, /*descending=*/false);
  return r;
}

template <class T>
EigenResult<T> lambda_min(const LinearOperatorArg<T>& H, const TensorList<T>& like, EigenOptions opt) {
  return bottom_eigenpairs<T>(H, like, 1, EigenSolver::lanczos, opt);
}

SpectralGaps top_gaps(const std::vector<double>& top_eigenvalues) { return spectral_gaps(top_eigenvalues); }

SpectralGaps bottom_gaps(const std::vector<double>& bottom_eigenvalues) {
  std::vector<double> negated(bottom_eigenvalues.size());
  std::transform(bottom_eigenvalues.begin(), bottom_eigenvalues.end(), negated.begin(), [](double x) { return -x; });
  return spectral_gaps(negated);
}

template <class T>
SpectrumSummary spectrum_summary(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                                 const SpectrumRequest& request) {
  if (request.top < 0 || request.bottom < 0 || request.trace_probes < 0) {
    std::ostringstream os;
    os << "spectrum_summary: top " << request.top << ", bottom " << request.bottom << ", trace probes "
       << request.trace_probes << "; counts must be ≥ 0";
    throw Error(os.str());
  }
  SpectrumSummary s;
  if (request.top > 0) {
    s.top = report_of(top_eigenpairs<T>(H, like, request.top, request.solver, request.eigen));
    if (request.top >= 2) s.top_gaps = top_gaps(s.top->values);
  }
  if (request.bottom > 0) {
    s.bottom = report_of(bottom_eigenpairs<T>(H, like, request.bottom, request.solver, request.eigen));
    if (request.bottom >= 2) s.bottom_gaps = bottom_gaps(s.bottom->values);
  }
  int products = 0;
  LinearOperator<T> counted = [&H, &products](const TensorList<T>& v) {
    ++products;
    return H(v);
  };
  if (request.trace_probes > 0) {
    s.trace = hutchinson_trace<T>(counted, like, request.trace_probes, request.seed);
    s.trace_products = products;
  }
  if (request.density) {
    products = 0;
    DensityOptions d = request.density_options;
    d.seed = request.seed;
    s.density = spectral_density<T>(counted, like, d);
    s.negative_mass = negative_mass(*s.density, request.negative_tolerance);
    s.density_products = products;
  }
  return s;
}

#define SADDLE_SPECTRUM(T)                                                                                          \
  template EigenResult<T> top_eigenpairs<T>(const LinearOperatorArg<T>&, const TensorList<T>&, int, EigenSolver,    \
                                            EigenOptions);                                                          \
  template EigenResult<T> bottom_eigenpairs<T>(const LinearOperatorArg<T>&, const TensorList<T>&, int, EigenSolver, \
                                               EigenOptions);                                                       \
  template EigenResult<T> lambda_min<T>(const LinearOperatorArg<T>&, const TensorList<T>&, EigenOptions);           \
  template SpectrumSummary spectrum_summary<T>(const LinearOperatorArg<T>&, const TensorList<T>&,                   \
                                               const SpectrumRequest&);
SADDLE_SPECTRUM(float)
SADDLE_SPECTRUM(double)
#undef SADDLE_SPECTRUM

}  // namespace saddle
