// nn's parallel loops and their settings: SADDLE_NUM_THREADS is read strictly, and OpenBLAS's
// thread count survives loops of two threads overlapping.
#include <cblas.h>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "nn/parallel.hpp"
#include "tests/error_of.hpp"

using namespace saddle;
using namespace saddle::nn;

TEST_SUITE("determinism") {
  TEST_CASE("SADDLE_NUM_THREADS is a whole number in 1..256, and unset means the hardware's count") {
    CHECK(parse_num_threads(nullptr, 8) == 8);
    CHECK(parse_num_threads(nullptr, 0) == 1);  // hardware_concurrency() may not know
    CHECK(parse_num_threads(nullptr, 1000) == kMaxWorkers);
    CHECK(parse_num_threads("1", 8) == 1);
    CHECK(parse_num_threads("3", 8) == 3);
    CHECK(parse_num_threads("007", 8) == 7);
    CHECK(parse_num_threads("256", 8) == 256);
    CHECK(testing::error_of([] { parse_num_threads("abc", 8); }) ==
          "SADDLE_NUM_THREADS = 'abc' is not a whole number in 1..256");
    for (const std::string bad :
         {"", "-4", "0", "257", "100000", "99999999999999999999999999", "2x", " 2", "+2", "2.0"}) {
      CAPTURE(bad);
      CHECK(testing::error_of([&] { parse_num_threads(bad.c_str(), 8); }) ==
            "SADDLE_NUM_THREADS = '" + bad + "' is not a whole number in 1..256");
    }
  }

  TEST_CASE("OpenBLAS's thread count is restored when parallel loops of two threads overlap") {
    const int before = openblas_get_num_threads();
    openblas_set_num_threads(2);
    REQUIRE(openblas_get_num_threads() == 2);
    std::atomic<bool> blas_single{true};
    // Items of ~20 µs, so that the two threads' loops overlap in every order.
    auto item = [&] {
      if (openblas_get_num_threads() != 1) blas_single = false;
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
      while (std::chrono::steady_clock::now() < until) {
      }
    };
    auto loops = [&] {
      for (int r = 0; r < 200; ++r) {
        parallel_blocks(4, 1, [&](std::size_t, std::size_t, std::size_t) { item(); });
      }
    };
    std::thread a(loops), b(loops);
    a.join();
    b.join();
    if (worker_count() > 1) CHECK(blas_single.load());  // with one worker nothing runs in parallel
    CHECK(openblas_get_num_threads() == 2);
    openblas_set_num_threads(before);
  }
}
