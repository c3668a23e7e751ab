// The submission outbox and the rest of the store's API: commit, pending order, sent/conflict/rejected, purge rules,
// forms, settings, audit log, health and storage use.
#include <catch2/catch.hpp>

#include <set>

#include "store_test_helpers.h"

#include <thread>

using namespace minyi::store;
using namespace minyi::test;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

namespace {
// A clock the test moves by hand.
struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 54));
  OpenOptions::Clock fn() {
    return [this] { return now; };
  }
};

std::string commit(KioskStore& s, const std::string& payload = R"({"q1": 5})") {
  auto r = s.commitSubmission(sampleSubmission(sampleForm(), payload));
  if (!r) FAIL("commit: " << r.error().message);
  return r.value();
}

// 8-4-4-4-12 lower-case hex, version nibble 4, variant 8-b (RFC 4122). No std::regex: GCC 12 warns inside it
// under the sanitizers.
bool isUuid4(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  }
  return s[14] == '4' && std::string("89ab").find(s[19]) != std::string::npos;
}

SubmissionState stateOf(KioskStore& s, const std::string& id) {
  auto r = s.submission(id);
  REQUIRE(r.ok());
  REQUIRE(r.value().has_value());
  return r.value()->state;
}
}  // namespace

TEST_CASE("a committed submission has a random UUIDv4 id, the form's identity and the bytes as given", "[store][outbox]") {
  TempDir dir;
  FakeClock clock;
  OpenOptions o;
  o.clock = clock.fn();
  auto s = storeWithForm(dir.file("kiosk.db"), o);

  NewSubmission n = sampleSubmission(sampleForm(), std::string("sealed\0bytes\xff", 13));
  n.flags = {"partial", "misuse", "partial"};
  auto r = s->commitSubmission(n);
  REQUIRE(r.ok());
  CHECK(isUuid4(r.value()));

  auto got = s->submission(r.value()).value();
  REQUIRE(got);
  CHECK(got->formId == "civilized-city");
  CHECK(got->formVersion == 3);
  CHECK(got->formHash == "a1b2c3");
  CHECK(got->kind == "survey");
  CHECK(got->payload == std::string("sealed\0bytes\xff", 13));
  CHECK(got->state == SubmissionState::Pending);
  CHECK(got->attempts == 0);
  CHECK(got->createdAt == isoUtc(clock.now));
  CHECK(got->createdAt.size() == 24);  // 2024-05-01T08:00:00.123Z
  CHECK(got->sentAt.empty());
  CHECK(got->flags == std::vector<std::string>{"misuse", "partial"});

  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.insert(newSubmissionId());
  CHECK(ids.size() == 200);
}

TEST_CASE("a submission is refused in words when it names an unsaved form or carries bad fields", "[store][outbox]") {
  TempDir dir;
  auto s = storeWithForm(dir.file("kiosk.db"));
  auto unknown = s->commitSubmission(sampleSubmission(sampleForm("civilized-city", "other-hash")));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == StoreError::Code::Invalid);
  CHECK_THAT(unknown.error().message, Contains("not saved on this kiosk"));

  NewSubmission empty = sampleSubmission(sampleForm(), "");
  CHECK(s->commitSubmission(empty).error().code == StoreError::Code::Invalid);
  NewSubmission badFlag = sampleSubmission(sampleForm());
  badFlag.flags = {"Misuse,partial"};
  CHECK(s->commitSubmission(badFlag).error().code == StoreError::Code::Invalid);
  NewSubmission noForm = sampleSubmission(sampleForm());
  noForm.formId.clear();
  CHECK(s->commitSubmission(noForm).error().code == StoreError::Code::Invalid);
  CHECK(s->counts().value().pending == 0);
  CHECK(s->health().ok());  // refusing bad input says nothing about the storage
}

