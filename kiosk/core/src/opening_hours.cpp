// Opening hours: parsing "HH:MM-HH:MM" and writing it back.
#include "minyi/core/opening_hours.h"

#include <cstdio>

namespace minyi::core {

namespace {
// "HH:MM" at `at`: two digits, a colon, two digits.
std::optional<int> clockMinute(std::string_view s, size_t at, bool allowMidnightEnd) {
  auto digit = [&](size_t i) { return s[at + i] >= '0' && s[at + i] <= '9' ? s[at + i] - '0' : -1; };
  if (s[at + 2] != ':') return std::nullopt;
  const int h1 = digit(0), h2 = digit(1), m1 = digit(3), m2 = digit(4);
  if (h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0) return std::nullopt;
  const int hour = h1 * 10 + h2, minute = m1 * 10 + m2;
  if (minute > 59 || hour > 24 || (hour == 24 && (minute != 0 || !allowMidnightEnd))) return std::nullopt;
  return hour * 60 + minute;
}
}  // namespace

std::optional<OpeningHours> OpeningHours::parse(std::string_view text) {
  if (text.size() != 11 || text[5] != '-') return std::nullopt;
  const auto opens = clockMinute(text, 0, false), closes = clockMinute(text, 6, true);
  if (!opens || !closes || *opens >= *closes) return std::nullopt;
  return OpeningHours{*opens, *closes};
}

std::string OpeningHours::text() const {
  char out[48];
  std::snprintf(out, sizeof out, "%02d:%02d-%02d:%02d", opensAtMinute / 60, opensAtMinute % 60, closesAtMinute / 60,
                closesAtMinute % 60);
  return out;
}

}  // namespace minyi::core
