// libFuzzer harness for the IDX reader: the input after its first byte is written as a file, raw
// when that byte is even and gzip-compressed here when it is odd (so that mutations reach the
// inflated header and elements instead of breaking the CRC), then read as images and as labels.
// A saddle::Error is the reader refusing the input, as it should; a crash, a sanitizer report, a
// leak, any other exception, an allocation past -malloc_limit_mb, or a result that contradicts
// its header is a finding.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>

#include "saddle/base/tensor.hpp"
#include "saddle/nn/data/idx.hpp"
#include "tests/fuzz/input_file.hpp"

namespace {

const std::string& write_gzip(const std::uint8_t* data, std::size_t size) {
  const std::string& path = saddle::fuzz::input_path();
  gzFile f = gzopen(path.c_str(), "wb1");  // the fastest level: any valid stream will do
  if (!f || (size > 0 && gzwrite(f, data, static_cast<unsigned>(size)) != static_cast<int>(size)) || gzclose(f) != Z_OK)
    std::abort();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool gzip = data[0] & 1;
  const std::string& path = gzip ? write_gzip(data + 1, size - 1) : saddle::fuzz::write_input(data + 1, size - 1);
  try {
    const saddle::data::IdxImages im = saddle::data::read_idx_images(path);
    if (im.rows == 0 || im.cols == 0 || im.pixels.size() != im.n * im.rows * im.cols) __builtin_trap();
  } catch (const saddle::Error&) {
  }
  try {
    for (std::uint8_t label : saddle::data::read_idx_labels(path))
      if (label > 9) __builtin_trap();
  } catch (const saddle::Error&) {
  }
  return 0;
}
