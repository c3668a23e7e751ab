// The SQLite backend of ServerStore: schema and migrations, sites, devices, forms, notices, group-committed ingest, tickets, results, staff accounts, the audit log and the notification outbox.
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <tuple>

#include "minyi/core/json_input.h"
#include "minyi/core/private_file.h"
#include "minyi/server/server_store.h"
#include "sqlite_util.h"

namespace minyi::server {

using detail::exec;
using detail::Statement;

namespace {

// 'MySv': tells our server database apart from the kiosk's (and from any other program's SQLite file).
constexpr int kApplicationId = 0x4D795376;

// Each step takes the schema from version (index) to version (index + 1). Append only: a shipped step's
// schema is never edited, since servers in the field already ran it (step 1's seed rows were taken out in
// December 2026, which changes only databases made since). tests/data/server-upgrade-<k>.sql holds a database
// of every released version; tests/server/test_upgrade.cpp migrates each.
const char* const kMigrations[] = {
    // 1: the township's communities and sites, devices, forms and where they are offered, submissions, notices.
    R"sql(
CREATE TABLE communities (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  households INTEGER NOT NULL CHECK (households >= 0)
) STRICT;

CREATE TABLE sites (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  -- NULL: a township-wide site such as the street office
  community_id TEXT REFERENCES communities (id)
) STRICT;

CREATE TABLE devices (
  id TEXT PRIMARY KEY NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites (id),
  name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  -- SHA-256 of the one-time enrollment code; both NULL once the code was used
  code_hash TEXT UNIQUE,
  code_expires_at TEXT,
  -- SHA-256 of the device's token; the token itself is never stored
  token_hash TEXT UNIQUE,
  enrolled_at TEXT,
  revoked_at TEXT,
  last_contact TEXT,
  last_backlog INTEGER,
  app_version TEXT,
  CHECK ((code_hash IS NULL) = (code_expires_at IS NULL)),
  CHECK ((token_hash IS NULL) = (enrolled_at IS NULL))
) STRICT;

CREATE TABLE forms (
  id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  hash TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('survey', 'complaint', 'quick')),
  json TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  PRIMARY KEY (id, version)
) STRICT;

-- Which version of a form each site offers; site_id '*' is every site that has no activation of its own.
CREATE TABLE form_activations (
  form_id TEXT NOT NULL,
  site_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  activated_at TEXT NOT NULL,
  PRIMARY KEY (form_id, site_id),
  FOREIGN KEY (form_id, version) REFERENCES forms (id, version)
) STRICT;

CREATE TABLE submissions (
  id TEXT PRIMARY KEY NOT NULL,
  -- '' for a USB export of a kiosk the server never enrolled
  device_id TEXT NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites (id),
  form_id TEXT NOT NULL,
  form_version INTEGER NOT NULL,
  form_hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  flags TEXT NOT NULL DEFAULT '[]',
  -- SHA-256 over the envelope fields and the sealed bytes: same id + same digest is a duplicate
  digest TEXT NOT NULL,
  sealed BLOB NOT NULL,
  answers TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('network', 'usb')),
  FOREIGN KEY (form_id, form_version) REFERENCES forms (id, version)
) STRICT;
CREATE INDEX submissions_by_form ON submissions (form_id, form_version, created_at);
CREATE INDEX submissions_by_site ON submissions (site_id, created_at);

CREATE TABLE notices (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,  -- JSON: {"zh-cn": ..., "zh-tw": ..., "en": ...}
  body TEXT NOT NULL,
  published_at TEXT NOT NULL,
  until TEXT
) STRICT;
-- site_id '*': every site
CREATE TABLE notice_sites (
  notice_id TEXT NOT NULL REFERENCES notices (id),
  site_id TEXT NOT NULL,
  PRIMARY KEY (notice_id, site_id)
) STRICT;

-- Until December 2026 this step also added the demo township's three communities and six sites; a database made
-- before keeps them as its own data. A township's places are data now (`minyi community|site add`, the dashboard's
-- 地点管理 page, `minyi demo`).
)sql",
    // 2: the staff dashboard: accounts, sessions, audit log, answer counts kept at ingest, notice withdrawal,
    // and a submission index that pages newest first by (created_at, id) per form version.
    R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'handler', 'viewer')),
  display_name TEXT NOT NULL DEFAULT '',
  -- crypto_pwhash_str (argon2id); the password itself is never stored
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled_at TEXT
) STRICT;

CREATE TABLE staff_sessions (
  -- SHA-256 of the cookie's token
  token_hash TEXT PRIMARY KEY NOT NULL,
  user_name TEXT NOT NULL REFERENCES users (name),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_name);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT ''
) STRICT;

-- How many stored submissions gave each answer, per site and week (Monday, China time). Kept in the ingest
-- transaction, so a results page adds up a few thousand rows instead of reading a million answers.
-- question '' counts the submissions themselves. Keyed site and week before question: the answers of one
-- submission then sit side by side on one or two pages, which is what each commit has to write.
CREATE TABLE answer_tallies (
  form_id TEXT NOT NULL,
  form_version INTEGER NOT NULL,
  question TEXT NOT NULL,
  value TEXT NOT NULL,
  site_id TEXT NOT NULL,
  week TEXT NOT NULL,
  n INTEGER NOT NULL CHECK (n >= 0),
  PRIMARY KEY (form_id, form_version, site_id, week, question, value)
) STRICT, WITHOUT ROWID;

ALTER TABLE notices ADD COLUMN withdrawn_at TEXT;

-- (created_at, id) orders the submissions list. A page of one site walks the same index and skips the other
-- sites' rows (about five in six): an index of its own would cost every ingest more than it saves there.
DROP INDEX submissions_by_form;
CREATE INDEX submissions_by_form ON submissions (form_id, form_version, created_at, id);
)sql",
    // 3: the complaint loop (issue #5): kiosk numbers for ticket codes, tickets and their history, handlers'
    // communities.
    R"sql(
-- 1..8191, never given twice (the next is always above the highest ever given): a kiosk's ticket codes start
-- with it. The kiosks already added are numbered in the order they were added.
ALTER TABLE devices ADD COLUMN kiosk_number INTEGER CHECK (kiosk_number BETWEEN 1 AND 8191);
UPDATE devices SET kiosk_number = (SELECT count(*) FROM devices d WHERE d.rowid <= devices.rowid);
CREATE UNIQUE INDEX devices_by_kiosk_number ON devices (kiosk_number);

-- A handler sees and handles the tickets of one community.
ALTER TABLE users ADD COLUMN community_id TEXT REFERENCES communities (id);

CREATE TABLE tickets (
  code TEXT PRIMARY KEY NOT NULL,
  -- SHA-256 of the QR link's access key; the key itself is never stored
  key_hash TEXT NOT NULL,
  submission_id TEXT NOT NULL UNIQUE REFERENCES submissions (id),
  device_id TEXT NOT NULL,
  site_id TEXT NOT NULL,
  -- NULL: not known yet (a township-wide site and no community answered)
  community_id TEXT REFERENCES communities (id),
  category TEXT NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('received', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened',
                                         'rejected')),
  assignee TEXT NOT NULL DEFAULT '',
  due_at TEXT NOT NULL,
  deadline TEXT NOT NULL,
  public_reply TEXT NOT NULL DEFAULT '',
  text_public INTEGER NOT NULL DEFAULT 0 CHECK (text_public IN (0, 1)),
  resolved_at TEXT,
  closed_at TEXT,
  rating TEXT CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
  rated_at TEXT,
  rating_via TEXT,
  flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
  reopen_count INTEGER NOT NULL DEFAULT 0,
  reject_reason TEXT NOT NULL DEFAULT '',
  -- server time of the last change: what GET /api/v1/tickets?since= compares
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_by_device ON tickets (device_id, updated_at);
CREATE INDEX tickets_by_community ON tickets (community_id, status, created_at);
CREATE INDEX tickets_by_created ON tickets (created_at);

