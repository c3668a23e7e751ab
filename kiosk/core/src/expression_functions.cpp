// The built-in functions of SurveyJS expressions (surveyjs-subset.md §9): iif, sum…, …InArray, dates, substring, host calls.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <tuple>

#include "expression_internal.h"
#include "minyi/core/civil_date.h"

namespace minyi::core {
namespace detail {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// Numbers.

void collectNumbers(const Json& v, std::vector<double>& out, int depth) {
  if (v.is_array()) {
    if (depth < 32)
      for (const auto& e : v) collectNumbers(e, out, depth + 1);
    return;
  }
  if (auto n = values::toNumber(v)) out.push_back(*n);
}

std::vector<double> numbersOf(const CallArgs& a) {
  std::vector<double> out;
  for (size_t i = 0; i < a.size(); ++i) collectNumbers(a[i], out, 0);
  return out;
}

double correctedSum(const std::vector<double>& nums) {
  double res = 0;
  for (double n : nums) res = correctAfterPlusMinus(res, n, res + n);
  return res;
}

Json fnIif(const CallArgs& a, std::string_view) {
  if (a.size() < 2) return nullptr;
  if (values::truthy(a[0])) return a[1];
  return a.size() > 2 ? a[2] : Json();
}

Json fnSum(const CallArgs& a, std::string_view) { return makeNumber(correctedSum(numbersOf(a))); }

Json fnMin(const CallArgs& a, std::string_view) {
  auto nums = numbersOf(a);
  if (nums.empty()) return nullptr;
  return makeNumber(*std::min_element(nums.begin(), nums.end()));
}

Json fnMax(const CallArgs& a, std::string_view) {
  auto nums = numbersOf(a);
  if (nums.empty()) return nullptr;
  return makeNumber(*std::max_element(nums.begin(), nums.end()));
}

Json fnAvg(const CallArgs& a, std::string_view) {
  auto nums = numbersOf(a);
  if (nums.empty()) return 0;
  return makeNumber(correctedSum(nums) / static_cast<double>(nums.size()));
}

size_t countPresent(const Json& v, int depth) {
  if (v.is_array()) {
    size_t n = 0;
    if (depth < 32)
      for (const auto& e : v) n += countPresent(e, depth + 1);
    return n;
  }
  return v.is_null() ? 0 : 1;
}

Json fnCount(const CallArgs& a, std::string_view) {
  size_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += countPresent(a[i], 0);
  return n;
}

// round/trunc: scale by 10^p, nudge by one epsilon so that 1.005 (really 1.00499999…) rounds to 1.01.
Json roundOrTrunc(const CallArgs& a, bool round) {
  if (a.size() < 1) return nullptr;
  auto x = values::toNumber(a[0]);
  if (!x) return nullptr;
  double p = 0;
  if (a.size() > 1)
    if (auto pp = values::toNumber(a[1])) p = std::clamp(std::trunc(*pp), -15.0, 15.0);
  double m = std::pow(10.0, p);
  double scaled = std::fabs(*x) * m * (1 + std::numeric_limits<double>::epsilon());
  double r = round ? std::floor(scaled + 0.5) : std::floor(scaled);
  return makeNumber(std::copysign(r / m, *x) + 0.0);  // + 0.0 turns -0 into 0
}

Json fnRound(const CallArgs& a, std::string_view) { return roundOrTrunc(a, true); }
Json fnTrunc(const CallArgs& a, std::string_view) { return roundOrTrunc(a, false); }

// ---------------------------------------------------------------------------------------------------------------
// …InArray(rows, 'prop' [, 'returnProp'] [, condition]). Rows: an array of objects or an object of row objects
// (matrix values keyed by row name).

enum class InArray { Sum, Count, Avg, Min, Max };

const Json* findProp(const Json& row, const std::string& prop) {
  auto it = row.find(prop);
  if (it != row.end()) return &*it;
  for (auto i = row.begin(); i != row.end(); ++i)
    if (iequals(i.key(), prop)) return &i.value();
  return nullptr;
}

Json inArray(const CallArgs& a, InArray kind) {
  if (a.size() < 2 || !a[1].is_string()) return nullptr;
  const Json& data = a[0];
  const std::string prop = a[1].get<std::string>();
  std::string returnProp;
  if (kind == InArray::Min || kind == InArray::Max) {
    bool hasReturn = a.size() >= 4 || (a.size() == 3 && a.rowConditionArg() < 0);
    if (hasReturn && a[2].is_string()) returnProp = a[2].get<std::string>();
  }
  double sum = 0;
  size_t count = 0;
  std::optional<double> best;
  const Json* bestRow = nullptr;
  auto visit = [&](const Json& row) {
    if (!row.is_object() || !a.rowPasses(row)) return;
    const Json* v = findProp(row, prop);
    if (!v) return;
    if (kind == InArray::Count) {
      if (!values::isEmpty(*v)) ++count;
      return;
    }
    auto n = values::toNumber(*v);
    if (!n) return;
    sum = correctAfterPlusMinus(sum, *n, sum + *n);
    ++count;
    bool better = !best || (kind == InArray::Min ? *n < *best : *n > *best);
    if (better) best = *n, bestRow = &row;
  };
  if (data.is_array()) {
    for (const auto& row : data) visit(row);
  } else if (data.is_object()) {
    for (const auto& row : data) visit(row);
  }
  switch (kind) {
    case InArray::Sum: return makeNumber(sum);
    case InArray::Count: return count;
    case InArray::Avg: return count ? makeNumber(sum / static_cast<double>(count)) : Json(0);
    case InArray::Min:
    case InArray::Max:
      if (!best) return nullptr;
      if (!returnProp.empty()) {
        const Json* r = findProp(*bestRow, returnProp);
        return r ? *r : Json();
      }
      return makeNumber(*best);
  }
  return nullptr;
}

Json fnSumInArray(const CallArgs& a, std::string_view) { return inArray(a, InArray::Sum); }
Json fnCountInArray(const CallArgs& a, std::string_view) { return inArray(a, InArray::Count); }
Json fnAvgInArray(const CallArgs& a, std::string_view) { return inArray(a, InArray::Avg); }
Json fnMinInArray(const CallArgs& a, std::string_view) { return inArray(a, InArray::Min); }
Json fnMaxInArray(const CallArgs& a, std::string_view) { return inArray(a, InArray::Max); }

// ---------------------------------------------------------------------------------------------------------------
// Dates. Values are JSON strings: "YYYY-MM-DD" is local midnight, "YYYY-MM-DDTHH:MM[:SS[.fff]]" local time,
// with 'Z' or ±HH:MM an absolute time; numbers are milliseconds since 1970 (JavaScript Date). Results are
// "YYYY-MM-DD" when the time is midnight, else "YYYY-MM-DDTHH:MM:SS".

struct DateTime {
  std::tm tm{};           // local, normalized
  long long ms = 0;       // since the epoch
  bool dateOnly = false;  // written without a time: its time of day is not meaningful (midnight may not exist
                          // on a DST day, mktime then gives 01:00)
};

long long floorDiv(long long a, long long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::optional<DateTime> fromEpochMs(long long ms) {
  time_t secs = static_cast<time_t>(floorDiv(ms, 1000));
  DateTime d;
  if (!localtime_r(&secs, &d.tm)) return std::nullopt;
  d.ms = ms;
  return d;
}

// Local fields -> DateTime; mktime normalizes overflow (Feb 30 -> Mar 2, month 13 -> next January) like JS Date.
std::optional<DateTime> fromLocal(std::tm tm, int msPart, bool dateOnly) {
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  if (t == static_cast<time_t>(-1) && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31)) return std::nullopt;
  DateTime d;
  d.tm = tm;
  d.ms = static_cast<long long>(t) * 1000 + msPart;
  d.dateOnly = dateOnly;
  return d;
}

std::chrono::milliseconds::rep nowMs(const CallArgs& a) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(a.now().time_since_epoch()).count();
}

// Reads 1..maxDigits digits at s[i].
bool readInt(std::string_view s, size_t& i, int minDigits, int maxDigits, int& out) {
  size_t st = i;
  out = 0;
  while (i < s.size() && i - st < static_cast<size_t>(maxDigits) && s[i] >= '0' && s[i] <= '9') out = out * 10 + (s[i++] - '0');
  return i - st >= static_cast<size_t>(minDigits);
}

std::optional<DateTime> parseDateString(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  size_t i = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0, msPart = 0;
  if (!readInt(s, i, 4, 4, y) || i >= s.size() || (s[i] != '-' && s[i] != '/')) return std::nullopt;
  char sep = s[i++];
  if (!readInt(s, i, 1, 2, mo) || i >= s.size() || s[i++] != sep || !readInt(s, i, 1, 2, d)) return std::nullopt;
  bool hasZone = false, hasTime = false;
  long offsetSec = 0;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    ++i;
    hasTime = true;
    if (!readInt(s, i, 1, 2, h) || i >= s.size() || s[i++] != ':' || !readInt(s, i, 2, 2, mi)) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!readInt(s, i, 2, 2, sec)) return std::nullopt;
      if (i < s.size() && s[i] == '.') {
        ++i;
        size_t st = i;
        int frac;
        if (!readInt(s, i, 1, 3, frac)) return std::nullopt;
        for (size_t k = i - st; k < 3; ++k) frac *= 10;
        msPart = frac;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;  // finer than milliseconds: ignored
      }
    }
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
      hasZone = true;
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
      if (!readInt(s, i, 2, 2, oh)) return std::nullopt;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !readInt(s, i, 2, 2, om)) return std::nullopt;
      hasZone = true;
      offsetSec = sign * (oh * 3600L + om * 60L);
    }
  }
  if (i != s.size()) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 59) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  if (hasZone) {
    time_t utc = timegm(&tm);
    return fromEpochMs((static_cast<long long>(utc) - offsetSec) * 1000 + msPart);
  }
  return fromLocal(tm, msPart, !hasTime);
}

