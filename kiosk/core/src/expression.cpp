// SurveyJS expressions (surveyjs-subset.md §9): text rewrites, parser, evaluator, variable lookup and the values:: helpers.
#include "minyi/core/expression.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "expression_internal.h"

namespace minyi::core {
namespace detail {

// ---------------------------------------------------------------------------------------------------------------
// Small text helpers (ASCII case folding: SurveyJS names and keywords are ASCII; CJK text has no case).

static char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  return true;
}

std::string toLower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = lowerAscii(c);
  return r;
}

static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static bool isWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool isWordChar(char c) { return isWordStart(c) || isDigit(c); }

// Length of the whitespace at s[i] (ASCII, plus U+00A0, U+3000 and U+FEFF, which Chinese input methods produce).
static size_t spaceAt(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  char c = s[i];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (s.compare(i, 2, "\xC2\xA0") == 0) return 2;
  if (s.compare(i, 3, "\xE3\x80\x80") == 0 || s.compare(i, 3, "\xEF\xBB\xBF") == 0) return 3;
  return 0;
}

static std::string_view trim(std::string_view s) {
  size_t b = 0;
  while (size_t n = spaceAt(s, b)) b += n;
  size_t e = s.size();
  for (;;) {
    if (e > b && spaceAt(s, e - 1) == 1) { --e; continue; }
    if (e >= b + 2 && spaceAt(s, e - 2) == 2) { e -= 2; continue; }
    if (e >= b + 3 && spaceAt(s, e - 3) == 3) { e -= 3; continue; }
    break;
  }
  return s.substr(b, e - b);
}

// ---------------------------------------------------------------------------------------------------------------
// JavaScript numbers.

Json makeNumber(double d) {
  if (std::isnan(d)) return nullptr;
  // Whole numbers are stored as integers so that results dump as "6", not "6.0".
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) <= 9007199254740992.0)
    return Json(static_cast<std::int64_t>(d));
  return Json(d);
}

std::string jsNumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  if (d == 0) return "0";
  std::string sign = d < 0 ? "-" : "";
  char buf[64];
  // Shortest round-trip digits, as Number.prototype.toString chooses them.
  auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(d), std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e; ++i)
    if (sci[i] != '.') digits += sci[i];
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exp10 = std::atoi(sci.c_str() + e + 1);
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;  // position of the decimal point relative to the digits
  if (k <= n && n <= 21) return sign + digits + std::string(n - k, '0');
  if (0 < n && n <= 21) return sign + digits.substr(0, n) + "." + digits.substr(n);
  if (-6 < n && n <= 0) return sign + "0." + std::string(-n, '0') + digits;
  std::string r = sign + digits.substr(0, 1);
  if (k > 1) r += "." + digits.substr(1);
  int ex = n - 1;
  r += ex >= 0 ? "e+" : "e-";
  r += std::to_string(ex >= 0 ? ex : -ex);
  return r;
}

// Parses a JS StrDecimalLiteral without sign or Infinity: digits [. digits] | . digits, optional exponent.
// Returns the number of bytes used (0 = none).
static size_t scanDecimal(std::string_view s, size_t i, bool allowExponent) {
  size_t st = i, intDigits = 0, fracDigits = 0;
  while (i < s.size() && isDigit(s[i])) ++i, ++intDigits;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && isDigit(s[j])) ++j, ++fracDigits;
    if (intDigits > 0 || fracDigits > 0) i = j;
  }
  if (intDigits == 0 && fracDigits == 0) return 0;
  if (allowExponent && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    size_t d = j;
    while (j < s.size() && isDigit(s[j])) ++j;
    if (j > d) i = j;
  }
  return i - st;
}

static double parseDecimal(std::string_view s) {
  // from_chars is locale-independent (the kiosk may set a locale with ',' decimals).
  double v = 0;
  std::string tmp(s);
  if (!tmp.empty() && tmp[0] == '.') tmp.insert(tmp.begin(), '0');
  std::from_chars(tmp.data(), tmp.data() + tmp.size(), v);
  return v;
}

static double parseRadix(std::string_view digits, int radix) {
  double v = 0;
  for (char c : digits) {
    int d = isDigit(c) ? c - '0' : lowerAscii(c) - 'a' + 10;
    v = v * radix + d;
  }
  return v;
}

std::optional<double> jsStringToNumber(std::string_view str) {
  std::string_view s = trim(str);
  if (s.empty()) return 0.0;
  if (s.size() > 2 && s[0] == '0') {
    char p = lowerAscii(s[1]);
    int radix = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (radix) {
      for (size_t i = 2; i < s.size(); ++i) {
        char c = s[i];
        bool ok = radix == 16 ? isHexDigit(c) : (c >= '0' && c < '0' + radix);
        if (!ok) return std::nullopt;
      }
      return parseRadix(s.substr(2), radix);
    }
  }
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') neg = s[0] == '-', i = 1;
  if (s.substr(i) == "Infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  size_t n = scanDecimal(s, i, true);
  if (n == 0 || i + n != s.size()) return std::nullopt;
  double v = parseDecimal(s.substr(i, n));
  return neg ? -v : v;
}

// JS parseFloat / parseInt (used by Helpers.isTwoValueEquals).
static double jsParseFloat(std::string_view str) {
  size_t b = 0;
  while (size_t n = spaceAt(str, b)) b += n;
  std::string_view s = str.substr(b);
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) neg = s[0] == '-', i = 1;
  if (s.substr(i, 8) == "Infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  size_t n = scanDecimal(s, i, true);
  if (n == 0) return std::nan("");
  double v = parseDecimal(s.substr(i, n));
  return neg ? -v : v;
}

static double jsParseInt(std::string_view str) {
  size_t b = 0;
  while (size_t n = spaceAt(str, b)) b += n;
  std::string_view s = str.substr(b);
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) neg = s[0] == '-', i = 1;
  int radix = 10;
  if (s.size() >= i + 2 && s[i] == '0' && lowerAscii(s[i + 1]) == 'x') radix = 16, i += 2;
  size_t st = i;
  while (i < s.size() && (radix == 16 ? isHexDigit(s[i]) : isDigit(s[i]))) ++i;
  if (i == st) return std::nan("");
  double v = parseRadix(s.substr(st, i - st), radix);
  return neg ? -v : v;
}

