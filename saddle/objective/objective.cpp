// saddle/objective/objective.cpp — a loss over a sample set, batch by batch (see the header).
#include "saddle/objective/objective.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

#include "saddle/base/tensor_list.hpp"

namespace saddle {

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
data::Dataset<T> unlabeled_data(Tensor<T> rows) {
  if (rows.dimension() < 1) throw Error("unlabeled_data: a 0-d tensor has no rows");
  data::Dataset<T> d;
  d.labels.assign(rows.shape()[0], 0);
  d.images = std::move(rows);
  return d;
}

namespace {

void check_samples(const SampleSet& samples, std::size_t data_size) {
  if (samples.indices.empty() || samples.batch_size == 0) {
    std::ostringstream os;
    os << "Objective: " << samples.indices.size() << " samples in batches of " << samples.batch_size
       << "; need at least one sample and a batch size of at least 1";
    throw Error(os.str());
  }
  for (std::size_t i : samples.indices)
    if (i >= data_size) {
      std::ostringstream os;
      os << "Objective: sample index " << i << " is past the dataset's " << data_size << " samples";
      throw Error(os.str());
    }
}

// Σ_b (N_b/N)·(per-batch list), accumulated in place, batch after batch.
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
Objective<T>::Objective(BatchLoss<T> loss, const data::Dataset<T>& data, SampleSet samples) {
  if (!loss) throw Error("Objective: the batch loss is empty");
  if (data.images.dimension() < 1 || data.images.shape()[0] != data.labels.size()) {
    std::ostringstream os;
    os << "Objective: dataset images of shape " << shape_str(data.images.shape()) << " and " << data.labels.size()
       << " labels; need one image row per label";
    throw Error(os.str());
  }
  check_samples(samples, data.size());
  shared_ = std::make_shared<Shared>();
  shared_->loss = std::move(loss);
  shared_->data = &data;
  shared_->last_loss = std::numeric_limits<double>::quiet_NaN();
  samples_ = std::move(samples);
}

template <class T>
Objective<T>::Objective(std::shared_ptr<Shared> shared, SampleSet samples)
    : shared_(std::move(shared)), samples_(std::move(samples)) {}

template <class T>
Objective<T> Objective<T>::over(SampleSet samples) const {
  check_samples(samples, shared_->data->size());
  return Objective(shared_, std::move(samples));
}

template <class T>
BatchData<T> Objective<T>::rows(const std::size_t* index, std::size_t count) const {
  const auto& images = shared_->data->images;
  Shape shape = to_shape(images.shape());
  const std::size_t row = shape_size(shape) / std::max<std::size_t>(shape[0], 1);
  shape[0] = count;
  BatchData<T> b;
  b.inputs = empty_tensor<T>(shape);
  b.labels.resize(count);
  for (std::size_t r = 0; r < count; ++r) {
    std::memcpy(b.inputs.data() + r * row, images.data() + index[r] * row, row * sizeof(T));
    b.labels[r] = shared_->data->labels[index[r]];
  }
  b.weight = 1;
  return b;
}

template <class T>
BatchData<T> Objective<T>::batch(std::size_t b) const {
  if (b >= samples_.batch_count()) {
    std::ostringstream os;
    os << "Objective::batch: batch " << b << " of a sample set of " << samples_.batch_count() << " batches";
    throw Error(os.str());
  }
  const std::size_t begin = samples_.batch_begin(b), end = samples_.batch_end(b);
  BatchData<T> out = rows(samples_.indices.data() + begin, end - begin);
  out.weight = static_cast<double>(end - begin) / static_cast<double>(samples_.size());
  return out;
}

template <class T>
Var<T> Objective<T>::batch_mean(const std::vector<Var<T>>& params, const BatchData<T>& rows) const {
  const Var<T> y = shared_->loss(params, rows.inputs, rows.labels);
  if (y.size() == 1) return y;
  if (y.value().dimension() == 1 && y.size() == rows.labels.size()) return mean(y);
  std::ostringstream os;
  os << "Objective: the batch loss returned shape " << shape_str(y.value().shape()) << " for a batch of "
     << rows.labels.size() << " rows; need a scalar (their mean) or (" << rows.labels.size() << ",) (each row's loss)";
  throw Error(os.str());
}

template <class T>
double Objective<T>::loss(const TensorList<T>& params) const {
  double total = 0;
  for (std::size_t b = 0; b < samples_.batch_count(); ++b) {
    const BatchData<T> d = batch(b);
    TapeScope scope;
    no_grad off;
    const std::vector<Var<T>> x = make_leaves(params, /*requires_grad=*/false);
    total += d.weight * static_cast<double>(batch_mean(x, d).item());
    ++shared_->batch_evaluations;
  }
  ++shared_->loss_evaluations;
  return total;
}

template <class T>
ValueAndGrad<T> Objective<T>::value_and_grad(const TensorList<T>& params) const {
  ValueAndGrad<T> out{T(0), {}};
  double value = 0;
  for (std::size_t b = 0; b < samples_.batch_count(); ++b) {
    const BatchData<T> d = batch(b);
    auto f = [&](const std::vector<Var<T>>& x) { return batch_mean(x, d); };
    const ValueAndGrad<T> r = saddle::value_and_grad(f, params);
    value += d.weight * static_cast<double>(r.value);
    accumulate_weighted(out.grad, r.grad, d.weight, b == 0);
    ++shared_->batch_evaluations;
  }
  out.value = static_cast<T>(value);
  ++shared_->gradient_evaluations;
  shared_->last_loss = value;
  return out;
}

template <class T>
HvpResult<T> Objective<T>::value_grad_hvp(const TensorList<T>& params, const TensorList<T>& v) const {
  HvpResult<T> out{T(0), {}, {}};
  double value = 0;
  for (std::size_t b = 0; b < samples_.batch_count(); ++b) {
    const BatchData<T> d = batch(b);
    auto f = [&](const std::vector<Var<T>>& x) { return batch_mean(x, d); };
    const HvpResult<T> r = saddle::value_grad_hvp(f, params, v);
    value += d.weight * static_cast<double>(r.value);
    accumulate_weighted(out.grad, r.grad, d.weight, b == 0);
    accumulate_weighted(out.hvp, r.hvp, d.weight, b == 0);
    ++shared_->batch_evaluations;
  }
  out.value = static_cast<T>(value);
  ++shared_->hvp_evaluations;
  return out;
}

template <class T>
TensorList<T> Objective<T>::sample_gradient(const TensorList<T>& params, std::size_t i) const {
  if (i >= samples_.size())
    throw Error("Objective::sample_gradient: sample " + std::to_string(i) + " is outside [0, " +
                std::to_string(samples_.size()) + ")");
  const BatchData<T> row = rows(&samples_.indices[i], 1);
  auto f = [&](const std::vector<Var<T>>& x) { return batch_mean(x, row); };
  ++shared_->sample_gradient_evaluations;
  ++shared_->batch_evaluations;
  return saddle::grad(f, params);
}

template <class T>
void Objective<T>::for_each_sample_gradient(const TensorList<T>& params, const SampleGradientVisitor& visit) const {
  for (std::size_t i = 0; i < samples_.size(); ++i) {
    const BatchData<T> row = rows(&samples_.indices[i], 1);
    auto f = [&](const std::vector<Var<T>>& x) { return batch_mean(x, row); };
    const ValueAndGrad<T> g = saddle::value_and_grad(f, params);
    ++shared_->sample_gradient_evaluations;
    ++shared_->batch_evaluations;
    visit(i, static_cast<double>(g.value), g.grad);
  }
}

template data::Dataset<float> unlabeled_data<float>(Tensor<float>);
template data::Dataset<double> unlabeled_data<double>(Tensor<double>);
template class Objective<float>;
template class Objective<double>;

}  // namespace saddle
