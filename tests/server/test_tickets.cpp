// The complaint loop without HTTP: every transition and forbidden one, deadline arithmetic, ticket storage and ingest.
#include "server_test_helpers.h"

#include "minyi/core/form_loader.h"
#include "minyi/protocol/ticket.h"
#include "minyi/server/ingest.h"
#include "minyi/server/server_config.h"
#include "minyi/server/ticket_desk.h"
#include "minyi/server/tickets.h"

using namespace minyi;
using namespace minyi::test;
using server::Deadline;
using server::DueState;
using server::Rating;
using server::Ticket;
using server::TicketAction;
using server::TicketChange;
using server::TicketState;
using Catch::Matchers::Contains;

namespace {

// The State Council's 2026 calendar as shipped.
server::WorkCalendar calendar2026() {
  server::WorkCalendar c;
  std::string why;
  REQUIRE(server::loadHolidayFile(std::string(MINYI_SOURCE_DIR) + "/deploy/holidays-2026.toml", c, &why));
  return c;
}

server::TicketPolicy policy2026() {
  server::TicketPolicy p;
  p.calendar = calendar2026();
  return p;
}

Ticket ticketIn(TicketState s) {
  Ticket t;
  t.code = "00W0000011";
  t.status = s;
  t.deadline = "3wd";
  t.dueAt = "2026-03-11T16:00:00.000Z";
  t.updatedAt = "2026-03-06T02:00:00.000Z";
  return t;
}

// A change with everything any action needs.
TicketChange full(TicketAction a) {
  TicketChange c;
  c.action = a;
  c.actor = "zhang";
  c.at = "2026-03-09T02:00:00.000Z";
  c.communityId = "donghu";
  c.text = "已清理楼道杂物";
  c.rating = Rating::Satisfied;
  c.via = "web";
  return c;
}

// A change dated `at` straight through the rules and the store (changeTicket never dates a change back).
void changeAt(server::ServerStore& store, const std::string& code, TicketAction action, const std::string& at,
              const server::TicketPolicy& policy) {
  TicketChange c = full(action);
  c.at = at;
  auto t = *store.ticket(code);
  server::TicketLogEntry entry;
  REQUIRE_FALSE(server::applyTicketChange(t, c, policy, entry));
  REQUIRE(store.updateTicket(t, store.ticket(code)->updatedAt, entry));
}

core::Json answers(const std::string& category, const std::string& community = "") {
  core::Json a{{"category", category}, {"description", "楼道里堆满杂物，<b>晚上</b>看不见"}, {"location", "3栋2单元"},
               {"anonymous", false}, {"phone", "13812341234"}, {"consent", true}};
  if (!community.empty()) a["community"] = community;
  return a;
}

}  // namespace

// ---------------------------------------------------------------- transitions

TEST_CASE("tickets: the allowed transitions, and every other is refused as not_allowed", "[tickets]") {
  using S = TicketState;
  using A = TicketAction;
  // state after each allowed (state, action); an absent pair is forbidden.
  const std::map<std::pair<S, A>, S> allowed = {
      {{S::Received, A::Assign}, S::Assigned},     {{S::Assigned, A::Assign}, S::Assigned},
      {{S::InProgress, A::Assign}, S::Assigned},   {{S::Reopened, A::Assign}, S::Assigned},
      {{S::Assigned, A::Start}, S::InProgress},    {{S::Reopened, A::Start}, S::InProgress},
      {{S::Assigned, A::Resolve}, S::Resolved},    {{S::InProgress, A::Resolve}, S::Resolved},
      {{S::Received, A::Reject}, S::Rejected},     {{S::Assigned, A::Reject}, S::Rejected},
      {{S::InProgress, A::Reject}, S::Rejected},   {{S::Resolved, A::Close}, S::Closed},
      {{S::Resolved, A::Reopen}, S::Reopened},     {{S::Closed, A::Reopen}, S::Reopened},
      {{S::Rejected, A::Reopen}, S::Reopened},     {{S::Resolved, A::Rate}, S::Closed},
      {{S::Closed, A::Rate}, S::Closed},
  };
  const server::TicketPolicy policy = policy2026();
  for (S s : server::kAllTicketStates) {
    for (A a : {A::Assign, A::Start, A::Resolve, A::Reject, A::Close, A::Reopen, A::Rate}) {
      INFO(server::ticketStateName(s) << " + " << server::ticketActionName(a));
      Ticket t = ticketIn(s);
      const Ticket before = t;
      server::TicketLogEntry entry;
      auto problem = server::applyTicketChange(t, full(a), policy, entry);
      auto it = allowed.find({s, a});
      CHECK(server::ticketActionAllowed(s, a) == (it != allowed.end()));
      if (it == allowed.end()) {
        REQUIRE(problem);
        CHECK(*problem == "not_allowed");
        CHECK(t.status == before.status);
        CHECK(t.updatedAt == before.updatedAt);
      } else {
        CHECK_FALSE(problem);
        CHECK(t.status == it->second);
        CHECK(t.updatedAt == "2026-03-09T02:00:00.000Z");
        // The history line: who, when, what, and the state after.
        CHECK(entry.actor == "zhang");
        CHECK(entry.at == "2026-03-09T02:00:00.000Z");
        CHECK(entry.action == server::ticketActionName(a));
        CHECK(entry.status == server::ticketStateName(it->second));
      }
    }
  }
}

