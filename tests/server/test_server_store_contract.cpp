// The ServerStore contract: every backend (SQLite now, PostgreSQL later) must pass each case here.
#include "server_test_helpers.h"

#include <algorithm>
#include <map>
#include <set>
#include <atomic>
#include <thread>

using namespace minyi;
using namespace minyi::test;
using protocol::Outcome;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

server::IncomingSubmission incoming(const protocol::Envelope& e, const std::string& site = "donghu-dqfwzx",
                                    const std::string& answers = R"({"rating":"满意"})",
                                    std::vector<server::Tally> tallies = {}, const std::string& week = "2026-11-23") {
  return {e, "digest-of-" + e.id + protocol::sha256Hex(e.sealed), answers, "kiosk-1", site, "network",
          isoIn(seconds(0)), week, std::move(tallies), std::nullopt};
}

// The counts of one (question, value) in the tally rows.
int64_t countOf(const std::vector<server::TallyRow>& rows, const std::string& question, const std::string& value) {
  int64_t n = 0;
  for (const auto& r : rows)
    if (r.question == question && r.value == value) n += r.count;
  return n;
}

protocol::Notice notice(const std::string& id, const std::string& publishedAt, const std::string& until = {}) {
  protocol::Notice n;
  n.id = id;
  n.title = core::Json{{"zh-cn", "整改情况公示 " + id}, {"en", "Notice " + id}};
  n.body = core::Json{{"zh-cn", "东湖社区楼道灯已修复。"}};
  n.publishedAt = publishedAt;
  n.until = until;
  return n;
}

}  // namespace

TEST_CASE("a new store has no places, and the demo township's three communities and six sites read back once added",
          "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = b.open(dir.path());
      // A township's places are its data, not the schema's: a new store starts without any.
      CHECK(store->communities().empty());
      CHECK(store->sites().empty());
      CHECK(server::addPlaces(*store, server::demoTownship()) == 9);
      const auto communities = store->communities();
      REQUIRE(communities.size() == 3);
      auto households = [&](const std::string& id) {
        for (const auto& c : communities)
          if (c.id == id) return c.households;
        return int64_t{-1};
      };
      CHECK(households("donghu") == 1516);
      CHECK(households("donglian") == 1869);
      CHECK(households("huayuan") == 1300);
      const auto sites = store->sites();
      CHECK(sites.size() == 6);
      auto donghu = store->site("donghu-dqfwzx");
      REQUIRE(donghu);
      CHECK(donghu->name == "东湖社区党群服务中心");
      CHECK(donghu->communityId == "donghu");
      auto office = store->site("jiedao-office");
      REQUIRE(office);
      CHECK(office->communityId.empty());  // township-wide
      CHECK_FALSE(store->site("nowhere"));
      // Opening again neither loses them nor adds them again; adding them again adds nothing.
      store.reset();
      store = b.open(dir.path());
      CHECK(store->sites().size() == 6);
      CHECK(server::addPlaces(*store, server::demoTownship()) == 0);
      CHECK(store->communities().size() == 3);
    }
  }
}

TEST_CASE("places are data: a community and its site added once, a site needs a known community, households change",
          "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = b.open(dir.path());
      const size_t communitiesBefore = store->communities().size(), sitesBefore = store->sites().size();
      // A second township's community (seed reports: 联合村) and its village service centre.
      CHECK(store->addCommunity({"lianhe", "联合村", 812}));
      CHECK_FALSE(store->addCommunity({"lianhe", "联合村（重复）", 1}));  // the id is taken: nothing changes
      CHECK(store->addSite({"lianhe-bmfwz", "联合村便民服务站", "lianhe"}));
      CHECK_FALSE(store->addSite({"lianhe-bmfwz", "another", "lianhe"}));
      CHECK_FALSE(store->addSite({"nowhere-site", "无处", "nowhere"}));  // no such community
      CHECK(store->addSite({"zhen-zhengwu", "镇政务服务中心", ""}));     // township-wide
      CHECK(store->setHouseholds("lianhe", 830));
      CHECK_FALSE(store->setHouseholds("nowhere", 5));
      store.reset();
      store = b.open(dir.path());  // kept across opening again
      CHECK(store->communities().size() == communitiesBefore + 1);
      CHECK(store->sites().size() == sitesBefore + 2);
      int64_t households = -1;
      std::string name;
      for (const auto& c : store->communities())
        if (c.id == "lianhe") households = c.households, name = c.name;
      CHECK(households == 830);
      CHECK(name == "联合村");
      REQUIRE(store->site("lianhe-bmfwz"));
      CHECK(store->site("lianhe-bmfwz")->communityId == "lianhe");
      REQUIRE(store->site("zhen-zhengwu"));
      CHECK(store->site("zhen-zhengwu")->communityId.empty());
      CHECK_FALSE(store->site("nowhere-site"));
      // A kiosk can be added at the new site like at any other.
      CHECK(store->addDevice({"kiosk-lh", "lianhe-bmfwz", "大厅", "h", isoIn(hours(1)), isoIn(seconds(0))}));
    }
  }
}

