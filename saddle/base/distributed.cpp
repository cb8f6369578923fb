// saddle/base/distributed.cpp — MPI when built with it (SADDLE_WITH_MPI), one process otherwise.
#include "saddle/base/distributed.hpp"

#include <climits>
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
  // Only under a launcher (mpirun sets these): a program started on its own stays one process,
  // without MPI's start-up, its session files and its limits (a "singleton" MPI_Init would create
  // them for nothing, and fail where file sizes are limited).
  if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMIX_RANK") && !std::getenv("PMI_SIZE")) return;
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

std::vector<double> sum_in_rank_order(const std::vector<double>& mine) {
  if (g_size == 1) return mine;
#ifdef SADDLE_WITH_MPI
  const std::size_t length = mine.size(), K = static_cast<std::size_t>(g_size), me = static_cast<std::size_t>(g_rank);
  if (length > static_cast<std::size_t>(INT_MAX)) throw Error("distributed::sum_in_rank_order: too many values for MPI");
  const auto begin = [&](std::size_t k) { return static_cast<int>(length * k / K); };
  std::vector<int> send_counts(K), send_offsets(K), recv_counts(K), recv_offsets(K);
  const int my_len = begin(me + 1) - begin(me);
  for (std::size_t k = 0; k < K; ++k) {
    send_counts[k] = begin(k + 1) - begin(k);  // slice k goes to rank k
    send_offsets[k] = begin(k);
    recv_counts[k] = my_len;  // every rank's copy of my slice
    recv_offsets[k] = static_cast<int>(k) * my_len;
  }
  std::vector<double> copies(K * static_cast<std::size_t>(my_len));
  MPI_Alltoallv(mine.data(), send_counts.data(), send_offsets.data(), MPI_DOUBLE, copies.data(), recv_counts.data(),
                recv_offsets.data(), MPI_DOUBLE, MPI_COMM_WORLD);
  std::vector<double> slice(static_cast<std::size_t>(my_len), 0.0);
  for (std::size_t k = 0; k < K; ++k)  // in rank order
    for (std::size_t i = 0; i < slice.size(); ++i) slice[i] += copies[k * slice.size() + i];
  std::vector<double> total(length);
  MPI_Allgatherv(slice.data(), my_len, MPI_DOUBLE, total.data(), send_counts.data(), send_offsets.data(), MPI_DOUBLE,
                 MPI_COMM_WORLD);
  return total;
#else
  return mine;
#endif
}

}  // namespace saddle::distributed
