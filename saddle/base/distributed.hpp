// saddle/base/distributed.hpp — data parallelism over MPI processes (Open MPI), when saddle is
// built with it (the meson feature `mpi`): the process's rank among `size`, and the one collective
// the library needs.
//
// Every quantity saddle computes is a sum over samples, so the processes split the samples
// (Objective's work units, objective.hpp), each computes its share, and sum_in_rank_order adds
// the shares in the same fixed order on every process: the result is the same bits on
// every rank and does not depend on timing. Without MPI, or outside mpirun, there is one process of
// rank 0 and sum_in_rank_order returns its argument.
//
//   saddle::distributed::Session mpi(&argc, &argv);   // in main: MPI_Init … MPI_Finalize
//   if (saddle::distributed::rank() == 0) write_outputs();
#pragma once

#include <string>
#include <vector>

namespace saddle::distributed {

// Whether this build has MPI.
bool available();

// The process's rank and the number of processes: 0 and 1 before a Session or without MPI.
int rank();
int size();

// MPI_Init on construction, when built with MPI and started by a launcher (mpirun), MPI_Finalize on
// destruction; otherwise nothing: one process. One per program.
class Session {
 public:
  Session(int* argc, char*** argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

// Σ_r mine_r, element by element, the ranks' vectors (all of one length) added in rank order: the
// same bits on every rank, whatever the timing. A reduce-scatter and an all-gather done by hand
// (MPI_Alltoallv, then MPI_Allgatherv), since MPI_Allreduce does not promise an order: each rank
// sums one slice of the vector and sends and receives about 2·(K−1)/K of it. With one process, mine.
std::vector<double> sum_in_rank_order(const std::vector<double>& mine);

}  // namespace saddle::distributed