TEST_CASE("a kiosk's report is kept with its time and the outbox of the one before, and survives opening again",
          "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      REQUIRE(store->addDevice({"kiosk-1", "donghu-dqfwzx", "大厅", "h", isoIn(hours(1)), isoIn(seconds(0))}));
      CHECK_FALSE(store->recordReport("kiosk-nowhere", protocol::KioskReport{}, isoIn(seconds(0))));
      protocol::KioskReport r;
      r.appVersion = "0.2.0";
      r.outbox = 5;
      r.diskFreeBytes = 123456789;
      r.screen = "1920x1080";
      REQUIRE(store->recordReport("kiosk-1", r, "2026-12-07T02:00:00.000Z"));
      r.outbox = 2;
      r.appVersion.clear();  // a report without a version keeps the one known
      REQUIRE(store->recordReport("kiosk-1", r, "2026-12-07T02:05:00.000Z"));
      store.reset();
      store = b.open(dir.path());
      auto d = store->device("kiosk-1");
      REQUIRE(d->report);
      CHECK(d->report->outbox == 2);
      CHECK(d->report->diskFreeBytes == 123456789);
      CHECK(d->report->screen == "1920x1080");
      CHECK(d->reportAt == "2026-12-07T02:05:00.000Z");
      CHECK(d->previousOutbox == 5);
      CHECK(d->appVersion == "0.2.0");
      CHECK(store->devices().front().report->outbox == 2);  // the list reads it the same way
    }
  }
}

TEST_CASE("an enrollment code works once, before it expires, for a device that is not revoked", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const std::string code = protocol::sha256Hex("K3M9Q2XH7R");
      server::NewDevice d{"kiosk-1", "donghu-dqfwzx", "大厅一号", code, isoIn(hours(24)), isoIn(seconds(0))};
      REQUIRE(store->addDevice(d));
      CHECK_FALSE(store->addDevice(d));  // the id is taken
      server::NewDevice elsewhere = d;
      elsewhere.id = "kiosk-x";
      elsewhere.siteId = "nowhere";
      elsewhere.codeHash = protocol::sha256Hex("other");
      CHECK_FALSE(store->addDevice(elsewhere));  // unknown site

      auto listed = store->device("kiosk-1");
      REQUIRE(listed);
      CHECK(listed->enrolledAt.empty());
      CHECK(listed->codeExpiresAt == d.codeExpiresAt);

      CHECK_FALSE(store->redeemEnrollmentCode(protocol::sha256Hex("WRONG"), "t", isoIn(seconds(0)), "0.1.0", ""));
      auto enrolled = store->redeemEnrollmentCode(code, "token-hash-1", isoIn(seconds(0)), "0.1.0", "kiosk-0a1b2c3d");
      REQUIRE(enrolled);
      CHECK(enrolled->id == "kiosk-1");
      CHECK(enrolled->siteId == "donghu-dqfwzx");
      CHECK_FALSE(enrolled->enrolledAt.empty());
      CHECK(enrolled->codeExpiresAt.empty());
      CHECK(enrolled->appVersion == "0.1.0");
      CHECK(enrolled->kioskId == "kiosk-0a1b2c3d");
      // Used: a second kiosk typing the same code gets nothing, and the first keeps its token.
      CHECK_FALSE(store->redeemEnrollmentCode(code, "token-hash-2", isoIn(seconds(0)), "0.1.0", ""));
      CHECK_FALSE(store->deviceByTokenHash("token-hash-2"));
      REQUIRE(store->deviceByTokenHash("token-hash-1"));
      CHECK(store->deviceByTokenHash("token-hash-1")->id == "kiosk-1");

      // Expired: redeeming a day after the code's end.
      server::NewDevice late{"kiosk-2", "huayuan-dqfwzx", "", protocol::sha256Hex("LATE"), isoIn(seconds(-1)),
                             isoIn(hours(-25))};
      REQUIRE(store->addDevice(late));
      CHECK_FALSE(store->redeemEnrollmentCode(late.codeHash, "token-hash-3", isoIn(seconds(0)), "", ""));

      // Revoked before enrolling: the code dies with the device.
      server::NewDevice gone{"kiosk-3", "huayuan-dqfwzx", "", protocol::sha256Hex("GONE"), isoIn(hours(24)),
                             isoIn(seconds(0))};
      REQUIRE(store->addDevice(gone));
      REQUIRE(store->revokeDevice("kiosk-3", isoIn(seconds(0))));
      CHECK_FALSE(store->redeemEnrollmentCode(gone.codeHash, "token-hash-4", isoIn(seconds(0)), "", ""));
      CHECK_FALSE(store->revokeDevice("no-such-kiosk", isoIn(seconds(0))));
    }
  }
}

