// Internal: the shared statement wrapper, and the mapping of SQLite result codes to StoreError.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "minyi/sqlite/statement.h"
#include "minyi/store/error.h"

namespace minyi::store::detail {

// The one statement wrapper both storages use (kiosk/store/sqlite).
using sqlite::Statement;
using sqlite::exec;

// What an SQLite failure means for the kiosk, in words: `doing` says what was being done
// ("saving the submission"); the SQLite message and the OS error follow in parentheses. fallbackErrno is
// errno right after the failing call, used when SQLite did not record the OS error itself.
StoreError mapError(sqlite3* db, int rc, const std::string& doing, int fallbackErrno = 0);

// Words for a StoreError built from a failing system call (export files, statvfs).
StoreError errnoError(int err, const std::string& doing);

}  // namespace minyi::store::detail
