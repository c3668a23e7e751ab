// Benchmark: the dashboard against DESIGN.md §10 — CSV export of 50,000, a 100-row page at 50,000, results over 1,000,000.
// Usage: bench_dashboard [--dir FOLDER] [--total N]   (N: submissions for the results page, default 1,000,000)
// Each figure is printed with a baseline measured in the same run on the same data, the ratio, and the budget.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "minyi/core/json_input.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/times.h"
#include "minyi/server/api_server.h"
#include "minyi/server/demo_data.h"
#include "minyi/server/export.h"
#include "minyi/server/places.h"
#include "minyi/server/results.h"
#include "minyi/server/server_store.h"
#include "minyi/server/staff_auth.h"
#include "minyi/store/store.h"

namespace {

using namespace minyi;
using Clock = std::chrono::steady_clock;

constexpr double kCsvBudget = 0.65;      // s, 50,000 submissions
constexpr double kPageBudget = 0.020;    // s, 100 rows at 50,000 stored
constexpr double kResultsBudget = 0.300; // s, results page over 1,000,000

template <typename F>
double seconds(F&& f) {
  const auto t = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The median of `runs` timings: one slow run on a shared machine does not decide.
template <typename F>
double median(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) t.push_back(seconds(f));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void report(const char* what, double value, double baseline, const char* baselineWhat, double budget) {
  std::printf("%-44s %8.1f ms  (baseline %s %.1f ms, ratio %.1fx; budget <= %.0f ms: %s)\n", what, value * 1000,
              baselineWhat, baseline * 1000, baseline > 0 ? value / baseline : 0.0, budget * 1000,
              value <= budget ? "ok" : "OVER BUDGET");
}

// Stores submissions of the civilized-city form until the store holds `target`: realistic answers from the demo
// generator, counted with the same tallyAnswers as ingest, written with the store's own ingest in batches.
void fillTo(server::ServerStore& store, const server::StoredForm& form, const server::LoadedForm& loaded, int64_t target,
            std::mt19937& rng) {
  const auto sites = store.sites();
  const std::string sealed(900, 's');  // the sealed bytes are only stored here, never opened
  const auto now = std::chrono::system_clock::now();
  int64_t have = store.submissionCount();
  std::vector<server::IncomingSubmission> batch;
  while (have < target) {
    batch.clear();
    for (int i = 0; i < 1000 && have + static_cast<int64_t>(batch.size()) < target; ++i) {
      const auto& site = sites[rng() % sites.size()];
      protocol::Envelope e;
      e.id = store::newSubmissionId();
      e.formId = form.id;
      e.formVersion = form.version;
      e.formHash = form.hash;
      e.kind = form.kind;
      e.createdAt = protocol::isoUtc(now - std::chrono::minutes(rng() % (60 * 24 * 7 * 52)));
      e.sealed = sealed + e.id;
      const core::Json answers = server::demoAnswers(*loaded.form, rng, {0.7, site.communityId});
      server::IncomingSubmission s{e, protocol::sha256Hex(e.id), answers.dump(), "bench-kiosk", site.id, "network",
                                   protocol::isoUtc(now), server::weekOf(e.createdAt), server::tallyAnswers(loaded, answers), {}};
      batch.push_back(std::move(s));
    }
    store.ingest(batch, std::nullopt);
    have += static_cast<int64_t>(batch.size());
  }
}

// A signed-in staff browser over HTTP.
struct Browser {
  int port;
  std::string cookie;
  bool login(const std::string& user, const std::string& password) {
    httplib::Client c("127.0.0.1", port);
    auto page = c.Get("/staff/login");
    if (!page) return false;
    std::smatch m;
    if (!std::regex_search(page->body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) return false;
    const std::string token = m[1];
    auto res = c.Post("/staff/login", httplib::Headers{{"Cookie", "minyi_login=" + token}},
                      httplib::Params{{"csrf", token}, {"user", user}, {"password", password}});
    if (!res || res->status != 303) return false;
    const std::string set = res->get_header_value("Set-Cookie");
    cookie = set.substr(0, set.find(';'));
    return true;
  }
  // The page's body size (as decompressed), or -1 when it did not answer 200. Asked with the headers a
  // current browser sends: every one takes br, and the server's choice of compression is part of the time.
  long get(httplib::Client& c, const std::string& path) {
    auto res = c.Get(path.c_str(), httplib::Headers{{"Cookie", cookie}, {"Accept-Encoding", "gzip, deflate, br"}});
    return res && res->status == 200 ? static_cast<long>(res->body.size()) : -1;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string folder;
  int64_t total = 1000000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) folder = argv[++i];
    else if (a == "--total" && i + 1 < argc) total = std::max<int64_t>(60000, std::atoll(argv[++i]));
    else {
      std::fprintf(stderr, "usage: bench_dashboard [--dir FOLDER] [--total N]\n");
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
    std::string why;
    auto text = core::readTextFile(std::string(MINYI_ASSETS_DIR) + "/forms/civilized-city.json", &why, 4 << 20);
    if (!text) {
      std::fprintf(stderr, "bench_dashboard: %s\n", why.c_str());
      return 1;
    }
    server::StoredForm form{"civilized-city", 1, protocol::formContentHash(*text), "survey", *text,
                            protocol::isoUtc(std::chrono::system_clock::now())};
    store->addForm(form);
    auto loaded = server::formCache().get(form);
    const std::string password = "bench password 1";
    store->addUser({"bench", server::Role::Admin, "", server::hashPassword(password),
                    protocol::isoUtc(std::chrono::system_clock::now()), "", ""});
    server::ApiOptions options;
    options.version = "bench";
    server::ApiServer api(*store, protocol::generateKeyPair(), options);
    const int port = api.bind("127.0.0.1", 0);
    std::thread serving([&] { api.run(); });
    Browser browser{port, ""};
    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    std::mt19937 rng(2026);

    const double fill50 = seconds([&] { fillTo(*store, form, *loaded, 50000, rng); });
    std::printf("stored 50,000 submissions of civilized-city in %.1f s (store ingest with answer counts: %.0f/s)\n", fill50,
                50000 / fill50);
    if (!browser.login("bench", password)) {
      std::fprintf(stderr, "bench_dashboard: signing in failed\n");
      exitCode = 1;
    } else {
      // CSV export of 50,000: against reading the same rows' answers out of SQLite and nothing else.
      server::ExportOptions exportOptions = server::exportOptions();
      std::string csv;
      const double csvTime = median(3, [&] {
        csv.clear();
        server::exportCsv(*store, form, exportOptions, csv);
      });
      size_t scanned = 0;
      const double scanTime =
          median(3, [&] { store->forEachSubmission(form.id, 1, server::SiteScope::everySite(), [&](const server::SubmissionRow& r) { scanned += r.answersJson.size(); }); });
      report("CSV export of 50,000 submissions", csvTime, scanTime, "raw row scan", kCsvBudget);
      std::printf("  (%.1f MB of CSV)\n", static_cast<double>(csv.size()) / 1e6);
      // The same export as staff's browser fetches it (DESIGN.md §10: same budget, asked as a browser asks).
      long csvBytes = 0;
      const double httpCsvTime = median(3, [&] { csvBytes = browser.get(client, "/staff/export.csv?form=civilized-city&version=1"); });
      if (csvBytes <= 0) {
        std::fprintf(stderr, "bench_dashboard: the CSV export over HTTP failed\n");
        exitCode = 1;
      }
      report("CSV export of 50,000, HTTP, as a browser asks", httpCsvTime, scanTime, "raw row scan", kCsvBudget);

      // The 100-row page over HTTP, first and deep, against the store's own query of the same 100 rows.
      const std::string pagePath = "/staff/submissions?form=civilized-city&version=1";
      auto deep = store->submissionsPage({form.id, 1, "", "", "", 25000, {}});
      std::string cursor;
      for (char ch : deep.back().createdAt + "|" + deep.back().id) cursor += ch == '|' ? std::string("%7C") : ch == ':' ? std::string("%3A") : std::string(1, ch);
      const std::string deepPath = pagePath + "&before=" + cursor;
      long size = 0;
      const double first = median(21, [&] { size = browser.get(client, pagePath); });
      const double deepTime = median(21, [&] { size = std::min(size, browser.get(client, deepPath)); });
      const double query = median(21, [&] { store->submissionsPage({form.id, 1, "", "", "", 100, {}}); });
      if (size < 0) exitCode = 1;
      report("100-row submissions page, first (HTTP)", first, query, "100-row query", kPageBudget);
      report("100-row submissions page, 250th (HTTP)", deepTime, query, "100-row query", kPageBudget);

      // Results over `total`: against counting the form's rows with its index, the least a page without
      // precomputed counts would have to do.
      const double fillRest = seconds([&] { fillTo(*store, form, *loaded, total, rng); });
      std::printf("stored %lld submissions in all (%.1f s more)\n", static_cast<long long>(total), fillRest);
      const double results = median(11, [&] { size = browser.get(client, "/staff/results?form=civilized-city&version=1"); });
      const double oneSite =
          median(11, [&] { size = std::min(size, browser.get(client, "/staff/results?form=civilized-city&version=1&site=donghu-dqfwzx&weeks=8")); });
      const double count = median(5, [&] { store->countSubmissions(form.id, 1, ""); });
      if (size < 0) exitCode = 1;
      char what[96];
      std::snprintf(what, sizeof what, "results page over %lld (HTTP)", static_cast<long long>(total));
      report(what, results, count, "count(*)", kResultsBudget);
      report("results page, one site, 8 weeks (HTTP)", oneSite, count, "count(*)", kResultsBudget);
    }
    api.stop();
    serving.join();
  }
  if (ownFolder) std::filesystem::remove_all(folder);
  return exitCode;
}