TEST_CASE("tickets: assigning needs a community, resolving a reply, rejecting and reopening a reason", "[tickets]") {
  const server::TicketPolicy policy;
  server::TicketLogEntry entry;
  auto attempt = [&](TicketState s, TicketChange c) {
    Ticket t = ticketIn(s);
    return server::applyTicketChange(t, c, policy, entry).value_or("");
  };
  TicketChange c = full(TicketAction::Assign);
  c.communityId.clear();
  CHECK(attempt(TicketState::Received, c) == "community_required");
  c = full(TicketAction::Resolve);
  c.text = "  \n";
  CHECK(attempt(TicketState::InProgress, c) == "reply_required");
  c = full(TicketAction::Reject);
  c.text.clear();
  CHECK(attempt(TicketState::Received, c) == "reason_required");
  c = full(TicketAction::Reopen);
  c.text.clear();
  CHECK(attempt(TicketState::Closed, c) == "reason_required");
  c = full(TicketAction::Rate);
  c.rating.reset();
  CHECK(attempt(TicketState::Resolved, c) == "rating_required");

  // Assigning names the community and the handler; resolving keeps the reply and whether the text is public.
  Ticket t = ticketIn(TicketState::Received);
  c = full(TicketAction::Assign);
  c.assignee = "wang";
  REQUIRE_FALSE(server::applyTicketChange(t, c, policy, entry));
  CHECK(t.communityId == "donghu");
  CHECK(t.assignee == "wang");
  CHECK(entry.detail == "donghu / wang");
  c = full(TicketAction::Resolve);
  c.textPublic = true;
  REQUIRE_FALSE(server::applyTicketChange(t, c, policy, entry));
  CHECK(t.publicReply == "已清理楼道杂物");
  CHECK(t.textPublic);
  CHECK(t.resolvedAt == c.at);
}

TEST_CASE("tickets: 满意 closes, 不满意 reopens and flags with a fresh deadline, one rating per resolution", "[tickets]") {
  const server::TicketPolicy policy = policy2026();
  server::TicketLogEntry entry;
  Ticket t = ticketIn(TicketState::Resolved);
  t.resolvedAt = "2026-03-09T01:00:00.000Z";
  TicketChange rate = full(TicketAction::Rate);
  rate.rating = Rating::Unsatisfied;
  rate.via = "kiosk";
  rate.text.clear();
  REQUIRE_FALSE(server::applyTicketChange(t, rate, policy, entry));
  CHECK(t.status == TicketState::Reopened);
  CHECK(t.flagged);
  CHECK(t.reopenCount == 1);
  CHECK(t.rating.empty());
  CHECK(t.resolvedAt.empty());
  // 3 working days from Monday 2026-03-09 (10:00 China time): Tue, Wed, Thu.
  CHECK(t.dueAt == "2026-03-12T16:00:00.000Z");
  CHECK(entry.detail == "unsatisfied via kiosk");
  CHECK(entry.dueAt == t.dueAt);
  // Reopened: no rating until it is resolved again.
  CHECK(server::applyTicketChange(t, full(TicketAction::Rate), policy, entry).value_or("") == "not_allowed");
  REQUIRE_FALSE(server::applyTicketChange(t, full(TicketAction::Start), policy, entry));
  REQUIRE_FALSE(server::applyTicketChange(t, full(TicketAction::Resolve), policy, entry));
  rate.rating = Rating::Basic;
  rate.via = "phone";
  REQUIRE_FALSE(server::applyTicketChange(t, rate, policy, entry));
  CHECK(t.status == TicketState::Closed);
  CHECK(t.rating == "basic");
  CHECK(t.ratingVia == "phone");
  CHECK(t.flagged);  // the flag stays: staff see the history of the case
  CHECK(server::applyTicketChange(t, rate, policy, entry).value_or("") == "already_rated");
  // Closed by staff without a rating, a late rating is still taken.
  Ticket closed = ticketIn(TicketState::Closed);
  REQUIRE_FALSE(server::applyTicketChange(closed, full(TicketAction::Rate), policy, entry));
  CHECK(closed.rating == "satisfied");
}

// ---------------------------------------------------------------- deadlines