TEST_CASE("pending lists the oldest first, even when the kiosk's clock jumps back", "[store][outbox]") {
  TempDir dir;
  FakeClock clock;
  OpenOptions o;
  o.clock = clock.fn();
  auto s = storeWithForm(dir.file("kiosk.db"), o);
  const std::string a = commit(*s, "a");
  clock.now -= 24h;  // NTP corrects a wrong real-time clock
  const std::string b = commit(*s, "b");
  clock.now += 1h;
  const std::string c = commit(*s, "c");

  auto p = s->pending(10).value();
  REQUIRE(p.size() == 3);
  // For the devices page, the earliest time among them (the clock that ran ahead does not hide the wait).
  CHECK(s->counts().value().oldestPendingAt == s->submission(b).value()->createdAt);
  CHECK(p[0].id == a);
  CHECK(p[1].id == b);
  CHECK(p[2].id == c);
  auto first2 = s->pending(2).value();
  REQUIRE(first2.size() == 2);
  CHECK(first2[1].id == b);
  CHECK(s->pending(0).value().empty());
}

TEST_CASE("markSent, markConflict, markRejected and failed attempts move only pending submissions", "[store][outbox]") {
  TempDir dir;
  FakeClock clock;
  OpenOptions o;
  o.clock = clock.fn();
  auto s = storeWithForm(dir.file("kiosk.db"), o);
  const std::string a = commit(*s), b = commit(*s), c = commit(*s), d = commit(*s);

  SECTION("failed attempts count up and keep the reason") {
    REQUIRE(s->recordAttemptFailure({a, b}, "network unreachable").ok());
    REQUIRE(s->recordAttemptFailure({a}, "server answered 503").ok());
    auto got = s->submission(a).value();
    CHECK(got->attempts == 2);
    CHECK(got->lastError == "server answered 503");
    CHECK(s->submission(b).value()->attempts == 1);
    CHECK(s->submission(c).value()->attempts == 0);
    CHECK(s->pending(10).value().size() == 4);  // still waiting
  }

  SECTION("sent") {
    clock.now += 5min;
    auto n = s->markSent({a, b, "no-such-id"});
    REQUIRE(n.ok());
    CHECK(n.value() == 2);
    CHECK(stateOf(*s, a) == SubmissionState::Sent);
    CHECK(s->submission(a).value()->sentAt == isoUtc(clock.now));
    CHECK(s->markSent({a}).value() == 0);  // a duplicate acknowledgement changes nothing
    auto p = s->pending(10).value();
    REQUIRE(p.size() == 2);
    CHECK(p[0].id == c);
    // Once sent, a later conflict answer does not undo the acknowledgement.
    REQUIRE(s->markConflict(a, "late").ok());
    CHECK(stateOf(*s, a) == SubmissionState::Sent);
    REQUIRE(s->recordAttemptFailure({a}, "late").ok());
    CHECK(s->submission(a).value()->attempts == 0);
  }

  SECTION("conflict and rejected are kept with the server's reason and leave the queue") {
    REQUIRE(s->markConflict(c, "same id, different content").ok());
    REQUIRE(s->markRejected(d, "form version withdrawn").ok());
    CHECK(stateOf(*s, c) == SubmissionState::Conflict);
    CHECK(s->submission(c).value()->lastError == "same id, different content");
    CHECK(stateOf(*s, d) == SubmissionState::Rejected);
    CHECK(s->submission(d).value()->lastError == "form version withdrawn");
    CHECK(s->markSent({c, d}).value() == 0);
    REQUIRE(s->markRejected(c, "second answer").ok());  // the first answer stands
    CHECK(stateOf(*s, c) == SubmissionState::Conflict);
    auto missing = s->markConflict("no-such-id", "x");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == StoreError::Code::NotFound);
    CHECK(s->pending(10).value().size() == 2);
    auto listed = s->unsettled(10).value();  // for the admin panel, newest first
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].id == d);
    CHECK(listed[1].lastError == "same id, different content");
    CHECK(s->unsettled(1).value().size() == 1);
    // Staff send them again from the admin panel: back in the queue, the old reason kept.
    auto again = s->retryUnsettled();
    REQUIRE(again.ok());
    CHECK(again.value() == 2);
    CHECK(stateOf(*s, c) == SubmissionState::Pending);
    CHECK(stateOf(*s, d) == SubmissionState::Pending);
    CHECK(s->submission(d).value()->lastError == "sent again by staff after: form version withdrawn");
    CHECK(s->pending(10).value().size() == 4);
    CHECK(s->unsettled(10).value().empty());
    CHECK(s->retryUnsettled().value() == 0);
  }

  SECTION("counts") {
    REQUIRE(s->markSent({a}).ok());
    REQUIRE(s->markConflict(b, "x").ok());
    REQUIRE(s->markRejected(c, "y").ok());
    auto n = s->counts().value();
    CHECK(n.pending == 1);
    CHECK(n.sent == 1);
    CHECK(n.conflict == 1);
    CHECK(n.rejected == 1);
    CHECK(n.oldestPendingAt == s->submission(d).value()->createdAt);
    REQUIRE(s->markSent({d}).ok());
    CHECK(s->counts().value().oldestPendingAt.empty());  // none waiting
  }
}

