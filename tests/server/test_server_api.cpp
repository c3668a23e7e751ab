// The real /api/v1 on a loopback port: enrollment, tokens, submissions, forms and notices, hostile requests.
#include "server_test_helpers.h"

#include <atomic>

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using protocol::Outcome;

namespace {

const char* kJson = "application/json";

httplib::Headers bearer(const std::string& token, const std::string& outbox = "0") {
  httplib::Headers h{{"Authorization", "Bearer " + token}};
  if (!outbox.empty()) h.emplace("Minyi-Outbox", outbox);
  return h;
}

// The protocol's error body of a failed request: its code word, after checking the whole shape.
std::string errorCode(const httplib::Result& res) {
  REQUIRE(res);
  auto e = protocol::parseApiError(res->body);
  if (!e) FAIL("not an error body: " << res->body.substr(0, 200));
  CHECK_FALSE(e->message.empty());
  return e->code;
}

httplib::Result postEnroll(LiveServer& live, const std::string& code) {
  return live.client().Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{code, "0.1.0", ""}).dump(), kJson);
}

httplib::Result postBatch(LiveServer& live, const std::string& token, const std::vector<protocol::Envelope>& batch,
                          const std::string& outbox = "0") {
  return live.client().Post("/api/v1/submissions", bearer(token, outbox),
                            protocol::toJson(protocol::SubmissionBatch{batch}).dump(), kJson);
}

protocol::BatchReply parseReply(const httplib::Result& res, const std::vector<protocol::Envelope>& sent) {
  REQUIRE(res);
  REQUIRE(res->status == 200);
  std::vector<std::string> ids;
  for (const auto& e : sent) ids.push_back(e.id);
  std::string why;
  auto reply = protocol::parseBatchReply(res->body, ids, &why);
  if (!reply) FAIL(why);
  return *reply;
}

void checkStillServing(LiveServer& live) {
  auto res = live.client().Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 200);
}

// A live server with one enrolled kiosk at 东湖 and the civilized-city form offered at every site.
struct Township {
  LiveServer live;
  server::StoredForm form = shippedForm("civilized-city");
  std::string token;
  explicit Township(server::ApiOptions options = {}) : live(options) {
    REQUIRE(live.store->addForm(form) == server::FormAdded::New);
    REQUIRE(live.store->activateForm(form.id, form.version, server::kAllSites, isoIn(std::chrono::seconds(0))));
    token = live.enroll("kiosk-1").token;
  }
  protocol::Envelope envelope(const std::string& answers = R"({"community":"donghu"})") {
    return envelopeFor(form, live.keys.publicKey, answers);
  }
};

}  // namespace

TEST_CASE("health answers without a token") {
  LiveServer live;
  auto res = live.client().Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = core::parseJsonText(res->body, nullptr);
  REQUIRE(body);
  CHECK((*body)["ok"] == true);
  CHECK((*body)["version"] == "test");
}

TEST_CASE("regression: health says what is wrong with a 503 when uploads would fail (a full disk answered ok)") {
  server::ApiOptions o;
  o.minFreeBytes = uint64_t{1} << 62;  // more than any disk has: the disk counts as full
  LiveServer live(o);
  auto res = live.client().Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 503);
  auto body = core::parseJsonText(res->body, nullptr);
  REQUIRE(body);
  CHECK((*body)["ok"] == false);
  CHECK((*body)["error"]["code"] == "disk_full");
  CHECK_THAT((*body)["error"]["message"].get<std::string>(), Contains("MB free"));
  // A healthy database with room to spare has nothing to report.
  CHECK_FALSE(live.store->writeProblem(0));
}