TEST_CASE("deadlines: hours around the clock, days and working days to 24:00 China time", "[tickets][deadlines]") {
  const server::WorkCalendar weekends;  // no holidays: weekends only
  using U = Deadline::Unit;
  // Hours do not care about weekends or holidays: a fire hazard on a Saturday is due Sunday.
  CHECK(server::dueAt("2026-03-07T02:00:00.000Z", {U::Hours, 24}, weekends) == "2026-03-08T02:00:00.000Z");
  CHECK(server::dueAt("2026-10-01T02:00:00.000Z", {U::Hours, 24}, calendar2026()) == "2026-10-02T02:00:00.000Z");
  // Calendar days: the 7th day after the filing day, to its end.
  CHECK(server::dueAt("2026-03-06T02:00:00.000Z", {U::Days, 7}, weekends) == "2026-03-13T16:00:00.000Z");
  // Working days skip the weekend: filed Friday → Mon, Tue, Wed.
  CHECK(server::dueAt("2026-03-06T02:00:00.000Z", {U::WorkingDays, 3}, weekends) == "2026-03-11T16:00:00.000Z");
  // The filing day is China's: 17:00 UTC Friday is 01:00 Saturday in China, so 1 working day is Monday.
  CHECK(server::dueAt("2026-03-06T17:00:00.000Z", {U::WorkingDays, 1}, weekends) == "2026-03-09T16:00:00.000Z");
  CHECK(server::dueAt("2026-03-06T15:59:59.999Z", {U::WorkingDays, 1}, weekends) == "2026-03-09T16:00:00.000Z");
  CHECK(server::dueAt("not a time", {U::Days, 7}, weekends).empty());
}

TEST_CASE("deadlines: the 2026 holidays are skipped and the make-up workdays counted", "[tickets][deadlines]") {
  const server::WorkCalendar c = calendar2026();
  using U = Deadline::Unit;
  CHECK_FALSE(c.isWorkingDay("2026-01-01"));
  CHECK(c.isWorkingDay("2026-01-04"));  // a Sunday worked for 元旦
  CHECK(c.isWorkingDay("2026-02-14"));  // a Saturday worked for 春节
  CHECK_FALSE(c.isWorkingDay("2026-02-23"));  // a Monday off
  CHECK(c.isWorkingDay("2026-05-09"));
  CHECK(c.isWorkingDay("2026-09-20"));
  CHECK(c.isWorkingDay("2026-10-10"));
  CHECK(c.isWorkingDay("2026-10-08"));
  // Filed Friday 2026-02-13: Saturday the 14th is worked, then 春节 until Monday the 23rd: 14, 24, 25.
  CHECK(server::dueAt("2026-02-13T02:00:00.000Z", {U::WorkingDays, 3}, c) == "2026-02-25T16:00:00.000Z");
  // 1 working day from that Friday is the make-up Saturday.
  CHECK(server::dueAt("2026-02-13T02:00:00.000Z", {U::WorkingDays, 1}, c) == "2026-02-14T16:00:00.000Z");
  // Before 国庆: Oct 1-7 off, Thu 8, Fri 9 and the make-up Saturday 10th.
  CHECK(server::dueAt("2026-09-30T02:00:00.000Z", {U::WorkingDays, 3}, c) == "2026-10-10T16:00:00.000Z");
  // Without the holiday file the same ticket would be due on Monday Oct 5.
  CHECK(server::dueAt("2026-09-30T02:00:00.000Z", {U::WorkingDays, 3}, server::WorkCalendar()) ==
        "2026-10-05T16:00:00.000Z");
  // 元旦: filed Wednesday Dec 31 2025 → Sunday Jan 4 (make-up), Mon 5, Tue 6.
  CHECK(server::dueAt("2025-12-31T02:00:00.000Z", {U::WorkingDays, 3}, c) == "2026-01-06T16:00:00.000Z");
  // 劳动节: filed Thursday Apr 30 → May 1-5 off; 6, 7, 8, the make-up Saturday 9th, 11-15, 18-21: 13 working days.
  CHECK(server::dueAt("2026-04-30T02:00:00.000Z", {U::WorkingDays, 13}, c) == "2026-05-21T16:00:00.000Z");
  // 清明 (Sat-Mon): filed Friday Apr 3 → Tue 7.
  CHECK(server::dueAt("2026-04-03T02:00:00.000Z", {U::WorkingDays, 1}, c) == "2026-04-07T16:00:00.000Z");
}