TEST_CASE("a revoked device is still found by its token, marked revoked, contact is recorded", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      server::NewDevice d{"kiosk-1", "donglian-culture", "", protocol::sha256Hex("C"), isoIn(hours(24)), isoIn(seconds(0))};
      REQUIRE(store->addDevice(d));
      REQUIRE(store->redeemEnrollmentCode(d.codeHash, "th", isoIn(seconds(0)), "0.1.0", ""));

      const std::string at = isoIn(seconds(0));
      store->recordContact({"kiosk-1", at, 42, {}, {}});
      auto seen = store->device("kiosk-1");
      REQUIRE(seen);
      CHECK(seen->lastContact == at);
      CHECK(seen->lastBacklog == 42);
      store->recordContact({"kiosk-1", at, std::nullopt, {}, {}});
      CHECK_FALSE(store->device("kiosk-1")->lastBacklog);

      const std::string first = isoIn(seconds(0));
      REQUIRE(store->revokeDevice("kiosk-1", first));
      REQUIRE(store->revokeDevice("kiosk-1", isoIn(hours(1))));  // again: the first time stays
      auto revoked = store->deviceByTokenHash("th");
      REQUIRE(revoked);
      CHECK(revoked->revoked());
      CHECK(revoked->revokedAt == first);
      CHECK(store->devices().size() == 1);
    }
  }
}

TEST_CASE("form versions: one text per (id, version), a site's own activation wins over all sites", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto v1 = smallForm("opinion", 1, "征求意见表"), v2 = smallForm("opinion", 2, "征求意见表（新）");
      CHECK(store->addForm(v1) == server::FormAdded::New);
      CHECK(store->addForm(v1) == server::FormAdded::AlreadyThere);
      CHECK(store->addForm(smallForm("opinion", 1, "改过的")) == server::FormAdded::VersionTaken);
      CHECK(store->addForm(v2) == server::FormAdded::New);
      CHECK(store->addForm(smallForm("quick", 1)) == server::FormAdded::New);
      REQUIRE(store->form("opinion", 1));
      CHECK(store->form("opinion", 1)->json == v1.json);
      CHECK(store->form("opinion", 1)->hash == v1.hash);
      CHECK_FALSE(store->form("opinion", 3));
      CHECK(store->forms().size() == 3);

      CHECK(store->activeForms("donghu-dqfwzx").empty());  // uploaded is not offered
      REQUIRE(store->activateForm("opinion", 1, server::kAllSites, isoIn(seconds(0))));
      REQUIRE(store->activateForm("quick", 1, "huayuan-dqfwzx", isoIn(seconds(0))));
      CHECK_FALSE(store->activateForm("opinion", 9, server::kAllSites, isoIn(seconds(0))));
      CHECK_FALSE(store->activateForm("opinion", 1, "nowhere", isoIn(seconds(0))));

      auto donghu = store->activeForms("donghu-dqfwzx");
      REQUIRE(donghu.size() == 1);
      CHECK(donghu[0].version == 1);
      auto huayuan = store->activeForms("huayuan-dqfwzx");
      REQUIRE(huayuan.size() == 2);
      CHECK(huayuan[0].id == "opinion");
      CHECK(huayuan[1].id == "quick");

      // Version 2 only at 东湖 first; everywhere else keeps version 1 until it is activated for all.
      REQUIRE(store->activateForm("opinion", 2, "donghu-dqfwzx", isoIn(seconds(0))));
      CHECK(store->activeForms("donghu-dqfwzx")[0].version == 2);
      CHECK(store->activeForms("huayuan-dqfwzx")[0].version == 1);
      REQUIRE(store->activateForm("opinion", 2, server::kAllSites, isoIn(seconds(0))));
      CHECK(store->activeForms("huayuan-dqfwzx")[0].version == 2);
    }
  }
}

