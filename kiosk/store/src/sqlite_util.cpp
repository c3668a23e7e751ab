// Internal: SQLite and OS error codes turned into StoreError values with plain words.
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
