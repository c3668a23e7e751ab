// Shared helpers for server tests: the storage backends under test, sample forms and sealed submissions, a live server.
#pragma once
#include <catch2/catch.hpp>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../store/store_test_helpers.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/times.h"
#include "minyi/server/api_server.h"
#include "minyi/server/places.h"
#include "minyi/server/server_store.h"

namespace minyi::test {

// Every ServerStore implementation runs the same contract suite. A backend opens the store kept in
// `folder`; opening the same folder again must show the same data. A PostgreSQL backend joins this list.
struct Backend {
  const char* name;
  std::function<std::unique_ptr<server::ServerStore>(const std::string& folder)> open;
};
inline std::vector<Backend> backends() {
  return {{"sqlite", [](const std::string& folder) { return server::openSqliteStore(folder + "/server.db"); }}};
}

// A data folder's store with the demo township's communities and sites, as most tests start (a new store has no
// places; a township adds its own).
inline std::unique_ptr<server::ServerStore> openTownship(const std::string& dataDir) {
  auto store = server::openDataFolder(dataDir);
  server::addPlaces(*store, server::demoTownship());
  return store;
}

// The same over a contract backend's new store.
inline std::unique_ptr<server::ServerStore> openTownship(const Backend& b, const std::string& folder) {
  auto store = b.open(folder);
  server::addPlaces(*store, server::demoTownship());
  return store;
}

// A database file made from an SQL text file (tests/data/*.sql), as a server's disk would hold it.
inline void loadSqlFile(const std::string& sqlFile, const std::string& db) {
  const std::string sql = readFile(sqlFile);
  REQUIRE(!sql.empty());
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(raw);
  REQUIRE(rc == SQLITE_OK);
}

inline std::string isoIn(std::chrono::seconds fromNow) {
  return protocol::isoUtc(std::chrono::system_clock::now() + fromNow);
}

// A shipped form as staff would upload it.
inline server::StoredForm shippedForm(const std::string& name) {
  std::string why;
  auto text = core::readTextFile(std::string(MINYI_ASSETS_DIR) + "/forms/" + name + ".json", &why, 4 << 20);
  if (!text) FAIL(why);
  auto json = core::parseJsonText(*text, &why);
  if (!json) FAIL(why);
  server::StoredForm f;
  f.id = (*json)["minyi"]["id"].get<std::string>();
  f.version = (*json)["minyi"]["version"].get<int>();
  f.kind = (*json)["minyi"]["kind"].get<std::string>();
  f.hash = protocol::formContentHash(*text);
  f.json = *text;
  f.uploadedAt = protocol::isoUtc(std::chrono::system_clock::now());
  return f;
}

// A small form of our own, so tests can make versions with different content.
inline server::StoredForm smallForm(const std::string& id, int version, const std::string& title = "满意度") {
  server::StoredForm f;
  f.id = id;
  f.version = version;
  f.kind = "survey";
  f.json = core::Json{{"title", title}, {"minyi", {{"id", id}, {"version", version}, {"kind", "survey"}}},
                      {"pages", core::Json::array()}}.dump();
  f.hash = protocol::formContentHash(f.json);
  f.uploadedAt = protocol::isoUtc(std::chrono::system_clock::now());
  return f;
}

// A fresh submission id, made as the kiosk makes it.
inline std::string uuid() { return store::newSubmissionId(); }

// Answers sealed to `to` bound to envelope `e` as a kiosk binds them (protocol::sealAnswers), from their
// text as given: a test can seal text that is not JSON too. `device`: the kiosk's id once enrolled.
inline std::string sealBound(const protocol::Envelope& e, const protocol::PublicKey& to, const std::string& answers,
                             const std::string& device = "") {
  const core::Json binding = {{"seal", protocol::kAnswersSealFormat}, {"id", e.id}, {"form", e.formId},
                              {"version", e.formVersion}, {"device", device}};
  std::string text = binding.dump();
  text.pop_back();  // its closing brace: the answers go last, as they are
  return protocol::seal(to, text + ",\"answers\":" + answers + "}");
}

// An envelope as a kiosk makes it: answers sealed to `to` for the given form, bound to the envelope.
inline protocol::Envelope envelopeFor(const server::StoredForm& form, const protocol::PublicKey& to,
                                      const std::string& answers = R"({"rating":"满意","comment":"楼道灯修好了"})") {
  protocol::Envelope e;
  e.id = uuid();
  e.formId = form.id;
  e.formVersion = form.version;
  e.formHash = form.hash;
  e.kind = form.kind;
  e.createdAt = protocol::isoUtc(std::chrono::system_clock::now());
  e.sealed = sealBound(e, to, answers);
  return e;
}

// A complaint as the kiosk sends it: the shipped complaint form's answers sealed, the ticket's code and its
// access key sealed beside them.
struct Complaint {
  protocol::Envelope envelope;
  std::string code, key;
};
inline Complaint complaint(const server::StoredForm& form, const protocol::PublicKey& to, uint32_t kiosk, uint32_t serial,
                           const core::Json& answers) {
  Complaint c;
  c.envelope = envelopeFor(form, to, answers.dump());
  c.code = *protocol::normalizeCrockford(protocol::makeTicketCode(kiosk, serial));
  c.key = protocol::newTicketAccessKey();
  c.envelope.ticketCode = c.code;
  c.envelope.ticketKeySealed = protocol::seal(to, c.key);
  return c;
}

// A device added to the store with a one-time code; returns the code as staff would read it.
inline std::string addDeviceWithCode(server::ServerStore& store, const std::string& id, const std::string& site,
                                     std::chrono::seconds validFor = std::chrono::hours(24)) {
  const std::string code = protocol::randomCrockford(10);
  server::NewDevice d{id, site, "终端 " + id, protocol::sha256Hex(code), isoIn(validFor), isoIn(std::chrono::seconds(0))};
  REQUIRE(store.addDevice(d));
  return protocol::groupCode(code);
}

// The real minyi-server API on a loopback port chosen at run time, with its own data folder and key pair, and
// the demo township's places unless `places` is false (a new township's server).
class LiveServer {
 public:
  explicit LiveServer(server::ApiOptions options = {}, bool places = true) {
    keys = protocol::generateKeyPair();
    store = places ? openTownship(dir.file("data")) : server::openDataFolder(dir.file("data"));
    if (options.version.empty()) options.version = "test";
    api = std::make_unique<server::ApiServer>(*store, keys, options);
    port = api->bind("127.0.0.1", 0);
    REQUIRE(port > 0);
    thread = std::thread([this] { api->run(); });
  }
  ~LiveServer() {
    api->stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(std::chrono::seconds(20));
    c.set_write_timeout(std::chrono::seconds(20));
    return c;
  }
  // Enrolls a new device at `site` over HTTP and returns its reply.
  protocol::EnrollReply enroll(const std::string& deviceId, const std::string& site = "donghu-dqfwzx") {
    const std::string code = addDeviceWithCode(*store, deviceId, site);
    auto res = client().Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{code, "0.1.0", ""}).dump(),
                             "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    std::string why;
    auto reply = protocol::parseEnrollReply(res->body, &why);
    if (!reply) FAIL(why);
    return *reply;
  }

  TempDir dir;
  protocol::KeyPair keys;
  std::unique_ptr<server::ServerStore> store;
  std::unique_ptr<server::ApiServer> api;
  int port = -1;

 private:
  std::thread thread;
};

}  // namespace minyi::test
