// Benchmark: minyi-server ingest over real HTTP on loopback against DESIGN.md §10 (batches of 100; one per request).
// Usage: bench_server_ingest [--dir FOLDER] [--batches N]   (FOLDER: on the disk to measure; default a temp folder)
#include <httplib.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "minyi/core/json_input.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/times.h"
#include "minyi/server/api_server.h"
#include "minyi/server/places.h"
#include "minyi/server/server_store.h"
#include "minyi/store/store.h"

namespace {

using namespace minyi;
using Timer = std::chrono::steady_clock;
constexpr double kBatchBudget = 5000;   // submissions/s, batches of 100, 2 cores
constexpr double kSingleBudget = 2000;  // submissions/s, one per request, 8 clients

// Request bodies made before the clock starts: sealing is the kiosk's work, not the server's. The answers are
// the civilized-city form's, about 1 KB, in a few variants, so the server counts real answers as it stores them.
std::vector<std::string> makeBodies(const server::StoredForm& form, const protocol::PublicKey& key, int requests,
                                    int perRequest) {
  const char* communities[] = {"donghu", "donglian", "huayuan"};
  const char* levels[] = {"satisfied", "basically_satisfied", "unsatisfied"};
  std::vector<std::string> bodies;
  for (int r = 0; r < requests; ++r) {
    protocol::SubmissionBatch b;
    for (int i = 0; i < perRequest; ++i) {
      const int v = r * perRequest + i;
      core::Json answers = {
          {"community", communities[v % 3]},
          {"satisfaction", {{"sanitation", levels[v % 3]}, {"greening", levels[(v / 3) % 3]},
                            {"hallway_lights", levels[(v / 9) % 3]}, {"fire_lanes_parking", levels[(v / 2) % 3]},
                            {"volunteer_service", levels[(v / 5) % 3]}}},
          {"unsatisfied_detail", "3号楼2单元楼道灯坏了一个多月，晚上上下楼看不见。"},
          {"priorities", core::Json::array({"dark_hallways", v % 2 ? "blocked_fire_lanes" : "flying_wire"})},
          {"awareness", v % 4 ? "aware" : "heard_of"},
          {"volunteered", v % 3 == 0},
          {"suggestions", "希望多组织几次“红马甲”清洁活动，我愿意参加。环境卫生有改善，楼道灯还没修好。" + std::string(500, '.')}};
      protocol::Envelope e;
      e.id = store::newSubmissionId();  // as the kiosk makes them
      e.formId = form.id;
      e.formVersion = form.version;
      e.formHash = form.hash;
      e.kind = form.kind;
      e.createdAt = protocol::isoUtc(std::chrono::system_clock::now());
      e.sealed = protocol::sealAnswers(key, {e.id, e.formId, e.formVersion, ""}, answers);
      b.submissions.push_back(std::move(e));
    }
    bodies.push_back(protocol::toJson(b).dump());
  }
  return bodies;
}

// Posts every body from `clients` threads; returns seconds taken, or -1 when any reply was not all stored.
double post(int port, const std::string& token, const std::vector<std::string>& bodies, int clients) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  const auto start = Timer::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client cli("127.0.0.1", port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);  // as libcurl, the kiosk's client, does by default
      const httplib::Headers h{{"Authorization", "Bearer " + token}, {"Minyi-Outbox", "0"}};
      for (size_t i = next++; i < bodies.size(); i = next++) {
        auto res = cli.Post("/api/v1/submissions", h, bodies[i], "application/json");
        if (!res || res->status != 200 || res->body.find("\"status\":\"stored\"") == std::string::npos ||
            res->body.find("\"rejected\"") != std::string::npos)
          failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) return -1;
  return std::chrono::duration<double>(Timer::now() - start).count();
}

