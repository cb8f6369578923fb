// The worker pool behind base/parallel.hpp, the reading of SADDLE_NUM_THREADS, and the hold on
// OpenBLAS's thread count shared by the loops of all threads.
//
// The pool:
// One 64-bit word describes the current round: its number (high 32 bits), how many helpers may
// take part (16 bits) and how many have claimed a place (low 16 bits). A helper claims a place
// with a compare-and-swap on the word it saw, so a claim always belongs to the round it read; the
// calling thread closes the round by raising the claims to the limit, and then waits only for the
// helpers that had claimed one.
#include "saddle/base/parallel.hpp"

#include <cblas.h>
#include <immintrin.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle {

std::size_t parse_num_threads(const char* value, std::size_t hardware) {
  if (!value) return std::clamp<std::size_t>(hardware, 1, kMaxWorkers);
  const std::string text(value);
  std::size_t n = 0;
  bool whole = !text.empty();
  for (char ch : text) {
    if (ch < '0' || ch > '9') {
      whole = false;
      break;
    }
    n = std::min<std::size_t>(n * 10 + std::size_t(ch - '0'), kMaxWorkers + 1);  // no wrap-around
  }
  if (!whole || n < 1 || n > kMaxWorkers)
    throw Error("SADDLE_NUM_THREADS = '" + text + "' is not a whole number in 1.." + std::to_string(kMaxWorkers));
  return n;
}

std::size_t worker_count() {
  // A throwing initialiser leaves n uninitialised, so a bad value is reported on every call.
  static const std::size_t n =
      parse_num_threads(std::getenv("SADDLE_NUM_THREADS"), std::thread::hardware_concurrency());
  return n;
}

namespace {
thread_local std::size_t t_worker_limit = kMaxWorkers;
thread_local bool t_inside_task = false;  // while this thread runs a task of the pool
}  // namespace

WorkerLimit::WorkerLimit(std::size_t workers) : previous_(t_worker_limit) {
  t_worker_limit = std::max<std::size_t>(1, workers);
}
WorkerLimit::~WorkerLimit() { t_worker_limit = previous_; }

std::size_t loop_workers() { return t_inside_task ? 1 : std::min(worker_count(), t_worker_limit); }

namespace {

// The holders of SingleThreadedBlas, and OpenBLAS's thread count before the first of them.
struct BlasHold {
  std::mutex mutex;
  std::size_t holders = 0;
  int saved_threads = 1;
};

BlasHold& blas_hold() {
  static BlasHold hold;
  return hold;
}

}  // namespace

SingleThreadedBlas::SingleThreadedBlas() : held_(!t_inside_task) {
  if (!held_) return;
  BlasHold& h = blas_hold();
  std::lock_guard lock(h.mutex);
  if (h.holders++ > 0) return;
  h.saved_threads = openblas_get_num_threads();
  if (h.saved_threads != 1) openblas_set_num_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  if (!held_) return;
  BlasHold& h = blas_hold();
  std::lock_guard lock(h.mutex);
  if (--h.holders == 0 && h.saved_threads != 1) openblas_set_num_threads(h.saved_threads);
}