std::optional<DateTime> parseDate(const Json& v) {
  if (v.is_number()) {
    double ms = v.get<double>();
    if (!std::isfinite(ms) || std::fabs(ms) > 8.64e15) return std::nullopt;  // JS Date's range
    return fromEpochMs(static_cast<long long>(std::llround(ms)));
  }
  if (v.is_string()) return parseDateString(v.get_ref<const std::string&>());
  return std::nullopt;
}

std::string formatDate(const DateTime& d) {
  char buf[64];
  const std::tm& t = d.tm;
  if (d.dateOnly || (t.tm_hour == 0 && t.tm_min == 0 && t.tm_sec == 0 && floorDiv(d.ms, 1000) * 1000 == d.ms))
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                  t.tm_hour, t.tm_min, t.tm_sec);
  return buf;
}

long long dayNumber(const DateTime& d) {
  return daysFromCivil(d.tm.tm_year + 1900LL, static_cast<unsigned>(d.tm.tm_mon + 1), static_cast<unsigned>(d.tm.tm_mday));
}

// Whole calendar months from a to b (negative when b is earlier): 2012-11-10 -> 2014-12-09 is 24.
long long monthsBetween(const DateTime& a, const DateTime& b) {
  if (b.ms < a.ms) return -monthsBetween(b, a);
  long long months = (b.tm.tm_year - a.tm.tm_year) * 12LL + (b.tm.tm_mon - a.tm.tm_mon);
  bool withTime = !a.dateOnly && !b.dateOnly;
  auto rest = [withTime](const DateTime& d) {
    if (!withTime) return std::make_tuple(d.tm.tm_mday, 0, 0, 0, 0LL);
    return std::make_tuple(d.tm.tm_mday, d.tm.tm_hour, d.tm.tm_min, d.tm.tm_sec, d.ms - floorDiv(d.ms, 1000) * 1000);
  };
  if (rest(b) < rest(a)) --months;
  return months;
}

