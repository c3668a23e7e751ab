// Phone numbers masked however residents and staff spell them (issue #11 item 7): the phone answer and free text.
#include "minyi/server/phone_mask.h"

#include <array>
#include <vector>

#include "minyi/protocol/ticket.h"

namespace minyi::server {

namespace {

// One character of the text as far as numbers are concerned. Full-width forms count as their ASCII twins:
// a resident on a Chinese input method types １３８ as easily as 138.
struct Unit {
  enum class Kind { Digit, Separator, Open, Close, Plus, Letter, Measure, Other };
  Kind kind = Kind::Other;
  size_t len = 1;
  char digit = 0;
};

bool startsWith(std::string_view s, size_t at, std::string_view prefix) { return s.substr(at, prefix.size()) == prefix; }

// Words that make the number before them a count, a size or an address, not something to dial.
constexpr std::array<std::string_view, 17> kMeasureWords = {"元", "万", "亿", "米", "号", "栋", "幢", "楼", "室", "户",
                                                           "人", "个", "次", "年", "月", "日", "平"};

Unit unitAt(std::string_view s, size_t i) {
  using K = Unit::Kind;
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c >= '0' && c <= '9') return {K::Digit, 1, static_cast<char>(c)};
  if (c == ' ' || c == '-' || c == '.') return {K::Separator, 1, 0};
  if (c == '(') return {K::Open, 1, 0};
  if (c == ')') return {K::Close, 1, 0};
  if (c == '+') return {K::Plus, 1, 0};
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return {K::Letter, 1, 0};
  if (c < 0x80) return {K::Other, 1, 0};
  if (startsWith(s, i, "\xEF\xBC") && i + 2 < s.size()) {  // U+FF00..U+FF3F: full-width ASCII
    const unsigned char d = static_cast<unsigned char>(s[i + 2]);
    if (d >= 0x90 && d <= 0x99) return {K::Digit, 3, static_cast<char>('0' + (d - 0x90))};
    if (d == 0x8D || d == 0x8E) return {K::Separator, 3, 0};  // －．
    if (d == 0x88) return {K::Open, 3, 0};                     // （
    if (d == 0x89) return {K::Close, 3, 0};                    // ）
    if (d == 0x8B) return {K::Plus, 3, 0};                     // ＋
    if (d >= 0xA1 && d <= 0xBA) return {K::Letter, 3, 0};     // Ａ..Ｚ
  }
  for (std::string_view sep : {"\xE3\x80\x80", "\xE2\x80\x94", "\xE2\x80\x93", "\xE2\x88\x92"})  // 　 — – −
    if (startsWith(s, i, sep)) return {K::Separator, 3, 0};
  for (std::string_view w : kMeasureWords)
    if (startsWith(s, i, w)) return {K::Measure, w.size(), 0};
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  return {K::Other, std::min(len, s.size() - i), 0};
}

struct Digit {
  size_t pos, len;
  char value;
};

// A run of digits with nothing between them; a number is one or more groups with separators between.
struct Group {
  std::vector<Digit> digits;
  bool afterPlus = false;    // +86: a country code
  bool touchesWord = false;  // a letter or a measure word right beside it: part of a code, a count or an address
  std::string value() const {
    std::string v;
    for (const Digit& d : digits) v += d.value;
    return v;
  }
};

bool isMobile(std::string_view national) { return national.size() == 11 && national[0] == '1' && national[1] >= '3'; }

bool isCompactDate(std::string_view v) {
  if (v.size() != 8) return false;
  const int year = std::stoi(std::string(v.substr(0, 4))), month = std::stoi(std::string(v.substr(4, 2))),
            day = std::stoi(std::string(v.substr(6, 2)));
  return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// The digits of `text` that are private, as flags over `all` (every digit of the text, in order).
std::vector<bool> privateDigits(std::string_view text, std::vector<Digit>& all) {
  using K = Unit::Kind;
  std::vector<Unit> units;
  for (size_t i = 0; i < text.size();) {
    Unit u = unitAt(text, i);
    units.push_back(u);
    if (u.kind == K::Digit) all.push_back({i, u.len, u.digit});
    i += u.len;
  }
  std::vector<bool> masked(all.size(), false);
  size_t nextDigit = 0;
  for (size_t u = 0; u < units.size();) {
    if (units[u].kind != K::Digit) {
      ++u;
      continue;
    }
    // One number: groups of digits joined by at most two separators or brackets ("138 1234", "(010) 6512").
    std::vector<Group> groups;
    std::vector<size_t> firstDigit;
    size_t v = u;
    while (true) {
      Group g;
      g.afterPlus = v > 0 && units[v - 1].kind == K::Plus;
      g.touchesWord = v > 0 && (units[v - 1].kind == K::Letter || units[v - 1].kind == K::Measure);
      firstDigit.push_back(nextDigit);
      while (v < units.size() && units[v].kind == K::Digit) {
        g.digits.push_back(all[nextDigit++]);
        ++v;
      }
      if (v < units.size() && (units[v].kind == K::Letter || units[v].kind == K::Measure)) g.touchesWord = true;
      groups.push_back(std::move(g));
      size_t w = v;
      while (w < units.size() && w - v < 2 &&
             (units[w].kind == K::Separator || units[w].kind == K::Open || units[w].kind == K::Close || units[w].kind == K::Plus))
        ++w;
      if (w == v || w >= units.size() || units[w].kind != K::Digit) break;
      v = w;
    }
    u = v;

    std::vector<bool> mobile(groups.size(), false);
    // Mobile numbers: groups that together hold exactly 11 digits starting 1[3-9], whatever the spacing,
    // perhaps behind a country code written into the same digits (+8613812345678, 008613812345678).
    for (size_t s = 0; s < groups.size(); ++s) {
      if (groups[s].touchesWord && groups[s].digits.size() < 11) continue;
      std::string digits;
      size_t e = s, country = std::string::npos;
      while (e < groups.size() && digits.size() < 15 && country == std::string::npos) {
        digits += groups[e++].value();
        if (isMobile(digits)) country = 0;
        else if (digits.size() == 13 && digits.compare(0, 2, "86") == 0 && isMobile(digits.substr(2))) country = 2;
        else if (digits.size() == 15 && digits.compare(0, 4, "0086") == 0 && isMobile(digits.substr(4))) country = 4;
      }
      if (country == std::string::npos) continue;
      for (size_t k = s; k < e; ++k) mobile[k] = true;
      for (size_t k = 3; k + 4 < 11; ++k) masked[firstDigit[s] + country + k] = true;  // 138****5678
      s = e - 1;
    }
    // Other long numbers (landlines, ID cards, bank cards): runs of groups of 3 or more digits, or of single
    // digits written one by one, holding 7 or more digits in all. Groups of 1 or 2 digits end a run: they
    // are dates (2026-03-05), building-unit-room (3-2-1502) or amounts (1234.56).
    auto single = [&](size_t k) { return groups[k].digits.size() == 1; };
    auto inRun = [&](size_t k) {
      return !mobile[k] && !groups[k].touchesWord && (groups[k].digits.size() >= 3 || groups[k].afterPlus || single(k));
    };
    for (size_t s = 0; s < groups.size();) {
      if (!inRun(s)) {
        if (!mobile[s] && groups[s].digits.size() >= 11) {  // an ID number ending in X, say: hidden anyway
          for (size_t k = 0; k < groups[s].digits.size(); ++k) masked[firstDigit[s] + k] = true;
        }
        ++s;
        continue;
      }
      size_t e = s;
      std::string digits;
      const bool singles = single(s);
      while (e < groups.size() && inRun(e) && single(e) == singles) digits += groups[e++].value();
      const size_t countryCode = groups[s].afterPlus ? groups[s].digits.size() : 0;
      const bool date = e - s == 1 && isCompactDate(digits);
      std::string grouped;
      for (size_t k = s; k < e; ++k) grouped += (k > s ? "-" : "") + groups[k].value();
      const bool ticketCode = digits.size() == static_cast<size_t>(protocol::kTicketCodeLength) &&
                              (e - s == 1 || (e - s == 2 && groups[s].digits.size() == 5)) &&
                              protocol::checkTicketCode(grouped).check == protocol::TicketCode::Check::Ok;
      if (digits.size() - countryCode >= 7 && !date && !ticketCode) {
        size_t skip = countryCode;
        for (size_t k = s; k < e; ++k)
          for (size_t d = 0; d < groups[k].digits.size(); ++d, skip = skip > 0 ? skip - 1 : 0)
            if (skip == 0) masked[firstDigit[k] + d] = true;
      }
      s = e;
    }
  }
  return masked;
}

std::string rebuild(std::string_view text, const std::vector<Digit>& all, const std::vector<bool>& masked) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (size_t k = 0; k < all.size(); ++k) {
    if (!masked[k]) continue;
    out.append(text.substr(at, all[k].pos - at));
    out += '*';
    at = all[k].pos + all[k].len;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace

std::string maskPhone(std::string_view phone) {
  std::vector<Digit> all;
  for (size_t i = 0; i < phone.size();) {
    const Unit u = unitAt(phone, i);
    if (u.kind == Unit::Kind::Digit) all.push_back({i, u.len, u.digit});
    i += u.len;
  }
  std::string digits;
  for (const Digit& d : all) digits += d.value;
  // The country code is no secret and no part of the number: +86 138…, 0086 138…, 86 138….
  size_t country = 0;
  const bool plus = phone.find('+') != std::string_view::npos || phone.find("\xEF\xBC\x8B") != std::string_view::npos;
  if (digits.size() == 13 && digits.compare(0, 2, "86") == 0 && (plus || isMobile(digits.substr(2)))) country = 2;
  if (digits.size() == 15 && digits.compare(0, 4, "0086") == 0) country = 4;
  const std::string national = digits.substr(country);
  std::vector<bool> masked(all.size(), false);
  const size_t head = isMobile(national) ? 3 : 0, tail = national.size() <= 4 ? 0 : 4;
  for (size_t k = 0; k < national.size(); ++k)
    if (k >= head && k + tail < national.size()) masked[country + k] = true;
  return rebuild(phone, all, masked);
}

std::string maskPhoneNumbers(std::string_view text) {
  std::vector<Digit> all;
  const std::vector<bool> masked = privateDigits(text, all);
  return rebuild(text, all, masked);
}

}  // namespace minyi::server
