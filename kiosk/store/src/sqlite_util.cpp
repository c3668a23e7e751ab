// Internal: prepared statements and SQLite/OS error codes turned into StoreError values with plain words.
#include "sqlite_util.h"

#include <cerrno>
#include <cstring>

namespace minyi::store {

const char* codeName(StoreError::Code code) {
  switch (code) {
    case StoreError::Code::DiskFull: return "disk full";
    case StoreError::Code::Corrupt: return "corrupt";
    case StoreError::Code::ReadOnly: return "read-only";
    case StoreError::Code::Busy: return "busy";
    case StoreError::Code::NewerVersion: return "newer version";
    case StoreError::Code::NotFound: return "not found";
    case StoreError::Code::Invalid: return "invalid";
    case StoreError::Code::Other: return "other";
  }
  return "other";
}

namespace detail {

Statement::Statement(sqlite3* db, std::string_view sql) {
  prepareRc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int i, std::string_view text) {
  if (stmt_ && bindRc_ == SQLITE_OK)
    bindRc_ = sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bindBlob(int i, std::string_view bytes) {
  // A zero-length blob must still be a blob, not NULL: sqlite3_bind_blob64 treats a null pointer as NULL.
  static const char empty = 0;
  if (stmt_ && bindRc_ == SQLITE_OK)
    bindRc_ = sqlite3_bind_blob64(stmt_, i, bytes.empty() ? &empty : bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int i, int64_t value) {
  if (stmt_ && bindRc_ == SQLITE_OK) bindRc_ = sqlite3_bind_int64(stmt_, i, value);
  return *this;
}

Statement& Statement::bindNull(int i) {
  if (stmt_ && bindRc_ == SQLITE_OK) bindRc_ = sqlite3_bind_null(stmt_, i);
  return *this;
}

int Statement::step() {
  if (prepareRc_ != SQLITE_OK) return prepareRc_;
  if (!stmt_) return SQLITE_MISUSE;
  if (bindRc_ != SQLITE_OK) return bindRc_;
  return sqlite3_step(stmt_);
}

void Statement::reset() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bindRc_ = SQLITE_OK;
}

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string Statement::blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (!p) return {};
  return std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

namespace {
std::string osDetail(int err) { return err ? std::string(std::strerror(err)) : std::string(); }
}  // namespace

StoreError mapError(sqlite3* db, int rc, const std::string& doing, int fallbackErrno) {
  const int primary = rc & 0xff;
  int sysErr = db ? sqlite3_system_errno(db) : 0;
  if (sysErr == 0 && (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN)) sysErr = fallbackErrno;
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (sysErr && primary != SQLITE_CORRUPT && primary != SQLITE_NOTADB) detail += "; " + osDetail(sysErr);
  auto make = [&](StoreError::Code code, const std::string& words) {
    return StoreError{code, words + " while " + doing + " (" + detail + ")"};
  };
  switch (primary) {
    case SQLITE_FULL:
      return make(StoreError::Code::DiskFull, "the disk is full");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return make(StoreError::Code::Corrupt, "the database file is damaged or is not a database");
    case SQLITE_READONLY:
      return make(StoreError::Code::ReadOnly, "the database cannot be written (read-only file, folder or disk)");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return make(StoreError::Code::Busy, "another program kept the database busy");
    case SQLITE_NOMEM:
      return make(StoreError::Code::Other, "out of memory");
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return make(StoreError::Code::ReadOnly, "no permission to write the database");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      // The OS error says more than SQLite's code: a full disk shows up as a failed write, a
      // filesystem remounted read-only after disk errors as EROFS.
      if (sysErr == ENOSPC || sysErr == EDQUOT || sysErr == EFBIG)
        return make(StoreError::Code::DiskFull, "the disk is full");
      if (sysErr == EROFS || sysErr == EACCES || sysErr == EPERM)
        return make(StoreError::Code::ReadOnly, "the database cannot be written (read-only file, folder or disk)");
      if (primary == SQLITE_CANTOPEN) return make(StoreError::Code::Other, "the database file cannot be opened");
      return make(StoreError::Code::Other, "the disk reported a read/write error");
    default:
      return make(StoreError::Code::Other, "the database reported an error");
  }
}

StoreError errnoError(int err, const std::string& doing) {
  const std::string detail = " while " + doing + " (" + osDetail(err) + ")";
  switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return {StoreError::Code::DiskFull, "the disk is full" + detail};
    case EROFS:
      return {StoreError::Code::ReadOnly, "the disk is read-only" + detail};
    case EACCES:
    case EPERM:
      return {StoreError::Code::ReadOnly, "no permission to write there" + detail};
    case ENOENT:
      return {StoreError::Code::NotFound, "the folder does not exist" + detail};
    case ENOTDIR:
      return {StoreError::Code::NotFound, "the path is not a folder" + detail};
    case EIO:
      return {StoreError::Code::Other, "the disk reported a read/write error" + detail};
    default:
      return {StoreError::Code::Other, "a system call failed" + detail};
  }
}

}  // namespace detail
}  // namespace minyi::store
