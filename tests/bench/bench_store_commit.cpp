// Benchmark: durable commit of a submission against raw write+fsync of the same disk, same run (DESIGN.md §10).
// Usage: bench_store_commit [--dir FOLDER] [--count N]   (FOLDER: on the disk to measure; default a temp folder)
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "minyi/store/store.h"

namespace {

using Timer = std::chrono::steady_clock;
constexpr double kBudgetRatio = 3.0;  // DESIGN.md §10: commit p99 ≤ 3 × raw write+fsync p99

double ms(Timer::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Summary {
  double p50, p99, max, mean;
};

Summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
  double sum = 0;
  for (double x : v) sum += x;
  return {at(0.50), at(0.99), v.back(), sum / static_cast<double>(v.size())};
}

// A satisfaction result of about 1 KB, the size of a real one.
std::string samplePayload(int i) {
  std::string p = R"({"form":"civilized-city","answers":{"q1":5,"q2":4,"q3":"环境卫生有改善，楼道灯还没修好","n":)" +
                  std::to_string(i) + "},\"pad\":\"";
  p.append(1024 - std::min<size_t>(1000, p.size()) - 2, 'x');
  return p + "\"}";
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: bench_store_commit [--dir FOLDER] [--count N]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string folder;
  int count = 500;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) folder = argv[++i];
    else if (a == "--count" && i + 1 < argc) count = std::max(50, std::atoi(argv[++i]));
    else usage();
  }
  bool ownFolder = false;
  if (folder.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/minyi-bench-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    folder = pattern;
    ownFolder = true;
  }

  using namespace minyi::store;
  StoreError error;
  const std::string dbPath = folder + "/bench-kiosk.db";
  std::filesystem::remove(dbPath);
  auto store = KioskStore::open(dbPath, &error);
  if (!store) {
    std::fprintf(stderr, "cannot open %s: %s\n", dbPath.c_str(), error.message.c_str());
    return 1;
  }
  StoredForm form{"civilized-city", 1, "bench-hash", "survey", R"({"pages": []})", false, {}};
  if (!store->saveForm(form).ok()) return 1;

  const std::string rawPath = folder + "/bench-raw-fsync.bin";
  const int fd = ::open(rawPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(rawPath.c_str());
    return 1;
  }
  const std::string block(1024, 'r');
  auto rawWrite = [&] {
    const auto t0 = Timer::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) || ::fsync(fd) != 0) {
      std::perror("raw write+fsync");
      std::exit(1);
    }
    return ms(Timer::now() - t0);
  };
  auto commit = [&](int i) {
    NewSubmission s{form.id, form.version, form.hash, form.kind, samplePayload(i), {}, {}};
    const auto t0 = Timer::now();
    auto r = store->commitSubmission(s);
    const double t = ms(Timer::now() - t0);
    if (!r) {
      std::fprintf(stderr, "commit failed: %s\n", r.error().message.c_str());
      std::exit(1);
    }
    return t;
  };

  // Warm up (file creation, WAL header), then interleave the two so both see the same disk weather.
  for (int i = 0; i < 20; ++i) {
    rawWrite();
    commit(-1 - i);
  }
  std::vector<double> raw, commits;
  for (int i = 0; i < count; ++i) {
    raw.push_back(rawWrite());
    commits.push_back(commit(i));
  }
  ::close(fd);

  const Summary r = summarize(raw), c = summarize(commits);
  std::printf("durable commit latency, %d samples each, folder %s\n", count, folder.c_str());
  std::printf("  %-36s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  mean %7.3f ms\n", "raw write 1 KB + fsync", r.p50,
              r.p99, r.max, r.mean);
  std::printf("  %-36s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  mean %7.3f ms\n", "KioskStore::commitSubmission", c.p50,
              c.p99, c.max, c.mean);
  const double ratio = c.p99 / r.p99;
  std::printf("  p99 ratio commit/raw = %.2f   budget (DESIGN.md §10) <= %.1f   %s\n", ratio, kBudgetRatio,
              ratio <= kBudgetRatio ? "within budget" : "OVER BUDGET");
  std::printf("  p50 ratio commit/raw = %.2f (for reference)\n", c.p50 / r.p50);

  store.reset();
  if (ownFolder) std::filesystem::remove_all(folder);
  else {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dbPath + suffix);
    std::filesystem::remove(rawPath);
  }
  return 0;
}
