// minyi-server's HTTP API (docs/protocol.md): enrollment, submissions, forms, notices, health; and the staff dashboard.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "minyi/protocol/crypto.h"
#include "minyi/server/connections.h"
#include "minyi/server/dashboard.h"
#include "minyi/server/notifications.h"
#include "minyi/server/server_store.h"
#include "minyi/server/tickets.h"

namespace httplib {
class Server;
struct Response;
}

namespace minyi::server {

// The client a request comes from: `peer` (the TCP peer) unless it is one of `trustedProxies`; then the last
// address in X-Forwarded-For that is not a trusted proxy (each proxy appends the address it saw, so what
// the client itself wrote at the front is never believed), else X-Real-IP, else the peer.
std::string clientAddress(const std::string& peer, const std::string& forwardedFor, const std::string& realIp,
                          const std::vector<std::string>& trustedProxies);
// True when `address` is `proxy` (an address) or lies in it (an IPv4 network a.b.c.d/n).
bool addressMatches(const std::string& address, const std::string& proxy);

struct ApiOptions {
  std::string version;  // reported by GET /api/v1/health
  // Larger request bodies are refused with 413 before they are read (docs/protocol.md: 160 MB).
  size_t maxRequestBytes = 160 * 1024 * 1024;
  // Enrollment attempts allowed per client address in each window; more get 429 rate_limited. Codes carry
  // 50 bits, so even without this guessing would be hopeless; the limit keeps logs and CPU quiet.
  int enrollAttemptsPerWindow = 10;
  std::chrono::seconds enrollWindow{15 * 60};
  // GET /api/v1/health answers 503 when less than this is free where the database lives.
  uint64_t minFreeBytes = 64ull * 1024 * 1024;
  // Reverse proxies (addresses, or IPv4 networks as a.b.c.d/n) whose X-Forwarded-For and X-Real-IP are
  // believed: behind them every rate limit and log line is keyed on the real client. Nobody else's are.
  std::vector<std::string> trustedProxies;
  // Requests handled at once (connections.h: worker slots); 0: 8.
  int threads = 0;
  // Caps on open connections and the deadline of each request (connections.h). `workers` comes from
  // `threads`, `uncappedAddresses` from `trustedProxies`.
  ConnectionLimits connections;
  // HTTPS when both are set (PEM files); plain HTTP otherwise (loopback and tests only).
  std::string tlsCertFile, tlsKeyFile;
  // One line per request on stderr: method, path, status, client address (never a token or a body).
  bool logRequests = false;
  // The staff dashboard under /staff/ on the same port (docs/dashboard.md). Its cookies are Secure under TLS.
  DashboardOptions dashboard;
  // The complaint loop's rules (server.toml [tickets]): deadlines and the working-day calendar. Null: the
  // forms' deadlines, 7 days otherwise, weekends as the only days off.
  std::shared_ptr<const TicketPolicy> tickets;
  // The public ticket page /t/<code> and its rating form: requests per client address in each window
  // (DESIGN.md §11, enumeration); more get 429.
  int publicRequestsPerWindow = 30;
  std::chrono::seconds publicWindow{10 * 60};
  // Follow-up ratings one kiosk may send in each window: residents at a kiosk type codes, and a code is
  // not a secret the way the QR link's key is (docs/protocol.md, "Follow-up ratings").
  int kioskRatingsPerWindow = 30;
  std::chrono::seconds kioskRatingWindow{60 * 60};
  // Lookups of one ticket by its code (GET /api/v1/tickets/<code>, 查询进度 for a code made elsewhere) one
  // kiosk may make in each window: codes are sequential per kiosk, so the limit stops a walk of the space.
  int kioskLookupsPerWindow = 60;
  std::chrono::seconds kioskLookupWindow{60 * 60};
  // How often run() does the housekeeping that no request triggers: closing resolved tickets nobody rated
  // (TicketPolicy::closeUnratedAfter). Also once when run() starts.
  std::chrono::milliseconds housekeepingEvery{10 * 60 * 1000};
  // Staff notifications (server.toml [notify]): with channels, run() also runs the notifier's thread (notifier.h),
  // with the ticket rules above and the dashboard's fleet rules.
  std::shared_ptr<const NotifyPolicy> notify;
};

class ApiServer {
 public:
  // Throws std::runtime_error with a sentence when the TLS certificate or key cannot be loaded.
  ApiServer(ServerStore& store, const protocol::KeyPair& keys, ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the address; port 0 picks a free one. Returns the port, or -1 when it cannot be bound.
  int bind(const std::string& host, int port);
  // Serves until stop(); returns false when serving could not start.
  bool run();
  // Safe from any thread; run() returns once the requests in progress are answered.
  void stop();
  bool tls() const;
  // Open connections now, and those refused for a cap or ended at their deadline since the start.
  ConnectionCounts connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minyi::server
