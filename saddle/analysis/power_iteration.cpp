// saddle/analysis/power_iteration.cpp — power iteration with deflation (see the header).
#include "saddle/analysis/power_iteration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "saddle/base/tensor_list.hpp"

namespace saddle {
namespace {

// v ← v − Σ (uᵢᵀv) uᵢ over orthonormal uᵢ; applied twice for orthogonality to working precision.
template <class T>
void deflate(TensorList<T>& v, const std::vector<TensorList<T>>& found) {
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& u : found) axpy(-saddle::dot(u, v), u, v);
}

}  // namespace

template <class T>
EigenResult<T> power_iteration(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                               EigenOptions opt) {
  const std::size_t n = numel(like);
  if (opt.k < 1 || static_cast<std::size_t>(opt.k) > n || opt.max_iter < 1 || !(opt.tol >= 0)) {
    std::ostringstream os;
    os << "power_iteration: k = " << opt.k << ", max_iter = " << opt.max_iter
       << ", tol = " << opt.tol << " for n = " << n
       << " parameters; need 1 <= k <= n, max_iter >= 1, tol >= 0";
    throw Error(os.str());
  }
  std::mt19937_64 rng(opt.seed);
  EigenResult<T> out;
  out.converged = true;
  double scale = 0;  // the largest |λ| seen: a floor for the relative change of tiny eigenvalues
  for (int i = 0; i < opt.k; ++i) {
    TensorList<T> v = random_normal_like(like, rng);
    deflate(v, out.eigenvectors);
    normalize(v);
    double lambda = 0, previous = std::numeric_limits<double>::quiet_NaN(), residual = 0;
    bool converged = false;
    for (int it = 0; it < opt.max_iter; ++it) {
      const TensorList<T> hv = H(v);
      check_same_shapes("power_iteration", v, hv);
      ++out.iterations;
      lambda = saddle::dot(v, hv);
      TensorList<T> r = hv;
      axpy(-lambda, v, r);
      residual = saddle::norm(r);
      // NaN fails every comparison, so the convergence test alone would run on and report it.
      if (!std::isfinite(lambda) || !std::isfinite(residual))
        throw Error("power_iteration: H·v is not finite at iteration " + std::to_string(out.iterations) +
                    " (eigenpair " + std::to_string(i + 1) + ")");
      scale = std::max(scale, std::abs(lambda));
      if (std::abs(lambda - previous) <= opt.tol * std::max(std::abs(previous), 1e-12 * scale)) {
        converged = true;
        break;
      }
      if (it + 1 == opt.max_iter) break;
      // v ← Hv/‖Hv‖, orthonormalised against the found eigenvectors (PyHessian's orthnormal).
      TensorList<T> next = hv;
      deflate(next, out.eigenvectors);
      const double next_norm = saddle::norm(next);
      if (!(next_norm > 0)) {  // Hv = 0 outside the found space: v is an eigenvector of 0
        converged = true;
        break;
      }
      saddle::scale(next, 1.0 / next_norm);
      previous = lambda;
      v = std::move(next);
    }
    out.eigenvalues.push_back(lambda);
    out.eigenvectors.push_back(std::move(v));
    out.residuals.push_back(residual);
    out.converged = out.converged && converged;
  }
  return out;
}

template EigenResult<float> power_iteration<float>(const LinearOperatorArg<float>&,
                                                   const TensorList<float>&, EigenOptions);
template EigenResult<double> power_iteration<double>(const LinearOperatorArg<double>&,
                                                     const TensorList<double>&, EigenOptions);

}  // namespace saddle