TEST_CASE("purging deletes only acknowledged submissions older than the retention period", "[store][outbox]") {
  TempDir dir;
  FakeClock clock;
  OpenOptions o;
  o.clock = clock.fn();
  auto s = storeWithForm(dir.file("kiosk.db"), o);
  // All made long ago; only how long ago they were acknowledged matters.
  const std::string oldSent = commit(*s), newSent = commit(*s), pending = commit(*s), conflict = commit(*s),
                    rejected = commit(*s);
  REQUIRE(s->recordAttemptFailure({pending}, "offline for months").ok());
  REQUIRE(s->markConflict(conflict, "x").ok());
  REQUIRE(s->markRejected(rejected, "y").ok());
  clock.now += 24h * 100;
  REQUIRE(s->markSent({oldSent}).value() == 1);
  clock.now += 24h * 30;
  REQUIRE(s->markSent({newSent}).value() == 1);
  clock.now += 24h;

  // Retention of 7 days keeps newSent (acknowledged a day ago)...
  auto n = s->purgeSent(clock.now - 24h * 7);
  REQUIRE(n.ok());
  CHECK(n.value() == 1);
  CHECK_FALSE(s->submission(oldSent).value().has_value());
  CHECK(s->submission(newSent).value().has_value());
  // ...and even a cutoff in the future never touches anything unacknowledged.
  CHECK(s->purgeSent(clock.now + 24h * 3650).value() == 1);
  for (const auto& id : {pending, conflict, rejected}) CHECK(s->submission(id).value().has_value());
  auto c = s->counts().value();
  CHECK(c.pending == 1);
  CHECK(c.conflict == 1);
  CHECK(c.rejected == 1);
  CHECK(c.sent == 0);
}

TEST_CASE("forms: saved once per content, one version offered per form id", "[store][forms]") {
  TempDir dir;
  auto s = openStore(dir.file("kiosk.db"));
  StoredForm v3 = sampleForm("civilized-city", "hash-v3");
  StoredForm v4 = sampleForm("civilized-city", "hash-v4");
  v4.version = 4;
  StoredForm quick = sampleForm("quick-rating", "hash-q");
  quick.kind = "quick";
  REQUIRE(s->saveForm(v3).ok());
  REQUIRE(s->saveForm(v3).ok());  // the same content again: no change, no error
  REQUIRE(s->saveForm(v4).ok());
  REQUIRE(s->saveForm(quick).ok());
  CHECK(s->activeForms().value().empty());  // saved is not yet offered

  REQUIRE(s->activateForm("civilized-city", "hash-v3").ok());
  REQUIRE(s->activateForm("quick-rating", "hash-q").ok());
  auto active = s->activeForms().value();
  REQUIRE(active.size() == 2);
  CHECK(active[0].id == "civilized-city");
  CHECK(active[0].hash == "hash-v3");
  CHECK(active[0].json == v3.json);
  CHECK(active[0].active);
  CHECK(active[1].kind == "quick");

  REQUIRE(s->activateForm("civilized-city", "hash-v4").ok());
  active = s->activeForms().value();
  REQUIRE(active.size() == 2);
  CHECK(active[0].hash == "hash-v4");
  CHECK(active[0].version == 4);
  auto old = s->form("civilized-city", "hash-v3").value();
  REQUIRE(old);
  CHECK_FALSE(old->active);  // kept: submissions of v3 still refer to it

  CHECK(s->activateForm("civilized-city", "nope").error().code == StoreError::Code::NotFound);
  REQUIRE(s->deactivateForm("quick-rating").ok());
  CHECK(s->activeForms().value().size() == 1);
  CHECK(s->saveForm(sampleForm("", "h")).error().code == StoreError::Code::Invalid);
}