// b - a in `unit`: years, months, days (calendar days), hours, minutes, seconds (whole units, toward zero).
Json dateDiffCore(const DateTime& a, const DateTime& b, std::string unit) {
  unit = toLower(unit);
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  if (unit == "year") return monthsBetween(a, b) / 12;
  if (unit == "month") return monthsBetween(a, b);
  long long diffMs = b.ms - a.ms;
  if (unit == "hour") return diffMs / 3600000;
  if (unit == "minute") return diffMs / 60000;
  if (unit == "second") return diffMs / 1000;
  return dayNumber(b) - dayNumber(a);
}

std::string unitArg(const CallArgs& a, size_t i, const char* def) {
  if (a.size() > i && a[i].is_string() && !a[i].get_ref<const std::string&>().empty()) return a[i].get<std::string>();
  return def;
}

Json fnAge(const CallArgs& a, std::string_view) {
  if (a.size() < 1 || values::isEmpty(a[0])) return nullptr;
  auto birth = parseDate(a[0]);
  auto now = fromEpochMs(nowMs(a));
  if (!birth || !now) return nullptr;
  return dateDiffCore(*birth, *now, unitArg(a, 1, "years"));
}

Json fnDateDiff(const CallArgs& a, std::string_view) {
  if (a.size() < 2 || values::isEmpty(a[0]) || values::isEmpty(a[1])) return nullptr;
  auto d1 = parseDate(a[0]), d2 = parseDate(a[1]);
  if (!d1 || !d2) return nullptr;
  return dateDiffCore(*d1, *d2, unitArg(a, 2, "days"));
}

