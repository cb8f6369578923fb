// saddle/base/npz.cpp — .npz read/write through libzip; the .npy encoding follows
// numpy/lib/format.py (format versions 1.0, 2.0, 3.0 read; 1.0 written).
#include "saddle/base/npz.hpp"

#include "saddle/base/distributed.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <xtensor/xmanipulation.hpp>

#include "saddle/base/claimed_size.hpp"
#include "saddle/base/npy_header.hpp"

namespace saddle {
namespace {

static_assert(std::endian::native == std::endian::little,
              "npz: elements are copied as little-endian bytes, as NumPy's '<' dtypes store them");

template <class T>
constexpr const char* descr_of = sizeof(T) == 4 ? "<f4" : "<f8";

// --- element types ---

template <class T, class S>
void convert_from(const unsigned char* src, std::size_t n, T* dst) {
  for (std::size_t i = 0; i < n; ++i) {
    S v;
    std::memcpy(&v, src + i * sizeof(S), sizeof(S));
    dst[i] = static_cast<T>(v);
  }
}

template <class T>
struct Dtype {
  const char* code;  // after the byte-order character
  std::size_t size;
  void (*convert)(const unsigned char* src, std::size_t n, T* dst);
};

template <class T>
Dtype<T> parse_descr(const std::string& descr, const std::string& where) {
  static const Dtype<T> table[] = {{"f4", 4, convert_from<T, float>},         {"f8", 8, convert_from<T, double>},
                                   {"i1", 1, convert_from<T, std::int8_t>},   {"i2", 2, convert_from<T, std::int16_t>},
                                   {"i4", 4, convert_from<T, std::int32_t>},  {"i8", 8, convert_from<T, std::int64_t>},
                                   {"u1", 1, convert_from<T, std::uint8_t>},  {"u2", 2, convert_from<T, std::uint16_t>},
                                   {"u4", 4, convert_from<T, std::uint32_t>}, {"u8", 8, convert_from<T, std::uint64_t>},
                                   {"b1", 1, convert_from<T, std::uint8_t>}};  // NumPy stores bools as bytes 0 and 1
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '|'))
    for (const auto& dt : table)
      if (descr.compare(1, 2, dt.code) == 0 && (descr[0] == '<' || dt.size == 1)) return dt;
  throw Error(where + ": unsupported dtype '" + descr +
              "' (supported: <f4 <f8 <i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1, little-endian)");
}

// --- libzip handles ---

std::string zip_error_text(int code) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  std::string s = zip_error_strerror(&ze);
  zip_error_fini(&ze);
  return s;
}

// A member's bytes as libzip inflates them, counted against the size the archive states for it.
struct MemberReader {
  zip_file_t* f;
  std::uint64_t stated;  // the member's uncompressed size, from the central directory
  const std::string& where;
  std::uint64_t produced = 0;
  ~MemberReader() { zip_fclose(f); }

