// Slow and idle clients against the real server on loopback: caps per address, a deadline per request, and a
// kiosk, a staff member and a resident served while hundreds of sockets hang (issue #11 item 2).
#include "server_test_helpers.h"
#include "raw_connection.h"

#include <openssl/ssl.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <regex>
#include <thread>

#include "minyi/protocol/ticket.h"
#include "minyi/server/staff_auth.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kPassword = "correct horse 电池";

std::string from(int host) { return "127.0.0." + std::to_string(host); }

// A whole request over a fresh raw connection from 127.0.0.1 (no httplib client: with 1,000 sockets open in
// this process their numbers pass select()'s limit). The response, and how long it took.
struct Answer {
  std::string response;
  double seconds = 0;
};
Answer ask(int port, const std::string& request) {
  const auto start = Clock::now();
  RawConnection c(port, "127.0.0.1");
  c.send(request);
  Answer a;
  a.response = c.receive(std::chrono::milliseconds(10000));
  a.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return a;
}

// A server with an enrolled kiosk, the complaint form, an admin with a session, and one complaint filed.
struct Township {
  LiveServer live;
  server::StoredForm form = shippedForm("complaint");
  protocol::EnrollReply kiosk;
  std::string session, code, key;
  explicit Township(server::ApiOptions options) : live(options) {
    REQUIRE(live.store->addForm(form) == server::FormAdded::New);
    kiosk = live.enroll("kiosk-donghu", "donghu-dqfwzx");
    REQUIRE(live.store->addUser({"admin", server::Role::Admin, "管理员", server::hashPassword(kPassword),
                                 isoIn(std::chrono::seconds(0)), "", ""}));
    // Signed in as a browser would be.
    auto page = live.client().Get("/staff/login");
    REQUIRE(page);
    std::string loginCookie;
    for (const auto& [k, v] : page->headers)
      if (k == "Set-Cookie" && v.rfind("minyi_login=", 0) == 0) loginCookie = v.substr(12, v.find(';') - 12);
    std::smatch m;
    REQUIRE(std::regex_search(page->body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    auto signedIn = live.client().Post("/staff/login", {{"Cookie", "minyi_login=" + loginCookie}},
                                       httplib::Params{{"csrf", m[1].str()}, {"user", "admin"}, {"password", kPassword},
                                                       {"next", "/staff/results"}});
    REQUIRE(signedIn);
    REQUIRE(signedIn->status == 303);
    for (const auto& [k, v] : signedIn->headers)
      if (k == "Set-Cookie" && v.rfind("minyi_session=", 0) == 0) session = v.substr(14, v.find(';') - 14);
    REQUIRE_FALSE(session.empty());
    // A resident's complaint with its ticket, so the public page has something to show.
    code = *protocol::normalizeCrockford(protocol::makeTicketCode(static_cast<uint32_t>(kiosk.kioskNumber), 1));
    key = protocol::newTicketAccessKey();
    auto e = complaint();
    e.ticketCode = code;
    e.ticketKeySealed = protocol::seal(live.keys.publicKey, key);
    REQUIRE(statusOf(ask(live.port, upload({e})).response) == 200);
  }
  protocol::Envelope complaint() {
    return envelopeFor(form, live.keys.publicKey,
                       R"({"category":"hygiene","description":"楼道灯坏了","anonymous":true,"consent":true})");
  }
  std::string upload(const std::vector<protocol::Envelope>& batch) {
    const std::string body = protocol::toJson(protocol::SubmissionBatch{batch}).dump();
    return head("POST", "/api/v1/submissions",
                {"Authorization: Bearer " + kiosk.token, "Content-Type: application/json",
                 "Content-Length: " + std::to_string(body.size()), "Connection: close"}) +
           body;
  }
  std::string staffPage() const {
    return head("GET", "/staff/results", {"Cookie: minyi_session=" + session, "Connection: close"});
  }
  std::string publicPage() const { return head("GET", "/t/" + code + "?k=" + key, {"Connection: close"}); }
};

server::ApiOptions limits() {
  server::ApiOptions o;
  o.publicRequestsPerWindow = 1000;
  o.connections.headerDeadline = std::chrono::seconds(3);
  o.connections.bodyGrace = std::chrono::seconds(1);
  return o;
}

}  // namespace

TEST_CASE("500 idle sockets and 50 that drip headers do not hold up a kiosk upload, a staff page or the ticket page",
          "[api][hostile][slow]") {
  Township town(limits());
  const int port = town.live.port;
  // 500 sockets that never send a byte, ten from each of 50 addresses (under the per-address cap).
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 500; ++i) idle.push_back(std::make_unique<RawConnection>(port, from(10 + i / 10).c_str()));
  // 50 that send a header line every 300 ms and never finish, five from each of 10 addresses.
  std::vector<std::unique_ptr<RawConnection>> drip;
  for (int i = 0; i < 50; ++i) {
    drip.push_back(std::make_unique<RawConnection>(port, from(100 + i / 5).c_str()));
    drip.back()->send("GET /staff/results HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }
  std::atomic<bool> stop{false};
  std::atomic<int> cut{0};
  std::thread dripper([&] {
    std::vector<bool> alive(drip.size(), true);
    while (!stop) {
      for (size_t i = 0; i < drip.size(); ++i)
        if (alive[i] && !drip[i]->trySend("X-Slow: 1\r\n")) {
          alive[i] = false;
          ++cut;
        }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  // Every one of them accepted and waiting in the server.
  for (int i = 0; i < 100 && town.live.api->connections().open < 550; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(town.live.api->connections().open >= 550);

  // The three people the server is for, each well within a second.
  const Answer upload = ask(port, town.upload({town.complaint()}));
  const Answer staff = ask(port, town.staffPage());
  const Answer resident = ask(port, town.publicPage());
  CHECK(statusOf(upload.response) == 200);
  CHECK_THAT(upload.response, Contains("\"stored\""));
  CHECK(statusOf(staff.response) == 200);
  CHECK_THAT(staff.response, Contains("<!DOCTYPE html>"));
  CHECK(statusOf(resident.response) == 200);
  CHECK(upload.seconds < 2.0);
  CHECK(staff.seconds < 2.0);
  CHECK(resident.seconds < 2.0);

  // At the header deadline (3 s) every one of them is closed by the server: idle and drip alike.
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));
  stop = true;
  dripper.join();
  int idleClosed = 0;
  for (auto& c : idle) idleClosed += c->closedByServer() ? 1 : 0;
  CHECK(idleClosed == 500);
  CHECK(cut + 0 >= 45);  // a cut shows on the next send; the last ones may still be in flight
  CHECK(town.live.api->connections().timedOut >= 540);
  CHECK(town.live.api->connections().open <= 10);
}

TEST_CASE("one address gets its cap of connections and the next is answered 503 at once, others still get in",
          "[api][hostile][slow]") {
  server::ApiOptions o = limits();
  o.connections.perAddress = 5;
  Township town(o);
  std::vector<std::unique_ptr<RawConnection>> mine;
  for (int i = 0; i < 5; ++i) mine.push_back(std::make_unique<RawConnection>(town.live.port, "127.0.0.20"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawConnection sixth(town.live.port, "127.0.0.20");
  const auto start = Clock::now();
  const std::string refused = sixth.receive(std::chrono::milliseconds(2000));
  CHECK(statusOf(refused) == 503);
  CHECK_THAT(refused, Contains("\"busy\""));
  CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 1.0);
  CHECK(town.live.api->connections().refused >= 1);
  // Another address is not affected.
  CHECK(statusOf(ask(town.live.port, town.publicPage()).response) == 200);
  // And once one of the five goes, the address may open another.
  mine.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  RawConnection again(town.live.port, "127.0.0.20");
  again.send(head("GET", "/api/v1/health", {"Connection: close"}));
  CHECK(statusOf(again.receive()) == 200);
}

TEST_CASE("a body sent below the minimum rate is cut at its deadline and never holds the only worker",
          "[api][hostile][slow]") {
  server::ApiOptions o = limits();
  o.threads = 1;  // one worker slot: a slow body holding it would stop everything
  o.connections.minBodyBytesPerSecond = 20000;
  Township town(o);
  // 40,000 bytes announced: due 1 s + 2 s after the headers; sent at 100 bytes every 100 ms.
  RawConnection slow(town.live.port, "127.0.0.30");
  slow.send(head("POST", "/api/v1/submissions",
                 {"Authorization: Bearer " + town.kiosk.token, "Content-Type: application/json", "Content-Length: 40000"}));
  const auto start = Clock::now();
  std::atomic<bool> cutOff{false};
  std::thread sender([&] {
    for (int i = 0; i < 400 && !cutOff; ++i) {
      if (!slow.trySend(std::string(100, ' '))) cutOff = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const Answer health = ask(town.live.port, head("GET", "/api/v1/health", {"Connection: close"}));
  CHECK(statusOf(health.response) == 200);
  CHECK(health.seconds < 1.0);
  sender.join();
  const double cutAfter = std::chrono::duration<double>(Clock::now() - start).count();
  CHECK(cutOff);
  CHECK(cutAfter < 6.0);  // due at 3 s; a send notices the close a moment later
  CHECK(town.live.api->connections().timedOut >= 1);
  CHECK(town.live.store->submissionCount() == 1);  // the township's own complaint, nothing of the slow one
}

namespace {

// A TLS client that completes the handshake and then sends a request head a line at a time, as a slow or
// hostile client would over HTTPS (OpenSSL directly: httplib's client sends whole requests only).
class TlsDrip {
 public:
  TlsDrip(SSL_CTX* ctx, int port, const char* from) : raw_(port, from) {
    ssl_ = SSL_new(ctx);
    REQUIRE(ssl_);
    REQUIRE(SSL_set_fd(ssl_, raw_.fd()) == 1);
    REQUIRE(SSL_connect(ssl_) == 1);
  }
  ~TlsDrip() { SSL_free(ssl_); }
  bool send(const std::string& text) { return SSL_write(ssl_, text.data(), static_cast<int>(text.size())) > 0; }

 private:
  RawConnection raw_;
  SSL* ssl_ = nullptr;
};

}  // namespace

TEST_CASE("under built-in HTTPS the same caps and deadlines hold: silent sockets, half handshakes and dripped headers are cut",
          "[api][hostile][slow]") {
  TempDir dir;
  const std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
                          " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  server::ApiOptions o = limits();
  o.tlsCertFile = cert;
  o.tlsKeyFile = key;
  o.connections.perAddress = 10;
  auto keys = protocol::generateKeyPair();
  auto store = openTownship(dir.file("data"));
  const server::StoredForm form = shippedForm("complaint");
  REQUIRE(store->addForm(form) == server::FormAdded::New);
  server::ApiServer api(*store, keys, o);
  const int port = api.bind("127.0.0.1", 0);
  REQUIRE(port > 0);
  REQUIRE(api.tls());
  std::thread serving([&] { api.run(); });
  auto client = [&] {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
    c->set_ca_cert_path(cert.c_str());
    c->enable_server_certificate_verification(true);
    c->set_read_timeout(std::chrono::seconds(10));
    return c;
  };
  // A kiosk enrolled over HTTPS.
  const std::string enrollCode = addDeviceWithCode(*store, "kiosk-tls", "donghu-dqfwzx");
  auto enrolled = client()->Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{enrollCode, "0.1.0", ""}).dump(),
                                "application/json");
  REQUIRE(enrolled);
  REQUIRE(enrolled->status == 200);
  const auto kiosk = protocol::parseEnrollReply(enrolled->body, nullptr);
  REQUIRE(kiosk);

  // 100 sockets that never start TLS, 20 that send half a ClientHello, 10 that finish the handshake and
  // then drip header lines: each address under its cap of 10.
  std::vector<std::unique_ptr<RawConnection>> silent, halfHello;
  for (int i = 0; i < 100; ++i) silent.push_back(std::make_unique<RawConnection>(port, from(10 + i / 10).c_str()));
  for (int i = 0; i < 20; ++i) {
    halfHello.push_back(std::make_unique<RawConnection>(port, from(40 + i / 10).c_str()));
    halfHello.back()->send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  }
  SSL_CTX* clientCtx = SSL_CTX_new(TLS_client_method());
  REQUIRE(clientCtx);
  std::vector<std::unique_ptr<TlsDrip>> drip;
  for (int i = 0; i < 10; ++i) {
    drip.push_back(std::make_unique<TlsDrip>(clientCtx, port, from(60).c_str()));
    REQUIRE(drip.back()->send("GET /staff/results HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  for (int i = 0; i < 100 && api.connections().open < 130; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(api.connections().open >= 130);

  // A kiosk's upload and the health check go through meanwhile.
  const auto start = Clock::now();
  protocol::Envelope e = envelopeFor(form, keys.publicKey,
                                     R"({"category":"hygiene","description":"楼道灯坏了","anonymous":true,"consent":true})");
  auto uploaded = client()->Post("/api/v1/submissions", {{"Authorization", "Bearer " + kiosk->token}},
                                protocol::toJson(protocol::SubmissionBatch{{e}}).dump(), "application/json");
  REQUIRE(uploaded);
  CHECK(uploaded->status == 200);
  CHECK_THAT(uploaded->body, Contains("\"stored\""));
  auto health = client()->Get("/api/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 2.0);

  // One more from a full address is closed at once (a plain 503 would mean nothing to a TLS client).
  RawConnection eleventh(port, from(60).c_str());
  CHECK(eleventh.closedByServer());
  CHECK(api.connections().refused >= 1);

  // By the header deadline (3 s) every slow one is closed: silent, half handshakes, dripped headers.
  int dripCut = 0;
  for (int round = 0; round < 15; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (auto& d : drip) d->send("X-Slow: 1\r\n");
  }
  for (auto& d : drip) dripCut += d->send("X-Slow: 1\r\n") ? 0 : 1;
  int silentClosed = 0, halfClosed = 0;
  for (auto& c : silent) silentClosed += c->closedByServer() ? 1 : 0;
  for (auto& c : halfHello) halfClosed += c->closedByServer() ? 1 : 0;
  CHECK(silentClosed == 100);
  CHECK(halfClosed == 20);
  CHECK(dripCut == 10);
  CHECK(api.connections().timedOut >= 130);
  SSL_CTX_free(clientCtx);
  api.stop();
  serving.join();
}