-- Every transition of every ticket, with who and when (DESIGN.md §9: every change to a ticket is audited).
CREATE TABLE ticket_log (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL REFERENCES tickets (code),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  -- the id a kiosk gave a follow-up rating: the same rating sent twice is applied once
  ref TEXT UNIQUE,
  -- the ticket's deadline after this change: on-time rates judge each resolution by the deadline of its time
  due_at TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX ticket_log_by_code ON ticket_log (code, id);
CREATE INDEX ticket_log_by_action ON ticket_log (action, id);
)sql",
    // 4: why a kiosk's submission was last refused (a ticket code of another kiosk, a form not uploaded), and
    // how far its clock is off: for IT.
    R"sql(
ALTER TABLE devices ADD COLUMN last_refusal TEXT;
ALTER TABLE devices ADD COLUMN last_refusal_at TEXT;
-- the kiosk's clock minus the server's at its last contact, in seconds (a kiosk off by minutes files late)
ALTER TABLE devices ADD COLUMN clock_skew_seconds INTEGER;
)sql",
    // 5: the kiosk's own id, said at enrollment: what its sealed answers name, whichever enrollment sends them.
    R"sql(
ALTER TABLE devices ADD COLUMN kiosk_id TEXT;
)sql",
    // 6: fleet health (issue #13): each kiosk's last report on itself, as the protocol's JSON, when it came, and
    // the outbox of the report before it.
    R"sql(
ALTER TABLE devices ADD COLUMN report TEXT;
ALTER TABLE devices ADD COLUMN report_at TEXT;
ALTER TABLE devices ADD COLUMN previous_outbox INTEGER;
)sql",
    // 7: the notification outbox (issue #13 item 7): one row per (channel, event), so an event is told to a
    // channel once whatever restarts or races; its attempts, the next one's time, and when it was sent or given up.
    R"sql(
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  event_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- NULL once sent or given up
  next_attempt_at TEXT,
  sent_at TEXT,
  given_up_at TEXT,
  last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (channel, event_key),
  CHECK ((next_attempt_at IS NULL) = (sent_at IS NOT NULL OR given_up_at IS NOT NULL))
) STRICT;
CREATE INDEX notifications_waiting ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
)sql",
};

constexpr int kSteps = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

constexpr const char* kDeviceColumns =
    "id, site_id, name, created_at, code_expires_at, enrolled_at, revoked_at, last_contact, last_backlog, app_version, "
    "kiosk_number, last_refusal, last_refusal_at, clock_skew_seconds, kiosk_id, report, report_at, previous_outbox";

Device readDevice(const Statement& st) {
  Device d;
  d.id = st.text(0);
  d.siteId = st.text(1);
  d.name = st.text(2);
  d.createdAt = st.text(3);
  d.codeExpiresAt = st.text(4);
  d.enrolledAt = st.text(5);
  d.revokedAt = st.text(6);
  d.lastContact = st.text(7);
  if (!st.isNull(8)) d.lastBacklog = st.int64(8);
  d.appVersion = st.text(9);
  d.kioskNumber = st.isNull(10) ? 0 : static_cast<int>(st.int64(10));
  d.lastRefusal = st.text(11);
  d.lastRefusalAt = st.text(12);
  if (!st.isNull(13)) d.clockSkewSeconds = st.int64(13);
  d.kioskId = st.text(14);
  // Written by recordReport from a checked report; one that no longer parses reads as none.
  if (!st.isNull(15)) d.report = protocol::parseKioskReport(st.text(15), nullptr);
  d.reportAt = st.text(16);
  if (!st.isNull(17)) d.previousOutbox = st.int64(17);
  return d;
}

constexpr const char* kFormColumns = "id, version, hash, kind, json, uploaded_at";

StoredForm readForm(const Statement& st, int first = 0) {
  StoredForm f;
  f.id = st.text(first);
  f.version = static_cast<int>(st.int64(first + 1));
  f.hash = st.text(first + 2);
  f.kind = st.text(first + 3);
  f.json = st.text(first + 4);
  f.uploadedAt = st.text(first + 5);
  return f;
}

// Stored JSON text written by this backend; a damaged value reads as empty rather than throwing.
core::Json readJson(const std::string& text, core::Json fallback) {
  std::string why;
  auto j = core::parseJsonText(text, &why);
  return j ? *j : fallback;
}

class SqliteStore final : public ServerStore {
 public:
  explicit SqliteStore(const std::string& path) : path_(path) {
    try {
      open();
    } catch (...) {
      // The destructor does not run for an object whose constructor threw.
      if (rdb_) sqlite3_close_v2(rdb_);
      if (db_) sqlite3_close_v2(db_);
      db_ = rdb_ = nullptr;
      throw;
    }
  }
  ~SqliteStore() override {
    if (rdb_) sqlite3_close_v2(rdb_);
    if (db_) sqlite3_close_v2(db_);
  }

