// Ingest's checks on each submission (form, kind, seal, answers), the digest that tells duplicates from conflicts, USB imports.
#include "server_test_helpers.h"

#include <fstream>

#include "minyi/protocol/usb_export.h"
#include "minyi/server/ingest.h"
#include "minyi/server/usb_import.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using protocol::Outcome;

namespace {

struct Fixture {
  TempDir dir;
  std::unique_ptr<server::ServerStore> store = openTownship(dir.file("data"));
  protocol::KeyPair keys = protocol::generateKeyPair();
  server::StoredForm form = shippedForm("civilized-city");
  server::Origin origin{"", "donglian-dqfwzx", "usb", {}};
  Fixture() { REQUIRE(store->addForm(form) == server::FormAdded::New); }

  protocol::ItemResult one(const protocol::Envelope& e) {
    auto reply = server::ingestBatch(*store, keys, {e}, origin);
    REQUIRE(reply.results.size() == 1);
    CHECK(reply.results[0].id == e.id);
    return reply.results[0];
  }
};

}  // namespace

TEST_CASE("a submission for a form the server knows, sealed to its key, is stored with its answers") {
  Fixture f;
  const auto e = envelopeFor(f.form, f.keys.publicKey, R"({"community":"donglian","volunteer":"yes"})");
  auto r = f.one(e);
  CHECK(r.outcome == Outcome::Stored);
  CHECK(r.reason.empty());
  auto kept = f.store->submission(e.id);
  REQUIRE(kept);
  CHECK(kept->answersJson == R"({"community":"donglian","volunteer":"yes"})");
  CHECK(kept->siteId == "donglian-dqfwzx");
  CHECK(kept->deviceId.empty());
  CHECK(kept->via == "usb");
  CHECK(kept->digest == server::submissionDigest(e));
  CHECK(f.one(e).outcome == Outcome::Duplicate);
  // Same id, answers sealed again: other sealed bytes, so another submission.
  auto resealed = e;
  resealed.sealed = sealBound(e, f.keys.publicKey, R"({"community":"donglian","volunteer":"yes"})");
  auto conflict = f.one(resealed);
  CHECK(conflict.outcome == Outcome::Conflict);
  CHECK_THAT(conflict.reason, Contains("different submission"));
}

TEST_CASE("a submission is rejected with a sentence when its form, kind, seal or answers are not acceptable") {
  Fixture f;
  SECTION("a form the server does not have") {
    auto r = f.one(envelopeFor(smallForm("never-uploaded", 1), f.keys.publicKey));
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("form never-uploaded version 1 is not on this server"));
  }
  SECTION("a known form id and version with other content") {
    auto e = envelopeFor(f.form, f.keys.publicKey);
    e.formHash = protocol::sha256Hex("another text");
    auto r = f.one(e);
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("other content"));
  }
  SECTION("a survey sent as a complaint") {
    auto e = envelopeFor(f.form, f.keys.publicKey);
    e.kind = "complaint";
    auto r = f.one(e);
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("is a survey form, not a complaint form"));
  }
  SECTION("answers sealed to another server's key") {
    auto r = f.one(envelopeFor(f.form, protocol::generateKeyPair().publicKey));
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("do not open with this server's key"));
  }
  SECTION("sealed bytes damaged on the way") {
    auto e = envelopeFor(f.form, f.keys.publicKey);
    e.sealed[e.sealed.size() - 1] ^= 0x20;
    CHECK(f.one(e).outcome == Outcome::Rejected);
  }
  SECTION("answers that are a JSON list, not an object") {
    auto r = f.one(envelopeFor(f.form, f.keys.publicKey, R"(["满意"])"));
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("not a JSON object"));
  }
  SECTION("answers that are not JSON or not UTF-8") {
    auto r = f.one(envelopeFor(f.form, f.keys.publicKey, "{\"comment\": \"\xff\xfe\"}"));
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("not JSON"));
    CHECK(f.one(envelopeFor(f.form, f.keys.publicKey, "{\"a\":")).outcome == Outcome::Rejected);
  }
  SECTION("answers over 1 MB") {
    const std::string big = R"({"comment":")" + std::string(1024 * 1024, 'x') + R"("})";
    auto r = f.one(envelopeFor(f.form, f.keys.publicKey, big));
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("more than 1 MB"));
  }
  CHECK(f.store->submissionCount() == 0);
}

