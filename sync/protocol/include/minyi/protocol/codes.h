// Crockford base32 codes people read aloud and type: enrollment codes now, complaint ticket codes later.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minyi::protocol {

// The 32 symbols: digits and upper-case letters without I, L, O and U, so a code never spells a word by
// accident and never mixes up 0/O or 1/I/L.
constexpr const char* kCrockfordAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// `chars` symbols from libsodium's random source (5 bits each): 10 symbols carry 50 bits.
std::string randomCrockford(size_t chars);
// value in exactly `chars` symbols, most significant first (at most 12 symbols: 60 bits).
std::string crockfordEncode(uint64_t value, size_t chars);
// The value of normalized symbols (at most 12); nullopt for anything else.
std::optional<uint64_t> crockfordDecode(std::string_view symbols);

// What a person typed, made comparable: case ignored, spaces and dashes dropped, O read as 0 and I/L as 1.
// nullopt when anything else is left (U, punctuation, Chinese characters) or nothing at all.
std::optional<std::string> normalizeCrockford(std::string_view typed);
// Symbols grouped for reading aloud: "K3M9Q2XH7R" → "K3M9Q-2XH7R".
std::string groupCode(std::string_view symbols, size_t groupSize = 5);

}  // namespace minyi::protocol
