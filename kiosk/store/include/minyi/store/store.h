// The kiosk's durable storage (DESIGN.md §7): forms it offers, the submission outbox, settings, admin audit log.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minyi/store/error.h"

namespace minyi::store {

struct OpenOptions {
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Upper bound for the database file; 0 means the disk is the limit. Keeps a filling outbox from
  // taking the last space the operating system needs. Reaching it is reported as DiskFull.
  uint64_t maxDatabaseBytes = 0;
  // health() reports DiskFull when less than this is free on the database's filesystem.
  uint64_t reserveBytes = 16ull * 1024 * 1024;
  // How long a write waits for another connection before giving up with Busy.
  int busyTimeoutMs = 5000;
  // Tests move time by hand; production uses the system clock.
  Clock clock;
};

// A form this kiosk has received (from the forms folder or, later, the server).
struct StoredForm {
  std::string id;
  int version = 1;
  std::string hash;  // content hash from the form engine (Form::contentHash)
  std::string kind;  // survey | complaint | quick
  std::string json;  // the SurveyJS JSON text as received
  bool active = false;
  std::string receivedAt;  // UTC ISO-8601, set by the store
};

// What the kiosk hands to the store when a resident finishes (or, for partial forms, leaves) a form.
struct NewSubmission {
  std::string formId;
  int formVersion = 1;
  std::string formHash;
  std::string kind;     // survey | complaint | quick
  std::string payload;  // bytes as given: the answers sealed to the server's key (protocol::sealAnswers)
  // Marks staff should see, e.g. "misuse" (a burst of quick-rating taps) or "partial" (kept on idle).
  // Lower-case words of a-z, 0-9, '_' or '-'.
  std::vector<std::string> flags;
  // Made by the caller with newSubmissionId() when the payload is sealed bound to it; empty: made here.
  std::string id;
};

// A complaint's ticket, made in the same transaction as its submission (commitComplaint).
struct NewTicket {
  uint32_t kioskNumber = 0;  // 1..8191: the first part of the code
  std::string category;      // the complaint's category value (form "minyi.categories")
  std::string keySealed;     // the QR link's access key, sealed to the server's key
};

// A ticket as the kiosk knows it: made here, its handling as the server last reported it.
struct Ticket {
  std::string code;  // ungrouped
  int64_t serial = 0;
  std::string submissionId;
  std::string category;
  std::string createdAt;
  std::string keySealed;
  std::string status = "received";  // received, assigned, in_progress, resolved, closed, reopened, rejected
  std::string expectedBy;
  std::string publicReply;
  std::string timeline = "[]";      // JSON list of {"status", "at"}
  std::string updatedAt;            // empty: the server has not reported on it yet
};

// The server's news of one ticket (GET /api/v1/tickets).
struct TicketNews {
  std::string code;
  std::string status;
  std::string expectedBy;
  std::string publicReply;
  std::string timeline;  // JSON list
};

enum class SubmissionState { Pending, Sent, Conflict, Rejected };
const char* stateName(SubmissionState state);  // "pending", "sent", "conflict", "rejected"

// A submission in the outbox.
struct Submission {
  std::string id;  // random UUIDv4, made by the store
  std::string formId;
  int formVersion = 1;
  std::string formHash;
  std::string kind;
  std::string createdAt;  // UTC ISO-8601 with milliseconds, e.g. 2024-05-01T08:00:00.123Z
  std::string payload;
  SubmissionState state = SubmissionState::Pending;
  int attempts = 0;       // failed upload attempts
  std::string lastError;  // why the last attempt failed, or the server's conflict/rejection reason
  std::string sentAt;     // when the server acknowledged it; empty while not sent
  std::vector<std::string> flags;
  std::string ticketCode;       // complaints: the ticket made with it (ungrouped), else empty
  std::string ticketKeySealed;
};

// A notice for the attract screen's carousel (整改情况公示, policy notices), as the server sent it.
struct StoredNotice {
  std::string id;
  std::string title;        // JSON object of texts by language: {"zh-cn": "...", "zh-tw": "...", "en": "..."}
  std::string body;         // the same shape
  std::string publishedAt;  // UTC ISO-8601
  std::string until;        // UTC ISO-8601; empty: no end date
};

struct OutboxCounts {
  int64_t pending = 0, sent = 0, conflict = 0, rejected = 0;
  std::string oldestPendingAt;  // UTC ISO-8601 of the oldest pending submission; empty: none pending
};

struct AuditEntry {
  int64_t id = 0;
  std::string at;      // UTC ISO-8601
  std::string actor;   // "admin", "sync", "kiosk"
  std::string action;  // "pin_failed", "export", "exit", "sync_now", ...
  std::string detail;
};

struct ExportOptions {
  // Also sent submissions. Without it: every one the server does not hold yet, pending and also conflicting
  // and rejected ones (marked by their state), so staff can deliver what the network could not.
  bool includeAll = false;
  std::string siteId;       // recorded in the manifest so an import knows where the stick came from
  std::string deviceId;
  std::string kioskId;      // the kiosk's own id, which its answers are sealed with
};

// What exportOutbox wrote (docs/kiosk-storage.md, "USB export").
struct ExportReport {
  std::string dataPath;      // <folder>/minyi-export-<time>.jsonl
  std::string manifestPath;  // <folder>/minyi-export-<time>.manifest.json
  int64_t submissions = 0;
  uint64_t dataBytes = 0;
  std::string dataSha256;  // hex
  OutboxCounts counts;     // of the exported submissions, by state
};

// Whether the kiosk can keep what residents give it. Anything but Ok means 暂停服务 with `reason` on the
// admin panel (docs/kiosk-storage.md lists the reasons and the strings the UI shows).
struct Health {
  enum class State { Ok, DiskFull, Corrupt, ReadOnly, Failing };
  State state = State::Ok;
  std::string reason;  // plain English with numbers, empty when Ok
  bool ok() const { return state == State::Ok; }
};
const char* healthName(Health::State state);  // "ok", "disk_full", "corrupt", "read_only", "failing"

struct StorageUse {
  uint64_t databaseBytes = 0;
  uint64_t walBytes = 0;
  uint64_t freeBytes = 0;  // available to this process on the database's filesystem
  uint64_t totalBytes = 0;
};

// One SQLite database file in WAL mode. Every write is one transaction committed with synchronous=FULL:
// when a call returns without error, its change survives a crash or power cut. Calls are serialized by an
// internal mutex, so the UI thread and the uploader thread may share one KioskStore.
// The setting that holds the kiosk's own id (KioskStore::kioskId); its name predates the server's device ids.
constexpr const char* kKioskIdSetting = "device_id";

// A 回访 rating given at this kiosk (satisfied | basic | unsatisfied) and what became of it.
struct Rating {
  std::string id, code, rating, at, state, outcome;
};

// What the uploader sees of the kiosk's storage: the outbox it drains, the 回访 ratings it sends, what the server
// sends back (forms, notices, ticket news), the settings enrollment keeps, and the audit log. KioskStore is the
// implementation; the uploader (sync/client) is written against this alone.
class SyncOutbox {
 public:
  virtual ~SyncOutbox() = default;
  // The outbox (KioskStore documents each).
  virtual Result<std::vector<Submission>> pending(int limit) = 0;
  virtual Result<int> markSent(const std::vector<std::string>& ids) = 0;
  virtual Status markConflict(const std::string& id, const std::string& reason) = 0;
  virtual Status markRejected(const std::string& id, const std::string& reason) = 0;
  virtual Status recordAttemptFailure(const std::vector<std::string>& ids, const std::string& reason) = 0;
  virtual Result<OutboxCounts> counts() = 0;
  // 回访 ratings on their way to the server.
  virtual Result<std::vector<Rating>> pendingRatings(int limit) = 0;
  virtual Status settleRating(const std::string& id, const std::string& outcome) = 0;
  // What the server sends: forms, notices, news of this kiosk's tickets.
  virtual Status saveForm(const StoredForm& form) = 0;
  virtual Status activateForm(const std::string& id, const std::string& hash) = 0;
  virtual Status deactivateForm(const std::string& id) = 0;
  virtual Result<std::vector<StoredForm>> activeForms() = 0;
  virtual Status replaceNotices(const std::vector<StoredNotice>& notices) = 0;
  virtual Result<int> updateTickets(const std::vector<TicketNews>& news) = 0;
  // Enrollment's settings, the kiosk's own id, the audit log.
  virtual Result<std::optional<std::string>> setting(const std::string& key) = 0;
  virtual Status setSetting(const std::string& key, const std::string& value) = 0;
  virtual Result<std::string> kioskId() = 0;
  virtual Status audit(const std::string& actor, const std::string& action, const std::string& detail = {}) = 0;
};

class KioskStore : public SyncOutbox {
 public:
  // Opens (creating if needed) and migrates the database. Fails — leaving the file untouched — when it
  // is damaged, read-only, or made by a newer Minyi. A database whose pages fail the quick check opens
  // for export only: health() is Corrupt and every write is refused.
  static std::unique_ptr<KioskStore> open(const std::string& path, StoreError* error, OpenOptions options = {});
  ~KioskStore();
  KioskStore(const KioskStore&) = delete;
  KioskStore& operator=(const KioskStore&) = delete;

