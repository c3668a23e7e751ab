// Internal: KioskStore's state (connection, lock, remembered fault) shared by the store's source files.
#pragma once
#include <sqlite3.h>

#include <mutex>
#include <optional>
#include <string>

#include "minyi/store/store.h"
#include "sqlite_util.h"

namespace minyi::store {

namespace detail {
// The outbox's columns, a complaint's ticket riding along (the uploader and the USB export put it in the
// envelope), and one row of them read back (store.cpp).
extern const char* const kSubmissionColumns;
Submission readSubmission(const Statement& st);
}  // namespace detail

struct KioskStore::Impl {
  std::string path;
  std::string folder;
  OpenOptions options;
  sqlite3* db = nullptr;
  std::mutex mutex;
  // The last failed write that health() reports until a write succeeds again (disk full, read-only,
  // I/O error). Corruption is never cleared: once seen, nothing more is written.
  std::optional<StoreError> fault;
  bool corrupt = false;

  ~Impl();

  std::chrono::system_clock::time_point now() const;
  std::string nowText() const { return isoUtc(now()); }

  // Maps an SQLite failure, remembers it if health() must report it, and returns it.
  StoreError fail(int rc, const std::string& doing);
  void remember(const StoreError& e);
  // Why the store refuses every write, or nullopt.
  std::optional<StoreError> refusal(const std::string& doing) const;
  // Runs body between BEGIN IMMEDIATE and COMMIT (synchronous=FULL: durable when it returns). body returns
  // nullopt or the error that stops it; any error rolls the whole transaction back.
  template <typename Body>
  std::optional<StoreError> transaction(const std::string& doing, Body&& body);
  void rollback();

  // Where the database can still grow: free pages inside the file, free disk space, the size limit.
  struct Space {
    bool known = false;  // statvfs worked
    bool diskReadOnly = false;
    uint64_t diskFree = 0, diskTotal = 0;
    uint64_t freePages = 0;                // bytes in free pages inside the file (reused before it grows)
    std::optional<uint64_t> belowLimit;    // bytes left under maxDatabaseBytes, free pages included
    uint64_t usable() const;               // what new submissions can still fill
    bool limitBinds() const;               // the size limit, not the disk, is what runs out first
  };
  Space space();
  // Below this much usable space health() says DiskFull (the kiosk pauses); below a quarter of it
  // commitSubmission refuses, keeping the rest for the uploader's bookkeeping so a full outbox can drain.
  uint64_t pauseMargin() const;
  uint64_t refuseMargin() const { return pauseMargin() / 4; }
  std::string describeFull(const Space& s) const;
  // Retention gives way to space: when usable space is below `margin`, acknowledged submissions are
  // deleted, oldest acknowledgement first, until it is not (nothing unacknowledged is ever deleted).
  void makeRoom(uint64_t margin);
};

template <typename Body>
std::optional<StoreError> KioskStore::Impl::transaction(const std::string& doing, Body&& body) {
  if (auto r = refusal(doing)) return r;
  int rc = detail::exec(db, "BEGIN IMMEDIATE");
  if (rc != SQLITE_OK) return fail(rc, doing);
  if (auto e = body()) {
    rollback();
    return e;
  }
  rc = detail::exec(db, "COMMIT");
  if (rc != SQLITE_OK) {
    StoreError e = fail(rc, doing);
    rollback();
    return e;
  }
  fault.reset();  // the disk took a write again (corruption would have refused above)
  return std::nullopt;
}

}  // namespace minyi::store
