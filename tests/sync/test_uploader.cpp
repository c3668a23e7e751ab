// The uploader's state machine against a scripted server: batches, outcomes, refusals, backoff, enrollment, polls.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "../store/store_test_helpers.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "minyi/sync/uploader.h"

using namespace minyi;
using namespace minyi::sync;
using minyi::test::TempDir;
namespace p = minyi::protocol;

namespace {

// A transport whose replies a test writes as a function of the request; it records every request.
class ScriptedServer final : public HttpTransport {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  explicit ScriptedServer(Handler h) : handler_(std::move(h)) {}
  HttpResponse send(const HttpRequest& r) override {
    Handler h;
    {
      std::lock_guard<std::mutex> lock(*mutex);
      requests->push_back(r);
      h = handler_;
    }
    HttpResponse out = h(r);
    cv->notify_all();
    return out;
  }
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
  std::shared_ptr<std::condition_variable> cv = std::make_shared<std::condition_variable>();
  std::shared_ptr<std::vector<HttpRequest>> requests = std::make_shared<std::vector<HttpRequest>>();

 private:
  Handler handler_;
};

HttpResponse json(int status, const core::Json& body) { return HttpResponse{status, body.dump(), {}, {}}; }

std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

// A server that stores everything it is sent, answering like minyi-server.
HttpResponse storeAll(const HttpRequest& r) {
  std::string why;
  auto batch = p::parseSubmissionBatch(r.body, &why);
  if (!batch) return json(400, p::toJson(p::ApiError{"bad_request", why}));
  p::BatchReply reply;
  for (const auto& e : batch->submissions) reply.results.push_back({e.id, p::Outcome::Stored, ""});
  return json(200, p::toJson(reply));
}

struct Kiosk {
  TempDir dir;
  std::unique_ptr<store::KioskStore> store;
  store::StoredForm form;
  p::KeyPair server = p::generateKeyPair();

  explicit Kiosk(bool enrolled = true) {
    store = minyi::test::openStore(dir.file("kiosk.db"));
    form.id = "opinion";
    form.version = 2;
    form.json = R"({"minyi":{"id":"opinion","version":2},"pages":[]})";
    form.hash = p::formContentHash(form.json);
    form.kind = "survey";
    REQUIRE(store->saveForm(form).ok());
    if (enrolled) {
      REQUIRE(store->setSetting(keys::kServerUrl, "http://township.test").ok());
      REQUIRE(store->setSetting(keys::kDeviceId, "dev-1").ok());
      REQUIRE(store->setSetting(keys::kToken, "secret-token").ok());
    }
  }
  // A submission as the kiosk makes one: its answers sealed to the server bound to its id and form.
  store::NewSubmission bound(const store::StoredForm& f, const std::string& answers, std::vector<std::string> flags) {
    store::NewSubmission s{f.id, f.version, f.hash, f.kind, "", std::move(flags), store::newSubmissionId()};
    s.payload = p::sealAnswers(server.publicKey, {s.id, f.id, f.version, ""}, minyi::core::Json::parse(answers));
    return s;
  }
  std::string submit(const std::string& answers = R"({"q1":"满意"})") {
    store::NewSubmission s = bound(form, answers, {});
    auto r = store->commitSubmission(s);
    REQUIRE(r.ok());
    return r.value();
  }
  int64_t pending() { return store->counts().value().pending; }
};

UploaderOptions quiet() {
  UploaderOptions o;
  o.seed = 42;
  return o;
}

}  // namespace