TEST_CASE("notices: for the site or all sites, published, not expired, newest first", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      REQUIRE(store->addNotice({notice("all", isoIn(hours(-3))), {server::kAllSites}}));
      REQUIRE(store->addNotice({notice("donghu", isoIn(hours(-2))), {"donghu-dqfwzx", "jiedao-office"}}));
      REQUIRE(store->addNotice({notice("later", isoIn(hours(2))), {server::kAllSites}}));
      REQUIRE(store->addNotice({notice("over", isoIn(hours(-5)), isoIn(hours(-1))), {server::kAllSites}}));
      REQUIRE(store->addNotice({notice("open", isoIn(hours(-1)), isoIn(hours(1))), {"huayuan-dqfwzx"}}));
      CHECK_FALSE(store->addNotice({notice("all", isoIn(hours(-3))), {server::kAllSites}}));  // id taken
      CHECK_FALSE(store->addNotice({notice("bad-site", isoIn(hours(-3))), {"nowhere"}}));

      const std::string now = isoIn(seconds(0));
      auto donghu = store->noticesFor("donghu-dqfwzx", now, 100);
      REQUIRE(donghu.size() == 2);
      CHECK(donghu[0].id == "donghu");
      CHECK(donghu[1].id == "all");
      CHECK(donghu[0].title["zh-cn"] == "整改情况公示 donghu");
      CHECK(donghu[0].body["zh-cn"] == "东湖社区楼道灯已修复。");
      CHECK(donghu[0].until.empty());
      auto huayuan = store->noticesFor("huayuan-dqfwzx", now, 100);
      REQUIRE(huayuan.size() == 2);
      CHECK(huayuan[0].id == "open");
      CHECK_FALSE(huayuan[0].until.empty());
      CHECK(store->noticesFor("huayuan-dqfwzx", now, 1).size() == 1);
      CHECK(store->noticesFor("jiedao-office", now, 100).size() == 2);
      // The unknown site "bad-site" was refused whole: nothing of it is shown anywhere.
      for (const auto& n : store->noticesFor("jiedao-culture", now, 100)) CHECK(n.id != "bad-site");
    }
  }
}

TEST_CASE("ingest: stored, duplicate for the same digest, conflict for another, in the order sent", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto form = smallForm("opinion", 1);
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      server::NewDevice d{"kiosk-1", "donghu-dqfwzx", "", protocol::sha256Hex("C"), isoIn(hours(24)), isoIn(seconds(0))};
      REQUIRE(store->addDevice(d));
      const auto key = protocol::generateKeyPair().publicKey;

      auto a = envelopeFor(form, key), bEnv = envelopeFor(form, key);
      a.flags = {"partial"};
      a.sealed = std::string("\0\x01\xff sealed bytes with a zero", 28) + a.sealed;  // binary survives as is
      const auto first = store->ingest({incoming(a), incoming(bEnv)}, std::nullopt);
      CHECK(first == std::vector<Outcome>{Outcome::Stored, Outcome::Stored});
      CHECK(store->submissionCount() == 2);

      auto changed = incoming(bEnv);
      changed.digest = "another digest";
      const std::string at = isoIn(seconds(0));
      const auto second = store->ingest({changed, incoming(a), incoming(envelopeFor(form, key))}, server::Contact{"kiosk-1", at, 3, {}, {}});
      CHECK(second == std::vector<Outcome>{Outcome::Conflict, Outcome::Duplicate, Outcome::Stored});
      CHECK(store->submissionCount() == 3);
      CHECK(store->device("kiosk-1")->lastContact == at);
      CHECK(store->device("kiosk-1")->lastBacklog == 3);

      auto kept = store->submission(a.id);
      REQUIRE(kept);
      CHECK(kept->envelope.sealed == a.sealed);
      CHECK(kept->envelope.flags == std::vector<std::string>{"partial"});
      CHECK(kept->envelope.formHash == form.hash);
      CHECK(kept->envelope.createdAt == a.createdAt);
      CHECK(kept->digest == incoming(a).digest);
      CHECK(kept->answersJson == R"({"rating":"满意"})");
      CHECK(kept->siteId == "donghu-dqfwzx");
      CHECK(kept->deviceId == "kiosk-1");
      CHECK(kept->via == "network");
      CHECK_FALSE(store->submission(uuid()));
    }
  }
}

