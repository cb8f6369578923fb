// saddle/base/npy_header.cpp — the .npy header's dict, written as NumPy writes it and parsed
// as a small subset of Python literals: strings, True/False and tuples of non-negative integers.
#include "saddle/base/npy_header.hpp"

#include <set>

namespace saddle::npy {
namespace {

constexpr std::size_t kArrayAlign = 64;           // numpy.lib.format.ARRAY_ALIGN
constexpr std::size_t kGrowthAxisMaxDigits = 21;  // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS

std::string shape_repr(const Shape& shape) {  // Python's repr of a tuple of ints
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& where) : s_(text), where_(where) {}

  Header parse() {
    Header h;
    std::set<std::string> seen;
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          fail("descr is not a simple dtype string (structured dtypes are not supported)");
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        h.fortran_order = bool_literal();
      } else if (key == "shape") {
        h.shape = tuple_literal();
      } else {
        fail("unexpected key '" + key + "'");
      }
      seen.insert(key);
      skip_ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}' at offset " + std::to_string(i_));
    }
    for (const char* k : {"descr", "fortran_order", "shape"})
      if (!seen.count(k)) fail(std::string("key '") + k + "' is missing");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(where_ + ": bad .npy header (" + why + "): " + s_.substr(0, 200));
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n')) ++i_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) fail(std::string("expected '") + c + "' at offset " + std::to_string(i_));
    ++i_;
  }
  std::string string_literal() {
    skip_ws();
    const char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string at offset " + std::to_string(i_));
    const std::size_t end = s_.find(q, i_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string v = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return v;
  }
  bool bool_literal() {
    if (s_.compare(i_, 4, "True") == 0) {
      i_ += 4;
      return true;
    }
    if (s_.compare(i_, 5, "False") == 0) {
      i_ += 5;
      return false;
    }
    fail("fortran_order is neither True nor False");
  }
  Shape tuple_literal() {
    Shape shape;
    expect('(');
    for (;;) {
      skip_ws();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') fail("shape holds a non-integer at offset " + std::to_string(i_));
      std::size_t d = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (__builtin_mul_overflow(d, 10, &d) || __builtin_add_overflow(d, std::size_t(peek() - '0'), &d))
          fail("shape dimension overflows");
        ++i_;
      }
      if (peek() == 'L') ++i_;  // Python 2 long literals
      shape.push_back(d);
      skip_ws();
      if (peek() == ',')
        ++i_;
      else if (peek() != ')')
        fail("expected ',' or ')' in shape at offset " + std::to_string(i_));
    }
    ++i_;
    return shape;
  }

  const std::string& s_;
  std::string where_;
  std::size_t i_ = 0;
};

}  // namespace

std::string header_bytes(const std::string& descr, const Shape& shape) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  const std::size_t hlen = dict.size() + 1;  // + the final newline
  const std::size_t pad = kArrayAlign - (kMagicLen + 2 + 2 + hlen) % kArrayAlign;
  dict.append(pad, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>((dict.size() >> 8) & 0xff);
  return out + dict;
}

Header parse_header(const std::string& text, const std::string& where) { return HeaderParser(text, where).parse(); }

}  // namespace saddle::npy
