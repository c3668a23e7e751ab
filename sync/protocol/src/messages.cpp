// JSON shapes of sync protocol v1: writing them, and parsing them with every field checked.
#include "minyi/protocol/messages.h"

#include <algorithm>
#include <set>

#include "minyi/core/json_input.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/ticket.h"

namespace minyi::protocol {

namespace {

bool fail(std::string* error, const std::string& what) {
  if (error) *error = what;
  return false;
}

std::optional<Json> parseBody(std::string_view body, std::string* error) {
  core::JsonLimits limits;
  limits.maxBytes = kMaxRequestBytes;
  limits.maxDepth = 16;
  std::string why;
  auto j = core::parseJsonText(body, &why, limits);
  if (!j) {
    if (error) *error = "the body is not JSON: " + why;
    return std::nullopt;
  }
  if (!j->is_object()) {
    if (error) *error = "the body must be a JSON object";
    return std::nullopt;
  }
  return j;
}

// Reads obj[key] as a string that passes `check`; `what` explains the expected shape in the error.
bool getText(const Json& obj, const char* key, std::string& out, std::string* error, const std::string& path,
             bool (*check)(std::string_view), const char* what, size_t maxBytes = 4096) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return fail(error, path + key + ": missing (" + what + ")");
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() > maxBytes || !core::isValidUtf8(s) || (check && !check(s)))
    return fail(error, path + key + ": not " + std::string(what));
  out = s;
  return true;
}

bool anyText(std::string_view) { return true; }
bool nonEmpty(std::string_view s) { return !s.empty(); }
bool isKioskId(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}
bool isBase64Key(std::string_view s) { return decodeKey(s).has_value(); }

bool isLocText(const Json& j) {
  if (!j.is_object() || j.empty()) return false;
  for (auto& [k, v] : j.items()) {
    if (k != "zh-cn" && k != "zh-tw" && k != "en" && k != "default") return false;
    if (!v.is_string() || v.get_ref<const std::string&>().size() > 16384 ||
        !core::isValidUtf8(v.get_ref<const std::string&>()))
      return false;
  }
  return true;
}

}  // namespace

bool isUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool isSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool isIsoUtc(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS.mmmZ
  static const char* shape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() != 20 && s.size() != 24) return false;
  for (size_t i = 0; i < 19; ++i) {
    if (shape[i] == 'd') {
      if (s[i] < '0' || s[i] > '9') return false;
    } else if (s[i] != shape[i]) {
      return false;
    }
  }
  if (s.size() == 24) {
    if (s[19] != '.') return false;
    for (size_t i = 20; i < 23; ++i)
      if (s[i] < '0' || s[i] > '9') return false;
  }
  if (s.back() != 'Z') return false;
  const int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
  const int hour = (s[11] - '0') * 10 + (s[12] - '0'), minute = (s[14] - '0') * 10 + (s[15] - '0');
  const int second = (s[17] - '0') * 10 + (s[18] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 61;
}

