// Kiosk database schema: created from nothing, reopened as is, and a newer or foreign database left untouched.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "store_test_helpers.h"

using namespace minyi::store;
using namespace minyi::test;
using Catch::Matchers::Contains;

TEST_CASE("a new database gets the whole schema, WAL mode and the Minyi application id", "[store][schema]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  { auto s = openStore(path); }
  CHECK(rawQuery(path, "PRAGMA user_version") == std::to_string(KioskStore::schemaVersion()));
  CHECK(rawQuery(path, "PRAGMA application_id") == std::to_string(0x4D6E5969));
  CHECK(rawQuery(path, "PRAGMA journal_mode") == "wal");
  for (const char* table : {"forms", "submissions", "settings", "audit_log", "notices", "tickets", "ratings"})
    CHECK(rawQuery(path, std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") + table +
                             "'") == "1");
  CHECK(rawQuery(path, "PRAGMA integrity_check") == "ok");
}

namespace {
int modeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}
}  // namespace

TEST_CASE("the database (it holds the device token) and its WAL are the kiosk user's only, whatever they were",
          "[store][schema]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  {
    auto s = storeWithForm(path);
    REQUIRE(s->setSetting("sync.token", "secret").ok());
    CHECK(modeOf(path) == 0600);
    CHECK(modeOf(path + "-wal") == 0600);
  }
  // Copied in by hand with the default mode: put right at the next start.
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  auto s = openStore(path);
  CHECK(modeOf(path) == 0600);
  REQUIRE(s->setSetting("sync.token", "secret2").ok());
  CHECK(modeOf(path + "-wal") == 0600);
}

TEST_CASE("reopening keeps the data and does not migrate again", "[store][schema]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  std::string id;
  {
    auto s = storeWithForm(path);
    auto r = s->commitSubmission(sampleSubmission(sampleForm()));
    REQUIRE(r.ok());
    id = r.value();
    REQUIRE(s->setSetting("device_id", "kiosk-7").ok());
  }
  auto s = openStore(path);
  auto sub = s->submission(id);
  REQUIRE(sub.ok());
  REQUIRE(sub.value().has_value());
  CHECK(sub.value()->payload == R"({"q1": 5})");
  CHECK(s->setting("device_id").value() == std::optional<std::string>("kiosk-7"));
  CHECK(rawQuery(path, "PRAGMA user_version") == std::to_string(KioskStore::schemaVersion()));
}