TEST_CASE("deadlines: parse and print, weekdays, due-soon and overdue flags", "[tickets][deadlines]") {
  CHECK(Deadline::parse("24h") == Deadline{Deadline::Unit::Hours, 24});
  CHECK(Deadline::parse("13wd") == Deadline{Deadline::Unit::WorkingDays, 13});
  CHECK(Deadline::parse("7d")->text() == "7d");
  for (const char* bad : {"", "0d", "d", "7", "7 d", "1000d", "-1h", "3w", "3wdx"}) CHECK_FALSE(Deadline::parse(bad));
  CHECK(server::weekdayOf("2026-01-01") == 4);  // Thursday
  CHECK(server::weekdayOf("2026-03-08") == 7);  // Sunday
  CHECK(server::weekdayOf("2026-02-30") == 0);
  server::TicketPolicy p;
  Ticket t = ticketIn(TicketState::InProgress);
  t.dueAt = "2026-03-11T16:00:00.000Z";
  CHECK(server::dueState(t, "2026-03-10T15:00:00.000Z", p) == DueState::None);
  CHECK(server::dueState(t, "2026-03-10T16:00:00.000Z", p) == DueState::DueSoon);
  CHECK(server::dueState(t, "2026-03-11T16:00:00.001Z", p) == DueState::Overdue);
  t.status = TicketState::Resolved;  // the clock stops at resolution
  CHECK(server::dueState(t, "2026-03-12T00:00:00.000Z", p) == DueState::None);
}

TEST_CASE("deadlines: the complaint form's own deadline wins over the server's, then the server's default", "[tickets]") {
  auto form = shippedForm("complaint");
  auto loaded = core::loadFormText(form.json, "complaint");
  REQUIRE(loaded.ok());
  server::TicketPolicy p;
  p.deadlines["hygiene"] = {Deadline::Unit::Days, 2};
  p.deadlines["noise"] = {Deadline::Unit::Hours, 48};
  p.fallback = {Deadline::Unit::WorkingDays, 5};
  CHECK(p.deadlineFor("hygiene", loaded.form.get()).text() == "3wd");  // the form says 3 working days
  CHECK(p.deadlineFor("fire_safety", loaded.form.get()).text() == "24h");
  CHECK(p.deadlineFor("noise", loaded.form.get()).text() == "48h");     // not in the form: the server's
  CHECK(p.deadlineFor("unheard_of", loaded.form.get()).text() == "5wd");
  CHECK(p.deadlineFor("hygiene", nullptr).text() == "2d");
}

// ---------------------------------------------------------------- storage and ingest

TEST_CASE("kiosk numbers: each device gets the next, never given twice, existing devices numbered on upgrade",
          "[contract][tickets]") {
  for (const auto& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      addDeviceWithCode(*store, "kiosk-a", "donghu-dqfwzx");
      addDeviceWithCode(*store, "kiosk-b", "donglian-dqfwzx");
      REQUIRE(store->revokeDevice("kiosk-b", isoIn(std::chrono::seconds(0))));
      addDeviceWithCode(*store, "kiosk-c", "donghu-dqfwzx");
      CHECK(store->device("kiosk-a")->kioskNumber == 1);
      CHECK(store->device("kiosk-b")->kioskNumber == 2);
      CHECK(store->device("kiosk-c")->kioskNumber == 3);  // a revoked kiosk's number stays its own
    }
  }
}

// Regression: a server that ran schema 2 (before tickets) had devices with no kiosk number; the upgrade numbers
// them in the order they were added, revoked and waiting ones too, and the next device gets the next number.
TEST_CASE("upgrade: a schema-2 database with devices gets kiosk numbers and tickets, nothing else changes",
          "[tickets][upgrade]") {
  TempDir dir;
  const std::string db = dir.file("server.db");
  loadSqlFile(std::string(MINYI_SOURCE_DIR) + "/tests/data/server-schema-2.sql", db);
  CHECK(rawQuery(db, "PRAGMA user_version") == "2");
  auto store = server::openSqliteStore(db);
  CHECK(rawQuery(db, "PRAGMA user_version") != "2");
  CHECK(rawQuery(db, "PRAGMA integrity_check") == "ok");
  CHECK(store->device("kiosk-donghu")->kioskNumber == 1);
  CHECK(store->device("kiosk-old")->kioskNumber == 2);
  CHECK(store->device("kiosk-waiting")->kioskNumber == 3);
  CHECK(store->device("kiosk-donghu")->name == "东湖 一号机");
  CHECK(store->device("kiosk-old")->revoked());
  CHECK(store->device("kiosk-donghu")->lastContact == "2026-11-20T03:00:00.000Z");
  addDeviceWithCode(*store, "kiosk-new", "donghu-dqfwzx");
  CHECK(store->device("kiosk-new")->kioskNumber == 4);
  // The upgraded database takes tickets.
  const auto keys = protocol::generateKeyPair();
  auto form = shippedForm("complaint");
  REQUIRE(store->addForm(form) == server::FormAdded::New);
  Complaint c = complaint(form, keys.publicKey, 1, 1, answers("hygiene"));
  auto reply = server::ingestBatch(*store, keys, {c.envelope}, {"kiosk-donghu", "donghu-dqfwzx", "network", {}});
  CHECK(reply.results[0].outcome == protocol::Outcome::Stored);
  CHECK(store->ticket(c.code));
  store.reset();
  CHECK(rawQuery(db, "PRAGMA integrity_check") == "ok");
}