TEST_CASE("enrollment: a good code gives the device its token, site and the server's public key") {
  LiveServer live;
  const std::string code = addDeviceWithCode(*live.store, "kiosk-1", "huayuan-dqfwzx");
  // Typed in lower case with a space in place of the dash: still the same code.
  std::string typed = code;
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  typed[5] = ' ';
  auto res = postEnroll(live, typed);
  REQUIRE(res);
  REQUIRE(res->status == 200);
  std::string why;
  auto reply = protocol::parseEnrollReply(res->body, &why);
  REQUIRE(reply);
  CHECK(reply->deviceId == "kiosk-1");
  CHECK(reply->siteId == "huayuan-dqfwzx");
  CHECK(reply->siteName == "花园社区党群服务中心");
  CHECK(reply->publicKey == protocol::encodeKey(live.keys.publicKey));
  CHECK(reply->token.size() == 64);
  auto device = live.store->device("kiosk-1");
  REQUIRE(device);
  CHECK_FALSE(device->enrolledAt.empty());
  CHECK(device->appVersion == "0.1.0");
}

TEST_CASE("enrollment: a reused, expired or garbage code gets the same 401 bad_code") {
  LiveServer live;
  const std::string used = addDeviceWithCode(*live.store, "kiosk-1", "donghu-dqfwzx");
  REQUIRE(postEnroll(live, used)->status == 200);
  const std::string expired = addDeviceWithCode(*live.store, "kiosk-2", "donghu-dqfwzx", std::chrono::seconds(-1));
  std::vector<std::string> bodies;
  for (const std::string& code : {used, expired, std::string("ZZZZZ-ZZZZZ"), std::string("!!"), std::string("东湖")}) {
    auto res = postEnroll(live, code);
    REQUIRE(res);
    INFO("code " << code);
    CHECK(res->status == 401);
    CHECK(errorCode(res) == "bad_code");
    bodies.push_back(res->body);
  }
  for (const auto& b : bodies) CHECK(b == bodies[0]);  // nothing tells one refusal from another
  CHECK(live.store->device("kiosk-2")->enrolledAt.empty());
}

TEST_CASE("enrollment is rate-limited per client address") {
  server::ApiOptions options;
  options.enrollAttemptsPerWindow = 3;
  LiveServer live(options);
  for (int i = 0; i < 3; ++i) CHECK(postEnroll(live, "AAAAA-AAAAA")->status == 401);
  auto res = postEnroll(live, "AAAAA-AAAAA");
  REQUIRE(res);
  CHECK(res->status == 429);
  CHECK(errorCode(res) == "rate_limited");
  // Even a good code waits for the window to pass.
  const std::string code = addDeviceWithCode(*live.store, "kiosk-1", "donghu-dqfwzx");
  CHECK(postEnroll(live, code)->status == 429);
}

TEST_CASE("submissions: stored, then duplicate, the same id with other content is a conflict") {
  Township t;
  const auto a = t.envelope(), b = t.envelope(R"({"community":"donghu","volunteer":"yes"})");
  auto first = parseReply(postBatch(t.live, t.token, {a, b}), {a, b});
  CHECK(first.results[0].outcome == Outcome::Stored);
  CHECK(first.results[1].outcome == Outcome::Stored);
  auto stored = t.live.store->submission(a.id);
  REQUIRE(stored);
  CHECK(stored->deviceId == "kiosk-1");
  CHECK(stored->siteId == "donghu-dqfwzx");
  CHECK(stored->via == "network");
  CHECK(stored->answersJson == R"({"community":"donghu"})");

  auto changed = b;
  changed.createdAt = "2026-01-01T00:00:00.000Z";
  auto second = parseReply(postBatch(t.live, t.token, {a, changed}), {a, changed});
  CHECK(second.results[0].outcome == Outcome::Duplicate);
  CHECK(second.results[1].outcome == Outcome::Conflict);
  CHECK_FALSE(second.results[1].reason.empty());
  CHECK(t.live.store->submissionCount() == 2);
}

