// Fleet health (issue #13): the kiosk's report over the real API, the rules that flag a kiosk, the devices page.
#include "server_test_helpers.h"

#include "minyi/server/fleet.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

const char* kJson = "application/json";

std::chrono::system_clock::time_point at(const std::string& iso) {
  auto t = protocol::parseIsoUtc(iso);
  REQUIRE(t);
  return *t;
}

httplib::Result postReport(LiveServer& live, const std::string& token, const std::string& body) {
  return live.client().Post("/api/v1/kiosk-report", httplib::Headers{{"Authorization", "Bearer " + token}, {"Minyi-Outbox", "3"}},
                            body, kJson);
}

server::Device enrolledKiosk(const std::string& lastContact) {
  server::Device d;
  d.id = "kiosk-1";
  d.enrolledAt = "2026-11-30T00:00:00.000Z";
  d.lastContact = lastContact;
  return d;
}

}  // namespace

TEST_CASE("a kiosk's report is kept with the time it came, the one before gives the previous outbox") {
  LiveServer live;
  const std::string token = live.enroll("kiosk-1").token;
  protocol::KioskReport r;
  r.appVersion = "0.2.0";
  r.diskFreeBytes = int64_t{12} << 30;
  r.outbox = 4;
  r.oldestUnsent = "2026-12-07T01:00:00.000Z";
  r.lastError = "network: Could not resolve host: minyi.example";
  r.appUptimeSeconds = 3600;
  r.bootUptimeSeconds = 86400;
  r.screen = "1080x1920";
  auto res = postReport(live, token, protocol::toJson(r).dump());
  REQUIRE(res);
  CHECK(res->status == 204);
  auto d = live.store->device("kiosk-1");
  REQUIRE(d->report);
  CHECK(d->report->outbox == 4);
  CHECK(d->report->diskFreeBytes == (int64_t{12} << 30));
  CHECK(d->report->screen == "1080x1920");
  CHECK(d->report->lastError == r.lastError);
  CHECK(d->report->oldestUnsent == r.oldestUnsent);
  CHECK(d->appVersion == "0.2.0");  // the version running now, not only the one at enrollment
  CHECK_FALSE(d->reportAt.empty());
  CHECK(d->lastBacklog == 3);  // a report is a contact too
  CHECK_FALSE(d->previousOutbox);
  r.outbox = 9;
  REQUIRE(postReport(live, token, protocol::toJson(r).dump())->status == 204);
  d = live.store->device("kiosk-1");
  CHECK(d->report->outbox == 9);
  CHECK(d->previousOutbox == 4);
  // An older kiosk's report with nothing but the outbox is fine too.
  REQUIRE(postReport(live, token, R"({"outbox": 0})")->status == 204);
  CHECK_FALSE(live.store->device("kiosk-1")->report->diskFreeBytes);
}

TEST_CASE("a report of the wrong shape, without a token, from a revoked kiosk or too large is refused and nothing is kept") {
  LiveServer live;
  const std::string token = live.enroll("kiosk-1").token;
  const char* bad[] = {
      "not json",
      R"([1, 2])",
      R"({"outbox": -1})",
      R"({"outbox": "12"})",
      R"({"outbox": 1.5})",
      R"({"disk_free_bytes": -5})",
      R"({"screen": "big"})",
      R"({"screen": "1080x1920<script>"})",
      R"({"oldest_unsent": "yesterday"})",
      R"({"app_version": "0.1; DROP TABLE devices"})",
      R"({"app_uptime_seconds": 99999999999999})",
  };
  for (const char* body : bad) {
    INFO(body);
    auto res = postReport(live, token, body);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(protocol::parseApiError(res->body)->code == "bad_request");
  }
  auto long_error = postReport(live, token, protocol::toJson(protocol::KioskReport{"", {}, 0, "", std::string(501, 'x'), {}, {}, ""}).dump());
  CHECK(long_error->status == 400);
  CHECK_FALSE(live.store->device("kiosk-1")->report);
  CHECK(live.client().Post("/api/v1/kiosk-report", R"({"outbox": 1})", kJson)->status == 401);
  auto huge = postReport(live, token, R"({"outbox": 1, "last_error": ")" + std::string(8000, 'x') + "\"}");
  REQUIRE(huge);
  CHECK(huge->status == 413);
  REQUIRE(live.store->revokeDevice("kiosk-1", isoIn(std::chrono::seconds(0))));
  auto revoked = postReport(live, token, R"({"outbox": 1})");
  CHECK(revoked->status == 401);
  CHECK(protocol::parseApiError(revoked->body)->code == "revoked");
  CHECK_FALSE(live.store->device("kiosk-1")->report);
}

