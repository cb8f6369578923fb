// examples/common/cli.hpp — what every program does with its command line and its errors:
// --help prints and exits 0; a bad flag or a saddle::Error prints ONE line, "<program>: <what>",
// and exits 2 (never a signal, never a stack of messages). SIGINT and SIGTERM are caught
// (interrupt.hpp): a program ended by one exits 130 or 143 with one line.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "autodiff/tensor.hpp"
#include "examples/common/interrupt.hpp"

namespace saddle::examples {

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

inline int run_program(const char* name, CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s (see --help)\n", name, e.what());
    return 2;
  }
  try {
    catch_interrupts();
    return body();
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "%s: interrupted by %s\n", name, signal_name(e.signal));
    return interrupted_exit_status(e.signal);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: unexpected error: %s\n", name, e.what());
  }
  return 2;
}

}  // namespace saddle::examples
