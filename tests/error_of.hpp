// The message of the saddle::Error a callable throws, or "" when it throws none: for tests that
// check what an error says.
#pragma once

#include <string>

#include "saddle/base/tensor.hpp"

namespace saddle::testing {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace saddle::testing
