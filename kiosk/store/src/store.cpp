// KioskStore: opening and migrating the database, the submission outbox and tickets, forms, notices, settings, the kiosk's own id, audit log, health.
#include "minyi/store/store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "minyi/core/private_file.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "schema.h"
#include "store_impl.h"

namespace minyi::store {

using detail::exec;
using detail::kSubmissionColumns;
using detail::readSubmission;
using detail::Statement;

namespace {

constexpr size_t kMaxPayloadBytes = 8 * 1024 * 1024;  // a result is a few KB; this only stops runaway input
constexpr int kAuditKeep = 10000;                    // newest audit entries kept; PIN lockout bounds the rate
constexpr size_t kProbeBytes = 64 * 1024;             // what health() writes to see whether the disk takes data

std::string megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// Lower-case words for kinds and flags: they end up in file names, CSV columns and URLs.
bool isWord(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string joinFlags(std::vector<std::string> flags) {
  std::sort(flags.begin(), flags.end());
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : ",") + f;
  return out;
}

std::vector<std::string> splitFlags(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

SubmissionState stateFromText(const std::string& s) {
  if (s == "sent") return SubmissionState::Sent;
  if (s == "conflict") return SubmissionState::Conflict;
  if (s == "rejected") return SubmissionState::Rejected;
  return SubmissionState::Pending;
}

}  // namespace

namespace detail {

const char* const kSubmissionColumns =
    "id, form_id, form_version, form_hash, kind, created_at, payload, state, attempts, last_error, sent_at, flags, "
    "(SELECT code FROM tickets WHERE tickets.submission_id = submissions.id), "
    "(SELECT key_sealed FROM tickets WHERE tickets.submission_id = submissions.id)";

Submission readSubmission(const Statement& st) {
  Submission s;
  s.id = st.text(0);
  s.formId = st.text(1);
  s.formVersion = static_cast<int>(st.int64(2));
  s.formHash = st.text(3);
  s.kind = st.text(4);
  s.createdAt = st.text(5);
  s.payload = st.blob(6);
  s.state = stateFromText(st.text(7));
  s.attempts = static_cast<int>(st.int64(8));
  s.lastError = st.text(9);
  s.sentAt = st.text(10);
  s.flags = splitFlags(st.text(11));
  s.ticketCode = st.text(12);
  s.ticketKeySealed = st.blob(13);
  return s;
}

}  // namespace detail

namespace {

constexpr const char* kFormColumns = "id, version, hash, kind, json, active, received_at";

StoredForm readForm(const Statement& st) {
  StoredForm f;
  f.id = st.text(0);
  f.version = static_cast<int>(st.int64(1));
  f.hash = st.text(2);
  f.kind = st.text(3);
  f.json = st.text(4);
  f.active = st.int64(5) != 0;
  f.receivedAt = st.text(6);
  return f;
}

StoreError invalid(const std::string& words) { return {StoreError::Code::Invalid, words}; }

std::string parentFolder(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// A new directory entry survives a power cut only once its folder is synced.
void syncFolder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

uint64_t fileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

const char* stateName(SubmissionState state) {
  switch (state) {
    case SubmissionState::Pending: return "pending";
    case SubmissionState::Sent: return "sent";
    case SubmissionState::Conflict: return "conflict";
    case SubmissionState::Rejected: return "rejected";
  }
  return "pending";
}

const char* healthName(Health::State state) {
  switch (state) {
    case Health::State::Ok: return "ok";
    case Health::State::DiskFull: return "disk_full";
    case Health::State::Corrupt: return "corrupt";
    case Health::State::ReadOnly: return "read_only";
    case Health::State::Failing: return "failing";
  }
  return "failing";
}

std::string newSubmissionId() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4: random
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s;
}

std::string isoUtc(std::chrono::system_clock::time_point t) { return protocol::isoUtc(t); }

// ---------------------------------------------------------------------------------------------------------
// Impl

KioskStore::Impl::~Impl() {
  if (db) sqlite3_close_v2(db);
}

std::chrono::system_clock::time_point KioskStore::Impl::now() const {
  return options.clock ? options.clock() : std::chrono::system_clock::now();
}

uint64_t KioskStore::Impl::Space::usable() const {
  uint64_t u = diskFree + freePages;
  if (belowLimit) u = std::min(u, *belowLimit);
  return u;
}

bool KioskStore::Impl::Space::limitBinds() const { return belowLimit && *belowLimit <= diskFree + freePages; }

KioskStore::Impl::Space KioskStore::Impl::space() {
  Space s;
  struct statvfs vfs {};
  if (::statvfs(folder.c_str(), &vfs) == 0) {
    s.known = true;
    s.diskFree = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    s.diskTotal = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    s.diskReadOnly = (vfs.f_flag & ST_RDONLY) != 0;
  } else {
    s.diskFree = UINT64_MAX / 2;  // unknown: let SQLite's own errors speak
  }
  auto pragma = [&](const char* sql) -> int64_t {
    Statement st(db, sql);
    return st.step() == SQLITE_ROW ? st.int64(0) : 0;
  };
  const int64_t pageSize = pragma("PRAGMA page_size");
  const int64_t freePages = pragma("PRAGMA freelist_count");
  s.freePages = static_cast<uint64_t>(std::max<int64_t>(0, freePages * pageSize));
  if (options.maxDatabaseBytes) {
    const int64_t room = pragma("PRAGMA max_page_count") - pragma("PRAGMA page_count") + freePages;
    s.belowLimit = static_cast<uint64_t>(std::max<int64_t>(0, room * pageSize));
  }
  return s;
}

uint64_t KioskStore::Impl::pauseMargin() const {
  if (options.maxDatabaseBytes) return std::min(options.reserveBytes, options.maxDatabaseBytes / 8);
  return options.reserveBytes;
}

std::string KioskStore::Impl::describeFull(const Space& s) const {
  if (s.limitBinds())
    return "the database is at its size limit of " + megabytes(options.maxDatabaseBytes) + " (" +
           megabytes(*s.belowLimit) + " left)";
  return "the disk is full: " + megabytes(s.diskFree) + " free, the kiosk needs at least " + megabytes(pauseMargin());
}

void KioskStore::Impl::makeRoom(uint64_t margin) {
  for (int round = 0; round < 50 && space().usable() < margin; ++round) {
    int deleted = 0;
    auto err = transaction("deleting acknowledged submissions to make room", [&]() -> std::optional<StoreError> {
      Statement st(db, "DELETE FROM submissions WHERE rowid IN (SELECT rowid FROM submissions WHERE state = 'sent' "
                       "ORDER BY sent_at LIMIT 200)");
      const int rc = st.step();
      if (rc != SQLITE_DONE) return fail(rc, "deleting acknowledged submissions to make room");
      deleted = sqlite3_changes(db);
      return std::nullopt;
    });
    if (err || deleted == 0) return;
  }
}

void KioskStore::Impl::remember(const StoreError& e) {
  switch (e.code) {
    case StoreError::Code::Corrupt:
      corrupt = true;
      fault = e;
      break;
    case StoreError::Code::DiskFull:
    case StoreError::Code::ReadOnly:
    case StoreError::Code::Other:
      if (!corrupt) fault = e;
      break;
    default:  // busy, not found, invalid input: nothing wrong with the storage itself
      break;
  }
}

StoreError KioskStore::Impl::fail(int rc, const std::string& doing) {
  const int callErrno = errno;  // SQLite does not record the OS error of every failed write; errno still has it
  StoreError e = detail::mapError(db, rc, doing, callErrno);
  if (e.code == StoreError::Code::Other && (rc & 0xff) == SQLITE_IOERR) {
    // A failed write on an almost full disk is a full disk, whatever error code carried it.
    const Space s = space();
    if (s.known && s.diskFree < refuseMargin()) e = {StoreError::Code::DiskFull, describeFull(s) + " while " + doing};
  } else if (e.code == StoreError::Code::DiskFull) {
    // Say which limit was hit, the disk or the size the configuration allows the database, in place
    // of mapError's generic words; its "while ... (SQLite's words)" stays.
    const Space s = space();
    const size_t tail = e.message.find(" while ");
    if (s.known && tail != std::string::npos) e.message = describeFull(s) + e.message.substr(tail);
  }
  remember(e);
  return e;
}

std::optional<StoreError> KioskStore::Impl::refusal(const std::string& doing) const {
  if (corrupt)
    return StoreError{StoreError::Code::Corrupt,
                      "the database file is damaged, so nothing more is written to it; refused " + doing};
  return std::nullopt;
}

void KioskStore::Impl::rollback() {
  if (!sqlite3_get_autocommit(db)) exec(db, "ROLLBACK");
}

// ---------------------------------------------------------------------------------------------------------
// Opening

KioskStore::KioskStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KioskStore::~KioskStore() = default;

int KioskStore::schemaVersion() { return detail::latestSchemaVersion(); }
const std::string& KioskStore::path() const { return impl_->path; }

std::unique_ptr<KioskStore> KioskStore::open(const std::string& path, StoreError* error, OpenOptions options) {
  auto refuse = [&](StoreError e) -> std::unique_ptr<KioskStore> {
    if (error) *error = std::move(e);
    return nullptr;
  };
  if (sodium_init() < 0) return refuse({StoreError::Code::Other, "libsodium could not start (it makes submission ids)"});
  if (path.empty()) return refuse(invalid("no database path was given"));

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->folder = parentFolder(path);
  impl->options = std::move(options);
  const std::string opening = "opening the database " + path;

  struct stat st {};
  if (::stat(impl->folder.c_str(), &st) != 0) return refuse(detail::errnoError(errno, opening));
  if (!S_ISDIR(st.st_mode)) return refuse(detail::errnoError(ENOTDIR, opening));
  const bool existed = ::stat(path.c_str(), &st) == 0;

  int rc = sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    StoreError e = detail::mapError(impl->db, rc, opening);
    if (!existed && ::access(impl->folder.c_str(), W_OK) != 0)
      e = {StoreError::Code::ReadOnly, "the folder " + impl->folder + " cannot be written, so the database cannot be "
                                       "created there (" + e.message + ")"};
    return refuse(e);
  }
  sqlite3* db = impl->db;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, impl->options.busyTimeoutMs);
  if (sqlite3_db_readonly(db, "main") == 1)
    return refuse({StoreError::Code::ReadOnly, "the database file " + path + " can only be read: check its owner and "
                                               "permissions, and whether the disk was switched to read-only"});

