// nn's parallel loops and their settings: SADDLE_NUM_THREADS is read strictly.
#include <doctest/doctest.h>

#include <string>

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
}
