// The township server's storage, behind one narrow interface: SQLite now, PostgreSQL as one more backend later.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "minyi/protocol/messages.h"
#include "minyi/server/tickets.h"

namespace minyi::server {

// A database failure, in words for the log and for staff ("the disk is full while storing a batch of
// submissions (...)"). The server answers such a request with 500 `internal`; a kiosk keeps what it sent
// and tries again later, so nothing is lost.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The places of one township: its communities and the sites where kiosks stand (data: minyi community|site add,
// the dashboard, or the demo township of places.h).
struct Community {
  std::string id;  // donghu, donglian, huayuan
  std::string name;
  int64_t households = 0;  // resident households: what participation is measured against
};
struct Site {
  std::string id;  // short and stable; kiosks and exports name it
  std::string name;
  std::string communityId;  // empty: a township-wide site (the street office)
};

// A kiosk. It holds its token; the server keeps only hashes of the token and of the one-time code.
struct Device {
  std::string id;
  std::string siteId;
  std::string name;
  std::string createdAt;
  std::string codeExpiresAt;  // empty once the code was used
  std::string enrolledAt;     // empty until the kiosk enrolled
  std::string revokedAt;      // empty unless staff revoked it
  std::string lastContact;    // last authenticated request
  std::optional<int64_t> lastBacklog;  // submissions still waiting on the kiosk then (Minyi-Outbox)
  std::string appVersion;     // as the kiosk said at enrollment
  std::string kioskId;        // the kiosk's own id, as it said at enrollment (kept by the kiosk across enrollments)
  // Why the server last refused one of its submissions, and when (empty when never): for IT, on 终端管理.
  std::string lastRefusal, lastRefusalAt;
  // How far the kiosk's clock was from the server's at its last contact (kiosk minus server), when it said.
  std::optional<int64_t> clockSkewSeconds;
  // 1..8191, unique in the township and never given twice: the first part of the kiosk's ticket codes
  // (protocol::makeTicketCode). Handed out by addDevice; 0 only when all numbers are taken.
  int kioskNumber = 0;
  // The kiosk's last report on itself (POST /api/v1/kiosk-report) and when it came; the outbox of the report
  // before it, so a growing backlog shows.
  std::optional<protocol::KioskReport> report;
  std::string reportAt;
  std::optional<int64_t> previousOutbox;
  bool revoked() const { return !revokedAt.empty(); }
};
struct NewDevice {
  std::string id;
  std::string siteId;
  std::string name;
  std::string codeHash;       // sha256Hex of the normalized one-time code
  std::string codeExpiresAt;  // UTC ISO-8601
  std::string createdAt;
};

// A form version as staff uploaded it. (id, version) names exactly one text.
struct StoredForm {
  std::string id;
  int version = 1;
  std::string hash;  // protocol::formContentHash(json)
  std::string kind;  // survey | complaint | quick
  std::string json;
  std::string uploadedAt;
};
enum class FormAdded { New, AlreadyThere, VersionTaken };

// The site an activation applies to when it is for every site.
constexpr const char* kAllSites = "*";

// A notice for the kiosks' attract screen.
struct NewNotice {
  protocol::Notice notice;
  std::vector<std::string> siteIds;  // {kAllSites} for every site
};

// A notice as staff see it on the dashboard: where it is shown and whether it was withdrawn.
struct NoticeRecord {
  protocol::Notice notice;
  std::vector<std::string> siteIds;  // {kAllSites} for every site
  std::string withdrawnAt;           // empty unless staff withdrew it
};

// Which version of a form a site (or kAllSites) offers.
struct Activation {
  std::string formId;
  std::string siteId;
  int version = 1;
  std::string activatedAt;
};

// One counted answer of a submission: the question's key (a matrix row is "question.row") and the answer
// value as compact JSON text ("\"satisfied\"", "5", "true"). The submission itself is counted under
// kSubmissionTally, so counts of submissions come from the same table.
struct Tally {
  std::string question;
  std::string value;
};
constexpr const char* kSubmissionTally = "";

// One submission that passed every check (the form is known, the seal opened, the answers are a JSON
// object): what ingest() stores.
struct IncomingSubmission {
  protocol::Envelope envelope;  // including the sealed bytes
  std::string digest;           // submissionDigest(envelope): same id + same digest = duplicate
  std::string answersJson;      // the opened answers
  std::string deviceId;         // empty for a USB export of a kiosk the server never enrolled
  std::string siteId;
  std::string via;  // "network" or "usb"
  std::string receivedAt;
  // Counted with the submission when it is stored (never for a duplicate), in the same transaction, so the
  // dashboard's results are always exactly the stored submissions. `week` is weekOf(created_at) (results.h).
  std::string week;
  std::vector<Tally> tallies;
  // A complaint's ticket (issue #5), made with the submission when it is stored. A ticket code already held
  // by another submission makes the submission a Conflict; nothing of it is stored.
  std::optional<Ticket> ticket;
};
struct StoredSubmission {
  protocol::Envelope envelope;
  std::string digest;
  std::string answersJson;
  std::string deviceId;
  std::string siteId;
  std::string via;
  std::string receivedAt;
};
// A device's latest request: recorded with the batch it brought, in the same transaction.
struct Contact {
  std::string deviceId;
  std::string at;
  std::optional<int64_t> backlog;
  // The reason one of the batch's submissions was refused, when one was (kept as the device's last refusal).
  std::string refusal;
  // The kiosk's clock minus the server's (its Minyi-Time header), when it sent one.
  std::optional<int64_t> clockSkewSeconds;
};

// The sites whose submissions and counts a staff member may read: every site, or only some (a handler's
// community). Every query of submissions and counts carries one, so no page can forget it.
struct SiteScope {
  std::optional<std::vector<std::string>> only;  // nullopt: every site; an empty list: none at all
  static SiteScope everySite() { return {}; }
  static SiteScope sites(std::vector<std::string> ids) { return {std::move(ids)}; }
  bool everywhere() const { return !only.has_value(); }
  bool allows(const std::string& siteId) const;
  // The sites as a JSON array for SQL's json_each (a store's business), nullopt for every site.
  std::optional<std::string> asJsonArray() const;
};

// Counts of one (form, version, question, value, site, week): what the results pages add up.
struct TallyRow {
  std::string formId;
  int formVersion = 0;
  std::string question;
  std::string value;
  std::string siteId;
  std::string week;
  int64_t count = 0;
};
struct TallyQuery {
  std::string formId;         // empty: every form
  int formVersion = 0;        // 0: every version
  bool submissionsOnly = false;  // only the kSubmissionTally rows (participation, totals)
  std::string siteId;         // empty: every site
  std::string fromWeek, toWeek;  // inclusive, YYYY-MM-DD Mondays; empty: open
  SiteScope scope;               // on top of siteId
};

// A submission as the dashboard lists and exports it (no sealed bytes).
struct SubmissionRow {
  std::string id;
  std::string formId;
  int formVersion = 0;
  std::string createdAt;
  std::string receivedAt;
  std::string siteId;
  std::string deviceId;
  std::string via;
  std::vector<std::string> flags;
  std::string answersJson;
};
// Newest first. A page continues after (beforeCreatedAt, beforeId) of the last row of the previous one,
// so page 500 costs what page 1 costs.
struct SubmissionQuery {
  std::string formId;
  int formVersion = 1;
  std::string siteId;  // empty: every site
  std::string beforeCreatedAt, beforeId;
  size_t limit = 100;
  SiteScope scope;  // on top of siteId
};

// --- Staff of the dashboard ---
enum class Role { Viewer, Handler, Admin };
const char* roleName(Role r);  // "viewer", "handler", "admin"
std::optional<Role> roleFromName(std::string_view name);

struct User {
  std::string name;  // the login name
  Role role = Role::Viewer;
  std::string displayName;
  std::string passwordHash;  // libsodium crypto_pwhash_str (argon2id)
  std::string createdAt;
  std::string disabledAt;  // empty unless disabled
  std::string communityId;  // a handler's community: the only tickets the handler sees and handles
  bool disabled() const { return !disabledAt.empty(); }
};
// A signed-in browser. The cookie holds the token; the store only its SHA-256.
struct StaffSession {
  std::string tokenHash;
  std::string userName;
  std::string csrfToken;  // must come back with every POST of this session
  std::string createdAt;
  std::string expiresAt;
};
// One staff action (DESIGN.md §11): who, what, on what, from where.
struct AuditEntry {
  int64_t id = 0;  // assigned by the store; newest is highest
  std::string at;
  std::string actor;    // a user name, or "cli:<unix user>" for the command line
  std::string action;   // login, login_failed, user_add, device_add, form_upload, export, ...
  std::string target;   // what it was done to (a user, device, form, notice)
  std::string detail;
  std::string address;  // the client's address; empty for the command line
};

// Which tickets a list shows. Every filter is optional (empty / false: no filter).
struct TicketQuery {
  std::vector<std::string> statuses;  // ticketStateName values
  std::string communityId;            // "-": tickets with no community yet
  std::string category;
  std::string deviceId;
  std::string changedSince;           // updated_at >= this (UTC ISO-8601)
  std::string dueBefore;              // handling still runs and due_at < this (overdue at `now`)
  bool flaggedOnly = false;
  std::string code;                   // one ticket
  size_t limit = 1000;
};

// A message to staff in the notification outbox (notifications.h): one per (channel, event key), so an event is never told twice to a channel.
enum class NotificationState { Waiting, Sent, GivenUp };
struct Notification {
  int64_t id = 0;  // assigned by the store
  std::string channel;
  std::string eventKey;  // complaint:<code>, due_soon:<code>:<due>, overdue:<code>:<due>, kiosk:<id>:<last contact>, test:...
  std::string kind;      // complaint, due_soon, overdue, kiosk, test
  std::string subject;   // for e-mail
  std::string text;      // the message, with its link
  std::string createdAt;
  int attempts = 0;
  std::string nextAttemptAt;  // while waiting
  std::string sentAt, givenUpAt;
  std::string lastError;
  NotificationState state() const;
};

// The server's storage, one interface per aggregate, so a backend (SQLite now, PostgreSQL in issue #15) can be
// written and tested one part at a time; ServerStore is all of them together. Implementations serialize their
// own access: one store is shared by every HTTP worker thread. Failures of the database throw StoreError;
// "not found" and refusals are values.

// The township's places: communities and their sites.
class SiteStore {
 public:
  virtual ~SiteStore() = default;
  virtual std::vector<Community> communities() = 0;
  virtual std::vector<Site> sites() = 0;
  virtual std::optional<Site> site(const std::string& id) = 0;
  // A new community, or a new site in a community (or township-wide with an empty community id): false when
  // the id is taken or the community is unknown. A township's places are its data, added by `minyi community
  // add` and `minyi site add`.
  virtual bool addCommunity(const Community& community) = 0;
  virtual bool addSite(const Site& site) = 0;
  // The households participation is measured against: false when the community is unknown.
  virtual bool setHouseholds(const std::string& communityId, int64_t households) = 0;
};

// Kiosks: enrollment codes, tokens, revocation, what each last said.
class DeviceStore {
 public:
  virtual ~DeviceStore() = default;
  // False when the id is taken or the site is unknown.
  virtual bool addDevice(const NewDevice& device) = 0;
  virtual std::vector<Device> devices() = 0;
  virtual std::optional<Device> device(const std::string& id) = 0;
  // Takes an unused, unexpired code of a device that is not revoked and gives the device its token, all
  // at once: two kiosks typing the same code cannot both get in. Nullopt (and no change) otherwise.
  virtual std::optional<Device> redeemEnrollmentCode(const std::string& codeHash, const std::string& tokenHash,
                                                     const std::string& now, const std::string& appVersion,
                                                     const std::string& kioskId) = 0;
  // The device holding this token, revoked or not; nullopt for a token the server never issued.
  virtual std::optional<Device> deviceByTokenHash(const std::string& tokenHash) = 0;
  // False when the device is unknown; revoking twice keeps the first time.
  virtual bool revokeDevice(const std::string& id, const std::string& now) = 0;
  virtual void recordContact(const Contact& contact) = 0;
  // Keeps the kiosk's report (the one before it gives previousOutbox). False when the device is unknown.
  virtual bool recordReport(const std::string& deviceId, const protocol::KioskReport& report, const std::string& at) = 0;
};

// Forms, every version, and where each is offered.
class FormStore {
 public:
  virtual ~FormStore() = default;
  virtual FormAdded addForm(const StoredForm& form) = 0;
  virtual std::optional<StoredForm> form(const std::string& id, int version) = 0;
  virtual std::vector<StoredForm> forms() = 0;  // every version, by id then version
  // Offers version `version` of form `formId` at `siteId` (or kAllSites) in place of any other version
  // there. A site-specific activation wins over the all-sites one. False when the form version or the
  // site is unknown.
  virtual bool activateForm(const std::string& formId, int version, const std::string& siteId,
                            const std::string& now) = 0;
  virtual std::vector<StoredForm> activeForms(const std::string& siteId) = 0;  // by form id
  virtual std::vector<Activation> activations() = 0;  // by form id, then site id ('*' first)
};

// Notices for the kiosks' start screens.
class NoticeStore {
 public:
  virtual ~NoticeStore() = default;
  // False when the id is taken or a site is unknown.
  virtual bool addNotice(const NewNotice& notice) = 0;
  // Published at or before `now`, not yet expired, for this site or all sites: newest first, at most `limit`.
  virtual std::vector<protocol::Notice> noticesFor(const std::string& siteId, const std::string& now,
                                                   size_t limit) = 0;
  // Every notice, withdrawn and expired ones too, newest first, at most `limit`.
  virtual std::vector<NoticeRecord> allNotices(size_t limit) = 0;
  // Kiosks stop showing it at their next sync. False when the id is unknown or it was withdrawn already.
  virtual bool withdrawNotice(const std::string& id, const std::string& now) = 0;
};

// Residents' submissions, their counts for results, and their rows for lists and exports.
class SubmissionStore {
 public:
  virtual ~SubmissionStore() = default;
  // One transaction for the whole batch (and the contact, when given): each is Stored, Duplicate (same
  // id and digest already there) or Conflict (same id, another digest). Outcomes in the input's order.
  virtual std::vector<protocol::Outcome> ingest(const std::vector<IncomingSubmission>& batch,
                                                const std::optional<Contact>& contact) = 0;
  virtual std::optional<StoredSubmission> submission(const std::string& id) = 0;
  virtual int64_t submissionCount() = 0;

