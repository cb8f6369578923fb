// saddle/base/parallel.hpp — spreading a loop over independent items (the images of a batch, the
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
// a whole number in 1..kMaxWorkers (256). Anything else is an Error where it is first read:
// make_model, or the first parallel loop.
//
// Determinism. The same inputs give bit-identical results whatever the timing and whatever the
// number of workers (SADDLE_NUM_THREADS=1, 2, 3… agree, tests/nn/test_determinism.cpp):
// - parallel_blocks hands out blocks from a shared counter, so which worker gets which items
//   depends on timing; it is for items whose results go to disjoint outputs (an image's
//   convolution, a plane's pooling), where that changes nothing.
// - parallel_sum, for sums over the items (a weight gradient), splits them into chunks fixed by
//   n and a grain alone (fixed_chunks), sums each chunk in its own slot, in item order, and adds
//   the slots in chunk order. Workers still take chunks as they come, but a chunk's sum does not
//   depend on who computed it, nor does the order of the final additions. The cost: a slot per
//   chunk and their sum (at most kMaxChunks of them), and no more than kMaxChunks workers per sum.
//   saddle_bench on one core (CPU time, medians of 5, three rounds): conv2d_bwd/lenet5_c2/f32
//   3.9–4.2 ms before and after; train_step/lenet5/f32 10.3–11.1 before, 10.1–11.4 after. With
//   2 workers on a shared 2-core machine (medians of 25, five alternating rounds), before → after:
//   train_step/lenet5/f32 15.65 → 16.08 ms, train_step/cnn/f32 10.36 → 10.71 ms,
//   conv2d_bwd/lenet5_c2/f32 5.57 → 5.65 ms, hvp/lenet5/f64 550 → 550 ms.
// Floating-point results still depend on the instruction set of the kernels (conv_direct.hpp,
// SADDLE_SIMD) and may depend on OpenBLAS's kernel and its own thread count, which
// SADDLE_NUM_THREADS does not set.
//
// While a loop runs, OpenBLAS is held to one thread: each worker's products are its own, and
// OpenBLAS's thread pool, shared by all callers, made concurrent calls wait on one another
// (LeNet-5's training step took 104 ms instead of 11). The hold applies on one worker too: a
// product split over OpenBLAS's threads can round differently (sgemm in its Haswell kernels with
// OPENBLAS_NUM_THREADS=2), and the loop's results must not depend on the worker count. Loops of
// several threads share the hold, and the last one out restores OpenBLAS's thread count
// (SingleThreadedBlas).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <exception>
#include <vector>

namespace saddle {

// The most workers SADDLE_NUM_THREADS may ask for (and the most the hardware's count gives).
inline constexpr std::size_t kMaxWorkers = 256;

// The workers that SADDLE_NUM_THREADS = `value` asks for: `hardware` (capped at kMaxWorkers)
// when value is null (unset), else value must be a whole number in 1..kMaxWorkers; anything else
// (empty, "abc", "-4", "100000") is an Error naming it.
std::size_t parse_num_threads(const char* value, std::size_t hardware);

// Workers for parallel loops: parse_num_threads(SADDLE_NUM_THREADS, the hardware's count), read
// once; an Error on a bad value, again on every call.
std::size_t worker_count();

// At most `workers` (≥ 1) workers for the parallel loops that this thread starts while the limit
// lives (limits nest; the innermost holds): to run a computation on fewer cores, or to compare
// its results across worker counts in one process.
class WorkerLimit {
 public:
  explicit WorkerLimit(std::size_t workers);
  ~WorkerLimit();
  WorkerLimit(const WorkerLimit&) = delete;
  WorkerLimit& operator=(const WorkerLimit&) = delete;

 private:
  std::size_t previous_;
};

// The workers a loop started on this thread may use: worker_count(), or less under a WorkerLimit;
// 1 inside a task of the pool (a loop inside a loop runs on its thread, as worker 0 of 1).
std::size_t loop_workers();

// Holds OpenBLAS to one thread while any instance lives; inside a task of the pool it does nothing,
// the loop around it holding OpenBLAS already. OpenBLAS's thread count is one setting
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

