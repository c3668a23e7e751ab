// Benchmark: a kiosk drains a 10,000-submission backlog to a local minyi-server (DESIGN.md §10: ≤ 10 s), against
// the same number of submissions posted straight over HTTP in the same run (what the server alone costs).
// Usage: bench_sync_drain [--backlog N]
#include <httplib.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/times.h"
#include "minyi/server/api_server.h"
#include "minyi/server/places.h"
#include "minyi/server/server_store.h"
#include "minyi/store/store.h"
#include "minyi/sync/uploader.h"

namespace {

using namespace minyi;
using Timer = std::chrono::steady_clock;
constexpr double kBudgetSeconds = 10;
const std::string kAnswers = R"({"community":"donghu","q1":"satisfied","q2":4,"comment":"楼道灯还没修好"})";

double seconds(Timer::time_point since) { return std::chrono::duration<double>(Timer::now() - since).count(); }

protocol::Envelope envelope(const server::StoredForm& form, const protocol::PublicKey& key) {
  const std::string id = store::newSubmissionId();
  return protocol::Envelope{id, form.id, form.version, form.hash, form.kind,
                            protocol::isoUtc(std::chrono::system_clock::now()), {},
                            protocol::sealAnswers(key, {id, form.id, form.version, ""}, core::Json::parse(kAnswers)), {}, {}};
}

}  // namespace

int main(int argc, char** argv) {
  int backlog = 10000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--backlog" && i + 1 < argc) backlog = std::max(100, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: bench_sync_drain [--backlog N]\n");
      return 2;
    }
  }
  const auto folder = std::filesystem::temp_directory_path() / ("minyi-bench-drain-" + protocol::randomHex(4));
  std::filesystem::create_directories(folder);
  int exitCode = 0;
  {
    // The township server, in this process, on a loopback port.
    auto serverStore = server::openDataFolder((folder / "data").string());
    server::addPlaces(*serverStore, server::demoTownship());
    const auto keys = protocol::generateKeyPair();
    server::StoredForm form{"bench", 1, "", "survey", R"({"minyi":{"id":"bench","version":1},"pages":[]})",
                            protocol::isoUtc(std::chrono::system_clock::now())};
    form.hash = protocol::formContentHash(form.json);
    serverStore->addForm(form);
    std::vector<std::string> codes;
    for (const char* id : {"baseline", "kiosk"}) {
      codes.push_back(protocol::randomCrockford(10));
      serverStore->addDevice({id, "donghu-dqfwzx", "", protocol::sha256Hex(codes.back()),
                              protocol::isoUtc(std::chrono::system_clock::now() + std::chrono::hours(1)),
                              protocol::isoUtc(std::chrono::system_clock::now())});
    }
    server::ApiOptions options;
    options.version = "bench";
    server::ApiServer api(*serverStore, keys, options);
    const int port = api.bind("127.0.0.1", 0);
    std::thread serving([&] { api.run(); });
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    httplib::Client cli("127.0.0.1", port);
    auto enroll = [&](const std::string& code) {
      auto r = cli.Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{code, "bench", ""}).dump(), "application/json");
      return r ? protocol::parseEnrollReply(r->body, nullptr) : std::nullopt;
    };
    const auto baselineDevice = enroll(codes[0]);
    const auto kioskDevice = enroll(codes[1]);

    // The kiosk's backlog: `backlog` sealed submissions waiting in its outbox (written in one transaction;
    // how fast the kiosk commits is bench_store_commit's business).
    store::StoreError se;
    auto kiosk = store::KioskStore::open((folder / "kiosk.db").string(), &se);
    if (!kiosk || !baselineDevice || !kioskDevice) {
      std::fprintf(stderr, "bench_sync_drain: set-up failed\n");
      return 1;
    }
    kiosk->saveForm({form.id, form.version, form.hash, form.kind, form.json, true, {}});
    kiosk->setSetting(sync::keys::kServerUrl, url);
    kiosk->setSetting(sync::keys::kDeviceId, kioskDevice->deviceId);
    kiosk->setSetting(sync::keys::kToken, kioskDevice->token);
    {
      sqlite3* db = nullptr;
      sqlite3_open((folder / "kiosk.db").c_str(), &db);
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db,
                         "INSERT INTO submissions (id, form_id, form_version, form_hash, kind, created_at, payload) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         -1, &st, nullptr);
      for (int i = 0; i < backlog; ++i) {
        const protocol::Envelope e = envelope(form, keys.publicKey);
        sqlite3_bind_text(st, 1, e.id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, e.formId.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, e.formVersion);
        sqlite3_bind_text(st, 4, e.formHash.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, e.kind.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, store::isoUtc(std::chrono::system_clock::now()).c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 7, e.sealed.data(), static_cast<int>(e.sealed.size()), SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_reset(st);
      }
      sqlite3_finalize(st);
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      sqlite3_close(db);
    }

    // Baseline: the same number of submissions in batches of 100, made beforehand and posted straight.
    std::vector<std::string> bodies;
    for (int b = 0; b < backlog / 100; ++b) {
      protocol::SubmissionBatch batch;
      for (int i = 0; i < 100; ++i) batch.submissions.push_back(envelope(form, keys.publicKey));
      bodies.push_back(protocol::toJson(batch).dump());
    }
    const httplib::Headers h{{"Authorization", "Bearer " + baselineDevice->token}};
    auto t0 = Timer::now();
    bool ok = true;
    for (const auto& body : bodies) {
      auto r = cli.Post("/api/v1/submissions", h, body, "application/json");
      ok = ok && r && r->status == 200;
    }
    const double baseline = seconds(t0);

    // The kiosk's uploader over libcurl: read the outbox, build batches, post, mark sent.
    sync::Uploader uploader(*kiosk, sync::makeCurlTransport());
    t0 = Timer::now();
    const bool drained = uploader.runOnce(false);
    const double drain = seconds(t0);
    const auto counts = kiosk->counts();
    if (!ok || !drained || !counts.ok() || counts.value().pending != 0 || counts.value().sent != backlog) {
      std::fprintf(stderr, "bench_sync_drain: the backlog was not drained (%s)\n", uploader.status().detail.c_str());
      exitCode = 1;
    } else {
      std::printf("Minyi sync benchmark (kiosk uploader over libcurl → minyi-server on loopback, SQLite both ends)\n");
      std::printf("drain a %d-submission backlog   %7.2f s   baseline %6.2f s (the same batches posted straight)   "
                  "ratio %5.2f   budget %5.1f s   %s\n",
                  backlog, drain, baseline, drain / baseline, kBudgetSeconds, drain <= kBudgetSeconds ? "OK" : "OVER");
      std::printf("server now holds %lld submissions\n", static_cast<long long>(serverStore->submissionCount()));
    }
    api.stop();
    serving.join();
  }
  std::filesystem::remove_all(folder);
  return exitCode;
}
