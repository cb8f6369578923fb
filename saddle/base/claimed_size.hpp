// saddle/base/claimed_size.hpp — checking the sizes a file's header claims before believing
// them: products of dimensions that cannot overflow, the most a compressed stream can expand to,
// and byte counts written as people read them ("8 TiB", "1.06 GiB", "77 bytes") for the messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace saddle {

// A deflate stream (zip members, gzip files) inflates to at most 1032 times its compressed length:
// its densest code spends 2 bits on a match of 258 bytes (zlib's FAQ, "What's the maximum
// compression ratio?"). A claimed uncompressed size beyond that is a lie, refused before inflating.
inline constexpr std::uint64_t kMaxDeflateRatio = 1032;

// The product of `dims` in `out`, or false when it does not fit in 64 bits. Any zero dimension
// makes the product 0, whatever the others are.
template <class Dims>
bool checked_product(const Dims& dims, std::uint64_t& out) {
  std::uint64_t p = 1;
  bool overflow = false;
  for (auto d : dims) {
    if (d == 0) {
      out = 0;
      return true;
    }
    overflow = overflow || __builtin_mul_overflow(p, static_cast<std::uint64_t>(d), &p);
  }
  out = p;
  return !overflow;
}

// Counts below 10 KiB are written exactly; larger ones in the largest binary unit that keeps the
// number at least 1, exactly when the count is a whole number of that unit, else to 3 digits.
inline std::string byte_size_str(std::uint64_t bytes) {
  if (bytes < 10 * 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  std::uint64_t unit = 1024;
  while (u + 1 < 6 && bytes / 1024 >= unit) {
    unit *= 1024;
    ++u;
  }
  char buf[32];
  if (bytes % unit == 0) {
    std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(bytes / unit), units[u]);
  } else {
    const double v = static_cast<double>(bytes) / static_cast<double>(unit);
    std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
  }
  return buf;
}

}  // namespace saddle
