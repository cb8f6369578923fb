// saddle/analysis/density.cpp — stochastic Lanczos quadrature and spectral summaries (see header).
#include "saddle/analysis/density.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <sstream>
#include <string>

#include "saddle/base/lanczos.hpp"
#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
SpectralDensity spectral_density(const LinearOperatorArg<T>& H, const TensorList<T>& like,
                                 DensityOptions opt) {
  if (opt.n_v < 1 || opt.m < 1 || opt.grid_points < 2 || !(opt.sigma_squared >= 0)) {
    std::ostringstream os;
    os << "spectral_density: n_v = " << opt.n_v << ", m = " << opt.m
       << ", grid_points = " << opt.grid_points << ", sigma_squared = " << opt.sigma_squared
       << "; need n_v >= 1, m >= 1, grid_points >= 2, sigma_squared >= 0";
    throw Error(os.str());
  }
  std::mt19937_64 rng(opt.seed);
  std::vector<std::vector<double>> nodes, weights;
  for (int run = 0; run < opt.n_v; ++run) {
    const TensorList<T> v = random_normal_like(like, rng);  // normalised by the Lanczos start
    const LanczosTridiagonal t = lanczos_tridiagonal<T>(H, v, opt.m);
    const TridiagonalEigen e = tridiagonal_eigen(t.alpha, t.beta);
    const std::size_t m = e.values.size();
    std::vector<double> tau(m);
    for (std::size_t i = 0; i < m; ++i) tau[i] = e.vectors[i * m] * e.vectors[i * m];
    nodes.push_back(e.values);
    weights.push_back(std::move(tau));
  }
  return gaussian_broadening(nodes, weights, opt.grid_points, opt.sigma_squared);
}

SpectralDensity gaussian_broadening(const std::vector<std::vector<double>>& nodes,
                                    const std::vector<std::vector<double>>& weights,
                                    int grid_points, double sigma_squared) {
  bool consistent = !nodes.empty() && nodes.size() == weights.size();
  for (std::size_t r = 0; consistent && r < nodes.size(); ++r)
    consistent = !nodes[r].empty() && nodes[r].size() == weights[r].size();
  if (!consistent || grid_points < 2 || !(sigma_squared >= 0)) {
    std::ostringstream os;
    os << "gaussian_broadening: " << nodes.size() << " runs of nodes, " << weights.size()
       << " of weights, grid_points = " << grid_points << ", sigma_squared = " << sigma_squared
       << "; need matching non-empty runs, grid_points >= 2, sigma_squared >= 0";
    throw Error(os.str());
  }
  double lo = nodes[0][0], hi = nodes[0][0], largest = 0;
  for (const auto& run : nodes)
    for (double th : run) {
      lo = std::min(lo, th);
      hi = std::max(hi, th);
      largest = std::max(largest, std::abs(th));
    }
  double width = hi - lo;
  if (!(width > 0)) width = largest > 0 ? largest : 1.0;
  SpectralDensity out;
  out.nodes = nodes;
  out.weights = weights;
  out.sigma_squared = sigma_squared > 0 ? sigma_squared : 1e-5 * width * width;
  const double sigma = std::sqrt(out.sigma_squared);
  const double a = lo - 6 * sigma, b = hi + 6 * sigma;
  const std::size_t g = static_cast<std::size_t>(grid_points);
  const double step = (b - a) / static_cast<double>(g - 1);
  out.grid.resize(g);
  for (std::size_t i = 0; i < g; ++i) out.grid[i] = a + step * static_cast<double>(i);
  out.density.assign(g, 0.0);

  // Each node adds τ·N(x; θ, σ²) where it exceeds e^{-50}: within 10σ of θ.
  const double norm = 1.0 / (std::sqrt(2 * std::numbers::pi * out.sigma_squared) * nodes.size());
  const double inv_two_var = 0.5 / out.sigma_squared;
  for (std::size_t r = 0; r < nodes.size(); ++r)
    for (std::size_t i = 0; i < nodes[r].size(); ++i) {
      const double th = nodes[r][i], tau = weights[r][i] * norm;
      const double first = std::ceil((th - 10 * sigma - a) / step);
      const double last = std::floor((th + 10 * sigma - a) / step);
      const std::size_t j0 = static_cast<std::size_t>(std::max(0.0, first));
      const std::size_t j1 = static_cast<std::size_t>(std::min(double(g - 1), last));
      for (std::size_t j = j0; j <= j1; ++j) {
        const double d = out.grid[j] - th;
        out.density[j] += tau * std::exp(-d * d * inv_two_var);
      }
    }
  double mass = 0;
  for (double p : out.density) mass += p;
  mass *= step;
  if (mass > 0)
    for (double& p : out.density) p /= mass;
  return out;
}

double negative_mass_fraction(const SpectralDensity& d, double threshold) {
  if (d.nodes.empty() || d.nodes.size() != d.weights.size()) {
    std::ostringstream os;
    os << "negative_mass_fraction: " << d.nodes.size() << " runs of nodes and " << d.weights.size()
       << " of weights; need matching non-empty runs";
    throw Error(os.str());
  }
  double total = 0;
  for (std::size_t r = 0; r < d.nodes.size(); ++r)
    for (std::size_t i = 0; i < d.nodes[r].size(); ++i)
      if (d.nodes[r][i] < -threshold) total += d.weights[r][i];
  return total / static_cast<double>(d.nodes.size());
}

NegativeMass negative_mass(const SpectralDensity& d, double relative_threshold) {
  if (!(relative_threshold >= 0) || !std::isfinite(relative_threshold))
    throw Error("negative_mass: relative threshold " + std::to_string(relative_threshold) + ", need a finite value ≥ 0");
  NegativeMass out;
  out.runs = static_cast<int>(d.nodes.size());
  double scale = 0;
  for (const auto& run : d.nodes)
    for (double x : run) scale = std::max(scale, std::abs(x));
  out.relative_threshold = relative_threshold;
  out.threshold = relative_threshold * scale;
  out.mass = negative_mass_fraction(d, out.threshold);  // refuses mismatched or empty runs
  if (out.runs > 1) {
    double squares = 0;
    for (std::size_t r = 0; r < d.nodes.size(); ++r) {
      double run_mass = 0;
      for (std::size_t i = 0; i < d.nodes[r].size(); ++i)
        if (d.nodes[r][i] < -out.threshold) run_mass += d.weights[r][i];
      squares += (run_mass - out.mass) * (run_mass - out.mass);
    }
    out.standard_error = std::sqrt(squares / double(out.runs - 1) / double(out.runs));
  }
  return out;
}

SpectralGaps spectral_gaps(std::vector<double> eigenvalues) {
  if (eigenvalues.size() < 2)
    throw Error("spectral_gaps: " + std::to_string(eigenvalues.size()) +
                " eigenvalues given, need at least 2");
  std::sort(eigenvalues.begin(), eigenvalues.end(), std::greater<>());
  SpectralGaps out;
  out.gap = eigenvalues[0] - eigenvalues[1];
  out.ratio = eigenvalues[1] / eigenvalues[0];
  for (std::size_t i = 0; i + 1 < eigenvalues.size(); ++i)
    out.differences.push_back(eigenvalues[i] - eigenvalues[i + 1]);
  return out;
}

template SpectralDensity spectral_density<float>(const LinearOperatorArg<float>&,
                                                 const TensorList<float>&, DensityOptions);
template SpectralDensity spectral_density<double>(const LinearOperatorArg<double>&,
                                                  const TensorList<double>&, DensityOptions);

}  // namespace saddle
