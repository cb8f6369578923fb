// saddle/nn/data/idx.cpp — reading and validating IDX files; gzip through zlib's gz* interface.
#include "saddle/nn/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "saddle/base/claimed_size.hpp"
#include "saddle/base/tensor.hpp"

namespace saddle::data {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::uint32_t big_endian32(const std::uint8_t* b) {
  return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | std::uint32_t(b[3]);
}

void put_big_endian32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}

// An IDX file read through zlib's gz* interface, which inflates a gzip stream and passes any other
// file through as it is, so that one loop reads both. Nothing is read ahead: the header is checked
// as soon as its bytes are in, and no more elements are inflated than the header announces, plus
// one byte to see whether the file ends there.
class IdxReader {
 public:
  explicit IdxReader(const std::string& path) : path_(path) {
    std::error_code ec;
    file_size_ = std::filesystem::file_size(path, ec);
    if (ec) throw Error("idx: " + path + ": cannot open: " + ec.message());
    f_ = gzopen(path.c_str(), "rb");
    if (!f_) throw Error("idx: " + path + ": cannot open: " + std::strerror(errno));
    gzbuffer(f_, 1 << 17);
  }
  ~IdxReader() { gzclose(f_); }
  IdxReader(const IdxReader&) = delete;
  IdxReader& operator=(const IdxReader&) = delete;

  // The header's dimensions, once the magic number is the expected one and the header is complete.
  std::vector<std::uint32_t> header(std::uint32_t expected, const char* kind) {
    std::uint8_t b[4 + 4 * 0xff];
    const std::size_t header_len = 4 + 4 * (expected & 0xff);
    if (read(b, 4) < 4)
      throw Error("idx: " + path_ + ": file holds " + std::to_string(produced_) +
                  " bytes, too short for an IDX header");
    const std::uint32_t magic = big_endian32(b);
    if (magic != expected) {
      std::string why = "idx: " + path_ + ": magic " + hex32(magic) + " is not " + hex32(expected) + " (" + kind + ")";
      if ((magic >> 16) == 0 && ((magic >> 8) & 0xff) == 0x08)
        why += ": " + std::to_string(magic & 0xff) + " dimensions where " + std::to_string(expected & 0xff) +
               " are expected";
      throw Error(why);
    }
    if (read(b + 4, header_len - 4) < header_len - 4)
      throw Error("idx: " + path_ + ": file holds " + std::to_string(produced_) + " bytes, the header alone needs " +
                  std::to_string(header_len));
    std::vector<std::uint32_t> dims;
    for (std::size_t at = 4; at < header_len; at += 4) dims.push_back(big_endian32(b + at));
    return dims;
  }

  // The `announced` bytes of elements after the header. Before any is read, `announced` is held to
  // what the file can give: exactly its remaining length for a plain file, at most kMaxDeflateRatio
  // times its length for a gzip stream; and to kMaxIdxBytes. `claim` spells the header's dimensions.
  std::vector<std::uint8_t> elements(std::uint64_t announced, const std::string& what, const std::string& claim) {
    const std::string announces = "header announces " + claim + std::to_string(announced);
    if (!gzipped_) {
      const std::uint64_t held = file_size_ > produced_ ? file_size_ - produced_ : 0;
      if (held != announced)
        throw Error("idx: " + path_ + ": file holds " + std::to_string(held) + " bytes of " + what + ", " + announces +
                    (held < announced ? " (truncated)" : " (trailing bytes)"));
    } else if (announced > file_size_ * kMaxDeflateRatio) {
      throw Error("idx: " + path_ + ": " + announces + " bytes of " + what + ", more than its " +
                  byte_size_str(file_size_) + " of gzip data can inflate to (" + std::to_string(kMaxDeflateRatio) +
                  " times as much)");
    }
    if (announced > kMaxIdxBytes)
      throw Error("idx: " + path_ + ": " + announces + " bytes of " + what + " (" + byte_size_str(announced) +
                  "), more than the " + byte_size_str(kMaxIdxBytes) + " an IDX file may hold (kMaxIdxBytes)");
    std::vector<std::uint8_t> out;
    out.reserve(announced);
    // Grown a slice at a time, so that memory is touched only as the stream produces bytes.
    constexpr std::size_t kSlice = std::size_t{1} << 24;
    while (out.size() < announced) {
      const std::size_t at = out.size(), n = std::min<std::uint64_t>(kSlice, announced - at);
      out.resize(at + n);
      const std::size_t got = read(out.data() + at, n);
      if (got < n)
        throw Error("idx: " + path_ + ": file holds " + std::to_string(at + got) + " bytes of " + what +
                    (gzipped_ ? " once inflated, " : ", ") + announces + " (truncated)");
    }
    std::uint8_t extra;
    if (read(&extra, 1) > 0)
      throw Error("idx: " + path_ + ": file holds more than " + std::to_string(announced) + " bytes of " + what +
                  (gzipped_ ? " once inflated, " : ", ") + announces + " (trailing bytes)");
    return out;
  }

