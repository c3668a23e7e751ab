// Internal: the kiosk database schema (docs/kiosk-storage.md) and the migration steps that build it.
#include "schema.h"

#include <string>

#include "sqlite_util.h"

namespace minyi::store::detail {

namespace {

// Each step takes the schema from version (index) to version (index + 1). Append only: a shipped
// step is never edited, since kiosks in the field already ran it.
const char* const kMigrations[] = {
    // 1: forms, the submission outbox, settings, the admin audit log.
    R"sql(
CREATE TABLE forms (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  json TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
  received_at TEXT NOT NULL,
  PRIMARY KEY (id, hash)
) STRICT;
-- One offered version per form id.
CREATE UNIQUE INDEX forms_one_active_version ON forms (id) WHERE active = 1;

CREATE TABLE submissions (
  id TEXT PRIMARY KEY NOT NULL,
  form_id TEXT NOT NULL,
  form_version INTEGER NOT NULL,
  form_hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  payload BLOB NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'conflict', 'rejected')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  sent_at TEXT,
  flags TEXT NOT NULL DEFAULT '',
  -- A submission always names a form the kiosk kept, so results can be read against the exact text.
  FOREIGN KEY (form_id, form_hash) REFERENCES forms (id, hash),
  CHECK (state <> 'sent' OR sent_at IS NOT NULL)
) STRICT;
-- The outbox query: pending ones in insertion (rowid) order.
CREATE INDEX submissions_by_state ON submissions (state);

CREATE TABLE settings (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
) STRICT;
)sql",
    // 2: notices for the attract screen, as the server last sent them.
    R"sql(
CREATE TABLE notices (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,   -- JSON object of texts by language
  body TEXT NOT NULL,    -- JSON object of texts by language
  published_at TEXT NOT NULL,
  until TEXT            -- NULL: no end date
) STRICT;
)sql",
    // 3: complaint tickets made on this kiosk, with their handling as the server last reported it. A
    // ticket outlives its submission's retention: residents look codes up long after the upload.
    R"sql(
CREATE TABLE tickets (
  code TEXT PRIMARY KEY NOT NULL,        -- 10 Crockford symbols, ungrouped
  serial INTEGER NOT NULL UNIQUE,        -- this kiosk's own count; the code's second part
  submission_id TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  created_at TEXT NOT NULL,
  key_sealed BLOB NOT NULL,              -- the QR link's access key, sealed to the server (never in the clear)
  status TEXT NOT NULL DEFAULT 'received',
  expected_by TEXT,                      -- from the server, once it has the ticket
  public_reply TEXT,
  timeline TEXT NOT NULL DEFAULT '[]',   -- JSON list of {status, at} from the server
  updated_at TEXT                        -- when the server's news last reached the kiosk
) STRICT;
)sql",
    // 4: follow-up ratings (回访) given at this kiosk, kept until the server answered them.
    R"sql(
CREATE TABLE ratings (
  id TEXT PRIMARY KEY NOT NULL,          -- UUIDv4: a resend is harmless
  code TEXT NOT NULL,                    -- the ticket's code (made at any kiosk), ungrouped
  rating TEXT NOT NULL CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
  at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
  outcome TEXT                           -- stored, duplicate, or rejected: <reason>
) STRICT;
CREATE INDEX ratings_by_code ON ratings (code);
)sql",
};

constexpr int kSteps = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

int readUserVersion(sqlite3* db, int* rc) {
  Statement st(db, "PRAGMA user_version");
  *rc = st.step();
  if (*rc != SQLITE_ROW) return -1;
  *rc = SQLITE_OK;
  return static_cast<int>(st.int64(0));
}

}  // namespace

int latestSchemaVersion() { return kSteps; }

std::optional<StoreError> migrate(sqlite3* db, int current) {
  for (int target = current + 1; target <= kSteps; ++target) {
    const std::string doing = "updating the database to schema version " + std::to_string(target);
    auto fail = [&](int rc) {
      StoreError e = mapError(db, rc, doing);
      if (!sqlite3_get_autocommit(db)) exec(db, "ROLLBACK");
      return e;
    };
    int rc = exec(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return fail(rc);
    // Another process may have migrated between our read and this write lock.
    const int now = readUserVersion(db, &rc);
    if (rc != SQLITE_OK) return fail(rc);
    if (now >= target) {
      exec(db, "COMMIT");
      continue;
    }
    rc = exec(db, kMigrations[target - 1]);
    if (rc != SQLITE_OK) return fail(rc);
    // PRAGMA takes no bound parameters; target is our own integer.
    const std::string pragmas = "PRAGMA user_version = " + std::to_string(target) +
                                "; PRAGMA application_id = " + std::to_string(kApplicationId) + ";";
    rc = exec(db, pragmas.c_str());
    if (rc != SQLITE_OK) return fail(rc);
    rc = exec(db, "COMMIT");
    if (rc != SQLITE_OK) return fail(rc);
  }
  return std::nullopt;
}

}  // namespace minyi::store::detail
