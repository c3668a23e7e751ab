// Character sets of the font subset: UTF-8 decoding, GB2312 membership and the per-language atlas set.
#include "minyi/input/charset.h"

#include <iconv.h>

namespace minyi::input {

std::vector<char32_t> decodeUtf8(const std::string& s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) break;
    char32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    out.push_back(cp);
  }
  return out;
}

namespace {

// GB2312 as the code points of every valid double-byte EUC-CN code (rows A1–F7, cells A1–FE), decoded once
// through iconv: the same way fonts/make-subset.py finds it with Python's codec.
struct Gb2312Table {
  std::vector<bool> bits = std::vector<bool>(0x10000, false);
  bool known = false;
  Gb2312Table() {
    iconv_t cd = iconv_open("UTF-32LE", "GB2312");
    if (cd == reinterpret_cast<iconv_t>(-1)) return;
    for (unsigned hi = 0xA1; hi <= 0xF7; ++hi)
      for (unsigned lo = 0xA1; lo <= 0xFE; ++lo) {
        char in[2] = {static_cast<char>(hi), static_cast<char>(lo)};
        unsigned char out[8] = {};
        char* ip = in;
        char* op = reinterpret_cast<char*>(out);
        size_t il = 2, ol = sizeof out;
        iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset the state after an invalid code
        if (iconv(cd, &ip, &il, &op, &ol) == static_cast<size_t>(-1) || ol != 4) continue;
        const char32_t cp = out[0] | (out[1] << 8) | (out[2] << 16) | (static_cast<char32_t>(out[3]) << 24);
        if (cp < 0x10000) bits[cp] = true;
      }
    iconv_close(cd);
    known = true;
  }
};

const Gb2312Table& gb2312() {
  static const Gb2312Table table;  // thread-safe one-time initialisation
  return table;
}

bool isIdeograph(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

}  // namespace

bool isGb2312(char32_t cp) { return cp < 0x10000 && gb2312().bits[cp]; }
bool gb2312Known() { return gb2312().known; }

CharSet CharSet::fromUtf8(const std::string& utf8) {
  CharSet s;
  for (char32_t cp : decodeUtf8(utf8))
    if (cp >= 0x20) s.add(cp);
  return s;
}

bool CharSet::containsAll(const std::string& utf8) const {
  for (char32_t cp : decodeUtf8(utf8))
    if (cp != '\n' && !contains(cp)) return false;
  return true;
}

size_t CharSet::size() const {
  size_t n = 0;
  for (bool b : bits_) n += b;
  return n;
}

std::vector<uint16_t> CharSet::ranges() const {
  std::vector<uint16_t> out;
  for (unsigned cp = 1; cp < 0x10000; ++cp) {
    if (!bits_[cp]) continue;
    unsigned end = cp;
    while (end + 1 < 0x10000 && bits_[end + 1]) ++end;
    out.push_back(static_cast<uint16_t>(cp));
    out.push_back(static_cast<uint16_t>(end));
    cp = end;
  }
  out.push_back(0);
  return out;
}

CharSet CharSet::forAtlas(bool traditional, const std::string& displayText) const {
  if (traditional || !gb2312Known()) return *this;
  CharSet shown = fromUtf8(displayText);
  CharSet out;
  for (unsigned cp = 0; cp < 0x10000; ++cp)
    if (bits_[cp] && (!isIdeograph(cp) || isGb2312(cp) || shown.contains(cp))) out.bits_[cp] = true;
  return out;
}

}  // namespace minyi::input