TEST_CASE("regression: sealed answers replayed under another id, form or kiosk are rejected") {
  Fixture f;
  const auto other = smallForm("opinion", 1);
  REQUIRE(f.store->addForm(other) == server::FormAdded::New);
  const auto genuine = envelopeFor(f.form, f.keys.publicKey, R"({"community":"donglian"})");
  SECTION("the same sealed answers under a new id") {
    auto replay = genuine;
    replay.id = uuid();
    auto r = f.one(replay);
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("belong to submission " + genuine.id));
  }
  SECTION("the same sealed answers in an envelope of another form") {
    auto replay = envelopeFor(other, f.keys.publicKey);
    replay.sealed = genuine.sealed;
    replay.id = genuine.id;
    auto r = f.one(replay);
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("belong to form civilized-city version 1, not opinion version 1"));
  }
  SECTION("answers sealed on one enrolled kiosk, sent as another's or in an export of an unknown kiosk") {
    auto e = genuine;
    e.sealed = sealBound(e, f.keys.publicKey, R"({"community":"donglian"})", "kiosk-a");
    f.origin = {"kiosk-b", "donglian-dqfwzx", "network", {}};
    auto r = f.one(e);
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("sealed on kiosk kiosk-a, not on kiosk-b"));
    f.origin = {"", "donglian-dqfwzx", "usb", {}};
    CHECK_THAT(f.one(e).reason, Contains("not on a kiosk this server does not know"));
    f.origin = {"kiosk-a", "donglian-dqfwzx", "network", {}};
    CHECK(f.one(e).outcome == Outcome::Stored);
  }
  SECTION("answers sealed without a binding (the format before it)") {
    auto e = genuine;
    e.sealed = protocol::seal(f.keys.publicKey, R"({"community":"donglian"})");
    auto r = f.one(e);
    CHECK(r.outcome == Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("no binding"));
  }
  SECTION("the genuine one is stored, and its replay under another id afterwards is still rejected") {
    CHECK(f.one(genuine).outcome == Outcome::Stored);
    auto replay = genuine;
    replay.id = uuid();
    CHECK(f.one(replay).outcome == Outcome::Rejected);
    CHECK(f.store->submissionCount() == 1);
  }
}

TEST_CASE("a batch mixing good and rejected submissions stores the good ones and answers each id in order") {
  Fixture f;
  const auto good1 = envelopeFor(f.form, f.keys.publicKey), good2 = envelopeFor(f.form, f.keys.publicKey);
  const auto bad = envelopeFor(f.form, protocol::generateKeyPair().publicKey);
  auto reply = server::ingestBatch(*f.store, f.keys, {good1, bad, good2}, f.origin);
  REQUIRE(reply.results.size() == 3);
  CHECK(reply.results[0].id == good1.id);
  CHECK(reply.results[0].outcome == Outcome::Stored);
  CHECK(reply.results[1].id == bad.id);
  CHECK(reply.results[1].outcome == Outcome::Rejected);
  CHECK(reply.results[2].id == good2.id);
  CHECK(reply.results[2].outcome == Outcome::Stored);
  CHECK(f.store->submissionCount() == 2);
}

