// saddle/analysis/trace.cpp — Hutchinson's trace estimator (see the header).
#include "saddle/analysis/trace.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
TraceEstimate hutchinson_trace(const LinearOperatorArg<T>& H, const TensorList<T>& like, int probes,
                               std::uint64_t seed) {
  if (probes < 1)
    throw Error("hutchinson_trace: probes = " + std::to_string(probes) + ", need probes >= 1");
  std::mt19937_64 rng(seed);
  // Welford's running mean and sum of squared deviations (Knuth, TAOCP vol. 2, §4.2.2).
  double mean = 0, m2 = 0;
  for (int i = 1; i <= probes; ++i) {
    const TensorList<T> z = random_rademacher_like(like, rng);
    const TensorList<T> hz = H(z);
    check_same_shapes("hutchinson_trace", z, hz);
    const double sample = saddle::dot(z, hz);
    if (!std::isfinite(sample))
      throw Error("hutchinson_trace: zᵀH·z is not finite at probe " + std::to_string(i));
    const double delta = sample - mean;
    mean += delta / i;
    m2 += delta * (sample - mean);
  }
  TraceEstimate out;
  out.mean = mean;
  out.probes = probes;
  out.standard_error =
      probes > 1 ? std::sqrt(m2 / (probes - 1) / probes) : std::numeric_limits<double>::infinity();
  return out;
}

template TraceEstimate hutchinson_trace<float>(const LinearOperatorArg<float>&,
                                               const TensorList<float>&, int, std::uint64_t);
template TraceEstimate hutchinson_trace<double>(const LinearOperatorArg<double>&,
                                                const TensorList<double>&, int, std::uint64_t);

}  // namespace saddle