TEST_CASE("ingest is one transaction: a failing submission stores nothing of its batch", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto form = smallForm("opinion", 1);
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      const auto key = protocol::generateKeyPair().publicKey;
      const auto good = envelopeFor(form, key);
      auto unknownForm = envelopeFor(smallForm("never-uploaded", 1), key);
      CHECK_THROWS_AS(store->ingest({incoming(good), incoming(unknownForm)}, std::nullopt), server::StoreError);
      CHECK(store->submissionCount() == 0);
      CHECK_THROWS_AS(store->ingest({incoming(good), incoming(envelopeFor(form, key), "nowhere")}, std::nullopt),
                      server::StoreError);
      CHECK(store->submissionCount() == 0);
      // The store still works after the rollback.
      CHECK(store->ingest({incoming(good)}, std::nullopt) == std::vector<Outcome>{Outcome::Stored});
    }
  }
}

TEST_CASE("what a store keeps is there after it is opened again", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      const auto form = smallForm("opinion", 1);
      const auto e = envelopeFor(form, protocol::generateKeyPair().publicKey);
      {
        auto store = openTownship(b, dir.path());
        REQUIRE(store->addForm(form) == server::FormAdded::New);
        REQUIRE(store->activateForm("opinion", 1, server::kAllSites, isoIn(seconds(0))));
        REQUIRE(store->ingest({incoming(e)}, std::nullopt) == std::vector<Outcome>{Outcome::Stored});
      }
      auto store = b.open(dir.path());
      CHECK(store->activeForms("jiedao-culture").size() == 1);
      CHECK(store->ingest({incoming(e)}, std::nullopt) == std::vector<Outcome>{Outcome::Duplicate});
    }
  }
}

TEST_CASE("batches ingested at the same time are each all-or-nothing, a failing one takes no other with it", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto form = smallForm("opinion", 1);
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      const auto key = protocol::generateKeyPair().publicKey;
      constexpr int kKiosks = 8, kRounds = 10;
      std::atomic<int> stored{0}, refused{0}, wrong{0};
      std::vector<std::thread> kiosks;
      for (int k = 0; k < kKiosks; ++k) {
        kiosks.emplace_back([&, k] {
          for (int round = 0; round < kRounds; ++round) {
            std::vector<server::IncomingSubmission> batch{incoming(envelopeFor(form, key)), incoming(envelopeFor(form, key))};
            // Every third batch of odd kiosks names a site that does not exist: the database refuses it.
            const bool bad = k % 2 == 1 && round % 3 == 0;
            if (bad) batch[1].siteId = "nowhere";
            try {
              const auto outcomes = store->ingest(batch, std::nullopt);
              if (bad || outcomes != std::vector<Outcome>{Outcome::Stored, Outcome::Stored}) ++wrong;
              else stored += 2;
            } catch (const server::StoreError&) {
              if (bad) ++refused;
              else ++wrong;
            }
          }
        });
      }
      for (auto& t : kiosks) t.join();
      CHECK(wrong == 0);
      CHECK(refused == kKiosks / 2 * 4);  // rounds 0, 3, 6, 9 of each odd kiosk
      CHECK(store->submissionCount() == stored);
      CHECK(stored == (kKiosks * kRounds - kKiosks / 2 * 4) * 2);
    }
  }
}

