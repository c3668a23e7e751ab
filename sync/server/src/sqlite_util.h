// Internal: the server's SQLite backend's statements (the shared wrapper) and SQLite failures as StoreError sentences.
#pragma once
#include <sqlite3.h>

#include <string>

#include "minyi/server/server_store.h"
#include "minyi/sqlite/statement.h"

namespace minyi::server::detail {

// The one statement wrapper both storages use (kiosk/store/sqlite).
using sqlite::Statement;
using sqlite::exec;

// The failure as a sentence: what went wrong in plain words, while `doing`, then SQLite's own message.
StoreError mapError(sqlite3* db, int rc, const std::string& doing);

}  // namespace minyi::server::detail