TEST_CASE("a kiosk number is in the enrollment reply", "[tickets]") {
  LiveServer live;
  live.enroll("kiosk-x");
  const auto reply = live.enroll("kiosk-y");
  CHECK(reply.kioskNumber == 2);
}

TEST_CASE("ingest makes a ticket: key kept only as a hash, community from the answer or the site, deadline",
          "[contract][tickets]") {
  for (const auto& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto keys = protocol::generateKeyPair();
      auto form = shippedForm("complaint");
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      Complaint chosen = complaint(form, keys.publicKey, 5, 1, answers("hygiene", "donglian"));
      Complaint bySite = complaint(form, keys.publicKey, 5, 2, answers("made_up"));
      Complaint township = complaint(form, keys.publicKey, 5, 3, answers("fire_safety"));
      auto reply = server::ingestBatch(*store, keys, {chosen.envelope, bySite.envelope}, {"kiosk-5", "donghu-dqfwzx", "network", {}});
      for (const auto& r : reply.results) CHECK(r.outcome == protocol::Outcome::Stored);
      reply = server::ingestBatch(*store, keys, {township.envelope}, {"kiosk-5", "jiedao-office", "network", {}});
      CHECK(reply.results[0].outcome == protocol::Outcome::Stored);

      auto t = store->ticket(chosen.code);
      REQUIRE(t);
      CHECK(t->keyHash == protocol::sha256Hex(chosen.key));
      CHECK(t->submissionId == chosen.envelope.id);
      CHECK(t->deviceId == "kiosk-5");
      CHECK(t->communityId == "donglian");  // the resident's answer wins over the site's community
      CHECK(t->category == "hygiene");
      CHECK(t->status == TicketState::Received);
      CHECK(t->deadline == "3wd");
      CHECK(t->dueAt == server::dueAt(chosen.envelope.createdAt, {Deadline::Unit::WorkingDays, 3}, server::WorkCalendar()));
      CHECK(store->ticket(bySite.code)->communityId == "donghu");
      CHECK(store->ticket(bySite.code)->deadline == "7d");     // unknown category: the default
      CHECK(store->ticket(township.code)->communityId.empty());  // the street office: staff assign one
      CHECK(store->ticket(township.code)->deadline == "24h");
      const auto log = store->ticketLog(chosen.code);
      REQUIRE(log.size() == 1);
      CHECK(log[0].action == "receive");
      CHECK(log[0].actor == "kiosk:kiosk-5");
      CHECK(log[0].status == "received");
      // The access key is nowhere in what the store gives back, only its hash (the SQLite file itself: below).
      CHECK(store->ticket(chosen.code)->keyHash != chosen.key);
      for (const auto& e : store->ticketLog(chosen.code)) CHECK(e.detail.find(chosen.key) == std::string::npos);
      CHECK(store->submission(chosen.envelope.id)->answersJson.find(chosen.key) == std::string::npos);
    }
  }
}

TEST_CASE("SQLite: a ticket's access key is in server.db only as its hash", "[tickets][sqlite]") {
  TempDir dir;
  auto store = server::openSqliteStore(dir.file("server.db"));
  server::addPlaces(*store, server::demoTownship());
  const auto keys = protocol::generateKeyPair();
  auto form = shippedForm("complaint");
  REQUIRE(store->addForm(form) == server::FormAdded::New);
  Complaint chosen = complaint(form, keys.publicKey, 5, 1, answers("hygiene", "donglian"));
  const auto reply = server::ingestBatch(*store, keys, {chosen.envelope}, {"kiosk-5", "donghu-dqfwzx", "network", {}});
  REQUIRE(reply.results[0].outcome == protocol::Outcome::Stored);
  store.reset();
  CHECK(rawQuery(dir.file("server.db"), "SELECT count(*) FROM tickets") == "1");
  CHECK(rawQuery(dir.file("server.db"), "SELECT count(*) FROM tickets WHERE key_hash = '" + chosen.key + "'") == "0");
  CHECK(rawQuery(dir.file("server.db"), "SELECT count(*) FROM tickets WHERE key_hash = '" + protocol::sha256Hex(chosen.key) + "'") == "1");
}