TEST_CASE("regression: a kiosk cannot send another kiosk's sealed answers as its own, nor under a new id") {
  Township t;
  const std::string other = t.live.enroll("kiosk-2", "huayuan-dqfwzx").token;
  // kiosk-1's complaint, seen on the wire (the envelope is in the clear; the answers are sealed).
  auto mine = t.envelope();
  mine.sealed = sealBound(mine, t.live.keys.publicKey, R"({"community":"donghu"})", "kiosk-1");
  auto stolen = parseReply(postBatch(t.live, other, {mine}), {mine});
  CHECK(stolen.results[0].outcome == Outcome::Rejected);
  CHECK_THAT(stolen.results[0].reason, Contains("sealed on kiosk kiosk-1, not on kiosk-2"));
  auto renamed = mine;
  renamed.id = uuid();
  auto replayed = parseReply(postBatch(t.live, t.token, {renamed}), {renamed});
  CHECK(replayed.results[0].outcome == Outcome::Rejected);
  CHECK_THAT(replayed.results[0].reason, Contains("belong to submission " + mine.id));
  // The genuine kiosk's upload is untouched by both: stored under its own site.
  auto genuine = parseReply(postBatch(t.live, t.token, {mine}), {mine});
  CHECK(genuine.results[0].outcome == Outcome::Stored);
  CHECK(t.live.store->submission(mine.id)->siteId == "donghu-dqfwzx");
  CHECK(t.live.store->submissionCount() == 1);
  // The refusal is what IT sees for kiosk-2 on the devices page.
  CHECK_THAT(t.live.store->device("kiosk-2")->lastRefusal, Contains("sealed on kiosk kiosk-1"));
}

TEST_CASE("submissions: unknown form, unopenable seal and answers that are not an object are rejected with reasons") {
  Township t;
  auto unknown = envelopeFor(smallForm("never-uploaded", 1), t.live.keys.publicKey);
  auto otherKey = envelopeFor(t.form, protocol::generateKeyPair().publicKey);
  auto notObject = t.envelope(R"("满意")");
  auto good = t.envelope();
  auto reply = parseReply(postBatch(t.live, t.token, {unknown, otherKey, notObject, good}),
                          {unknown, otherKey, notObject, good});
  CHECK(reply.results[0].outcome == Outcome::Rejected);
  CHECK_THAT(reply.results[0].reason, Contains("not on this server"));
  CHECK(reply.results[1].outcome == Outcome::Rejected);
  CHECK_THAT(reply.results[1].reason, Contains("do not open"));
  CHECK(reply.results[2].outcome == Outcome::Rejected);
  CHECK_THAT(reply.results[2].reason, Contains("not a JSON object"));
  CHECK(reply.results[3].outcome == Outcome::Stored);
  CHECK(t.live.store->submissionCount() == 1);
}

TEST_CASE("a wrong or missing token is 401 unauthorized, a revoked device's token is 401 revoked") {
  Township t;
  const auto e = t.envelope();
  auto wrong = postBatch(t.live, protocol::randomHex(32), {e});
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  CHECK(errorCode(wrong) == "unauthorized");
  auto none = t.live.client().Get("/api/v1/forms");
  REQUIRE(none);
  CHECK(none->status == 401);
  CHECK(errorCode(none) == "unauthorized");
  auto basic = t.live.client().Get("/api/v1/forms", httplib::Headers{{"Authorization", "Basic " + t.token}});
  CHECK(errorCode(basic) == "unauthorized");

  REQUIRE(t.live.store->revokeDevice("kiosk-1", isoIn(std::chrono::seconds(0))));
  std::vector<httplib::Result> replies;
  replies.push_back(postBatch(t.live, t.token, {e}));
  replies.push_back(t.live.client().Get("/api/v1/forms", bearer(t.token)));
  replies.push_back(t.live.client().Get("/api/v1/notices", bearer(t.token)));
  for (const auto& res : replies) {
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(errorCode(res) == "revoked");
  }
  CHECK(t.live.store->submissionCount() == 0);
}