namespace pool {
namespace {

using Clock = std::chrono::steady_clock;

// How long an idle helper spins before it sleeps: longer than the gaps between the parallel
// loops of a training step, short enough that an idle program soon gives its cores back.
constexpr auto kSpin = std::chrono::milliseconds(2);

constexpr std::uint32_t round_of(std::uint64_t s) { return std::uint32_t(s >> 32); }
constexpr std::uint64_t limit_of(std::uint64_t s) { return (s >> 16) & 0xffff; }
constexpr std::uint64_t claims_of(std::uint64_t s) { return s & 0xffff; }
constexpr std::uint64_t word(std::uint32_t round, std::uint64_t limit, std::uint64_t claims) {
  return (std::uint64_t(round) << 32) | (limit << 16) | claims;
}

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t helpers) {
    threads_.reserve(helpers);
    // Each helper starts from round 0, the state before any loop: a helper that first looks after
    // a loop (or the destructor) has advanced the round still sees that round as new.
    for (std::size_t k = 0; k < helpers; ++k) threads_.emplace_back([this] { helper(0); });
  }
  ~WorkerPool() {
    stopping_.store(true, std::memory_order_release);
    state_.fetch_add(std::uint64_t(1) << 32, std::memory_order_acq_rel);  // a new round wakes everyone
    state_.notify_all();
    for (auto& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  static WorkerPool& instance() {
    static WorkerPool pool(std::min<std::size_t>(worker_count() - 1, 0xfffe));
    return pool;
  }

  std::size_t run(std::size_t workers, Task task) {
    std::unique_lock lock(mutex_, std::try_to_lock);
    const std::size_t limit = std::min(workers - 1, threads_.size());
    if (!lock.owns_lock() || t_inside_task || limit == 0) {
      task.call(task.context, 0);
      return 1;
    }
    task_ = task;
    error_ = nullptr;
    done_.store(0, std::memory_order_relaxed);
    const std::uint32_t round = round_of(state_.load(std::memory_order_relaxed)) + 1;
    state_.store(word(round, limit, 0), std::memory_order_release);
    state_.notify_all();

    std::exception_ptr error;
    t_inside_task = true;
    try {
      task.call(task.context, 0);
    } catch (...) {
      error = std::current_exception();
    }
    t_inside_task = false;

    const std::uint64_t claimed = claims_of(state_.exchange(word(round, limit, limit), std::memory_order_acq_rel));
    for (std::size_t spins = 0; done_.load(std::memory_order_acquire) < claimed; ++spins) {
      if (spins < 4096)
        _mm_pause();
      else
        std::this_thread::yield();
    }
    if (!error) error = error_;
    if (error) std::rethrow_exception(error);
    return 1 + claimed;
  }

 private:
  void helper(std::uint32_t seen) {
    for (;;) {
      std::uint64_t s = wait_for_round(seen);
      if (stopping_.load(std::memory_order_acquire)) return;
      seen = round_of(s);
      while (claims_of(s) < limit_of(s) && round_of(s) == seen) {
        if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
        t_inside_task = true;
        try {
          task_.call(task_.context, 1 + claims_of(s));  // the k-th claim is worker k
        } catch (...) {
          std::lock_guard g(error_mutex_);
          if (!error_) error_ = std::current_exception();
        }
        t_inside_task = false;
        done_.fetch_add(1, std::memory_order_release);
        break;
      }
    }
  }

  // The state once its round differs from `seen`: spinning for kSpin, then asleep.
  std::uint64_t wait_for_round(std::uint32_t seen) {
    const auto until = Clock::now() + kSpin;
    for (std::size_t spins = 1;; ++spins) {
      const std::uint64_t s = state_.load(std::memory_order_acquire);
      if (round_of(s) != seen) return s;
      _mm_pause();
      if (spins % 256 == 0) {
        if (Clock::now() > until) break;
        std::this_thread::yield();  // a runnable thread on this core (OpenBLAS's, another program's) goes first
      }
    }
    for (;;) {
      const std::uint64_t s = state_.load(std::memory_order_acquire);
      if (round_of(s) != seen) return s;
      state_.wait(s, std::memory_order_acquire);
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;  // one loop at a time; a second caller runs its loop alone
  std::atomic<std::uint64_t> state_{0};
  std::atomic<std::size_t> done_{0};
  std::atomic<bool> stopping_{false};
  Task task_{};
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace

std::size_t run_on_workers(std::size_t workers, Task task) {
  if (workers <= 1 || t_inside_task) {
    task.call(task.context, 0);
    return 1;
  }
  return WorkerPool::instance().run(workers, task);
}

}  // namespace pool
}  // namespace saddle
