// saddle/nn/data/idx.hpp — the IDX files of MNIST and Fashion-MNIST, raw or gzip-compressed.
//
// IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian 32-bit magic 0x0000TTDD where TT is
// the element type (0x08 = unsigned byte) and DD the number of dimensions, then DD big-endian
// 32-bit sizes, then the elements in row-major order. Images are 0x00000803 (n, rows, cols);
// labels are 0x00000801 (n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace saddle::data {

struct IdxImages {
  std::size_t n = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // n * rows * cols bytes, image after image, row after row
};

// The most bytes of elements one IDX file may hold, once inflated: 2 GiB (MNIST's training images
// take 45 MiB). A header announcing more is refused before anything is allocated or inflated.
inline constexpr std::uint64_t kMaxIdxBytes = std::uint64_t{2} << 30;

// Files are read raw or gzip-compressed (recognised by the gzip magic 1f 8b), and the header's
// sizes are believed only once the bytes present back them: a plain file's length must match them
// before anything is allocated; a gzip file must be able to inflate to them (at most
// kMaxDeflateRatio times its length), and is inflated incrementally, never past what the header
// announces plus one byte; and no file may announce more than kMaxIdxBytes.
//
// Reads an images file (magic 0x00000803, any rows x cols). Throws saddle::Error naming the file
// for a wrong magic or dimension count, zero rows or columns, a pixel count that overflows or
// passes the bounds above, a pixel count that differs from the header's n x rows x cols, whether
// the file is too short or carries trailing bytes, and a corrupt or truncated gzip stream.
IdxImages read_idx_images(const std::string& path);

// Reads a labels file (magic 0x00000801) whose labels are digits 0..9. Throws saddle::Error naming
// the file for a wrong magic, a count that passes the bounds above or differs from the header, a
// corrupt or truncated gzip stream, or the first label outside 0..9.
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

// Writes uncompressed IDX files (for tests and converters).
void write_idx_images(const std::string& path, const IdxImages& images);
void write_idx_labels(const std::string& path, const std::vector<std::uint8_t>& labels);

}  // namespace saddle::data