TEST_CASE("regression: a kiosk clock at 1970 or years ahead files by the server's time, a sane one by its own",
          "[tickets]") {
  const std::string now = "2026-12-02T08:00:00.000Z";
  CHECK(server::filedAt("2026-12-02T07:00:00.000Z", now) == "2026-12-02T07:00:00.000Z");  // an hour old: as sent
  CHECK(server::filedAt("2026-12-02T08:04:00.000Z", now) == "2026-12-02T08:04:00.000Z");  // 4 min ahead: tolerated
  CHECK(server::filedAt("2026-03-01T08:00:00.000Z", now) == "2026-03-01T08:00:00.000Z");  // a USB stick from March
  CHECK(server::filedAt("1970-01-01T00:00:07.000Z", now) == now);   // a dead RTC battery
  CHECK(server::filedAt("2029-11-26T08:00:00.000Z", now) == now);   // three years ahead
  CHECK(server::filedAt("2026-12-02T08:06:00.000Z", now) == now);   // more than 5 minutes ahead
  CHECK(server::filedAt("not a time", now) == now);

  TempDir dir;
  auto store = openTownship(dir.file("data"));
  const auto keys = protocol::generateKeyPair();
  auto form = shippedForm("complaint");
  REQUIRE(store->addForm(form) == server::FormAdded::New);
  for (const char* kioskTime : {"1970-01-01T00:00:07.000Z", "2029-11-26T08:00:00.000Z"}) {
    INFO(kioskTime);
    Complaint c = complaint(form, keys.publicKey, 5, kioskTime[0] == '1' ? 1 : 2, answers("hygiene"));
    c.envelope.createdAt = kioskTime;
    const auto before = std::chrono::system_clock::now();
    REQUIRE(server::ingestBatch(*store, keys, {c.envelope}, {"kiosk-5", "donghu-dqfwzx", "network", {}}).results[0].outcome ==
            protocol::Outcome::Stored);
    auto t = store->ticket(c.code);
    REQUIRE(t);
    // Filed now, due days ahead: not overdue on arrival, not due in 2029.
    CHECK(*server::parseIsoUtc(t->createdAt) >= before - std::chrono::seconds(1));
    CHECK(*server::parseIsoUtc(t->dueAt) > std::chrono::system_clock::now());
    CHECK(*server::parseIsoUtc(t->dueAt) < std::chrono::system_clock::now() + std::chrono::hours(24 * 30));
    CHECK(store->submission(c.envelope.id)->envelope.createdAt == kioskTime);  // what the kiosk said is kept
  }
}

TEST_CASE("ingest: the ticket is part of the content, a code held by another submission is a conflict",
          "[contract][tickets]") {
  for (const auto& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto keys = protocol::generateKeyPair();
      auto form = shippedForm("complaint");
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      const server::Origin origin{"kiosk-5", "donghu-dqfwzx", "network", {}};
      Complaint c = complaint(form, keys.publicKey, 5, 1, answers("hygiene"));
      CHECK(server::ingestBatch(*store, keys, {c.envelope}, origin).results[0].outcome == protocol::Outcome::Stored);
      // The same envelope again: a duplicate.
      CHECK(server::ingestBatch(*store, keys, {c.envelope}, origin).results[0].outcome == protocol::Outcome::Duplicate);
      // The same id with another ticket key: different content.
      protocol::Envelope otherKey = c.envelope;
      otherKey.ticketKeySealed = protocol::seal(keys.publicKey, protocol::newTicketAccessKey());
      CHECK(server::ingestBatch(*store, keys, {otherKey}, origin).results[0].outcome == protocol::Outcome::Conflict);
      // Another submission with the same code: a conflict that names the code; nothing of it is stored.
      Complaint again = complaint(form, keys.publicKey, 5, 1, answers("building"));
      const auto r = server::ingestBatch(*store, keys, {again.envelope}, origin).results[0];
      CHECK(r.outcome == protocol::Outcome::Conflict);
      CHECK_THAT(r.reason, Contains(c.code));
      CHECK_FALSE(store->submission(again.envelope.id));
      CHECK(store->ticket(c.code)->category == "hygiene");
      // Two submissions with one code in one batch: the first is stored, the second a conflict.
      Complaint x = complaint(form, keys.publicKey, 5, 7, answers("hygiene")), y = complaint(form, keys.publicKey, 5, 7, answers("other"));
      const auto both = server::ingestBatch(*store, keys, {x.envelope, y.envelope}, origin).results;
      CHECK(both[0].outcome == protocol::Outcome::Stored);
      CHECK(both[1].outcome == protocol::Outcome::Conflict);
      // A key that does not open, or is too short to be unguessable: rejected.
      Complaint sealedElsewhere = complaint(form, protocol::generateKeyPair().publicKey, 5, 9, answers("hygiene"));
      sealedElsewhere.envelope.sealed = sealBound(sealedElsewhere.envelope, keys.publicKey, answers("hygiene").dump());
      CHECK(server::ingestBatch(*store, keys, {sealedElsewhere.envelope}, origin).results[0].outcome ==
            protocol::Outcome::Rejected);
      Complaint shortKey = complaint(form, keys.publicKey, 5, 10, answers("hygiene"));
      shortKey.envelope.ticketKeySealed = protocol::seal(keys.publicKey, "ABC123");
      CHECK(server::ingestBatch(*store, keys, {shortKey.envelope}, origin).results[0].outcome == protocol::Outcome::Rejected);
      // Submissions without a ticket keep the digest they always had (stored before tickets existed).
      protocol::Envelope plain = envelopeFor(shippedForm("quick"), keys.publicKey);
      protocol::Envelope withEmpty = plain;
      CHECK(server::submissionDigest(plain) == server::submissionDigest(withEmpty));
    }
  }
}

