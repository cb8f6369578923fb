// saddle/nn/data/idx.cpp — reading and validating IDX files; gzip through zlib's gz* interface.
#include "nn/data/idx.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "autodiff/tensor.hpp"

namespace saddle::data {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::uint32_t big_endian32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return (std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) | (std::uint32_t(b[at + 2]) << 8) |
         std::uint32_t(b[at + 3]);
}

void put_big_endian32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}

std::vector<std::uint8_t> gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error("idx: " + path + ": cannot open: " + std::strerror(errno));
  gzbuffer(f, 1 << 17);
  std::vector<std::uint8_t> out;
  constexpr unsigned kChunk = 1 << 20;
  for (;;) {
    const std::size_t at = out.size();
    out.resize(at + kChunk);
    const int got = gzread(f, out.data() + at, kChunk);
    if (got < 0) {
      int code = 0;
      const std::string why = gzerror(f, &code);
      gzclose(f);
      throw Error("idx: " + path + ": corrupt gzip stream: " + why);
    }
    out.resize(at + static_cast<std::size_t>(got));
    if (got == 0) break;
  }
  // A stream cut short ends the reads without a negative count; zlib records it as Z_BUF_ERROR.
  int code = Z_OK;
  const std::string why = gzerror(f, &code);
  gzclose(f);
  if (code != Z_OK)
    throw Error("idx: " + path + ": gzip stream is truncated or corrupt after " + std::to_string(out.size()) +
                " bytes: " + why);
  return out;
}

// The header's sizes, checked against what the file actually holds.
void check_length(const std::string& path, const std::vector<std::uint8_t>& bytes, std::size_t header_len,
                  std::size_t announced, const std::string& what, const std::string& product) {
  const std::size_t held = bytes.size() - header_len;
  if (held != announced)
    throw Error("idx: " + path + ": file holds " + std::to_string(held) + " bytes of " + what + ", header announces " +
                product + std::to_string(announced) + (held < announced ? " (truncated)" : " (trailing bytes)"));
}

std::uint32_t read_magic(const std::string& path, const std::vector<std::uint8_t>& bytes, std::uint32_t expected,
                         const char* kind) {
  if (bytes.size() < 4)
    throw Error("idx: " + path + ": file holds " + std::to_string(bytes.size()) +
                " bytes, too short for an IDX header");
  const std::uint32_t magic = big_endian32(bytes, 0);
  if (magic != expected) {
    std::string why = "idx: " + path + ": magic " + hex32(magic) + " is not " + hex32(expected) + " (" + kind + ")";
    if ((magic >> 16) == 0 && ((magic >> 8) & 0xff) == 0x08)
      why += ": " + std::to_string(magic & 0xff) + " dimensions where " + std::to_string(expected & 0xff) +
             " are expected";
    throw Error(why);
  }
  const std::size_t header_len = 4 + 4 * (expected & 0xff);
  if (bytes.size() < header_len)
    throw Error("idx: " + path + ": file holds " + std::to_string(bytes.size()) + " bytes, the header alone needs " +
                std::to_string(header_len));
  return magic;
}

void write_file(const std::string& path, const std::string& header, const std::uint8_t* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
  out.close();
  if (!out) throw Error("idx: cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("idx: " + path + ": cannot open: " + std::strerror(errno));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("idx: " + path + ": read error: " + std::strerror(errno));
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return gunzip(path);  // RFC 1952 magic
  return bytes;
}

IdxImages read_idx_images(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_maybe_gzip(path);
  read_magic(path, bytes, kImagesMagic, "images of unsigned bytes, 3 dimensions");
  IdxImages im;
  im.n = big_endian32(bytes, 4);
  im.rows = big_endian32(bytes, 8);
  im.cols = big_endian32(bytes, 12);
  if (im.rows == 0 || im.cols == 0)
    throw Error("idx: " + path + ": images of " + std::to_string(im.rows) + "x" + std::to_string(im.cols) +
                " pixels are empty");
  std::size_t announced = 0;
  if (__builtin_mul_overflow(im.n, im.rows * im.cols, &announced))
    throw Error("idx: " + path + ": header announces " + std::to_string(im.n) + " images, more than memory can hold");
  check_length(path, bytes, 16, announced, "pixels",
               std::to_string(im.n) + "x" + std::to_string(im.rows) + "x" + std::to_string(im.cols) + " = ");
  im.pixels.assign(bytes.begin() + 16, bytes.end());
  return im;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_maybe_gzip(path);
  read_magic(path, bytes, kLabelsMagic, "labels of unsigned bytes, 1 dimension");
  const std::size_t n = big_endian32(bytes, 4);
  check_length(path, bytes, 8, n, "labels", "");
  std::vector<std::uint8_t> labels(bytes.begin() + 8, bytes.end());
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
