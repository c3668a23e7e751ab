// The kiosk's sync thread (DESIGN.md §8): uploads the outbox, enrolls, fetches forms and notices.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/store/store.h"
#include "minyi/sync/transport.h"

namespace minyi::sync {

// Settings keys in the kiosk database where enrollment is kept.
namespace keys {
constexpr const char* kServerUrl = "sync.server_url";
constexpr const char* kDeviceId = "sync.device_id";
constexpr const char* kToken = "sync.token";
constexpr const char* kSiteId = "sync.site_id";
constexpr const char* kSiteName = "sync.site_name";
constexpr const char* kPublicKey = "sync.public_key";
constexpr const char* kFormsEtag = "sync.forms_etag";
constexpr const char* kNoticesEtag = "sync.notices_etag";
constexpr const char* kLastSuccess = "sync.last_success";
constexpr const char* kKioskNumber = "sync.kiosk_number";    // for ticket codes, from enrollment
constexpr const char* kTicketsSince = "sync.tickets_since";  // the server's `now` of its last tickets reply
}  // namespace keys

// What the admin panel shows. `problem` is a word the panel looks up in the string tables
// ("sync.problem.<word>"); `detail` carries the particulars (curl's words, the server's message).
struct SyncStatus {
  enum class State {
    NotEnrolled,  // no token yet: staff enroll on the admin panel
    Idle,         // nothing waiting, or everything sent
    Sending,
    Retrying,     // the last attempt failed; the next one is at nextAttempt
    Stopped,      // the server refused this kiosk (401/403): nothing is sent until it is enrolled again
  };
  State state = State::NotEnrolled;
  std::string problem;  // "", network, server_error, bad_reply, unauthorized, revoked, forbidden, enroll_*
  std::string detail;
  std::string serverUrl, deviceId, siteName;
  std::string lastSuccessAt;  // UTC ISO-8601 of the last exchange that worked
  std::chrono::system_clock::time_point nextAttempt{};
  int64_t sentThisRun = 0;     // submissions the server took since the kiosk started
  int failuresInARow = 0;
  bool enrolling = false;
  // This kiosk's clock minus the server's, from the server's last reply (its Minyi-Time header): more than
  // a few minutes either way files answers in the wrong hour or week, so the admin panel says so.
  std::optional<int64_t> clockOffsetSeconds;
};
const char* stateName(SyncStatus::State s);  // "not_enrolled", "idle", "sending", "retrying", "stopped"

struct UploaderOptions {
  std::string appVersion = "0.1.0";
  std::optional<protocol::PublicKey> pinnedKey;  // [server] public_key: enrollment must hand out this key
  bool allowInsecureHttp = false;  // [server] allow_insecure_http: enrolling at an http:// address off this machine
  std::chrono::milliseconds firstRetry{2000};
  std::chrono::milliseconds maxRetry{5 * 60 * 1000};  // backoff ceiling (DESIGN.md §8: 5 min)
  std::chrono::seconds pollEvery{5 * 60};              // forms and notices
  size_t batchSize = 100;
  // Called on the uploader thread whenever status, forms or notices changed (the kiosk pushes an SDL event).
  std::function<void()> onNews;
  uint64_t seed = 0;  // jitter; 0: random
  // Fleet health: the report sent with each poll (POST /api/v1/kiosk-report) tells the free disk of this
  // folder (the database's; empty: not told) and the window's size from screenSize ("1080x1920"; asked on the
  // uploader thread, so it must be safe to call there; unset: not told).
  std::string diskFolder;
  std::function<std::string()> screenSize;
};

// The server's answer to 查询进度 for a code this kiosk did not make (GET /api/v1/tickets/<code>).
struct LiveLookup {
  enum class Outcome { Found, Unknown, Unreachable };
  std::string code;  // as asked, ungrouped
  Outcome outcome = Outcome::Unreachable;
  protocol::TicketStatus ticket;  // when Found
  std::string detail;             // when Unreachable: what went wrong, for the log
};

class Uploader {
 public:
  Uploader(store::SyncOutbox& store, std::unique_ptr<HttpTransport> transport, UploaderOptions options = {});
  ~Uploader();  // stops the thread
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  void start();
  void stop();
  // A new submission is in the outbox: try now (unless the server refused this kiosk).
  void wake();
  // The admin's 立即同步: try now even while backing off, and fetch forms and notices too.
  void syncNow();
  // The admin typed the server's address and a one-time code, or a signed provisioning file on a USB stick
  // brought them with the key the server must hand out (`expectKey`). Runs on the uploader thread; status() tells.
  void enroll(const std::string& serverUrl, const std::string& code, std::optional<protocol::PublicKey> expectKey = std::nullopt);
  SyncStatus status() const;
  // Asks the server about one ticket code (10 symbols, valid check) on the uploader thread; the answer comes
  // back through takeLookup() and onNews. A newer question replaces one not yet asked. Never counts as a sync
  // failure: it does not touch the backoff.
  void lookUp(const std::string& code);
  std::optional<LiveLookup> takeLookup();
  // Forms or notices changed since the last call (the kiosk applies forms between residents).
  bool takeFormsChanged() { return formsChanged_.exchange(false); }
  bool takeNoticesChanged() { return noticesChanged_.exchange(false); }
  bool takeTicketsChanged() { return ticketsChanged_.exchange(false); }

  // One pass of what the thread does, on the caller's thread (tests, benchmarks, `minyi` tools).
  // Returns true when the outbox was drained without a failure.
  bool runOnce(bool poll);

 private:
  struct Enrollment {
    std::string url, deviceId, token, siteName;
  };
  struct EnrollRequest {
    std::string url, code;
    std::optional<protocol::PublicKey> expectKey;
  };
  std::optional<Enrollment> enrollment();
  bool drain(const Enrollment& e);
  bool sendRatings(const Enrollment& e);
  void poll(const Enrollment& e);
  void doEnroll(const EnrollRequest& request);
  void doLookup(const std::string& code);
  bool report(const Enrollment& e);
  protocol::KioskReport describe();
  HttpRequest request(const Enrollment& e, const std::string& method, const std::string& path);
  // Every exchange with the server: sends, and notes how far this kiosk's clock is from the server's.
  HttpResponse exchange(const HttpRequest& r);
  void failed(const std::string& problem, const std::string& detail);
  bool refusedByServer(const HttpResponse& r);
  void succeeded();
  void news();
  void loop();

  store::SyncOutbox& store_;  // the kiosk's store as the uploader sees it (store.h)
  std::unique_ptr<HttpTransport> transport_;
  UploaderOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  SyncStatus status_;
  bool wakeRequested_ = false, pollRequested_ = true, stopping_ = false;
  std::optional<EnrollRequest> enrollRequest_;
  std::optional<std::string> lookupRequest_;
  std::optional<LiveLookup> lookupResult_;
  std::chrono::steady_clock::time_point nextTry_{}, nextPoll_{};
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::string lastProblem_;  // the last failure since start, "problem: detail", for the kiosk report
  std::mt19937_64 random_;
  std::atomic<bool> formsChanged_{false}, noticesChanged_{false}, ticketsChanged_{false};
  std::thread thread_;
};

}  // namespace minyi::sync