bool isFlagWord(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

bool isKind(std::string_view s) { return s == "survey" || s == "complaint" || s == "quick"; }

bool isFormId(std::string_view s) {
  if (s.empty() || s.size() > 128 || !core::isValidUtf8(s)) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

const char* outcomeName(Outcome o) {
  switch (o) {
    case Outcome::Stored: return "stored";
    case Outcome::Duplicate: return "duplicate";
    case Outcome::Conflict: return "conflict";
    case Outcome::Rejected: return "rejected";
  }
  return "rejected";
}

// --- errors ---

Json toJson(const ApiError& e) { return Json{{"error", Json{{"code", e.code}, {"message", e.message}}}}; }

std::optional<ApiError> parseApiError(std::string_view body) {
  auto j = parseBody(body, nullptr);
  if (!j) return std::nullopt;
  auto it = j->find("error");
  if (it == j->end() || !it->is_object()) return std::nullopt;
  ApiError e;
  if (!getText(*it, "code", e.code, nullptr, "", nonEmpty, "a word", 64)) return std::nullopt;
  getText(*it, "message", e.message, nullptr, "", anyText, "a sentence", 1000);
  return e;
}

// --- enrollment ---

Json toJson(const EnrollRequest& r) {
  Json j{{"code", r.code}, {"app_version", r.appVersion}};
  if (!r.kioskId.empty()) j["kiosk_id"] = r.kioskId;
  return j;
}

Json toJson(const EnrollReply& r) {
  Json j{{"device_id", r.deviceId},
         {"token", r.token},
         {"site", Json{{"id", r.siteId}, {"name", r.siteName}}},
         {"public_key", r.publicKey}};
  if (r.kioskNumber > 0) j["kiosk_number"] = r.kioskNumber;
  return j;
}

std::optional<EnrollRequest> parseEnrollRequest(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  EnrollRequest r;
  if (!getText(*j, "code", r.code, error, "", nonEmpty, "the enrollment code", 64)) return std::nullopt;
  if (j->contains("app_version") && !getText(*j, "app_version", r.appVersion, error, "", anyText, "a version", 64))
    return std::nullopt;
  if (j->contains("kiosk_id") && !getText(*j, "kiosk_id", r.kioskId, error, "", isKioskId, "a kiosk id (letters, digits, - and _)", 64))
    return std::nullopt;
  return r;
}

std::optional<EnrollReply> parseEnrollReply(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  EnrollReply r;
  if (!getText(*j, "device_id", r.deviceId, error, "", nonEmpty, "the device id", 64) ||
      !getText(*j, "token", r.token, error, "", nonEmpty, "the device token", 256) ||
      !getText(*j, "public_key", r.publicKey, error, "", isBase64Key, "a base64 public key", 64))
    return std::nullopt;
  auto site = j->find("site");
  if (site == j->end() || !site->is_object()) {
    fail(error, "site: missing");
    return std::nullopt;
  }
  if (!getText(*site, "id", r.siteId, error, "site.", nonEmpty, "the site id", 128) ||
      !getText(*site, "name", r.siteName, error, "site.", nonEmpty, "the site name", 512))
    return std::nullopt;
  if (auto n = j->find("kiosk_number"); n != j->end()) {
    if (!n->is_number_integer() || n->get<int64_t>() < 1 || n->get<int64_t>() > kMaxKioskNumber) {
      fail(error, "kiosk_number: not a whole number from 1 to 8191");
      return std::nullopt;
    }
    r.kioskNumber = static_cast<int>(n->get<int64_t>());
  }
  return r;
}

// --- submissions ---

Json toJson(const Envelope& e) {
  Json j{{"id", e.id},
         {"form_id", e.formId},
         {"form_version", e.formVersion},
         {"form_hash", e.formHash},
         {"kind", e.kind},
         {"created_at", e.createdAt},
         {"flags", e.flags},
         {"sealed", base64Encode(e.sealed)}};
  if (!e.ticketCode.empty()) j["ticket"] = Json{{"code", e.ticketCode}, {"key", base64Encode(e.ticketKeySealed)}};
  return j;
}

Json toJson(const SubmissionBatch& b) {
  Json list = Json::array();
  for (const Envelope& e : b.submissions) list.push_back(toJson(e));
  return Json{{"submissions", std::move(list)}};
}

Json toJson(const BatchReply& r) {
  Json list = Json::array();
  for (const ItemResult& i : r.results) {
    Json item{{"id", i.id}, {"status", outcomeName(i.outcome)}};
    if (!i.reason.empty()) item["reason"] = i.reason;
    list.push_back(std::move(item));
  }
  return Json{{"results", std::move(list)}};
}

std::optional<Envelope> parseEnvelope(const Json& j, std::string* error) {
  if (!j.is_object()) {
    fail(error, "expected an object");
    return std::nullopt;
  }
  Envelope e;
  std::string sealed64;
  if (!getText(j, "id", e.id, error, "", isUuid, "a lower-case UUID", 36) ||
      !getText(j, "form_id", e.formId, error, "", isFormId, "a form id", 128) ||
      !getText(j, "form_hash", e.formHash, error, "", isSha256Hex, "a sha256 hex digest", 64) ||
      !getText(j, "kind", e.kind, error, "", isKind, "survey, complaint or quick", 16) ||
      !getText(j, "created_at", e.createdAt, error, "", isIsoUtc, "a UTC ISO-8601 time", 24) ||
      !getText(j, "sealed", sealed64, error, "", nonEmpty, "base64 of the sealed answers", kMaxSealedBytes / 3 * 4 + 8))
    return std::nullopt;
  auto v = j.find("form_version");
  if (v == j.end() || !v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > 1000000) {
    fail(error, "form_version: not a whole number from 1");
    return std::nullopt;
  }
  e.formVersion = static_cast<int>(v->get<int64_t>());
  if (auto f = j.find("flags"); f != j.end()) {
    if (!f->is_array() || f->size() > 8) {
      fail(error, "flags: not a list of at most 8 words");
      return std::nullopt;
    }
    for (const Json& w : *f) {
      if (!w.is_string() || !isFlagWord(w.get_ref<const std::string&>())) {
        fail(error, "flags: each flag is a lower-case word");
        return std::nullopt;
      }
      e.flags.push_back(w.get<std::string>());
    }
  }
  auto raw = base64Decode(sealed64);
  if (!raw || raw->size() < 48 || raw->size() > kMaxSealedBytes) {  // 48: crypto_box_SEALBYTES
    fail(error, "sealed: not base64 of a sealed payload of at most 1 MB");
    return std::nullopt;
  }
  e.sealed = std::move(*raw);
  if (auto t = j.find("ticket"); t != j.end() && !t->is_null()) {
    std::string key64;
    if (!t->is_object() || e.kind != "complaint") {
      fail(error, "ticket: only a complaint carries a ticket, as {\"code\", \"key\"}");
      return std::nullopt;
    }
    if (!getText(*t, "code", e.ticketCode, error, "ticket.", nonEmpty, "a ticket code", 16) ||
        !getText(*t, "key", key64, error, "ticket.", nonEmpty, "base64 of the sealed access key", 256))
      return std::nullopt;
    const TicketCode checked = checkTicketCode(e.ticketCode);
    if (checked.check != TicketCode::Check::Ok || checked.code != e.ticketCode) {
      fail(error, "ticket.code: not a ticket code (10 symbols with a valid check symbol)");
      return std::nullopt;
    }
    auto key = base64Decode(key64);
    if (!key || key->size() < 48 || key->size() > 128) {
      fail(error, "ticket.key: not base64 of a sealed access key");
      return std::nullopt;
    }
    e.ticketKeySealed = std::move(*key);
  }
  return e;
}

std::optional<SubmissionBatch> parseSubmissionBatch(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  auto list = j->find("submissions");
  if (list == j->end() || !list->is_array()) {
    fail(error, "submissions: missing (a list)");
    return std::nullopt;
  }
  if (list->size() > kMaxBatch) {
    fail(error, "submissions: " + std::to_string(list->size()) + " in one batch, at most " + std::to_string(kMaxBatch));
    return std::nullopt;
  }
  SubmissionBatch b;
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string why;
    auto e = parseEnvelope((*list)[i], &why);
    if (!e) {
      fail(error, "submissions[" + std::to_string(i) + "]." + why);
      return std::nullopt;
    }
    if (!seen.insert(e->id).second) {
      fail(error, "submissions[" + std::to_string(i) + "].id: sent twice in one batch");
      return std::nullopt;
    }
    b.submissions.push_back(std::move(*e));
  }
  return b;
}

std::optional<BatchReply> parseBatchReply(std::string_view body, const std::vector<std::string>& sentIds,
                                          std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  auto list = j->find("results");
  if (list == j->end() || !list->is_array()) {
    fail(error, "results: missing (not a Minyi server reply)");
    return std::nullopt;
  }
  std::set<std::string> open(sentIds.begin(), sentIds.end());
  BatchReply r;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string p = "results[" + std::to_string(i) + "].";
    ItemResult res;
    std::string status;
    if (!item.is_object() || !getText(item, "id", res.id, error, p, isUuid, "a submission id", 36) ||
        !getText(item, "status", status, error, p, nonEmpty, "a status", 16))
      return std::nullopt;
    if (status == "stored") res.outcome = Outcome::Stored;
    else if (status == "duplicate") res.outcome = Outcome::Duplicate;
    else if (status == "conflict") res.outcome = Outcome::Conflict;
    else if (status == "rejected") res.outcome = Outcome::Rejected;
    else {
      fail(error, p + "status: unknown status " + status);
      return std::nullopt;
    }
    if (item.contains("reason") && !getText(item, "reason", res.reason, error, p, anyText, "a sentence", 1000))
      return std::nullopt;
    if (open.erase(res.id) == 0) {
      fail(error, p + "id: not one of the submissions sent, or answered twice");
      return std::nullopt;
    }
    r.results.push_back(std::move(res));
  }
  if (!open.empty()) {
    fail(error, "results: " + std::to_string(open.size()) + " submissions sent were not answered");
    return std::nullopt;
  }
  return r;
}

