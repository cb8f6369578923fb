// saddle/analysis/landscape.cpp — loss slices and surfaces, filter normalisation (see the header).
#include "saddle/analysis/landscape.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "saddle/base/tensor_list.hpp"

namespace saddle {
namespace {

// ‖x[begin, begin + count)‖ accumulated in double.
template <class T>
double block_norm(const T* x, std::size_t count) {
  double s = 0;
  for (std::size_t i = 0; i < count; ++i) s += static_cast<double>(x[i]) * x[i];
  return std::sqrt(s);
}

// d[block] ← d[block]·‖θ[block]‖/‖d[block]‖ (zero when either norm is zero).
template <class T>
void rescale_block(T* d, const T* theta, std::size_t count) {
  const double nd = block_norm(d, count), nt = block_norm(theta, count);
  const double s = nd > 0 ? nt / nd : 0.0;
  for (std::size_t i = 0; i < count; ++i) d[i] = static_cast<T>(d[i] * s);
}

template <class T>
void check_grid(const char* fn, const std::vector<double>& grid, const char* name) {
  if (grid.empty()) throw Error(std::string(fn) + ": the grid of " + name + " is empty");
}

}  // namespace

template <class T>
void filter_normalize(TensorList<T>& direction, const TensorList<T>& params, BiasDirection bias) {
  check_same_shapes("filter_normalize", params, direction);
  for (std::size_t k = 0; k < params.size(); ++k) {
    Tensor<T>& d = direction[k];
    const Tensor<T>& p = params[k];
    if (p.dimension() <= 1) {
      if (bias == BiasDirection::zero)
        std::fill(d.begin(), d.end(), T(0));
      else
        rescale_block(d.data(), p.data(), p.size());
      continue;
    }
    const std::size_t filters = p.shape()[0], per = p.size() / filters;
    for (std::size_t i = 0; i < filters; ++i) rescale_block(d.data() + i * per, p.data() + i * per, per);
  }
}

template <class T>
TensorList<T> filter_normalized_direction(const TensorList<T>& params, std::mt19937_64& rng, BiasDirection bias) {
  TensorList<T> d = random_normal_like(params, rng);
  filter_normalize(d, params, bias);
  return d;
}

std::vector<double> linspace(double lo, double hi, int n) {
  if (n < 1) throw Error("linspace: " + std::to_string(n) + " points; need at least 1");
  std::vector<double> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) x[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
  return x;
}

template <class T>
LossSlice loss_slice(const ParameterLoss<T>& f, const TensorList<T>& params, const TensorList<T>& u,
                     const std::vector<double>& alphas) {
  check_same_shapes("loss_slice", params, u);
  check_grid<T>("loss_slice", alphas, "α");
  LossSlice s{alphas, {}};
  for (double a : alphas) {
    TensorList<T> p = params;
    axpy(a, u, p);
    s.losses.push_back(f(p));
  }
  return s;
}

template <class T>
LossSurface loss_surface(const ParameterLoss<T>& f, const TensorList<T>& params, const TensorList<T>& u,
                         const TensorList<T>& w, const std::vector<double>& alphas, const std::vector<double>& betas) {
  check_same_shapes("loss_surface", params, u);
  check_same_shapes("loss_surface", params, w);
  check_grid<T>("loss_surface", alphas, "α");
  check_grid<T>("loss_surface", betas, "β");
  LossSurface s{alphas, betas, {}};
  s.losses.reserve(alphas.size() * betas.size());
  for (double a : alphas) {
    TensorList<T> row = params;
    axpy(a, u, row);
    for (double b : betas) {
      TensorList<T> p = row;
      axpy(b, w, p);
      s.losses.push_back(f(p));
    }
  }
  return s;
}

#define SADDLE_LANDSCAPE(T)                                                                                     \
  template void filter_normalize<T>(TensorList<T>&, const TensorList<T>&, BiasDirection);                       \
  template TensorList<T> filter_normalized_direction<T>(const TensorList<T>&, std::mt19937_64&, BiasDirection); \
  template LossSlice loss_slice<T>(const ParameterLoss<T>&, const TensorList<T>&, const TensorList<T>&,         \
                                   const std::vector<double>&);                                                 \
  template LossSurface loss_surface<T>(const ParameterLoss<T>&, const TensorList<T>&, const TensorList<T>&,     \
                                       const TensorList<T>&, const std::vector<double>&, const std::vector<double>&);
SADDLE_LANDSCAPE(float)
SADDLE_LANDSCAPE(double)
#undef SADDLE_LANDSCAPE

}  // namespace saddle
