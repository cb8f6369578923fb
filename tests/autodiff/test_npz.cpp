// Specification of base/npz: what NumPy writes we read, what we write NumPy reads, and every
// malformed archive is refused with a saddle::Error that names the file.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zip.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "saddle/base/claimed_size.hpp"
#include "saddle/base/npz.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
using saddle::Error;
using saddle::NamedTensors;
using saddle::Shape;
using saddle::Tensor;

using saddle::testing::TempDir;

namespace {

const std::string kFixtures = SADDLE_TEST_DATA;

template <class T>
Tensor<T> random_tensor(const Shape& shape, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  Tensor<T> t = saddle::empty_tensor<T>(shape);
  for (auto& x : t) x = static_cast<T>(normal(rng));
  return t;
}

template <class T>
bool same_bits(const Tensor<T>& a, const Tensor<T>& b) {  // an empty tensor's data() may be null
  return a.shape() == b.shape() && (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// A .npy member: magic, version 1.0, the header dict padded to 64 bytes with a newline, then data.
std::string npy_bytes(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

template <class S>
std::string raw(std::initializer_list<S> values) {
  std::string s;
  for (S v : values) s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}

void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& members,
               zip_int32_t method = ZIP_CM_STORE) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  REQUIRE(z != nullptr);
  for (const auto& [name, bytes] : members) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    const zip_int64_t idx = zip_file_add(z, name.c_str(), src, 0);
    REQUIRE(idx >= 0);
    REQUIRE(zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), method, 9) == 0);
  }
  REQUIRE(zip_close(z) == 0);
}

std::uint32_t get_u32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
  return v;
}

void put_u32(std::string& b, std::size_t at, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) b[at + k] = static_cast<char>((v >> (8 * k)) & 0xff);
}

// Rewrites the uncompressed size that the first member of a one-member archive states, in its local
// header and in the central directory (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16), leaving its data as is.
std::string with_stated_size(std::string zip, std::uint32_t size) {
  REQUIRE(zip.compare(0, 4, "PK\x03\x04") == 0);
  put_u32(zip, 22, size);
  const std::size_t eocd = zip.size() - 22;
  REQUIRE(zip.compare(eocd, 4, "PK\x05\x06") == 0);
  const std::size_t central = get_u32(zip, eocd + 16);
  REQUIRE(zip.compare(central, 4, "PK\x01\x02") == 0);
  put_u32(zip, central + 24, size);
  return zip;
}

void write_text(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The error load_npz<double> raises for `path`, which must name the file.
std::string load_error(const std::string& path) {
  try {
    saddle::load_npz<double>(path);
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK_MESSAGE(what.find(path) != std::string::npos, what);
    return what;
  }
  FAIL("load_npz accepted " << path);
  return "";
}

}  // namespace

TEST_CASE_TEMPLATE("save_npz then load_npz gives back every array bit for bit, 0-d and empty ones included", T, float,
                   double) {
  TempDir dir;
  std::mt19937 rng(7);
  const std::vector<Shape> shapes = {{}, {1}, {5}, {2, 3}, {2, 3, 4}, {0}, {3, 0}, {1, 1, 1, 1}, {64, 65}};
  NamedTensors<T> arrays;
  for (std::size_t i = 0; i < shapes.size(); ++i)
    arrays.emplace_back("layer" + std::to_string(i) + ".weight", random_tensor<T>(shapes[i], rng));
  const std::string path = dir / "weights.npz";
  saddle::save_npz(path, arrays);
  const NamedTensors<T> back = saddle::load_npz<T>(path);
  REQUIRE(back.size() == arrays.size());
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    CHECK(back[i].first == arrays[i].first);
    CHECK(same_bits(back[i].second, arrays[i].second));
  }
  // Only the target remains: the temporary file was renamed over it.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("save_npz writes .npy headers NumPy's way: version 1.0, '<f4'/'<f8', data 64-byte aligned") {
  TempDir dir;
  const std::string path = dir / "a.npz";
  saddle::save_npz<double>(path, {{"a", saddle::zeros_tensor<double>(Shape{2, 3})}});
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  REQUIRE(z != nullptr);
  zip_stat_t st;
  REQUIRE(zip_stat(z, "a.npy", 0, &st) == 0);
  CHECK(st.comp_method == ZIP_CM_STORE);
  std::string bytes(st.size, '\0');
  zip_file_t* f = zip_fopen(z, "a.npy", 0);
  REQUIRE(zip_fread(f, bytes.data(), st.size) == static_cast<zip_int64_t>(st.size));
  zip_fclose(f);
  zip_discard(z);
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t hlen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  CHECK((10 + hlen) % 64 == 0);
  CHECK(bytes.size() == 10 + hlen + 6 * sizeof(double));
  const std::string header = bytes.substr(10, hlen);
  CHECK(header.find("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }") == 0);
  CHECK(header.back() == '\n');
}