  // Read the header before anything writes to the file: a newer or foreign database stays untouched.
  auto pragmaInt = [&](const char* sql, int64_t* out) {
    Statement q(db, sql);
    const int r = q.step();
    if (r == SQLITE_ROW) *out = q.int64(0);
    return r == SQLITE_ROW ? SQLITE_OK : r;
  };
  int64_t appId = 0, version = 0, tables = 0;
  if ((rc = pragmaInt("PRAGMA application_id", &appId)) != SQLITE_OK ||
      (rc = pragmaInt("PRAGMA user_version", &version)) != SQLITE_OK ||
      (rc = pragmaInt("SELECT count(*) FROM sqlite_schema", &tables)) != SQLITE_OK) {
    return refuse(detail::mapError(db, rc, opening));
  }
  if (appId != detail::kApplicationId && (appId != 0 || tables > 0 || version != 0))
    return refuse(invalid("the file " + path + " is an SQLite database of another program, not a Minyi kiosk "
                          "database; it was left untouched"));
  if (version > detail::latestSchemaVersion())
    return refuse({StoreError::Code::NewerVersion,
                   "the database " + path + " was made by a newer Minyi (schema version " + std::to_string(version) +
                       ", this program knows up to " + std::to_string(detail::latestSchemaVersion()) +
                       "); it was left untouched: install the newer Minyi or move the file away"});

