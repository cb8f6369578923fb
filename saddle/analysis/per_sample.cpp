// saddle/analysis/per_sample.cpp — per-sample gradients and directional derivatives (see the
// header).
#include "saddle/analysis/per_sample.hpp"

#include <algorithm>
#include <sstream>
#include <string>

#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
void for_each_sample_gradient(const SampleObjective<T>& objective, const TensorList<T>& params,
                              const SampleGradientVisitor<T>& visit) {
  const SampleSet& s = objective.samples();
  const BatchLoss<T>& loss = objective.batch_loss();
  for (std::size_t z = 0; z < s.size(); ++z) {
    const BatchData<T> row = objective.rows(&s.indices[z], 1);
    auto f = [&](const std::vector<Var<T>>& x) { return loss(x, row.inputs, row.labels); };
    const ValueAndGrad<T> g = value_and_grad(f, params);
    visit(z, static_cast<double>(g.value), g.grad);
  }
}

template <class T>
Tensor<T> per_sample_gradients(const SampleObjective<T>& objective, const TensorList<T>& params) {
  const std::size_t n = numel(params);
  Tensor<T> G = empty_tensor<T>(Shape{objective.samples().size(), n});
  for_each_sample_gradient<T>(objective, params, [&](std::size_t z, double, const TensorList<T>& grad) {
    T* out = G.data() + z * n;
    for (const auto& t : grad) out = std::copy(t.begin(), t.end(), out);
  });
  return G;
}

template <class T>
Tensor<double> per_sample_directional_derivatives(const SampleObjective<T>& objective, const TensorList<T>& params,
                                                  const std::vector<TensorList<T>>& directions) {
  for (const auto& v : directions) check_same_shapes("per_sample_directional_derivatives", params, v);
  const std::size_t k = directions.size();
  Tensor<double> D = zeros_tensor<double>(Shape{objective.samples().size(), k});
  for_each_sample_gradient<T>(objective, params, [&](std::size_t z, double, const TensorList<T>& grad) {
    for (std::size_t j = 0; j < k; ++j) D(z, j) = saddle::dot(directions[j], grad);
  });
  return D;
}

template <class T>
Tensor<double> per_sample_directional_derivatives(const PerSampleLoss<T>& loss, const data::Dataset<T>& data,
                                                  const SampleSet& samples, const TensorList<T>& params,
                                                  const std::vector<TensorList<T>>& directions) {
  for (const auto& v : directions) check_same_shapes("per_sample_directional_derivatives", params, v);
  const SampleObjective<T> objective(mean_loss(loss), data, samples);  // validates the set
  const std::size_t k = directions.size();
  Tensor<double> D = zeros_tensor<double>(Shape{samples.size(), k});
  for (std::size_t b = 0; b < samples.batch_count(); ++b) {
    const BatchData<T> d = objective.batch(b);
    const std::size_t rows = d.labels.size(), first = samples.batch_begin(b);
    auto f = [&](const std::vector<Var<T>>& x) { return loss(x, d.inputs, d.labels); };
    for (std::size_t j = 0; j < k; ++j) {
      const auto [value, tangent] = jvp(f, params, directions[j]);
      if (value.dimension() != 1 || value.size() != rows) {
        std::ostringstream os;
        os << "per_sample_directional_derivatives: the per-sample loss returned shape " << shape_str(value.shape())
           << " for a batch of " << rows << " rows; expected (" << rows << ",)";
        throw Error(os.str());
      }
      for (std::size_t r = 0; r < rows; ++r) D(first + r, j) = static_cast<double>(tangent(r));
    }
  }
  return D;
}

#define SADDLE_PER_SAMPLE(T)                                                                                      \
  template void for_each_sample_gradient<T>(const SampleObjective<T>&, const TensorList<T>&,                      \
                                            const SampleGradientVisitor<T>&);                                     \
  template Tensor<T> per_sample_gradients<T>(const SampleObjective<T>&, const TensorList<T>&);                    \
  template Tensor<double> per_sample_directional_derivatives<T>(const SampleObjective<T>&, const TensorList<T>&,  \
                                                                const std::vector<TensorList<T>>&);               \
  template Tensor<double> per_sample_directional_derivatives<T>(const PerSampleLoss<T>&, const data::Dataset<T>&, \
                                                                const SampleSet&, const TensorList<T>&,           \
                                                                const std::vector<TensorList<T>>&);
SADDLE_PER_SAMPLE(float)
SADDLE_PER_SAMPLE(double)
#undef SADDLE_PER_SAMPLE

}  // namespace saddle