TEST_CASE("save_npz of no arrays writes an empty archive that loads as no arrays") {
  TempDir dir;
  saddle::save_npz<float>(dir / "empty.npz", {});
  CHECK(saddle::load_npz<float>(dir / "empty.npz").empty());
}

TEST_CASE("load_npz reads numpy.savez output exactly, converting dtypes and Fortran order") {
  // tests/data/numpy_savez.npz was written by NumPy 1.24:
  //   np.savez('numpy_savez.npz',
  //     w=np.array([[0.5, -1.25, 3.0], [0.1, 1e-3, -7.0]], dtype=np.float32),
  //     b=np.array([0.1, -2.5, 1e-300, 3.0], dtype=np.float64), step=np.int64(1234),
  //     f=np.asfortranarray(np.arange(6.0).reshape(2, 3)), labels=np.array([0, 9, 255], dtype=np.uint8))
  const auto d = saddle::load_npz<double>(kFixtures + "/numpy_savez.npz");
  std::vector<std::string> keys;
  for (const auto& [k, t] : d) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"w", "b", "step", "f", "labels"});

  const Tensor<double> w = saddle::npz_get(d, "w");
  REQUIRE(w.shape() == Shape{2, 3});
  const float wf[] = {0.5f, -1.25f, 3.0f, 0.1f, 1e-3f, -7.0f};
  for (std::size_t i = 0; i < 6; ++i) CHECK(w.data()[i] == static_cast<double>(wf[i]));

  const Tensor<double> b = saddle::npz_get(d, "b");
  REQUIRE(b.shape() == Shape{4});
  CHECK(b(0) == 0.1);
  CHECK(b(1) == -2.5);
  CHECK(b(2) == 1e-300);
  CHECK(b(3) == 3.0);

  const Tensor<double> step = saddle::npz_get(d, "step");
  CHECK(step.dimension() == 0);
  CHECK(step() == 1234.0);

  const Tensor<double> f = saddle::npz_get(d, "f");  // stored column by column, read back row-major
  REQUIRE(f.shape() == Shape{2, 3});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(f(i, j) == double(3 * i + j));

  const Tensor<double> labels = saddle::npz_get(d, "labels");
  CHECK(labels(0) == 0.0);
  CHECK(labels(1) == 9.0);
  CHECK(labels(2) == 255.0);

  const auto s = saddle::load_npz<float>(kFixtures + "/numpy_savez.npz");
  CHECK(saddle::npz_get(s, "w")(1, 0) == 0.1f);
  CHECK(saddle::npz_get(s, "b")(0) == 0.1f);
}

TEST_CASE("load_npz reads numpy.savez_compressed (deflated) output exactly") {
  //   np.savez_compressed('numpy_savez_compressed.npz',
  //     x=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, -6.0]]), n=np.float32(2.5),
  //     i=np.array([[-1, 2], [3, -4]], dtype=np.int32), z=np.zeros((0, 3), dtype=np.float32),
  //     big=np.zeros((40, 40)))
  const auto d = saddle::load_npz<float>(kFixtures + "/numpy_savez_compressed.npz");
  REQUIRE(d.size() == 5);
  const Tensor<float> x = saddle::npz_get(d, "x");
  REQUIRE(x.shape() == Shape{3, 2});
  const float xs[] = {1, 2, 3, 4, 5, -6};
  for (std::size_t k = 0; k < 6; ++k) CHECK(x.data()[k] == xs[k]);
  const Tensor<float> n = saddle::npz_get(d, "n");
  CHECK(n.dimension() == 0);
  CHECK(n() == 2.5f);
  const Tensor<float> i = saddle::npz_get(d, "i");
  CHECK(i(0, 0) == -1.0f);
  CHECK(i(0, 1) == 2.0f);
  CHECK(i(1, 0) == 3.0f);
  CHECK(i(1, 1) == -4.0f);
  CHECK(saddle::npz_get(d, "z").shape() == Shape{0, 3});
  const Tensor<float> big = saddle::npz_get(d, "big");
  CHECK(big.shape() == Shape{40, 40});
  CHECK(std::all_of(big.begin(), big.end(), [](float v) { return v == 0.0f; }));
}

