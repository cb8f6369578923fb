// saddle/nn/parallel.hpp — spreading a loop over independent items (the images of a batch, the
// planes of a pooling) across the machine's cores. Items are handed out in small blocks from a
// shared counter, so a worker the OS leaves waiting (other programs share the cores) costs at
// most one block, not a fixed half of the loop. Each call starts its workers and joins them; the
// kernels that use it run for at least a few hundred microseconds, so that cost stays small.
// SADDLE_NUM_THREADS caps the number of workers (1: everything on the calling thread).
// While workers run, OpenBLAS is held to one thread: each worker's products are its own, and
// OpenBLAS's thread pool, shared by all callers, made concurrent calls wait on one another
// (LeNet-5's training step took 104 ms instead of 11).
#pragma once

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <thread>
#include <vector>

namespace saddle::nn {

inline std::size_t worker_count() {
  static const std::size_t n = [] {
    std::size_t hw = std::max(1u, std::thread::hardware_concurrency());
    if (const char* env = std::getenv("SADDLE_NUM_THREADS")) {
      const long v = std::strtol(env, nullptr, 10);
      if (v > 0) hw = std::size_t(v);
    }
    return hw;
  }();
  return n;
}

// Holds OpenBLAS to one thread for its lifetime, then restores its thread count.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : previous_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
  ~SingleThreadedBlas() { openblas_set_num_threads(previous_); }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
};

// body(begin, end, worker) over blocks [begin, end) covering [0, n) once, worker ∈ [0, workers):
// the calling thread is worker 0. Uses fewer workers when there are less than `min_items` items
// per worker. Returns the number of workers.
template <class Body>
std::size_t parallel_blocks(std::size_t n, std::size_t min_items, Body&& body) {
  const std::size_t workers =
      std::max<std::size_t>(1, std::min(worker_count(), n / std::max<std::size_t>(1, min_items)));
  if (workers == 1) {
    if (n) body(std::size_t(0), n, std::size_t(0));
    return 1;
  }
  const std::size_t block = std::max<std::size_t>(1, n / (8 * workers));
  SingleThreadedBlas blas;
  std::atomic<std::size_t> next{0};
  auto run = [&](std::size_t worker) {
    for (;;) {
      const std::size_t begin = next.fetch_add(block);
      if (begin >= n) return;
      body(begin, std::min(n, begin + block), worker);
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (std::size_t k = 1; k < workers; ++k) threads.emplace_back(run, k);
  run(0);
  for (auto& t : threads) t.join();
  return workers;
}

}  // namespace saddle::nn
