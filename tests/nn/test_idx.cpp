// Specification of nn/data/idx: IDX files round-trip, raw or gzip, and any corruption either loads
// as a consistent file or is refused with a saddle::Error naming the file; it never crashes.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "saddle/base/claimed_size.hpp"
#include "saddle/base/tensor.hpp"
#include "saddle/nn/data/idx.hpp"
#include "tests/error_of.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
using saddle::Error;
using namespace saddle::data;

using saddle::testing::error_of;
using saddle::testing::TempDir;

namespace {

using Byte = std::uint8_t;
using Bytes = std::vector<Byte>;

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const Bytes& b) {
  fs::remove(path);  // a new file: ext4 flushes a file truncated and rewritten in place when it is closed
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

void write_gzip(const std::string& path, const Bytes& b) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

// An IDX header: the magic number, then each dimension, all big-endian.
Bytes idx_header(std::uint32_t magic, std::initializer_list<std::uint32_t> dims) {
  std::vector<std::uint32_t> words = {magic};
  words.insert(words.end(), dims);
  Bytes b;
  for (std::uint32_t v : words) b.insert(b.end(), {Byte(v >> 24), Byte(v >> 16), Byte(v >> 8), Byte(v)});
  return b;
}

IdxImages sample_images(std::size_t n, std::size_t rows, std::size_t cols) {
  IdxImages im{n, rows, cols, {}};
  for (std::size_t i = 0; i < n * rows * cols; ++i) im.pixels.push_back(static_cast<std::uint8_t>((i * 37 + 11) % 256));
  return im;
}

// The reader's verdict on one file: true when it loaded a consistent result, false when it threw a
// saddle::Error naming the file. Any other outcome fails the test.
bool images_load_or_name_file(const std::string& path) {
  try {
    const IdxImages im = read_idx_images(path);
    CHECK(im.rows > 0);
    CHECK(im.cols > 0);
    CHECK(im.pixels.size() == im.n * im.rows * im.cols);
    return true;
  } catch (const Error& e) {
    CHECK_MESSAGE(std::string(e.what()).find(path) != std::string::npos, e.what());
    return false;
  }
}

bool labels_load_or_name_file(const std::string& path) {
  try {
    for (std::uint8_t l : read_idx_labels(path)) CHECK(l <= 9);
    return true;
  } catch (const Error& e) {
    CHECK_MESSAGE(std::string(e.what()).find(path) != std::string::npos, e.what());
    return false;
  }
}

}  // namespace

TEST_CASE("IDX images and labels round-trip through the writer and reader, raw and gzipped") {
  TempDir dir;
  const IdxImages im = sample_images(3, 5, 4);  // rows != cols, to catch a swap
  const Bytes labels = {0, 9, 4};
  write_idx_images(dir / "img", im);
  write_idx_labels(dir / "lab", labels);
  CHECK(read_bytes(dir / "img").size() == 16 + 60);

  for (const bool gz : {false, true}) {
    std::string ip = dir / "img", lp = dir / "lab";
    if (gz) {
      write_gzip(ip + ".gz", read_bytes(ip));
      write_gzip(lp + ".gz", read_bytes(lp));
      ip += ".gz";
      lp += ".gz";
    }
    const IdxImages back = read_idx_images(ip);
    CHECK(back.n == 3);
    CHECK(back.rows == 5);
    CHECK(back.cols == 4);
    CHECK(back.pixels == im.pixels);
    CHECK(read_idx_labels(lp) == labels);
  }
}

TEST_CASE("the IDX reader names the file and the problem") {
  TempDir dir;
  const std::string img = dir / "img", lab = dir / "lab";
  write_idx_images(img, sample_images(4, 28, 28));
  write_idx_labels(lab, {1, 2, 3, 12, 14});

  const std::string wrong_kind = error_of([&] { read_idx_images(lab); });
  CHECK(wrong_kind.find(lab + ": magic 0x00000801 is not 0x00000803") != std::string::npos);
  CHECK(wrong_kind.find("1 dimensions where 3 are expected") != std::string::npos);

  const std::string bad_label = error_of([&] { read_idx_labels(lab); });
  CHECK(bad_label.find(lab + ": label 12 at index 3 is outside 0..9") != std::string::npos);

  const Bytes full = read_bytes(img);
  const Bytes cut(full.begin(), full.end() - 100);
  write_bytes(img, cut);
  CHECK(error_of([&] { read_idx_images(img); }) ==
        "idx: " + img + ": file holds 3036 bytes of pixels, header announces 4x28x28 = 3136 (truncated)");
  Bytes longer = full;
  longer.insert(longer.end(), 7, 0);
  write_bytes(img, longer);
  CHECK(error_of([&] { read_idx_images(img); }).find("3143 bytes of pixels") != std::string::npos);
  CHECK(error_of([&] { read_idx_images(img); }).find("(trailing bytes)") != std::string::npos);

  CHECK(error_of([&] { read_idx_images(dir / "absent"); }).find(dir / "absent") != std::string::npos);
}