TEST_CASE("npz_get names the missing key and the keys present") {
  const NamedTensors<float> d = {{"w", saddle::zeros_tensor<float>(Shape{1})},
                                 {"b", saddle::zeros_tensor<float>(Shape{1})}};
  try {
    saddle::npz_get(d, "bias");
    FAIL("npz_get found a missing key");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(what.find("'bias'") != std::string::npos);
    CHECK(what.find("'w', 'b'") != std::string::npos);
  }
}

TEST_CASE("load_npz refuses malformed archives with an error naming the file and the problem") {
  TempDir dir;
  const std::string good_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  const std::string two = raw<double>({1.0, 2.0});

  SUBCASE("missing file") { CHECK(load_error(dir / "absent.npz").find("no such file") != std::string::npos); }
  SUBCASE("not a zip") {
    write_text(dir / "text.npz", "this is not a zip archive, only text long enough to look for a directory");
    CHECK(load_error(dir / "text.npz").find("not a zip") != std::string::npos);
  }
  SUBCASE("member not .npy") {
    write_zip(dir / "m.npz", {{"notes.txt", "hello"}});
    CHECK(load_error(dir / "m.npz").find("notes.txt' is not a .npy") != std::string::npos);
  }
  SUBCASE("bad magic") {
    write_zip(dir / "m.npz", {{"a.npy", "PK\x03\x04 definitely not numpy data"}});
    CHECK(load_error(dir / "m.npz").find("bad magic") != std::string::npos);
  }
  SUBCASE("member shorter than the magic string") {
    write_zip(dir / "m.npz", {{"a.npy", "\x93NU"}});
    CHECK(load_error(dir / "m.npz").find("a.npy") != std::string::npos);
  }
  SUBCASE("unsupported dtype") {
    write_zip(
        dir / "m.npz",
        {{"a.npy", npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", raw<double>({1.0, 0.0}))}});
    CHECK(load_error(dir / "m.npz").find("unsupported dtype '<c16'") != std::string::npos);
  }
  SUBCASE("big-endian dtype") {
    write_zip(dir / "m.npz", {{"a.npy", npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", two)}});
    CHECK(load_error(dir / "m.npz").find("unsupported dtype '>f8'") != std::string::npos);
  }
  SUBCASE("structured dtype") {
    write_zip(dir / "m.npz",
              {{"a.npy", npy_bytes("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (2,), }", two)}});
    CHECK(load_error(dir / "m.npz").find("structured") != std::string::npos);
  }
  SUBCASE("header that is not a dict") {
    write_zip(dir / "m.npz", {{"a.npy", npy_bytes("[1, 2, 3]", two)}});
    CHECK(load_error(dir / "m.npz").find("bad .npy header") != std::string::npos);
  }
  SUBCASE("header without a shape") {
    write_zip(dir / "m.npz", {{"a.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, }", two)}});
    CHECK(load_error(dir / "m.npz").find("'shape' is missing") != std::string::npos);
  }
  SUBCASE("data shorter than the shape") {
    write_zip(dir / "m.npz", {{"a.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", two)}});
    CHECK(load_error(dir / "m.npz") == "load_npz: " + (dir / "m.npz") +
                                           ": member 'a.npy' claims shape (3,) of <f8 = 24 bytes, more than the 16 "
                                           "bytes present");
  }
  SUBCASE("data longer than the shape") {
    write_zip(dir / "m.npz", {{"a.npy", npy_bytes(good_dict, two + raw<double>({3.0}))}});
    CHECK(load_error(dir / "m.npz").find("(2,) of <f8 = 16 bytes, fewer than the 24 bytes present") !=
          std::string::npos);
  }
  SUBCASE("shape whose byte count overflows 64 bits, though its element count does not") {
    // 2^31 * 2^30 = 2^61 elements fit in 64 bits; their 2^64 bytes as <f8 do not.
    write_zip(
        dir / "m.npz",
        {{"a.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483648, 1073741824), }", two)}});
    CHECK(load_error(dir / "m.npz").find("(2147483648,1073741824) of <f8, whose size in bytes overflows 64 bits") !=
          std::string::npos);
  }
  SUBCASE("archive cut short") {
    saddle::save_npz<double>(dir / "full.npz", {{"a", saddle::zeros_tensor<double>(Shape{100})}});
    const std::string bytes = read_text(dir / "full.npz");
    for (std::size_t len : {std::size_t(0), std::size_t(10), bytes.size() / 2, bytes.size() - 1}) {
      write_text(dir / "cut.npz", bytes.substr(0, len));
      load_error(dir / "cut.npz");
    }
  }
  SUBCASE("flipped data byte fails the CRC check") {
    saddle::save_npz<double>(dir / "full.npz", {{"a", saddle::zeros_tensor<double>(Shape{100})}});
    std::string bytes = read_text(dir / "full.npz");
    // The member's data starts after the 30-byte local header, the name and the 128-byte .npy header.
    bytes[30 + 5 + 128 + 40] ^= 0x10;
    write_text(dir / "flip.npz", bytes);
    load_error(dir / "flip.npz");
  }
  SUBCASE("good member still loads") {
    write_zip(dir / "m.npz", {{"a.npy", npy_bytes(good_dict, two)}});
    const auto d = saddle::load_npz<double>(dir / "m.npz");
    CHECK(saddle::npz_get(d, "a")(1) == 2.0);
  }
}

TEST_CASE("load_npz believes no size the archive's bytes cannot back, and checks before allocating or inflating") {
  // Each claim below, if believed, would allocate at least the claimed size before the data ran out;
  // the exact message shows the claim was refused first.
  TempDir dir;
  const std::string path = dir / "w.npz";
  const std::string dict1000 = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }";
  const std::string zeros1000(8000, '\0');
  auto central_u32 = [](const std::string& zip, std::size_t field) {  // of the archive's only member
    return get_u32(zip, get_u32(zip, zip.size() - 22 + 16) + field);
  };

  SUBCASE(".npy header claiming a 1048576 x 1048576 array over two doubles") {
    write_zip(path, {{"fc.weight.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, "
                                                 "'shape': (1048576, 1048576), }",
                                                 raw<double>({1.0, 2.0}))}});
    CHECK(load_error(path) == "load_npz: " + path +
                                  ": member 'fc.weight.npy' claims shape (1048576,1048576) of <f8 = 8 TiB, more than "
                                  "the 16 bytes present");
  }
  SUBCASE("stored member whose stated size differs from its bytes") {
    const std::string member = npy_bytes(dict1000, zeros1000);
    write_zip(dir / "honest.npz", {{"a.npy", member}});
    write_text(path, with_stated_size(read_text(dir / "honest.npz"), 0xF0000000u));  // 3.75 GiB
    CHECK(load_error(path) == "load_npz: " + path + ": member 'a.npy' is stored uncompressed yet claims 3.75 GiB in " +
                                  std::to_string(member.size()) + " bytes");
  }
  SUBCASE("deflated member stating more than 1032 times its compressed bytes, and exactly that much") {
    write_zip(dir / "honest.npz", {{"a.npy", npy_bytes(dict1000, zeros1000)}}, ZIP_CM_DEFLATE);
    const std::string honest = read_text(dir / "honest.npz");
    const std::uint32_t compressed = central_u32(honest, 20);
    write_text(path, with_stated_size(honest, 1032 * compressed + 1));
    CHECK(load_error(path).find("member 'a.npy' claims " + saddle::byte_size_str(1032 * compressed + 1) +
                                " uncompressed, more than its " + std::to_string(compressed) +
                                " bytes of deflated data can hold") != std::string::npos);
    // At the bound the stated size passes, and the .npy header is held to it instead.
    write_text(path, with_stated_size(honest, 1032 * compressed));
    CHECK(load_error(path).find("(1000,) of <f8 = 8000 bytes, fewer than the " +
                                saddle::byte_size_str(1032 * compressed - 128) + " present") != std::string::npos);
  }
  SUBCASE("deflated member whose header agrees with its stated size but whose data stops short") {
    const std::string dict1100 = "{'descr': '<f8', 'fortran_order': False, 'shape': (1100,), }";
    write_zip(dir / "honest.npz", {{"a.npy", npy_bytes(dict1100, zeros1000)}}, ZIP_CM_DEFLATE);
    write_text(path, with_stated_size(read_text(dir / "honest.npz"), 128 + 8800));
    CHECK(
        load_error(path).find("member 'a.npy' ends after 8128 bytes, inside the array data; the archive states 8928") !=
        std::string::npos);
  }
  SUBCASE("deflated member that inflates to more than its stated size") {
    write_zip(dir / "honest.npz", {{"a.npy", npy_bytes(dict1000, zeros1000 + zeros1000)}}, ZIP_CM_DEFLATE);
    write_text(path, with_stated_size(read_text(dir / "honest.npz"), 128 + 8000));
    CHECK(load_error(path).find("member 'a.npy' inflates to more than the 8128 bytes the archive states") !=
          std::string::npos);
  }
  SUBCASE("two members sharing one deflated stream, as in zip bombs, are refused at the second") {
    // Random bytes barely compress, so two members' worth of their stream is more than the file.
    std::mt19937 rng(5);
    std::string noise(2000, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    const std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2000,), }";
    write_zip(dir / "honest.npz", {{"a.npy", npy_bytes(dict, noise)}}, ZIP_CM_DEFLATE);
    const std::string honest = read_text(dir / "honest.npz");
    // A second central directory entry, named b.npy, pointing at a.npy's local header and data.
    const std::size_t eocd = honest.size() - 22, central = get_u32(honest, eocd + 16);
    std::string entry = honest.substr(central, eocd - central);
    entry.replace(46, 5, "b.npy");  // the name follows the 46-byte fixed part
    std::string shared = honest.substr(0, eocd) + entry + honest.substr(eocd);
    const std::size_t shared_eocd = shared.size() - 22;
    shared[shared_eocd + 8] = shared[shared_eocd + 10] = 2;  // entries on this disk, and in all
    put_u32(shared, shared_eocd + 12, static_cast<std::uint32_t>(2 * entry.size()));
    write_text(path, shared);
    const std::uint32_t compressed = central_u32(honest, 20);
    CHECK(load_error(path) == "load_npz: " + path + ": member 'b.npy' claims " + std::to_string(compressed) +
                                  " bytes of compressed data, more than the " +
                                  std::to_string(shared.size() - compressed) +
                                  " bytes of the file that the members before it leave (members may not share data)");
  }
  SUBCASE("an array over kMaxNpyArrayBytes once converted, though its stated bytes are backed") {
    // 3e8 bytes stored as |u1 are 2.4e9 bytes as double; 300 kB of random bytes deflate to about as
    // many, enough to back a stated 3e8 at 1032 to 1.
    std::mt19937 rng(3);
    std::string noise(300000, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    const std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (300000000,), }";
    write_zip(dir / "honest.npz", {{"big.npy", npy_bytes(dict, noise)}}, ZIP_CM_DEFLATE);
    write_text(path, with_stated_size(read_text(dir / "honest.npz"), 128 + 300000000));
    REQUIRE(2400000000u > saddle::kMaxNpyArrayBytes);
    CHECK(load_error(path) == "load_npz: " + path + ": member 'big.npy' claims shape (300000000,) of |u1 = " +
                                  saddle::byte_size_str(2400000000u) +
                                  " as double, more than the 2 GiB an array may take (kMaxNpyArrayBytes)");
  }
  SUBCASE("deflated data with a byte changed anywhere is refused, or inflates to the same array") {
    const std::string dict3 = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
    write_zip(dir / "honest.npz", {{"a.npy", npy_bytes(dict3, raw<double>({1.5, -2.0, 3.25}))}}, ZIP_CM_DEFLATE);
    REQUIRE(saddle::npz_get(saddle::load_npz<double>(dir / "honest.npz"), "a")(2) == 3.25);
    const std::string honest = read_text(dir / "honest.npz");
    // The local header is 30 bytes, then the name and the extra field, then the compressed data.
    const std::size_t begin = 30 + (get_u32(honest, 26) & 0xffff) + (get_u32(honest, 28) & 0xffff);
    int refused = 0;
    for (std::size_t at = begin; at < begin + get_u32(honest, 18); ++at) {
      std::string bytes = honest;
      bytes[at] = static_cast<char>(bytes[at] ^ 0x5a);
      write_text(path, bytes);
      try {  // a change confined to the unused bits of the stream's last byte inflates the same
        const Tensor<double> a = saddle::npz_get(saddle::load_npz<double>(path), "a");
        CHECK(a == Tensor<double>{1.5, -2.0, 3.25});
      } catch (const Error& e) {
        CHECK(std::string(e.what()).find(path) != std::string::npos);
        ++refused;
      }
    }
    CHECK(refused >= int(get_u32(honest, 18)) - 1);
  }
}

TEST_CASE("save_npz refuses empty or repeated names and leaves the existing file untouched") {
  TempDir dir;
  const std::string path = dir / "w.npz";
  saddle::save_npz<float>(path, {{"w", saddle::zeros_tensor<float>(Shape{3})}});
  const std::string before = read_text(path);
  const auto z = saddle::zeros_tensor<float>(Shape{2});
  CHECK_THROWS_AS(saddle::save_npz<float>(path, {{"a", z}, {"a", z}}), Error);
  CHECK_THROWS_AS(saddle::save_npz<float>(path, {{"", z}}), Error);
  CHECK(read_text(path) == before);
  CHECK_THROWS_AS(saddle::save_npz<float>(dir / "no/such/dir/w.npz", {{"w", z}}), Error);
}