// --- forms ---

std::string formContentHash(std::string_view formText) {
  std::string why;
  auto j = core::parseJsonText(formText, &why);
  return j ? sha256Hex(j->dump()) : std::string();
}

Json toJson(const FormsReply& r) {
  Json list = Json::array();
  for (const FormOffer& f : r.forms)
    list.push_back(Json{{"id", f.id}, {"version", f.version}, {"hash", f.hash}, {"json", f.json}});
  return Json{{"forms", std::move(list)}};
}

std::optional<FormsReply> parseFormsReply(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  auto list = j->find("forms");
  if (list == j->end() || !list->is_array() || list->size() > 200) {
    fail(error, "forms: missing (a list of at most 200)");
    return std::nullopt;
  }
  FormsReply r;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string p = "forms[" + std::to_string(i) + "].";
    FormOffer f;
    if (!item.is_object() || !getText(item, "id", f.id, error, p, isFormId, "a form id", 128) ||
        !getText(item, "hash", f.hash, error, p, isSha256Hex, "a sha256 hex digest", 64) ||
        !getText(item, "json", f.json, error, p, nonEmpty, "the form's JSON text", 4 * 1024 * 1024))
      return std::nullopt;
    auto v = item.find("version");
    if (v == item.end() || !v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > 1000000) {
      fail(error, p + "version: not a whole number from 1");
      return std::nullopt;
    }
    f.version = static_cast<int>(v->get<int64_t>());
    if (formContentHash(f.json) != f.hash) {
      fail(error, p + "hash: does not match the form's text (damaged in transit)");
      return std::nullopt;
    }
    r.forms.push_back(std::move(f));
  }
  return r;
}