TEST_CASE("a database from a newer Minyi is refused and left byte for byte as it was", "[store][schema]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  { auto s = openStore(path); }
  REQUIRE(rawQuery(path, "PRAGMA user_version = 99").rfind("error", 0) != 0);
  REQUIRE(rawQuery(path, "PRAGMA journal_mode = DELETE") == "delete");  // one file to compare
  const std::string before = readFile(path);

  StoreError error;
  auto s = KioskStore::open(path, &error);
  CHECK_FALSE(s);
  CHECK(error.code == StoreError::Code::NewerVersion);
  CHECK_THAT(error.message, Contains("newer Minyi") && Contains("99") && Contains("left untouched"));
  CHECK(readFile(path) == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("an SQLite file of another program is refused and left alone", "[store][schema]") {
  TempDir dir;
  const std::string path = dir.file("other.db");
  REQUIRE(rawQuery(path, "SELECT 1").empty());  // the helper does not create files
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE recipes (name TEXT)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  const std::string before = readFile(path);

  StoreError error;
  CHECK_FALSE(KioskStore::open(path, &error));
  CHECK(error.code == StoreError::Code::Invalid);
  CHECK_THAT(error.message, Contains("another program"));
  CHECK(readFile(path) == before);
}

TEST_CASE("a database in a folder that does not exist is an error in words", "[store][schema]") {
  TempDir dir;
  StoreError error;
  CHECK_FALSE(KioskStore::open(dir.file("no-such-folder/kiosk.db"), &error));
  CHECK(error.code == StoreError::Code::NotFound);
  CHECK_THAT(error.message, Contains("does not exist"));
}

TEST_CASE("a database of every released kiosk schema is migrated and keeps what it held", "[store][schema][upgrade]") {
  // Each step after the first only adds a table (notices 2, tickets 3, ratings 4), so a file of version k is
  // today's file without the tables of the later steps.
  const char* laterTables[] = {"notices", "tickets", "ratings"};
  for (int k = 1; k < KioskStore::schemaVersion(); ++k) {
    DYNAMIC_SECTION("version " << k) {
      TempDir dir;
      const std::string path = dir.file("kiosk.db");
      std::string id, code;
      {
        auto s = storeWithForm(path);
        id = s->commitSubmission(sampleSubmission(sampleForm())).value();
        REQUIRE(s->setSetting("sync.device_id", "kiosk-7").ok());
        REQUIRE(s->audit("admin", "sync_now").ok());
        if (k >= 2) REQUIRE(s->replaceNotices({StoredNotice{"n1", R"({"zh-cn":"通知"})", R"({"zh-cn":"内容"})", "2026-11-01T00:00:00Z", ""}}).ok());
        if (k >= 3) {
          StoredForm complaint = sampleForm("complaint", "c0ffee");
          complaint.kind = "complaint";
          REQUIRE(s->saveForm(complaint).ok());
          code = s->commitComplaint(sampleSubmission(complaint, "sealed"), NewTicket{7, "hygiene", "sealed key"}).value().code;
        }
      }
      for (int later = k; later < KioskStore::schemaVersion(); ++later)
        REQUIRE(rawQuery(path, std::string("DROP TABLE ") + laterTables[later - 1]) == "");
      REQUIRE(rawQuery(path, "PRAGMA user_version = " + std::to_string(k)) == "");
      auto s = openStore(path);
      CHECK(rawQuery(path, "PRAGMA user_version") == std::to_string(KioskStore::schemaVersion()));
      CHECK(rawQuery(path, "PRAGMA integrity_check") == "ok");
      CHECK(s->submission(id).value().has_value());
      CHECK(s->counts().value().pending == (k >= 3 ? 2 : 1));
      CHECK(s->setting("sync.device_id").value() == std::optional<std::string>("kiosk-7"));
      CHECK(s->recentAudit(10).value().size() >= 1);
      CHECK(s->notices(std::chrono::system_clock::now()).value().size() == (k >= 2 ? 1u : 0u));
      if (k >= 3) CHECK(s->ticket(code).value().has_value());
      // What the later steps brought works on the upgraded file.
      CHECK(s->replaceNotices({StoredNotice{"n2", R"({"zh-cn":"通知"})", R"({"zh-cn":"内容"})", "2026-11-02T00:00:00Z", ""}}).ok());
      StoredForm complaint = sampleForm("complaint", "c0ffee");
      complaint.kind = "complaint";
      REQUIRE(s->saveForm(complaint).ok());
      CHECK(s->commitComplaint(sampleSubmission(complaint, "sealed 2"), NewTicket{7, "fire_lane", "key 2"}).ok());
      CHECK(s->commitRating("00W0000011", "satisfied").ok());
    }
  }
}

TEST_CASE("notices: the server's list replaces the kept one, expired ones are not shown", "[store][notices]") {
  TempDir dir;
  OpenOptions options;
  auto now = std::chrono::system_clock::from_time_t(1795000000);  // 2026-11-18
  options.clock = [&] { return now; };
  auto s = openStore(dir.file("kiosk.db"), options);
  const StoredNotice repair{"fix-1", R"({"zh-cn":"整改情况公示"})", R"({"zh-cn":"东湖社区楼道灯已修复。"})", "2026-11-10T02:00:00Z", ""};
  const StoredNotice meeting{"meet-1", R"({"zh-cn":"居民议事会"})", R"({"zh-cn":"本周六上午九点。"})", "2026-11-15T02:00:00Z",
                             "2026-11-22T00:00:00Z"};
  REQUIRE(s->replaceNotices({repair, meeting}).ok());
  auto shown = s->notices(now).value();
  REQUIRE(shown.size() == 2);
  CHECK(shown[0].id == "meet-1");  // newest first
  CHECK(shown[1].until.empty());
  CHECK(s->notices(now + std::chrono::hours(24 * 5)).value().size() == 1);  // the meeting notice expired

  REQUIRE(s->replaceNotices({meeting}).ok());  // the repair notice was withdrawn on the server
  auto after = s->notices(now).value();
  REQUIRE(after.size() == 1);
  CHECK(after[0].id == "meet-1");
  CHECK_FALSE(s->replaceNotices({StoredNotice{"", "{}", "{}", "2026-11-10T02:00:00Z", ""}}).ok());
  CHECK(s->notices(now).value().size() == 1);  // a refused list changes nothing
}

TEST_CASE("a complaint and its ticket are committed together, each ticket taking the kiosk's next serial", "[store][tickets]") {
  TempDir dir;
  auto s = storeWithForm(dir.file("kiosk.db"));
  StoredForm complaint = sampleForm("complaint", "c0ffee");
  complaint.kind = "complaint";
  REQUIRE(s->saveForm(complaint).ok());
  NewSubmission sub = sampleSubmission(complaint, "sealed answers");
  auto first = s->commitComplaint(sub, NewTicket{7, "hallway_lights", "sealed key"});
  REQUIRE(first.ok());
  auto second = s->commitComplaint(sub, NewTicket{7, "fire_lane", "sealed key 2"});
  REQUIRE(second.ok());
  CHECK(first.value().serial == 1);
  CHECK(second.value().serial == 2);
  CHECK(first.value().code != second.value().code);
  CHECK(first.value().code.size() == 10);
  // The outbox hands the uploader the ticket with its submission.
  auto pending = s->pending(10).value();
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].ticketCode == first.value().code);
  CHECK(pending[0].ticketKeySealed == "sealed key");
  auto kept = s->ticket(first.value().code).value();
  REQUIRE(kept);
  CHECK(kept->status == "received");
  CHECK(kept->category == "hallway_lights");
  CHECK(kept->updatedAt.empty());
  // A kiosk without a number makes no tickets, and nothing is stored.
  CHECK_FALSE(s->commitComplaint(sub, NewTicket{0, "fire_lane", "k"}).ok());
  CHECK(s->pending(10).value().size() == 2);
  // The server's news.
  CHECK(s->ticketsUpdatedAt().value().empty());
  auto changed = s->updateTickets({TicketNews{first.value().code, "resolved", "2026-11-30T10:00:00Z", "灯已修好。",
                                               R"([{"status":"received","at":"2026-11-27T08:00:00Z"}])"},
                                    TicketNews{"0000000000", "closed", "", "", "[]"}});
  REQUIRE(changed.ok());
  CHECK(changed.value() == 1);
  kept = s->ticket(first.value().code).value();
  CHECK(kept->status == "resolved");
  CHECK(kept->publicReply == "灯已修好。");
  CHECK_FALSE(kept->updatedAt.empty());
  CHECK_FALSE(s->ticketsUpdatedAt().value().empty());
  CHECK_FALSE(s->ticket("0000000000").value());
  CHECK(rawQuery(dir.file("kiosk.db"), "PRAGMA integrity_check") == "ok");
}