  // The file is ours (or empty): from here on it may be written. The outbox and the device token are for
  // the kiosk's own user only, whatever mode the file had.
  if (auto why = core::makePrivateDatabase(path)) return refuse({StoreError::Code::ReadOnly, "the database " + *why});
  {
    Statement jm(db, "PRAGMA journal_mode = WAL");
    rc = jm.step();
    if (rc != SQLITE_ROW) return refuse(detail::mapError(db, rc, opening));
    if (jm.text(0) != "wal")
      return refuse({StoreError::Code::ReadOnly, "the database " + path + " could not be switched to WAL mode (it "
                                                 "stays in " + jm.text(0) + " mode); is its folder writable?"});
  }
  rc = exec(db,
            "PRAGMA synchronous = FULL;"       // every commit reaches the disk before it returns
            "PRAGMA foreign_keys = ON;"
            "PRAGMA secure_delete = ON;"       // purged submissions are overwritten, not just unlinked
            "PRAGMA journal_size_limit = 16777216;");
  if (rc != SQLITE_OK) return refuse(detail::mapError(db, rc, opening));
  if (impl->options.maxDatabaseBytes) {
    int64_t pageSize = 4096;
    pragmaInt("PRAGMA page_size", &pageSize);
    const int64_t pages = std::max<int64_t>(1, static_cast<int64_t>(impl->options.maxDatabaseBytes) / pageSize);
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
    Statement mp(db, sql);
    mp.step();
  }

