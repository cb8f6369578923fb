// saddle/analysis/trace.hpp — the trace of a symmetric operator from Hv products alone.
//
// Hutchinson's estimator (Hutchinson 1990; Avron & Toledo 2011): for z with independent Rademacher
// entries, E[zᵀHz] = tr(H) and Var[zᵀHz] = 2 Σ_{i≠j} H_ij², the smallest variance among i.i.d.
// probe distributions. PyHessian's `trace` (Yao et al. 2020, §3.2) is this estimator.
#pragma once

#include <cstdint>

#include "saddle/base/linear_operator.hpp"

namespace saddle {

struct TraceEstimate {
  double mean = 0;            // (1/p) Σ z_iᵀHz_i
  double standard_error = 0;  // sample standard deviation / √p; +∞ for a single probe
  int probes = 0;
};

// `probes` Rademacher probes drawn from `seed`; `like` fixes the shapes.
// Error: probes < 1.
template <class T>
TraceEstimate hutchinson_trace(const LinearOperatorArg<T>& H, const TensorList<T>& like, int probes,
                               std::uint64_t seed = 0);

}  // namespace saddle