  // --- Results and exports (read while ingest goes on; never wait for a group commit's fsync) ---
  virtual std::vector<TallyRow> tallies(const TallyQuery& query) = 0;
  // Stored submissions of every (form, version) that has any, and how many: a form's total.
  virtual std::vector<std::pair<std::pair<std::string, int>, int64_t>> submissionCountsByForm() = 0;
  // Replaces the counts of one form version in one transaction (rebuilding them after an upgrade).
  virtual void replaceTallies(const std::string& formId, int formVersion, const std::vector<TallyRow>& rows) = 0;
  virtual std::vector<SubmissionRow> submissionsPage(const SubmissionQuery& query) = 0;
  virtual int64_t countSubmissions(const std::string& formId, int formVersion, const std::string& siteId) = 0;
  // Every submission of one form version within `scope`, oldest first, one at a time (an export of any
  // size in little memory). Read a few hundred at a time: between them the store serves other readers, so
  // a long export never holds up a list page, and `each` may call back into the store.
  virtual void forEachSubmission(const std::string& formId, int formVersion, const SiteScope& scope,
                                 const std::function<void(const SubmissionRow&)>& each) = 0;
};

// Staff accounts and their sessions.
class AccountStore {
 public:
  virtual ~AccountStore() = default;
  virtual bool addUser(const User& user) = 0;  // false when the name is taken
  virtual std::optional<User> user(const std::string& name) = 0;
  virtual std::vector<User> users() = 0;  // by name
  // Both end every session of the user. False when the user is unknown.
  virtual bool setPasswordHash(const std::string& name, const std::string& hash) = 0;
  virtual bool disableUser(const std::string& name, const std::string& now) = 0;
  // Also forgets sessions that expired before `session.createdAt`.
  virtual void addSession(const StaffSession& session) = 0;
  // The session and its user, when the session has not expired at `now` and the user is not disabled.
  virtual std::optional<std::pair<StaffSession, User>> session(const std::string& tokenHash,
                                                               const std::string& now) = 0;
  virtual void endSession(const std::string& tokenHash) = 0;
  // False when the user is unknown or the community is not one of the township's (empty clears it).
  virtual bool setUserCommunity(const std::string& name, const std::string& communityId) = 0;
};

// The staff audit log.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual void addAudit(const AuditEntry& entry) = 0;
  // Newest first; entries with id below `beforeId` when it is not 0.
  virtual std::vector<AuditEntry> audit(size_t limit, int64_t beforeId = 0) = 0;
};

