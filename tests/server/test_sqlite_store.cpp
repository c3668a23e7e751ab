// What only the SQLite backend promises: its file format, WAL mode, refusing foreign or newer files, no secrets kept.
#include "server_test_helpers.h"

#include <sys/stat.h>

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;

TEST_CASE("the SQLite store is a WAL database with STRICT tables at the latest schema version") {
  TempDir dir;
  const std::string path = dir.file("server.db");
  server::openSqliteStore(path);
  CHECK(rawQuery(path, "PRAGMA journal_mode") == "wal");
  CHECK(rawQuery(path, "PRAGMA user_version") == "7");
  CHECK(rawQuery(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE '%STRICT%'") == "0");
  CHECK(rawQuery(path, "PRAGMA integrity_check") == "ok");
}

TEST_CASE("a database of another program or of a newer Minyi is left untouched") {
  TempDir dir;
  const std::string other = dir.file("other.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE mine (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE_FALSE(readFile(other).empty());
  const std::string before = readFile(other);
  CHECK_THROWS_WITH(server::openSqliteStore(other), Contains("another program"));
  CHECK(readFile(other) == before);

  const std::string newer = dir.file("newer.db");
  server::openSqliteStore(newer);
  rawQuery(newer, "PRAGMA user_version = 99");
  CHECK_THROWS_WITH(server::openSqliteStore(newer), Contains("newer Minyi"));
  CHECK(rawQuery(newer, "PRAGMA user_version") == "99");
}

TEST_CASE("a data folder is created readable by its owner only, a file in its place is refused") {
  TempDir dir;
  server::openDataFolder(dir.file("data"));
  struct stat st {};
  REQUIRE(::stat(dir.file("data").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  writeFile(dir.file("plain-file"), "x");
  CHECK_THROWS_WITH(server::openDataFolder(dir.file("plain-file")), Contains("is not a folder"));
}

TEST_CASE("regression: a data folder and database made readable by others before are made private at start") {
  TempDir dir;
  const std::string data = dir.file("data");
  REQUIRE(::mkdir(data.c_str(), 0755) == 0);
  { auto store = server::openDataFolder(data); }
  // As an installer or a copy by hand might leave them.
  REQUIRE(::chmod(data.c_str(), 0755) == 0);
  REQUIRE(::chmod((data + "/server.db").c_str(), 0644) == 0);
  auto mode = [](const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<int>(st.st_mode & 0777);
  };
  REQUIRE(mode(data) == 0755);
  auto store = server::openDataFolder(data);
  CHECK(mode(data) == 0700);
  CHECK(mode(data + "/server.db") == 0600);
  REQUIRE(store->addForm(shippedForm("quick")) == server::FormAdded::New);
  CHECK(mode(data + "/server.db-wal") == 0600);
}

TEST_CASE("enrollment codes and device tokens are not in the database file, only their hashes") {
  LiveServer live;
  const std::string code = addDeviceWithCode(*live.store, "kiosk-1", "donghu-dqfwzx");
  auto res = live.client().Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{code, "0.1.0", ""}).dump(),
                                "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto reply = protocol::parseEnrollReply(res->body, nullptr);
  REQUIRE(reply);
  const std::string db = live.dir.file("data/server.db");
  rawQuery(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::string everything = readFile(db) + readFile(db + "-wal");
  CHECK(everything.find(reply->token) == std::string::npos);
  CHECK(everything.find(*protocol::normalizeCrockford(code)) == std::string::npos);
  CHECK(rawQuery(db, "SELECT token_hash FROM devices WHERE id = 'kiosk-1'") == protocol::sha256Hex(reply->token));
}