TEST_CASE("the digest covers every envelope field and the sealed bytes, but not the order of flags") {
  const auto form = smallForm("opinion", 2);
  auto e = envelopeFor(form, protocol::generateKeyPair().publicKey);
  e.flags = {"partial", "misuse"};
  const std::string d = server::submissionDigest(e);
  auto reordered = e;
  reordered.flags = {"misuse", "partial"};
  CHECK(server::submissionDigest(reordered) == d);
  std::vector<std::function<void(protocol::Envelope&)>> changes = {
      [](auto& x) { x.id = uuid(); },
      [](auto& x) { x.formId = "opinion2"; },
      [](auto& x) { x.formVersion = 3; },
      [](auto& x) { x.formHash = protocol::sha256Hex("x"); },
      [](auto& x) { x.kind = "quick"; },
      [](auto& x) { x.createdAt = "2026-01-01T00:00:00.000Z"; },
      [](auto& x) { x.flags = {"partial"}; },
      [](auto& x) { x.sealed += "x"; },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    auto changed = e;
    changes[i](changed);
    INFO("change " << i);
    CHECK(server::submissionDigest(changed) != d);
  }
}

TEST_CASE("a USB export goes through ingest line by line: problems by line number, a damaged copy refused whole",
          "[ingest][usb]") {
  Fixture fx;
  auto line = [&](const char* answers) {
    protocol::ExportedSubmission s;
    s.envelope = envelopeFor(fx.form, fx.keys.publicKey, answers);
    s.state = "pending";
    return protocol::exportLine(s);
  };
  const std::string data = line(R"({"q":1})") + "\n{not a submission\n" + line(R"({"q":2})") + "\n";
  protocol::ExportManifest m;
  m.createdAt = isoIn(std::chrono::seconds(0));
  m.siteId = "donghu-dqfwzx";
  m.deviceId = "kiosk-never-enrolled";
  m.dataFile = "minyi-export-20261207T080000Z.jsonl";
  m.dataBytes = data.size();
  m.dataSha256 = protocol::sha256Hex(data);
  m.submissions = 3;
  m.pending = 3;
  const std::string manifestPath = fx.dir.file("minyi-export-20261207T080000Z.manifest.json");
  auto write = [&](const std::string& dataText, const protocol::ExportManifest& manifest) {
    std::ofstream(fx.dir.file(manifest.dataFile), std::ios::binary) << dataText;
    std::ofstream(manifestPath, std::ios::binary) << protocol::manifestText(manifest);
  };
  write(data, m);
  auto report = server::importUsbExport(*fx.store, fx.keys, manifestPath, {});
  INFO(report.refused);
  REQUIRE(report.refused.empty());
  CHECK(report.siteId == "donghu-dqfwzx");
  CHECK(report.submissions == 3);
  CHECK(report.stored == 2);
  CHECK(report.rejected == 1);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].line == 2);
  CHECK(report.problems[0].id.empty());
  CHECK(fx.store->submissionCount() == 2);
  // The same stick again: nothing new.
  report = server::importUsbExport(*fx.store, fx.keys, manifestPath, {});
  CHECK(report.duplicate == 2);
  CHECK(report.stored == 0);

  // One byte changed in the data file: refused whole, in words.
  std::string damaged = data;
  damaged[damaged.size() / 2] = damaged[damaged.size() / 2] == 'A' ? 'B' : 'A';
  write(damaged, m);
  report = server::importUsbExport(*fx.store, fx.keys, manifestPath, {});
  CHECK_THAT(report.refused, Contains("does not match its manifest"));
  // A site this server does not know, unless staff say where it goes.
  m.siteId = "elsewhere";
  write(data, m);
  report = server::importUsbExport(*fx.store, fx.keys, manifestPath, {});
  CHECK_THAT(report.refused, Contains("site 'elsewhere'"));
  report = server::importUsbExport(*fx.store, fx.keys, manifestPath, {"huayuan-dqfwzx", false});
  CHECK(report.refused.empty());
  CHECK(report.siteId == "huayuan-dqfwzx");
  CHECK(fx.store->submissionCount() == 2);
}
