// saddle/base/npz.hpp — NumPy's .npz archives: named tensors that `numpy.load` reads and writes.
//
// An .npz file is a zip archive holding one .npy file per array, named `<key>.npy`
// (numpy/lib/npyio.py, `savez`). Each .npy file is a magic string, a version, a header that is the
// repr of a Python dict {'descr', 'fortran_order', 'shape'}, then the raw elements
// (numpy/lib/format.py, "Format Version 1.0").
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "saddle/base/tensor.hpp"

namespace saddle {

// Arrays in the order they were saved or found in the archive.
template <class T>
using NamedTensors = std::vector<std::pair<std::string, Tensor<T>>>;

// Writes one .npy member (format 1.0, '<f4' for float, '<f8' for double, C order, data 64-byte
// aligned as NumPy writes it) per array, stored without compression as `numpy.savez` does.
// The archive is written to a temporary file beside `path`, then renamed over it, so a crash
// leaves either the old file or the new one, never half of one.
// In a data-parallel run (distributed.hpp) only rank 0 writes; the others return at once.
// Throws saddle::Error on an empty or repeated name, or when the file cannot be written.
template <class T>
void save_npz(const std::string& path, const NamedTensors<T>& arrays);

// The most bytes one array of an archive may take, both as stored and once converted to T: 2 GiB.
// That is far beyond any parameter tensor here; a claim past it is refused before anything is read.
inline constexpr std::uint64_t kMaxNpyArrayBytes = std::uint64_t{2} << 30;

// Reads archives written by `numpy.savez` and `numpy.savez_compressed` (stored or deflated members).
// Accepted element types: <f4 <f8 <i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1, converted to T; 0-d arrays
// (shape ()) come back as 0-d tensors; Fortran-order arrays are transposed into row-major order.
// Sizes are believed only once the bytes present back them, and before anything is allocated or
// inflated: the members' compressed sizes against the file (together, so that members cannot
// share data), a member's stated uncompressed size against its compressed bytes (equal when
// stored, at most kMaxDeflateRatio times when deflated), the .npy header's shape x dtype size
// against that size and against kMaxNpyArrayBytes; then, while inflating, the bytes produced
// against the stated size. An archive whose claims are lies costs no more memory than its honest part.
// Throws saddle::Error naming the file (and member) for: a missing file, a file that is not a zip
// archive, a member that is not .npy or is neither stored nor deflated, a bad magic string or
// header, an unsupported dtype, any of the sizes above that disagree or exceed the cap, and a
// member whose data fails its CRC-32.
template <class T>
NamedTensors<T> load_npz(const std::string& path);

// The array saved under `name`; throws saddle::Error naming the missing key and the keys present.
template <class T>
Tensor<T> npz_get(const NamedTensors<T>& arrays, const std::string& name);

}  // namespace saddle
