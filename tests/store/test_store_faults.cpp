// Fault tests (DESIGN.md §12): a writer killed mid-commit, a full disk or database, a damaged file, a read-only folder.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>

#include "store_test_helpers.h"

using namespace minyi::store;
using namespace minyi::test;
using Catch::Matchers::Contains;

namespace {

// Complete lines received so far; a torn last line (the child died mid-write) stays in `rest`.
void takeLines(std::string& rest, std::set<std::string>& into) {
  size_t nl;
  while ((nl = rest.find('\n')) != std::string::npos) {
    into.insert(rest.substr(0, nl));
    rest.erase(0, nl + 1);
  }
}

void overwrite(const std::string& path, off_t offset, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), offset) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

}  // namespace

TEST_CASE("a writer killed at a random moment loses no acknowledged submission", "[store][crash]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  { auto s = storeWithForm(path); }
  // A new seed each run, printed so a failure can be replayed: MINYI_CRASH_SEED=<seed> test_store "[crash]".
  const char* given = std::getenv("MINYI_CRASH_SEED");
  const uint32_t seed = given && *given ? static_cast<uint32_t>(std::strtoul(given, nullptr, 10)) : std::random_device{}();
  std::printf("crash test seed %u (replay: MINYI_CRASH_SEED=%u)\n", seed, seed);
  std::fflush(stdout);
  INFO("seed " << seed << " (replay with MINYI_CRASH_SEED=" << seed << ")");
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> killAfterMs(5, 300);
  std::set<std::string> acknowledged;
  const int rounds = 8;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child: a kiosk taking submissions as fast as it can, telling the parent each id only after
      // commitSubmission returned, i.e. once the thank-you screen could have appeared.
      ::close(fds[0]);
      StoreError error;
      auto s = KioskStore::open(path, &error);
      if (!s) ::_exit(3);
      std::string payload(700, 'x');
      for (int i = 0;; ++i) {
        payload.replace(0, std::to_string(i).size(), std::to_string(i));
        auto r = s->commitSubmission(sampleSubmission(sampleForm(), payload));
        if (!r) ::_exit(4);
        const std::string line = r.value() + "\n";
        if (::write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(5);
      }
    }
    ::close(fds[1]);
    std::string rest;
    char buf[4096];
    const auto killAt = std::chrono::steady_clock::now() + std::chrono::milliseconds(killAfterMs(rng));
    bool childEnded = false;
    while (!childEnded && std::chrono::steady_clock::now() < killAt) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 2) > 0) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) childEnded = true;
        else rest.append(buf, static_cast<size_t>(n));
      }
    }
    ::kill(pid, SIGKILL);
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) rest.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    INFO("round " << round << ": the child must die by our SIGKILL, not exit on its own (exit code "
                  << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")");
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    takeLines(rest, acknowledged);
  }
  INFO(acknowledged.size() << " acknowledged submissions over " << rounds << " rounds");
  REQUIRE(acknowledged.size() > 0);

  CHECK(rawQuery(path, "PRAGMA integrity_check") == "ok");
  auto s = openStore(path);
  size_t missing = 0;
  for (const auto& id : acknowledged) {
    auto got = s->submission(id);
    REQUIRE(got.ok());
    if (!got.value() || got.value()->payload.size() != 700) ++missing;
  }
  CHECK(missing == 0);
  // At most one more than acknowledged per round: committed, but killed before it could tell us.
  const auto pending = s->counts().value().pending;
  CHECK(pending >= static_cast<int64_t>(acknowledged.size()));
  CHECK(pending <= static_cast<int64_t>(acknowledged.size()) + rounds);
  CHECK(s->checkIntegrity().ok());
}

