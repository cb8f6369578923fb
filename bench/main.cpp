// bench/main.cpp — saddle_bench's entry point: Google Benchmark's, after the programs' choice of
// OpenBLAS kernel (saddle/base/blas_kernel.hpp), so the benchmarks time what the programs run.
// The context's "blas" entry names the kernel and who chose it; SADDLE_BLAS_KERNEL=keep or an
// explicit OPENBLAS_CORETYPE times another.
#include <benchmark/benchmark.h>

#include "saddle/base/blas_kernel.hpp"

int main(int argc, char** argv) {
  saddle::use_best_blas_kernel(argv);  // may start the benchmark again on a faster kernel
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
