// A program whose parallel loop threw, and that then returns from main, must exit: the worker
// pool's destructor wakes every helper, whichever round it last saw (tests/nn/meson.build runs
// this many times under a time limit).
#include <cstdio>
#include <stdexcept>

#include "saddle/base/parallel.hpp"

int main() {
  try {
    saddle::parallel_blocks(1000, 1, [](std::size_t begin, std::size_t, std::size_t) {
      if (begin == 0) throw std::runtime_error("thrown in a worker");
    });
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::fprintf(stderr, "pool_exit: the exception did not reach the caller\n");
  return 1;
}
