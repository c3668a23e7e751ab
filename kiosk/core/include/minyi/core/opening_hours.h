// Opening hours, "08:00-18:00": one span of local time every day. The kiosk sleeps (a dark screen, woken by a
// touch) outside them; the township's devices page counts a kiosk's silence only within them.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace minyi::core {

struct OpeningHours {
  int opensAtMinute = 8 * 60;    // minutes after midnight
  int closesAtMinute = 18 * 60;  // after opensAtMinute; 24:00 is 1440

  bool contains(int minuteOfDay) const { return minuteOfDay >= opensAtMinute && minuteOfDay < closesAtMinute; }
  std::string text() const;  // "08:00-18:00"
  // "HH:MM-HH:MM" with opening before closing (24:00 allowed as a close); nullopt for anything else.
  static std::optional<OpeningHours> parse(std::string_view text);
};

}  // namespace minyi::core