TEST_CASE("a batch of 101, an empty batch, or a malformed envelope is refused whole with 400") {
  Township t;
  std::vector<protocol::Envelope> batch;
  for (int i = 0; i < 101; ++i) batch.push_back(t.envelope());
  auto big = postBatch(t.live, t.token, batch);
  REQUIRE(big);
  CHECK(big->status == 400);
  CHECK(errorCode(big) == "bad_request");
  CHECK_THAT(protocol::parseApiError(big->body)->message, Contains("101"));

  auto empty = postBatch(t.live, t.token, {});
  CHECK(empty->status == 400);

  batch.resize(3);
  batch[2].createdAt = "yesterday";
  auto malformed = postBatch(t.live, t.token, batch);
  CHECK(malformed->status == 400);
  CHECK_THAT(protocol::parseApiError(malformed->body)->message, Contains("submissions[2].created_at"));
  CHECK(t.live.store->submissionCount() == 0);
}

TEST_CASE("malformed JSON, invalid UTF-8, a body over the limit or an unknown path get 4xx and the server goes on") {
  server::ApiOptions options;
  options.maxRequestBytes = 64 * 1024;
  Township t(options);
  auto cli = t.live.client();
  const auto headers = bearer(t.token);

  auto notJson = cli.Post("/api/v1/submissions", headers, "{\"submissions\": [", kJson);
  CHECK(notJson->status == 400);
  CHECK(errorCode(notJson) == "bad_request");
  checkStillServing(t.live);

  auto badUtf8 = cli.Post("/api/v1/submissions", headers, "{\"submissions\": [\"\xc3\x28\"]}", kJson);
  CHECK(badUtf8->status == 400);
  CHECK(errorCode(badUtf8) == "bad_request");
  auto badEnroll = t.live.client().Post("/api/v1/enroll", "{\"code\": \"\xff\xff\"}", kJson);
  CHECK(badEnroll->status == 400);
  checkStillServing(t.live);

  auto deep = cli.Post("/api/v1/submissions", headers, std::string(5000, '[') + std::string(5000, ']'), kJson);
  CHECK(deep->status == 400);
  auto notObject = cli.Post("/api/v1/submissions", headers, "[1,2,3]", kJson);
  CHECK(notObject->status == 400);

  auto huge = cli.Post("/api/v1/submissions", headers, std::string(200 * 1024, ' '), kJson);
  REQUIRE(huge);
  CHECK(huge->status == 413);
  CHECK(errorCode(huge) == "too_large");
  checkStillServing(t.live);

  auto unknown = cli.Get("/api/v1/nothing-here", headers);
  CHECK(unknown->status == 404);
  CHECK(errorCode(unknown) == "not_found");

  auto badOutbox = cli.Get("/api/v1/forms", bearer(t.token, "many"));
  CHECK(badOutbox->status == 400);
  CHECK(errorCode(badOutbox) == "bad_request");
  checkStillServing(t.live);
}

TEST_CASE("forms: the site's active forms with an ETag, If-None-Match of that tag gets 304") {
  Township t;
  auto cli = t.live.client();
  auto res = cli.Get("/api/v1/forms", bearer(t.token));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  std::string why;
  auto reply = protocol::parseFormsReply(res->body, &why);
  REQUIRE(reply);
  REQUIRE(reply->forms.size() == 1);
  CHECK(reply->forms[0].id == "civilized-city");
  CHECK(reply->forms[0].json == t.form.json);  // exactly as staff uploaded it
  const std::string etag = res->get_header_value("ETag");
  REQUIRE_FALSE(etag.empty());

  auto headers = bearer(t.token);
  headers.emplace("If-None-Match", etag);
  auto same = cli.Get("/api/v1/forms", headers);
  REQUIRE(same);
  CHECK(same->status == 304);
  CHECK(same->body.empty());

  // A new form for 东湖 changes the reply, and so its tag.
  const auto quick = smallForm("quick", 1);
  REQUIRE(t.live.store->addForm(quick) == server::FormAdded::New);
  REQUIRE(t.live.store->activateForm("quick", 1, "donghu-dqfwzx", isoIn(std::chrono::seconds(0))));
  auto changed = cli.Get("/api/v1/forms", headers);
  REQUIRE(changed);
  CHECK(changed->status == 200);
  CHECK(changed->get_header_value("ETag") != etag);
  CHECK(protocol::parseFormsReply(changed->body, &why)->forms.size() == 2);
}

