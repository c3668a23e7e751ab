// UTC ISO-8601 text of a time point, with milliseconds (gmtime_r: no locale, no time zone), and read back.
#include "minyi/protocol/times.h"

#include <cstdio>
#include <ctime>

#include "minyi/core/civil_date.h"

namespace minyi::protocol {

std::string isoUtc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const int64_t ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  int64_t secs = ms / 1000, milli = ms % 1000;
  if (milli < 0) {
    milli += 1000;
    secs -= 1;
  }
  const time_t tt = static_cast<time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(milli));
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parseIsoUtc(std::string_view iso) {
  if (iso.size() < 20 || iso[10] != 'T' || iso[13] != ':' || iso[16] != ':' || iso.back() != 'Z') return std::nullopt;
  auto number = [&](size_t at, size_t n, int& out) {
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return false;
      out = out * 10 + (iso[i] - '0');
    }
    return true;
  };
  int h, mi, s, ms = 0;
  const auto day = core::dayNumber(iso.substr(0, 10));
  if (!day || !number(11, 2, h) || !number(14, 2, mi) || !number(17, 2, s) || h > 23 || mi > 59 || s > 60) return std::nullopt;
  if (iso.size() == 24) {
    if (iso[19] != '.' || !number(20, 3, ms)) return std::nullopt;
  } else if (iso.size() != 20) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::milliseconds((((*day * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms)));
}

}  // namespace minyi::protocol