Json fnDiffDays(const CallArgs& a, std::string_view) {
  if (a.size() != 2 || values::isEmpty(a[0]) || values::isEmpty(a[1])) return 0;
  auto d1 = parseDate(a[0]), d2 = parseDate(a[1]);
  if (!d1 || !d2) return 0;
  return std::llabs(dayNumber(*d2) - dayNumber(*d1));
}

Json fnDateAdd(const CallArgs& a, std::string_view) {
  if (a.size() < 2 || values::isEmpty(a[0])) return nullptr;
  auto d = parseDate(a[0]);
  auto n = values::toNumber(a[1]);
  if (!d || !n || std::fabs(*n) > 1e7) return nullptr;
  std::string unit = toLower(unitArg(a, 2, "days"));
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  long long k = static_cast<long long>(std::trunc(*n));
  std::optional<DateTime> r;
  if (unit == "hour" || unit == "minute" || unit == "second") {
    long long per = unit == "hour" ? 3600000 : unit == "minute" ? 60000 : 1000;
    r = fromEpochMs(d->ms + k * per);
  } else {
    std::tm tm = d->tm;
    if (unit == "year") tm.tm_year += static_cast<int>(k);
    else if (unit == "month") tm.tm_mon += static_cast<int>(k);
    else if (unit == "week") tm.tm_mday += static_cast<int>(k * 7);
    else tm.tm_mday += static_cast<int>(k);
    r = fromLocal(tm, static_cast<int>(d->ms - floorDiv(d->ms, 1000) * 1000), d->dateOnly);
  }
  return r ? Json(formatDate(*r)) : Json();
}

Json fnToday(const CallArgs& a, std::string_view) {
  auto now = fromEpochMs(nowMs(a));
  if (!now) return nullptr;
  std::tm tm = now->tm;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  if (a.size() > 0)
    if (auto n = values::toNumber(a[0]); n && std::fabs(*n) < 1e7) tm.tm_mday += static_cast<int>(std::trunc(*n));
  auto r = fromLocal(tm, 0, true);
  return r ? Json(formatDate(*r)) : Json();
}

Json fnCurrentDate(const CallArgs& a, std::string_view) {
  auto now = fromEpochMs(nowMs(a));
  return now ? Json(formatDate(*now)) : Json();
}

Json fnCurrentYear(const CallArgs& a, std::string_view) {
  auto now = fromEpochMs(nowMs(a));
  return now ? Json(now->tm.tm_year + 1900) : Json();
}

Json fnGetYear(const CallArgs& a, std::string_view) {
  if (a.size() < 1 || values::isEmpty(a[0])) return nullptr;
  auto d = parseDate(a[0]);
  return d ? Json(d->tm.tm_year + 1900) : Json();
}

// year/month/day/weekday([date]): no argument = now; an empty or unreadable date = null.
std::optional<DateTime> dateOrNow(const CallArgs& a) {
  if (a.size() == 0) return fromEpochMs(nowMs(a));
  if (values::isEmpty(a[0])) return std::nullopt;
  return parseDate(a[0]);
}

Json fnYear(const CallArgs& a, std::string_view) {
  auto d = dateOrNow(a);
  return d ? Json(d->tm.tm_year + 1900) : Json();
}
Json fnMonth(const CallArgs& a, std::string_view) {
  auto d = dateOrNow(a);
  return d ? Json(d->tm.tm_mon + 1) : Json();
}
Json fnDay(const CallArgs& a, std::string_view) {
  auto d = dateOrNow(a);
  return d ? Json(d->tm.tm_mday) : Json();
}
Json fnWeekday(const CallArgs& a, std::string_view) {
  auto d = dateOrNow(a);
  return d ? Json(d->tm.tm_wday) : Json();
}

Json fnGetDate(const CallArgs& a, std::string_view) {
  if (a.size() < 1 || values::isEmpty(a[0])) return nullptr;
  auto d = parseDate(a[0]);
  return d ? Json(formatDate(*d)) : Json();
}