  static int schemaVersion();  // the user_version this build migrates to
  const std::string& path() const;

  // --- Submissions (the outbox) ---
  // Durable before it returns: the thank-you screen may appear only after this succeeds. The form
  // (id, hash) must have been saved with saveForm. Returns the new submission's id. Refused with DiskFull
  // when the space kept for the uploader is all that is left.
  Result<std::string> commitSubmission(const NewSubmission& submission);
  // A complaint and its ticket in one durable transaction: the ticket takes this kiosk's next serial, so
  // its code is new. Returns the ticket (with the submission's id).
  Result<Ticket> commitComplaint(const NewSubmission& submission, const NewTicket& ticket);
  // Pending submissions, oldest first.
  Result<std::vector<Submission>> pending(int limit) override;
  // Conflict and rejected submissions, newest first: the admin panel lists them with the server's reason.
  Result<std::vector<Submission>> unsettled(int limit);
  // Any submission by id (any state).
  Result<std::optional<Submission>> submission(const std::string& id);
  // The server stored them (or already had them): pending → sent. Returns how many changed; ids that
  // are unknown or no longer pending are left alone.
  Result<int> markSent(const std::vector<std::string>& ids) override;
  // The server holds a different submission under this id, or refused it: pending → conflict/rejected,
  // kept for staff, never retried or purged automatically. NotFound for an unknown id.
  Status markConflict(const std::string& id, const std::string& reason) override;
  Status markRejected(const std::string& id, const std::string& reason) override;
  // Staff on the admin panel send conflicting and rejected submissions again (the reason may have been a
  // proxy's, or fixed on the server since): conflict/rejected → pending, the old reason kept in last_error.
  // Returns how many.
  Result<int> retryUnsettled();
  // An upload attempt failed (network, server error): attempts + 1 and last_error for pending ones.
  Status recordAttemptFailure(const std::vector<std::string>& ids, const std::string& reason) override;
  Result<OutboxCounts> counts() override;
  // Retention: deletes sent submissions acknowledged before `olderThan`. Nothing that is not
  // acknowledged is ever deleted. Returns how many were deleted. (When space runs short, the store
  // also deletes acknowledged ones early: docs/kiosk-storage.md, "Space".)
  Result<int> purgeSent(std::chrono::system_clock::time_point olderThan);

