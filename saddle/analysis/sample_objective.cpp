// saddle/analysis/sample_objective.cpp — a loss over a sample set, batch by batch (see the header).
#include "saddle/analysis/sample_objective.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <utility>

#include "saddle/base/tensor_list.hpp"

namespace saddle {

template <class T>
BatchLoss<T> mean_loss(PerSampleLoss<T> per_sample) {
  if (!per_sample) throw Error("mean_loss: the per-sample loss is empty");
  return [f = std::move(per_sample)](const std::vector<Var<T>>& params, const Tensor<T>& inputs,
                                     const std::vector<int>& labels) { return mean(f(params, inputs, labels)); };
}

std::size_t SampleSet::batch_end(std::size_t b) const { return std::min((b + 1) * batch_size, indices.size()); }

SampleSet sample_range(std::size_t begin, std::size_t end, std::size_t batch_size) {
  if (begin >= end || batch_size == 0) {
    std::ostringstream os;
    os << "sample_range: samples [" << begin << ", " << end << ") in batches of " << batch_size
       << "; need begin < end and a batch size of at least 1";
    throw Error(os.str());
  }
  SampleSet s;
  s.batch_size = batch_size;
  s.indices.resize(end - begin);
  for (std::size_t i = 0; i < s.indices.size(); ++i) s.indices[i] = begin + i;
  return s;
}

SampleSet one_batch(std::vector<std::size_t> indices) {
  if (indices.empty()) throw Error("one_batch: the batch holds no samples");
  SampleSet s;
  s.batch_size = indices.size();
  s.indices = std::move(indices);
  return s;
}

SampleSet one_sample(std::size_t index) { return SampleSet{{index}, 1}; }

template <class T>
SampleObjective<T>::SampleObjective(BatchLoss<T> loss, const data::Dataset<T>& data, SampleSet samples)
    : state_(std::make_shared<State>()) {
  if (!loss) throw Error("SampleObjective: the batch loss is empty");
  if (samples.indices.empty() || samples.batch_size == 0) {
    std::ostringstream os;
    os << "SampleObjective: " << samples.indices.size() << " samples in batches of " << samples.batch_size
       << "; need at least one sample and a batch size of at least 1";
    throw Error(os.str());
  }
  if (data.images.dimension() < 1 || data.images.shape()[0] != data.labels.size()) {
    std::ostringstream os;
    os << "SampleObjective: dataset images of shape " << shape_str(data.images.shape()) << " and " << data.labels.size()
       << " labels; need one image row per label";
    throw Error(os.str());
  }
  for (std::size_t i : samples.indices)
    if (i >= data.size()) {
      std::ostringstream os;
      os << "SampleObjective: sample index " << i << " is past the dataset's " << data.size() << " samples";
      throw Error(os.str());
    }
  state_->loss = std::move(loss);
  state_->data = &data;
  state_->samples = std::move(samples);
}

template <class T>
BatchData<T> SampleObjective<T>::rows(const std::size_t* index, std::size_t count) const {
  const auto& images = state_->data->images;
  Shape shape = to_shape(images.shape());
  const std::size_t row = shape_size(shape) / std::max<std::size_t>(shape[0], 1);
  shape[0] = count;
  BatchData<T> b;
  b.inputs = empty_tensor<T>(shape);
  b.labels.resize(count);
  for (std::size_t r = 0; r < count; ++r) {
    std::memcpy(b.inputs.data() + r * row, images.data() + index[r] * row, row * sizeof(T));
    b.labels[r] = state_->data->labels[index[r]];
  }
  b.weight = 1;
  return b;
}

template <class T>
BatchData<T> SampleObjective<T>::batch(std::size_t b) const {
  const SampleSet& s = state_->samples;
  if (b >= s.batch_count()) {
    std::ostringstream os;
    os << "SampleObjective::batch: batch " << b << " of a sample set of " << s.batch_count() << " batches";
    throw Error(os.str());
  }
  const std::size_t begin = s.batch_begin(b), end = s.batch_end(b);
  BatchData<T> out = rows(s.indices.data() + begin, end - begin);
  out.weight = static_cast<double>(end - begin) / static_cast<double>(s.size());
  return out;
}

template <class T>
double SampleObjective<T>::loss(const TensorList<T>& params) const {
  double total = 0;
  for (std::size_t b = 0; b < state_->samples.batch_count(); ++b) {
    const BatchData<T> d = batch(b);
    TapeScope scope;
    no_grad off;
    const std::vector<Var<T>> x = make_leaves(params, /*requires_grad=*/false);
    const Var<T> y = state_->loss(x, d.inputs, d.labels);
    if (y.size() != 1)
      throw Error("SampleObjective::loss: the batch loss must return a scalar, got shape " +
                  shape_str(y.value().shape()));
    total += d.weight * static_cast<double>(y.item());
    ++state_->batch_evaluations;
  }
  ++state_->loss_passes;
  return total;
}

namespace {
// Σ_b (N_b/N)·(per-batch list), accumulated in place.
template <class T>
void accumulate_weighted(TensorList<T>& sum, const TensorList<T>& part, double weight, bool first) {
  if (first) {
    sum = part;
    scale(sum, weight);
  } else {
    axpy(weight, part, sum);
  }
}
}  // namespace

template <class T>
ValueAndGrad<T> SampleObjective<T>::value_and_grad(const TensorList<T>& params) const {
  ValueAndGrad<T> out{T(0), {}};
  double value = 0;
  for (std::size_t b = 0; b < state_->samples.batch_count(); ++b) {
    const BatchData<T> d = batch(b);
    auto f = [&](const std::vector<Var<T>>& x) { return state_->loss(x, d.inputs, d.labels); };
    const ValueAndGrad<T> r = saddle::value_and_grad(f, params);
    value += d.weight * static_cast<double>(r.value);
    accumulate_weighted(out.grad, r.grad, d.weight, b == 0);
    ++state_->batch_evaluations;
  }
  out.value = static_cast<T>(value);
  ++state_->gradient_passes;
  return out;
}

template <class T>
HvpResult<T> SampleObjective<T>::value_grad_hvp(const TensorList<T>& params, const TensorList<T>& v) const {
  HvpResult<T> out{T(0), {}, {}};
  double value = 0;
  for (std::size_t b = 0; b < state_->samples.batch_count(); ++b) {
    const BatchData<T> d = batch(b);
    auto f = [&](const std::vector<Var<T>>& x) { return state_->loss(x, d.inputs, d.labels); };
    const HvpResult<T> r = saddle::value_grad_hvp(f, params, v);
    value += d.weight * static_cast<double>(r.value);
    accumulate_weighted(out.grad, r.grad, d.weight, b == 0);
    accumulate_weighted(out.hvp, r.hvp, d.weight, b == 0);
    ++state_->batch_evaluations;
  }
  out.value = static_cast<T>(value);
  ++state_->hvp_passes;
  return out;
}

template BatchLoss<float> mean_loss<float>(PerSampleLoss<float>);
template BatchLoss<double> mean_loss<double>(PerSampleLoss<double>);
template class SampleObjective<float>;
template class SampleObjective<double>;

}  // namespace saddle