TEST_CASE("answers are counted when stored, never for a duplicate or a batch that failed", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto form = smallForm("quick", 1);
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      const auto key = protocol::generateKeyPair().publicKey;
      const std::vector<server::Tally> satisfied{{"satisfaction", "\"satisfied\""}};
      const std::vector<server::Tally> unsatisfied{{"satisfaction", "\"unsatisfied\""}};
      const auto a = envelopeFor(form, key), b2 = envelopeFor(form, key), c = envelopeFor(form, key);
      REQUIRE(store->ingest({incoming(a, "donghu-dqfwzx", "{}", satisfied), incoming(b2, "donghu-dqfwzx", "{}", satisfied),
                             incoming(c, "huayuan-dqfwzx", "{}", unsatisfied, "2026-11-16")},
                            std::nullopt) == std::vector<Outcome>{Outcome::Stored, Outcome::Stored, Outcome::Stored});
      // Sent again: duplicates, not counted again.
      REQUIRE(store->ingest({incoming(a, "donghu-dqfwzx", "{}", satisfied)}, std::nullopt) ==
              std::vector<Outcome>{Outcome::Duplicate});
      // A batch that fails (unknown site) counts nothing of itself.
      CHECK_THROWS_AS(store->ingest({incoming(envelopeFor(form, key), "donghu-dqfwzx", "{}", satisfied),
                                     incoming(envelopeFor(form, key), "nowhere", "{}", satisfied)},
                                    std::nullopt),
                      server::StoreError);

      server::TallyQuery q;
      q.formId = "quick";
      q.formVersion = 1;
      auto rows = store->tallies(q);
      CHECK(countOf(rows, server::kSubmissionTally, "") == 3);
      CHECK(countOf(rows, "satisfaction", "\"satisfied\"") == 2);
      CHECK(countOf(rows, "satisfaction", "\"unsatisfied\"") == 1);
      q.siteId = "huayuan-dqfwzx";
      CHECK(countOf(store->tallies(q), "satisfaction", "\"satisfied\"") == 0);
      q.siteId.clear();
      q.fromWeek = "2026-11-23";
      CHECK(countOf(store->tallies(q), server::kSubmissionTally, "") == 2);
      q.fromWeek.clear();
      q.toWeek = "2026-11-16";
      CHECK(countOf(store->tallies(q), server::kSubmissionTally, "") == 1);
      server::TallyQuery totals;
      totals.submissionsOnly = true;
      for (const auto& r : store->tallies(totals)) CHECK(r.question == server::kSubmissionTally);
      CHECK(countOf(store->tallies(totals), "", "") == 3);
      const auto byForm = store->submissionCountsByForm();
      REQUIRE(byForm.size() == 1);
      CHECK(byForm[0].first == std::make_pair(std::string("quick"), 1));
      CHECK(byForm[0].second == 3);

      // Replacing the counts of a form version replaces exactly those.
      store->replaceTallies("quick", 1, {{"quick", 1, "", "", "donghu-dqfwzx", "2026-11-23", 7}});
      rows = store->tallies(server::TallyQuery{"quick", 1, false, "", "", "", {}});
      REQUIRE(rows.size() == 1);
      CHECK(rows[0].count == 7);
    }
  }
}

TEST_CASE("submissions page newest first by (created_at, id), continue after the last row, per site", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto form = smallForm("quick", 1);
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      const auto key = protocol::generateKeyPair().publicKey;
      std::vector<server::IncomingSubmission> batch;
      for (int i = 0; i < 25; ++i) {
        auto e = envelopeFor(form, key);
        // Pairs share a second, so the id must break ties.
        e.createdAt = "2026-11-20T08:00:" + std::string(i / 2 < 10 ? "0" : "") + std::to_string(i / 2) + ".000Z";
        batch.push_back(incoming(e, i % 5 == 0 ? "huayuan-dqfwzx" : "donghu-dqfwzx", R"({"n":)" + std::to_string(i) + "}"));
      }
      REQUIRE(store->ingest(batch, std::nullopt).size() == 25);
      CHECK(store->countSubmissions("quick", 1, "") == 25);
      CHECK(store->countSubmissions("quick", 1, "huayuan-dqfwzx") == 5);
      CHECK(store->countSubmissions("quick", 2, "") == 0);

      std::vector<std::string> seen;
      server::SubmissionQuery q{"quick", 1, "", "", "", 10, {}};
      for (int page = 0; page < 5; ++page) {
        auto rows = store->submissionsPage(q);
        for (const auto& r : rows) seen.push_back(r.createdAt + "|" + r.id);
        if (rows.size() < q.limit) break;
        q.beforeCreatedAt = rows.back().createdAt;
        q.beforeId = rows.back().id;
      }
      REQUIRE(seen.size() == 25);
      CHECK(std::is_sorted(seen.rbegin(), seen.rend()));
      CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 25);

      const auto huayuan = store->submissionsPage({"quick", 1, "huayuan-dqfwzx", "", "", 100, {}});
      REQUIRE(huayuan.size() == 5);
      for (const auto& r : huayuan) {
        CHECK(r.siteId == "huayuan-dqfwzx");
        CHECK(r.deviceId == "kiosk-1");
        CHECK(r.via == "network");
        CHECK(r.answersJson.rfind("{\"n\":", 0) == 0);
      }
      std::vector<std::string> all;
      store->forEachSubmission("quick", 1, server::SiteScope::everySite(), [&](const server::SubmissionRow& r) { all.push_back(r.createdAt + "|" + r.id); });
      CHECK(all.size() == 25);
      CHECK(std::is_sorted(all.begin(), all.end()));  // oldest first
    }
  }
}

