// Calendar dates as day numbers and back (proleptic Gregorian), for date arithmetic without time zones.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minyi::core {

// Days since 1970-01-01 of year-month-day (month 1..12, day 1..31; no range check: 2026-02-30 is 2026-03-02),
// and the date of a day number as "YYYY-MM-DD". Howard Hinnant's algorithms.
int64_t daysFromCivil(int64_t year, unsigned month, unsigned day);
std::string civilFromDays(int64_t days);
// The day number of "YYYY-MM-DD" when it is a real date (not 2026-02-30); nullopt otherwise.
std::optional<int64_t> dayNumber(std::string_view date);

}  // namespace minyi::core
