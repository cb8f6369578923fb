// saddle/nn/parallel.hpp — splitting a loop over independent items (the images of a batch) across
// the machine's cores. Each call starts its workers and joins them before returning; the kernels
// that use it take at least a few hundred microseconds, so that cost is small beside the work.
// SADDLE_NUM_THREADS caps the number of workers (1: everything on the calling thread).
#pragma once

#include <algorithm>
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

// body(begin, end, worker) over contiguous chunks of [0, n), worker ∈ [0, workers); returns the
// number of workers used. Items of less than `min_items` per worker stay on fewer workers.
template <class Body>
std::size_t parallel_chunks(std::size_t n, std::size_t min_items, Body&& body) {
  const std::size_t workers = std::max<std::size_t>(1, std::min(worker_count(), n / std::max<std::size_t>(1, min_items)));
  if (workers == 1) {
    body(std::size_t(0), n, std::size_t(0));
    return 1;
  }
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  auto chunk = [&](std::size_t k) { return n * k / workers; };
  for (std::size_t k = 1; k < workers; ++k) threads.emplace_back([&, k] { body(chunk(k), chunk(k + 1), k); });
  body(chunk(0), chunk(1), std::size_t(0));
  for (auto& t : threads) t.join();
  return workers;
}

}  // namespace saddle::nn
