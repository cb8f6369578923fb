// saddle/base/npy_header.hpp — the header of a .npy file (numpy/lib/format.py, "Format
// Version 1.0"): a magic string, a major and minor version byte, the header's length (2 bytes
// little-endian in version 1.0, 4 in 2.0 and 3.0), then the header: the repr of a Python dict
// {'descr', 'fortran_order', 'shape'} padded with spaces and a newline. The elements follow it.
#pragma once

#include <cstddef>
#include <string>

#include "saddle/base/tensor.hpp"

namespace saddle::npy {

inline constexpr char kMagic[] = "\x93NUMPY";
inline constexpr std::size_t kMagicLen = 6;
inline constexpr std::size_t kMaxHeaderLen = 1 << 20;  // NumPy writes a few hundred bytes

struct Header {
  std::string descr;  // the dtype, such as '<f8'
  bool fortran_order = false;
  Shape shape;
};

// The magic, version 1.0, header length and header of one C-order array of dtype `descr`, byte for
// byte what numpy.lib.format.write_array_header_1_0 writes: keys sorted, spaces left for the first
// axis to grow in place, padded so the data starts on a 64-byte boundary.
std::string header_bytes(const std::string& descr, const Shape& shape);

// The dict of a header. Throws saddle::Error starting with `where` for text that is not such a dict,
// a key missing or unknown, a structured dtype, or a dimension that overflows std::size_t.
Header parse_header(const std::string& text, const std::string& where);

}  // namespace saddle::npy