 private:
  bool held_;  // whether this instance counts among the holders
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
// (per-worker scratch needs that many slots). Which blocks a worker gets depends on timing: for
// items with disjoint outputs only; sums over the items go through parallel_sum.
template <class Body>
std::size_t parallel_blocks(std::size_t n, std::size_t min_items, Body&& body) {
  const std::size_t workers =
      std::max<std::size_t>(1, std::min(loop_workers(), n / std::max<std::size_t>(1, min_items)));
  SingleThreadedBlas blas;  // on one worker too, so that the body's products round the same for any count
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
  pool::run_on_workers(workers, pool::Task{run, &context});
  return workers;
}

// The most chunks of a sum (a power of two): beyond the cores of the machines this runs on, few
// enough that the slots stay small beside the work (see parallel_sum).
inline constexpr std::size_t kMaxChunks = 64;

// The most memory the slots of one parallel_sum take, unless one slot is larger.
inline constexpr std::size_t kMaxSumBytes = std::size_t(64) << 20;

// [0, n) split into `count` chunks, chunk c = [c·n/count, (c+1)·n/count).
struct Chunks {
  std::size_t n, count;
  std::size_t begin(std::size_t c) const { return c * n / count; }
  std::size_t end(std::size_t c) const { return (c + 1) * n / count; }
};

// The chunks of a sum over n items: the largest power of two at most n/grain (so each has at least
// `grain` items) and kMaxChunks, none for n = 0. They depend on n and grain only, never on the
// workers; a power of two shares out evenly among 2, 4, 8… workers (11 chunks on 2 workers left
// one with 6 chunks and the other with 5).
inline Chunks fixed_chunks(std::size_t n, std::size_t grain) {
  if (n == 0) return {0, 0};
  return {n, std::bit_floor(std::clamp<std::size_t>(n / std::max<std::size_t>(1, grain), 1, kMaxChunks))};
}

// body(c, begin, end) for each chunk c of `chunks`, spread over the workers (any worker may run
// any chunk). Worker w of W first takes, in order, the chunks of its own share
// [w·count/W, (w+1)·count/W), then those left of the others' shares, from the front: neighbouring
// chunks tend to run on one core one after the other (a sum over shards adds neighbours first,
// autodiff/shards.hpp), and a worker that arrives late, or never, costs nothing but its share's
// move to the others.
template <class Body>
void parallel_chunks(const Chunks& chunks, Body&& body) {
  const std::size_t workers = std::min(loop_workers(), chunks.count);
  SingleThreadedBlas blas;  // on one worker too, so that the body's products round the same for any count
  if (workers <= 1) {
    for (std::size_t c = 0; c < chunks.count; ++c) body(c, chunks.begin(c), chunks.end(c));
    return;
  }
  struct alignas(64) Share {
    std::atomic<std::size_t> next;  // the share's first chunk not yet taken
    std::size_t end;
  };
  std::vector<Share> shares(workers);
  for (std::size_t w = 0; w < workers; ++w) {
    shares[w].next.store(w * chunks.count / workers, std::memory_order_relaxed);
    shares[w].end = (w + 1) * chunks.count / workers;
  }
  struct Context {
    Body& body;
    const Chunks& chunks;
    std::vector<Share>& shares;
  } context{body, chunks, shares};
  auto run = [](void* p, std::size_t worker) {
    auto& c = *static_cast<Context*>(p);
    const std::size_t W = c.shares.size();
    for (std::size_t k = 0; k < W; ++k) {
      Share& share = c.shares[(worker + k) % W];
      for (std::size_t i; (i = share.next.fetch_add(1, std::memory_order_relaxed)) < share.end;)
        c.body(i, c.chunks.begin(i), c.chunks.end(i));
    }
  };
  pool::run_on_workers(workers, pool::Task{run, &context});
}

// Σ over the items of [0, n) of vectors of `size` entries, the same bits for any number of
// workers: body(begin, end, partial) adds the items [begin, end) into `partial` (`size` entries,
// zero on entry) in item order; the chunks (fixed_chunks of n and grain, fewer for large vectors)
// each have their own partial, and the partials are added in chunk order. The cost beside one running sum: a zeroed slot per
// chunk (kMaxSumBytes at most) and (chunks − 1)·size additions on the calling thread.
template <class T, class Body>
std::vector<T> parallel_sum(std::size_t n, std::size_t grain, std::size_t size, Body&& body) {
  // Slots of large vectors (a big layer's weight gradient) get fewer, larger chunks, so that they
  // take at most kMaxSumBytes (or one slot); the bound depends on the size, not on the workers.
  const std::size_t slots_fit = std::max<std::size_t>(1, kMaxSumBytes / std::max<std::size_t>(1, size * sizeof(T)));
  const Chunks chunks = fixed_chunks(n, std::max(grain, (n + slots_fit - 1) / slots_fit));
  std::vector<T> slots(std::max<std::size_t>(1, chunks.count) * size, T(0));
  parallel_chunks(
      chunks, [&](std::size_t c, std::size_t begin, std::size_t end) { body(begin, end, slots.data() + c * size); });
  for (std::size_t c = 1; c < chunks.count; ++c) {
    const T* part = slots.data() + c * size;
    for (std::size_t i = 0; i < size; ++i) slots[i] += part[i];
  }
  slots.resize(size);
  return slots;
}

}  // namespace saddle