TEST_CASE("each poll starts with the kiosk's report, and a server without it (404) or refusing its shape holds nothing up") {
  Kiosk k;
  int reportStatus = 404;
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    if (r.url.find("/kiosk-report") != std::string::npos) return json(reportStatus, p::toJson(p::ApiError{"not_found", "no"}));
    if (r.url.find("/notices") != std::string::npos) return json(200, p::toJson(p::NoticesReply{}));
    if (r.url.find("/tickets") != std::string::npos) return json(200, p::toJson(p::TicketsReply{{}, "2026-11-27T08:00:00Z"}));
    return HttpResponse{304, "", {}, {}};
  });
  auto requests = server->requests;
  UploaderOptions o = quiet();
  o.appVersion = "0.2.0";
  o.diskFolder = k.dir.path();
  o.screenSize = [] { return std::string("1920x1080"); };
  Uploader up(*k.store, std::move(server), o);
  CHECK(up.runOnce(true));  // 404: an older server
  REQUIRE(requests->size() == 4);
  const HttpRequest& sent = (*requests)[0];
  CHECK(sent.method == "POST");
  CHECK(header(sent, "Authorization") == "Bearer secret-token");
  std::string why;
  auto report = p::parseKioskReport(sent.body, &why);
  INFO(why);
  REQUIRE(report);
  CHECK(report->appVersion == "0.2.0");
  CHECK(report->outbox == 0);
  CHECK(report->oldestUnsent.empty());
  CHECK(report->screen == "1920x1080");
  REQUIRE(report->diskFreeBytes);
  CHECK(*report->diskFreeBytes > 0);
  CHECK(report->lastError.empty());
  CHECK(up.status().problem.empty());
  reportStatus = 400;
  requests->clear();
  CHECK(up.runOnce(true));
  CHECK(requests->size() == 4);
  CHECK(up.status().problem.empty());
}

TEST_CASE("a kiosk that is not enrolled sends nothing and says so") {
  Kiosk k(false);
  k.submit();
  auto server = std::make_unique<ScriptedServer>(storeAll);
  auto requests = server->requests;
  Uploader up(*k.store, std::move(server), quiet());
  CHECK_FALSE(up.runOnce(true));
  CHECK(up.status().state == SyncStatus::State::NotEnrolled);
  CHECK(requests->empty());
  CHECK(k.pending() == 1);
}

TEST_CASE("250 waiting submissions go in batches of 100 with the token and the backlog") {
  Kiosk k;
  for (int i = 0; i < 250; ++i) k.submit();
  auto server = std::make_unique<ScriptedServer>(storeAll);
  auto requests = server->requests;
  Uploader up(*k.store, std::move(server), quiet());
  CHECK(up.runOnce(false));
  REQUIRE(requests->size() == 3);
  CHECK(header((*requests)[0], "Authorization") == "Bearer secret-token");
  CHECK(header((*requests)[0], "Minyi-Outbox") == "250");
  CHECK(header((*requests)[2], "Minyi-Outbox") == "50");
  CHECK((*requests)[0].url == "http://township.test/api/v1/submissions");
  CHECK(k.pending() == 0);
  CHECK(k.store->counts().value().sent == 250);
  CHECK(up.status().sentThisRun == 250);
  CHECK(up.status().state == SyncStatus::State::Idle);
  CHECK_FALSE(up.status().lastSuccessAt.empty());
}

TEST_CASE("duplicates count as sent, conflicts and rejections are kept with the server's reason") {
  Kiosk k;
  const std::string a = k.submit(), b = k.submit(), c = k.submit();
  Uploader up(*k.store, std::make_unique<ScriptedServer>([&](const HttpRequest&) {
                return json(200, p::toJson(p::BatchReply{{{a, p::Outcome::Duplicate, ""},
                                                          {b, p::Outcome::Conflict, "same id, other content"},
                                                          {c, p::Outcome::Rejected, "form opinion v2 is not on the server"}}}));
              }),
              quiet());
  CHECK(up.runOnce(false));
  CHECK(k.store->submission(a).value()->state == store::SubmissionState::Sent);
  auto conflict = k.store->submission(b).value();
  CHECK(conflict->state == store::SubmissionState::Conflict);
  CHECK(conflict->lastError == "same id, other content");
  CHECK(k.store->submission(c).value()->state == store::SubmissionState::Rejected);
  CHECK(k.pending() == 0);
}