  // Damaged pages: an up-to-date database still opens so that staff can export what is readable, but
  // health() says Corrupt and nothing is written; an older one is not migrated.
  if (version > 0) {
    Statement qc(db, "PRAGMA quick_check(1)");
    rc = qc.step();
    if (rc != SQLITE_ROW) return refuse(detail::mapError(db, rc, opening));
    if (qc.text(0) != "ok") {
      StoreError damaged{StoreError::Code::Corrupt,
                         "the database file " + path + " is damaged (quick check: " + qc.text(0) + ")"};
      if (version < detail::latestSchemaVersion()) return refuse(damaged);
      impl->remember(damaged);
    }
  }
  if (!impl->corrupt) {
    if (auto e = detail::migrate(db, static_cast<int>(version))) return refuse(*e);
  }
  if (!existed) syncFolder(impl->folder);
  return std::unique_ptr<KioskStore>(new KioskStore(std::move(impl)));
}

// ---------------------------------------------------------------------------------------------------------
// Submissions

Result<std::string> KioskStore::commitSubmission(const NewSubmission& s) {
  auto done = commit(s, nullptr);
  if (!done.ok()) return done.error();
  return done.value().submissionId;
}

Result<Ticket> KioskStore::commitComplaint(const NewSubmission& s, const NewTicket& t) {
  if (t.kioskNumber < 1 || t.kioskNumber > protocol::kMaxKioskNumber)
    return invalid("this kiosk has no number for ticket codes (it comes with enrollment, or [site] kiosk_number)");
  if (t.category.empty() || t.keySealed.empty()) return invalid("a ticket needs its category and sealed access key");
  return commit(s, &t);
}

Result<Ticket> KioskStore::commit(const NewSubmission& s, const NewTicket* t) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "saving a submission of form " + s.formId;
  if (s.formId.empty() || s.formHash.empty()) return invalid("a submission needs its form id and form hash");
  if (!isWord(s.kind)) return invalid("the submission kind '" + s.kind + "' is not a lower-case word");
  if (s.payload.empty()) return invalid("the submission has no content");
  if (!s.id.empty() && !protocol::isUuid(s.id)) return invalid("the submission id '" + s.id + "' is not a UUID");
  if (s.payload.size() > kMaxPayloadBytes)
    return invalid("the submission is " + std::to_string(s.payload.size()) + " bytes; the limit is " +
                   std::to_string(kMaxPayloadBytes));
  for (const auto& f : s.flags)
    if (!isWord(f)) return invalid("the submission flag '" + f + "' is not a lower-case word");

  if (auto r = impl_->refusal(doing)) return *r;
  // The last bit of space is for the uploader's bookkeeping (marking sent), so that a full outbox can
  // always drain; acknowledged submissions make way first.
  if (impl_->space().usable() < impl_->pauseMargin()) {
    impl_->makeRoom(impl_->pauseMargin());
    const auto room = impl_->space();
    if (room.usable() < impl_->refuseMargin()) {
      StoreError e{StoreError::Code::DiskFull, impl_->describeFull(room) + "; refused " + doing};
      impl_->remember(e);
      return e;
    }
  }
  Ticket made;
  made.submissionId = s.id.empty() ? newSubmissionId() : s.id;
  made.createdAt = impl_->nowText();
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db,
                 "INSERT INTO submissions (id, form_id, form_version, form_hash, kind, created_at, payload, flags) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, made.submissionId).bind(2, s.formId).bind(3, int64_t{s.formVersion}).bind(4, s.formHash).bind(5, s.kind);
    st.bind(6, made.createdAt).bindBlob(7, s.payload).bind(8, joinFlags(s.flags));
    int rc = st.step();
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
      return invalid("the form " + s.formId + " (hash " + s.formHash.substr(0, 12) +
                     ") is not saved on this kiosk; save it with saveForm before taking submissions for it");
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    if (!t) return std::nullopt;
    // The next serial, read and taken inside this write transaction: no two tickets share one.
    Statement next(impl_->db, "SELECT COALESCE(MAX(serial), 0) + 1 FROM tickets");
    rc = next.step();
    if (rc != SQLITE_ROW) return impl_->fail(rc, doing);
    made.serial = next.int64(0);
    if (made.serial > 0xFFFFFFFFll) return invalid("this kiosk has used up its ticket serials");
    made.code = protocol::checkTicketCode(protocol::makeTicketCode(t->kioskNumber, static_cast<uint32_t>(made.serial))).code;
    made.category = t->category;
    made.keySealed = t->keySealed;
    Statement ins(impl_->db, "INSERT INTO tickets (code, serial, submission_id, category, created_at, key_sealed) "
                             "VALUES (?, ?, ?, ?, ?, ?)");
    ins.bind(1, made.code).bind(2, made.serial).bind(3, made.submissionId).bind(4, made.category);
    ins.bind(5, made.createdAt).bindBlob(6, made.keySealed);
    rc = ins.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return made;
}

