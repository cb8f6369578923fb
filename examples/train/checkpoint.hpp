// examples/train/checkpoint.hpp — a training run's checkpoint: one .npz file holding everything
// needed to continue it as if it had never stopped.
//
//   run              the run's configuration as "flag=value" lines (a resume must match it)
//   model.<name>     the parameters                  optimizer.<key>  optimizer.state_dict()
//   batches.rng      the batch iterator's generator  batches.order    the current epoch's order
//   batches.position, batches.epoch                  trainer.epoch, trainer.step (within the epoch),
//   trainer.seconds  training time so far            csv              the CSV written so far
//
// Everything is stored as float64, which holds the float32 parameters and state, the counts
// (below 2^53) and the bytes of the texts exactly, so a resumed run is bit-identical.
#pragma once

#include <CLI/CLI.hpp>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "saddle/base/npz.hpp"
#include "examples/common/cli.hpp"
#include "examples/common/interrupt.hpp"

namespace saddle::examples {

using CheckpointArrays = NamedTensors<double>;

// Typed access to a loaded checkpoint; every error names the file and the key.
class CheckpointReader {
 public:
  CheckpointReader(std::string path, CheckpointArrays arrays) : path_(std::move(path)), arrays_(std::move(arrays)) {
    for (const auto& [key, t] : arrays_) by_key_[key] = &t;
  }

  const Tensor<double>& tensor(const std::string& key) const {
    const auto it = by_key_.find(key);
    if (it == by_key_.end()) throw Error("checkpoint " + path_ + ": no '" + key + "' (not a checkpoint of train?)");
    return *it->second;
  }

  std::size_t count(const std::string& key) const {
    const Tensor<double>& t = tensor(key);
    const double x = t.size() == 1 ? t.data()[0] : -1;
    if (!(x >= 0) || x != std::floor(x) || x > 9007199254740992.0)
      throw Error("checkpoint " + path_ + ": '" + key + "' is not a count");
    return static_cast<std::size_t>(x);
  }

  double real(const std::string& key) const {
    const Tensor<double>& t = tensor(key);
    if (t.size() != 1 || !std::isfinite(t.data()[0]))
      throw Error("checkpoint " + path_ + ": '" + key + "' is not a number");
    return t.data()[0];
  }

  std::string text(const std::string& key) const {
    const Tensor<double>& t = tensor(key);
    std::string s;
    s.reserve(t.size());
    for (double b : t) {
      if (!(b >= 0 && b <= 255 && b == std::floor(b)))
        throw Error("checkpoint " + path_ + ": '" + key + "' is not text");
      s.push_back(static_cast<char>(static_cast<unsigned char>(b)));
    }
    return s;
  }

  // The arrays under "<prefix>." with the prefix removed, converted to T (exactly, for values
  // that were T when saved).
  template <class T>
  NamedTensors<T> group(const std::string& prefix) const {
    NamedTensors<T> out;
    for (const auto& [key, t] : arrays_)
      if (key.size() > prefix.size() + 1 && key.compare(0, prefix.size() + 1, prefix + ".") == 0)
        out.emplace_back(key.substr(prefix.size() + 1), Tensor<T>(xt::cast<T>(t)));
    return out;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  CheckpointArrays arrays_;
  std::map<std::string, const Tensor<double>*> by_key_;
};

inline Tensor<double> checkpoint_scalar(double x) {
  Tensor<double> t = Tensor<double>::from_shape(Shape{});
  t.data()[0] = x;
  return t;
}

inline Tensor<double> checkpoint_text(const std::string& s) {
  Tensor<double> t = Tensor<double>::from_shape(Shape{s.size()});
  for (std::size_t i = 0; i < s.size(); ++i) t.data()[i] = static_cast<unsigned char>(s[i]);
  return t;
}

// Adds each array of `arrays` under "<prefix>.<key>", as float64.
template <class T>
void add_group(CheckpointArrays& out, const std::string& prefix, const NamedTensors<T>& arrays) {
  for (const auto& [key, t] : arrays) out.emplace_back(prefix + "." + key, Tensor<double>(xt::cast<double>(t)));
}

// The configuration of a run as "flag=value" lines, in a fixed order.
using RunSignature = std::vector<std::pair<std::string, std::string>>;

inline std::string signature_text(const RunSignature& s) {
  std::string out;
  for (const auto& [flag, value] : s) out += flag + "=" + value + "\n";
  return out;
}

// Throws saddle::Error naming the first flag whose value differs from the checkpoint's.
inline void check_signature(const CheckpointReader& ck, const RunSignature& now) {
  const std::string saved = ck.text("run");
  std::map<std::string, std::string> before;
  std::size_t start = 0;
  for (std::size_t end; (end = saved.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = saved.substr(start, end - start);
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos) before[line.substr(0, eq)] = line.substr(eq + 1);
  }
  for (const auto& [flag, value] : now) {
    const auto it = before.find(flag);
    // A flag the checkpoint does not record came after it (a hyperparameter of a method added to the
    // list since): the run that wrote it had the flag's default.
    if (it == before.end() && value == "default") continue;
    if (it == before.end()) throw Error("--resume " + ck.path() + ": the checkpoint does not record " + flag);
    if (it->second != value)
      throw Error("--resume " + ck.path() + ": the checkpoint was made with " + flag + " " + it->second + ", not " +
                  value);
  }
}

// Writes a program's checkpoint: `state` (a Trainer's state() and the program's own arrays), the
// run's signature and the CSV text so far, atomically (save_npz writes a temporary and renames it).
inline void save_checkpoint(const std::string& path, CheckpointArrays state, const RunSignature& run,
                            const std::string& csv_text) {
  state.emplace_back("run", checkpoint_text(signature_text(run)));
  state.emplace_back("csv", checkpoint_text(csv_text));
  save_npz(path, state);
}

// Reads a checkpoint and checks that it holds a run's signature and CSV text: called before the
// program loads its data, so that a file that is no checkpoint costs nothing to refuse.
inline CheckpointReader read_checkpoint(const std::string& path) {
  CheckpointReader ck(path, load_npz<double>(path));
  ck.text("run");
  ck.text("csv");
  return ck;
}

// --checkpoint FILE and --resume FILE, the same in every training program. After parsing,
// `checkpoint` is `resume` when only --resume was given: checkpoints go on to the file resumed.
struct CheckpointFlags {
  std::string checkpoint, resume;

  void add_to(CLI::App& app) {
    app.add_option("--checkpoint", checkpoint,
                   "write everything needed to continue the run to this .npz file, at the end of each epoch and "
                   "when interrupted (SIGINT, SIGTERM)")
        ->check(path());
    app.add_option("--resume", resume,
                   "continue the run this checkpoint holds; give the same flags as the run that wrote it "
                   "(checkpoints go on to this file unless --checkpoint names another)")
        ->check(path())
        ->check(CLI::ExistingFile);
    app.callback([this] {
      if (checkpoint.empty()) checkpoint = resume;
    });
  }
};

// The last line of a program stopped by `sig` at a step boundary, after its outputs were written;
// returns the exit status 128 + sig.
inline int report_interrupt(const char* program, int sig, const std::string& where, const std::string& checkpoint) {
  std::fprintf(stderr, "%s: interrupted by %s at %s; %s\n", program, signal_name(sig), where.c_str(),
               checkpoint.empty() ? "no --checkpoint was given" : ("continue with --resume " + checkpoint).c_str());
  return interrupted_exit_status(sig);
}

}  // namespace saddle::examples
