// Internal: a prepared-statement wrapper and the mapping of SQLite result codes to StoreError.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "minyi/store/error.h"

namespace minyi::store::detail {

// One prepared statement; finalized on destruction. Binds are 1-based as in SQLite.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  int prepareResult() const { return prepareRc_; }
  Statement& bind(int i, std::string_view text);
  Statement& bindBlob(int i, std::string_view bytes);
  Statement& bind(int i, int64_t value);
  Statement& bindNull(int i);
  // SQLITE_ROW, SQLITE_DONE or an error; a failed bind or prepare is returned by the first step.
  int step();
  void reset();

  std::string text(int col) const;  // empty for NULL
  std::string blob(int col) const;
  int64_t int64(int col) const;
  bool isNull(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int prepareRc_ = SQLITE_OK;
  int bindRc_ = SQLITE_OK;
};

// Runs SQL without results (several statements allowed); returns the SQLite result code.
int exec(sqlite3* db, const char* sql);

// What an SQLite failure means for the kiosk, in words: `doing` says what was being done
// ("saving the submission"); the SQLite message and the OS error follow in parentheses. fallbackErrno is
// errno right after the failing call, used when SQLite did not record the OS error itself.
StoreError mapError(sqlite3* db, int rc, const std::string& doing, int fallbackErrno = 0);

// Words for a StoreError built from a failing system call (export files, statvfs).
StoreError errnoError(int err, const std::string& doing);

}  // namespace minyi::store::detail