// ---------------------------------------------------------------------------------------------------------
// Tickets

namespace {
constexpr const char* kTicketColumns =
    "code, serial, submission_id, category, created_at, key_sealed, status, COALESCE(expected_by, ''), "
    "COALESCE(public_reply, ''), timeline, COALESCE(updated_at, '')";
Ticket readTicket(const Statement& st) {
  Ticket t;
  t.code = st.text(0);
  t.serial = st.int64(1);
  t.submissionId = st.text(2);
  t.category = st.text(3);
  t.createdAt = st.text(4);
  t.keySealed = st.blob(5);
  t.status = st.text(6);
  t.expectedBy = st.text(7);
  t.publicReply = st.text(8);
  t.timeline = st.text(9);
  t.updatedAt = st.text(10);
  return t;
}
}  // namespace

Result<std::optional<Ticket>> KioskStore::ticket(const std::string& code) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE code = ?");
  st.bind(1, code);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<Ticket>(readTicket(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading ticket " + code);
  return std::optional<Ticket>();
}

Result<int> KioskStore::updateTickets(const std::vector<TicketNews>& news) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "saving the tickets' news";
  int changed = 0;
  const std::string now = impl_->nowText();
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "UPDATE tickets SET status = ?, expected_by = NULLIF(?, ''), public_reply = NULLIF(?, ''), "
                            "timeline = ?, updated_at = ? WHERE code = ?");
    for (const TicketNews& n : news) {
      st.reset();
      st.bind(1, n.status).bind(2, n.expectedBy).bind(3, n.publicReply);
      st.bind(4, n.timeline.empty() ? std::string("[]") : n.timeline).bind(5, now).bind(6, n.code);
      const int rc = st.step();
      if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
      changed += sqlite3_changes(impl_->db);
    }
    Statement mark(impl_->db, "INSERT INTO settings (key, value) VALUES ('tickets.updated_at', ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    mark.bind(1, now);
    const int rc = mark.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return changed;
}

Result<std::string> KioskStore::commitRating(const std::string& code, const std::string& rating) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (rating != "satisfied" && rating != "basic" && rating != "unsatisfied") return invalid("unknown rating " + rating);
  if (code.size() != 10) return invalid("a rating needs a ticket code");
  const std::string id = newSubmissionId(), doing = "saving a rating of ticket " + code;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "INSERT INTO ratings (id, code, rating, at) VALUES (?, ?, ?, ?)");
    st.bind(1, id).bind(2, code).bind(3, rating).bind(4, impl_->nowText());
    const int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return id;
}

namespace {
KioskStore::Rating readRating(const Statement& st) {
  return KioskStore::Rating{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)};
}
}  // namespace

Result<std::vector<KioskStore::Rating>> KioskStore::pendingRatings(int limit) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, "SELECT id, code, rating, at, state, COALESCE(outcome, '') FROM ratings "
                          "WHERE state = 'pending' ORDER BY rowid LIMIT ?");
  st.bind(1, int64_t{std::max(0, limit)});
  std::vector<Rating> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(readRating(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the ratings");
  return out;
}

Result<std::optional<KioskStore::Rating>> KioskStore::ratingOf(const std::string& code) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, "SELECT id, code, rating, at, state, COALESCE(outcome, '') FROM ratings "
                          "WHERE code = ? ORDER BY rowid DESC LIMIT 1");
  st.bind(1, code);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<Rating>(readRating(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the ratings");
  return std::optional<Rating>();
}

Status KioskStore::settleRating(const std::string& id, const std::string& outcome) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "settling a rating";
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "UPDATE ratings SET state = 'done', outcome = ? WHERE id = ?");
    st.bind(1, outcome).bind(2, id);
    const int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Result<std::string> KioskStore::ticketsUpdatedAt() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, "SELECT value FROM settings WHERE key = 'tickets.updated_at'");
  const int rc = st.step();
  if (rc == SQLITE_ROW) return st.text(0);
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the tickets' sync time");
  return std::string();
}

