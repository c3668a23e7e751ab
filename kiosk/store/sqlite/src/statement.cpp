// The prepared-statement wrapper shared by the kiosk's and the server's storage (see statement.h).
#include "minyi/sqlite/statement.h"

namespace minyi::sqlite {

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

Statement& Statement::bindOptional(int i, const std::optional<int64_t>& value) {
  return value ? bind(i, *value) : bindNull(i);
}

Statement& Statement::bindTextOrNull(int i, std::string_view text) { return text.empty() ? bindNull(i) : bind(i, text); }

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

}  // namespace minyi::sqlite
