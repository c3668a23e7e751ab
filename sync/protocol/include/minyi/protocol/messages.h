// The sync protocol's JSON shapes (docs/protocol.md): requests and replies of /api/v1, checked on parse.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/core/json.h"

namespace minyi::protocol {

using core::Json;

constexpr const char* kApiPrefix = "/api/v1";
constexpr size_t kMaxBatch = 100;                       // submissions per POST /submissions
constexpr size_t kMaxSealedBytes = 1024 * 1024;         // one sealed submission (binary)
constexpr size_t kMaxRequestBytes = 160 * 1024 * 1024;  // a full batch in base64, with room for the envelope
constexpr size_t kMaxReplyBytes = 32 * 1024 * 1024;     // what a client reads from any reply

// Every failed request's body: {"error": {"code": "...", "message": "..."}}.
struct ApiError {
  std::string code;     // machine word: bad_request, unauthorized, revoked, too_large, rate_limited, ...
  std::string message;  // one English sentence for logs and the admin panel
};
Json toJson(const ApiError& e);
std::optional<ApiError> parseApiError(std::string_view body);

// --- Enrollment: POST /api/v1/enroll (no token; the one-time code is the credential) ---
struct EnrollRequest {
  std::string code;        // as staff typed it; the server ignores case, spaces and dashes
  std::string appVersion;  // e.g. "0.1.0"
  // The kiosk's own id, kept across enrollments (KioskStore::kioskId): what its sealed answers name, so a
  // kiosk enrolled again still delivers them. Empty from kiosks that predate it.
  std::string kioskId;
};
struct EnrollReply {
  std::string deviceId;
  std::string token;      // secret: sent as `Authorization: Bearer <token>` from now on
  std::string siteId;
  std::string siteName;
  std::string publicKey;  // base64 of the server's public key: what the kiosk seals submissions to
  int kioskNumber = 0;    // 1..8191, unique in the township: the first part of the kiosk's ticket codes (0: none)
};
Json toJson(const EnrollRequest& r);
Json toJson(const EnrollReply& r);
std::optional<EnrollRequest> parseEnrollRequest(std::string_view body, std::string* error);
std::optional<EnrollReply> parseEnrollReply(std::string_view body, std::string* error);

// --- Submissions: POST /api/v1/submissions ---
struct Envelope {
  std::string id;  // UUIDv4 made by the kiosk
  std::string formId;
  int formVersion = 1;
  std::string formHash;  // sha256 hex of the form text
  std::string kind;      // survey | complaint | quick
  std::string createdAt; // UTC ISO-8601 with milliseconds
  std::vector<std::string> flags;
  std::string sealed;    // binary: crypto_box_seal of the result JSON (base64 on the wire)
  // A complaint's ticket (issue #5): the code in the clear (a kiosk's disk may give up codes, never
  // answers) and the access key of its QR link sealed to the server. Both empty for other kinds.
  std::string ticketCode;       // 10 Crockford symbols, ungrouped, with a valid check symbol
  std::string ticketKeySealed;  // binary: crypto_box_seal of the access key
};
struct SubmissionBatch {
  std::vector<Envelope> submissions;
};
enum class Outcome { Stored, Duplicate, Conflict, Rejected };
const char* outcomeName(Outcome o);  // "stored", "duplicate", "conflict", "rejected"
struct ItemResult {
  std::string id;
  Outcome outcome = Outcome::Stored;
  std::string reason;  // why conflict/rejected; empty otherwise
};
struct BatchReply {
  std::vector<ItemResult> results;
};
Json toJson(const Envelope& e);
Json toJson(const SubmissionBatch& b);
Json toJson(const BatchReply& r);
// Checks every field (ids, hashes, times, sizes, base64) and the batch size; the error names the field.
std::optional<Envelope> parseEnvelope(const Json& j, std::string* error);
std::optional<SubmissionBatch> parseSubmissionBatch(std::string_view body, std::string* error);
// A reply is well-formed only when it answers every id that was sent, each exactly once, and nothing
// else: anything less (a captive portal's 200, a truncated body) is a failed attempt.
std::optional<BatchReply> parseBatchReply(std::string_view body, const std::vector<std::string>& sentIds,
                                          std::string* error);

// --- Forms: GET /api/v1/forms (ETag / If-None-Match) ---
struct FormOffer {
  std::string id;
  int version = 1;
  std::string hash;   // formContentHash(json)
  std::string json;  // the SurveyJS text, exactly as staff uploaded it
};
// The form engine's content hash (Form::contentHash): SHA-256 hex of the JSON re-serialized compactly with
// its key order kept, so reformatting a file does not make a new version. Empty when the text is not JSON.
std::string formContentHash(std::string_view formText);
struct FormsReply {
  std::vector<FormOffer> forms;
};
Json toJson(const FormsReply& r);
std::optional<FormsReply> parseFormsReply(std::string_view body, std::string* error);

// --- Notices: GET /api/v1/notices ---
// Texts carry "zh-cn", "zh-tw" and/or "en"; the kiosk shows the one for its language, falling back to zh-cn.
struct Notice {
  std::string id;
  Json title = Json::object();
  Json body = Json::object();
  std::string publishedAt;  // UTC ISO-8601
  std::string until;        // empty: no end date
};
struct NoticesReply {
  std::vector<Notice> notices;
};
Json toJson(const Notice& n);
Json toJson(const NoticesReply& r);
std::optional<Notice> parseNotice(const Json& j, std::string* error);
std::optional<NoticesReply> parseNoticesReply(std::string_view body, std::string* error);

// --- Ticket status: GET /api/v1/tickets?since=<time> ---
// The tickets made on this kiosk that changed after `since` (the `now` of the previous reply; absent: all).
struct TicketEvent {
  std::string status;  // see isTicketStatus
  std::string at;      // UTC ISO-8601
};
struct TicketStatus {
  std::string code;          // ungrouped
  std::string status;
  std::string expectedBy;    // when handling is due (UTC ISO-8601), empty if not known
  std::string publicReply;   // what staff wrote for the resident; empty until resolved
  std::vector<TicketEvent> timeline;
  std::string category;      // the complaint form's category value; empty when not sent
};
struct TicketsReply {
  std::vector<TicketStatus> tickets;
  std::string now;  // the server's clock: the next request's `since`
};
Json toJson(const TicketsReply& r);
// A ticket's timeline as the tickets reply writes it, [{"status": ..., "at": ...}] (the kiosk keeps it so too).
Json toJson(const std::vector<TicketEvent>& timeline);
std::optional<TicketsReply> parseTicketsReply(std::string_view body, std::string* error);
// received | assigned | in_progress | resolved | closed | reopened | rejected
bool isTicketStatus(std::string_view s);

// --- Follow-up ratings at a kiosk (回访): POST /api/v1/tickets/ratings ---
// A resident typed a ticket code at a kiosk (any kiosk) and rated how it was handled. Each rating has its own
// id, so the kiosk can keep it in an outbox and send it again until the server answered it. The reply is a
// BatchReply: stored (applied), duplicate (this id was applied before), rejected (with a reason: unknown
// code, not waiting for a rating, already rated).
struct TicketRating {
  std::string id;      // UUIDv4 made by the kiosk
  std::string code;    // ungrouped, with a valid check symbol
  std::string rating;  // satisfied (满意) | basic (基本满意) | unsatisfied (不满意)
  std::string at;      // UTC ISO-8601, on the kiosk
};
struct RatingsBatch {
  std::vector<TicketRating> ratings;  // 1 to 100, each id once
};
Json toJson(const RatingsBatch& b);
std::optional<RatingsBatch> parseRatingsBatch(std::string_view body, std::string* error);
bool isRating(std::string_view s);

// --- The kiosk's report on itself: POST /api/v1/kiosk-report (with each poll; reply 204) ---
// What IT needs to see a kiosk is well from the township (issue #13, fleet health). Every field may be left
// out (an older kiosk, or one that cannot tell); each sent is checked.
struct KioskReport {
  std::string appVersion;                    // e.g. "0.1.0"
  std::optional<int64_t> diskFreeBytes;      // free on the file system of the kiosk's database
  int64_t outbox = 0;                        // submissions waiting to be sent
  std::string oldestUnsent;                  // UTC ISO-8601 of the oldest waiting one; empty: none waiting
  std::string lastError;                     // the sync's last problem since the kiosk started ("network: ..."); empty: none
  std::optional<int64_t> appUptimeSeconds;   // since minyi-kiosk started (a restart loop shows here)
  std::optional<int64_t> bootUptimeSeconds;  // since the machine booted
  std::string screen;                        // the window in pixels, "1080x1920"
};
Json toJson(const KioskReport& r);
std::optional<KioskReport> parseKioskReport(std::string_view body, std::string* error);

// Shapes of values shared by both sides.
bool isUuid(std::string_view s);          // lower-case 8-4-4-4-12 hex
bool isSha256Hex(std::string_view s);     // 64 lower-case hex digits
bool isIsoUtc(std::string_view s);        // 2024-05-01T08:00:00Z or with .mmm
bool isFlagWord(std::string_view s);      // 1-32 of a-z 0-9 _ -
bool isKind(std::string_view s);          // survey | complaint | quick
bool isFormId(std::string_view s);        // 1-64 of a-z A-Z 0-9 _ - .

}  // namespace minyi::protocol
