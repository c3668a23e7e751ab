// Slow and idle clients cannot starve anyone: caps on open connections, one deadline per request, and worker
// slots taken only once a request has been read in full (issue #11 item 2; docs/security.md).
#pragma once
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace minyi::server {

// The server's certificate and key for built-in HTTPS, loaded once (TLS 1.2 or later, no compression).
class TlsContext {
 public:
  // Throws std::runtime_error with a sentence when the files cannot be read or do not belong together.
  TlsContext(const std::string& certificateFile, const std::string& keyFile);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ssl_ctx_st* get() const { return ctx_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
};

struct ConnectionLimits {
  int maxConnections = 1000;  // open at once, every client together; more are answered 503 at once
  int perAddress = 32;        // open at once from one client address; more are answered 503 at once
  // Reverse proxies (ApiOptions::trustedProxies): many clients share their address, so no per-address cap
  // (the proxy has its own, deploy/nginx/minyi.conf).
  std::vector<std::string> uncappedAddresses;
  // From accepting the connection to the end of the request's headers (the TLS handshake included), and then for the body: this grace
  // plus its length at the minimum rate (a kiosk batch of 1 MB on a poor 3G link: ~20 s at 64 KB/s).
  std::chrono::milliseconds headerDeadline{10000};
  std::chrono::milliseconds bodyGrace{10000};
  uint64_t minBodyBytesPerSecond = 8192;
  // Requests handled at once (database, sealing, password hashing). A connection takes a slot only once
  // its request has been read, so clients that send slowly or not at all never hold one.
  int workers = 8;
  // A reply not taken by the client within this (per write) ends the connection.
  std::chrono::milliseconds writeTimeout{30000};
};

struct ConnectionCounts {
  int64_t open = 0;      // now
  int64_t refused = 0;   // answered 503 for a cap, since start
  int64_t timedOut = 0;  // ended for missing their deadline, since start
};

// One server's connections. Each accepted socket is served in a thread of its own (ConnectionThreads),
// which waits for the client without holding a worker slot; requests run in a slot (inWorker).
class ConnectionGuard {
 public:
  explicit ConnectionGuard(ConnectionLimits limits);
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // Serves one accepted socket and closes it: refused with a 503 over a cap (closed at once under TLS,
  // where a plain answer would mean nothing), else `process` reads and answers one request through a stream
  // whose reads end at the request's deadline. With `tls`, the handshake comes first, within that deadline.
  void serve(socket_t sock, const TlsContext* tls, const std::function<void(httplib::Stream&)>& process);
  // Called once the headers of the current thread's request are read (the pre-routing hook): the body of
  // `contentLength` bytes must now arrive within bodyGrace + contentLength / minBodyBytesPerSecond.
  static void headersRead(uint64_t contentLength);
  // `handler`, run in a worker slot (waiting for one); the request is complete, its deadline ends.
  httplib::Server::Handler inWorker(httplib::Server::Handler handler);
  // Server stopping: every open connection is shut, so their threads end now.
  void closeAll();
  ConnectionCounts counts() const;
  const ConnectionLimits& limits() const { return limits_; }

 private:
  bool admit(socket_t sock, const std::string& address);
  void leave(socket_t sock, const std::string& address);

  const ConnectionLimits limits_;
  mutable std::mutex mutex_;
  std::set<socket_t> open_;
  std::map<std::string, int> perAddress_;
  int64_t refused_ = 0;
  std::atomic<int64_t> timedOut_{0};
  std::mutex slotMutex_;
  std::condition_variable slotFree_;
  int busy_ = 0;
};

// httplib's task queue for a ConnectionGuard: a thread per connection (joined at shutdown), so one that
// waits on a slow client holds nothing another request needs.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(ConnectionGuard& guard) : guard_(guard) {}
  ~ConnectionThreads() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  struct Running {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  ConnectionGuard& guard_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Running>> running_;
};

// Where the API, the dashboard and the public ticket page register their handlers: each runs in a worker slot.
class Routes {
 public:
  Routes(httplib::Server& http, ConnectionGuard& guard) : http_(http), guard_(guard) {}
  Routes& Get(const std::string& pattern, httplib::Server::Handler handler) {
    http_.Get(pattern, guard_.inWorker(std::move(handler)));
    return *this;
  }
  Routes& Post(const std::string& pattern, httplib::Server::Handler handler) {
    http_.Post(pattern, guard_.inWorker(std::move(handler)));
    return *this;
  }

 private:
  httplib::Server& http_;
  ConnectionGuard& guard_;
};

// An httplib server whose connections go through a ConnectionGuard: plain HTTP, or HTTPS with `tls` (the
// handshake and the encrypted stream are ours, so TLS clients get the same caps and deadlines).
class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(ConnectionGuard& guard, std::shared_ptr<const TlsContext> tls = nullptr);
  bool tls() const { return tls_ != nullptr; }
  // After binding: room in the kernel for `backlog` connections not yet accepted. httplib listens with a
  // backlog of 5; a burst of kiosks and browsers beyond it would wait for SYN retransmissions (1 s, 3 s, …).
  bool widenBacklog(int backlog);

 private:
  bool process_and_close_socket(socket_t sock) override;
  ConnectionGuard& guard_;
  std::shared_ptr<const TlsContext> tls_;
};

}  // namespace minyi::server
