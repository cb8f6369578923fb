// saddle/nn/parallel.hpp — spreading a loop over independent items (the images of a batch, the
// planes of a pooling) across the machine's cores.
//
// The workers are threads kept for the life of the process (WorkerPool). Between loops they spin
// for a while before they sleep: a training step runs a parallel loop every few hundred
// microseconds, and waking a sleeping thread took 0.2–3.7 ms on this project's virtual machines
// (a thread started per loop often joined after the calling thread had done all the work).
// saddle_bench on 2 cores, 200 items of ~1 µs (110 µs if split perfectly): parallel_blocks/round
// 112–114 µs, thread_per_loop/round (a thread per loop) 157–162 µs, medians of 5.
// Items are handed out in small blocks from a shared counter, so a worker that arrives late, or
// that the OS leaves waiting, costs at most one block; the calling thread never waits for a helper
// that has not started: it closes the round, and a helper arriving after that leaves it alone.
// SADDLE_NUM_THREADS caps the number of workers (1: everything on the calling thread); it must be
// a whole number in 1..kMaxWorkers, anything else is an error when the first loop starts.
// While workers run, OpenBLAS is held to one thread: each worker's products are its own, and
// OpenBLAS's thread pool, shared by all callers, made concurrent calls wait on one another
// (LeNet-5's training step took 104 ms instead of 11).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>

namespace saddle::nn {

// The most workers SADDLE_NUM_THREADS may ask for (and the most the hardware's count gives).
inline constexpr std::size_t kMaxWorkers = 256;

// The workers that SADDLE_NUM_THREADS = `value` asks for: `hardware` (capped at kMaxWorkers)
// when value is null (unset), else value must be a whole number in 1..kMaxWorkers; anything else
// (empty, "abc", "-4", "100000") is an Error naming it.
std::size_t parse_num_threads(const char* value, std::size_t hardware);

// Workers for parallel loops: parse_num_threads(SADDLE_NUM_THREADS, the hardware's count), read
// once; an Error on a bad value, again on every call.
std::size_t worker_count();

// Holds OpenBLAS to one thread while any instance lives. OpenBLAS's thread count is one setting
// for the whole process, so instances share it: the first one in (under a mutex) saves the count
// and sets 1, the last one out restores the saved count. Each instance saving and restoring on
// its own raced between threads (A saves n, sets 1; B saves 1; A restores n; B restores 1, for
// good). A thread that calls BLAS outside a loop while another thread's loop runs gets one
// thread too; that was so before, and OpenBLAS 0.3.21's cblas.h has no per-thread setting.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;
};

namespace pool {

// A type-erased task run by each worker that takes part: call(context, worker).
struct Task {
  void (*call)(void* context, std::size_t worker);
  void* context;
};

// Runs task on the calling thread as worker 0 and on up to `workers − 1` pool threads as workers
// 1, 2, …, and returns once every worker that started has returned. A helper not started by the
// time worker 0 returns does not run the task. Runs worker 0 alone when called from inside a
// task or while another thread's loop holds the pool. An exception from any worker is rethrown
// here (the first one). Returns the number of workers that ran the task.
std::size_t run_on_workers(std::size_t workers, Task task);

}  // namespace pool

// body(begin, end, worker) over blocks [begin, end) covering [0, n) once, worker ∈ [0, workers):
// the calling thread is worker 0. Uses fewer workers when there are less than `min_items` items
// per worker. Returns the number of workers allowed, an upper bound on the `worker` indices used
// (per-worker partial results need that many slots).
template <class Body>
std::size_t parallel_blocks(std::size_t n, std::size_t min_items, Body&& body) {
  const std::size_t workers =
      std::max<std::size_t>(1, std::min(worker_count(), n / std::max<std::size_t>(1, min_items)));
  if (workers == 1) {
    if (n) body(std::size_t(0), n, std::size_t(0));
    return 1;
  }
  struct Context {
    Body& body;
    std::size_t n, block;
    std::atomic<std::size_t> next{0};
  } context{body, n, std::max<std::size_t>(1, n / (8 * workers))};
  auto run = [](void* p, std::size_t worker) {
    auto& c = *static_cast<Context*>(p);
    for (;;) {
      const std::size_t begin = c.next.fetch_add(c.block, std::memory_order_relaxed);
      if (begin >= c.n) return;
      c.body(begin, std::min(c.n, begin + c.block), worker);
    }
  };
  SingleThreadedBlas blas;
  pool::run_on_workers(workers, pool::Task{run, &context});
  return workers;
}

}  // namespace saddle::nn