// Complaint tickets and their history (issue #5).
class TicketStore {
 public:
  virtual ~TicketStore() = default;
  virtual std::optional<Ticket> ticket(const std::string& code) = 0;
  // Newest first (by created_at), at most query.limit.
  virtual std::vector<Ticket> tickets(const TicketQuery& query) = 0;
  // The ticket's history, oldest first.
  virtual std::vector<TicketLogEntry> ticketLog(const std::string& code) = 0;
  // Writes the changed ticket and its history line in one transaction, only if nobody changed the ticket
  // since it was read (its updated_at is still `readAt`): two staff acting at once cannot overwrite each
  // other. False (and nothing written) otherwise.
  virtual bool updateTicket(const Ticket& ticket, const std::string& readAt, const TicketLogEntry& entry) = 0;
  // The history line a kiosk's follow-up rating with this id made, if any.
  virtual std::optional<TicketLogEntry> ticketLogByRef(const std::string& ref) = 0;
  // Every history line of every ticket with `action`, oldest first (follow-up ratings, reopenings: numbers).
  virtual std::vector<TicketLogEntry> ticketLogByAction(const std::string& action) = 0;
};

// The notification outbox (issue #13 item 7, notifications.h).
class NotificationStore {
 public:
  virtual ~NotificationStore() = default;
  // False (and nothing changed) when the channel has a message for this event key already: two rounds, two
  // processes or a restart never queue an event twice.
  virtual bool addNotification(const Notification& n) = 0;
  // Waiting messages whose next attempt is due at `now`, oldest first, at most `limit`.
  virtual std::vector<Notification> dueNotifications(const std::string& now, size_t limit) = 0;
  // Takes a due message for one delivery: moves its next attempt from `seenNextAttemptAt` to `until` only if
  // nobody else did first (false then: another sender has it). A sender that dies mid-way lets it come due again.
  virtual bool claimNotification(int64_t id, const std::string& seenNextAttemptAt, const std::string& until) = 0;
  // The outcome of one attempt at `at`: sent when `error` is empty; otherwise it waits until `nextAttemptAt`, or
  // is given up when that is empty.
  virtual void recordNotificationAttempt(int64_t id, const std::string& at, const std::string& error,
                                         const std::string& nextAttemptAt) = 0;
  // Newest first, at most `limit`: the dashboard's list.
  virtual std::vector<Notification> recentNotifications(size_t limit) = 0;
};