Result<std::vector<Submission>> KioskStore::pending(int limit) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // rowid is insertion order, which stays right when the kiosk's clock jumps.
  Statement st(impl_->db, std::string("SELECT ") + kSubmissionColumns +
                              " FROM submissions WHERE state = 'pending' ORDER BY rowid LIMIT ?");
  st.bind(1, int64_t{std::max(0, limit)});
  std::vector<Submission> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(readSubmission(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the outbox");
  return out;
}

Result<std::vector<Submission>> KioskStore::unsettled(int limit) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, std::string("SELECT ") + kSubmissionColumns +
                              " FROM submissions WHERE state IN ('conflict', 'rejected') ORDER BY rowid DESC LIMIT ?");
  st.bind(1, int64_t{std::max(0, limit)});
  std::vector<Submission> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(readSubmission(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the outbox");
  return out;
}

Result<std::optional<Submission>> KioskStore::submission(const std::string& id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, std::string("SELECT ") + kSubmissionColumns + " FROM submissions WHERE id = ?");
  st.bind(1, id);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<Submission>(readSubmission(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading submission " + id);
  return std::optional<Submission>();
}

Result<int> KioskStore::markSent(const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "marking submissions as sent";
  int changed = 0;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "UPDATE submissions SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'pending'");
    const std::string at = impl_->nowText();
    for (const auto& id : ids) {
      st.reset();
      st.bind(1, at).bind(2, id);
      const int rc = st.step();
      if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
      changed += sqlite3_changes(impl_->db);
    }
    return std::nullopt;
  });
  if (err) return *err;
  // Marking sent can grow rows; on a full database let acknowledged ones make room for the next batch.
  if (changed > 0 && impl_->space().usable() < impl_->pauseMargin()) impl_->makeRoom(impl_->pauseMargin());
  return changed;
}

// pending → conflict or rejected, with the server's reason; NotFound for an id the kiosk never had.
Status KioskStore::settle(const std::string& id, const char* state, const std::string& reason) {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> lock(impl.mutex);
  const std::string doing = std::string("marking submission ") + id + " as " + state;
  auto err = impl.transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl.db, "UPDATE submissions SET state = ?, last_error = ? WHERE id = ? AND state = 'pending'");
    st.bind(1, state).bind(2, reason).bind(3, id);
    int rc = st.step();
    if (rc != SQLITE_DONE) return impl.fail(rc, doing);
    if (sqlite3_changes(impl.db) > 0) return std::nullopt;
    Statement exists(impl.db, "SELECT 1 FROM submissions WHERE id = ?");
    exists.bind(1, id);
    rc = exists.step();
    if (rc == SQLITE_DONE) return StoreError{StoreError::Code::NotFound, "there is no submission " + id};
    if (rc != SQLITE_ROW) return impl.fail(rc, doing);
    return std::nullopt;  // already settled: the first answer stands
  });
  if (err) return *err;
  return Done{};
}

Result<int> KioskStore::retryUnsettled() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "sending refused submissions again";
  int changed = 0;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "UPDATE submissions SET state = 'pending', "
                            "last_error = 'sent again by staff after: ' || coalesce(last_error, state) "
                            "WHERE state IN ('conflict', 'rejected')");
    const int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    changed = sqlite3_changes(impl_->db);
    return std::nullopt;
  });
  if (err) return *err;
  return changed;
}

Status KioskStore::markConflict(const std::string& id, const std::string& reason) {
  return settle(id, "conflict", reason);
}

Status KioskStore::markRejected(const std::string& id, const std::string& reason) {
  return settle(id, "rejected", reason);
}

Status KioskStore::recordAttemptFailure(const std::vector<std::string>& ids, const std::string& reason) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "recording a failed upload";
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "UPDATE submissions SET attempts = attempts + 1, last_error = ? "
                            "WHERE id = ? AND state = 'pending'");
    for (const auto& id : ids) {
      st.reset();
      st.bind(1, reason).bind(2, id);
      const int rc = st.step();
      if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    }
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Result<OutboxCounts> KioskStore::counts() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, "SELECT state, count(*), min(created_at) FROM submissions GROUP BY state");
  OutboxCounts c;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    const int64_t n = st.int64(1);
    switch (stateFromText(st.text(0))) {
      case SubmissionState::Pending: c.pending = n, c.oldestPendingAt = st.text(2); break;
      case SubmissionState::Sent: c.sent = n; break;
      case SubmissionState::Conflict: c.conflict = n; break;
      case SubmissionState::Rejected: c.rejected = n; break;
    }
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "counting the outbox");
  return c;
}

Result<int> KioskStore::purgeSent(std::chrono::system_clock::time_point olderThan) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "deleting old sent submissions";
  int deleted = 0;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    // Only acknowledged ones: the state check is what keeps unsent data safe from retention.
    Statement st(impl_->db, "DELETE FROM submissions WHERE state = 'sent' AND sent_at IS NOT NULL AND sent_at < ?");
    st.bind(1, isoUtc(olderThan));
    const int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    deleted = sqlite3_changes(impl_->db);
    return std::nullopt;
  });
  if (err) return *err;
  return deleted;
}

// ---------------------------------------------------------------------------------------------------------
// Forms