TEST_CASE("a captive portal's 200, a truncated reply and a dropped connection keep everything for a retry") {
  Kiosk k;
  const std::string id = k.submit();
  std::string reply;
  int status = 200;
  std::string transportError;
  Uploader up(*k.store, std::make_unique<ScriptedServer>([&](const HttpRequest&) {
                return HttpResponse{status, reply, {}, transportError};
              }),
              quiet());
  SECTION("login page") {
    reply = "<html><body>请登录 Free WiFi</body></html>";
    CHECK_FALSE(up.runOnce(false));
    CHECK(up.status().problem == "bad_reply");
  }
  SECTION("truncated") {
    reply = p::toJson(p::BatchReply{{{id, p::Outcome::Stored, ""}}}).dump();
    reply.resize(reply.size() - 4);
    CHECK_FALSE(up.runOnce(false));
    CHECK(up.status().problem == "bad_reply");
  }
  SECTION("an empty 200") {
    reply = "";
    CHECK_FALSE(up.runOnce(false));
  }
  SECTION("connection refused") {
    status = 0;
    transportError = "Couldn't connect to server";
    CHECK_FALSE(up.runOnce(false));
    CHECK(up.status().problem == "network");
    CHECK(up.status().detail == transportError);
  }
  SECTION("server error") {
    status = 503;
    CHECK_FALSE(up.runOnce(false));
    CHECK(up.status().problem == "server_error");
  }
  auto s = k.store->submission(id).value();
  CHECK(s->state == store::SubmissionState::Pending);
  CHECK(s->attempts == 1);
  CHECK_FALSE(s->lastError.empty());
  CHECK(up.status().state == SyncStatus::State::Retrying);
  CHECK(up.status().failuresInARow == 1);
}

TEST_CASE("a revoked or unknown kiosk stops sending until staff act") {
  Kiosk k;
  k.submit();
  std::string code = "revoked";
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest&) {
    return json(401, p::toJson(p::ApiError{code, "this kiosk was revoked by staff"}));
  });
  auto requests = server->requests;
  Uploader up(*k.store, std::move(server), quiet());
  CHECK_FALSE(up.runOnce(false));
  CHECK(up.status().state == SyncStatus::State::Stopped);
  CHECK(up.status().problem == "revoked");
  CHECK(up.status().detail == "this kiosk was revoked by staff");
  CHECK(k.store->submission(k.store->pending(1).value()[0].id).value()->attempts == 0);  // not the kiosk's fault
  code = "unauthorized";
  CHECK_FALSE(up.runOnce(false));
  CHECK(up.status().problem == "unauthorized");

  // On the thread: a new submission does not knock on a closed door...
  up.start();
  k.submit();
  const size_t before = requests->size();
  up.wake();
  up.stop();
  CHECK(requests->size() == before);
  CHECK(k.pending() == 2);
}

TEST_CASE("one malformed submission does not hold back the others: the batch is split and it alone is rejected") {
  Kiosk k;
  const std::string good1 = k.submit();
  // A submission whose flags the server cannot accept (written behind the kiosk's back, e.g. an old bug).
  store::NewSubmission odd = k.bound(k.form, "{}", {"x"});
  const std::string bad = k.store->commitSubmission(odd).value();
  const std::string good2 = k.submit();
  Uploader up(*k.store, std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
                if (r.body.find(bad) != std::string::npos)
                  return json(400, p::toJson(p::ApiError{"bad_request", "submissions[0].flags: not allowed"}));
                return storeAll(r);
              }),
              quiet());
  CHECK(up.runOnce(false));
  CHECK(k.store->submission(good1).value()->state == store::SubmissionState::Sent);
  CHECK(k.store->submission(good2).value()->state == store::SubmissionState::Sent);
  auto rejected = k.store->submission(bad).value();
  CHECK(rejected->state == store::SubmissionState::Rejected);
  CHECK_THAT(rejected->lastError, Catch::Contains("flags"));
}