TEST_CASE("the IDX reader believes no size the file cannot back, and never inflates past what the header announces") {
  TempDir dir;
  const std::string path = dir / "bomb";
  // A gzip bomb: 4 MiB of zero pixels after a header, compressed about a thousandfold.
  constexpr std::uint32_t kZeros = 4 << 20;
  auto bomb = [&](std::initializer_list<std::uint32_t> header) {
    Bytes b = idx_header(0x00000803, header);
    b.resize(b.size() + kZeros, 0);
    write_gzip(path, b);
    return std::filesystem::file_size(path);
  };

  SUBCASE("a header announcing more than the stream holds is refused once the stream ends") {
    const std::uint64_t gz_size = bomb({1, 4097, 1024});  // 1024 pixels more than present
    REQUIRE(std::uint64_t{4097} * 1024 <= saddle::kMaxDeflateRatio * gz_size);
    CHECK(error_of([&] { read_idx_images(path); }) ==
          "idx: " + path +
              ": file holds 4194304 bytes of pixels once inflated, header announces 1x4097x1024 = 4195328 (truncated)");
  }
  SUBCASE("a header announcing fewer stops inflating one byte past them, before the corrupt end") {
    bomb({1, 10, 100});
    Bytes gz = read_bytes(path);
    gz[gz.size() - 8] ^= 0xff;  // the CRC-32 of the trailer: inflating to the end would report it
    write_bytes(path, gz);
    CHECK(error_of([&] { read_idx_images(path); }) ==
          "idx: " + path +
              ": file holds more than 1000 bytes of pixels once inflated, header announces 1x10x100 = 1000 (trailing "
              "bytes)");
  }
  SUBCASE("a header announcing more than 1032 times the gzip file is refused before inflating") {
    const std::uint64_t gz_size = bomb({60000, 28, 28});
    REQUIRE(std::uint64_t{60000} * 28 * 28 > saddle::kMaxDeflateRatio * gz_size);
    const std::string what = error_of([&] { read_idx_images(path); });
    CHECK(what.find(path + ": header announces 60000x28x28 = 47040000 bytes of pixels, more than its ") !=
          std::string::npos);
    CHECK(what.find(" of gzip data can inflate to (1032 times as much)") != std::string::npos);

    Bytes labels = idx_header(0x00000801, {0xffffffff});
    labels.resize(labels.size() + 1000, 3);
    write_gzip(path, labels);
    CHECK(error_of([&] {
            read_idx_labels(path);
          }).find(path + ": header announces 4294967295 bytes of labels, more than its ") != std::string::npos);
  }
  SUBCASE("a plain file whose length backs a header over kMaxIdxBytes is refused by the cap") {
    write_bytes(path, idx_header(0x00000803, {3, 32768, 32768}));
    std::filesystem::resize_file(path, 16 + (std::uint64_t{3} << 30));  // sparse: no disk, no memory
    REQUIRE((std::uint64_t{3} << 30) > saddle::data::kMaxIdxBytes);
    CHECK(error_of([&] { read_idx_images(path); }) ==
          "idx: " + path +
              ": header announces 3x32768x32768 = 3221225472 bytes of pixels (3 GiB), more than the 2 GiB an IDX file "
              "may hold (kMaxIdxBytes)");
  }
  SUBCASE("dimensions whose product overflows 64 bits, and a plain file shorter than its header announces") {
    write_bytes(path, idx_header(0x00000803, {0xffffffff, 0xffffffff, 0xffffffff}));
    CHECK(error_of([&] { read_idx_images(path); }) ==
          "idx: " + path +
              ": header announces 4294967295x4294967295x4294967295 pixels, a count that overflows 64 bits");
    Bytes labels = idx_header(0x00000801, {0xffffffff});
    labels.resize(labels.size() + 5, 1);
    write_bytes(path, labels);
    CHECK(error_of([&] { read_idx_labels(path); }) ==
          "idx: " + path + ": file holds 5 bytes of labels, header announces 4294967295 (truncated)");
  }
}