TEST_CASE("opening hours: a night or an evening is not silence, a day of it is") {
  const server::FleetPolicy p;  // 08:00-18:00 China time = 00:00-10:00 UTC
  // 17:50 yesterday to 08:30 today, China time: 10 + 30 open minutes.
  CHECK(server::openMinutesBetween(at("2026-12-06T09:50:00Z"), at("2026-12-07T00:30:00Z"), p) == minutes(40));
  // Within one working day.
  CHECK(server::openMinutesBetween(at("2026-12-07T01:00:00Z"), at("2026-12-07T04:00:00Z"), p) == hours(3));
  // Two whole days.
  CHECK(server::openMinutesBetween(at("2026-12-05T00:00:00Z"), at("2026-12-07T00:00:00Z"), p) == hours(20));
  // Closed hours only; a backwards span; a year and more is counted as its last 400 days at most.
  CHECK(server::openMinutesBetween(at("2026-12-07T11:00:00Z"), at("2026-12-07T20:00:00Z"), p) == minutes(0));
  CHECK(server::openMinutesBetween(at("2026-12-07T04:00:00Z"), at("2026-12-07T01:00:00Z"), p) == minutes(0));
  CHECK(server::openMinutesBetween(at("2020-01-01T00:00:00Z"), at("2026-12-07T00:00:00Z"), p) <= hours(400 * 10));
}

TEST_CASE("a kiosk is flagged silent after 2 opening hours, low on disk, or when its backlog does not go down") {
  const server::FleetPolicy p;
  const auto now = at("2026-12-07T05:00:00Z");  // 13:00 in China
  CHECK_FALSE(server::kioskAlerts(enrolledKiosk("2026-12-07T04:00:00.000Z"), p, now).any());
  auto silent = server::kioskAlerts(enrolledKiosk("2026-12-07T02:30:00.000Z"), p, now);
  REQUIRE(silent.silentFor);
  CHECK(*silent.silentFor == minutes(150));
  // Off overnight and back in the morning is not silence.
  CHECK_FALSE(server::kioskAlerts(enrolledKiosk("2026-12-06T09:55:00.000Z"), p, at("2026-12-07T00:30:00Z")).silentFor);
  // A kiosk waiting for its code, or revoked, is not expected to talk.
  server::Device waiting = enrolledKiosk("");
  waiting.enrolledAt.clear();
  CHECK_FALSE(server::kioskAlerts(waiting, p, now).any());
  server::Device revoked = enrolledKiosk("2026-12-01T00:00:00.000Z");
  revoked.revokedAt = "2026-12-01T01:00:00.000Z";
  CHECK_FALSE(server::kioskAlerts(revoked, p, now).any());

  server::Device d = enrolledKiosk("2026-12-07T04:55:00.000Z");
  d.report = protocol::KioskReport{};
  d.report->diskFreeBytes = int64_t{320} << 20;
  CHECK(server::kioskAlerts(d, p, now).diskFreeBytes == (int64_t{320} << 20));
  d.report->diskFreeBytes = int64_t{2} << 30;
  CHECK_FALSE(server::kioskAlerts(d, p, now).any());
  // 12 waiting, 8 before, the oldest from 09:00: stuck for 4 hours.
  d.report->outbox = 12;
  d.previousOutbox = 8;
  d.report->oldestUnsent = "2026-12-07T01:00:00.000Z";
  auto stuck = server::kioskAlerts(d, p, now);
  REQUIRE(stuck.backlogWaiting);
  CHECK(*stuck.backlogWaiting == hours(4));
  d.previousOutbox = 20;  // going down: it is draining
  CHECK_FALSE(server::kioskAlerts(d, p, now).backlogWaiting);
  d.previousOutbox = 12;
  d.report->oldestUnsent = "2026-12-07T04:30:00.000Z";  // half an hour: a normal wait
  CHECK_FALSE(server::kioskAlerts(d, p, now).backlogWaiting);
}
