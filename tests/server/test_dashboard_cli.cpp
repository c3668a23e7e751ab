// `minyi user|export|demo` run as real processes: passwords only from stdin, exports from a data folder, the demo data.
#include "server_test_helpers.h"

#include <chrono>
#include <regex>
#include <set>

#include "../cli/run_command.h"
#include "minyi/protocol/times.h"
#include "minyi/server/results.h"
#include "minyi/server/staff_auth.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;

namespace {

Run runMinyi(const std::string& args) { return runCommand(MINYI_BIN, args); }
// The password reaches `minyi` on its standard input, as from a password manager or a pipe.
Run withPassword(const std::string& password, const std::string& args) {
  return runCommand("printf '%s\\n' " + quote(password) + " | " + MINYI_BIN, args);
}

}  // namespace

TEST_CASE("minyi community and site: a township's places added as data, mistakes named", "[cli]") {
  TempDir dir;
  const std::string data = quote(dir.file("data"));
  Run added = runMinyi("community add --data " + data + " --id lianhe --name 联合村 --households 812");
  REQUIRE(added.status == 0);
  CHECK_THAT(added.out, Contains("community lianhe (联合村), 812 households"));
  CHECK(runMinyi("community add --data " + data + " --id lianhe --name 又一个 --households 1").status == 1);
  CHECK(runMinyi("community add --data " + data + " --id 'Lian He' --name x --households 1").status == 2);
  CHECK(runMinyi("community add --data " + data + " --id x --name x --households=-3").status == 2);
  Run site = runMinyi("site add --data " + data + " --id lianhe-bmfwz --name 联合村便民服务站 --community lianhe");
  REQUIRE(site.status == 0);
  CHECK_THAT(site.out, Contains("site lianhe-bmfwz (联合村便民服务站), in lianhe"));
  Run unknown = runMinyi("site add --data " + data + " --id x-site --name x --community nowhere");
  CHECK(unknown.status == 2);
  CHECK_THAT(unknown.out, Contains("no community nowhere") && Contains("lianhe"));
  CHECK(runMinyi("site add --data " + data + " --id lianhe-bmfwz --name again --community lianhe").status == 1);
  CHECK(runMinyi("community households --data " + data + " lianhe --households 830").status == 0);
  Run listed = runMinyi("community list --data " + data);
  REQUIRE(listed.status == 0);
  CHECK_THAT(listed.out, Contains("lianhe  联合村  830 households"));
  Run sites = runMinyi("site list --data " + data);
  CHECK_THAT(sites.out, Contains("lianhe-bmfwz  联合村便民服务站"));
  // A kiosk can be enrolled at the new site.
  CHECK(runMinyi("device add --data " + data + " --site lianhe-bmfwz --name 大厅").status == 0);
}