// --- tickets ---

bool isTicketStatus(std::string_view s) {
  return s == "received" || s == "assigned" || s == "in_progress" || s == "resolved" || s == "closed" ||
         s == "reopened" || s == "rejected";
}

Json toJson(const std::vector<TicketEvent>& timeline) {
  Json list = Json::array();
  for (const TicketEvent& e : timeline) list.push_back(Json{{"status", e.status}, {"at", e.at}});
  return list;
}

Json toJson(const TicketsReply& r) {
  Json list = Json::array();
  for (const TicketStatus& t : r.tickets) {
    Json item{{"code", t.code}, {"status", t.status}, {"timeline", toJson(t.timeline)}};
    if (!t.expectedBy.empty()) item["expected_by"] = t.expectedBy;
    if (!t.publicReply.empty()) item["public_reply"] = t.publicReply;
    if (!t.category.empty()) item["category"] = t.category;
    list.push_back(std::move(item));
  }
  return Json{{"tickets", std::move(list)}, {"now", r.now}};
}

std::optional<TicketsReply> parseTicketsReply(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  TicketsReply r;
  auto list = j->find("tickets");
  if (list == j->end() || !list->is_array() || list->size() > 10000) {
    fail(error, "tickets: missing (a list of at most 10,000)");
    return std::nullopt;
  }
  if (!getText(*j, "now", r.now, error, "", isIsoUtc, "the server's UTC time", 24)) return std::nullopt;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string p = "tickets[" + std::to_string(i) + "].";
    TicketStatus t;
    if (!item.is_object() || !getText(item, "code", t.code, error, p, nonEmpty, "a ticket code", 16) ||
        !getText(item, "status", t.status, error, p, isTicketStatus, "a ticket status", 16))
      return std::nullopt;
    if (item.contains("expected_by") && !getText(item, "expected_by", t.expectedBy, error, p, isIsoUtc, "a UTC time", 24))
      return std::nullopt;
    if (item.contains("public_reply") && !getText(item, "public_reply", t.publicReply, error, p, anyText, "text", 20000))
      return std::nullopt;
    if (item.contains("category") && !getText(item, "category", t.category, error, p, nonEmpty, "a category value", 64))
      return std::nullopt;
    auto tl = item.find("timeline");
    if (tl == item.end() || !tl->is_array() || tl->size() > 200) {
      fail(error, p + "timeline: missing (a list)");
      return std::nullopt;
    }
    for (const Json& e : *tl) {
      TicketEvent ev;
      if (!e.is_object() || !getText(e, "status", ev.status, error, p + "timeline.", isTicketStatus, "a ticket status", 16) ||
          !getText(e, "at", ev.at, error, p + "timeline.", isIsoUtc, "a UTC time", 24))
        return std::nullopt;
      t.timeline.push_back(std::move(ev));
    }
    r.tickets.push_back(std::move(t));
  }
  return r;
}

