// examples/common/cli.hpp — what every program does with its command line and its errors:
// --help prints and exits 0; a bad flag or a saddle::Error prints ONE line, "<program>: <what>",
// and exits 2 (never a signal, never a stack of messages). SIGINT and SIGTERM are caught
// (interrupt.hpp): a program ended by one exits 130 or 143 with one line.
#pragma once

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>

#include "saddle/base/blas_info.hpp"
#include "saddle/base/blas_kernel.hpp"
#include "saddle/base/distributed.hpp"
#include "saddle/base/parallel.hpp"
#include "saddle/base/tensor.hpp"
#include "examples/common/interrupt.hpp"

namespace saddle::examples {

// What runs a program's arithmetic, one line every program prints under its header: the BLAS
// library, its kernel and who chose it (base/blas_kernel.hpp), its threads; saddle's workers
// (SADDLE_NUM_THREADS) and the MPI processes.
inline std::string run_context() {
  return "BLAS: " + describe(blas_info()) + "; saddle's workers: " + std::to_string(worker_count()) +
         "; processes: " + std::to_string(distributed::size());
}

// A count: digits only, so "-3" is refused instead of wrapping around to a huge unsigned value.
inline const CLI::Validator& count() {
  static const CLI::Validator v(
      [](std::string& s) -> std::string {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
          return "'" + s + "' is not a non-negative whole number";
        return "";
      },
      "COUNT");
  return v;
}

// A path given on the command line: '' is refused instead of meaning "not given".
inline const CLI::Validator& path() {
  static const CLI::Validator v(
      [](std::string& s) -> std::string {
        if (s.empty()) return "an empty path";
        if (s.find('\n') != std::string::npos) return "a path with a line break";
        return "";
      },
      "PATH");
  return v;
}

// The number in s, or NaN when s is not one number from end to end.
inline double parse_number(const std::string& s) {
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  return s.empty() || end != s.c_str() + s.size() ? std::nan("") : x;
}

// A real number that is finite: "nan", "inf" and 1e999 are refused, never carried into a run.
inline const CLI::Validator& finite() {
  static const CLI::Validator v(
      [](std::string& s) -> std::string {
        return std::isfinite(parse_number(s)) ? "" : "'" + s + "' is not a finite number";
      },
      "FINITE");
  return v;
}

// A finite number > 0.
inline const CLI::Validator& positive() {
  static const CLI::Validator v(
      [](std::string& s) -> std::string {
        const double x = parse_number(s);
        return std::isfinite(x) && x > 0 ? "" : "'" + s + "' is not a finite number > 0";
      },
      "POSITIVE");
  return v;
}

// The largest learning rate accepted. Not a stability bound (that depends on the model and the
// method): a step moves the weights by η times a gradient, and at η > 1e3 one step moves them by a
// thousand gradients, which no method here survives on any model here. Such a value is a slipped
// exponent (1e3 for 1e-3), so it is refused rather than left to diverge after the data is loaded.
inline constexpr double kMaxLearningRate = 1e3;

// A learning rate: finite, in (0, kMaxLearningRate]. η = 0 never moves; η < 0 climbs the loss.
inline const CLI::Validator& learning_rate() {
  static const CLI::Validator v(
      [](std::string& s) -> std::string {
        const double x = parse_number(s);
        if (std::isfinite(x) && x > 0 && x <= kMaxLearningRate) return "";
        return "learning rate '" + s + "' is outside (0, 1e3]";
      },
      "LR");
  return v;
}

//
// Under mpirun every process runs the same program on the same flags (base/distributed.hpp): each
// computes its share of every sum and all hold the same results, so rank 0 alone prints, shows
// progress and writes files (output_file.hpp, plot.hpp, save_npz); the others' stdout goes to
// /dev/null. An error is reported once, by rank 0: the library's errors come from the flags, the
// files or the numbers, which every rank sees alike.
inline int run_program(const char* name, CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  use_best_blas_kernel(argv);  // may start the program again on a faster BLAS kernel (blas_kernel.hpp)
  const distributed::Session mpi(&argc, &argv);
  const bool root = distributed::rank() == 0;
  if (!root && !std::freopen("/dev/null", "w", stdout)) return 2;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (root) std::fprintf(stderr, "%s: %s (see --help)\n", name, e.what());
    return 2;
  }
  try {
    catch_interrupts();
    return body();
  } catch (const Interrupted& e) {
    if (root) std::fprintf(stderr, "%s: interrupted by %s\n", name, signal_name(e.signal));
    return interrupted_exit_status(e.signal);
  } catch (const Error& e) {
    if (root) std::fprintf(stderr, "%s: %s\n", name, e.what());
  } catch (const std::exception& e) {
    if (root) std::fprintf(stderr, "%s: unexpected error: %s\n", name, e.what());
  }
  return 2;
}

}  // namespace saddle::examples
