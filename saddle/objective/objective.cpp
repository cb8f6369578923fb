// saddle/objective/objective.cpp — a loss over a sample set, batch by batch (see the header).
#include "saddle/objective/objective.hpp"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

#include "saddle/base/distributed.hpp"
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

// A work unit's results as one flat list: the value, then each list's elements in order.
template <class T>
std::vector<double> flat_results(double value, std::initializer_list<const TensorList<T>*> lists) {
  std::vector<double> out{value};
  for (const TensorList<T>* l : lists)
    for (const Tensor<T>& t : *l) out.insert(out.end(), t.begin(), t.end());
  return out;
}

// The list of the shapes of `like` read from flat[offset …].
template <class T>
TensorList<T> list_at(const std::vector<double>& flat, std::size_t offset, const TensorList<T>& like) {
  TensorList<T> out = zeros_like(like);
  for (Tensor<T>& t : out)
    for (T& e : t) e = static_cast<T>(flat.at(offset++));
  return out;
}

}  // namespace

template <class T>
double Objective<T>::unit_weight(const WorkUnit& u) const {
  return static_cast<double>(u.end - u.begin) / static_cast<double>(samples_.size());
}

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

namespace {

// A batch loss's result y as the batch mean: y when a scalar, the mean of y when one loss per row.
template <class T>
Var<T> as_batch_mean(const Var<T>& y, std::size_t rows) {
  if (y.size() == 1) return y;
  if (y.value().dimension() == 1 && y.size() == rows) return mean(y);
  std::ostringstream os;
  os << "Objective: the batch loss returned shape " << shape_str(y.value().shape()) << " for a batch of " << rows
     << " rows; need a scalar (their mean) or (" << rows << ",) (each row's loss)";
  throw Error(os.str());
}

}  // namespace

template <class T>
Var<T> Objective<T>::batch_mean(const std::vector<Var<T>>& params, const BatchData<T>& rows) const {
  return as_batch_mean(shared_->loss(params, rows.inputs, rows.labels), rows.labels.size());
}

template <class T>
Var<T> Objective<T>::batch_mean(const std::vector<Var<T>>& params, BatchData<T>&& rows) const {
  return as_batch_mean(shared_->loss(params, std::move(rows.inputs), rows.labels), rows.labels.size());
}

template <class T>
std::vector<typename Objective<T>::WorkUnit> Objective<T>::work_units() const {
  const std::size_t K = static_cast<std::size_t>(distributed::size());
  const std::size_t batches = samples_.batch_count();
  std::vector<WorkUnit> units;
  for (std::size_t b = 0; b < batches; ++b) {
    const std::size_t begin = samples_.batch_begin(b), end = samples_.batch_end(b);
    if (batches >= K) {  // process k takes batches [k·B/K, (k+1)·B/K)
      units.push_back({begin, end, static_cast<int>(b * K / batches)});
      continue;
    }
    for (std::size_t k = 0; k < K; ++k) {  // shard k: rows [begin + k·len/K, begin + (k+1)·len/K)
      const std::size_t len = end - begin;
      const std::size_t from = begin + len * k / K, to = begin + len * (k + 1) / K;
      if (to > from) units.push_back({from, to, static_cast<int>(k)});
    }
  }
  return units;
}