  std::vector<Community> communities() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT id, name, households FROM communities ORDER BY id");
    std::vector<Community> out;
    each(st, "reading the communities", [&] { out.push_back({st.text(0), st.text(1), st.int64(2)}); });
    return out;
  }

  std::vector<Site> sites() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT id, name, community_id FROM sites ORDER BY id");
    std::vector<Site> out;
    each(st, "reading the sites", [&] { out.push_back({st.text(0), st.text(1), st.text(2)}); });
    return out;
  }

  std::optional<Site> site(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT id, name, community_id FROM sites WHERE id = ?1");
    st.bind(1, id);
    std::optional<Site> out;
    each(st, "reading a site", [&] { out = Site{st.text(0), st.text(1), st.text(2)}; });
    return out;
  }

  bool addCommunity(const Community& c) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "INSERT INTO communities (id, name, households) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    st.bind(1, c.id).bind(2, c.name).bind(3, c.households);
    done(st.step(), "adding community " + c.id);
    return sqlite3_changes(db_) == 1;
  }

  bool addSite(const Site& s) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "INSERT INTO sites (id, name, community_id) SELECT ?1, ?2, ?3 "
                 "WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM communities WHERE id = ?3) ON CONFLICT DO NOTHING");
    st.bind(1, s.id).bind(2, s.name);
    st.bindTextOrNull(3, s.communityId);
    done(st.step(), "adding site " + s.id);
    return sqlite3_changes(db_) == 1;
  }

  bool setHouseholds(const std::string& communityId, int64_t households) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "UPDATE communities SET households = ?2 WHERE id = ?1");
    st.bind(1, communityId).bind(2, households);
    done(st.step(), "setting the households of " + communityId);
    return sqlite3_changes(db_) == 1;
  }

  bool addDevice(const NewDevice& d) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "INSERT INTO devices (id, site_id, name, created_at, code_hash, code_expires_at, kiosk_number) "
                 "SELECT ?1, ?2, ?3, ?4, ?5, ?6, (SELECT CASE WHEN coalesce(max(kiosk_number), 0) < 8191 "
                 "THEN coalesce(max(kiosk_number), 0) + 1 END FROM devices) "
                 "WHERE EXISTS (SELECT 1 FROM sites WHERE id = ?2) ON CONFLICT DO NOTHING");
    st.bind(1, d.id).bind(2, d.siteId).bind(3, d.name).bind(4, d.createdAt).bind(5, d.codeHash).bind(6, d.codeExpiresAt);
    done(st.step(), "adding device " + d.id);
    return sqlite3_changes(db_) == 1;
  }

  std::vector<Device> devices() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, std::string("SELECT ") + kDeviceColumns + " FROM devices ORDER BY site_id, id");
    std::vector<Device> out;
    each(st, "reading the devices", [&] { out.push_back(readDevice(st)); });
    return out;
  }

  std::optional<Device> device(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return deviceWhere("id = ?1", id);
  }

  std::optional<Device> redeemEnrollmentCode(const std::string& codeHash, const std::string& tokenHash,
                                             const std::string& now, const std::string& appVersion,
                                             const std::string& kioskId) override {
    std::lock_guard<std::mutex> lock(mutex_);
    // One UPDATE checks and consumes the code: nothing can slip in between the check and the use.
    Statement st(db_,
                 "UPDATE devices SET code_hash = NULL, code_expires_at = NULL, token_hash = ?2, enrolled_at = ?3, "
                 "app_version = ?4, kiosk_id = ?5 WHERE code_hash = ?1 AND code_expires_at > ?3 AND revoked_at IS NULL "
                 "RETURNING id");
    st.bind(1, codeHash).bind(2, tokenHash).bind(3, now).bind(4, appVersion);
    st.bindTextOrNull(5, kioskId);
    std::string id;
    each(st, "enrolling a device", [&] { id = st.text(0); });
    if (id.empty()) return std::nullopt;
    return deviceWhere("id = ?1", id);
  }

  std::optional<Device> deviceByTokenHash(const std::string& tokenHash) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return deviceWhere("token_hash = ?1", tokenHash);
  }

  bool revokeDevice(const std::string& id, const std::string& now) override {
    std::lock_guard<std::mutex> lock(mutex_);
    // The unused code goes too: a revoked device cannot enroll.
    Statement st(db_,
                 "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2), code_hash = NULL, code_expires_at = NULL "
                 "WHERE id = ?1");
    st.bind(1, id).bind(2, now);
    done(st.step(), "revoking device " + id);
    return sqlite3_changes(db_) == 1;
  }

  void recordContact(const Contact& c) override {
    std::lock_guard<std::mutex> lock(mutex_);
    writeContact(c);
  }

  bool recordReport(const std::string& deviceId, const protocol::KioskReport& report, const std::string& at) override {
    std::lock_guard<std::mutex> lock(mutex_);
    // The version a kiosk reports is the one running now (it may have been updated since enrollment).
    Statement st(db_,
                 "UPDATE devices SET previous_outbox = json_extract(report, '$.outbox'), report = ?2, report_at = ?3, "
                 "app_version = coalesce(nullif(?4, ''), app_version) WHERE id = ?1");
    st.bind(1, deviceId).bind(2, protocol::toJson(report).dump()).bind(3, at).bind(4, report.appVersion);
    done(st.step(), "keeping the report of device " + deviceId);
    return sqlite3_changes(db_) == 1;
  }

  std::optional<WriteProblem> writeProblem(uint64_t minFreeBytes) override {
    const std::string folder = std::filesystem::path(path_).parent_path().string();
    struct statvfs fs {};
    if (::statvfs(folder.empty() ? "." : folder.c_str(), &fs) == 0) {
      const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
      if (free < minFreeBytes)
        return WriteProblem{"disk_full", "only " + std::to_string(free / (1024 * 1024)) + " MB free where the database is (" +
                                             folder + "); uploads would fail"};
    }
    std::lock_guard<std::mutex> lock(mutex_);
    // A write transaction started and rolled back: a read-only disk or file refuses it; nothing is written.
    int rc = exec(db_, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
      return WriteProblem{"database_unwritable", std::string("the database cannot be written: ") + sqlite3_errmsg(db_)};
    exec(db_, "ROLLBACK");
    return std::nullopt;
  }

  FormAdded addForm(const StoredForm& f) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "INSERT INTO forms (id, version, hash, kind, json, uploaded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                 "ON CONFLICT DO NOTHING");
    st.bind(1, f.id).bind(2, int64_t{f.version}).bind(3, f.hash).bind(4, f.kind).bind(5, f.json).bind(6, f.uploadedAt);
    done(st.step(), "saving form " + f.id);
    if (sqlite3_changes(db_) == 1) return FormAdded::New;
    Statement q(db_, "SELECT hash FROM forms WHERE id = ?1 AND version = ?2");
    q.bind(1, f.id).bind(2, int64_t{f.version});
    std::string hash;
    each(q, "reading form " + f.id, [&] { hash = q.text(0); });
    return hash == f.hash ? FormAdded::AlreadyThere : FormAdded::VersionTaken;
  }

  std::optional<StoredForm> form(const std::string& id, int version) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, std::string("SELECT ") + kFormColumns + " FROM forms WHERE id = ?1 AND version = ?2");
    st.bind(1, id).bind(2, int64_t{version});
    std::optional<StoredForm> out;
    each(st, "reading form " + id, [&] { out = readForm(st); });
    return out;
  }

  std::vector<StoredForm> forms() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, std::string("SELECT ") + kFormColumns + " FROM forms ORDER BY id, version");
    std::vector<StoredForm> out;
    each(st, "reading the forms", [&] { out.push_back(readForm(st)); });
    return out;
  }

  bool activateForm(const std::string& formId, int version, const std::string& siteId, const std::string& now) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "INSERT INTO form_activations (form_id, site_id, version, activated_at) "
                 "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM forms WHERE id = ?1 AND version = ?3) "
                 "AND (?2 = '*' OR EXISTS (SELECT 1 FROM sites WHERE id = ?2)) "
                 "ON CONFLICT (form_id, site_id) DO UPDATE SET version = excluded.version, "
                 "activated_at = excluded.activated_at");
    st.bind(1, formId).bind(2, siteId).bind(3, int64_t{version}).bind(4, now);
    done(st.step(), "activating form " + formId);
    return sqlite3_changes(db_) == 1;
  }

  std::vector<StoredForm> activeForms(const std::string& siteId) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "SELECT f.id, f.version, f.hash, f.kind, f.json, f.uploaded_at FROM form_activations a "
                 "JOIN forms f ON f.id = a.form_id AND f.version = a.version "
                 "WHERE a.site_id = ?1 OR (a.site_id = '*' AND NOT EXISTS "
                 "(SELECT 1 FROM form_activations b WHERE b.form_id = a.form_id AND b.site_id = ?1)) "
                 "ORDER BY f.id");
    st.bind(1, siteId);
    std::vector<StoredForm> out;
    each(st, "reading the forms of site " + siteId, [&] { out.push_back(readForm(st)); });
    return out;
  }

  bool addNotice(const NewNotice& n) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string doing = "saving notice " + n.notice.id;
    Transaction tx(*this, doing);
    for (const std::string& s : n.siteIds) {
      if (s == kAllSites) continue;
      Statement q(db_, "SELECT 1 FROM sites WHERE id = ?1");
      q.bind(1, s);
      if (!row(q.step(), doing)) return false;
    }
    Statement st(db_,
                 "INSERT INTO notices (id, title, body, published_at, until) VALUES (?1, ?2, ?3, ?4, ?5) "
                 "ON CONFLICT DO NOTHING");
    st.bind(1, n.notice.id).bind(2, n.notice.title.dump()).bind(3, n.notice.body.dump()).bind(4, n.notice.publishedAt);
    st.bindTextOrNull(5, n.notice.until);
    done(st.step(), doing);
    if (sqlite3_changes(db_) != 1) return false;
    Statement link(db_, "INSERT INTO notice_sites (notice_id, site_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
    for (const std::string& s : n.siteIds) {
      link.reset();
      link.bind(1, n.notice.id).bind(2, s);
      done(link.step(), doing);
    }
    tx.commit();
    return true;
  }

  std::vector<protocol::Notice> noticesFor(const std::string& siteId, const std::string& now, size_t limit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "SELECT id, title, body, published_at, until FROM notices n WHERE published_at <= ?2 "
                 "AND (until IS NULL OR until > ?2) AND withdrawn_at IS NULL AND EXISTS (SELECT 1 FROM notice_sites s "
                 "WHERE s.notice_id = n.id AND s.site_id IN (?1, '*')) ORDER BY published_at DESC, id LIMIT ?3");
    st.bind(1, siteId).bind(2, now).bind(3, static_cast<int64_t>(limit));
    std::vector<protocol::Notice> out;
    each(st, "reading the notices", [&] {
      protocol::Notice n;
      n.id = st.text(0);
      n.title = readJson(st.text(1), core::Json::object());
      n.body = readJson(st.text(2), core::Json::object());
      n.publishedAt = st.text(3);
      n.until = st.text(4);
      out.push_back(std::move(n));
    });
    return out;
  }

  // Group commit: batches arriving while another commit is on the disk wait and then go to the disk
  // together, each in a savepoint of one transaction, so one fsync serves many kiosks. Each batch is still
  // all-or-nothing, and durable when ingest returns.
  std::vector<protocol::Outcome> ingest(const std::vector<IncomingSubmission>& batch,
                                        const std::optional<Contact>& contact) override {
    IngestJob job{&batch, &contact, {}, nullptr, false};
    std::unique_lock<std::mutex> queueLock(queueMutex_);
    queue_.push_back(&job);
    while (!job.finished) {
      if (leaderActive_) {
        queueCv_.wait(queueLock);
        continue;
      }
      // This caller writes everything queued so far, its own batch included.
      leaderActive_ = true;
      std::vector<IngestJob*> group;
      group.swap(queue_);
      queueLock.unlock();
      writeGroup(group);
      queueLock.lock();
      leaderActive_ = false;
      for (IngestJob* j : group) j->finished = true;
      queueCv_.notify_all();
    }
    if (job.error) std::rethrow_exception(job.error);
    return std::move(job.outcomes);
  }

  std::optional<StoredSubmission> submission(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "SELECT id, form_id, form_version, form_hash, kind, created_at, flags, sealed, digest, answers, "
                 "device_id, site_id, via, received_at FROM submissions WHERE id = ?1");
    st.bind(1, id);
    std::optional<StoredSubmission> out;
    each(st, "reading submission " + id, [&] {
      StoredSubmission s;
      s.envelope.id = st.text(0);
      s.envelope.formId = st.text(1);
      s.envelope.formVersion = static_cast<int>(st.int64(2));
      s.envelope.formHash = st.text(3);
      s.envelope.kind = st.text(4);
      s.envelope.createdAt = st.text(5);
      for (const auto& f : readJson(st.text(6), core::Json::array()))
        if (f.is_string()) s.envelope.flags.push_back(f.get<std::string>());
      s.envelope.sealed = st.blob(7);
      s.digest = st.text(8);
      s.answersJson = st.text(9);
      s.deviceId = st.text(10);
      s.siteId = st.text(11);
      s.via = st.text(12);
      s.receivedAt = st.text(13);
      out = std::move(s);
    });
    return out;
  }

  int64_t submissionCount() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT count(*) FROM submissions");
    int64_t n = 0;
    each(st, "counting submissions", [&] { n = st.int64(0); });
    return n;
  }

  std::vector<Activation> activations() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT form_id, site_id, version, activated_at FROM form_activations ORDER BY form_id, site_id");
    std::vector<Activation> out;
    each(st, "reading the form activations",
         [&] { out.push_back({st.text(0), st.text(1), static_cast<int>(st.int64(2)), st.text(3)}); });
    return out;
  }

  std::vector<NoticeRecord> allNotices(size_t limit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "SELECT id, title, body, published_at, until, withdrawn_at, "
                 "(SELECT json_group_array(site_id) FROM notice_sites s WHERE s.notice_id = n.id) "
                 "FROM notices n ORDER BY published_at DESC, id LIMIT ?1");
    st.bind(1, static_cast<int64_t>(limit));
    std::vector<NoticeRecord> out;
    each(st, "reading the notices", [&] {
      NoticeRecord r;
      r.notice.id = st.text(0);
      r.notice.title = readJson(st.text(1), core::Json::object());
      r.notice.body = readJson(st.text(2), core::Json::object());
      r.notice.publishedAt = st.text(3);
      r.notice.until = st.text(4);
      r.withdrawnAt = st.text(5);
      for (const auto& site : readJson(st.text(6), core::Json::array()))
        if (site.is_string()) r.siteIds.push_back(site.get<std::string>());
      std::sort(r.siteIds.begin(), r.siteIds.end());
      out.push_back(std::move(r));
    });
    return out;
  }

  bool withdrawNotice(const std::string& id, const std::string& now) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "UPDATE notices SET withdrawn_at = ?2 WHERE id = ?1 AND withdrawn_at IS NULL");
    st.bind(1, id).bind(2, now);
    done(st.step(), "withdrawing notice " + id);
    return sqlite3_changes(db_) == 1;
  }

  std::vector<TallyRow> tallies(const TallyQuery& q) override {
    std::lock_guard<std::mutex> lock(readMutex_);
    // Every filter is a bound parameter; an empty one matches everything.
    Statement st(rdb_,
                 std::string("SELECT form_id, form_version, question, value, site_id, week, n FROM answer_tallies ") +
                 "WHERE (?1 = '' OR form_id = ?1) AND (?2 = 0 OR form_version = ?2) AND (?3 = 0 OR question = '') "
                 "AND (?4 = '' OR site_id = ?4) AND (?5 = '' OR week >= ?5) AND (?6 = '' OR week <= ?6)" +
                     scopeCondition(q.scope, 7));
    st.bind(1, q.formId).bind(2, int64_t{q.formVersion}).bind(3, int64_t{q.submissionsOnly ? 1 : 0});
    st.bind(4, q.siteId).bind(5, q.fromWeek).bind(6, q.toWeek);
    bindScope(st, 7, q.scope);
    std::vector<TallyRow> out;
    eachRead(st, "reading the answer counts", [&] {
      out.push_back({st.text(0), static_cast<int>(st.int64(1)), st.text(2), st.text(3), st.text(4), st.text(5),
                     st.int64(6)});
    });
    return out;
  }

  std::vector<std::pair<std::pair<std::string, int>, int64_t>> submissionCountsByForm() override {
    std::lock_guard<std::mutex> lock(readMutex_);
    Statement st(rdb_,
                 "SELECT form_id, form_version, count(*) FROM submissions GROUP BY form_id, form_version "
                 "ORDER BY form_id, form_version");
    std::vector<std::pair<std::pair<std::string, int>, int64_t>> out;
    eachRead(st, "counting submissions per form",
             [&] { out.push_back({{st.text(0), static_cast<int>(st.int64(1))}, st.int64(2)}); });
    return out;
  }

  void replaceTallies(const std::string& formId, int formVersion, const std::vector<TallyRow>& rows) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string doing = "rebuilding the answer counts of form " + formId;
    Transaction tx(*this, doing);
    Statement del(db_, "DELETE FROM answer_tallies WHERE form_id = ?1 AND form_version = ?2");
    del.bind(1, formId).bind(2, int64_t{formVersion});
    done(del.step(), doing);
    Statement ins(db_,
                  "INSERT INTO answer_tallies (form_id, form_version, question, value, site_id, week, n) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO UPDATE SET n = n + excluded.n");
    for (const TallyRow& r : rows) {
      ins.reset();
      ins.bind(1, formId).bind(2, int64_t{formVersion}).bind(3, r.question).bind(4, r.value).bind(5, r.siteId);
      ins.bind(6, r.week).bind(7, r.count);
      done(ins.step(), doing);
    }
    tx.commit();
  }

  std::vector<SubmissionRow> submissionsPage(const SubmissionQuery& q) override {
    std::lock_guard<std::mutex> lock(readMutex_);
    // Two statements rather than one with "?3 = '' OR site_id = ?3", so the planner walks submissions_by_form
    // in order for both.
    const std::string where = q.siteId.empty() ? "form_id = ?1 AND form_version = ?2"
                                               : "form_id = ?1 AND form_version = ?2 AND site_id = ?3";
    const std::string after = q.beforeCreatedAt.empty() ? "" : " AND (created_at, id) < (?4, ?5)";
    Statement st(rdb_, std::string("SELECT ") + kRowColumns + " FROM submissions WHERE " + where + after +
                           scopeCondition(q.scope, 7) +
                           " ORDER BY created_at DESC, id DESC LIMIT ?6");
    st.bind(1, q.formId).bind(2, int64_t{q.formVersion});
    if (!q.siteId.empty()) st.bind(3, q.siteId);
    if (!q.beforeCreatedAt.empty()) st.bind(4, q.beforeCreatedAt).bind(5, q.beforeId);
    st.bind(6, static_cast<int64_t>(q.limit));
    bindScope(st, 7, q.scope);
    std::vector<SubmissionRow> out;
    out.reserve(q.limit);
    eachRead(st, "reading a page of submissions", [&] { out.push_back(readRow(st)); });
    return out;
  }

  int64_t countSubmissions(const std::string& formId, int formVersion, const std::string& siteId) override {
    std::lock_guard<std::mutex> lock(readMutex_);
    Statement st(rdb_,
                 "SELECT count(*) FROM submissions WHERE form_id = ?1 AND form_version = ?2 AND (?3 = '' OR site_id = ?3)");
    st.bind(1, formId).bind(2, int64_t{formVersion}).bind(3, siteId);
    int64_t n = 0;
    eachRead(st, "counting submissions", [&] { n = st.int64(0); });
    return n;
  }

  void forEachSubmission(const std::string& formId, int formVersion, const SiteScope& scope,
                         const std::function<void(const SubmissionRow&)>& each) override {
    // Pages of kExportPage rows, each continuing after the last row of the one before (created_at, id):
    // the read connection is held for one page at a time, never for the whole export.
    constexpr int64_t kExportPage = 500;
    const std::string sql = std::string("SELECT ") + kRowColumns +
                            " FROM submissions WHERE form_id = ?1 AND form_version = ?2 AND (created_at, id) > (?3, ?4)" +
                            scopeCondition(scope, 5) + " ORDER BY created_at, id LIMIT " + std::to_string(kExportPage);
    std::string lastCreatedAt, lastId;  // '' sorts before every stored time
    std::vector<SubmissionRow> page;
    do {
      page.clear();
      {
        std::lock_guard<std::mutex> lock(readMutex_);
        Statement st(rdb_, sql);
        st.bind(1, formId).bind(2, int64_t{formVersion}).bind(3, lastCreatedAt).bind(4, lastId);
        bindScope(st, 5, scope);
        eachRead(st, "exporting the submissions of form " + formId, [&] { page.push_back(readRow(st)); });
      }
      for (const SubmissionRow& r : page) each(r);
      if (!page.empty()) {
        lastCreatedAt = page.back().createdAt;
        lastId = page.back().id;
      }
    } while (static_cast<int64_t>(page.size()) == kExportPage);
  }

  bool addUser(const User& u) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "INSERT INTO users (name, role, display_name, password_hash, created_at, disabled_at, community_id) "
                 "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE ?7 IS NULL OR EXISTS (SELECT 1 FROM communities WHERE id = ?7) "
                 "ON CONFLICT DO NOTHING");
    st.bind(1, u.name).bind(2, roleName(u.role)).bind(3, u.displayName).bind(4, u.passwordHash).bind(5, u.createdAt);
    st.bindTextOrNull(6, u.disabledAt).bindTextOrNull(7, u.communityId);
    done(st.step(), "adding user " + u.name);
    return sqlite3_changes(db_) == 1;
  }

  std::optional<User> user(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?1");
    st.bind(1, name);
    std::optional<User> out;
    each(st, "reading user " + name, [&] { out = readUser(st); });
    return out;
  }

  std::vector<User> users() override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
    std::vector<User> out;
    each(st, "reading the users", [&] { out.push_back(readUser(st)); });
    return out;
  }

  bool setPasswordHash(const std::string& name, const std::string& hash) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string doing = "changing the password of " + name;
    Transaction tx(*this, doing);
    Statement st(db_, "UPDATE users SET password_hash = ?2 WHERE name = ?1");
    st.bind(1, name).bind(2, hash);
    done(st.step(), doing);
    if (sqlite3_changes(db_) != 1) return false;
    endSessionsOf(name, doing);
    tx.commit();
    return true;
  }

  bool disableUser(const std::string& name, const std::string& now) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string doing = "disabling user " + name;
    Transaction tx(*this, doing);
    Statement st(db_, "UPDATE users SET disabled_at = coalesce(disabled_at, ?2) WHERE name = ?1");
    st.bind(1, name).bind(2, now);
    done(st.step(), doing);
    if (sqlite3_changes(db_) != 1) return false;
    endSessionsOf(name, doing);
    tx.commit();
    return true;
  }

  void addSession(const StaffSession& s) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string doing = "signing in " + s.userName;
    Transaction tx(*this, doing);
    Statement old(db_, "DELETE FROM staff_sessions WHERE expires_at <= ?1");
    old.bind(1, s.createdAt);
    done(old.step(), doing);
    Statement st(db_,
                 "INSERT INTO staff_sessions (token_hash, user_name, csrf_token, created_at, expires_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5)");
    st.bind(1, s.tokenHash).bind(2, s.userName).bind(3, s.csrfToken).bind(4, s.createdAt).bind(5, s.expiresAt);
    done(st.step(), doing);
    tx.commit();
  }

  std::optional<std::pair<StaffSession, User>> session(const std::string& tokenHash, const std::string& now) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "SELECT s.token_hash, s.user_name, s.csrf_token, s.created_at, s.expires_at, "
                 "u.name, u.role, u.display_name, u.password_hash, u.created_at, u.disabled_at, u.community_id "
                 "FROM staff_sessions s JOIN users u ON u.name = s.user_name "
                 "WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL");
    st.bind(1, tokenHash).bind(2, now);
    std::optional<std::pair<StaffSession, User>> out;
    each(st, "reading a session", [&] {
      out = std::make_pair(StaffSession{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4)}, readUser(st, 5));
    });
    return out;
  }

  void endSession(const std::string& tokenHash) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "DELETE FROM staff_sessions WHERE token_hash = ?1");
    st.bind(1, tokenHash);
    done(st.step(), "signing out");
  }

  void addAudit(const AuditEntry& a) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "INSERT INTO audit_log (at, actor, action, target, detail, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    st.bind(1, a.at).bind(2, a.actor).bind(3, a.action).bind(4, a.target).bind(5, a.detail).bind(6, a.address);
    done(st.step(), "writing the audit log");
  }

  std::vector<AuditEntry> audit(size_t limit, int64_t beforeId) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "SELECT id, at, actor, action, target, detail, address FROM audit_log "
                 "WHERE (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?1");
    st.bind(1, static_cast<int64_t>(limit)).bind(2, beforeId);
    std::vector<AuditEntry> out;
    each(st, "reading the audit log", [&] {
      out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6)});
    });
    return out;
  }

  bool setUserCommunity(const std::string& name, const std::string& communityId) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "UPDATE users SET community_id = ?2 WHERE name = ?1 "
                 "AND (?2 IS NULL OR EXISTS (SELECT 1 FROM communities WHERE id = ?2))");
    st.bind(1, name).bindTextOrNull(2, communityId);
    done(st.step(), "setting the community of " + name);
    return sqlite3_changes(db_) == 1;
  }

  // --- tickets ---

  std::optional<Ticket> ticket(const std::string& code) override {
    if (code.empty()) return std::nullopt;  // an empty code in a query means "any ticket": never here
    TicketQuery q;
    q.code = code;
    q.limit = 1;
    auto found = tickets(q);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  }

  std::vector<Ticket> tickets(const TicketQuery& q) override {
    std::lock_guard<std::mutex> lock(mutex_);
    // Every filter is a bound parameter; an empty one matches everything. Statuses come as a JSON list.
    core::Json statuses = core::Json::array();
    for (const std::string& st : q.statuses) statuses.push_back(st);
    Statement st(db_, std::string("SELECT ") + kTicketColumns +
                          " FROM tickets WHERE (?1 = '' OR code = ?1) AND (?2 = '' OR device_id = ?2) "
                          "AND (?3 = '' OR (?3 = '-' AND community_id IS NULL) OR community_id = ?3) "
                          "AND (?4 = '' OR category = ?4) AND (?5 = '' OR updated_at >= ?5) "
                          "AND (?6 = '' OR (status IN ('received', 'assigned', 'in_progress', 'reopened') AND due_at < ?6)) "
                          "AND (?7 = 0 OR flagged = 1) "
                          "AND (?8 = '[]' OR status IN (SELECT value FROM json_each(?8))) "
                          "ORDER BY created_at DESC, code DESC LIMIT ?9");
    st.bind(1, q.code).bind(2, q.deviceId).bind(3, q.communityId).bind(4, q.category).bind(5, q.changedSince);
    st.bind(6, q.dueBefore).bind(7, int64_t{q.flaggedOnly ? 1 : 0}).bind(8, statuses.dump());
    st.bind(9, static_cast<int64_t>(q.limit));
    std::vector<Ticket> out;
    each(st, "reading tickets", [&] { out.push_back(readTicket(st)); });
    return out;
  }

  std::vector<TicketLogEntry> ticketLog(const std::string& code) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT id, code, at, actor, action, status, detail, ref, due_at FROM ticket_log WHERE code = ?1 ORDER BY id");
    st.bind(1, code);
    std::vector<TicketLogEntry> out;
    each(st, "reading the history of ticket " + code, [&] {
      out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7), st.text(8)});
    });
    return out;
  }

  std::optional<TicketLogEntry> ticketLogByRef(const std::string& ref) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT id, code, at, actor, action, status, detail, ref, due_at FROM ticket_log WHERE ref = ?1");
    st.bind(1, ref);
    std::optional<TicketLogEntry> out;
    each(st, "reading the ticket history", [&] {
      out = TicketLogEntry{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7), st.text(8)};
    });
    return out;
  }

  std::vector<TicketLogEntry> ticketLogByAction(const std::string& action) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "SELECT id, code, at, actor, action, status, detail, ref, due_at FROM ticket_log WHERE action = ?1 ORDER BY id");
    st.bind(1, action);
    std::vector<TicketLogEntry> out;
    each(st, "reading the ticket history", [&] {
      out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7), st.text(8)});
    });
    return out;
  }

  bool updateTicket(const Ticket& t, const std::string& readAt, const TicketLogEntry& entry) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string doing = "changing ticket " + t.code;
    Transaction tx(*this, doing);
    Statement st(db_,
                 "UPDATE tickets SET community_id = ?6, status = ?10, assignee = ?11, due_at = ?12, deadline = ?13, "
                 "public_reply = ?14, text_public = ?15, resolved_at = ?16, closed_at = ?17, rating = ?18, rated_at = ?19, "
                 "rating_via = ?20, flagged = ?21, reopen_count = ?22, reject_reason = ?23, updated_at = ?24 "
                 "WHERE code = ?1 AND updated_at = ?25");
    bindTicket(st, t);
    st.bind(25, readAt);
    done(st.step(), doing);
    if (sqlite3_changes(db_) != 1) return false;
    Statement log(db_,
                  "INSERT INTO ticket_log (code, at, actor, action, status, detail, ref, due_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    log.bind(1, t.code).bind(2, entry.at).bind(3, entry.actor).bind(4, entry.action).bind(5, entry.status);
    log.bind(6, entry.detail).bindTextOrNull(7, entry.ref).bind(8, entry.dueAt);
    done(log.step(), doing);
    tx.commit();
    return true;
  }

  // --- the notification outbox ---

  bool addNotification(const Notification& n) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "INSERT INTO notifications (channel, event_key, kind, subject, body, created_at, next_attempt_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (channel, event_key) DO NOTHING");
    st.bind(1, n.channel).bind(2, n.eventKey).bind(3, n.kind).bind(4, n.subject).bind(5, n.text).bind(6, n.createdAt);
    st.bind(7, n.nextAttemptAt.empty() ? n.createdAt : n.nextAttemptAt);
    done(st.step(), "queueing a notification for " + n.channel);
    return sqlite3_changes(db_) == 1;
  }

  std::vector<Notification> dueNotifications(const std::string& now, size_t limit) override {
    return notificationsWhere("next_attempt_at IS NOT NULL AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
                              now, limit);
  }

  bool claimNotification(int64_t id, const std::string& seenNextAttemptAt, const std::string& until) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_, "UPDATE notifications SET next_attempt_at = ?3 WHERE id = ?1 AND next_attempt_at = ?2");
    st.bind(1, id).bind(2, seenNextAttemptAt).bind(3, until);
    done(st.step(), "taking a notification to send");
    return sqlite3_changes(db_) == 1;
  }

  void recordNotificationAttempt(int64_t id, const std::string& at, const std::string& error,
                                 const std::string& nextAttemptAt) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "UPDATE notifications SET attempts = attempts + 1, "
                 "sent_at = CASE WHEN ?3 = '' THEN ?2 END, "
                 "given_up_at = CASE WHEN ?3 <> '' AND ?4 = '' THEN ?2 END, "
                 "next_attempt_at = CASE WHEN ?3 <> '' AND ?4 <> '' THEN ?4 END, "
                 "last_error = CASE WHEN ?3 = '' THEN last_error ELSE ?3 END "
                 "WHERE id = ?1 AND sent_at IS NULL AND given_up_at IS NULL");
    st.bind(1, id).bind(2, at).bind(3, error).bind(4, nextAttemptAt);
    done(st.step(), "recording a notification's delivery");
  }

  std::vector<Notification> recentNotifications(size_t limit) override {
    return notificationsWhere("?1 = '' ORDER BY id DESC LIMIT ?2", "", limit);  // ?1: no condition
  }

 private:
  std::vector<Notification> notificationsWhere(const std::string& condition, const std::string& value, size_t limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement st(db_,
                 "SELECT id, channel, event_key, kind, subject, body, created_at, attempts, next_attempt_at, sent_at, "
                 "given_up_at, last_error FROM notifications WHERE " + condition);
    st.bind(1, value).bind(2, static_cast<int64_t>(limit));
    std::vector<Notification> out;
    each(st, "reading the notifications", [&] {
      out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
                     static_cast<int>(st.int64(7)), st.text(8), st.text(9), st.text(10), st.text(11)});
    });
    return out;
  }

  static constexpr const char* kTicketColumns =
      "code, key_hash, submission_id, device_id, site_id, community_id, category, created_at, received_at, status, "
      "assignee, due_at, deadline, public_reply, text_public, resolved_at, closed_at, rating, rated_at, rating_via, "
      "flagged, reopen_count, reject_reason, updated_at";
  // Binds every column of kTicketColumns as ?1..?24.
  static void bindTicket(Statement& st, const Ticket& t) {
    st.reset();
    st.bind(1, t.code).bind(2, t.keyHash).bind(3, t.submissionId).bind(4, t.deviceId).bind(5, t.siteId);
    st.bindTextOrNull(6, t.communityId).bind(7, t.category).bind(8, t.createdAt).bind(9, t.receivedAt);
    st.bind(10, ticketStateName(t.status)).bind(11, t.assignee).bind(12, t.dueAt).bind(13, t.deadline);
    st.bind(14, t.publicReply).bind(15, int64_t{t.textPublic ? 1 : 0}).bindTextOrNull(16, t.resolvedAt);
    st.bindTextOrNull(17, t.closedAt).bindTextOrNull(18, t.rating).bindTextOrNull(19, t.ratedAt);
    st.bindTextOrNull(20, t.ratingVia).bind(21, int64_t{t.flagged ? 1 : 0}).bind(22, int64_t{t.reopenCount});
    st.bind(23, t.rejectReason).bind(24, t.updatedAt);
  }
  static Ticket readTicket(const Statement& st) {
    Ticket t;
    t.code = st.text(0);
    t.keyHash = st.text(1);
    t.submissionId = st.text(2);
    t.deviceId = st.text(3);
    t.siteId = st.text(4);
    t.communityId = st.text(5);
    t.category = st.text(6);
    t.createdAt = st.text(7);
    t.receivedAt = st.text(8);
    t.status = ticketStateFromName(st.text(9)).value_or(TicketState::Received);
    t.assignee = st.text(10);
    t.dueAt = st.text(11);
    t.deadline = st.text(12);
    t.publicReply = st.text(13);
    t.textPublic = st.int64(14) != 0;
    t.resolvedAt = st.text(15);
    t.closedAt = st.text(16);
    t.rating = st.text(17);
    t.ratedAt = st.text(18);
    t.ratingVia = st.text(19);
    t.flagged = st.int64(20) != 0;
    t.reopenCount = static_cast<int>(st.int64(21));
    t.rejectReason = st.text(22);
    t.updatedAt = st.text(23);
    return t;
  }

  // A scope as a condition on site_id with its sites in parameter i (nothing for every site), and that
  // parameter's value: one spelling for every query that takes a scope.
  static std::string scopeCondition(const SiteScope& scope, int i) {
    return scope.everywhere() ? "" : " AND site_id IN (SELECT value FROM json_each(?" + std::to_string(i) + "))";
  }
  static void bindScope(Statement& st, int i, const SiteScope& scope) {
    if (auto sites = scope.asJsonArray()) st.bind(i, *sites);
  }

  static constexpr const char* kRowColumns =
      "id, form_id, form_version, created_at, received_at, site_id, device_id, via, flags, answers";
  static SubmissionRow readRow(const Statement& st) {
    SubmissionRow r;
    r.id = st.text(0);
    r.formId = st.text(1);
    r.formVersion = static_cast<int>(st.int64(2));
    r.createdAt = st.text(3);
    r.receivedAt = st.text(4);
    r.siteId = st.text(5);
    r.deviceId = st.text(6);
    r.via = st.text(7);
    const std::string flags = st.text(8);
    if (flags != "[]")
      for (const auto& f : readJson(flags, core::Json::array()))
        if (f.is_string()) r.flags.push_back(f.get<std::string>());
    r.answersJson = st.text(9);
    return r;
  }

  static constexpr const char* kUserColumns =
      "name, role, display_name, password_hash, created_at, disabled_at, community_id";
  static User readUser(const Statement& st, int first = 0) {
    User u;
    u.name = st.text(first);
    u.role = roleFromName(st.text(first + 1)).value_or(Role::Viewer);
    u.displayName = st.text(first + 2);
    u.passwordHash = st.text(first + 3);
    u.createdAt = st.text(first + 4);
    u.disabledAt = st.text(first + 5);
    u.communityId = st.text(first + 6);
    return u;
  }

  void endSessionsOf(const std::string& name, const std::string& doing) {
    Statement st(db_, "DELETE FROM staff_sessions WHERE user_name = ?1");
    st.bind(1, name);
    done(st.step(), doing);
  }

  // BEGIN IMMEDIATE ... COMMIT, rolled back when an exception leaves the scope first.
  class Transaction {
   public:
    Transaction(SqliteStore& s, std::string doing) : s_(s), doing_(std::move(doing)) {
      s_.done(exec(s_.db_, "BEGIN IMMEDIATE"), doing_);
    }
    ~Transaction() {
      if (open_) exec(s_.db_, "ROLLBACK");
    }
    void commit() {
      s_.done(exec(s_.db_, "COMMIT"), doing_);
      open_ = false;
    }

   private:
    SqliteStore& s_;
    std::string doing_;
    bool open_ = true;
  };

  // Any result but success throws the failure as a sentence.
  void done(int rc, const std::string& doing, sqlite3* db = nullptr) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) throw detail::mapError(db ? db : db_, rc, doing);
  }
  template <typename F>
  void eachRead(Statement& st, const std::string& doing, F&& f) {
    for (int rc = st.step();; rc = st.step()) {
      done(rc, doing, rdb_);
      if (rc != SQLITE_ROW) break;
      f();
    }
  }
  bool row(int rc, const std::string& doing) {
    done(rc, doing);
    return rc == SQLITE_ROW;
  }
  template <typename F>
  void each(Statement& st, const std::string& doing, F&& f) {
    while (row(st.step(), doing)) f();
  }

  struct IngestJob {
    const std::vector<IncomingSubmission>* batch;
    const std::optional<Contact>* contact;
    std::vector<protocol::Outcome> outcomes;
    std::exception_ptr error;  // this batch failed and was rolled back alone
    bool finished;
  };

  void writeGroup(const std::vector<IngestJob*>& group) {
    size_t total = 0;
    for (const IngestJob* j : group) total += j->batch->size();
    const std::string doing = "storing " + std::to_string(total) + " submissions";
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      Transaction tx(*this, doing);
      Statement insert(db_,
                       "INSERT INTO submissions (id, device_id, site_id, form_id, form_version, form_hash, kind, "
                       "created_at, received_at, flags, digest, sealed, answers, via) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (id) DO NOTHING");
      Statement existing(db_, "SELECT digest FROM submissions WHERE id = ?1");
      Statement tally(db_,
                      "INSERT INTO answer_tallies (form_id, form_version, question, value, site_id, week, n) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO UPDATE SET n = n + excluded.n");
      // The answers of the whole group share most of their (question, value, site, week): counted here
      // first, each count then costs one upsert per group rather than one per submission. A batch that fails
      // adds nothing to them.
      TallyCounts counts;
      for (IngestJob* j : group) {
        done(exec(db_, "SAVEPOINT batch"), doing);
        try {
          TallyCounts mine;
          j->outcomes = writeBatch(*j->batch, insert, existing, mine, doing);
          if (*j->contact) writeContact(**j->contact);
          done(exec(db_, "RELEASE batch"), doing);
          for (const auto& [key, n] : mine) counts[key] += n;
        } catch (...) {
          j->outcomes.clear();
          j->error = std::current_exception();
          exec(db_, "ROLLBACK TO batch");
          exec(db_, "RELEASE batch");
        }
      }
      for (const auto& [key, n] : counts) {
        tally.reset();
        tally.bind(1, std::get<0>(key)).bind(2, int64_t{std::get<1>(key)}).bind(3, std::get<2>(key));
        tally.bind(4, std::get<3>(key)).bind(5, std::get<4>(key)).bind(6, std::get<5>(key)).bind(7, n);
        done(tally.step(), doing);
      }
      tx.commit();
    } catch (...) {
      // The commit itself failed (disk full, I/O error): nothing of the group is stored. Nothing may leave
      // this function by exception: the callers waiting for this group would wait for ever.
      for (IngestJob* j : group) {
        j->outcomes.clear();
        if (!j->error) j->error = std::current_exception();
      }
    }
  }

  using TallyCounts = std::map<std::tuple<std::string, int, std::string, std::string, std::string, std::string>, int64_t>;

  // Stores one batch; the answers of what was stored (not duplicates) are added to `counts`.
  std::vector<protocol::Outcome> writeBatch(const std::vector<IncomingSubmission>& batch, Statement& insert,
                                            Statement& existing, TallyCounts& counts, const std::string& doing) {
    std::vector<protocol::Outcome> out;
    out.reserve(batch.size());
    // Only batches with complaints need the ticket statements.
    std::unique_ptr<Statement> ticketHolder, ticketInsert, logInsert;
    for (const IncomingSubmission& s : batch) {
      const protocol::Envelope& e = s.envelope;
      if (s.ticket && !ticketHolder) {
        ticketHolder = std::make_unique<Statement>(db_, "SELECT submission_id FROM tickets WHERE code = ?1");
        ticketInsert = std::make_unique<Statement>(
            db_, std::string("INSERT INTO tickets (") + kTicketColumns +
                     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
                     "?20, ?21, ?22, ?23, ?24)");
        logInsert = std::make_unique<Statement>(
            db_, "INSERT INTO ticket_log (code, at, actor, action, status, detail, due_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      }
      if (s.ticket) {
        // A code is one complaint's: another submission with the same code is a conflict, never a second ticket.
        ticketHolder->reset();
        ticketHolder->bind(1, s.ticket->code);
        if (row(ticketHolder->step(), doing) && ticketHolder->text(0) != e.id) {
          out.push_back(protocol::Outcome::Conflict);
          continue;
        }
      }
      insert.reset();
      insert.bind(1, e.id).bind(2, s.deviceId).bind(3, s.siteId).bind(4, e.formId).bind(5, int64_t{e.formVersion});
      insert.bind(6, e.formHash).bind(7, e.kind).bind(8, e.createdAt).bind(9, s.receivedAt);
      insert.bind(10, core::Json(e.flags).dump()).bind(11, s.digest).bindBlob(12, e.sealed).bind(13, s.answersJson);
      insert.bind(14, s.via);
      done(insert.step(), doing);
      if (sqlite3_changes(db_) == 1) {
        out.push_back(protocol::Outcome::Stored);
        if (s.ticket) {
          bindTicket(*ticketInsert, *s.ticket);
          done(ticketInsert->step(), doing);
          logInsert->reset();
          // The history starts when the resident filed it at the kiosk (the receipt's time, where the deadline
          // runs from), not when a kiosk that was offline got it through: a timeline never goes back in time.
          logInsert->bind(1, s.ticket->code).bind(2, std::min(s.ticket->createdAt, s.ticket->receivedAt));
          logInsert->bind(3, s.deviceId.empty() ? "usb" : "kiosk:" + s.deviceId).bind(4, "receive").bind(5, "received");
          logInsert->bind(6, s.siteId).bind(7, s.ticket->dueAt);
          done(logInsert->step(), doing);
        }
        ++counts[{e.formId, e.formVersion, kSubmissionTally, "", s.siteId, s.week}];
        for (const Tally& t : s.tallies) ++counts[{e.formId, e.formVersion, t.question, t.value, s.siteId, s.week}];
        continue;
      }
      existing.reset();
      existing.bind(1, e.id);
      if (!row(existing.step(), doing)) throw StoreError("submission " + e.id + " vanished while " + doing);
      out.push_back(existing.text(0) == s.digest ? protocol::Outcome::Duplicate : protocol::Outcome::Conflict);
    }
    return out;
  }

  std::optional<Device> deviceWhere(const char* condition, const std::string& value) {
    Statement st(db_, std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE " + condition);
    st.bind(1, value);
    std::optional<Device> out;
    each(st, "reading a device", [&] { out = readDevice(st); });
    return out;
  }

  void writeContact(const Contact& c) {
    Statement st(db_, "UPDATE devices SET last_contact = ?2, last_backlog = ?3, "
                      "last_refusal = CASE WHEN ?4 = '' THEN last_refusal ELSE ?4 END, "
                      "last_refusal_at = CASE WHEN ?4 = '' THEN last_refusal_at ELSE ?2 END, "
                      "clock_skew_seconds = coalesce(?5, clock_skew_seconds) WHERE id = ?1");
    st.bind(1, c.deviceId).bind(2, c.at).bindOptional(3, c.backlog).bind(4, c.refusal).bindOptional(5, c.clockSkewSeconds);
    done(st.step(), "recording the contact of device " + c.deviceId);
  }

  int64_t pragma(const char* sql, const std::string& doing) {
    Statement st(db_, sql);
    if (!row(st.step(), doing)) return 0;
    return st.int64(0);
  }

  void open() {
    const std::string doing = "opening the server database " + path_;
    int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) throw detail::mapError(db_, rc, doing);
    // Residents' answers and staff's sessions: the owner only, whatever mode the file had.
    if (auto why = core::makePrivateDatabase(path_)) throw StoreError("the server database " + *why);
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 10000);  // `minyi` commands write to the database the server has open
    // Read the header before anything writes: a newer or foreign database stays untouched.
    const int64_t appId = pragma("PRAGMA application_id", doing);
    const int64_t version = pragma("PRAGMA user_version", doing);
    const int64_t tables = pragma("SELECT count(*) FROM sqlite_schema", doing);
    if (appId != kApplicationId && (appId != 0 || tables > 0 || version != 0))
      throw StoreError("the file " + path_ + " is an SQLite database of another program, not a Minyi server "
                       "database; it was left untouched");
    if (version > kSteps)
      throw StoreError("the database " + path_ + " was made by a newer Minyi (schema version " +
                       std::to_string(version) + ", this program knows up to " + std::to_string(kSteps) +
                       "); it was left untouched");
    {
      Statement jm(db_, "PRAGMA journal_mode = WAL");
      if (!row(jm.step(), doing) || jm.text(0) != "wal")
        throw StoreError("the database " + path_ + " could not be switched to WAL mode; is its folder writable?");
    }
    // FULL: a batch the server acknowledged survives a power cut; the kiosk will not send it again.
    done(exec(db_, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"), doing);
    migrate(static_cast<int>(version));
    // A second, read-only connection for the dashboard's larger reads (results, pages, exports): in WAL mode
    // it reads the last commit while a group commit writes, so staff never wait for a kiosk's fsync and
    // ingest never waits for an export.
    rc = sqlite3_open_v2(path_.c_str(), &rdb_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) throw detail::mapError(rdb_, rc, doing);
    sqlite3_extended_result_codes(rdb_, 1);
    sqlite3_busy_timeout(rdb_, 10000);
  }

  void migrate(int current) {
    for (int target = current + 1; target <= kSteps; ++target) {
      const std::string doing = "updating the server database to schema version " + std::to_string(target);
      Transaction tx(*this, doing);
      // Another process (`minyi` beside the server) may have migrated between our read and this lock.
      if (pragma("PRAGMA user_version", doing) >= target) continue;
      done(exec(db_, kMigrations[target - 1]), doing);
      // PRAGMA takes no bound parameters; both values are our own integers.
      const std::string pragmas = "PRAGMA user_version = " + std::to_string(target) +
                                  "; PRAGMA application_id = " + std::to_string(kApplicationId) + ";";
      done(exec(db_, pragmas.c_str()), doing);
      tx.commit();
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;  // the connection: one statement sequence at a time
  sqlite3* rdb_ = nullptr;  // read-only, for the dashboard's reads
  std::mutex readMutex_;
  // Batches waiting for the next group commit, and whether a caller is writing one now.
  std::mutex queueMutex_;
  std::condition_variable queueCv_;
  std::vector<IngestJob*> queue_;
  bool leaderActive_ = false;
};

}  // namespace

bool SiteScope::allows(const std::string& siteId) const {
  return !only || std::find(only->begin(), only->end(), siteId) != only->end();
}

std::optional<std::string> SiteScope::asJsonArray() const {
  if (!only) return std::nullopt;
  return core::Json(*only).dump();
}

const char* roleName(Role r) {
  switch (r) {
    case Role::Admin: return "admin";
    case Role::Handler: return "handler";
    case Role::Viewer: break;
  }
  return "viewer";
}

std::optional<Role> roleFromName(std::string_view name) {
  if (name == "admin") return Role::Admin;
  if (name == "handler") return Role::Handler;
  if (name == "viewer") return Role::Viewer;
  return std::nullopt;
}

std::unique_ptr<ServerStore> openSqliteStore(const std::string& path) { return std::make_unique<SqliteStore>(path); }

std::unique_ptr<ServerStore> openDataFolder(const std::string& dataDir) {
  if (dataDir.empty()) throw StoreError("no data folder was given");
  // Residents' answers live here: no other user on the machine may read them, whoever made the folder.
  if (auto why = core::makePrivateFolder(dataDir)) throw StoreError("the data folder: " + *why);
  return openSqliteStore(dataDir + "/server.db");
}

}  // namespace minyi::server