TEST_CASE("notices: published ones for the site with an ETag, 304 until one is added") {
  Township t;
  auto cli = t.live.client();
  auto empty = cli.Get("/api/v1/notices", bearer(t.token));
  REQUIRE(empty);
  REQUIRE(empty->status == 200);
  CHECK(protocol::parseNoticesReply(empty->body, nullptr)->notices.empty());

  protocol::Notice n;
  n.id = "notice-1";
  n.title = core::Json{{"zh-cn", "整改情况公示"}};
  n.body = core::Json{{"zh-cn", "楼道灯已修复。"}};
  n.publishedAt = isoIn(std::chrono::seconds(-60));
  REQUIRE(t.live.store->addNotice({n, {"donghu-dqfwzx"}}));
  auto res = cli.Get("/api/v1/notices", bearer(t.token));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  std::string why;
  auto reply = protocol::parseNoticesReply(res->body, &why);
  REQUIRE(reply);
  REQUIRE(reply->notices.size() == 1);
  CHECK(reply->notices[0].title["zh-cn"] == "整改情况公示");

  auto headers = bearer(t.token);
  headers.emplace("If-None-Match", "W/\"other\", " + res->get_header_value("ETag"));
  CHECK(cli.Get("/api/v1/notices", headers)->status == 304);
}

TEST_CASE("Minyi-Outbox is recorded with the time as the device's last contact") {
  Township t;
  CHECK(t.live.store->device("kiosk-1")->lastContact.empty());
  const auto e = t.envelope();
  parseReply(postBatch(t.live, t.token, {e}, "7"), {e});
  auto device = t.live.store->device("kiosk-1");
  CHECK_FALSE(device->lastContact.empty());
  CHECK(device->lastBacklog == 7);
  REQUIRE(t.live.client().Get("/api/v1/forms", bearer(t.token, "0"))->status == 200);
  CHECK(t.live.store->device("kiosk-1")->lastBacklog == 0);
  REQUIRE(t.live.client().Get("/api/v1/notices", bearer(t.token, ""))->status == 200);
  CHECK_FALSE(t.live.store->device("kiosk-1")->lastBacklog);  // not told: unknown, not a stale number
}

TEST_CASE("kiosks uploading at the same time each get every id answered, and everything is stored once") {
  Township t;
  std::vector<std::string> tokens{t.token};
  for (int k = 2; k <= 4; ++k) tokens.push_back(t.live.enroll("kiosk-" + std::to_string(k), "huayuan-dqfwzx").token);
  std::atomic<int> failures{0};
  std::vector<std::thread> kiosks;
  for (const std::string& token : tokens) {
    kiosks.emplace_back([&, token] {
      for (int round = 0; round < 5; ++round) {
        std::vector<protocol::Envelope> batch;
        for (int i = 0; i < 20; ++i) batch.push_back(t.envelope());
        std::vector<std::string> ids;
        for (const auto& e : batch) ids.push_back(e.id);
        auto res = t.live.client().Post("/api/v1/submissions", bearer(token),
                                        protocol::toJson(protocol::SubmissionBatch{batch}).dump(), kJson);
        auto reply = res && res->status == 200 ? protocol::parseBatchReply(res->body, ids, nullptr) : std::nullopt;
        if (!reply) ++failures;
        else
          for (const auto& r : reply->results)
            if (r.outcome != Outcome::Stored) ++failures;
      }
    });
  }
  for (auto& k : kiosks) k.join();
  CHECK(failures == 0);
  CHECK(t.live.store->submissionCount() == 4 * 5 * 20);
}
