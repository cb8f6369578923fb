// saddle/base/distributed.cpp — MPI when built with it (SADDLE_WITH_MPI), one process otherwise.
#include "saddle/base/distributed.hpp"

#include <cstdlib>

#include "saddle/base/tensor.hpp"

#ifdef SADDLE_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only: Open MPI's deprecated C++ bindings do not compile cleanly
#include <mpi.h>
#endif

namespace saddle::distributed {

namespace {
int g_rank = 0, g_size = 1;
bool g_started = false;
}  // namespace

bool available() {
#ifdef SADDLE_WITH_MPI
  return true;
#else
  return false;
#endif
}

int rank() { return g_rank; }
int size() { return g_size; }

Session::Session([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv) {
#ifdef SADDLE_WITH_MPI
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    MPI_Init(argc, argv);
    g_started = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
#endif
}

Session::~Session() {
#ifdef SADDLE_WITH_MPI
  if (g_started) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
#endif
  g_rank = 0;
  g_size = 1;
  g_started = false;
}

std::vector<double> all_gather(const std::vector<double>& mine) {
  if (g_size == 1) return mine;
#ifdef SADDLE_WITH_MPI
  const int count = static_cast<int>(mine.size());
  if (mine.size() != static_cast<std::size_t>(count)) throw Error("distributed::all_gather: too many values for MPI");
  std::vector<int> counts(g_size), offsets(g_size);
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  long long total = 0;
  for (int r = 0; r < g_size; ++r) {
    offsets[r] = static_cast<int>(total);
    total += counts[r];
  }
  std::vector<double> all(static_cast<std::size_t>(total));
  MPI_Allgatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                 MPI_COMM_WORLD);
  return all;
#else
  return mine;
#endif
}

void abort_all(int code) {
#ifdef SADDLE_WITH_MPI
  if (g_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

}  // namespace saddle::distributed