// The whole store.
class ServerStore : public SiteStore,
                    public DeviceStore,
                    public FormStore,
                    public NoticeStore,
                    public SubmissionStore,
                    public AccountStore,
                    public AuditStore,
                    public TicketStore,
                    public NotificationStore {
 public:
  ~ServerStore() override = default;

  // Why the store cannot take new data now, or nothing: less than `minFreeBytes` free where the database
  // lives ("disk_full"), or the database refusing to start a write ("database_unwritable"). For
  // GET /api/v1/health, so monitoring sees what every upload would meet.
  struct WriteProblem {
    std::string code, message;
  };
  virtual std::optional<WriteProblem> writeProblem(uint64_t minFreeBytes) = 0;
};

// Where the data lives: [storage] of minyi-server's configuration. `backend` names the implementation
// (storageBackends() lists those built in); the SQLite backend keeps everything in <dataDir>/server.db.
struct StorageConfig {
  std::string backend = "sqlite";
  std::string dataDir;
};
const std::vector<std::string>& storageBackends();
std::string storageBackendNames();  // the same joined for messages: "sqlite"
// The store the configuration names. Throws StoreError for a backend not built in, naming those that are.
std::unique_ptr<ServerStore> openStorage(const StorageConfig& config);

// SQLite backend: <path> in WAL mode, migrated by user_version; a new database has no places yet. Throws
// StoreError when the file cannot be opened, is another program's database, or was made by a newer Minyi.
std::unique_ptr<ServerStore> openSqliteStore(const std::string& path);
// The store of a data folder (<dataDir>/server.db), creating the folder readable by this user only when
// it does not exist yet: minyi-server and the `minyi` commands for staff open it the same way.
std::unique_ptr<ServerStore> openDataFolder(const std::string& dataDir);

}  // namespace minyi::server
