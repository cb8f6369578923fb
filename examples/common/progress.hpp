// examples/common/progress.hpp — one progress line on stderr for long work:
//   epoch 3/10  [#########.......]  120/200 batches  412.3 batches/s  ETA 0:00.2
// redrawn in place on a terminal, printed every ~10% otherwise (logs stay short).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "saddle/base/distributed.hpp"

namespace saddle::examples {

class Progress {
 public:
  Progress(std::string label, std::size_t total, std::string unit)
      : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(fileno(stderr))),
        start_(Clock::now()), last_draw_(start_) {}

  // Call after each unit of work; `note` is appended (say, the running loss).
  void update(std::size_t done, const std::string& note = "") {
    if (distributed::rank() != 0) return;  // one progress line in a data-parallel run
    const auto now = Clock::now();
    const bool finished = done >= total_;
    if (tty_) {
      if (!finished && now - last_draw_ < std::chrono::milliseconds(100)) return;
    } else {
      const std::size_t step = total_ / 10 ? total_ / 10 : 1;
      if (!finished && done % step != 0) return;
    }
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? done / elapsed : 0;
    const double eta = rate > 0 ? (total_ - done) / rate : 0;
    constexpr int width = 24;
    const int filled = total_ ? int(width * double(done) / total_) : width;
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "%s%s [%s] %zu/%zu %s  %.1f %s/s  %s %s%s%s", tty_ ? "\r" : "", label_.c_str(),
                 bar.c_str(), done, total_, unit_.c_str(), rate, unit_.c_str(), finished ? "took" : "ETA",
                 clock_str(finished ? elapsed : eta).c_str(), note.empty() ? "" : "  ", note.c_str());
    if (tty_) std::fprintf(stderr, "\033[K");
    if (!tty_ || finished) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  static std::string clock_str(double s) {
    char buf[32];
    const long m = long(s) / 60;
    std::snprintf(buf, sizeof buf, "%ld:%04.1f", m, s - 60.0 * m);
    return buf;
  }
  std::string label_, unit_;
  std::size_t total_;
  bool tty_;
  Clock::time_point start_, last_draw_;
};

}  // namespace saddle::examples