// JavaScript String(v). For comparisons and Number() (display = false) arrays join with "," and objects are
// opaque, as JS's ToPrimitive; for people (display = true) arrays join with ", " and objects show as JSON.
static std::string jsString(const Json& v, bool display) {
  switch (v.type()) {
    case Json::value_t::null: return "";
    case Json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case Json::value_t::string: return v.get_ref<const std::string&>();
    case Json::value_t::array: {
      std::string r;
      bool first = true;
      for (const auto& e : v) {
        if (!first) r += display ? ", " : ",";
        first = false;
        r += jsString(e, display);
      }
      return r;
    }
    case Json::value_t::object: return display ? v.dump() : "[object Object]";
    default: return v.is_number() ? jsNumberToString(v.get<double>()) : "";
  }
}

static std::string jsPrimitiveString(const Json& v) { return jsString(v, false); }

double jsToNumber(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return 0;
    case Json::value_t::boolean: return v.get<bool>() ? 1 : 0;
    case Json::value_t::string: {
      auto r = jsStringToNumber(v.get_ref<const std::string&>());
      return r ? *r : std::nan("");
    }
    case Json::value_t::array: {
      auto r = jsStringToNumber(jsPrimitiveString(v));
      return r ? *r : std::nan("");
    }
    case Json::value_t::object: return std::nan("");
    default: return v.is_number() ? v.get<double>() : std::nan("");
  }
}

// Number.prototype.toFixed, then parseFloat: ties round away from zero (JS picks the larger n for |x|).
double jsToFixed(double d, int digits) {
  if (!std::isfinite(d) || std::fabs(d) >= 1e21) return d;
  digits = std::clamp(digits, 0, 100);
  double x = std::fabs(d);
  char buf[512];
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, digits);
  std::string fixed(buf, r.ptr);
  // printf-style rounding breaks exact ties to even; detect an exact tie from the exact expansion.
  auto r1 = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, digits + 1);
  if (r1.ptr[-1] == '5') {
    static thread_local char big[1600];
    auto rb = std::to_chars(big, big + sizeof big, x, std::chars_format::fixed, 1100);
    std::string exact(big, rb.ptr);
    size_t dot = exact.find('.');
    size_t cut = dot + 1 + digits;  // first dropped digit
    bool tie = exact[cut] == '5' && exact.find_first_not_of('0', cut + 1) == std::string::npos;
    if (tie) {
      // Round the truncated digits up by one unit in the last place.
      std::string t = exact.substr(0, digits ? cut : dot);
      int i = static_cast<int>(t.size()) - 1;
      for (; i >= 0; --i) {
        if (t[i] == '.') continue;
        if (t[i] == '9') { t[i] = '0'; continue; }
        ++t[i];
        break;
      }
      if (i < 0) t.insert(t.begin(), '1');
      fixed = t;
    }
  }
  double v = parseDecimal(fixed);
  return d < 0 ? -v : v;
}

int countDecimals(double d) {
  if (!std::isfinite(d) || d == std::floor(d)) return 0;
  std::string s = jsNumberToString(d);
  size_t e = s.find('e');
  size_t dot = s.find('.');
  int dec = 0;
  if (dot != std::string::npos) dec = static_cast<int>((e == std::string::npos ? s.size() : e) - dot - 1);
  if (e != std::string::npos) {
    // SurveyJS counts only the characters after '.', which breaks for 1.5e-7; count the real decimals instead.
    int ex = std::atoi(s.c_str() + e + 1);
    dec = std::max(0, dec - ex);
  }
  return std::min(dec, 100);
}

double correctAfterPlusMinus(double a, double b, double res) {
  int da = countDecimals(a), db = countDecimals(b);
  if (da > 0 || db > 0) return jsToFixed(res, std::max(da, db));
  return res;
}

double correctAfterMultiply(double a, double b, double res) {
  int digits = countDecimals(a) + countDecimals(b);
  if (digits > 0) return jsToFixed(res, digits);
  return res;
}

bool conditionTrue(const Json& raw) {
  switch (raw.type()) {
    case Json::value_t::boolean: return raw.get<bool>();
    case Json::value_t::string:
    case Json::value_t::array: {
      auto n = jsStringToNumber(jsPrimitiveString(raw));
      return n && *n == 1;
    }
    case Json::value_t::null:
    case Json::value_t::object: return false;
    default: return raw.is_number() && raw.get<double>() == 1;
  }
}

Json convertVariableValue(const Json& v) {
  if (!v.is_string()) return v;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty()) return v;
  if (iequals(s, "true")) return true;
  if (iequals(s, "false")) return false;
  // Codes like "007" or "0123" stay text; "0", "0.5", "0,5" and "0x1F" are numbers.
  if (s.size() > 1 && s[0] == '0' && s[1] != 'x' && s[1] != 'X' && s[1] != '.' && s[1] != ',') return v;
  if (auto n = values::toNumber(v)) return makeNumber(*n);
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Variable lookup (ProcessValue): case-insensitive keys, the longest literal key first, then nested objects.

namespace {

struct Found {
  const Json* p = nullptr;
  long long length = -1;  // a computed `.length`
  bool ok() const { return p || length >= 0; }
};

size_t utf16Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;     // a code point starts here
    if ((c & 0xF8) == 0xF0) ++n;     // 4-byte sequences are two UTF-16 units in JavaScript
  }
  return n;
}

Found resolveKeys(const Json& obj, std::string_view rest, int depth);

Found resolveAfter(const Json& v, std::string_view rest, int depth) {
  if (rest.empty()) return {&v, -1};
  if (depth > 64) return {};
  if (rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return {};
    std::string_view idx = trim(rest.substr(1, close - 1));
    long long i = 0;
    auto r = std::from_chars(idx.data(), idx.data() + idx.size(), i);
    if (idx.empty() || r.ptr != idx.data() + idx.size() || !v.is_array()) return {};
    long long size = static_cast<long long>(v.size());
    if (i < 0) i += size;
    if (i < 0 || i >= size) return {};
    return resolveAfter(v[static_cast<size_t>(i)], rest.substr(close + 1), depth + 1);
  }
  if (rest[0] == '.') {
    std::string_view r = rest.substr(1);
    if (r.empty()) return {};
    if (v.is_object()) {
      Found f = resolveKeys(v, r, depth + 1);
      if (f.ok()) return f;
    }
    if (iequals(r, "length")) {
      if (v.is_array()) return {nullptr, static_cast<long long>(v.size())};
      if (v.is_string()) return {nullptr, static_cast<long long>(utf16Length(v.get_ref<const std::string&>()))};
    }
  }
  return {};
}