// --- follow-up ratings ---

bool isRating(std::string_view s) { return s == "satisfied" || s == "basic" || s == "unsatisfied"; }

namespace {
bool isTicketCodeText(std::string_view s) {
  const TicketCode c = checkTicketCode(s);
  return c.check == TicketCode::Check::Ok && c.code == s;
}
}  // namespace

Json toJson(const RatingsBatch& b) {
  Json list = Json::array();
  for (const TicketRating& r : b.ratings)
    list.push_back(Json{{"id", r.id}, {"code", r.code}, {"rating", r.rating}, {"at", r.at}});
  return Json{{"ratings", std::move(list)}};
}

std::optional<RatingsBatch> parseRatingsBatch(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  auto list = j->find("ratings");
  if (list == j->end() || !list->is_array() || list->empty() || list->size() > kMaxBatch) {
    fail(error, "ratings: missing (a list of 1 to 100)");
    return std::nullopt;
  }
  RatingsBatch b;
  std::set<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    const std::string p = "ratings[" + std::to_string(i) + "].";
    TicketRating r;
    if (!item.is_object() || !getText(item, "id", r.id, error, p, isUuid, "a lower-case UUID", 36) ||
        !getText(item, "code", r.code, error, p, isTicketCodeText, "a ticket code (10 symbols, valid check symbol)", 16) ||
        !getText(item, "rating", r.rating, error, p, isRating, "satisfied, basic or unsatisfied", 16) ||
        !getText(item, "at", r.at, error, p, isIsoUtc, "a UTC time", 24))
      return std::nullopt;
    if (!ids.insert(r.id).second) {
      fail(error, p + "id: sent twice in one batch");
      return std::nullopt;
    }
    b.ratings.push_back(std::move(r));
  }
  return b;
}

// --- the kiosk's report on itself ---

namespace {
bool isVersionText(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+' || c == '~';
  });
}
// "1080x1920": two sizes of 1 to 5 digits.
bool isScreenSize(std::string_view s) {
  const size_t x = s.find('x');
  auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 5 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return x != std::string_view::npos && digits(s.substr(0, x)) && digits(s.substr(x + 1));
}
// obj[key], when present, as a whole number in [0, max].
bool getCount(const Json& obj, const char* key, std::optional<int64_t>& out, std::string* error, int64_t max) {
  auto it = obj.find(key);
  if (it == obj.end()) return true;
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > max)
    return fail(error, std::string(key) + ": not a whole number from 0 to " + std::to_string(max));
  out = it->get<int64_t>();
  return true;
}
}  // namespace

