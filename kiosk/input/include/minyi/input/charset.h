// The characters of the kiosk's font subset (fonts/charset.txt), and which of them an atlas must hold for a
// given UI language: Traditional-only variants are needed only while the UI is 繁.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace minyi::input {

// Decodes UTF-8 into code points; a malformed or truncated sequence ends the decoding.
std::vector<char32_t> decodeUtf8(const std::string& utf8);

// True for characters of GB2312 (6763 hanzi and 682 symbols), from the C library's GB2312 converter.
// gb2312Known() is false when no converter is installed; then isGb2312 is false for everything.
bool isGb2312(char32_t cp);
bool gb2312Known();

// A set of BMP code points (ImWchar is 16-bit in Debian's ImGui build).
class CharSet {
 public:
  CharSet() : bits_(0x10000, false) {}
  static CharSet fromUtf8(const std::string& utf8);
  void add(char32_t cp) {
    if (cp < 0x10000) bits_[cp] = true;
  }
  bool contains(char32_t cp) const { return cp < 0x10000 && bits_[cp]; }
  // True when every character of utf8 (line breaks aside) is in the set.
  bool containsAll(const std::string& utf8) const;
  size_t size() const;
  // [first, last] pairs of contiguous runs, zero-terminated: the form ImGui takes glyph ranges in.
  std::vector<uint16_t> ranges() const;

  // What a body-size atlas must hold out of this subset. Traditional UI: all of it. Otherwise everything but
  // the ideographs outside GB2312 that no displayed text uses (the Traditional variants only 繁 typing
  // produces): GB2312 and Latin for candidates and keys, `displayText` for the forms and string tables.
  // Without a GB2312 converter the whole subset is kept (bigger, never missing a character).
  CharSet forAtlas(bool traditional, const std::string& displayText) const;

 private:
  std::vector<bool> bits_;
};

}  // namespace minyi::input