  // Reads exactly n bytes, or throws naming how far the member got.
  void read_exact(void* dst, std::size_t n, const char* what) {
    auto* p = static_cast<unsigned char*>(dst);
    std::size_t got = 0;
    while (got < n) {
      const zip_int64_t r = zip_fread(f, p + got, n - got);
      if (r < 0) throw Error(where + ": cannot read " + what + ": " + zip_file_strerror(f));
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    produced += got;
    if (got != n)
      throw Error(where + " ends after " + std::to_string(produced) + " bytes, inside " + what +
                  "; the archive states " + std::to_string(stated));
  }

  // The member must end where its stated size says; reading to the end also makes libzip check
  // the CRC-32, which it does only when a read reaches the end.
  void expect_end() {
    unsigned char extra;
    const zip_int64_t r = zip_fread(f, &extra, 1);
    if (r < 0) throw Error(where + ": " + zip_file_strerror(f));
    if (r > 0)
      throw Error(where + " inflates to more than the " + std::to_string(stated) + " bytes the archive states");
  }
};

// What the archive states about a member, checked before a byte of it is read: its compressed bytes
// fit in the part of the file the members before it left (`taken` bytes are theirs: members that
// share their data, as in zip bombs, would multiply what the file can inflate to), and its
// uncompressed size is what they can produce, the same count for a stored member and at most
// kMaxDeflateRatio times as many for a deflated one (the only two methods numpy.savez and
// numpy.savez_compressed use).
void check_member_sizes(const zip_stat_t& st, std::uint64_t file_size, std::uint64_t taken, const std::string& where) {
  if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
    throw Error(where + " uses zip compression method " + std::to_string(st.comp_method) +
                "; .npz members are stored (0) or deflated (8)");
  if (st.comp_size > file_size - taken)
    throw Error(where + " claims " + byte_size_str(st.comp_size) + " of compressed data, more than the " +
                byte_size_str(file_size - taken) + " of the file" +
                (taken > 0 ? " that the members before it leave (members may not share data)" : ""));
  if (st.comp_method == ZIP_CM_STORE && st.size != st.comp_size)
    throw Error(where + " is stored uncompressed yet claims " + byte_size_str(st.size) + " in " +
                byte_size_str(st.comp_size));
  if (st.comp_method == ZIP_CM_DEFLATE && st.size > st.comp_size * kMaxDeflateRatio)
    throw Error(where + " claims " + byte_size_str(st.size) + " uncompressed, more than its " +
                byte_size_str(st.comp_size) + " of deflated data can hold (" + std::to_string(kMaxDeflateRatio) +
                " times as much)");
}

// The array's size in bytes as stored (`stored`) and as T (`loaded`), checked against the bytes the
// member holds after its header and against kMaxNpyArrayBytes, before anything is allocated.
template <class T>
void check_array_size(const npy::Header& h, std::size_t element_size, std::uint64_t held, const std::string& where,
                      std::uint64_t& count, std::uint64_t& stored) {
  const std::string claim = " claims shape " + shape_str(h.shape) + " of " + h.descr;
  std::uint64_t loaded = 0;
  if (!checked_product(h.shape, count) || __builtin_mul_overflow(count, element_size, &stored) ||
      __builtin_mul_overflow(count, sizeof(T), &loaded))
    throw Error(where + claim + ", whose size in bytes overflows 64 bits");
  if (stored != held)
    throw Error(where + claim + " = " + byte_size_str(stored) + (stored > held ? ", more" : ", fewer") + " than the " +
                byte_size_str(held) + " present");
  if (std::max(stored, loaded) > kMaxNpyArrayBytes)
    throw Error(where + claim + " = " + byte_size_str(std::max(stored, loaded)) +
                (loaded > stored ? (sizeof(T) == 4 ? " as float" : " as double") : "") + ", more than the " +
                byte_size_str(kMaxNpyArrayBytes) + " an array may take (kMaxNpyArrayBytes)");
}

template <class T>
Tensor<T> read_npy_member(zip_t* z, zip_uint64_t index, std::uint64_t member_size, const std::string& where) {
  zip_file_t* f = zip_fopen_index(z, index, 0);
  if (!f) throw Error(where + ": cannot open member: " + zip_strerror(z));
  MemberReader in{f, member_size, where};

  unsigned char prefix[npy::kMagicLen + 2];
  in.read_exact(prefix, sizeof prefix, "the .npy magic string");
  if (std::memcmp(prefix, npy::kMagic, npy::kMagicLen) != 0) throw Error(where + ": bad magic string, not a .npy file");
  const unsigned major = prefix[npy::kMagicLen];
  if (major < 1 || major > 3)
    throw Error(where + ": unsupported .npy format version " + std::to_string(major) + "." +
                std::to_string(prefix[npy::kMagicLen + 1]));
  // Version 1.0 stores the header length in 2 bytes, 2.0 and 3.0 in 4 (little-endian).
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  unsigned char len_raw[4] = {0, 0, 0, 0};
  in.read_exact(len_raw, len_bytes, "the header length");
  const std::size_t hlen =
      len_raw[0] | (len_raw[1] << 8) | (std::size_t(len_raw[2]) << 16) | (std::size_t(len_raw[3]) << 24);
  const std::uint64_t offset = sizeof prefix + len_bytes + hlen;
  if (hlen > npy::kMaxHeaderLen || offset > member_size)
    throw Error(where + ": header length " + std::to_string(hlen) + " is implausible for a member of " +
                std::to_string(member_size) + " bytes");
  std::string text(hlen, '\0');
  in.read_exact(text.data(), hlen, "the header");
  const npy::Header h = npy::parse_header(text, where);
  const Dtype<T> dt = parse_descr<T>(h.descr, where);
  std::uint64_t count = 0, stored = 0;
  check_array_size<T>(h, dt.size, member_size - offset, where, count, stored);

  // Fortran order of shape (a, b, c) is C order of shape (c, b, a), transposed.
  Shape stored_shape = h.shape;
  if (h.fortran_order) std::reverse(stored_shape.begin(), stored_shape.end());
  Tensor<T> out = empty_tensor<T>(stored_shape);
  if (dt.code[0] == 'f' && dt.size == sizeof(T)) {
    in.read_exact(out.data(), stored, "the array data");
  } else {  // converted a slice at a time, so that no second copy of the array is ever held
    constexpr std::size_t kSlice = 1 << 16;
    std::vector<unsigned char> raw(std::min<std::size_t>(count, kSlice) * dt.size);
    for (std::size_t done = 0; done < count; done += kSlice) {
      const std::size_t n = std::min<std::size_t>(count - done, kSlice);
      in.read_exact(raw.data(), n * dt.size, "the array data");
      dt.convert(raw.data(), n, out.data() + done);
    }
  }
  in.expect_end();
  if (h.fortran_order && out.dimension() > 1) return Tensor<T>(xt::transpose(out));
  return out;
}

// Makes the temporary durable before it is renamed over `target`, or removes it and throws: a file
// renamed unsynced can be found empty after a crash, with the old weights already gone.
void fsync_path(const std::string& path, const std::string& target) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const int e = errno;
  if (fd >= 0) ::close(fd);
  if (!synced) {
    std::remove(path.c_str());
    throw Error("save_npz: cannot sync " + target + ": " + std::strerror(e));
  }
}