Json toJson(const KioskReport& r) {
  Json j{{"outbox", r.outbox}};
  if (!r.appVersion.empty()) j["app_version"] = r.appVersion;
  if (r.diskFreeBytes) j["disk_free_bytes"] = *r.diskFreeBytes;
  if (!r.oldestUnsent.empty()) j["oldest_unsent"] = r.oldestUnsent;
  if (!r.lastError.empty()) j["last_error"] = r.lastError;
  if (r.appUptimeSeconds) j["app_uptime_seconds"] = *r.appUptimeSeconds;
  if (r.bootUptimeSeconds) j["boot_uptime_seconds"] = *r.bootUptimeSeconds;
  if (!r.screen.empty()) j["screen"] = r.screen;
  return j;
}

std::optional<KioskReport> parseKioskReport(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  KioskReport r;
  std::optional<int64_t> outbox;
  constexpr int64_t kPetabyte = int64_t{1} << 50, kCentury = int64_t{100} * 366 * 24 * 3600;
  if (!getCount(*j, "outbox", outbox, error, 100000000) || !getCount(*j, "disk_free_bytes", r.diskFreeBytes, error, kPetabyte) ||
      !getCount(*j, "app_uptime_seconds", r.appUptimeSeconds, error, kCentury) ||
      !getCount(*j, "boot_uptime_seconds", r.bootUptimeSeconds, error, kCentury))
    return std::nullopt;
  r.outbox = outbox.value_or(0);
  if ((j->contains("app_version") && !getText(*j, "app_version", r.appVersion, error, "", isVersionText, "a version", 64)) ||
      (j->contains("oldest_unsent") && !getText(*j, "oldest_unsent", r.oldestUnsent, error, "", isIsoUtc, "a UTC time", 24)) ||
      (j->contains("last_error") && !getText(*j, "last_error", r.lastError, error, "", anyText, "text of at most 500 bytes", 500)) ||
      (j->contains("screen") && !getText(*j, "screen", r.screen, error, "", isScreenSize, "a size such as 1080x1920", 11)))
    return std::nullopt;
  return r;
}

// --- notices ---

Json toJson(const Notice& n) {
  Json j{{"id", n.id}, {"title", n.title}, {"body", n.body}, {"published_at", n.publishedAt}};
  if (!n.until.empty()) j["until"] = n.until;
  return j;
}

Json toJson(const NoticesReply& r) {
  Json list = Json::array();
  for (const Notice& n : r.notices) list.push_back(toJson(n));
  return Json{{"notices", std::move(list)}};
}

std::optional<Notice> parseNotice(const Json& j, std::string* error) {
  Notice n;
  if (!j.is_object() || !getText(j, "id", n.id, error, "", isFormId, "a notice id", 128) ||
      !getText(j, "published_at", n.publishedAt, error, "", isIsoUtc, "a UTC ISO-8601 time", 24))
    return std::nullopt;
  if (j.contains("until") && !j["until"].is_null() &&
      !getText(j, "until", n.until, error, "", isIsoUtc, "a UTC ISO-8601 time", 24))
    return std::nullopt;
  auto title = j.find("title"), body = j.find("body");
  if (title == j.end() || !isLocText(*title)) {
    fail(error, "title: not texts by language (zh-cn, zh-tw, en)");
    return std::nullopt;
  }
  if (body == j.end() || !isLocText(*body)) {
    fail(error, "body: not texts by language (zh-cn, zh-tw, en)");
    return std::nullopt;
  }
  n.title = *title;
  n.body = *body;
  return n;
}

std::optional<NoticesReply> parseNoticesReply(std::string_view body, std::string* error) {
  auto j = parseBody(body, error);
  if (!j) return std::nullopt;
  auto list = j->find("notices");
  if (list == j->end() || !list->is_array() || list->size() > 100) {
    fail(error, "notices: missing (a list of at most 100)");
    return std::nullopt;
  }
  NoticesReply r;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string why;
    auto n = parseNotice((*list)[i], &why);
    if (!n) {
      fail(error, "notices[" + std::to_string(i) + "]." + why);
      return std::nullopt;
    }
    r.notices.push_back(std::move(*n));
  }
  return r;
}

}  // namespace minyi::protocol
