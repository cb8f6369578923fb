// examples/common/interrupt.hpp — SIGINT (Ctrl-C) and SIGTERM end a program cleanly.
//
// run_program (cli.hpp) installs the handlers before a program's body runs. The first SIGINT or
// SIGTERM only records the signal; the program notices it at its next step boundary:
//   - programs that can continue later (train, compare_optimizers, spectral_gap) poll
//     interrupted() after each step, write their outputs and checkpoint as complete files, and
//     exit with one line naming the checkpoint;
//   - the others call check_interrupt() in their long loops (each Hessian-vector product, each
//     optimizer step), which throws Interrupted: the stack unwinds, so files being written are
//     removed rather than left half done, and run_program prints one line.
// Either way the exit status is 128 + the signal (130 for SIGINT, 143 for SIGTERM), as a shell
// expects of a program ended by a signal. A signal that arrives while an output is being written
// waits for the write to finish. A second signal ends the process at once (SA_RESETHAND), for a
// user who does not want to wait.
#pragma once

#include <signal.h>

#include <exception>

#include "saddle/base/tensor.hpp"

namespace saddle::examples {

// What the handler shares with the program: the signal it recorded.
namespace interrupt_signal {
inline volatile sig_atomic_t received = 0;
extern "C" inline void record_signal(int sig) { received = sig; }
}  // namespace interrupt_signal

inline void catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = interrupt_signal::record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  if (sigaction(SIGINT, &action, nullptr) != 0 || sigaction(SIGTERM, &action, nullptr) != 0)
    throw Error("cannot install the SIGINT/SIGTERM handlers");
}

// The signal received since catch_interrupts(), or 0.
inline int interrupted() { return interrupt_signal::received; }

inline const char* signal_name(int sig) { return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal"; }

// The exit status of a program that stopped on `sig`: 128 + its number.
inline int interrupted_exit_status(int sig) { return 128 + sig; }

// Thrown by check_interrupt(); deliberately not a saddle::Error, so that no handler of errors
// mistakes it for one and adds context to it.
struct Interrupted : std::exception {
  explicit Interrupted(int s) : signal(s) {}
  const char* what() const noexcept override { return "interrupted"; }
  int signal;
};

inline void check_interrupt() {
  if (const int sig = interrupted()) throw Interrupted(sig);
}

}  // namespace saddle::examples