template <class T>
std::vector<double> Objective<T>::sum_units(const UnitFunction& f, std::size_t length) const {
  std::vector<double> mine(length, 0.0);
  for (const WorkUnit& u : work_units()) {
    if (u.owner != distributed::rank()) continue;
    // The unit's rows in shards on this process's workers, as add_rows runs them.
    const std::size_t* first = samples_.indices.data() + u.begin;
    const std::vector<ShardRange> shards = row_shards(u.end - u.begin);
    const std::vector<double> weights = shard_weights(u.begin, shards);
    const ShardNumbers piece = [&](std::size_t s) {
      std::vector<double> r = f(rows(first + shards[s].begin, shards[s].end - shards[s].begin));
      if (r.size() != length)
        throw Error("Objective::sum_units: a piece gave " + std::to_string(r.size()) + " numbers, expected " +
                    std::to_string(length));
      return r;
    };
    // The unit's sum on its own, then added: the grouping of a run whose units are on other ranks.
    std::vector<double> unit(length, 0.0);
    add_over_shards(piece, weights, unit);
    for (std::size_t i = 0; i < length; ++i) mine[i] += unit[i];
    ++shared_->batch_evaluations;
  }
  return distributed::sum_in_rank_order(mine);
}

template <class T>
std::vector<double> Objective<T>::shard_weights(std::size_t begin, const std::vector<ShardRange>& shards) const {
  std::vector<double> weights;
  for (const ShardRange& r : shards) weights.push_back(unit_weight({begin + r.begin, begin + r.end}));
  return weights;
}

template <class T>
void Objective<T>::add_rows(std::size_t begin, std::size_t end, const TensorList<T>& params, const TensorList<T>* v,
                            ShardDerivatives what, ShardSum<T>& total) const {
  const std::size_t* first = samples_.indices.data() + begin;
  const std::vector<ShardRange> shards = row_shards(end - begin);
  const std::vector<double> weights = shard_weights(begin, shards);
  const ShardTerm<T> shard_mean = [&](const std::vector<Var<T>>& x, std::size_t s) {
    return batch_mean(x, rows(first + shards[s].begin, shards[s].end - shards[s].begin));
  };
  add_over_shards(shard_mean, params, v, weights, what, total);
  ++shared_->batch_evaluations;
}

template <class T>
ShardSum<T> Objective<T>::sum_pieces(const TensorList<T>& params, const TensorList<T>* v, ShardDerivatives what) const {
  ShardSum<T> total;
  for (const WorkUnit& u : work_units())
    if (u.owner == distributed::rank()) add_rows(u.begin, u.end, params, v, what, total);
  if (distributed::size() == 1) return total;
  // The processes' sums in rank order, in double: the value, then the lists (zeros where this
  // process summed no piece).
  const bool gradient = what != ShardDerivatives::none, hvp = what == ShardDerivatives::hvp;
  if (gradient && total.grad.empty()) total.grad = zeros_like(params);
  if (hvp && total.hvp.empty()) total.hvp = zeros_like(params);
  const TensorList<T> none;
  const std::vector<double> sum = distributed::sum_in_rank_order(
      flat_results(total.value, {gradient ? &total.grad : &none, hvp ? &total.hvp : &none}));
  total.value = sum[0];
  if (gradient) total.grad = list_at(sum, 1, params);
  if (hvp) total.hvp = list_at(sum, 1 + numel(params), params);
  return total;
}

// Each process sums the work units it owns, each unit's rows in shards on its workers
// (autodiff/shards.hpp), and the processes' sums are added in rank order.
template <class T>
double Objective<T>::loss(const TensorList<T>& params) const {
  const double total = sum_pieces(params, nullptr, ShardDerivatives::none).value;
  ++shared_->loss_evaluations;
  return total;
}

template <class T>
ValueAndGrad<T> Objective<T>::value_and_grad(const TensorList<T>& params) const {
  ShardSum<T> total = sum_pieces(params, nullptr, ShardDerivatives::gradient);
  ++shared_->gradient_evaluations;
  shared_->last_loss = total.value;
  return {static_cast<T>(total.value), std::move(total.grad)};
}

template <class T>
HvpResult<T> Objective<T>::value_grad_hvp(const TensorList<T>& params, const TensorList<T>& v) const {
  ShardSum<T> total = sum_pieces(params, &v, ShardDerivatives::hvp);
  ++shared_->hvp_evaluations;
  return {static_cast<T>(total.value), std::move(total.grad), std::move(total.hvp)};
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
