// The township server's storage, behind one narrow interface: SQLite now, PostgreSQL as one more backend later.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "minyi/protocol/messages.h"

namespace minyi::server {

// A database failure, in words for the log and for staff ("the disk is full while storing a batch of
// submissions (...)"). The server answers such a request with 500 `internal`; a kiosk keeps what it sent
// and tries again later, so nothing is lost.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every site and its community in one township (seeded from the township's own report).
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
};

// Implementations serialize their own access: one store is shared by every HTTP worker thread.
// Failures of the database throw StoreError; "not found" and refusals are values.
class ServerStore {
 public:
  virtual ~ServerStore() = default;

  // --- Sites ---
  virtual std::vector<Community> communities() = 0;
  virtual std::vector<Site> sites() = 0;
  virtual std::optional<Site> site(const std::string& id) = 0;

  // --- Devices ---
  // False when the id is taken or the site is unknown.
  virtual bool addDevice(const NewDevice& device) = 0;
  virtual std::vector<Device> devices() = 0;
  virtual std::optional<Device> device(const std::string& id) = 0;
  // Takes an unused, unexpired code of a device that is not revoked and gives the device its token, all
  // at once: two kiosks typing the same code cannot both get in. Nullopt (and no change) otherwise.
  virtual std::optional<Device> redeemEnrollmentCode(const std::string& codeHash, const std::string& tokenHash,
                                                     const std::string& now, const std::string& appVersion) = 0;
  // The device holding this token, revoked or not; nullopt for a token the server never issued.
  virtual std::optional<Device> deviceByTokenHash(const std::string& tokenHash) = 0;
  // False when the device is unknown; revoking twice keeps the first time.
  virtual bool revokeDevice(const std::string& id, const std::string& now) = 0;
  virtual void recordContact(const Contact& contact) = 0;

  // --- Forms ---
  virtual FormAdded addForm(const StoredForm& form) = 0;
  virtual std::optional<StoredForm> form(const std::string& id, int version) = 0;
  virtual std::vector<StoredForm> forms() = 0;  // every version, by id then version
  // Offers version `version` of form `formId` at `siteId` (or kAllSites) in place of any other version
  // there. A site-specific activation wins over the all-sites one. False when the form version or the
  // site is unknown.
  virtual bool activateForm(const std::string& formId, int version, const std::string& siteId,
                            const std::string& now) = 0;
  virtual std::vector<StoredForm> activeForms(const std::string& siteId) = 0;  // by form id

  // --- Notices ---
  // False when the id is taken or a site is unknown.
  virtual bool addNotice(const NewNotice& notice) = 0;
  // Published at or before `now`, not yet expired, for this site or all sites: newest first, at most `limit`.
  virtual std::vector<protocol::Notice> noticesFor(const std::string& siteId, const std::string& now,
                                                   size_t limit) = 0;

  // --- Submissions ---
  // One transaction for the whole batch (and the contact, when given): each is Stored, Duplicate (same
  // id and digest already there) or Conflict (same id, another digest). Outcomes in the input's order.
  virtual std::vector<protocol::Outcome> ingest(const std::vector<IncomingSubmission>& batch,
                                                const std::optional<Contact>& contact) = 0;
  virtual std::optional<StoredSubmission> submission(const std::string& id) = 0;
  virtual int64_t submissionCount() = 0;
};

// SQLite backend: <path> in WAL mode, migrated by user_version, demo sites seeded on creation. Throws
// StoreError when the file cannot be opened, is another program's database, or was made by a newer Minyi.
std::unique_ptr<ServerStore> openSqliteStore(const std::string& path);
// The store of a data folder (<dataDir>/server.db), creating the folder readable by this user only when
// it does not exist yet: minyi-server and the `minyi` commands for staff open it the same way.
std::unique_ptr<ServerStore> openDataFolder(const std::string& dataDir);

}  // namespace minyi::server