TEST_CASE("tickets in the store: filters, a change over a change it did not see is refused, handlers' communities",
          "[contract][tickets]") {
  for (const auto& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto keys = protocol::generateKeyPair();
      auto form = shippedForm("complaint");
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      Complaint a = complaint(form, keys.publicKey, 1, 1, answers("hygiene", "donghu"));
      Complaint b2 = complaint(form, keys.publicKey, 2, 1, answers("fire_safety", "huayuan"));
      server::ingestBatch(*store, keys, {a.envelope}, {"kiosk-1", "donghu-dqfwzx", "network", {}});
      server::ingestBatch(*store, keys, {b2.envelope}, {"kiosk-2", "huayuan-dqfwzx", "network", {}});
      server::TicketQuery q;
      q.communityId = "huayuan";
      REQUIRE(store->tickets(q).size() == 1);
      CHECK(store->tickets(q)[0].code == b2.code);
      q = {};
      q.deviceId = "kiosk-1";
      CHECK(store->tickets(q).size() == 1);
      q = {};
      q.statuses = {"received"};
      CHECK(store->tickets(q).size() == 2);
      q.statuses = {"resolved", "closed"};
      CHECK(store->tickets(q).empty());
      q = {};
      q.dueBefore = "2999-01-01T00:00:00.000Z";
      CHECK(store->tickets(q).size() == 2);  // both overdue by then

      const server::TicketPolicy policy;
      TicketChange c = full(TicketAction::Assign);
      c.at = isoIn(std::chrono::seconds(0));
      REQUIRE_FALSE(server::changeTicket(*store, a.code, c, policy));
      auto t = *store->ticket(a.code);
      CHECK(t.status == TicketState::Assigned);
      // A write based on an old read is refused: someone else changed the ticket in between.
      Ticket stale = t;
      stale.status = TicketState::Rejected;
      CHECK_FALSE(store->updateTicket(stale, "2000-01-01T00:00:00.000Z", {}));
      CHECK(store->ticket(a.code)->status == TicketState::Assigned);
      CHECK(server::changeTicket(*store, "0000000000", c, policy).value_or("") == "unknown");
      CHECK(store->ticketLog(a.code).size() == 2);
      q = {};
      q.changedSince = t.updatedAt;
      CHECK(store->tickets(q).size() == 1);

      REQUIRE(store->addUser({"li", server::Role::Handler, "李", "x", isoIn(std::chrono::seconds(0)), "", "donghu"}));
      CHECK(store->user("li")->communityId == "donghu");
      CHECK(store->setUserCommunity("li", "huayuan"));
      CHECK(store->user("li")->communityId == "huayuan");
      CHECK_FALSE(store->setUserCommunity("li", "atlantis"));
      CHECK_FALSE(store->addUser({"ma", server::Role::Handler, "", "x", isoIn(std::chrono::seconds(0)), "", "atlantis"}));
    }
  }
}

TEST_CASE("the residents' view of a ticket: state, deadline, reply once resolved, one timeline line per state",
          "[tickets]") {
  Ticket t = ticketIn(TicketState::InProgress);
  t.publicReply = "旧的答复";
  std::vector<server::TicketLogEntry> log = {{1, t.code, "2026-03-06T02:00:00.000Z", "kiosk:k", "receive", "received", "", "", ""},
                                             {2, t.code, "2026-03-06T03:00:00.000Z", "admin", "assign", "assigned", "donghu", "", ""},
                                             {3, t.code, "2026-03-06T04:00:00.000Z", "admin", "assign", "assigned", "donghu / wang", "", ""},
                                             {4, t.code, "2026-03-07T04:00:00.000Z", "wang", "start", "in_progress", "", "", ""}};
  auto s = server::publicStatus(t, log);
  CHECK(s.status == "in_progress");
  CHECK(s.expectedBy == t.dueAt);
  CHECK(s.publicReply.empty());  // not while it is being handled
  REQUIRE(s.timeline.size() == 3);
  CHECK(s.timeline[1].at == "2026-03-06T03:00:00.000Z");
  t.status = TicketState::Resolved;
  s = server::publicStatus(t, log);
  CHECK(s.publicReply == "旧的答复");
  CHECK(s.expectedBy.empty());
}

