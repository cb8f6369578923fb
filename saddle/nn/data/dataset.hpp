// saddle/nn/data/dataset.hpp — image classification data in memory, where it comes from, and
// seeded mini-batches over it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle::data {

template <class T>
struct Dataset {
  Tensor<T> images;         // (N, 1, rows, cols), pixel byte / 255, so values lie in [0, 1]
  std::vector<Label> labels;  // N class indices 0..9

  std::size_t size() const { return labels.size(); }
  // Samples begin..end-1, copied, in the same order. Throws saddle::Error when end > size() or begin > end.
  Dataset slice(std::size_t begin, std::size_t end) const;
};

// Reads the "train" or "test" split from a directory holding the four standard IDX files:
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
// each raw or with .gz, also spelt train-images.idx3-ubyte. Throws saddle::Error naming the directory
// and the missing file, or both files when image and label counts differ.
template <class T>
Dataset<T> load_idx_dataset(const std::string& dir, const std::string& split);

// A directory that may hold datasets, one subdirectory each (mnist/, fashion-mnist/), and what named it.
struct DataRoot {
  std::string path;
  std::string origin;  // "SADDLE_DATA", "XDG_DATA_HOME", "HOME, XDG_DATA_HOME unset", "installed data directory"
};

// Where datasets are looked for, found at run time, in this order:
//   1. $SADDLE_DATA, when set and not empty;
//   2. the per-user data directory $XDG_DATA_HOME/saddle, or $HOME/.local/share/saddle when XDG_DATA_HOME
//      is unset, empty or relative (the XDG base-directory specification); left out when HOME is unset too;
//   3. the installed data directory <prefix>/<datadir>/saddle, fixed when the library is configured.
// scripts/fetch-data.sh fetches into 1 when SADDLE_DATA is set, else into 2.
std::vector<DataRoot> data_roots();

// Where a dataset lives: the first directory, in the order below, that holds the four IDX files.
//   "mnist"                        -> <root>/mnist for each of data_roots()
//   "fashion" (or "fashion-mnist") -> <root>/fashion-mnist for each of data_roots(), then
//                                     /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)
//   any other name                 -> that directory, as given
// Throws saddle::Error, one line, naming every directory looked at, what named it and what it lacks, and
// the command that fetches the dataset.
std::string resolve_dataset_dir(const std::string& name);

// load_idx_dataset(resolve_dataset_dir(name), split).
template <class T>
Dataset<T> load_dataset(const std::string& name, const std::string& split);

// (N, classes) rows with a single 1 at each label's column. Throws saddle::Error for a label outside 0..classes-1.
template <class T>
Tensor<T> one_hot(const std::vector<Label>& labels, std::size_t classes = 10);

template <class T>
struct Batch {
  Tensor<T> images;                  // (B, 1, rows, cols)
  std::vector<Label> labels;         // B labels
  std::vector<std::size_t> indices;  // the samples' positions in the dataset
};

// Copies the samples at `indices` into `out`, reusing its storage when the batch size is unchanged.
template <class T>
void gather(const Dataset<T>& data, std::span<const std::size_t> indices, Batch<T>& out);

// Where a BatchIterator stands: everything a checkpoint needs to continue with the same batches.
struct BatchIteratorState {
  std::mt19937_64 rng;                // the generator after the current epoch's shuffle
  std::vector<std::size_t> order;     // the current epoch's order of the samples
  std::size_t position = 0;           // samples of `order` already handed out
  std::size_t epoch = 0;              // epochs completed
};

// Deterministic shuffled mini-batches, epoch after epoch.
//
// Each epoch visits every sample exactly once, in an order drawn by a Fisher-Yates shuffle from a
// std::mt19937_64 seeded once with `seed` (the shuffle draws its own uniform integers, so the order
// is the same with every standard library). Batches hold batch_size samples; the last batch of an
// epoch holds the remainder when batch_size does not divide the dataset (it is kept, not dropped).
// batch_size 0, or one at least the dataset's size, gives the full batch: the whole dataset in its
// own order, the same every epoch. batch_size 1 gives single samples.
// The dataset must outlive the iterator.
template <class T>
class BatchIterator {
 public:
  BatchIterator(const Dataset<T>& data, std::size_t batch_size, std::uint64_t seed);

  // Fills `batch` with the next batch of the current epoch and returns true; at the end of an epoch
  // returns false, leaves `batch` alone and prepares the next epoch's order.
  bool next(Batch<T>& batch);

  std::size_t batch_size() const { return batch_; }
  std::size_t batches_per_epoch() const { return (data_->size() + batch_ - 1) / batch_; }
  std::size_t epoch() const { return epoch_; }  // epochs completed so far

  BatchIteratorState state() const { return {rng_, order_, pos_, epoch_}; }
  // Continues from a saved state. Throws saddle::Error, leaving the iterator as it was, when the
  // state does not belong to this dataset and batch size: an order that is not a permutation of
  // 0..N−1, or a position past N or off the batch boundaries.
  void restore(const BatchIteratorState& s);

 private:
  void start_epoch();

  const Dataset<T>* data_;
  std::size_t batch_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_;
  std::size_t pos_ = 0;
  std::size_t epoch_ = 0;
};

}  // namespace saddle::data