  // --- Forms ---
  // Keeps a form; saving the same (id, hash) again changes nothing. A new version is saved inactive.
  Status saveForm(const StoredForm& form) override;
  // Makes this (id, hash) the one offered for its id; any other version of that id stops being offered.
  Status activateForm(const std::string& id, const std::string& hash) override;
  Status deactivateForm(const std::string& id) override;
  Result<std::vector<StoredForm>> activeForms() override;
  Result<std::optional<StoredForm>> form(const std::string& id, const std::string& hash);

  // --- Tickets ---
  // By code (ungrouped); nullopt when this kiosk made no such ticket.
  Result<std::optional<Ticket>> ticket(const std::string& code);
  // The server's news replaces what was known of each ticket named; codes this kiosk did not make are
  // ignored. Returns how many tickets changed.
  Result<int> updateTickets(const std::vector<TicketNews>& news) override;
  // 回访: a resident's rating of a ticket's handling (satisfied | basic | unsatisfied), durable before the
  // thanks; returns its id. The uploader sends it and settles it with the server's answer.
  Result<std::string> commitRating(const std::string& code, const std::string& rating);
  using Rating = store::Rating;
  Result<std::vector<Rating>> pendingRatings(int limit) override;
  // The latest rating given here for a ticket, if any.
  Result<std::optional<Rating>> ratingOf(const std::string& code);
  Status settleRating(const std::string& id, const std::string& outcome) override;
  // When the server's ticket news last arrived (the `since` of the next request); empty: never.
  Result<std::string> ticketsUpdatedAt();

