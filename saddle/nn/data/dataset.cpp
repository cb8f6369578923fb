// saddle/nn/data/dataset.cpp — IDX directories into tensors; seeded batches.
#include "saddle/nn/data/dataset.hpp"

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>

#include "saddle/nn/data/idx.hpp"

#ifndef SADDLE_INSTALL_DATA_DIR
#error "SADDLE_INSTALL_DATA_DIR must name the installed data directory (saddle/nn/meson.build defines it)"
#endif

namespace saddle::data {
namespace fs = std::filesystem;
namespace {

constexpr const char* kFashionDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kFetchHint = "run scripts/setup.sh (or scripts/fetch-data.sh) to fetch the datasets";
constexpr const char* kMnistFetch =
    "scripts/fetch-data.sh (or scripts/setup.sh) in saddle's source tree fetches MNIST into $SADDLE_DATA/mnist when "
    "SADDLE_DATA is set, else into $XDG_DATA_HOME/saddle/mnist (~/.local/share/saddle/mnist)";
constexpr const char* kFashionFetch =
    "install Debian's package dataset-fashion-mnist (scripts/setup.sh does), or put the four IDX files in "
    "fashion-mnist/ under one of the directories above";

// The value of an environment variable, "" when unset.
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The file names in use for one split's images or labels, first the standard one.
std::vector<std::string> idx_names(const std::string& split, const std::string& kind) {
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string dims = kind == "images" ? "idx3" : "idx1";
  const std::string base[] = {prefix + "-" + kind + "-" + dims + "-ubyte", prefix + "-" + kind + "." + dims + "-ubyte"};
  std::vector<std::string> names;
  for (const auto& b : base) {
    names.push_back(b);
    names.push_back(b + ".gz");
  }
  return names;
}

// The path of the first candidate present in `dir`, or "" when none is.
std::string find_idx(const std::string& dir, const std::string& split, const std::string& kind) {
  std::error_code ec;
  for (const auto& name : idx_names(split, kind)) {
    const fs::path p = fs::path(dir) / name;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return "";
}

// What `dir` lacks of the four IDX files: "" when it holds them all, else "does not exist" or
// "lacks <names>".
std::string idx_dir_lacks(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "does not exist";
  std::string missing;
  for (const char* split : {"train", "test"})
    for (const char* kind : {"images", "labels"})
      if (find_idx(dir, split, kind).empty()) missing += (missing.empty() ? "" : ", ") + idx_names(split, kind)[0];
  return missing.empty() ? "" : "lacks " + missing;
}

void check_split(const std::string& split) {
  if (split != "train" && split != "test") throw Error("dataset: split '" + split + "' is neither 'train' nor 'test'");
}

template <class T>
void check_range(const Dataset<T>& d, std::size_t begin, std::size_t end, const char* op) {
  if (begin > end || end > d.size())
    throw Error(std::string(op) + ": range [" + std::to_string(begin) + ", " + std::to_string(end) +
                ") does not fit a dataset of " + std::to_string(d.size()) + " samples");
}

// Draws uniformly from 0..n-1 by rejection, so that the draws (unlike those of
// std::uniform_int_distribution) are the same with every standard library.
std::size_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t limit = std::uint64_t(-1) - std::uint64_t(-1) % n;  // a multiple of n
  std::uint64_t r;
  do r = rng();
  while (r >= limit);
  return static_cast<std::size_t>(r % n);
}

}  // namespace

template <class T>
Dataset<T> Dataset<T>::slice(std::size_t begin, std::size_t end) const {
  check_range(*this, begin, end, "Dataset::slice");
  std::vector<std::size_t> idx(end - begin);
  std::iota(idx.begin(), idx.end(), begin);
  Batch<T> b;
  gather(*this, idx, b);
  return Dataset<T>{std::move(b.images), std::move(b.labels)};
}

template <class T>
Dataset<T> load_idx_dataset(const std::string& dir, const std::string& split) {
  check_split(split);
  const std::string images_path = find_idx(dir, split, "images");
  const std::string labels_path = find_idx(dir, split, "labels");
  for (const auto& [path, kind] : {std::pair{images_path, "images"}, std::pair{labels_path, "labels"}})
    if (path.empty())
      throw Error("dataset: " + dir + " holds no " + idx_names(split, kind)[0] + "[.gz] (the " + split + " " + kind +
                  "); " + kFetchHint);

  const IdxImages im = read_idx_images(images_path);
  const std::vector<std::uint8_t> labels = read_idx_labels(labels_path);
  if (im.n != labels.size())
    throw Error("dataset: " + images_path + " holds " + std::to_string(im.n) + " images but " + labels_path +
                " holds " + std::to_string(labels.size()) + " labels");

  std::array<T, 256> scale;  // byte -> byte / 255, so that 0 and 255 map to exactly 0 and 1
  for (int b = 0; b < 256; ++b) scale[b] = static_cast<T>(b) / static_cast<T>(255);
  Dataset<T> d;
  d.images = empty_tensor<T>(Shape{im.n, 1, im.rows, im.cols});
  T* out = d.images.data();
  for (std::size_t i = 0; i < im.pixels.size(); ++i) out[i] = scale[im.pixels[i]];
  d.labels.assign(labels.begin(), labels.end());
  return d;
}

std::vector<DataRoot> data_roots() {
  std::vector<DataRoot> roots;
  if (const std::string d = env("SADDLE_DATA"); !d.empty()) roots.push_back({d, "SADDLE_DATA"});
  // XDG base-directory specification: an unset, empty or relative XDG_DATA_HOME means $HOME/.local/share.
  if (const std::string x = env("XDG_DATA_HOME"); fs::path(x).is_absolute())
    roots.push_back({(fs::path(x) / "saddle").string(), "XDG_DATA_HOME"});
  else if (const std::string h = env("HOME"); !h.empty())
    roots.push_back({(fs::path(h) / ".local/share/saddle").string(),
                     x.empty() ? "HOME, XDG_DATA_HOME unset" : "HOME, XDG_DATA_HOME not absolute"});
  roots.push_back({SADDLE_INSTALL_DATA_DIR, "installed data directory"});
  return roots;
}

std::string resolve_dataset_dir(const std::string& name) {
  const bool fashion = name == "fashion" || name == "fashion-mnist";
  if (!fashion && name != "mnist") {
    const std::string lacks = idx_dir_lacks(name);
    if (!lacks.empty()) throw Error("dataset: directory " + name + " " + lacks + "; " + kFetchHint);
    return name;
  }
  std::vector<DataRoot> places;
  for (const DataRoot& r : data_roots())
    places.push_back({(fs::path(r.path) / (fashion ? "fashion-mnist" : "mnist")).string(), r.origin});
  if (fashion) places.push_back({kFashionDir, "Debian's dataset-fashion-mnist"});
  std::string looked;
  for (const DataRoot& p : places) {
    const std::string lacks = idx_dir_lacks(p.path);
    if (lacks.empty()) return p.path;
    looked += (looked.empty() ? "" : "; ") + p.path + " (" + p.origin + ": " + lacks + ")";
  }
  if (env("SADDLE_DATA").empty()) looked += "; SADDLE_DATA is not set";
  throw Error("dataset: '" + name + "' not found. Looked in " + looked + ". " +
              (fashion ? kFashionFetch : kMnistFetch));
}

template <class T>
Dataset<T> load_dataset(const std::string& name, const std::string& split) {
  return load_idx_dataset<T>(resolve_dataset_dir(name), split);
}

template <class T>
Tensor<T> one_hot(const std::vector<Label>& labels, std::size_t classes) {
  Tensor<T> t = zeros_tensor<T>(Shape{labels.size(), classes});
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || static_cast<std::size_t>(labels[i]) >= classes)
      throw Error("one_hot: label " + std::to_string(labels[i]) + " at index " + std::to_string(i) + " is outside 0.." +
                  std::to_string(classes - 1));
    t(i, static_cast<std::size_t>(labels[i])) = T(1);
  }
  return t;
}

