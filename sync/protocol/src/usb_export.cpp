// The USB export's line and manifest, written and read (see usb_export.h).
#include "minyi/protocol/usb_export.h"

#include <nlohmann/json.hpp>

#include "minyi/core/json_input.h"
#include "minyi/protocol/crypto.h"

namespace minyi::protocol {

namespace {

using Ordered = nlohmann::ordered_json;

std::string textOr(const core::Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t numberOr(const core::Json& j, const char* key, int64_t otherwise) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : otherwise;
}

Ordered textOrNull(const std::string& s) { return s.empty() ? Ordered() : Ordered(s); }

}  // namespace

std::string exportLine(const ExportedSubmission& s) {
  const Envelope& e = s.envelope;
  Ordered line;
  line["id"] = e.id;
  line["form_id"] = e.formId;
  line["form_version"] = e.formVersion;
  line["form_hash"] = e.formHash;
  line["kind"] = e.kind;
  line["created_at"] = e.createdAt;
  line["state"] = s.state;
  line["attempts"] = s.attempts;
  line["last_error"] = textOrNull(s.lastError);
  line["sent_at"] = textOrNull(s.sentAt);
  line["flags"] = e.flags;
  line["payload"] = base64Encode(e.sealed);
  if (!e.ticketCode.empty()) line["ticket"] = Ordered{{"code", e.ticketCode}, {"key", base64Encode(e.ticketKeySealed)}};
  return line.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

std::optional<ExportedSubmission> parseExportLine(std::string_view text, std::string* why) {
  core::JsonLimits limits;
  limits.maxBytes = kMaxSealedBytes / 3 * 4 + 64 * 1024;  // the payload in base64 and the rest
  limits.maxDepth = 8;
  std::string problem;
  auto j = core::parseJsonText(text, &problem, limits);
  if (!j || !j->is_object()) {
    if (why) *why = j ? "not a JSON object" : problem;
    return std::nullopt;
  }
  // The line's fields are the envelope's, with `payload` holding what the network sends as `sealed`.
  core::Json envelope = core::Json::object();
  for (const char* key : {"id", "form_id", "form_version", "form_hash", "kind", "created_at", "flags", "ticket"})
    if (j->contains(key)) envelope[key] = (*j)[key];
  if (j->contains("payload")) envelope["sealed"] = (*j)["payload"];
  auto e = parseEnvelope(envelope, why);
  if (!e) return std::nullopt;
  ExportedSubmission s;
  s.envelope = std::move(*e);
  s.state = textOr(*j, "state");
  s.attempts = numberOr(*j, "attempts", 0);
  s.lastError = textOr(*j, "last_error");
  s.sentAt = textOr(*j, "sent_at");
  return s;
}

std::string manifestText(const ExportManifest& m) {
  Ordered j;
  j["format"] = kUsbExportFormat;
  j["format_version"] = kUsbExportFormatVersion;
  j["created_at"] = m.createdAt;
  j["site_id"] = m.siteId;
  j["device_id"] = m.deviceId;
  j["kiosk_id"] = m.kioskId;
  j["scope"] = m.everything ? "all" : "unsent";
  j["data_file"] = m.dataFile;
  j["data_bytes"] = m.dataBytes;
  j["data_sha256"] = m.dataSha256;
  j["submissions"] = m.submissions;
  j["counts"] = Ordered{{"pending", m.pending}, {"sent", m.sent}, {"conflict", m.conflict}, {"rejected", m.rejected}};
  return j.dump(2, ' ', false, Ordered::error_handler_t::replace) + "\n";
}

std::optional<ExportManifest> parseExportManifest(std::string_view text, std::string* why) {
  auto fail = [why](const std::string& what) -> std::optional<ExportManifest> {
    if (why) *why = what;
    return std::nullopt;
  };
  std::string problem;
  auto parsed = core::parseJsonText(text, &problem);
  if (!parsed || !parsed->is_object()) return fail("not a Minyi export manifest");
  const core::Json& j = *parsed;
  if (textOr(j, "format") != kUsbExportFormat) return fail("not a Minyi export manifest (format)");
  const int64_t version = numberOr(j, "format_version", -1);
  if (version != kUsbExportFormatVersion)
    return fail("export format version " + std::to_string(version) + " is not known to this minyi");
  ExportManifest m;
  m.createdAt = textOr(j, "created_at");
  m.siteId = textOr(j, "site_id");
  m.deviceId = textOr(j, "device_id");
  m.kioskId = textOr(j, "kiosk_id");
  m.everything = textOr(j, "scope") == "all";
  m.dataFile = textOr(j, "data_file");
  if (m.dataFile.empty() || m.dataFile.find('/') != std::string::npos || m.dataFile[0] == '.')
    return fail("the manifest names no plain data file");
  const int64_t bytes = numberOr(j, "data_bytes", -1);
  m.submissions = numberOr(j, "submissions", -1);
  m.dataSha256 = textOr(j, "data_sha256");
  if (bytes < 0 || m.submissions < 0 || m.dataSha256.empty())
    return fail("the manifest does not say the data file's size, SHA-256 and number of submissions");
  m.dataBytes = static_cast<uint64_t>(bytes);
  if (auto c = j.find("counts"); c != j.end() && c->is_object()) {
    m.pending = numberOr(*c, "pending", 0);
    m.sent = numberOr(*c, "sent", 0);
    m.conflict = numberOr(*c, "conflict", 0);
    m.rejected = numberOr(*c, "rejected", 0);
  }
  return m;
}

}  // namespace minyi::protocol
