// Internal: prepared statements for the server's SQLite backend, and SQLite failures as StoreError sentences.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "minyi/server/server_store.h"

namespace minyi::server::detail {

// One prepared statement, finalized on destruction. Binds are 1-based as in SQLite. The same shape as
// kiosk/store's helper; that one is internal to the kiosk library, and the server must not link it.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::string_view text);
  Statement& bindBlob(int i, std::string_view bytes);
  Statement& bind(int i, int64_t value);
  Statement& bindNull(int i);
  Statement& bindOptional(int i, const std::optional<int64_t>& value);
  Statement& bindTextOrNull(int i, std::string_view text);  // empty text is stored as NULL
  // SQLITE_ROW, SQLITE_DONE or an error; a failed prepare or bind is returned by the first step.
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

// The failure as a sentence: what went wrong in plain words, while `doing`, then SQLite's own message.
StoreError mapError(sqlite3* db, int rc, const std::string& doing);

}  // namespace minyi::server::detail
