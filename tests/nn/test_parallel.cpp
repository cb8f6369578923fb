// The worker pool behind nn's parallel loops: every item and every chunk once, worker indices
// within the bound parallel_blocks returns, errors carried back to the caller, and loops started
// from inside a loop or from several threads at once.
#include <doctest/doctest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "saddle/base/parallel.hpp"

using saddle::parallel_blocks;

namespace {

// Runs parallel_blocks over n items and checks each was visited once by a worker below the bound.
void check_cover(std::size_t n, std::size_t min_items) {
  std::vector<std::atomic<int>> visits(n);
  std::atomic<std::size_t> max_worker{0};
  const std::size_t workers = parallel_blocks(n, min_items, [&](std::size_t b, std::size_t e, std::size_t k) {
    REQUIRE(b < e);
    REQUIRE(e <= n);
    for (std::size_t i = b; i < e; ++i) visits[i].fetch_add(1);
    std::size_t m = max_worker.load();
    while (k > m && !max_worker.compare_exchange_weak(m, k)) {
    }
  });
  CHECK(workers >= 1);
  CHECK(workers <= saddle::worker_count());
  CHECK(max_worker.load() < workers);
  for (std::size_t i = 0; i < n; ++i) REQUIRE(visits[i].load() == 1);
}

}  // namespace

TEST_CASE("parallel_blocks visits every item once, from workers below the bound it returns") {
  for (std::size_t n : {0, 1, 2, 7, 64, 1000, 100000}) {
    CAPTURE(n);
    for (std::size_t min_items : {1, 3, 100}) check_cover(n, min_items);
  }
  // Many short loops in a row: the helpers' rounds must not mix.
  for (int r = 0; r < 2000; ++r) check_cover(97, 1);
}

TEST_CASE("parallel_blocks with too few items per worker runs on the calling thread") {
  const auto caller = std::this_thread::get_id();
  bool elsewhere = false;
  CHECK(parallel_blocks(10, 100, [&](std::size_t, std::size_t, std::size_t k) {
          elsewhere = elsewhere || k != 0 || std::this_thread::get_id() != caller;
        }) == 1);
  CHECK_FALSE(elsewhere);
}

TEST_CASE("parallel_chunks runs every chunk once, with its bounds, for any workers and counts of chunks") {
  for (std::size_t workers : {1, 2, 3, 5}) {
    CAPTURE(workers);
    const saddle::WorkerLimit limit(workers);
    for (std::size_t count = 1; count <= 17; ++count) {
      CAPTURE(count);
      const saddle::Chunks chunks{1000, count};
      for (int r = 0; r < 20; ++r) {
        std::vector<std::atomic<int>> runs(count);
        saddle::parallel_chunks(chunks, [&](std::size_t c, std::size_t b, std::size_t e) {
          REQUIRE(c < count);
          CHECK(b == chunks.begin(c));
          CHECK(e == chunks.end(c));
          runs[c].fetch_add(1);
        });
        for (auto& n : runs) REQUIRE(n.load() == 1);
      }
    }
  }
}

TEST_CASE("an exception in any worker reaches the caller, and the pool goes on working") {
  for (std::size_t bad : {std::size_t(0), std::size_t(500), std::size_t(999)}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(parallel_blocks(1000, 1,
                                         [&](std::size_t b, std::size_t e, std::size_t) {
                                           if (b <= bad && bad < e) throw std::runtime_error("item failed");
                                         }),
                         "item failed", std::runtime_error);
    check_cover(1000, 1);
  }
}

TEST_CASE("a loop inside a loop, and loops from several threads at once, each cover their items") {
  constexpr std::size_t outer = 16, inner = 200;
  std::vector<std::atomic<int>> visits(outer * inner);
  std::atomic<bool> inner_alone{true};  // every inner loop ran as worker 0 and returned the bound 1
  parallel_blocks(outer, 1, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t i = b; i < e; ++i) {
      const std::size_t bound = parallel_blocks(inner, 1, [&](std::size_t ib, std::size_t ie, std::size_t k) {
        for (std::size_t j = ib; j < ie; ++j) visits[i * inner + j].fetch_add(1);
        if (k != 0) inner_alone.store(false);
      });
      if (bound != 1) inner_alone.store(false);
    }
  });
  for (auto& v : visits) REQUIRE(v.load() == 1);
  // A loop inside a loop runs on the thread that started it, as worker 0 of 1: its scratch needs
  // one slot, whatever SADDLE_NUM_THREADS says.
  CHECK(inner_alone.load());

  std::vector<std::thread> callers;
  std::vector<long> sums(4, 0);
  for (std::size_t t = 0; t < sums.size(); ++t)
    callers.emplace_back([&, t] {
      for (int r = 0; r < 200; ++r) {
        std::vector<std::atomic<long>> part(saddle::worker_count());
        const std::size_t used = parallel_blocks(1000, 1, [&](std::size_t b, std::size_t e, std::size_t k) {
          long s = 0;
          for (std::size_t i = b; i < e; ++i) s += long(i);
          part[k].fetch_add(s);
        });
        long total = 0;
        for (std::size_t k = 0; k < used; ++k) total += part[k].load();
        sums[t] += total;
      }
    });
  for (auto& c : callers) c.join();
  for (long s : sums) CHECK(s == 200L * (999L * 1000L / 2));
}