template <class T>
void gather(const Dataset<T>& data, std::span<const std::size_t> indices, Batch<T>& out) {
  if (data.images.dimension() != 4 || data.images.shape(0) != data.size())
    throw Error("gather: dataset images of shape " + shape_str(data.images.shape()) + " do not hold " +
                std::to_string(data.size()) + " samples of (1, rows, cols)");
  const std::size_t rows = data.images.shape(2), cols = data.images.shape(3), per = rows * cols;
  const Shape shape{indices.size(), 1, rows, cols};
  if (!std::equal(out.images.shape().begin(), out.images.shape().end(), shape.begin(), shape.end()))
    out.images.resize(shape);
  out.labels.resize(indices.size());
  out.indices.assign(indices.begin(), indices.end());
  const T* src = data.images.data();
  T* dst = out.images.data();
  for (std::size_t b = 0; b < indices.size(); ++b) {
    const std::size_t i = indices[b];
    if (i >= data.size())
      throw Error("gather: index " + std::to_string(i) + " is outside a dataset of " + std::to_string(data.size()) +
                  " samples");
    std::memcpy(dst + b * per, src + i * per, per * sizeof(T));
    out.labels[b] = data.labels[i];
  }
}

template <class T>
BatchIterator<T>::BatchIterator(const Dataset<T>& data, std::size_t batch_size, std::uint64_t seed)
    : data_(&data), batch_(batch_size), rng_(seed), order_(data.size()) {
  if (data.size() == 0) throw Error("BatchIterator: the dataset is empty");
  if (batch_ == 0 || batch_ > data.size()) batch_ = data.size();
  start_epoch();
}

