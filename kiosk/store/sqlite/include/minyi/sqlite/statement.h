// A prepared SQLite statement, finalized on destruction: the one wrapper both storages use (the kiosk's and the server's).
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minyi::sqlite {

// Binds are 1-based as in SQLite. A failed prepare or bind is kept and returned by the first step(), so a
// statement can be built in one expression and checked once.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  int prepareResult() const { return prepareRc_; }
  Statement& bind(int i, std::string_view text);
  Statement& bindBlob(int i, std::string_view bytes);  // an empty blob stays a blob, not NULL
  Statement& bind(int i, int64_t value);
  Statement& bindNull(int i);
  Statement& bindOptional(int i, const std::optional<int64_t>& value);
  Statement& bindTextOrNull(int i, std::string_view text);  // empty text is stored as NULL
  // SQLITE_ROW, SQLITE_DONE or an error.
  int step();
  void reset();  // and clears the bindings

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

}  // namespace minyi::sqlite