// ---------------------------------------------------------------------------------------------------------------
// Text.

// substring(s, start[, end]) like String.prototype.substring, but counting characters (code points), not UTF-16
// units, so Chinese text cuts where a resident would expect.
Json fnSubstring(const CallArgs& a, std::string_view) {
  if (a.size() < 1 || !a[0].is_string()) return "";
  const std::string& s = a[0].get_ref<const std::string&>();
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  double len = static_cast<double>(starts.size());
  starts.push_back(s.size());
  auto pos = [&](size_t i, double def) {
    if (a.size() <= i || a[i].is_null()) return def;
    double v = jsToNumber(a[i]);
    if (std::isnan(v)) v = 0;
    return std::clamp(std::trunc(v), 0.0, len);
  };
  double b = pos(1, 0), e = pos(2, len);
  if (b > e) std::swap(b, e);
  size_t from = starts[static_cast<size_t>(b)], to = starts[static_cast<size_t>(e)];
  return s.substr(from, to - from);
}

// displayValue, getComment, propertyValue, isContainerReady, isDisplayMode: only the session knows.
Json fnHost(const CallArgs& a, std::string_view canonical) {
  const EvalEnv& env = a.env();
  if (!env.hostFunction) return nullptr;
  auto r = env.hostFunction(canonical, a.all());
  return r ? *r : Json();
}

struct Builtin {
  const char* name;
  BuiltinFn fn;
};

const Builtin kBuiltins[] = {
    {"iif", fnIif},
    {"sum", fnSum},
    {"min", fnMin},
    {"max", fnMax},
    {"avg", fnAvg},
    {"count", fnCount},
    {"round", fnRound},
    {"trunc", fnTrunc},
    {"sumInArray", fnSumInArray},
    {"countInArray", fnCountInArray},
    {"avgInArray", fnAvgInArray},
    {"minInArray", fnMinInArray},
    {"maxInArray", fnMaxInArray},
    {"age", fnAge},
    {"dateDiff", fnDateDiff},
    {"dateAdd", fnDateAdd},
    {"diffDays", fnDiffDays},
    {"today", fnToday},
    {"currentDate", fnCurrentDate},
    {"currentYear", fnCurrentYear},
    {"getYear", fnGetYear},
    {"year", fnYear},
    {"month", fnMonth},
    {"day", fnDay},
    {"weekday", fnWeekday},
    {"getDate", fnGetDate},
    {"substring", fnSubstring},
    {"displayValue", fnHost},
    {"getComment", fnHost},
    {"propertyValue", fnHost},
    {"isContainerReady", fnHost},
    {"isDisplayMode", fnHost},
};
constexpr int kBuiltinCount = static_cast<int>(sizeof kBuiltins / sizeof kBuiltins[0]);

}  // namespace

int findBuiltin(std::string_view name) {
  for (int i = 0; i < kBuiltinCount; ++i)
    if (iequals(name, kBuiltins[i].name)) return i;
  return -1;
}

Json callBuiltin(int index, const CallArgs& args) {
  if (index < 0 || index >= kBuiltinCount) return nullptr;
  return kBuiltins[index].fn(args, kBuiltins[index].name);
}

bool isInArrayBuiltin(int builtin) {
  if (builtin < 0 || builtin >= kBuiltinCount) return false;
  BuiltinFn f = kBuiltins[builtin].fn;
  return f == fnSumInArray || f == fnCountInArray || f == fnAvgInArray || f == fnMinInArray || f == fnMaxInArray;
}

int inArrayConditionArg(int builtin, size_t argCount, bool thirdIsPlainString) {
  if (!isInArrayBuiltin(builtin)) return -1;
  if (argCount >= 4) return 3;
  if (argCount == 3) {
    BuiltinFn f = kBuiltins[builtin].fn;
    // minInArray({a}, 'price', 'name') returns a column; a third argument with {…} or an operand is a condition.
    if ((f == fnMinInArray || f == fnMaxInArray) && thirdIsPlainString) return -1;
    return 2;
  }
  return -1;
}

}  // namespace detail

namespace values {
const std::vector<std::string>& builtinFunctionNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> r;
    for (const auto& b : detail::kBuiltins) r.push_back(b.name);
    return r;
  }();
  return names;
}
}  // namespace values
}  // namespace minyi::core