TEST_CASE("a full database refuses new submissions in words, keeps nothing half-written, and drains",
          "[store][diskfull]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  OpenOptions o;
  o.maxDatabaseBytes = 2 * 1024 * 1024;  // PRAGMA max_page_count: SQLite's own SQLITE_FULL, no root needed
  auto s = storeWithForm(path, o);
  CHECK(s->health().ok());

  // 2000-byte results pack two to a page: the worst case for marking them sent later (rows grow).
  std::vector<std::string> ids;
  StoreError refused;
  for (int i = 0; i < 2000; ++i) {
    auto r = s->commitSubmission(sampleSubmission(sampleForm(), std::string(2000, 'a')));
    if (!r) {
      refused = r.error();
      break;
    }
    ids.push_back(r.value());
  }
  REQUIRE(refused.code == StoreError::Code::DiskFull);
  CHECK_THAT(refused.message, Contains("size limit of 2.0 MB"));
  REQUIRE(ids.size() > 100);

  auto h = s->health();
  CHECK(h.state == Health::State::DiskFull);
  CHECK_THAT(h.reason, Contains("size limit"));
  // Everything acknowledged is there, nothing else is, and the file is sound.
  CHECK(s->counts().value().pending == static_cast<int64_t>(ids.size()));
  CHECK(s->checkIntegrity().ok());
  CHECK(rawQuery(path, "SELECT count(*) FROM submissions") == std::to_string(ids.size()));

  // The uploader can still drain a full outbox, batch by batch: the space kept back is for this, and
  // acknowledged submissions give way before the retention period when space runs short.
  for (size_t i = 0; i < ids.size(); i += 10) {
    std::vector<std::string> batch(ids.begin() + static_cast<long>(i),
                                   ids.begin() + static_cast<long>(std::min(ids.size(), i + 10)));
    auto sent = s->markSent(batch);
    if (!sent) FAIL("batch at " << i << ": " << sent.error().message);
    CHECK(sent.value() == static_cast<int>(batch.size()));
  }
  h = s->health();
  INFO(h.reason);
  CHECK(h.ok());
  CHECK(s->counts().value().pending == 0);
  CHECK(s->commitSubmission(sampleSubmission(sampleForm(), std::string(2000, 'c'))).ok());
  CHECK(s->checkIntegrity().ok());
}

TEST_CASE("a submission bigger than the space left hits SQLite's own limit and leaves no trace",
          "[store][diskfull]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  OpenOptions o;
  o.maxDatabaseBytes = 512 * 1024;
  auto s = storeWithForm(path, o);
  int committed = 0;
  StoreError refused;
  for (int i = 0; i < 100; ++i) {
    auto r = s->commitSubmission(sampleSubmission(sampleForm(), std::string(60000, 'b')));
    if (!r) {
      refused = r.error();
      break;
    }
    ++committed;
  }
  REQUIRE(refused.code == StoreError::Code::DiskFull);
  CHECK_THAT(refused.message, Contains("size limit") && Contains("database or disk is full"));
  CHECK(committed > 3);
  CHECK(s->health().state == Health::State::DiskFull);
  CHECK(s->counts().value().pending == committed);
  CHECK(rawQuery(path, "SELECT count(*) FROM submissions") == std::to_string(committed));
  CHECK(s->checkIntegrity().ok());
  // A small one still fits in what is left.
  CHECK(s->setSetting("note", "still writable").ok());
}

TEST_CASE("a full disk (the OS refusing to grow the file) is reported as DiskFull", "[store][diskfull]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  { auto s = storeWithForm(path); }
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // A file size limit makes every write past it fail with EFBIG, as a full disk fails with ENOSPC,
    // without a tiny filesystem (which would need root to mount).
    ::close(fds[0]);
    auto s = KioskStore::open(path, nullptr);
    if (!s) ::_exit(3);
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{1024 * 1024, 1024 * 1024};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(4);
    int committed = 0;
    std::string report;
    for (int i = 0; i < 2000; ++i) {
      auto r = s->commitSubmission(sampleSubmission(sampleForm(), std::string(1500, 'z')));
      if (!r) {
        auto h = s->health();
        report = std::string(codeName(r.error().code)) + "|" + std::to_string(committed) + "|" + healthName(h.state) +
                 "|" + r.error().message;
        break;
      }
      ++committed;
    }
    if (::write(fds[1], report.data(), report.size()) < 0) ::_exit(5);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buf[1024];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  INFO(report);
  REQUIRE_THAT(report, Contains("disk full|"));
  const size_t bar1 = report.find('|'), bar2 = report.find('|', bar1 + 1);
  const std::string committed = report.substr(bar1 + 1, bar2 - bar1 - 1);
  CHECK(std::stoi(committed) > 10);
  CHECK_THAT(report, Contains("|disk_full|"));
  // Without the limit, the file opens, is sound and holds exactly what was acknowledged.
  CHECK(rawQuery(path, "PRAGMA integrity_check") == "ok");
  auto s = openStore(path);
  CHECK(std::to_string(s->counts().value().pending) == committed);
}