Found resolveKeys(const Json& obj, std::string_view rest, int depth) {
  // Candidate keys: those that equal a prefix of `rest` ending at a '.' or '[' (or the whole of it).
  struct Cand {
    size_t len;
    bool exactCase;
    const Json* value;
  };
  std::vector<Cand> cands;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if (k.size() > rest.size() || !iequals(k, rest.substr(0, k.size()))) continue;
    if (k.size() < rest.size() && rest[k.size()] != '.' && rest[k.size()] != '[') continue;
    cands.push_back({k.size(), rest.compare(0, k.size(), k) == 0, &it.value()});
  }
  std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) {
    return a.len != b.len ? a.len > b.len : a.exactCase > b.exactCase;
  });
  for (const Cand& c : cands) {
    Found f = resolveAfter(*c.value, rest.substr(c.len), depth);
    if (f.ok()) return f;
  }
  return {};
}

Json resolveVariable(const Scope& scope, std::string_view path) {
  for (const Scope* s = &scope; s; s = s->outer) {
    if (!s->values || !s->values->is_object()) continue;
    Found f = resolveKeys(*s->values, path, 0);
    if (f.p) return *f.p;
    if (f.length >= 0) return f.length;
  }
  // `{val.length}` of a missing or null value is 0, so `{val.length} = 0` holds before anything is chosen.
  if (path.size() > 7 && iequals(path.substr(path.size() - 7), ".length")) return 0;
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Operators.

namespace {

bool isObj(const Json& v) { return v.is_array() || v.is_object(); }

bool identical(const Json& x, const Json& y) {
  if (x.is_number() && y.is_number()) return x.get<double>() == y.get<double>();
  if (x.type() != y.type()) return false;
  switch (x.type()) {
    case Json::value_t::null: return true;
    case Json::value_t::boolean: return x.get<bool>() == y.get<bool>();
    case Json::value_t::string: return x.get_ref<const std::string&>() == y.get_ref<const std::string&>();
    default: return false;  // arrays/objects: JavaScript compares references; the deep compare comes later
  }
}

// JavaScript `==` for primitives (null, boolean, number, string).
bool looseEqualPrimitive(const Json& x, const Json& y) {
  if (x.is_null() || y.is_null()) return x.is_null() && y.is_null();
  if (x.is_string() && y.is_string()) return x.get_ref<const std::string&>() == y.get_ref<const std::string&>();
  double a = jsToNumber(x), b = jsToNumber(y);
  return a == b;  // NaN != NaN
}

bool convertibleToNumber(const Json& v) { return !v.is_null() && !v.is_array() && !std::isnan(jsToNumber(v)); }

std::string jsToStringForParse(const Json& v) {
  if (v.is_number()) return jsNumberToString(v.get<double>());
  return jsPrimitiveString(v);
}

bool equalCore(const Json& x, const Json& y, int depth);

bool arraysEqualIgnoringOrder(const Json& x, const Json& y, int depth) {
  if (x.size() != y.size()) return false;
  std::vector<bool> used(y.size(), false);
  for (const auto& a : x) {
    bool matched = false;
    for (size_t j = 0; j < y.size(); ++j) {
      if (!used[j] && equalCore(a, y[j], depth + 1)) {
        used[j] = matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

// Helpers.isTwoValueEquals with ignoreOrder, case-insensitive and trimmed strings (the '=' operator's settings).
bool equalCore(const Json& x, const Json& y, int depth) {
  if (depth > 64) return false;
  if (identical(x, y)) return true;
  if (x.is_array() && x.empty() && y.is_null()) return true;
  if (y.is_array() && y.empty() && x.is_null()) return true;
  if (x.is_null() && y.is_string() && y.get_ref<const std::string&>().empty()) return true;
  if (y.is_null() && x.is_string() && x.get_ref<const std::string&>().empty()) return true;
  if (x.is_string() && y.is_string())
    return toLower(trim(x.get_ref<const std::string&>())) == toLower(trim(y.get_ref<const std::string&>()));
  if (convertibleToNumber(x) && convertibleToNumber(y)) {
    std::string sx = jsToStringForParse(x), sy = jsToStringForParse(y);
    if (jsParseInt(sx) == jsParseInt(sy) && jsParseFloat(sx) == jsParseFloat(sy)) return true;
  }
  bool ex = values::isEmpty(x), ey = values::isEmpty(y);
  if (ex != ey) return false;
  if (x.is_boolean() && y.is_string()) return (x.get<bool>() ? "true" : "false") == toLower(y.get_ref<const std::string&>());
  if (y.is_boolean() && x.is_string()) return (y.get<bool>() ? "true" : "false") == toLower(x.get_ref<const std::string&>());
  if (!isObj(x) && !isObj(y)) return looseEqualPrimitive(x, y);
  if (!isObj(x) || !isObj(y)) return false;
  if (x.is_array() && y.is_array()) return arraysEqualIgnoringOrder(x, y, depth);
  if (x.is_array() != y.is_array()) return false;
  for (auto it = x.begin(); it != x.end(); ++it) {
    auto o = y.find(it.key());
    if (o == y.end() || !equalCore(it.value(), *o, depth + 1)) return false;
  }
  for (auto it = y.begin(); it != y.end(); ++it)
    if (x.find(it.key()) == x.end()) return false;
  return true;
}

// JavaScript `<` after the null check SurveyJS adds (anything compared with null/undefined is false).
bool less(const Json& a, const Json& b) {
  if (a.is_null() || b.is_null()) return false;
  bool sa = a.is_string() || isObj(a), sb = b.is_string() || isObj(b);
  if (sa && sb) return jsPrimitiveString(a) < jsPrimitiveString(b);
  double x = jsToNumber(a), y = jsToNumber(b);
  return x < y;
}

// The text `contains` searches in: String(v), lower-cased for the case-insensitive match.
std::string containsText(const Json& v) { return toLower(values::toDisplayString(v)); }

bool arrayHas(const Json& arr, const Json& item) {
  for (const auto& e : arr)
    if (values::equal(e, item)) return true;
  return false;
}

bool containsOp(const Json& left, const Json& right) {
  if (left.is_null()) return false;
  if (left.is_string() && left.get_ref<const std::string&>().empty()) return false;
  if (left.is_array()) {
    if (left.empty()) return false;
    if (right.is_array()) {
      for (const auto& r : right)
        if (!arrayHas(left, r)) return false;
      return true;
    }
    return arrayHas(left, right);
  }
  if (left.is_object()) return false;
  if (right.is_null()) return false;
  std::string r = containsText(right);
  if (r.empty()) return false;
  return containsText(left).find(r) != std::string::npos;
}

bool notContainsOp(const Json& left, const Json& right) {
  // Nothing chosen yet "does not contain" any real value (#10869); an empty right side is never (not) contained.
  if (values::isEmpty(left)) return !values::isEmpty(right);
  if (left.is_array()) {
    if (right.is_array()) {
      for (const auto& r : right)
        if (!arrayHas(left, r)) return true;
      return false;
    }
    return !arrayHas(left, right);
  }
  if (left.is_object()) return true;
  if (right.is_null()) return false;
  std::string r = containsText(right);
  if (r.empty()) return false;
  return containsText(left).find(r) == std::string::npos;
}

bool anyOfOp(const Json& left, const Json& right) {
  bool el = values::isEmpty(left), er = values::isEmpty(right);
  if (el && er) return true;
  if (el) return false;
  if (er) return true;
  if (!left.is_array()) return containsOp(right, left);
  if (!right.is_array()) return containsOp(left, right);
  for (const auto& r : right)
    if (containsOp(left, r)) return true;
  return false;
}

bool allOfOp(const Json& left, const Json& right) {
  if (!values::truthy(left) && !values::isEmpty(right)) return false;
  return containsOp(left, right);
}

// An empty operand of arithmetic becomes 0, "" or [] to match the other side.
Json emptyForArithmetic(const Json& v, const Json& other) {
  if (!values::isEmpty(v)) return v;
  if (other.is_number()) return 0;
  if (v.is_string() || other.is_string()) return "";  // [1, 2] + '' is the text "1, 2"
  if (other.is_array()) return Json::array();
  return 0;
}

Json plusOp(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return makeNumber(correctAfterPlusMinus(x, y, x + y));
  }
  if (a.is_array() && b.is_array()) {
    Json r = a;
    for (const auto& e : b) r.push_back(e);
    return r;
  }
  if (a.is_array() || b.is_array()) {
    const Json& arr = a.is_array() ? a : b;
    const Json& val = a.is_array() ? b : a;
    if (val.is_string()) {
      std::string s = values::toDisplayString(arr);
      return a.is_array() ? s + val.get_ref<const std::string&>() : val.get_ref<const std::string&>() + s;
    }
    if (val.is_number()) {
      double res = 0;
      for (const auto& e : arr)
        if (e.is_number()) res = correctAfterPlusMinus(res, e.get<double>(), res + e.get<double>());
      double y = val.get<double>();
      return makeNumber(correctAfterPlusMinus(res, y, res + y));
    }
  }
  if (a.is_string() || b.is_string() || isObj(a) || isObj(b))
    return values::toDisplayString(a) + values::toDisplayString(b);
  return makeNumber(jsToNumber(a) + jsToNumber(b));
}

Json arithmetic(Op op, const Json& left, const Json& right) {
  Json a = emptyForArithmetic(left, right);
  Json b = emptyForArithmetic(right, a);
  if (op == Op::Add) return plusOp(a, b);
  double x = jsToNumber(a), y = jsToNumber(b);
  switch (op) {
    case Op::Sub: return makeNumber(correctAfterPlusMinus(x, y, x - y));
    case Op::Mul: return makeNumber(correctAfterMultiply(x, y, x * y));
    case Op::Div:
      if (y == 0 || std::isnan(y)) return nullptr;
      return makeNumber(x / y);
    case Op::Mod:
      if (y == 0 || std::isnan(y)) return nullptr;
      return makeNumber(std::fmod(x, y));
    case Op::Pow: return makeNumber(std::pow(x, y));
    default: return nullptr;
  }
}

Json binary(Op op, const Json& a, const Json& b) {
  switch (op) {
    case Op::Eq: return values::equal(a, b);
    case Op::Ne: return !values::equal(a, b);
    case Op::Lt: return less(a, b);
    case Op::Gt: return less(b, a);
    case Op::Le: return values::equal(a, b) || less(a, b);
    case Op::Ge: return values::equal(a, b) || less(b, a);
    case Op::Contains: return containsOp(a, b);
    case Op::NotContains: return notContainsOp(a, b);
    case Op::AnyOf: return anyOfOp(a, b);
    case Op::AllOf: return allOfOp(a, b);
    case Op::NoneOf: return !anyOfOp(a, b);
    default: return arithmetic(op, a, b);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Evaluator.

CallArgs::CallArgs(const Evaluator& ev, const Node& call, const Scope& scope)
    : ev_(ev), call_(call), scope_(scope), cache_(call.kids.size()) {}

const Json& CallArgs::operator[](size_t i) const {
  if (!cache_[i]) cache_[i] = call_.kids[i] ? ev_.eval(*call_.kids[i], scope_) : Json();
  return *cache_[i];
}

std::vector<Json> CallArgs::all() const {
  std::vector<Json> r;
  for (size_t i = 0; i < size(); ++i) r.push_back((*this)[i]);
  return r;
}

bool CallArgs::rowPasses(const Json& row) const {
  if (call_.rowConditionArg < 0) return true;
  Scope inner{&row, &scope_};
  if (call_.rowCondition) return conditionTrue(ev_.eval(*call_.rowCondition, inner));
  const Node* k = call_.kids[static_cast<size_t>(call_.rowConditionArg)].get();
  return k ? conditionTrue(ev_.eval(*k, inner)) : true;
}

const EvalEnv& CallArgs::env() const { return ev_.env(); }

std::chrono::system_clock::time_point CallArgs::now() const {
  return ev_.env().now ? *ev_.env().now : std::chrono::system_clock::now();
}

Json Evaluator::eval(const Node& n, const Scope& scope) const {
  switch (n.kind) {
    case Node::Kind::Const: return n.value;
    case Node::Kind::Var: {
      Json v = resolveVariable(scope, n.name);
      return n.convert ? convertVariableValue(v) : v;
    }
    case Node::Kind::Array: {
      Json r = Json::array();
      for (const auto& k : n.kids) r.push_back(eval(*k, scope));
      return r;
    }
    case Node::Kind::Call: {
      CallArgs args(*this, n, scope);
      if (n.builtin >= 0) return callBuiltin(n.builtin, args);
      // Not a builtin: the session may know it (custom functions); otherwise null, as SurveyJS does.
      if (env_.hostFunction)
        if (auto r = env_.hostFunction(n.name, args.all())) return *r;
      return nullptr;
    }
    case Node::Kind::Not: return !values::truthy(eval(*n.kids[0], scope));
    case Node::Kind::Empty: return values::isEmpty(eval(*n.kids[0], scope));
    case Node::Kind::NotEmpty: return !values::isEmpty(eval(*n.kids[0], scope));
    case Node::Kind::Chain: return evalChain(n, scope);
  }
  return nullptr;
}

Json Evaluator::evalChain(const Node& n, const Scope& scope) const {
  Json acc = eval(*n.kids[0], scope);
  for (size_t i = 0; i < n.ops.size(); ++i) {
    const Node* rk = n.kids[i + 1].get();
    Op op = n.ops[i];
    // && and || return one of their operands, like JavaScript; skipping the other side changes nothing.
    if (op == Op::Or) {
      if (!values::truthy(acc)) acc = eval(*rk, scope);
      continue;
    }
    if (op == Op::And) {
      if (values::truthy(acc)) acc = eval(*rk, scope);
      continue;
    }
    Json r = rk ? eval(*rk, scope) : Json();
    acc = binary(op, acc, r);
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser: recursive descent over the rewritten text (same length as the original, so offsets carry over).

namespace {

struct ParseFail {
  size_t pos;
  std::string message;
};

using NodePtr = std::unique_ptr<Node>;

enum Level { LOr, LAnd, LCmp, LAdd, LMul, LPow, LBin, LFactor };

bool isOperatorWord(const std::string& lw) {
  static const char* const words[] = {"or", "and", "equal", "notequal", "less", "greater", "lessorequal",
                                      "greaterorequal", "contains", "contain", "notcontains", "notcontain",
                                      "anyof", "allof", "noneof", "power", "empty", "notempty"};
  for (const char* w : words)
    if (lw == w) return true;
  return false;
}

class Parser {
 public:
  Parser(std::string_view s, int depth) : s_(s), depth_(depth) {}

  // Parses the whole text; null when it is blank.
  NodePtr parseWhole() {
    ws();
    if (p_ >= s_.size()) return nullptr;
    NodePtr n = parseLevel(LOr);
    ws();
    if (p_ < s_.size()) failTrailing();
    return n;
  }

 private:
  std::string_view s_;
  size_t p_ = 0;
  int depth_ = 0;
  std::string after_;  // the token before the operand being parsed, for "expected a value after '+'"

  [[noreturn]] void fail(size_t pos, std::string msg) { throw ParseFail{pos, std::move(msg)}; }

  void ws() {
    while (size_t n = spaceAt(s_, p_)) p_ += n;
  }

  // What is at `pos`, for messages: a word, one (UTF-8) character, or the end.
  std::string describe(size_t pos) const {
    if (pos >= s_.size()) return "the end of the expression";
    if (isWordChar(s_[pos])) {
      size_t e = pos;
      while (e < s_.size() && isWordChar(s_[e]) && e - pos < 40) ++e;
      return "'" + std::string(s_.substr(pos, e - pos)) + "'";
    }
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(s_[pos]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    return "'" + std::string(s_.substr(pos, len)) + "'";
  }

  std::string afterText() const { return after_.empty() ? "" : " after '" + after_ + "'"; }

  [[noreturn]] void failValue(size_t pos) {
    std::string msg = "expected a value" + afterText();
    if (pos >= s_.size()) {
      msg += ", but the expression ends here";
    } else {
      msg += ", found " + describe(pos);
      if (static_cast<unsigned char>(s_[pos]) >= 0x80) msg += " (put text in quotes: '...')";
    }
    fail(pos, msg);
  }

  [[noreturn]] void failTrailing() {
    char c = s_[p_];
    if (c == ')') fail(p_, "unexpected ')': there is no '(' for it to close");
    if (c == ']') fail(p_, "unexpected ']': there is no '[' for it to close");
    if (c == ',') fail(p_, "unexpected ',': commas separate function arguments and [list] items only");
    std::string msg = "unexpected " + describe(p_) +
                      ": expected an operator (such as and, or, =, <, +, contains) or the end of the expression";
    if (static_cast<unsigned char>(c) >= 0x80) msg += "; put text in quotes: '...'";
    fail(p_, msg);
  }

  void enter(size_t pos) {
    if (++depth_ > Expression::kMaxDepth)
      fail(pos, "the expression is nested too deeply (more than " + std::to_string(Expression::kMaxDepth) +
                    " levels of brackets, function calls or '!')");
  }
  void leave() { --depth_; }

  std::string_view wordAt(size_t pos) const {
    if (pos >= s_.size() || !isWordStart(s_[pos])) return {};
    size_t e = pos;
    while (e < s_.size() && isWordChar(s_[e])) ++e;
    return s_.substr(pos, e - pos);
  }

  bool startsWith(std::string_view t) const { return s_.compare(p_, t.size(), t) == 0; }

  // Matches an operator of `level` at p_ (after whitespace); sets op and its length.
  bool matchOp(Level level, Op& op, size_t& len) {
    auto sym = [&](std::string_view t, Op o) {
      if (!startsWith(t)) return false;
      op = o, len = t.size();
      return true;
    };
    std::string lw = toLower(wordAt(p_));
    auto word = [&](const char* w, Op o) {
      if (lw != w) return false;
      op = o, len = lw.size();
      return true;
    };
    switch (level) {
      case LOr: return sym("||", Op::Or) || word("or", Op::Or);
      case LAnd: return sym("&&", Op::And) || word("and", Op::And);
      case LCmp:
        return sym("==", Op::Eq) || sym("!=", Op::Ne) || sym("<=", Op::Le) || sym(">=", Op::Ge) ||
               sym("=", Op::Eq) || sym("<", Op::Lt) || sym(">", Op::Gt) || word("equal", Op::Eq) ||
               word("notequal", Op::Ne) || word("less", Op::Lt) || word("greater", Op::Gt) ||
               word("lessorequal", Op::Le) || word("greaterorequal", Op::Ge);
      case LAdd: return sym("+", Op::Add) || sym("-", Op::Sub);
      case LMul:
        if (startsWith("*=")) return false;
        return sym("*", Op::Mul) || sym("/", Op::Div) || sym("%", Op::Mod);
      case LPow: return sym("^", Op::Pow) || word("power", Op::Pow);
      case LBin:
        return sym("*=", Op::Contains) || word("contains", Op::Contains) || word("contain", Op::Contains) ||
               word("notcontains", Op::NotContains) || word("notcontain", Op::NotContains) ||
               word("anyof", Op::AnyOf) || word("allof", Op::AllOf) || word("noneof", Op::NoneOf);
      default: return false;
    }
  }

  // Can an operand start at p_? (The right side of contains/anyof/... is optional.)
  bool operandStarts() {
    if (p_ >= s_.size()) return false;
    char c = s_[p_];
    if (c == '(' || c == '[' || c == '{' || c == '\'' || c == '"' || c == '!' || isDigit(c)) return true;
    if ((c == '-' || c == '+') && p_ + 1 < s_.size() && isDigit(s_[p_ + 1])) return true;
    std::string_view w = wordAt(p_);
    return !w.empty() && !isOperatorWord(toLower(w));
  }

  static NodePtr make(Node::Kind k, size_t pos) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->pos = pos;
    return n;
  }

  NodePtr parseLevel(int level) {
    if (level == LFactor) return parseFactor();
    NodePtr first = parseLevel(level + 1);
    NodePtr chain;
    for (;;) {
      ws();
      Op op;
      size_t len;
      if (!matchOp(static_cast<Level>(level), op, len)) break;
      size_t opPos = p_;
      after_ = std::string(s_.substr(p_, len));
      p_ += len;
      NodePtr rhs;
      if (level == LBin) {
        ws();
        if (operandStarts()) rhs = parseFactor();
      } else {
        rhs = parseLevel(level + 1);
      }
      if (!chain) {
        chain = make(Node::Kind::Chain, opPos);
        chain->kids.push_back(std::move(first));
      }
      chain->ops.push_back(op);
      chain->kids.push_back(std::move(rhs));
    }
    return chain ? std::move(chain) : std::move(first);
  }

  NodePtr withPostfix(NodePtr atom) {
    // `{a} empty` / `'x' notempty`: only directly after a variable or constant.
    size_t save = p_;
    ws();
    std::string lw = toLower(wordAt(p_));
    if (lw == "empty" || lw == "notempty") {
      auto n = make(lw == "empty" ? Node::Kind::Empty : Node::Kind::NotEmpty, p_);
      p_ += lw.size();
      n->kids.push_back(std::move(atom));
      return n;
    }
    p_ = save;
    return atom;
  }

  NodePtr parseFactor() {
    ws();
    if (p_ >= s_.size()) failValue(p_);
    size_t start = p_;
    char c = s_[p_];
    if (c == '(') {
      enter(start);
      ++p_;
      after_ = "(";
      NodePtr inner = parseLevel(LOr);
      ws();
      if (p_ < s_.size() && s_[p_] == ')') ++p_;  // ')' is optional in the SurveyJS grammar
      leave();
      return inner;
    }
    if (c == '[') return parseArray();
    if (c == '!') {
      enter(start);
      ++p_;
      after_ = "!";
      auto n = make(Node::Kind::Not, start);
      n->kids.push_back(parseFactor());
      leave();
      return n;
    }
    if (c == '{') return withPostfix(parseBraces());
    if (c == '\'' || c == '"') return withPostfix(parseString());
    if (isDigit(c) || ((c == '-' || c == '+') && p_ + 1 < s_.size() && isDigit(s_[p_ + 1])))
      return withPostfix(parseNumber());
    std::string_view w = wordAt(p_);
    if (w.empty()) failValue(p_);
    std::string lw = toLower(w);
    if (lw == "true" || lw == "false") {
      p_ += w.size();
      auto n = make(Node::Kind::Const, start);
      n->value = (lw == "true");
      return withPostfix(std::move(n));
    }
    if (w == "null" || w == "undefined") {
      p_ += w.size();
      return withPostfix(make(Node::Kind::Const, start));
    }
    if (lw == "negate") {
      enter(start);
      p_ += w.size();
      after_ = std::string(w);
      auto n = make(Node::Kind::Not, start);
      n->kids.push_back(parseFactor());
      leave();
      return n;
    }
    size_t afterWord = p_ + w.size();
    size_t q = afterWord;
    while (size_t sp = spaceAt(s_, q)) q += sp;
    if (q < s_.size() && s_[q] == '(' && !isOperatorWord(lw)) {
      p_ = q;
      return parseCall(std::string(w), start);
    }
    if (isOperatorWord(lw)) fail(start, "expected a value" + afterText() + ", found the operator '" + std::string(w) + "'");
    // A bare word is a string constant: `{a} = abc`.
    p_ = afterWord;
    auto n = make(Node::Kind::Const, start);
    n->value = std::string(w);
    return withPostfix(std::move(n));
  }

  NodePtr parseArray() {
    size_t start = p_;
    enter(start);
    ++p_;
    auto n = make(Node::Kind::Array, start);
    ws();
    if (p_ < s_.size() && s_[p_] == ']') {
      ++p_;
      leave();
      return n;
    }
    after_ = "[";
    for (;;) {
      n->kids.push_back(parseLevel(LOr));
      ws();
      if (p_ < s_.size() && s_[p_] == ',') {
        after_ = ",";
        ++p_;
        continue;
      }
      if (p_ < s_.size() && s_[p_] == ']') {
        ++p_;
        break;
      }
      fail(p_, "expected ',' or ']' in the list that starts at position " + std::to_string(start) + ", found " +
                   describe(p_));
    }
    leave();
    return n;
  }

  NodePtr parseCall(std::string name, size_t start) {
    enter(start);
    ++p_;  // '('
    auto n = make(Node::Kind::Call, start);
    n->name = name;
    n->builtin = findBuiltin(name);
    ws();
    if (p_ < s_.size() && s_[p_] == ')') {
      ++p_;
    } else if (p_ < s_.size()) {
      after_ = name + "(";
      for (;;) {
        n->kids.push_back(parseLevel(LOr));
        ws();
        if (p_ < s_.size() && s_[p_] == ',') {
          after_ = ",";
          ++p_;
          continue;
        }
        if (p_ < s_.size() && s_[p_] == ')') {
          ++p_;
          break;
        }
        // Like the SurveyJS grammar, a missing ')' is accepted where nothing else could follow.
        if (p_ >= s_.size() || s_[p_] == ']') break;
        fail(p_, "expected ',' or ')' in the arguments of " + name + "(), found " + describe(p_));
      }
    }
    leave();
    setUpRowCondition(*n);
    return n;
  }

  // …InArray(rows, 'prop', …, condition): a quoted condition is parsed now, once.
  void setUpRowCondition(Node& call) {
    if (!isInArrayBuiltin(call.builtin)) return;
    size_t argc = call.kids.size();
    bool thirdPlain = false;
    if (argc >= 3 && call.kids[2]->kind == Node::Kind::Const && call.kids[2]->value.is_string())
      thirdPlain = call.kids[2]->value.get_ref<const std::string&>().find('{') == std::string::npos;
    int ci = inArrayConditionArg(call.builtin, argc, thirdPlain);
    call.rowConditionArg = ci;
    if (ci < 0) return;
    const Node& arg = *call.kids[static_cast<size_t>(ci)];
    if (arg.kind != Node::Kind::Const || !arg.value.is_string()) return;
    const std::string& text = arg.value.get_ref<const std::string&>();
    Parser sub(text, depth_ + 1);
    try {
      call.rowCondition = sub.parseWhole();
    } catch (const ParseFail& f) {
      // Offsets inside the string are close to, not exactly, offsets in the text (escapes shift them).
      fail(std::min(arg.pos + 1 + f.pos, s_.size()), "in the condition of " + call.name + "(): " + f.message);
    }
    if (!call.rowCondition) call.rowConditionArg = -1;  // a blank condition means every row
  }

  NodePtr parseString() {
    size_t start = p_;
    char q = s_[p_++];
    std::string v;
    for (;;) {
      if (p_ >= s_.size()) fail(start, std::string("the text starting here is not closed: add the closing ") + q);
      char c = s_[p_];
      if (c == '\\' && p_ + 1 < s_.size()) {
        char e = s_[p_ + 1];
        if (e == '\'' || e == '"' || e == '\\') {
          v += e;
        } else {
          v += c;
          v += e;
        }
        p_ += 2;
        continue;
      }
      if (c == q) {
        ++p_;
        break;
      }
      if (c == '\'' || c == '"')
        fail(p_, std::string("a ") + c + " inside text quoted with " + q + " must be written \\" + c +
                     " (the text starts at position " + std::to_string(start) + ")");
      v += c;
      ++p_;
    }
    auto n = make(Node::Kind::Const, start);
    n->value = std::move(v);
    return n;
  }

  NodePtr parseNumber() {
    size_t start = p_;
    bool neg = false;
    if (s_[p_] == '-' || s_[p_] == '+') neg = s_[p_] == '-', ++p_;
    double v;
    if (s_[p_] == '0' && p_ + 1 < s_.size() && (s_[p_ + 1] == 'x' || s_[p_ + 1] == 'X')) {
      p_ += 2;
      size_t d = p_;
      while (p_ < s_.size() && isHexDigit(s_[p_])) ++p_;
      if (p_ == d) fail(start, "expected hexadecimal digits after '0x'");
      v = parseRadix(s_.substr(d, p_ - d), 16);
    } else {
      size_t d = p_;
      while (p_ < s_.size() && isDigit(s_[p_])) ++p_;
      if (p_ + 1 < s_.size() && s_[p_] == '.' && isDigit(s_[p_ + 1])) {
        ++p_;
        while (p_ < s_.size() && isDigit(s_[p_])) ++p_;
      }
      v = parseDecimal(s_.substr(d, p_ - d));
    }
    auto n = make(Node::Kind::Const, start);
    n->value = makeNumber(neg ? -v : v);
    return n;
  }

  // Nesting depth of a JSON text (outside strings), so deep literals are refused before nlohmann recurses.
  static int jsonDepth(std::string_view t) {
    int depth = 0, maxDepth = 0;
    bool inStr = false;
    for (size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (inStr) {
        if (c == '\\') ++i;
        else if (c == '"') inStr = false;
      } else if (c == '"') {
        inStr = true;
      } else if (c == '{' || c == '[') {
        maxDepth = std::max(maxDepth, ++depth);
      } else if (c == '}' || c == ']') {
        --depth;
      }
    }
    return maxDepth;
  }

  // The end (one past '}') of a balanced JSON object starting at `start`, or npos.
  size_t balancedObjectEnd(size_t start) const {
    int depth = 0;
    bool inStr = false;
    for (size_t i = start; i < s_.size(); ++i) {
      char c = s_[i];
      if (inStr) {
        if (c == '\\') ++i;
        else if (c == '"') inStr = false;
      } else if (c == '"') {
        inStr = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return c == '}' ? i + 1 : std::string_view::npos;
      }
    }
    return std::string_view::npos;
  }

  std::optional<Json> tryJsonObject(std::string_view text, size_t pos) {
    if (jsonDepth(text) > Expression::kMaxDepth - depth_)
      fail(pos, "the object is nested too deeply (more than " + std::to_string(Expression::kMaxDepth) + " levels)");
    Json j = Json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
  }

  // {name}, {#name}, or a JSON object literal {"key": 1}.
  NodePtr parseBraces() {
    size_t start = p_;
    size_t close = s_.find('}', start + 1);
    size_t open = s_.find('{', start + 1);
    if (open != std::string_view::npos && (close == std::string_view::npos || open < close)) {
      // A nested '{' can only be a JSON object literal.
      size_t end = balancedObjectEnd(start);
      if (end != std::string_view::npos) {
        if (auto j = tryJsonObject(s_.substr(start, end - start), start)) {
          p_ = end;
          auto n = make(Node::Kind::Const, start);
          n->value = std::move(*j);
          return n;
        }
      }
      fail(open, "a variable name cannot contain '{' (the variable starts at position " + std::to_string(start) + ")");
    }
    if (close == std::string_view::npos)
      fail(start, "'{' is not closed: write a variable as {name}");
    std::string_view content = s_.substr(start + 1, close - start - 1);
    if (content.find(':') != std::string_view::npos) {
      if (auto j = tryJsonObject(s_.substr(start, close + 1 - start), start)) {
        p_ = close + 1;
        auto n = make(Node::Kind::Const, start);
        n->value = std::move(*j);
        return n;
      }
    }
    std::string_view name = trim(content);
    bool convert = true;
    if (!name.empty() && name[0] == '#') {
      convert = false;
      name = trim(name.substr(1));
    }
    if (name.empty()) fail(start, "empty variable name: write a variable as {name}");
    p_ = close + 1;
    auto n = make(Node::Kind::Var, start);
    n->name = std::string(name);
    n->convert = convert;
    return n;
  }
};

// conditionsParser.patchExpression: plain substring replacements, even inside quotes. Every replacement has the
// same length as what it replaces, so error offsets in the rewritten text are offsets in the original.
std::string rewrite(std::string_view text) {
  std::string s(text);
  static const std::pair<const char*, const char*> rules[] = {
      {"=>", ">="}, {"=<", "<="}, {"<>", "!="}, {"equals", "equal "}, {"notequals", "notequal "}};
  for (const auto& [from, to] : rules) {
    size_t len = std::strlen(from);
    for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + len)) s.replace(i, len, to);
  }
  return s;
}

void collect(const Node& n, Node::Kind kind, std::vector<std::string>& out, std::unordered_set<std::string>& seen) {
  if (n.kind == kind && seen.insert(n.name).second) out.push_back(n.name);
  for (const auto& k : n.kids)
    if (k) collect(*k, kind, out, seen);
  if (n.rowCondition) collect(*n.rowCondition, kind, out, seen);
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------------------------------------------
// Expression.

Expression Expression::parse(std::string_view text, ExpressionError* error) {
  if (error) *error = ExpressionError{};
  auto setError = [&](size_t pos, std::string msg) {
    if (error) *error = ExpressionError{pos, std::move(msg)};
    return Expression{};
  };
  if (text.size() > kMaxLength)
    return setError(kMaxLength, "the expression is too long (" + std::to_string(text.size()) +
                                    " bytes; at most " + std::to_string(kMaxLength) + ")");
  std::string patched = detail::rewrite(text);
  try {
    detail::Parser parser(patched, 0);
    std::unique_ptr<detail::Node> root = parser.parseWhole();
    Expression e;
    e.text_ = std::string(text);
    if (root) e.root_ = std::shared_ptr<const detail::Node>(std::move(root));
    return e;
  } catch (const detail::ParseFail& f) {
    return setError(f.pos, f.message);
  }
}

Json Expression::evaluate(const EvalEnv& env) const {
  if (!root_) return nullptr;
  detail::Evaluator ev(env);
  detail::Scope scope{env.values, nullptr};
  try {
    return ev.eval(*root_, scope);
  } catch (const nlohmann::json::exception&) {
    return nullptr;  // a value of an unexpected shape from the session must not bring the kiosk down
  }
}

bool Expression::evaluateCondition(const EvalEnv& env) const {
  if (!root_) return true;
  return detail::conditionTrue(evaluate(env));
}

std::vector<std::string> Expression::variables() const {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  if (root_) detail::collect(*root_, detail::Node::Kind::Var, out, seen);
  return out;
}

std::vector<std::string> Expression::functions() const {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  if (root_) detail::collect(*root_, detail::Node::Kind::Call, out, seen);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// values::

namespace values {

bool isEmpty(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return true;
    case Json::value_t::string: return v.get_ref<const std::string&>().empty();
    case Json::value_t::array: return v.empty();
    case Json::value_t::object:
      for (const auto& e : v)
        if (!isEmpty(e)) return false;
      return true;
    default: return false;
  }
}

bool equal(const Json& a, const Json& b) {
  // OperandMaker: the text 'undefined' stands for undefined.
  static const Json nullJson;
  auto norm = [](const Json& v) -> const Json& {
    return (v.is_string() && v.get_ref<const std::string&>() == "undefined") ? nullJson : v;
  };
  return detail::equalCore(norm(a), norm(b), 0);
}

std::string toDisplayString(const Json& v) { return detail::jsString(v, true); }

bool truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return false;
    case Json::value_t::boolean: return v.get<bool>();
    case Json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return true;
    default: {
      if (!v.is_number()) return false;
      double d = v.get<double>();
      return d != 0 && !std::isnan(d);
    }
  }
}

std::optional<double> toNumber(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  std::string_view s = detail::trim(v.get_ref<const std::string&>());
  if (s.empty()) return std::nullopt;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    if (s.size() > 34) return std::nullopt;
    for (size_t i = 2; i < s.size(); ++i)
      if (!detail::isHexDigit(s[i])) return std::nullopt;
    return detail::parseRadix(s.substr(2), 16);
  }
  // Long digit strings (ids, phone and card numbers) would lose digits as doubles: keep them text.
  if (s.size() > 15 && std::all_of(s.begin(), s.end(), detail::isDigit)) return std::nullopt;
  std::string t(s);
  if (std::count(t.begin(), t.end(), ',') == 1 && t.find('.') == std::string::npos) t[t.find(',')] = '.';
  size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
  size_t n = detail::scanDecimal(t, i, true);
  if (n == 0 || i + n != t.size()) return std::nullopt;
  double d = detail::parseDecimal(std::string_view(t).substr(i, n));
  if (!std::isfinite(d)) return std::nullopt;
  return t[0] == '-' ? -d : d;
}

}  // namespace values
}  // namespace minyi::core