  // --- Notices ---
  // The server's list replaces the kept one as a whole (one transaction), so a withdrawn notice disappears.
  Status replaceNotices(const std::vector<StoredNotice>& notices) override;
  // Notices not expired at `now`, newest first.
  Result<std::vector<StoredNotice>> notices(std::chrono::system_clock::time_point now);

  // --- Settings (small key → text values: device id, sync cursor, ...) ---
  Result<std::optional<std::string>> setting(const std::string& key) override;
  Status setSetting(const std::string& key, const std::string& value) override;
  // This kiosk's own id ("kiosk-" and 8 hex digits): made once, at first need, and kept across enrollments.
  // Its submissions' answers are sealed with it, and it goes to the server at enrollment, so a kiosk enrolled
  // again (a new device id and token) still delivers what it sealed before.
  Result<std::string> kioskId() override;

  // --- Audit log of admin actions ---
  Status audit(const std::string& actor, const std::string& action, const std::string& detail = {}) override;
  Result<std::vector<AuditEntry>> recentAudit(int n);  // newest first

  // --- Export to a USB stick ---
  // Writes the pending (or all) submissions as JSON lines plus a manifest into `folder`, each through a
  // temporary name, fsynced, then renamed; the manifest comes last, so its presence means the data
  // is complete. Exporting does not change any submission's state.
  Result<ExportReport> exportOutbox(const std::string& folder, const ExportOptions& options = {});

  // --- Health ---
  // Cheap enough to call before every new form: statvfs, access checks and the state of the last write.
  // When space is short it first deletes acknowledged submissions, oldest acknowledgement first, before
  // their retention period ends (never unacknowledged ones); after a failed write it tries a small one.
  Health health();
  Result<StorageUse> storageUse();
  // Full PRAGMA integrity_check (slow on big files: for the admin panel, not per frame). A failure
  // marks the store Corrupt.
  Status checkIntegrity();
  // Copies the WAL back into the database file. The kiosk calls this while idle so that commits rarely
  // pay for a checkpoint.
  Status checkpoint();

 private:
  struct Impl;
  explicit KioskStore(std::unique_ptr<Impl> impl);
  Status settle(const std::string& id, const char* state, const std::string& reason);
  Result<Ticket> commit(const NewSubmission& submission, const NewTicket* ticket);
  std::unique_ptr<Impl> impl_;
};

// A fresh random UUIDv4 (libsodium randombytes), lower-case text: the id of a submission.
std::string newSubmissionId();
// UTC ISO-8601 with milliseconds: 2024-05-01T08:00:00.123Z (protocol::isoUtc: one format on both sides).
std::string isoUtc(std::chrono::system_clock::time_point t);

}  // namespace minyi::store