Status KioskStore::saveForm(const StoredForm& form) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (form.id.empty() || form.hash.empty()) return invalid("a form needs its id and content hash");
  if (!isWord(form.kind)) return invalid("the form kind '" + form.kind + "' is not a lower-case word");
  if (form.json.empty()) return invalid("the form " + form.id + " has no JSON text");
  const std::string doing = "saving form " + form.id;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "INSERT INTO forms (id, version, hash, kind, json, active, received_at) "
                            "VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (id, hash) DO NOTHING");
    st.bind(1, form.id).bind(2, int64_t{form.version}).bind(3, form.hash).bind(4, form.kind).bind(5, form.json);
    st.bind(6, impl_->nowText());
    const int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Status KioskStore::activateForm(const std::string& id, const std::string& hash) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "offering form " + id;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    // The other versions first: the unique index allows one active row per id at any moment.
    Statement off(impl_->db, "UPDATE forms SET active = 0 WHERE id = ? AND hash <> ? AND active = 1");
    off.bind(1, id).bind(2, hash);
    int rc = off.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    Statement on(impl_->db, "UPDATE forms SET active = 1 WHERE id = ? AND hash = ?");
    on.bind(1, id).bind(2, hash);
    rc = on.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    if (sqlite3_changes(impl_->db) == 0)
      return StoreError{StoreError::Code::NotFound, "form " + id + " with hash " + hash + " is not saved on this kiosk"};
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Status KioskStore::deactivateForm(const std::string& id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "withdrawing form " + id;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "UPDATE forms SET active = 0 WHERE id = ?");
    st.bind(1, id);
    const int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Result<std::vector<StoredForm>> KioskStore::activeForms() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, std::string("SELECT ") + kFormColumns + " FROM forms WHERE active = 1 ORDER BY id");
  std::vector<StoredForm> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(readForm(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the active forms");
  return out;
}

Result<std::optional<StoredForm>> KioskStore::form(const std::string& id, const std::string& hash) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, std::string("SELECT ") + kFormColumns + " FROM forms WHERE id = ? AND hash = ?");
  st.bind(1, id).bind(2, hash);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<StoredForm>(readForm(st));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading form " + id);
  return std::optional<StoredForm>();
}

// ---------------------------------------------------------------------------------------------------------
// Notices

Status KioskStore::replaceNotices(const std::vector<StoredNotice>& notices) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  for (const StoredNotice& n : notices)
    if (n.id.empty() || n.title.empty() || n.body.empty() || n.publishedAt.empty())
      return invalid("a notice needs an id, a title, a body and its publication time");
  const std::string doing = "saving the notices";
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    int rc = detail::exec(impl_->db, "DELETE FROM notices");
    if (rc != SQLITE_OK) return impl_->fail(rc, doing);
    Statement st(impl_->db, "INSERT OR REPLACE INTO notices (id, title, body, published_at, until) VALUES (?, ?, ?, ?, ?)");
    for (const StoredNotice& n : notices) {
      st.reset();
      st.bind(1, n.id).bind(2, n.title).bind(3, n.body).bind(4, n.publishedAt);
      if (n.until.empty()) st.bindNull(5);
      else st.bind(5, n.until);
      rc = st.step();
      if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    }
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Result<std::vector<StoredNotice>> KioskStore::notices(std::chrono::system_clock::time_point now) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // ISO-8601 UTC texts compare like the times they name (to within the second their shapes may differ in).
  Statement st(impl_->db, "SELECT id, title, body, published_at, COALESCE(until, '') FROM notices "
                          "WHERE until IS NULL OR until > ? ORDER BY published_at DESC, id");
  st.bind(1, isoUtc(now));
  std::vector<StoredNotice> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back(StoredNotice{st.text(0), st.text(1), st.text(2), st.text(3), st.text(4)});
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the notices");
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Settings and audit log

Result<std::optional<std::string>> KioskStore::setting(const std::string& key) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, "SELECT value FROM settings WHERE key = ?");
  st.bind(1, key);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.text(0));
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading setting " + key);
  return std::optional<std::string>();
}

Result<std::string> KioskStore::kioskId() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string doing = "keeping this kiosk's own id";
  std::string id;
  // One statement under the store's lock: two threads asking at once both get the id that was kept.
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement put(impl_->db, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING");
    put.bind(1, std::string(kKioskIdSetting)).bind(2, "kiosk-" + protocol::randomHex(4));
    int rc = put.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    Statement get(impl_->db, "SELECT value FROM settings WHERE key = ?");
    get.bind(1, std::string(kKioskIdSetting));
    rc = get.step();
    if (rc != SQLITE_ROW) return impl_->fail(rc, doing);
    id = get.text(0);
    return std::nullopt;
  });
  if (err) return *err;
  return id;
}

