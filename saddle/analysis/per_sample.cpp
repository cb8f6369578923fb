// saddle/analysis/per_sample.cpp — per-sample gradients and directional derivatives (see the
// header).
#include "saddle/analysis/per_sample.hpp"

#include <algorithm>
#include <sstream>
#include <string>

#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
Tensor<T> per_sample_gradients(const Objective<T>& objective, const TensorList<T>& params) {
  const std::size_t n = numel(params);
  Tensor<T> G = empty_tensor<T>(Shape{objective.num_samples(), n});
  objective.for_each_sample_gradient(params, [&](std::size_t z, double, const TensorList<T>& grad) {
    T* out = G.data() + z * n;
    for (const auto& t : grad) out = std::copy(t.begin(), t.end(), out);
  });
  return G;
}

namespace {

template <class T>
Tensor<double> forward_mode(const Objective<T>& objective, const TensorList<T>& params,
                            const std::vector<TensorList<T>>& directions) {
  const SampleSet& samples = objective.samples();
  const std::size_t k = directions.size();
  Tensor<double> D = zeros_tensor<double>(Shape{samples.size(), k});
  for (std::size_t b = 0; b < samples.batch_count(); ++b) {
    const BatchData<T> d = objective.batch(b);
    const std::size_t rows = d.labels.size(), first = samples.batch_begin(b);
    auto f = [&](const std::vector<Var<T>>& x) { return objective.batch_loss()(x, d.inputs, d.labels); };
    for (std::size_t j = 0; j < k; ++j) {
      const auto [value, tangent] = jvp(f, params, directions[j]);
      if (value.dimension() != 1 || value.size() != rows) {
        std::ostringstream os;
        os << "per_sample_directional_derivatives: the batch loss returned shape " << shape_str(value.shape())
           << " for a batch of " << rows << " rows; forward mode needs each row's loss, shape (" << rows << ",)";
        throw Error(os.str());
      }
      for (std::size_t r = 0; r < rows; ++r) D(first + r, j) = static_cast<double>(tangent(r));
    }
  }
  return D;
}

}  // namespace

template <class T>
Tensor<double> per_sample_directional_derivatives(const Objective<T>& objective, const TensorList<T>& params,
                                                  const std::vector<TensorList<T>>& directions, PerSampleMode mode) {
  for (const auto& v : directions) check_same_shapes("per_sample_directional_derivatives", params, v);
  if (mode == PerSampleMode::forward) return forward_mode(objective, params, directions);
  const std::size_t k = directions.size();
  Tensor<double> D = zeros_tensor<double>(Shape{objective.num_samples(), k});
  objective.for_each_sample_gradient(params, [&](std::size_t z, double, const TensorList<T>& grad) {
    for (std::size_t j = 0; j < k; ++j) D(z, j) = saddle::dot(directions[j], grad);
  });
  return D;
}

#define SADDLE_PER_SAMPLE(T)                                                                               \
  template Tensor<T> per_sample_gradients<T>(const Objective<T>&, const TensorList<T>&);                   \
  template Tensor<double> per_sample_directional_derivatives<T>(const Objective<T>&, const TensorList<T>&, \
                                                                const std::vector<TensorList<T>>&, PerSampleMode);
SADDLE_PER_SAMPLE(float)
SADDLE_PER_SAMPLE(double)
#undef SADDLE_PER_SAMPLE

}  // namespace saddle