// The baseline: the same request bodies' submissions inserted straight into a bare SQLite table on the same
// disk, 100 per transaction, WAL with synchronous=FULL as the server runs — what storing costs with no HTTP,
// parsing, unsealing, checking or counting. Returns submissions per second.
double rawSqliteRate(const std::string& folder, const std::vector<std::string>& bodies) {
  std::vector<protocol::Envelope> all;
  for (const std::string& body : bodies)
    if (auto b = protocol::parseSubmissionBatch(body, nullptr))
      for (auto& e : b->submissions) all.push_back(std::move(e));
  sqlite3* db = nullptr;
  sqlite3_open((folder + "/raw-baseline.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                   "CREATE TABLE s (id TEXT PRIMARY KEY, form_id TEXT, form_version INTEGER, form_hash TEXT, kind TEXT,"
                   " created_at TEXT, sealed BLOB) STRICT;",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO s VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st, nullptr);
  const auto start = Timer::now();
  for (size_t i = 0; i < all.size(); ++i) {
    if (i % 100 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    const protocol::Envelope& e = all[i];
    sqlite3_bind_text(st, 1, e.id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e.formId.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, e.formVersion);
    sqlite3_bind_text(st, 4, e.formHash.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e.kind.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e.createdAt.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, e.sealed.data(), static_cast<int>(e.sealed.size()), SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_reset(st);
    if (i % 100 == 99 || i + 1 == all.size()) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double secs = std::chrono::duration<double>(Timer::now() - start).count();
  sqlite3_finalize(st);
  sqlite3_close(db);
  return all.size() / secs;
}

}  // namespace

int main(int argc, char** argv) {
  std::string folder;
  int batches = 100;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) folder = argv[++i];
    else if (a == "--batches" && i + 1 < argc) batches = std::max(10, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: bench_server_ingest [--dir FOLDER] [--batches N]\n");
      return 2;
    }
  }
  const bool ownFolder = folder.empty();
  if (ownFolder) folder = (std::filesystem::temp_directory_path() / ("minyi-bench-" + protocol::randomHex(4))).string();
  std::filesystem::create_directories(folder);
  int exitCode = 0;
  {
    auto store = server::openDataFolder(folder + "/data");
    server::addPlaces(*store, server::demoTownship());
    const auto keys = protocol::generateKeyPair();
    std::string why;
    auto text = core::readTextFile(std::string(MINYI_ASSETS_DIR) + "/forms/civilized-city.json", &why, 4 << 20);
    if (!text) {
      std::fprintf(stderr, "bench_server_ingest: %s\n", why.c_str());
      return 1;
    }
    server::StoredForm form;
    form.id = "civilized-city";
    form.version = 1;
    form.kind = "survey";
    form.json = *text;
    form.hash = protocol::formContentHash(form.json);
    form.uploadedAt = protocol::isoUtc(std::chrono::system_clock::now());
    store->addForm(form);
    const std::string code = protocol::randomCrockford(10);
    store->addDevice({"bench-kiosk", "donghu-dqfwzx", "", protocol::sha256Hex(code),
                      protocol::isoUtc(std::chrono::system_clock::now() + std::chrono::hours(1)),
                      protocol::isoUtc(std::chrono::system_clock::now())});
    server::ApiOptions options;
    options.version = "bench";
    options.threads = 8;
    server::ApiServer api(*store, keys, options);
    const int port = api.bind("127.0.0.1", 0);
    std::thread serving([&] { api.run(); });
    httplib::Client cli("127.0.0.1", port);
    auto enrolled = cli.Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{code, "bench", ""}).dump(),
                             "application/json");
    auto reply = enrolled ? protocol::parseEnrollReply(enrolled->body, nullptr) : std::nullopt;
    if (!reply) {
      std::fprintf(stderr, "bench_server_ingest: enrollment failed\n");
      exitCode = 1;
    } else {
      const auto batchBodies = makeBodies(form, keys.publicKey, batches, 100);
      const double rawRate = rawSqliteRate(folder, batchBodies);
      const double batchSecs = post(port, reply->token, batchBodies, 2);
      const auto singleBodies = makeBodies(form, keys.publicKey, batches * 10, 1);
      const double singleSecs = post(port, reply->token, singleBodies, 8);
      if (batchSecs < 0 || singleSecs < 0) {
        std::fprintf(stderr, "bench_server_ingest: a reply did not store every submission\n");
        exitCode = 1;
      } else {
        const double batchRate = batches * 100 / batchSecs, singleRate = batches * 10 / singleSecs;
        std::printf("raw SQLite insert, 100 per transaction:   %8.0f submissions/s (baseline, same disk, same run)\n", rawRate);
        std::printf("server ingest, batches of 100, 2 clients: %8.0f submissions/s (ratio to raw %.2f; budget >= %.0f: %s)\n",
                    batchRate, batchRate / rawRate, kBatchBudget, batchRate >= kBatchBudget ? "ok" : "OVER BUDGET");
        std::printf("server ingest, 1 per request, 8 clients:  %8.0f submissions/s (budget >= %.0f: %s)\n", singleRate,
                    kSingleBudget, singleRate >= kSingleBudget ? "ok" : "OVER BUDGET");
        std::printf("stored: %lld submissions in %s\n", static_cast<long long>(store->submissionCount()), folder.c_str());
      }
    }
    api.stop();
    serving.join();
  }
  if (ownFolder) std::filesystem::remove_all(folder);
  return exitCode;
}
