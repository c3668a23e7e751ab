// Internal: SQLite result codes turned into plain sentences for the server's StoreError.
#include "sqlite_util.h"

#include <cstring>

namespace minyi::server::detail {

StoreError mapError(sqlite3* db, int rc, const std::string& doing) {
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int sysErr = db ? sqlite3_system_errno(db) : 0;
  if (sysErr) detail += std::string("; ") + std::strerror(sysErr);
  std::string words;
  switch (rc & 0xff) {
    case SQLITE_FULL: words = "the disk is full"; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: words = "the database file is damaged or is not a database"; break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: words = "the database cannot be written (check the owner and permissions of the data folder)"; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: words = "another program kept the database busy"; break;
    case SQLITE_CANTOPEN: words = "the database file cannot be opened"; break;
    case SQLITE_IOERR: words = "the disk reported a read/write error"; break;
    case SQLITE_NOMEM: words = "out of memory"; break;
    default: words = "the database reported an error"; break;
  }
  return StoreError(words + " while " + doing + " (" + detail + ")");
}

}  // namespace minyi::server::detail