TEST_CASE("minyi user add, list, passwd and disable, with the password from standard input only", "[cli]") {
  TempDir dir;
  const std::string data = quote(dir.file("data"));
  Run added = withPassword("一二三四五六七八九十", "user add --data " + data + " wang --role admin --display 王主任");
  REQUIRE(added.status == 0);
  CHECK_THAT(added.out, Contains("added admin wang"));
  // Never from argv: there is no option for it, and a weak or missing password is refused.
  CHECK(runMinyi("user add --data " + data + " li --role viewer --password secret12345 < /dev/null").status == 2);
  Run weak = withPassword("short", "user add --data " + data + " li --role viewer");
  CHECK(weak.status == 2);
  CHECK_THAT(weak.out, Contains("too weak"));
  Run none = runMinyi("user add --data " + data + " li --role viewer < /dev/null");
  CHECK(none.status == 2);
  CHECK_THAT(none.out, Contains("standard input"));
  CHECK(withPassword("viewer password", "user add --data " + data + " li --role boss").status == 2);
  CHECK(withPassword("viewer password", "user add --data " + data + " 'Li Si' --role viewer").status == 2);
  REQUIRE(withPassword("viewer password", "user add --data " + data + " li --role viewer").status == 0);
  CHECK(withPassword("viewer password", "user add --data " + data + " li --role viewer").status == 1);

  Run list = runMinyi("user list --data " + data);
  CHECK_THAT(list.out, Contains("li  viewer  -  active"));
  CHECK_THAT(list.out, Contains("wang  admin  王主任  active"));
  {
    auto store = server::openDataFolder(dir.file("data"));
    CHECK(server::verifyPassword(store->user("wang")->passwordHash, "一二三四五六七八九十"));
  }
  REQUIRE(withPassword("a new password", "user passwd --data " + data + " wang").status == 0);
  CHECK(withPassword("a new password", "user passwd --data " + data + " nobody").status == 1);
  REQUIRE(runMinyi("user disable --data " + data + " li").status == 0);
  CHECK_THAT(runMinyi("user list --data " + data).out, Contains("li  viewer  -  disabled"));
  auto store = server::openDataFolder(dir.file("data"));
  CHECK(server::verifyPassword(store->user("wang")->passwordHash, "a new password"));
  CHECK_FALSE(server::verifyPassword(store->user("wang")->passwordHash, "一二三四五六七八九十"));
  bool logged = false;
  for (const auto& a : store->audit(100)) logged = logged || (a.action == "user_disable" && a.actor.rfind("cli:", 0) == 0);
  CHECK(logged);
  // The password itself is nowhere in the database.
  const std::string db = dir.file("data/server.db");
  rawQuery(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(readFile(db).find("a new password") == std::string::npos);
}

TEST_CASE("minyi demo fills a data folder through ingest, and minyi export writes its CSV and XLSX", "[cli]") {
  TempDir dir;
  const std::string data = quote(dir.file("data"));
  Run demo = withPassword("demo password 1", "demo --data " + data + " --submissions 400 --weeks 8 --seed 7 --admin-password-stdin");
  REQUIRE(demo.status == 0);
  CHECK_THAT(demo.out, Contains("400 submissions over 8 weeks (stored 400"));
  CHECK_THAT(demo.out, Contains("demo login: admin / demo password 1"));
  auto store = server::openDataFolder(dir.file("data"));
  CHECK(store->submissionCount() == 400);
  CHECK(store->forms().size() == 6);
  CHECK(store->devices().size() == 7);
  CHECK(server::verifyPassword(store->user("admin")->passwordHash, "demo password 1"));
  // Every submission was counted as it was stored, and they span the weeks asked for.
  server::TallyQuery all;
  all.submissionsOnly = true;
  int64_t counted = 0;
  std::set<std::string> weeks;
  for (const auto& r : store->tallies(all)) {
    counted += r.count;
    weeks.insert(r.week);
  }
  CHECK(counted == 400);
  CHECK(weeks.size() >= 8);
  CHECK(weeks.size() <= 9);
  // Complaints came with tickets, and the demo staff handled them through the real transitions: a mix of
  // states, every history in time order, never after now, each ticket's codes unique.
  server::TicketQuery everyTicket;
  everyTicket.limit = 100000;
  const auto tickets = store->tickets(everyTicket);
  REQUIRE(tickets.size() >= 10);
  std::set<server::TicketState> states;
  const std::string now = protocol::isoUtc(std::chrono::system_clock::now());
  for (const auto& t : tickets) {
    states.insert(t.status);
    const auto log = store->ticketLog(t.code);
    REQUIRE(!log.empty());
    CHECK(log.front().action == "receive");
    CHECK(log.front().at == std::min(t.createdAt, t.receivedAt));
    for (size_t i = 1; i < log.size(); ++i) CHECK(log[i - 1].at <= log[i].at);
    CHECK(log.back().at <= now);
    if (t.status == server::TicketState::Resolved || t.status == server::TicketState::Closed) CHECK(!t.publicReply.empty());
  }
  CHECK(states.count(server::TicketState::Closed) == 1);
  CHECK(states.size() >= 3);
  CHECK_THAT(demo.out, Contains("complaints filed"));
  CHECK_THAT(demo.out, Contains("a resident's ticket page"));

  // A second run adds submissions, not forms or an admin with another password.
  Run again = runMinyi("demo --data " + data + " --submissions 10 --seed 8");
  REQUIRE(again.status == 0);
  CHECK_THAT(again.out, Contains("admin already exists"));
  CHECK(store->submissionCount() == 410);

  int64_t quick = 0;
  for (const auto& [form, n] : store->submissionCountsByForm())
    if (form.first == "quick") quick = n;
  REQUIRE(quick > 0);
  Run csv = runMinyi("export --data " + data + " --form quick --format csv --out " + quote(dir.file("quick.csv")));
  REQUIRE(csv.status == 0);
  CHECK_THAT(csv.out, Contains("exported " + std::to_string(quick) + " submissions of form quick version 1"));
  const std::string text = readFile(dir.file("quick.csv"));
  CHECK(text.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(std::count(text.begin(), text.end(), '\n') == quick + 1);
  Run xlsx = runMinyi("export --data " + data + " --form complaint --format xlsx --mask-phones --out " + quote(dir.file("c.xlsx")));
  REQUIRE(xlsx.status == 0);
  CHECK(readFile(dir.file("c.xlsx")).rfind("PK", 0) == 0);
  CHECK(runMinyi("export --data " + data + " --form nope --format csv --out " + quote(dir.file("x.csv"))).status == 2);
  CHECK(runMinyi("export --data " + data + " --form quick --format pdf --out " + quote(dir.file("x.pdf"))).status == 2);
}