TEST_CASE("fuzz: hundreds of corrupted IDX files each load consistently or raise an Error naming the file") {
  TempDir dir;
  std::mt19937 rng(20240601);
  write_idx_images(dir / "img", sample_images(4, 6, 5));
  write_idx_labels(dir / "lab", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 1});
  const Bytes img = read_bytes(dir / "img"), lab = read_bytes(dir / "lab");
  const std::string bad = dir / "bad";
  int refused = 0, loaded = 0;
  auto tally = [&](bool ok) { ok ? ++loaded : ++refused; };

  SUBCASE("truncation at every length, and trailing garbage") {
    for (std::size_t len = 0; len < img.size(); ++len) {
      write_bytes(bad, Bytes(img.begin(), img.begin() + std::ptrdiff_t(len)));
      CHECK_FALSE(images_load_or_name_file(bad));
    }
    for (std::size_t len = 0; len < lab.size(); ++len) {
      write_bytes(bad, Bytes(lab.begin(), lab.begin() + std::ptrdiff_t(len)));
      CHECK_FALSE(labels_load_or_name_file(bad));
    }
    for (std::size_t extra : {1, 2, 31}) {
      Bytes b = img;
      b.resize(b.size() + extra, 0x55);
      write_bytes(bad, b);
      CHECK_FALSE(images_load_or_name_file(bad));
    }
  }
  SUBCASE("random byte flips in the header") {
    for (int trial = 0; trial < 400; ++trial) {
      Bytes b = img;
      const int flips = 1 + int(rng() % 3);
      for (int k = 0; k < flips; ++k) b[rng() % 16] = static_cast<std::uint8_t>(rng());
      write_bytes(bad, b);
      tally(images_load_or_name_file(bad));
    }
    CHECK(refused > 350);  // nearly every header change breaks the magic or the sizes
  }
  SUBCASE("wrong magic and wrong dimension counts") {
    for (std::uint8_t type : {0x00, 0x08, 0x09, 0x0b, 0x0d, 0x0e, 0xff})
      for (std::uint8_t dims = 0; dims < 6; ++dims) {
        Bytes b = img;
        b[2] = type;
        b[3] = dims;
        write_bytes(bad, b);
        CHECK(images_load_or_name_file(bad) == (type == 0x08 && dims == 3));
      }
  }
  SUBCASE("random flips anywhere in a labels file") {
    for (int trial = 0; trial < 300; ++trial) {
      Bytes b = lab;
      b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
      write_bytes(bad, b);
      tally(labels_load_or_name_file(bad));
    }
    CHECK(refused > 0);
    CHECK(loaded > 0);  // a flip to another digit 0..9 leaves a valid file
  }
  SUBCASE("labels of 10 and above, at every position") {
    for (std::size_t i = 8; i < lab.size(); ++i) {
      Bytes b = lab;
      b[i] = static_cast<std::uint8_t>(10 + rng() % 246);
      write_bytes(bad, b);
      const std::string what = error_of([&] { read_idx_labels(bad); });
      CHECK(what.find("at index " + std::to_string(i - 8) + " is outside 0..9") != std::string::npos);
    }
  }
  SUBCASE("gzip streams truncated at every length, and with flipped bytes") {
    write_gzip(dir / "img.gz", img);
    const Bytes gz = read_bytes(dir / "img.gz");
    for (std::size_t len = 0; len < gz.size(); ++len) {
      write_bytes(bad, Bytes(gz.begin(), gz.begin() + std::ptrdiff_t(len)));
      CHECK_FALSE(images_load_or_name_file(bad));
    }
    for (int trial = 0; trial < 300; ++trial) {
      Bytes b = gz;
      b[10 + rng() % (b.size() - 10)] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      write_bytes(bad, b);
      tally(images_load_or_name_file(bad));
    }
    CHECK(refused > 250);  // the CRC-32 in the gzip trailer catches nearly every change
  }
}