TEST_CASE("regression: only the Minyi server's own words reject or stop, a proxy's page with the same status is retried") {
  Kiosk k;
  const std::string id = k.submit();
  k.submit();
  int status = 400;
  std::string body;
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest&) { return HttpResponse{status, body, {}, {}}; });
  Uploader up(*k.store, std::move(server), quiet());
  for (int s : {400, 401, 403, 404, 502}) {
    INFO(s);
    status = s;
    body = "<html><head><title>" + std::to_string(s) + " The plain HTTP request was sent to HTTPS port</title></head><body>nginx</body></html>";
    CHECK_FALSE(up.runOnce(false));
    CHECK(up.status().state == SyncStatus::State::Retrying);
    CHECK(up.status().problem == "server_error");
    CHECK_THAT(up.status().detail, Catch::Contains("HTTP " + std::to_string(s)) && Catch::Contains("not the Minyi server's reply"));
    CHECK(k.pending() == 2);
  }
  // A firewall's page in Chinese, longer than the words kept: cut between characters, never inside one.
  status = 403;
  body = "<html><body><h1>";
  for (int i = 0; i < 60; ++i) body += "访问被拒绝";
  body += "</h1></body></html>";
  CHECK_FALSE(up.runOnce(false));
  CHECK(minyi::core::isValidUtf8(up.status().detail));
  CHECK_THAT(up.status().detail, Catch::Contains("访问被拒绝"));
  // JSON that is not Minyi's error shape is no refusal either.
  status = 400;
  body = R"({"error":"Bad Request","status":400})";
  CHECK_FALSE(up.runOnce(false));
  CHECK(k.pending() == 2);
  CHECK(k.store->submission(id).value()->state == store::SubmissionState::Pending);
}

TEST_CASE("a 413 on the way halves the batch until it passes, at one submission it is kept and retried") {
  Kiosk k;
  for (int i = 0; i < 250; ++i) k.submit();
  size_t limit = 40;  // submissions per request the "proxy" lets through
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    auto batch = p::parseSubmissionBatch(r.body, nullptr);
    if (batch && batch->submissions.size() > limit)
      return HttpResponse{413, "<html><body><h1>413 Request Entity Too Large</h1></body></html>", {}, {}};
    return storeAll(r);
  });
  auto requests = server->requests;
  Uploader up(*k.store, std::move(server), quiet());
  CHECK(up.runOnce(false));
  CHECK(k.pending() == 0);
  // 100 refused, 50 refused, then 25 at a time: 2 refusals and 10 deliveries.
  CHECK(requests->size() == 12);
  // One submission too big for the proxy: kept, with the words, retried later.
  k.submit();
  limit = 0;
  CHECK_FALSE(up.runOnce(false));
  CHECK(k.pending() == 1);
  CHECK(up.status().problem == "server_error");
  CHECK_THAT(up.status().detail, Catch::Contains("413"));
}

TEST_CASE("the kiosk sends its clock and notes how far it is from the server's") {
  Kiosk k;
  k.submit();
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    HttpResponse out = storeAll(r);
    out.headers["minyi-time"] = p::isoUtc(std::chrono::system_clock::now() + std::chrono::minutes(20));
    return out;
  });
  auto requests = server->requests;
  Uploader up(*k.store, std::move(server), quiet());
  CHECK_FALSE(up.status().clockOffsetSeconds);
  CHECK(up.runOnce(false));
  REQUIRE(up.status().clockOffsetSeconds);
  CHECK(*up.status().clockOffsetSeconds <= -1190);  // the kiosk is 20 minutes behind
  CHECK(*up.status().clockOffsetSeconds >= -1210);
  REQUIRE_FALSE(requests->empty());
  CHECK(p::parseIsoUtc(header(requests->front(), "Minyi-Time")));
}

TEST_CASE("backoff doubles with jitter up to five minutes, and a success resets it") {
  Kiosk k;
  k.submit();
  bool up200 = false;
  auto o = quiet();
  Uploader up(*k.store, std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
                return up200 ? storeAll(r) : HttpResponse{0, "", {}, "Connection reset by peer"};
              }),
              o);
  int64_t previousCeiling = 0;
  for (int n = 1; n <= 12; ++n) {
    const auto before = std::chrono::system_clock::now();
    CHECK_FALSE(up.runOnce(false));
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(up.status().nextAttempt - before).count();
    const int64_t ceiling = std::min<int64_t>(300000, 2000LL << (n - 1));
    CHECK(wait >= ceiling / 2 - 50);
    CHECK(wait <= ceiling + 50);
    CHECK(ceiling >= previousCeiling);
    previousCeiling = ceiling;
  }
  CHECK(previousCeiling == 300000);
  CHECK(up.status().failuresInARow == 12);
  up200 = true;
  CHECK(up.runOnce(false));
  CHECK(up.status().failuresInARow == 0);
  CHECK(up.status().problem.empty());
}