TEST_CASE("a site scope limits pages, counts and exports to its sites, and an empty scope shows nothing", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const auto form = smallForm("quick", 1);
      REQUIRE(store->addForm(form) == server::FormAdded::New);
      const auto key = protocol::generateKeyPair().publicKey;
      // More than one export page (500 rows), some rows sharing a created_at, three sites of two communities.
      const char* const sites[] = {"donglian-dqfwzx", "huayuan-dqfwzx", "donglian-culture"};
      std::vector<server::IncomingSubmission> batch;
      std::map<std::string, int> perSite;
      for (int i = 0; i < 1203; ++i) {
        auto e = envelopeFor(form, key);
        char at[40];
        std::snprintf(at, sizeof at, "2026-11-20T%02d:%02d:%02d.000Z", 8 + i / 7200, (i / 120) % 60, (i / 2) % 60);
        e.createdAt = at;
        const std::string site = sites[i % 3];
        ++perSite[site];
        batch.push_back(incoming(e, site, "{}", {{"satisfaction", "\"satisfied\""}}));
      }
      REQUIRE(store->ingest(batch, std::nullopt).size() == batch.size());
      const auto donglian = server::SiteScope::sites({"donglian-dqfwzx", "donglian-culture"});
      const int donglianCount = perSite["donglian-dqfwzx"] + perSite["donglian-culture"];

      // Export: every row of the scope exactly once, oldest first, across page boundaries; `each` may read
      // the store meanwhile (it no longer holds the read connection).
      std::vector<std::string> seen;
      store->forEachSubmission("quick", 1, donglian, [&](const server::SubmissionRow& r) {
        CHECK(r.siteId != "huayuan-dqfwzx");
        seen.push_back(r.createdAt + "|" + r.id);
        if (seen.size() == 600) CHECK(store->submissionsPage({"quick", 1, "", "", "", 5, {}}).size() == 5);
      });
      CHECK(static_cast<int>(seen.size()) == donglianCount);
      CHECK(std::is_sorted(seen.begin(), seen.end()));
      CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == seen.size());
      int everything = 0;
      store->forEachSubmission("quick", 1, server::SiteScope::everySite(), [&](const server::SubmissionRow&) { ++everything; });
      CHECK(everything == 1203);
      int none = 0;
      store->forEachSubmission("quick", 1, server::SiteScope::sites({}), [&](const server::SubmissionRow&) { ++none; });
      CHECK(none == 0);

      // List pages: the scope, and the site filter inside it.
      server::SubmissionQuery q{"quick", 1, "", "", "", 2000, {}};
      q.scope = donglian;
      CHECK(static_cast<int>(store->submissionsPage(q).size()) == donglianCount);
      q.siteId = "huayuan-dqfwzx";  // a site outside the scope shows nothing, not the site
      CHECK(store->submissionsPage(q).empty());
      q.siteId = "donglian-culture";
      CHECK(static_cast<int>(store->submissionsPage(q).size()) == perSite["donglian-culture"]);
      q.siteId.clear();
      q.scope = server::SiteScope::sites({});
      CHECK(store->submissionsPage(q).empty());

      // Counts.
      server::TallyQuery t;
      t.formId = "quick";
      t.scope = donglian;
      CHECK(countOf(store->tallies(t), server::kSubmissionTally, "") == donglianCount);
      CHECK(countOf(store->tallies(t), "satisfaction", "\"satisfied\"") == donglianCount);
      t.siteId = "huayuan-dqfwzx";
      CHECK(store->tallies(t).empty());
      t.siteId.clear();
      t.scope = server::SiteScope::sites({});
      CHECK(store->tallies(t).empty());
      CHECK(donglian.allows("donglian-culture"));
      CHECK_FALSE(donglian.allows("huayuan-dqfwzx"));
      CHECK(server::SiteScope::everySite().allows("anything"));
    }
  }
}