TEST_CASE("the kiosk's own id is made once and kept: across calls, threads and reopening", "[store][settings]") {
  TempDir dir;
  std::string first;
  {
    auto s = openStore(dir.file("kiosk.db"));
    // Two threads asking at once (the resident's submit and the admin's enrollment) get the same id.
    std::string a, b;
    std::thread t1([&] { a = s->kioskId().value(); });
    std::thread t2([&] { b = s->kioskId().value(); });
    t1.join();
    t2.join();
    CHECK(a == b);
    first = a;
    CHECK(first.size() == 14);
    CHECK(first.rfind("kiosk-", 0) == 0);
    CHECK(*s->setting(kKioskIdSetting).value() == first);
  }
  auto again = openStore(dir.file("kiosk.db"));
  CHECK(again->kioskId().value() == first);
  // Enrolling (the sync settings) leaves it alone.
  REQUIRE(again->setSetting("sync.device_id", "donghu-2").ok());
  CHECK(again->kioskId().value() == first);
  TempDir other;
  CHECK(openStore(other.file("kiosk.db"))->kioskId().value() != first);
}

TEST_CASE("settings and the audit log", "[store][settings][audit]") {
  TempDir dir;
  FakeClock clock;
  OpenOptions o;
  o.clock = clock.fn();
  auto s = openStore(dir.file("kiosk.db"), o);
  CHECK_FALSE(s->setting("device_id").value().has_value());
  REQUIRE(s->setSetting("device_id", "kiosk-7").ok());
  REQUIRE(s->setSetting("device_id", "kiosk-8").ok());
  CHECK(*s->setting("device_id").value() == "kiosk-8");

  REQUIRE(s->audit("admin", "pin_failed", "attempt 1").ok());
  clock.now += 1s;
  REQUIRE(s->audit("admin", "export", "/media/usb: 12 submissions").ok());
  clock.now += 1s;
  REQUIRE(s->audit("admin", "exit").ok());
  auto recent = s->recentAudit(2).value();
  REQUIRE(recent.size() == 2);
  CHECK(recent[0].action == "exit");
  CHECK(recent[0].detail.empty());
  CHECK(recent[0].at == isoUtc(clock.now));
  CHECK(recent[1].action == "export");
  CHECK(recent[1].actor == "admin");
  CHECK(s->recentAudit(10).value().size() == 3);
  CHECK(s->audit("", "x").error().code == StoreError::Code::Invalid);
}

TEST_CASE("a healthy store says so and reports its size and the free space", "[store][health]") {
  TempDir dir;
  auto s = storeWithForm(dir.file("kiosk.db"));
  commit(*s);
  auto h = s->health();
  CHECK(h.ok());
  CHECK(h.reason.empty());
  CHECK(std::string(healthName(h.state)) == "ok");
  auto use = s->storageUse();
  REQUIRE(use.ok());
  CHECK(use.value().databaseBytes + use.value().walBytes > 0);
  CHECK(use.value().freeBytes > 0);
  CHECK(use.value().totalBytes >= use.value().freeBytes);
  CHECK(s->checkIntegrity().ok());
  CHECK(s->checkpoint().ok());
}

TEST_CASE("health says the disk is full when less than the reserve is free", "[store][health]") {
  TempDir dir;
  OpenOptions o;
  o.reserveBytes = uint64_t{1} << 62;  // more than any disk has
  auto s = storeWithForm(dir.file("kiosk.db"), o);
  auto h = s->health();
  CHECK(h.state == Health::State::DiskFull);
  CHECK_THAT(h.reason, Contains("the disk is full") && Contains("MB free"));
  // And a commit is refused before it could take the space kept for the uploader.
  auto r = s->commitSubmission(sampleSubmission(sampleForm()));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == StoreError::Code::DiskFull);
}