TEST_CASE("a file with a damaged header does not open, and says so in words", "[store][corrupt]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  {
    auto s = storeWithForm(path);
    for (int i = 0; i < 20; ++i) REQUIRE(s->commitSubmission(sampleSubmission(sampleForm())).ok());
  }
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));  // checkpointed on close: the bytes are in the file
  overwrite(path, 0, std::string(100, '\x5a'));
  StoreError error;
  CHECK_FALSE(KioskStore::open(path, &error));
  CHECK(error.code == StoreError::Code::Corrupt);
  CHECK_THAT(error.message, Contains("damaged or is not a database"));
}

TEST_CASE("a database with a damaged page opens for export only: health is Corrupt and writes are refused",
          "[store][corrupt]") {
  TempDir dir;
  const std::string path = dir.file("kiosk.db");
  {
    auto s = storeWithForm(path);
    for (int i = 0; i < 200; ++i) REQUIRE(s->commitSubmission(sampleSubmission(sampleForm(), std::string(500, 'q'))).ok());
  }
  const int root = std::stoi(rawQuery(path, "SELECT rootpage FROM sqlite_schema WHERE name = 'submissions'"));
  const int pageSize = std::stoi(rawQuery(path, "PRAGMA page_size"));
  REQUIRE(root > 1);
  overwrite(path, static_cast<off_t>(root - 1) * pageSize + 8, std::string(200, '\x77'));

  StoreError error;
  auto s = KioskStore::open(path, &error);
  REQUIRE(s);
  auto h = s->health();
  CHECK(h.state == Health::State::Corrupt);
  CHECK_THAT(h.reason, Contains("damaged"));
  auto r = s->commitSubmission(sampleSubmission(sampleForm()));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == StoreError::Code::Corrupt);
  CHECK(s->setSetting("x", "y").error().code == StoreError::Code::Corrupt);
  CHECK(s->checkIntegrity().error().code == StoreError::Code::Corrupt);
}

TEST_CASE("a read-only folder or file is reported as ReadOnly in words", "[store][readonly]") {
  TempDir dir("/tmp");
  openToEveryone(dir.path());
  const uid_t unprivileged = ::geteuid() == 0 ? 65534 : ::geteuid();
  const std::string roFolder = dir.file("ro");            // no database yet, folder read-only
  const std::string existing = dir.file("ro-existing");   // database and folder read-only
  const std::string roParent = dir.file("ro-parent");     // database writable, folder read-only (no -wal/-shm)
  for (const auto& f : {roFolder, existing, roParent}) std::filesystem::create_directory(f);
  { auto s = storeWithForm(existing + "/kiosk.db"); }
  { auto s = storeWithForm(roParent + "/kiosk.db"); }
  ::chmod((existing + "/kiosk.db").c_str(), 0444);
  REQUIRE(::chown((roParent + "/kiosk.db").c_str(), unprivileged, static_cast<gid_t>(-1)) == 0);
  for (const auto& f : {roFolder, existing, roParent}) ::chmod(f.c_str(), 0555);

  // Exit codes: 0 when the store said ReadOnly with a reason; otherwise 10 + the code it gave.
  auto expectReadOnly = [](const std::string& path) {
    return runUnprivileged([path] {
      StoreError error;
      auto s = KioskStore::open(path, &error);
      if (s) return 9;
      if (error.code != StoreError::Code::ReadOnly || error.message.empty()) {
        std::fprintf(stderr, "%s: %s\n", codeName(error.code), error.message.c_str());
        return 10 + static_cast<int>(error.code);
      }
      return 0;
    });
  };
  CHECK(expectReadOnly(roFolder + "/kiosk.db") == 0);
  CHECK(expectReadOnly(existing + "/kiosk.db") == 0);
  CHECK(expectReadOnly(roParent + "/kiosk.db") == 0);

  // A store whose file stops being writable while it runs: health says so.
  const std::string rw = dir.file("rw");
  std::filesystem::create_directory(rw);
  REQUIRE(::chown(rw.c_str(), unprivileged, static_cast<gid_t>(-1)) == 0);
  const int health = runUnprivileged([rw] {
    auto s = KioskStore::open(rw + "/kiosk.db", nullptr);
    if (!s) return 2;
    if (!s->health().ok()) return 3;
    ::chmod((rw + "/kiosk.db").c_str(), 0444);
    const Health h = s->health();
    if (h.state != Health::State::ReadOnly) return 4;
    return h.reason.find("cannot be written") != std::string::npos ? 0 : 5;
  });
  CHECK(health == 0);
}