 private:
  // Up to n bytes, fewer only at the end of the file; throws when the gzip stream is corrupt or cut short.
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    const int got = gzread(f_, dst, static_cast<unsigned>(n));
    if (produced_ == 0) gzipped_ = gzdirect(f_) == 0;
    int code = Z_OK;
    const char* why = gzerror(f_, &code);
    // A stream cut short ends the reads without a negative count; zlib records it as Z_BUF_ERROR.
    if (got < 0 || code != Z_OK)
      throw Error("idx: " + path_ + ": gzip stream is truncated or corrupt after " +
                  std::to_string(produced_ + static_cast<std::uint64_t>(std::max(got, 0))) + " bytes: " + why);
    produced_ += static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
  }

  std::string path_;
  gzFile f_ = nullptr;
  std::uint64_t file_size_ = 0;
  std::uint64_t produced_ = 0;  // bytes read so far, after inflating when the file is gzip
  bool gzipped_ = false;
};

void write_file(const std::string& path, const std::string& header, const std::uint8_t* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
  out.close();
  if (!out) throw Error("idx: cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  IdxReader in(path);
  const std::vector<std::uint32_t> dims = in.header(kImagesMagic, "images of unsigned bytes, 3 dimensions");
  IdxImages im{dims[0], dims[1], dims[2], {}};
  if (im.rows == 0 || im.cols == 0)
    throw Error("idx: " + path + ": images of " + std::to_string(im.rows) + "x" + std::to_string(im.cols) +
                " pixels are empty");
  const std::string claim = std::to_string(im.n) + "x" + std::to_string(im.rows) + "x" + std::to_string(im.cols);
  std::uint64_t announced = 0;
  if (!checked_product(dims, announced))
    throw Error("idx: " + path + ": header announces " + claim + " pixels, a count that overflows 64 bits");
  im.pixels = in.elements(announced, "pixels", claim + " = ");
  return im;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  IdxReader in(path);
  const std::uint32_t n = in.header(kLabelsMagic, "labels of unsigned bytes, 1 dimension")[0];
  std::vector<std::uint8_t> labels = in.elements(n, "labels", "");
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] > 9)
      throw Error("idx: " + path + ": label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                  " is outside 0..9");
  return labels;
}

void write_idx_images(const std::string& path, const IdxImages& images) {
  if (images.pixels.size() != images.n * images.rows * images.cols)
    throw Error("idx: cannot write " + path + ": " + std::to_string(images.pixels.size()) + " pixels for " +
                std::to_string(images.n) + "x" + std::to_string(images.rows) + "x" + std::to_string(images.cols) +
                " images");
  std::string header;
  put_big_endian32(header, kImagesMagic);
  for (std::size_t d : {images.n, images.rows, images.cols}) put_big_endian32(header, static_cast<std::uint32_t>(d));
  write_file(path, header, images.pixels.data(), images.pixels.size());
}

void write_idx_labels(const std::string& path, const std::vector<std::uint8_t>& labels) {
  std::string header;
  put_big_endian32(header, kLabelsMagic);
  put_big_endian32(header, static_cast<std::uint32_t>(labels.size()));
  write_file(path, header, labels.data(), labels.size());
}

}  // namespace saddle::data