Status KioskStore::setSetting(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (key.empty()) return invalid("a setting needs a name");
  const std::string doing = "saving setting " + key;
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "INSERT INTO settings (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    st.bind(1, key).bind(2, value);
    const int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Status KioskStore::audit(const std::string& actor, const std::string& action, const std::string& detail) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (actor.empty() || action.empty()) return invalid("an audit entry needs an actor and an action");
  const std::string doing = "writing the audit log";
  auto err = impl_->transaction(doing, [&]() -> std::optional<StoreError> {
    Statement st(impl_->db, "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)");
    st.bind(1, impl_->nowText()).bind(2, actor).bind(3, action).bind(4, detail);
    int rc = st.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    Statement trim(impl_->db, "DELETE FROM audit_log WHERE id <= ?");
    trim.bind(1, sqlite3_last_insert_rowid(impl_->db) - kAuditKeep);
    rc = trim.step();
    if (rc != SQLITE_DONE) return impl_->fail(rc, doing);
    return std::nullopt;
  });
  if (err) return *err;
  return Done{};
}

Result<std::vector<AuditEntry>> KioskStore::recentAudit(int n) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, "SELECT id, at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?");
  st.bind(1, int64_t{std::max(0, n)});
  std::vector<AuditEntry> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4)});
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading the audit log");
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Health

namespace {
Health::State healthState(StoreError::Code code) {
  switch (code) {
    case StoreError::Code::DiskFull: return Health::State::DiskFull;
    case StoreError::Code::Corrupt: return Health::State::Corrupt;
    case StoreError::Code::ReadOnly: return Health::State::ReadOnly;
    default: return Health::State::Failing;
  }
}
}  // namespace

Health KioskStore::health() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& im = *impl_;
  if (im.corrupt) return {Health::State::Corrupt, im.fault ? im.fault->message : "the database file is damaged"};

  Impl::Space room = im.space();
  if (room.diskReadOnly)
    return {Health::State::ReadOnly, "the disk holding the database was switched to read-only (this usually "
                                     "follows disk errors)"};
  if (::access(im.path.c_str(), W_OK) != 0)
    return {Health::State::ReadOnly, "the database file " + im.path + " cannot be written (" + std::strerror(errno) + ")"};
  if (room.usable() < im.pauseMargin()) {
    im.makeRoom(im.pauseMargin());
    room = im.space();
    if (room.usable() < im.pauseMargin()) return {Health::State::DiskFull, im.describeFull(room)};
  }
  if (im.fault) {
    // The last write failed. Nothing else would write while the kiosk is paused, so try one here: a
    // submission-sized row, committed and deleted, tells whether the disk takes data again.
    const std::string doing = "checking whether the database can be written again";
    auto err = im.transaction(doing, [&]() -> std::optional<StoreError> {
      Statement put(im.db, "INSERT INTO settings (key, value) VALUES ('.health-probe', ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
      put.bind(1, std::string(kProbeBytes, 'x'));
      int rc = put.step();
      if (rc != SQLITE_DONE) return im.fail(rc, doing);
      Statement del(im.db, "DELETE FROM settings WHERE key = '.health-probe'");
      rc = del.step();
      if (rc != SQLITE_DONE) return im.fail(rc, doing);
      return std::nullopt;
    });
    if (err) return {healthState(err->code), err->message};
  }
  return {};
}

Result<StorageUse> KioskStore::storageUse() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  StorageUse u;
  u.databaseBytes = fileSize(impl_->path);
  u.walBytes = fileSize(impl_->path + "-wal");
  const auto room = impl_->space();
  if (!room.known) return detail::errnoError(errno, "measuring free space in " + impl_->folder);
  u.freeBytes = room.diskFree;
  u.totalBytes = room.diskTotal;
  return u;
}

Status KioskStore::checkIntegrity() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Statement st(impl_->db, "PRAGMA integrity_check(20)");
  std::string problems;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    const std::string line = st.text(0);
    if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "checking the database");
  if (!problems.empty()) {
    StoreError e{StoreError::Code::Corrupt, "the database file is damaged (integrity check: " + problems + ")"};
    impl_->remember(e);
    return e;
  }
  return Done{};
}

Status KioskStore::checkpoint() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const int rc = sqlite3_wal_checkpoint_v2(impl_->db, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK) return impl_->fail(rc, "copying the write-ahead log into the database");
  return Done{};
}

}  // namespace minyi::store