template <class T>
void BatchIterator<T>::start_epoch() {
  std::iota(order_.begin(), order_.end(), std::size_t(0));
  pos_ = 0;
  if (batch_ == order_.size()) return;  // the full batch: shuffling would only reorder a sum
  for (std::size_t i = order_.size() - 1; i > 0; --i) std::swap(order_[i], order_[uniform_below(rng_, i + 1)]);
}

template <class T>
bool BatchIterator<T>::next(Batch<T>& batch) {
  if (pos_ == order_.size()) {
    ++epoch_;
    start_epoch();
    return false;
  }
  const std::size_t count = std::min(batch_, order_.size() - pos_);
  gather(*data_, std::span<const std::size_t>(order_.data() + pos_, count), batch);
  pos_ += count;
  return true;
}

template <class T>
void BatchIterator<T>::restore(const BatchIteratorState& s) {
  const std::size_t n = data_->size();
  std::vector<bool> seen(s.order.size() == n ? n : 0, false);
  bool permutation = s.order.size() == n;
  for (std::size_t i = 0; permutation && i < n; ++i) {
    permutation = s.order[i] < n && !seen[s.order[i]];
    if (permutation) seen[s.order[i]] = true;
  }
  if (!permutation)
    throw Error("BatchIterator: the saved order of " + std::to_string(s.order.size()) +
                " samples is not a permutation of the dataset's " + std::to_string(n));
  if (s.position > n || (s.position % batch_ != 0 && s.position != n))
    throw Error("BatchIterator: the saved position " + std::to_string(s.position) + " is not a batch boundary of " +
                std::to_string(n) + " samples in batches of " + std::to_string(batch_));
  rng_ = s.rng;
  order_ = s.order;
  pos_ = s.position;
  epoch_ = s.epoch;
}

#define SADDLE_DATASET_INSTANTIATE(T)                                                  \
  template struct Dataset<T>;                                                          \
  template Dataset<T> load_idx_dataset<T>(const std::string&, const std::string&);     \
  template Dataset<T> load_dataset<T>(const std::string&, const std::string&);         \
  template Tensor<T> one_hot<T>(const std::vector<Label>&, std::size_t);               \
  template void gather<T>(const Dataset<T>&, std::span<const std::size_t>, Batch<T>&); \
  template class BatchIterator<T>;

SADDLE_DATASET_INSTANTIATE(float)
SADDLE_DATASET_INSTANTIATE(double)

}  // namespace saddle::data