TEST_CASE("staff accounts, sessions that expire and end with the account, the audit log newest first", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      const std::string t0 = isoIn(seconds(0));
      REQUIRE(store->addUser({"wang", server::Role::Admin, "王主任", "$argon2id$hash-a", t0, "", ""}));
      REQUIRE(store->addUser({"li", server::Role::Viewer, "", "$argon2id$hash-b", t0, "", ""}));
      CHECK_FALSE(store->addUser({"wang", server::Role::Viewer, "", "x", t0, "", ""}));
      const auto users = store->users();
      REQUIRE(users.size() == 2);
      CHECK(users[0].name == "li");
      CHECK(users[1].role == server::Role::Admin);
      CHECK(store->user("wang")->displayName == "王主任");
      CHECK_FALSE(store->user("nobody"));

      store->addSession({"hash-1", "wang", "csrf-1", t0, isoIn(hours(8))});
      store->addSession({"hash-2", "li", "csrf-2", t0, isoIn(hours(8))});
      store->addSession({"hash-old", "li", "csrf-3", isoIn(hours(-10)), isoIn(seconds(-1))});
      auto s = store->session("hash-1", isoIn(seconds(0)));
      REQUIRE(s);
      CHECK(s->first.csrfToken == "csrf-1");
      CHECK(s->second.name == "wang");
      CHECK(s->second.role == server::Role::Admin);
      CHECK_FALSE(store->session("hash-old", isoIn(seconds(0))));  // expired
      CHECK_FALSE(store->session("hash-1", isoIn(hours(9))));       // expired later
      CHECK_FALSE(store->session("nope", isoIn(seconds(0))));

      // A new password and disabling both end the account's sessions at once.
      CHECK(store->setPasswordHash("wang", "$argon2id$hash-c"));
      CHECK(store->user("wang")->passwordHash == "$argon2id$hash-c");
      CHECK_FALSE(store->session("hash-1", isoIn(seconds(0))));
      CHECK(store->session("hash-2", isoIn(seconds(0))));
      CHECK(store->disableUser("li", isoIn(seconds(0))));
      CHECK(store->user("li")->disabled());
      CHECK_FALSE(store->session("hash-2", isoIn(seconds(0))));
      store->addSession({"hash-4", "li", "csrf-4", isoIn(seconds(0)), isoIn(hours(8))});
      CHECK_FALSE(store->session("hash-4", isoIn(seconds(0))));  // a disabled account has no session
      CHECK_FALSE(store->setPasswordHash("nobody", "x"));
      CHECK_FALSE(store->disableUser("nobody", t0));
      store->addSession({"hash-5", "wang", "csrf-5", isoIn(seconds(0)), isoIn(hours(8))});
      store->endSession("hash-5");
      CHECK_FALSE(store->session("hash-5", isoIn(seconds(0))));

      for (int i = 0; i < 5; ++i) store->addAudit({0, t0, "wang", "export", "form-" + std::to_string(i), "csv", "127.0.0.1"});
      auto log = store->audit(3);
      REQUIRE(log.size() == 3);
      CHECK(log[0].target == "form-4");
      CHECK(log[0].address == "127.0.0.1");
      CHECK(log[0].id > log[1].id);
      auto older = store->audit(10, log.back().id);
      REQUIRE(older.size() == 2);
      CHECK(older[0].target == "form-1");
    }
  }
}

TEST_CASE("notices can be withdrawn, every notice is listed with its sites, and activations are listed", "[contract]") {
  for (const Backend& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = openTownship(b, dir.path());
      REQUIRE(store->addNotice({notice("a", isoIn(hours(-3))), {server::kAllSites}}));
      REQUIRE(store->addNotice({notice("b", isoIn(hours(-2))), {"donglian-dqfwzx", "jiedao-office"}}));
      CHECK(store->withdrawNotice("a", isoIn(seconds(0))));
      CHECK_FALSE(store->withdrawNotice("a", isoIn(seconds(0))));
      CHECK_FALSE(store->withdrawNotice("nope", isoIn(seconds(0))));
      const auto shown = store->noticesFor("donglian-dqfwzx", isoIn(seconds(0)), 100);
      REQUIRE(shown.size() == 1);
      CHECK(shown[0].id == "b");
      const auto all = store->allNotices(100);
      REQUIRE(all.size() == 2);
      CHECK(all[0].notice.id == "b");
      CHECK(all[0].siteIds == std::vector<std::string>{"donglian-dqfwzx", "jiedao-office"});
      CHECK(all[0].withdrawnAt.empty());
      CHECK_FALSE(all[1].withdrawnAt.empty());
      CHECK(all[1].siteIds == std::vector<std::string>{server::kAllSites});

      REQUIRE(store->addForm(smallForm("quick", 1)) == server::FormAdded::New);
      REQUIRE(store->activateForm("quick", 1, "huayuan-dqfwzx", isoIn(seconds(0))));
      REQUIRE(store->activateForm("quick", 1, server::kAllSites, isoIn(seconds(0))));
      const auto act = store->activations();
      REQUIRE(act.size() == 2);
      CHECK(act[0].siteId == server::kAllSites);
      CHECK(act[1].siteId == "huayuan-dqfwzx");
      CHECK(act[1].version == 1);
    }
  }
}
