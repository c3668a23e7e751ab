// Crockford base32: random codes, fixed-width numbers, and forgiving normalization of what staff typed.
#include "minyi/protocol/codes.h"

#include <sodium.h>

#include <stdexcept>

namespace minyi::protocol {

namespace {

// The symbol's value, or -1. Takes normalized (upper-case, O/I/L already mapped) input.
int symbolValue(char c) {
  for (int i = 0; i < 32; ++i)
    if (kCrockfordAlphabet[i] == c) return i;
  return -1;
}

}  // namespace

std::string randomCrockford(size_t chars) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::string out;
  out.reserve(chars);
  for (size_t i = 0; i < chars; ++i) out += kCrockfordAlphabet[randombytes_uniform(32)];
  return out;
}

std::string crockfordEncode(uint64_t value, size_t chars) {
  std::string out(chars, '0');
  for (size_t i = chars; i-- > 0;) {
    out[i] = kCrockfordAlphabet[value & 31];
    value >>= 5;
  }
  return out;
}

std::optional<uint64_t> crockfordDecode(std::string_view symbols) {
  if (symbols.empty() || symbols.size() > 12) return std::nullopt;
  uint64_t value = 0;
  for (char c : symbols) {
    const int v = symbolValue(c);
    if (v < 0) return std::nullopt;
    value = (value << 5) | static_cast<uint64_t>(v);
  }
  return value;
}

std::optional<std::string> normalizeCrockford(std::string_view typed) {
  std::string out;
  out.reserve(typed.size());
  for (char c : typed) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    else if (c == 'I' || c == 'L') c = '1';
    if (symbolValue(c) < 0) return std::nullopt;
    out += c;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string groupCode(std::string_view symbols, size_t groupSize) {
  std::string out;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i > 0 && groupSize > 0 && i % groupSize == 0) out += '-';
    out += symbols[i];
  }
  return out;
}

}  // namespace minyi::protocol
