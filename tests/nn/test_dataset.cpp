// Specification of nn/data/dataset: IDX directories become (N, 1, rows, cols) tensors of byte / 255,
// datasets are found by name, and batches are deterministic and cover each epoch exactly once.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "saddle/nn/data/dataset.hpp"
#include "saddle/nn/data/idx.hpp"
#include "tests/error_of.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
using saddle::Error;
using saddle::Shape;
using saddle::Tensor;
using namespace saddle::data;

using saddle::testing::error_of;
using saddle::testing::TempDir;

namespace {

// Sample i of a synthetic set: every pixel of image i is (i * 29 + pixel) mod 256, label i mod 10.
IdxImages synthetic_images(std::size_t n) {
  IdxImages im{n, 28, 28, {}};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t p = 0; p < 784; ++p) im.pixels.push_back(static_cast<std::uint8_t>((i * 29 + p) % 256));
  return im;
}

std::vector<std::uint8_t> synthetic_labels(std::size_t n) {
  std::vector<std::uint8_t> l;
  for (std::size_t i = 0; i < n; ++i) l.push_back(static_cast<std::uint8_t>(i % 10));
  return l;
}

void gzip_file(const std::string& from, const std::string& to) {
  FILE* in = std::fopen(from.c_str(), "rb");
  gzFile out = gzopen(to.c_str(), "wb");
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) gzwrite(out, buf, static_cast<unsigned>(n));
  std::fclose(in);
  gzclose(out);
  fs::remove(from);
}

// An IDX directory with 7 training and 3 test samples, in the file-name spellings found in the wild.
void write_idx_dir(const TempDir& dir, std::size_t n_train = 7, std::size_t n_test = 3) {
  write_idx_images(dir / "train-images-idx3-ubyte", synthetic_images(n_train));
  gzip_file(dir / "train-images-idx3-ubyte", dir / "train-images-idx3-ubyte.gz");
  write_idx_labels(dir / "train-labels.idx1-ubyte", synthetic_labels(n_train));
  write_idx_images(dir / "t10k-images.idx3-ubyte", synthetic_images(n_test));
  write_idx_labels(dir / "t10k-labels-idx1-ubyte", synthetic_labels(n_test));
  gzip_file(dir / "t10k-labels-idx1-ubyte", dir / "t10k-labels-idx1-ubyte.gz");
}


bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

template <class T>
Dataset<T> counting_dataset(std::size_t n) {  // image i is filled with the value i
  Dataset<T> d{saddle::empty_tensor<T>(Shape{n, 1, 28, 28}), {}};
  for (std::size_t i = 0; i < n; ++i) {
    std::fill(d.images.data() + i * 784, d.images.data() + (i + 1) * 784, T(i));
    d.labels.push_back(int(i % 10));
  }
  return d;
}