TEST_CASE("a resolved ticket nobody rated is closed by the system after the policy's days, rated or young ones stay",
          "[contract][tickets]") {
  for (const auto& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto keys = protocol::generateKeyPair();
      auto form = shippedForm("complaint");
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      std::vector<Complaint> filed;
      for (uint32_t i = 1; i <= 4; ++i) filed.push_back(complaint(form, keys.publicKey, 7, i, answers("hygiene", "donghu")));
      std::vector<protocol::Envelope> batch;
      for (const auto& c : filed) batch.push_back(c.envelope);
      for (const auto& r : server::ingestBatch(*store, keys, batch, {"kiosk-7", "donghu-dqfwzx", "network", {}}).results)
        REQUIRE(r.outcome == protocol::Outcome::Stored);
      server::TicketPolicy policy;  // 7 days
      const auto now = std::chrono::system_clock::now();
      auto resolveAt = [&](const Complaint& c, std::chrono::hours ago) {
        changeAt(*store, c.code, TicketAction::Assign, protocol::isoUtc(now - ago - std::chrono::hours(2)), policy);
        changeAt(*store, c.code, TicketAction::Start, protocol::isoUtc(now - ago - std::chrono::hours(1)), policy);
        changeAt(*store, c.code, TicketAction::Resolve, protocol::isoUtc(now - ago), policy);
      };
      resolveAt(filed[0], std::chrono::hours(24 * 8));  // 8 days ago, never rated: closed
      resolveAt(filed[1], std::chrono::hours(24 * 6));  // 6 days ago: still waiting for the resident
      resolveAt(filed[2], std::chrono::hours(24 * 9));  // rated 满意: closed by the resident already
      TicketChange rate = full(TicketAction::Rate);
      rate.actor = "resident";
      REQUIRE_FALSE(server::changeTicket(*store, filed[2].code, rate, policy));
      // filed[3] is still received: handling runs, nothing closes it.

      CHECK(server::closeUnratedTickets(*store, policy, now) == 1);
      CHECK(store->ticket(filed[0].code)->status == TicketState::Closed);
      CHECK(store->ticket(filed[0].code)->rating.empty());
      const auto log = store->ticketLog(filed[0].code);
      CHECK(log.back().action == "close");
      CHECK(log.back().actor == "system");
      CHECK(store->ticket(filed[1].code)->status == TicketState::Resolved);
      CHECK(store->ticket(filed[2].code)->rating == "satisfied");
      CHECK(store->ticket(filed[3].code)->status == TicketState::Received);
      CHECK(server::closeUnratedTickets(*store, policy, now) == 0);  // once only

      // The resident may still rate it; 不满意 reopens it as before.
      TicketChange late = full(TicketAction::Rate);
      late.rating = Rating::Unsatisfied;
      REQUIRE_FALSE(server::changeTicket(*store, filed[0].code, late, policy));
      CHECK(store->ticket(filed[0].code)->status == TicketState::Reopened);

      // 0 days: never.
      policy.closeUnratedAfter = std::chrono::hours(0);
      CHECK(server::closeUnratedTickets(*store, policy, now + std::chrono::hours(24 * 365)) == 0);
    }
  }
}

TEST_CASE("minyi-server closes resolved tickets nobody rated while it runs, not only at start", "[tickets]") {
  server::ApiOptions options;
  options.housekeepingEvery = std::chrono::milliseconds(50);
  LiveServer live(options);
  auto form = shippedForm("complaint");
  REQUIRE(live.store->addForm(form) == server::FormAdded::New);
  // Filed and resolved after the server started: the first round at start found nothing to close.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Complaint c = complaint(form, live.keys.publicKey, 9, 1, answers("hygiene", "donghu"));
  REQUIRE(server::ingestBatch(*live.store, live.keys, {c.envelope}, {"kiosk-9", "donghu-dqfwzx", "network", {}}).results[0].outcome ==
          protocol::Outcome::Stored);
  const server::TicketPolicy policy;
  const auto resolvedAt = std::chrono::system_clock::now() - std::chrono::hours(24 * 8);
  for (TicketAction a : {TicketAction::Assign, TicketAction::Start, TicketAction::Resolve})
    changeAt(*live.store, c.code, a, protocol::isoUtc(resolvedAt), policy);
  for (int i = 0; i < 200 && live.store->ticket(c.code)->status != TicketState::Closed; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  CHECK(live.store->ticket(c.code)->status == TicketState::Closed);
  CHECK(live.store->ticketLog(c.code).back().actor == "system");
}
