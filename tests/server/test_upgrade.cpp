// A server database of every released schema, with a township's data of its time (tests/data/server-upgrade-<k>.sql,
// made by make_server_upgrades.py), opened by today's server: migrated forward, nothing lost, fully usable.
#include "server_test_helpers.h"

#include "minyi/server/results.h"

using namespace minyi;
using namespace minyi::test;

TEST_CASE("every released server schema migrates to today's with its township's data whole and usable", "[upgrade][sqlite]") {
  for (int k = 1; k <= 6; ++k) {
    DYNAMIC_SECTION("schema " << k) {
      TempDir dir;
      const std::string db = dir.file("server.db");
      loadSqlFile(std::string(MINYI_SOURCE_DIR) + "/tests/data/server-upgrade-" + std::to_string(k) + ".sql", db);
      REQUIRE(rawQuery(db, "PRAGMA user_version") == std::to_string(k));
      auto store = server::openSqliteStore(db);
      CHECK(rawQuery(db, "PRAGMA user_version") == "7");
      CHECK(rawQuery(db, "PRAGMA integrity_check") == "ok");
      CHECK(rawQuery(db, "PRAGMA foreign_key_check").empty());

      // The places its first migration made are its data now.
      CHECK(store->communities().size() == 3);
      CHECK(store->sites().size() == 6);
      auto kiosk = store->device("kiosk-donghu");
      REQUIRE(kiosk);
      CHECK(kiosk->name == "东湖 一号机");
      CHECK(kiosk->lastContact == "2026-11-20T03:00:00.000Z");
      CHECK(kiosk->lastBacklog == 2);
      CHECK(kiosk->kioskNumber == 1);  // numbered on the way through schema 3
      CHECK(store->device("kiosk-waiting")->kioskNumber == 2);
      CHECK(kiosk->lastRefusal == (k >= 4 ? "form quick version 9 is not on this server" : ""));
      CHECK(kiosk->kioskId == (k >= 5 ? "kiosk-3f9a0c1d" : ""));
      if (k >= 6) {  // its last report on itself, and the backlog of the one before
        REQUIRE(kiosk->report);
        CHECK(kiosk->report->diskFreeBytes == 12884901888);
        CHECK(kiosk->report->screen == "1080x1920");
        CHECK(kiosk->reportAt == "2026-11-20T03:00:00.000Z");
        CHECK(kiosk->previousOutbox == 3);
      } else {
        CHECK_FALSE(kiosk->report);
      }
      REQUIRE(store->form("quick", 1));
      CHECK(store->activeForms("jiedao-office").size() == (k >= 3 ? 2u : 1u));
      const int64_t submissions = k >= 3 ? 4 : 3;
      CHECK(store->submissionCount() == submissions);
      auto notices = store->noticesFor("donghu-dqfwzx", isoIn(std::chrono::seconds(0)), 10);
      REQUIRE(notices.size() == 1);
      CHECK(notices[0].title["zh-cn"] == "整改情况公示");
      if (k >= 2) {
        REQUIRE(store->user("wang"));
        CHECK(store->user("wang")->role == server::Role::Admin);
      }
      if (k >= 3) {
        auto ticket = store->ticket("00W0000011");
        REQUIRE(ticket);
        CHECK(ticket->status == server::TicketState::Received);
        CHECK(ticket->communityId == "donghu");
        CHECK(store->ticketLog("00W0000011").size() == 1);
      }
      // The dashboard's counts match the stored submissions once the server has looked at them at start
      // (a schema-1 database had no counts at all).
      server::reconcileTallies(*store);
      server::TallyQuery all;
      all.submissionsOnly = true;
      int64_t counted = 0;
      for (const auto& r : store->tallies(all)) counted += r.count;
      CHECK(counted == submissions);
      CHECK(server::reconcileTallies(*store).empty());  // and stay matched

      // Usable as a new one: a kiosk added gets the next number, reports itself, places can be added.
      REQUIRE(store->addDevice({"kiosk-new", "donglian-culture", "新", "h", isoIn(std::chrono::hours(1)), isoIn({})}));
      CHECK(store->device("kiosk-new")->kioskNumber == 3);
      CHECK(store->recordReport("kiosk-donghu", protocol::KioskReport{}, isoIn({})));
      CHECK(store->addSite({"donghu-culture", "东湖社区文化站", "donghu"}));
      store.reset();
      CHECK(rawQuery(db, "PRAGMA integrity_check") == "ok");
    }
  }
}
