// libFuzzer harness for load_npz: the input, as an .npz file, read as float and as double arrays.
// A saddle::Error is the reader refusing the input, as it should; a crash, a sanitizer report, a
// leak, any other exception or an allocation past -malloc_limit_mb is a finding.
#include <cstdint>

#include "saddle/base/npz.hpp"
#include "tests/fuzz/input_file.hpp"

namespace {

template <class T>
void load(const std::string& path) {
  try {
    for (const auto& [name, t] : saddle::load_npz<T>(path))
      if (name.empty() && t.size() > 0) __builtin_trap();  // every member is "<name>.npy" with a name
  } catch (const saddle::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = saddle::fuzz::write_input(data, size);
  load<double>(path);
  load<float>(path);
  return 0;
}
