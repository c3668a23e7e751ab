// Shared helpers for storage tests: temp folders, a store with a saved form, raw SQLite queries, unprivileged children.
#pragma once
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "minyi/store/store.h"

namespace minyi::test {

namespace fs = std::filesystem;

// A fresh folder under $TMPDIR (or /tmp, or `base`), removed with everything in it at the end of the test.
class TempDir {
 public:
  explicit TempDir(std::string base = {}) {
    if (base.empty()) {
      const char* env = std::getenv("TMPDIR");
      base = env && *env ? env : "/tmp";
    }
    std::string pattern = base + "/minyi-store-XXXXXX";
    if (!::mkdtemp(pattern.data())) FAIL("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    // Tests make folders read-only; give write permission back so everything can be removed.
    for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::unique_ptr<store::KioskStore> openStore(const std::string& path, store::OpenOptions options = {}) {
  store::StoreError error;
  auto s = store::KioskStore::open(path, &error, std::move(options));
  if (!s) FAIL("open " << path << ": " << error.message);
  return s;
}

// A form as the kiosk would save it; submissions must name a saved form.
inline store::StoredForm sampleForm(const std::string& id = "civilized-city", const std::string& hash = "a1b2c3") {
  store::StoredForm f;
  f.id = id;
  f.version = 3;
  f.hash = hash;
  f.kind = "survey";
  f.json = R"({"minyi": {"id": ")" + id + R"(", "version": 3}, "pages": []})";
  return f;
}

inline store::NewSubmission sampleSubmission(const store::StoredForm& form, std::string payload = R"({"q1": 5})") {
  store::NewSubmission s;
  s.formId = form.id;
  s.formVersion = form.version;
  s.formHash = form.hash;
  s.kind = form.kind;
  s.payload = std::move(payload);
  return s;
}

// A store in `dir` with sampleForm() saved.
inline std::unique_ptr<store::KioskStore> storeWithForm(const std::string& path, store::OpenOptions options = {}) {
  auto s = openStore(path, std::move(options));
  REQUIRE(s->saveForm(sampleForm()).ok());
  return s;
}

// The first column of the first row of `sql`, as text, through a connection of its own (not the store's).
inline std::string rawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_ROW && sqlite3_column_text(st, 0)) out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      else if (rc != SQLITE_ROW && rc != SQLITE_DONE) out = std::string("error: ") + sqlite3_errmsg(db);
    } else {
      out = std::string("error: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Runs fn in a forked child that cannot bypass file permissions: as root the child switches to the
// unprivileged user 65534 (nobody), since root writes into read-only folders anyway. Returns fn's
// result (the child's exit status), or -1 if the child died otherwise. fn must not use Catch2 macros.
inline int runUnprivileged(const std::function<int()>& fn) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(99);
    ::_exit(fn());
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Lets the unprivileged child reach a folder created by root (mkdtemp makes 0700 folders).
inline void openToEveryone(const std::string& path) {
  ::chmod(path.c_str(), 0777);
}

}  // namespace minyi::test