TEST_CASE("on its thread the uploader sends a new submission at once and resumes after a failure") {
  Kiosk k;
  std::atomic<bool> networkUp{false};
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    return networkUp ? storeAll(r) : HttpResponse{0, "", {}, "Network is unreachable"};
  });
  auto mutex = server->mutex;
  auto cv = server->cv;
  auto requests = server->requests;
  auto o = quiet();
  o.firstRetry = std::chrono::milliseconds(50);
  o.pollEvery = std::chrono::seconds(3600);
  Uploader up(*k.store, std::move(server), o);
  up.start();
  k.submit();
  up.wake();
  {
    std::unique_lock<std::mutex> lock(*mutex);
    REQUIRE(cv->wait_for(lock, std::chrono::seconds(20), [&] { return !requests->empty(); }));
  }
  networkUp = true;  // the cable is back: the next backoff retry gets through on its own
  for (int i = 0; i < 400 && k.pending() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  CHECK(k.pending() == 0);
  up.stop();
  CHECK(up.status().state == SyncStatus::State::Idle);
}

TEST_CASE("enrollment keeps the token and the server's key, a wrong code or a key other than the pinned one is refused") {
  Kiosk k(false);
  const p::KeyPair serverKeys = p::generateKeyPair();
  int status = 200;
  std::string saidKioskId;
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    // After enrolling, the kiosk asks for its notices and forms at once: none yet.
    if (r.url == "https://minyi.township.test/api/v1/notices") return json(200, p::toJson(p::NoticesReply{}));
    if (r.url == "https://minyi.township.test/api/v1/forms") return json(200, p::toJson(p::FormsReply{}));
    if (r.url != "https://minyi.township.test/api/v1/enroll") return json(404, p::toJson(p::ApiError{"not_found", r.url}));
    auto req = p::parseEnrollRequest(r.body, nullptr);
    if (req) saidKioskId = req->kioskId;
    if (status != 200 || !req || req->code != "K3M9Q-2XH7R")
      return json(401, p::toJson(p::ApiError{"bad_code", "this code is unknown, used or expired"}));
    return json(200, p::toJson(p::EnrollReply{"dev-7", "tok-abc", "donghu", "东湖社区党群服务中心", p::encodeKey(serverKeys.publicKey)}));
  });
  auto o = quiet();
  SECTION("a good code") {
    Uploader up(*k.store, std::move(server), o);
    up.start();
    up.enroll(" https://minyi.township.test/ ", "K3M9Q-2XH7R");
    for (int i = 0; i < 400 && up.status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    up.stop();
    CHECK(up.status().problem == "");
    CHECK(up.status().deviceId == "dev-7");
    CHECK(up.status().siteName == "东湖社区党群服务中心");
    CHECK(*k.store->setting(keys::kToken).value() == "tok-abc");
    CHECK(*k.store->setting(keys::kPublicKey).value() == p::encodeKey(serverKeys.publicKey));
    CHECK(*k.store->setting(keys::kServerUrl).value() == "https://minyi.township.test");
    // The kiosk's own id went with the code: its sealed answers name it, whichever enrollment sends them.
    CHECK(saidKioskId == k.store->kioskId().value());
  }
  SECTION("a wrong code") {
    Uploader up(*k.store, std::move(server), o);
    up.start();
    up.enroll("https://minyi.township.test", "AAAAA-BBBBB");
    for (int i = 0; i < 400 && up.status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    up.stop();
    CHECK(up.status().problem == "enroll_code");
    CHECK_FALSE(k.store->setting(keys::kToken).value());
  }
  SECTION("an http:// address off this machine: refused before anything is sent, unless the config allows it") {
    int sent = 0;
    auto counting = std::make_unique<ScriptedServer>([&](const HttpRequest&) {
      ++sent;
      return json(404, p::toJson(p::ApiError{"not_found", "nothing here"}));
    });
    {
      Uploader up(*k.store, std::move(counting), o);
      up.start();
      up.enroll("http://192.168.10.5:8080", "K3M9Q-2XH7R");
      for (int i = 0; i < 400 && up.status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      up.stop();
      CHECK(up.status().problem == "enroll_insecure");
      CHECK(sent == 0);
    }
    o.allowInsecureHttp = true;
    auto again = std::make_unique<ScriptedServer>([&](const HttpRequest&) {
      ++sent;
      return json(404, p::toJson(p::ApiError{"not_found", "nothing here"}));
    });
    Uploader up(*k.store, std::move(again), o);
    up.start();
    up.enroll("http://192.168.10.5:8080", "K3M9Q-2XH7R");
    for (int i = 0; i < 400 && up.status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    up.stop();
    CHECK(up.status().problem != "enroll_insecure");
    CHECK(sent >= 1);
  }
  SECTION("a server with another key than the configured one") {
    o.pinnedKey = p::generateKeyPair().publicKey;
    Uploader up(*k.store, std::move(server), o);
    up.start();
    up.enroll("https://minyi.township.test", "K3M9Q-2XH7R");
    for (int i = 0; i < 400 && up.status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    up.stop();
    CHECK(up.status().problem == "enroll_key");
    CHECK_FALSE(k.store->setting(keys::kToken).value());
  }
}

TEST_CASE("notices and forms: the server's lists replace the kiosk's, with ETags") {
  Kiosk k;
  const std::string formText = minyi::test::readFile(std::string(MINYI_ASSETS_DIR) + "/forms/quick.json");
  p::Notice n;
  n.id = "fix-1";
  n.title = core::Json{{"zh-cn", "整改情况公示"}};
  n.body = core::Json{{"zh-cn", "东湖社区楼道灯已修复。"}};
  n.publishedAt = "2026-11-20T02:00:00Z";
  bool damaged = false;
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    if (header(r, "If-None-Match") == "\"v1\"") return HttpResponse{304, "", {}, {}};
    HttpResponse out;
    if (r.url.find("/notices") != std::string::npos) out = json(200, p::toJson(p::NoticesReply{{n}}));
    else if (r.url.find("/tickets") != std::string::npos) return json(200, p::toJson(p::TicketsReply{{}, "2026-11-27T08:00:00Z"}));
    else {
      p::FormOffer offer{"quick", 1, p::formContentHash(formText), formText};
      if (damaged) offer.json += " ";  // still JSON, same hash: fine; the engine decides
      out = json(200, p::toJson(p::FormsReply{{offer}}));
    }
    out.headers["etag"] = "\"v1\"";
    return out;
  });
  auto requests = server->requests;
  REQUIRE(k.store->activateForm(k.form.id, k.form.hash).ok());
  Uploader up(*k.store, std::move(server), quiet());
  CHECK(up.runOnce(true));
  CHECK(up.takeNoticesChanged());
  CHECK(up.takeFormsChanged());
  auto shown = k.store->notices(std::chrono::system_clock::now()).value();
  REQUIRE(shown.size() == 1);
  CHECK_THAT(shown[0].body, Catch::Contains("楼道灯"));
  auto active = k.store->activeForms().value();
  REQUIRE(active.size() == 1);  // the opinion form is no longer offered: the server's list rules
  CHECK(active[0].id == "quick");
  CHECK(active[0].kind == "quick");
  // Second poll: both answered 304 because the kiosk sent the tags back (after its report on itself).
  requests->clear();
  CHECK(up.runOnce(true));
  REQUIRE(requests->size() == 4);
  CHECK((*requests)[0].url == "http://township.test/api/v1/kiosk-report");
  CHECK(header((*requests)[1], "If-None-Match") == "\"v1\"");
  CHECK((*requests)[2].url == "http://township.test/api/v1/tickets?since=2026-11-27T08:00:00Z");
  CHECK_FALSE(up.takeNoticesChanged());
  CHECK_FALSE(up.takeFormsChanged());
}

TEST_CASE("a complaint goes up with its ticket, and the ticket's handling comes back down") {
  Kiosk k;
  store::StoredForm complaint = k.form;
  complaint.id = "complaint";
  complaint.kind = "complaint";
  complaint.json = R"({"minyi":{"id":"complaint","version":2,"kind":"complaint"},"pages":[]})";
  complaint.hash = p::formContentHash(complaint.json);
  REQUIRE(k.store->saveForm(complaint).ok());
  const std::string accessKey = p::newTicketAccessKey();
  auto made = k.store->commitComplaint(
      k.bound(complaint, "{}", {}),
      store::NewTicket{3, "hallway_lights", p::seal(k.server.publicKey, accessKey)});
  REQUIRE(made.ok());
  std::string seenCode, seenKey;
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    if (r.url.find("/submissions") != std::string::npos) {
      auto batch = p::parseSubmissionBatch(r.body, nullptr);
      if (batch) {
        seenCode = batch->submissions[0].ticketCode;
        seenKey = *p::openSealed(k.server, batch->submissions[0].ticketKeySealed);
      }
      return storeAll(r);
    }
    if (r.url.find("/tickets") != std::string::npos)
      return json(200, p::toJson(p::TicketsReply{{{made.value().code, "resolved", "2026-11-30T10:00:00Z", "楼道灯已经修好了。",
                                                   {{"received", "2026-11-27T08:00:00Z"}, {"resolved", "2026-11-28T09:00:00Z"}}, ""}},
                                                 "2026-11-28T09:05:00Z"}));
    if (r.url.find("/notices") != std::string::npos) return json(200, p::toJson(p::NoticesReply{}));
    return json(200, p::toJson(p::FormsReply{}));
  });
  Uploader up(*k.store, std::move(server), quiet());
  CHECK(up.runOnce(true));
  CHECK(seenCode == made.value().code);
  CHECK(seenKey == accessKey);
  CHECK(up.takeTicketsChanged());
  auto t = k.store->ticket(made.value().code).value();
  REQUIRE(t);
  CHECK(t->status == "resolved");
  CHECK(t->publicReply == "楼道灯已经修好了。");
  CHECK_THAT(t->timeline, Catch::Contains("2026-11-28T09:00:00Z"));
  CHECK(*k.store->setting(keys::kTicketsSince).value() == "2026-11-28T09:05:00Z");
}