template <class T>
std::vector<std::vector<std::size_t>> epoch_batches(BatchIterator<T>& it) {
  std::vector<std::vector<std::size_t>> out;
  Batch<T> b;
  while (it.next(b)) out.push_back(b.indices);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("load_idx_dataset gives (N,1,28,28) images of byte/255 and the labels, for both splits", T, float,
                   double) {
  TempDir dir;
  write_idx_dir(dir);
  const Dataset<T> train = load_idx_dataset<T>(dir.path.string(), "train");
  const Dataset<T> test = load_idx_dataset<T>(dir.path.string(), "test");
  CHECK(train.size() == 7);
  CHECK(test.size() == 3);
  CHECK(train.images.shape() == Shape{7, 1, 28, 28});
  const IdxImages raw = synthetic_images(7);
  for (std::size_t k = 0; k < raw.pixels.size(); ++k)
    REQUIRE(train.images.data()[k] == static_cast<T>(raw.pixels[k]) / T(255));
  CHECK(train.labels == std::vector<saddle::Label>{0, 1, 2, 3, 4, 5, 6});
  CHECK(test.labels == std::vector<saddle::Label>{0, 1, 2});
  CHECK(*std::max_element(train.images.begin(), train.images.end()) == T(1));  // byte 255
  CHECK(*std::min_element(train.images.begin(), train.images.end()) == T(0));

  const Dataset<T> mid = train.slice(2, 5);
  CHECK(mid.size() == 3);
  CHECK(mid.labels == std::vector<saddle::Label>{2, 3, 4});
  CHECK(std::equal(mid.images.begin(), mid.images.end(), train.images.begin() + 2 * 784));
  CHECK(train.slice(4, 4).size() == 0);
  CHECK_THROWS_AS(train.slice(3, 8), Error);
}

TEST_CASE("load_idx_dataset names the directory, the missing file and how to fetch it") {
  TempDir dir;
  write_idx_dir(dir);
  fs::remove(dir / "t10k-images.idx3-ubyte");
  const std::string what = error_of([&] { load_idx_dataset<float>(dir.path.string(), "test"); });
  CHECK(contains(what, dir.path.string()));
  CHECK(contains(what, "t10k-images-idx3-ubyte"));
  CHECK(contains(what, "scripts/setup.sh"));
  CHECK(contains(error_of([&] { load_idx_dataset<float>(dir.path.string(), "validation"); }), "'validation'"));
}

TEST_CASE("load_idx_dataset refuses image and label files of different counts, naming both") {
  TempDir dir;
  write_idx_dir(dir);
  write_idx_labels(dir / "train-labels.idx1-ubyte", synthetic_labels(6));
  const std::string what = error_of([&] { load_idx_dataset<float>(dir.path.string(), "train"); });
  CHECK(contains(what, "train-images-idx3-ubyte.gz holds 7 images"));
  CHECK(contains(what, "train-labels.idx1-ubyte holds 6 labels"));
}

namespace {

// Sets or unsets environment variables for one test and restores them when it leaves its scope.
class EnvScope {
 public:
  ~EnvScope() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        ::unsetenv(it->first.c_str());
    }
  }
  void set(const std::string& name, const std::string& value) {
    save(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  void unset(const std::string& name) {
    save(name);
    ::unsetenv(name.c_str());
  }

 private:
  void save(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Writes the four IDX files of a tiny dataset (n_train training samples, 1 test sample) into dir.
void write_dataset(const std::string& dir, std::size_t n_train) {
  fs::create_directories(dir);
  write_idx_images(dir + "/train-images-idx3-ubyte", synthetic_images(n_train));
  write_idx_labels(dir + "/train-labels-idx1-ubyte", synthetic_labels(n_train));
  write_idx_images(dir + "/t10k-images-idx3-ubyte", synthetic_images(1));
  write_idx_labels(dir + "/t10k-labels-idx1-ubyte", synthetic_labels(1));
}

std::vector<std::string> paths_of(const std::vector<DataRoot>& roots) {
  std::vector<std::string> out;
  for (const auto& r : roots) out.push_back(r.path);
  return out;
}

}  // namespace

TEST_CASE("data_roots: $SADDLE_DATA, then $XDG_DATA_HOME/saddle (else ~/.local/share/saddle), then the installed one") {
  EnvScope env;
  env.set("SADDLE_DATA", "/d/saddle-data");
  env.set("XDG_DATA_HOME", "/x/share");
  env.set("HOME", "/h/user");
  const std::vector<DataRoot> roots = data_roots();
  REQUIRE(roots.size() == 3);
  CHECK(roots[0].path == "/d/saddle-data");
  CHECK(roots[0].origin == "SADDLE_DATA");
  CHECK(roots[1].path == "/x/share/saddle");
  CHECK(roots[1].origin == "XDG_DATA_HOME");
  CHECK(roots[2].path == SADDLE_INSTALL_DATA_DIR);  // <prefix>/<datadir>/saddle, as configured
  CHECK(roots[2].origin == "installed data directory");
  CHECK(fs::path(roots[2].path).is_absolute());

  // XDG base-directory specification: unset, empty or relative XDG_DATA_HOME means $HOME/.local/share.
  for (const char* xdg : {"", "relative/share"}) {
    env.set("XDG_DATA_HOME", xdg);
    CHECK(paths_of(data_roots()) ==
          std::vector<std::string>{"/d/saddle-data", "/h/user/.local/share/saddle", SADDLE_INSTALL_DATA_DIR});
  }
  env.unset("XDG_DATA_HOME");
  CHECK(data_roots()[1].origin == "HOME, XDG_DATA_HOME unset");
  env.set("SADDLE_DATA", "");  // set but empty: as if unset
  CHECK(paths_of(data_roots()) == std::vector<std::string>{"/h/user/.local/share/saddle", SADDLE_INSTALL_DATA_DIR});
  env.unset("SADDLE_DATA");
  env.unset("HOME");  // no per-user directory to speak of
  CHECK(paths_of(data_roots()) == std::vector<std::string>{SADDLE_INSTALL_DATA_DIR});
}

TEST_CASE("resolve_dataset_dir takes the first of data_roots() that holds all four IDX files") {
  TempDir dir;
  EnvScope env;
  env.set("SADDLE_DATA", dir / "env");
  env.set("XDG_DATA_HOME", dir / "xdg");
  env.set("HOME", dir / "home");
  const std::string in_env = dir / "env/mnist", in_xdg = dir / "xdg/saddle/mnist",
                    in_home = dir / "home/.local/share/saddle/mnist";
  write_dataset(in_xdg, 2);
  CHECK(resolve_dataset_dir("mnist") == in_xdg);
  CHECK(load_dataset<float>("mnist", "train").size() == 2);

  fs::create_directories(in_env);  // a directory without the four files is passed over, as one not there is
  write_idx_images(in_env + "/train-images-idx3-ubyte", synthetic_images(3));
  CHECK(resolve_dataset_dir("mnist") == in_xdg);
  write_dataset(in_env, 3);
  CHECK(resolve_dataset_dir("mnist") == in_env);  // SADDLE_DATA comes first
  CHECK(load_dataset<double>("mnist", "train").size() == 3);

  env.unset("SADDLE_DATA");
  CHECK(resolve_dataset_dir("mnist") == in_xdg);
  env.unset("XDG_DATA_HOME");
  write_dataset(in_home, 4);
  CHECK(resolve_dataset_dir("mnist") == in_home);  // ~/.local/share/saddle when XDG_DATA_HOME is unset
  CHECK(resolve_dataset_dir(in_env) == in_env);    // a directory given as such
}

TEST_CASE("Fashion-MNIST is looked for in fashion-mnist/ under each of data_roots(), then where Debian puts it") {
  TempDir dir;
  EnvScope env;
  env.set("SADDLE_DATA", dir / "env");
  env.set("XDG_DATA_HOME", dir / "xdg");
  write_dataset(dir / "xdg/saddle/fashion-mnist", 2);
  CHECK(resolve_dataset_dir("fashion") == dir / "xdg/saddle/fashion-mnist");
  CHECK(resolve_dataset_dir("fashion-mnist") == dir / "xdg/saddle/fashion-mnist");
  fs::remove_all(dir / "xdg");
  // Then Debian's dataset-fashion-mnist, where installed; else the message names it.
  std::string found, what;
  try {
    found = resolve_dataset_dir("fashion");
  } catch (const Error& e) {
    what = e.what();
  }
  if (what.empty()) {
    CHECK(found == "/usr/share/datasets/fashion-mnist");
  } else {
    CHECK(contains(what, dir / "env/fashion-mnist (SADDLE_DATA: does not exist)"));
    CHECK(contains(what, dir / "xdg/saddle/fashion-mnist (XDG_DATA_HOME: does not exist)"));
    CHECK(contains(what, "/usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist: does not exist)"));
    CHECK(contains(what, "dataset-fashion-mnist (scripts/setup.sh does)"));
  }
}

TEST_CASE("a dataset found nowhere: one line naming each place looked, what named it, what it lacks, and the fetch") {
  const std::string installed = std::string(SADDLE_INSTALL_DATA_DIR) + "/mnist";
  if (fs::exists(installed)) {
    MESSAGE("skipped: " << installed << " exists (saddle's data is installed)");
    return;
  }
  TempDir dir;
  EnvScope env;
  env.set("SADDLE_DATA", dir / "env");
  env.set("XDG_DATA_HOME", dir / "xdg");
  fs::create_directories(dir / "env/mnist");
  write_idx_images(dir / "env/mnist/train-images-idx3-ubyte", synthetic_images(2));
  std::string what = error_of([] { resolve_dataset_dir("mnist"); });
  INFO(what);
  CHECK(contains(what, "dataset: 'mnist' not found. Looked in "));
  CHECK(contains(what, dir / "env/mnist (SADDLE_DATA: lacks train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                             "t10k-labels-idx1-ubyte)"));
  CHECK(contains(what, dir / "xdg/saddle/mnist (XDG_DATA_HOME: does not exist)"));
  CHECK(contains(what, installed + " (installed data directory: does not exist)"));
  CHECK(what.find(dir / "env/mnist") < what.find(dir / "xdg/saddle/mnist"));  // in the order looked
  CHECK(what.find(dir / "xdg/saddle/mnist") < what.find(installed));
  CHECK(contains(what, "scripts/fetch-data.sh"));
  CHECK(!contains(what, "SADDLE_DATA is not set"));
  CHECK(what.find('\n') == std::string::npos);

  env.unset("SADDLE_DATA");
  env.unset("XDG_DATA_HOME");
  env.set("HOME", dir / "home");
  what = error_of([] { resolve_dataset_dir("mnist"); });
  CHECK(contains(what, dir / "home/.local/share/saddle/mnist (HOME, XDG_DATA_HOME unset: does not exist)"));
  CHECK(contains(what, "SADDLE_DATA is not set"));
  CHECK(!contains(what, dir / "env"));

  // A directory given by path: named, with what it lacks.
  what = error_of([&] { resolve_dataset_dir(dir / "env/mnist"); });
  CHECK(contains(what, dir / "env/mnist lacks train-labels-idx1-ubyte"));
  CHECK(contains(error_of([&] { resolve_dataset_dir(dir / "nowhere"); }), dir / "nowhere does not exist"));
}

TEST_CASE("one_hot puts a single 1 in each row, at the label's column") {
  const std::vector<saddle::Label> labels = {3, 0, 9};
  const Tensor<double> t = one_hot<double>(labels);
  REQUIRE(t.shape() == Shape{3, 10});
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 10; ++j) CHECK(t(i, j) == (int(j) == labels[i] ? 1.0 : 0.0));
  CHECK(contains(error_of([] { one_hot<float>({1, 10}); }), "label 10 at index 1 is outside 0..9"));
  CHECK(one_hot<float>({2}, 3).shape() == Shape{1, 3});
}

TEST_CASE_TEMPLATE("BatchIterator visits every sample exactly once per epoch, in batches of the size asked", T, float,
                   double) {
  const Dataset<T> d = counting_dataset<T>(10);
  BatchIterator<T> it(d, 3, 42);
  CHECK(it.batches_per_epoch() == 4);
  for (std::size_t epoch = 0; epoch < 3; ++epoch) {
    CHECK(it.epoch() == epoch);
    std::vector<std::size_t> seen;
    Batch<T> b;
    std::vector<std::size_t> sizes;
    while (it.next(b)) {
      sizes.push_back(b.indices.size());
      REQUIRE(b.images.shape() == Shape{b.indices.size(), 1, 28, 28});
      for (std::size_t k = 0; k < b.indices.size(); ++k) {
        // The gathered image and label are those of the sample the batch names.
        CHECK(b.images(k, 0, 13, 7) == T(b.indices[k]));
        CHECK(b.images(k, 0, 27, 27) == T(b.indices[k]));
        CHECK(b.labels[k] == int(b.indices[k] % 10));
        seen.push_back(b.indices[k]);
      }
    }
    CHECK(sizes == std::vector<std::size_t>{3, 3, 3, 1});  // the remainder is kept as a last batch
    std::sort(seen.begin(), seen.end());
    std::vector<std::size_t> all(10);
    std::iota(all.begin(), all.end(), std::size_t(0));
    CHECK(seen == all);
  }
}

TEST_CASE("BatchIterator: the same seed gives the same batches, another seed and another epoch another order") {
  const Dataset<float> d = counting_dataset<float>(50);
  BatchIterator<float> a(d, 8, 7), b(d, 8, 7), c(d, 8, 8);
  const auto a0 = epoch_batches(a), b0 = epoch_batches(b), c0 = epoch_batches(c);
  CHECK(a0 == b0);
  CHECK(a0 != c0);
  const auto a1 = epoch_batches(a), b1 = epoch_batches(b);
  CHECK(a1 == b1);
  CHECK(a1 != a0);
  std::vector<std::size_t> identity(8);
  std::iota(identity.begin(), identity.end(), std::size_t(0));
  CHECK(a0.front() != identity);  // shuffled, not file order
}

TEST_CASE("BatchIterator: batch size 0 is the full batch in file order, batch size 1 single samples") {
  const Dataset<double> d = counting_dataset<double>(6);
  for (std::size_t full : {std::size_t(0), std::size_t(6), std::size_t(100)}) {
    BatchIterator<double> it(d, full, 1);
    CHECK(it.batch_size() == 6);
    for (int epoch = 0; epoch < 2; ++epoch) {
      const auto batches = epoch_batches(it);
      REQUIRE(batches.size() == 1);
      CHECK(batches[0] == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
    }
  }
  BatchIterator<double> one(d, 1, 1);
  const auto batches = epoch_batches(one);
  CHECK(batches.size() == 6);
  for (const auto& b : batches) CHECK(b.size() == 1);
  CHECK_THROWS_AS(BatchIterator<double>(counting_dataset<double>(0), 4, 1), Error);
}

TEST_CASE("BatchIterator: an iterator restored from a saved state continues with the same batches") {
  const Dataset<float> d = counting_dataset<float>(23);
  BatchIterator<float> a(d, 4, 9);
  Batch<float> b;
  epoch_batches(a);  // one whole epoch, then part of the next
  for (int k = 0; k < 3; ++k) REQUIRE(a.next(b));
  const BatchIteratorState saved = a.state();
  BatchIterator<float> resumed(d, 4, 12345);  // another seed: everything must come from the state
  resumed.restore(saved);
  CHECK(resumed.epoch() == 1);
  for (int k = 0; k < 20; ++k) {  // the rest of this epoch and two more, across the reshuffles
    Batch<float> x, y;
    const bool more = a.next(x);
    REQUIRE(resumed.next(y) == more);
    CHECK(x.indices == y.indices);
  }
}

TEST_CASE("BatchIterator: a state from another dataset or batch size is refused and changes nothing") {
  const Dataset<float> d = counting_dataset<float>(10);
  BatchIterator<float> it(d, 4, 1);
  const BatchIteratorState good = it.state();
  BatchIteratorState s = good;
  s.order.pop_back();
  CHECK_THROWS_WITH_AS(it.restore(s), "BatchIterator: the saved order of 9 samples is not a permutation of the dataset's 10", Error);
  s = good;
  s.order[0] = s.order[1];  // a repeated sample
  CHECK_THROWS_AS(it.restore(s), Error);
  s = good;
  s.position = 6;
  CHECK_THROWS_WITH_AS(it.restore(s), "BatchIterator: the saved position 6 is not a batch boundary of 10 samples in batches of 4", Error);
  s.position = 10;  // the end of an epoch is a boundary
  CHECK_NOTHROW(it.restore(s));
  it.restore(good);
  CHECK(it.state().order == good.order);
}

TEST_CASE("Fashion-MNIST t10k, where installed: 10000 images of 28x28, 1000 a class, plausible brightness") {
  std::string dir;
  try {
    dir = resolve_dataset_dir("fashion");
  } catch (const Error& e) {
    MESSAGE("skipped: " << std::string(e.what()));
    return;
  }
  const Dataset<float> test = load_idx_dataset<float>(dir, "test");
  CHECK(test.size() == 10000);
  CHECK(test.images.shape() == Shape{10000, 1, 28, 28});
  std::vector<int> per_class(10, 0);
  for (int l : test.labels) {
    REQUIRE((l >= 0 && l <= 9));
    ++per_class[std::size_t(l)];
  }
  CHECK(per_class == std::vector<int>(10, 1000));
  const double mean = std::accumulate(test.images.begin(), test.images.end(), 0.0) / double(test.images.size());
  CHECK(mean > 0.25);  // Fashion-MNIST's published pixel mean is 0.286
  CHECK(mean < 0.32);
}

TEST_CASE("MNIST, where fetched: the original 60,000 + 10,000 digits, the published class counts") {
  std::string dir;
  try {
    dir = resolve_dataset_dir("mnist");
  } catch (const Error& e) {
    MESSAGE("skipped: " << std::string(e.what()));
    return;
  }
  const Dataset<float> test = load_idx_dataset<float>(dir, "test");
  CHECK(test.size() == 10000);
  CHECK(test.images.shape() == Shape{10000, 1, 28, 28});
  // The test set's digits per class, as LeCun, Cortes & Burges distribute them.
  std::vector<int> per_class(10, 0);
  for (int l : test.labels) {
    REQUIRE((l >= 0 && l <= 9));
    ++per_class[std::size_t(l)];
  }
  CHECK(per_class == std::vector<int>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
  // MNIST's published pixel mean (of intensities in [0, 1]) is 0.1307.
  const double mean = std::accumulate(test.images.begin(), test.images.end(), 0.0) / double(test.images.size());
  CHECK(mean > 0.12);
  CHECK(mean < 0.14);
}