// The 22-byte end-of-central-directory record of an archive with no members (APPNOTE.TXT 4.3.16);
// libzip deletes an archive that has no members instead of writing one.
void write_empty_zip(const std::string& path, const std::string& target) {
  const char eocd[22] = {'P', 'K', 5, 6};
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(eocd, 1, sizeof eocd, f) != sizeof eocd || std::fclose(f) != 0)
    throw Error("save_npz: cannot write " + target + ": " + std::strerror(errno));
}

}  // namespace

template <class T>
void save_npz(const std::string& path, const NamedTensors<T>& arrays) {
  if (distributed::rank() != 0) return;  // every rank holds the same arrays; rank 0 writes them
  std::set<std::string> names;
  for (const auto& [name, t] : arrays) {
    if (name.empty()) throw Error("save_npz: " + path + ": an array has an empty name");
    if (!names.insert(name).second) throw Error("save_npz: " + path + ": name '" + name + "' is given twice");
  }
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  if (arrays.empty()) {
    write_empty_zip(tmp, path);
  } else {
    int err = 0;
    zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z) throw Error("save_npz: cannot create " + tmp + ": " + zip_error_text(err));
    // libzip reads the buffers at zip_close, so they live until then.
    std::vector<std::string> members;
    members.reserve(arrays.size());
    try {
      for (const auto& [name, t] : arrays) {
        const Tensor<T> c = t;  // row-major and contiguous
        std::string& m = members.emplace_back(npy::header_bytes(descr_of<T>, to_shape(c.shape())));
        m.append(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(T));
        zip_source_t* src = zip_source_buffer(z, m.data(), m.size(), 0);
        if (!src) throw Error("save_npz: " + path + ": " + zip_strerror(z));
        const zip_int64_t idx = zip_file_add(z, (name + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
          zip_source_free(src);
          throw Error("save_npz: " + path + ": cannot add '" + name + ".npy': " + zip_strerror(z));
        }
        // Stored, as numpy.savez does: weights barely compress and loading stays a copy.
        zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
        // A fixed date (1980-01-01, the first a zip entry can hold) instead of the clock's, so
        // the same arrays always give the same bytes.
        zip_file_set_mtime(z, static_cast<zip_uint64_t>(idx), 315532800, 0);
      }
    } catch (...) {
      zip_discard(z);
      std::remove(tmp.c_str());
      throw;
    }
    if (zip_close(z) != 0) {
      const std::string why = zip_strerror(z);
      zip_discard(z);
      std::remove(tmp.c_str());
      throw Error("save_npz: cannot write " + path + ": " + why);
    }
  }
  fsync_path(tmp, path);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error("save_npz: cannot rename " + tmp + " to " + path + ": " + why);
  }
}

template <class T>
NamedTensors<T> load_npz(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error("load_npz: " + path + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw Error("load_npz: " + path + ": not a regular file");
  const std::uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) throw Error("load_npz: " + path + ": cannot read its size: " + ec.message());
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) {
    if (err == ZIP_ER_NOZIP)
      throw Error("load_npz: " + path + ": not a zip archive, or one cut short (an .npz file is a zip archive)");
    throw Error("load_npz: " + path + ": cannot open: " + zip_error_text(err));
  }
  struct Closer {
    zip_t* z;
    ~Closer() { zip_discard(z); }
  } closer{z};

  NamedTensors<T> out;
  std::uint64_t taken = 0;  // bytes of compressed data of the members so far
  const zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    constexpr zip_uint64_t kNeeded = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
    if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || (st.valid & kNeeded) != kNeeded)
      throw Error("load_npz: " + path + ": cannot read entry " + std::to_string(i) + ": " + zip_strerror(z));
    const std::string member = st.name;
    const std::string where = "load_npz: " + path + ": member '" + member + "'";
    if (member.size() < 4 || member.compare(member.size() - 4, 4, ".npy") != 0)
      throw Error(where + " is not a .npy file");
    check_member_sizes(st, file_size, taken, where);
    taken += st.comp_size;
    out.emplace_back(member.substr(0, member.size() - 4),
                     read_npy_member<T>(z, static_cast<zip_uint64_t>(i), st.size, where));
  }
  return out;
}

template <class T>
Tensor<T> npz_get(const NamedTensors<T>& arrays, const std::string& name) {
  for (const auto& [key, t] : arrays)
    if (key == name) return t;
  std::string keys;
  for (const auto& [key, t] : arrays) keys += (keys.empty() ? "'" : ", '") + key + "'";
  throw Error("npz_get: no array named '" + name + "'; the archive holds " + (keys.empty() ? "none" : keys));
}

template void save_npz<float>(const std::string&, const NamedTensors<float>&);
template void save_npz<double>(const std::string&, const NamedTensors<double>&);
template NamedTensors<float> load_npz<float>(const std::string&);
template NamedTensors<double> load_npz<double>(const std::string&);
template Tensor<float> npz_get<float>(const NamedTensors<float>&, const std::string&);
template Tensor<double> npz_get<double>(const NamedTensors<double>&, const std::string&);

}  // namespace saddle