TEST_CASE("回访 ratings given at the kiosk go up ten at a time, and each is settled with the server's answer") {
  Kiosk k;
  std::vector<std::string> codes;
  for (uint32_t serial = 1; serial <= 12; ++serial) {
    codes.push_back(p::checkTicketCode(p::makeTicketCode(4, serial)).code);
    REQUIRE(k.store->commitRating(codes.back(), serial % 2 ? "satisfied" : "unsatisfied").ok());
  }
  int limited = 1;  // the first request meets the per-kiosk limit
  std::vector<size_t> sizes;
  auto server = std::make_unique<ScriptedServer>([&](const HttpRequest& r) {
    if (r.url.find("/tickets/ratings") == std::string::npos) return storeAll(r);
    if (limited-- > 0) return json(429, p::toJson(p::ApiError{"rate_limited", "too many ratings from this kiosk"}));
    auto batch = p::parseRatingsBatch(r.body, nullptr);
    REQUIRE(batch);
    sizes.push_back(batch->ratings.size());
    p::BatchReply reply;
    for (const auto& x : batch->ratings)
      reply.results.push_back({x.id, x.code == codes[0] ? p::Outcome::Rejected : p::Outcome::Stored,
                               x.code == codes[0] ? "already_rated" : ""});
    return json(200, p::toJson(reply));
  });
  Uploader up(*k.store, std::move(server), quiet());
  CHECK_FALSE(up.runOnce(false));  // 429: kept for later
  CHECK(up.status().problem == "server_error");
  CHECK(k.store->pendingRatings(100).value().size() == 12);
  CHECK(up.runOnce(false));
  CHECK(sizes == std::vector<size_t>{10, 2});
  CHECK(k.store->pendingRatings(100).value().empty());
  CHECK(k.store->ratingOf(codes[0]).value()->outcome == "rejected: already_rated");
  CHECK(k.store->ratingOf(codes[1]).value()->outcome == "stored");
}
