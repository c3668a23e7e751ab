// Connection caps, per-request deadlines and worker slots around cpp-httplib (see connections.h).
#include "minyi/server/connections.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "minyi/protocol/messages.h"
#include "minyi/server/api_server.h"

namespace minyi::server {

namespace {

using Clock = std::chrono::steady_clock;

// The address and port of one end of a socket (the peer's or its own); false when the socket has none. An
// IPv4 client of a dual-stack socket (::ffff:a.b.c.d) is the IPv4 address it is, so caps and proxy lists match.
bool endpoint(socket_t sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* any = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(sock, any, &len) : getsockname(sock, any, &len)) != 0) return false;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      in_addr v4;
      std::memcpy(&v4, a->sin6_addr.s6_addr + 12, 4);
      inet_ntop(AF_INET, &v4, text, sizeof text);
    } else {
      inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    }
    port = ntohs(a->sin6_port);
  } else {
    return false;
  }
  ip = text;
  return true;
}

// The stream httplib reads one request from and writes its reply to, over the socket or TLS on it. Reads end
// at the request's deadline (handshake and headers, then body), however the client spaces its bytes;
// httplib's own timeout is per read, so a client sending a byte every few seconds would hold the connection
// for ever. Under TLS the socket does not block and OpenSSL's wants (read or write) are waited for here.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, std::string peer, int peerPort, const ConnectionLimits& limits,
                 std::atomic<int64_t>& timedOut)
      : sock_(sock), peer_(std::move(peer)), peerPort_(peerPort), limits_(limits), timedOut_(timedOut),
        deadline_(Clock::now() + limits.headerDeadline) {}

  void setDeadline(std::optional<Clock::time_point> at) { deadline_ = at; }
  void setBodyDeadline(uint64_t contentLength) {
    const uint64_t rate = std::max<uint64_t>(1, limits_.minBodyBytesPerSecond);
    deadline_ = Clock::now() + limits_.bodyGrace + std::chrono::milliseconds(contentLength * 1000 / rate);
  }

  // TLS on the socket (made non-blocking): the handshake, within the header deadline. False when the
  // client does not complete it in time or speaks something else.
  bool handshake(SSL* ssl) {
    ssl_ = ssl;
    const int flags = ::fcntl(sock_, F_GETFL, 0);
    if (flags < 0 || ::fcntl(sock_, F_SETFL, flags | O_NONBLOCK) != 0 || SSL_set_fd(ssl, sock_) != 1) return false;
    for (;;) {
      const int rc = SSL_accept(ssl);
      if (rc == 1) return true;
      if (!waitForTls(rc)) return false;
    }
  }

  bool is_readable() const override { return tlsPending() || waitFor(POLLIN); }
  bool is_writable() const override { return wait(POLLOUT, limits_.writeTimeout); }

  ssize_t read(char* ptr, size_t size) override {
    if (size == 0) return 0;
    if (begin_ < end_) {  // httplib reads headers a byte at a time: serve them from the buffer
      const size_t n = std::min(size, end_ - begin_);
      std::memcpy(ptr, buffer_ + begin_, n);
      begin_ += n;
      return static_cast<ssize_t>(n);
    }
    if (!tlsPending() && !waitFor(POLLIN)) return -1;
    if (size >= sizeof buffer_) return receive(ptr, size);
    const ssize_t got = receive(buffer_, sizeof buffer_);
    if (got <= 0) return got;
    begin_ = 0;
    end_ = static_cast<size_t>(got);
    return read(ptr, size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (ssl_) {
      const int chunk = static_cast<int>(std::min<size_t>(size, 1 << 30));
      for (;;) {
        const int n = SSL_write(ssl_, ptr, chunk);
        if (n > 0) return n;
        const int why = SSL_get_error(ssl_, n);
        const short events = why == SSL_ERROR_WANT_READ ? POLLIN : why == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (!events || !wait(events, limits_.writeTimeout)) return -1;
      }
    }
    if (!wait(POLLOUT, limits_.writeTimeout)) return -1;
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_;
    port = peerPort_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override { endpoint(sock_, false, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  ssize_t receive(char* into, size_t size) {
    if (ssl_) {
      const int want = static_cast<int>(std::min<size_t>(size, 1 << 30));
      for (;;) {
        const int n = SSL_read(ssl_, into, want);
        if (n > 0) return n;
        if (SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN) return 0;  // the client closed TLS
        if (!waitForTls(n)) return -1;
      }
    }
    ssize_t n;
    do {
      n = ::recv(sock_, into, size, 0);
    } while (n < 0 && errno == EINTR);
    return n;
  }
  bool tlsPending() const { return ssl_ && SSL_pending(ssl_) > 0; }
  // After an OpenSSL call that returned `rc`: waits for what it wants (the deadline applies to reads, the
  // write timeout to writes a handshake or read needs). False when it failed or time ran out.
  bool waitForTls(int rc) const {
    switch (SSL_get_error(ssl_, rc)) {
      case SSL_ERROR_WANT_READ:
        return waitFor(POLLIN);
      case SSL_ERROR_WANT_WRITE:
        return wait(POLLOUT, limits_.writeTimeout);
      default:
        ERR_clear_error();  // the thread's OpenSSL error queue stays empty for the next connection
        return false;
    }
  }
  // Readable before the deadline (or, once the request is complete, within the write timeout).
  bool waitFor(short events) const {
    if (!deadline_) return wait(events, limits_.writeTimeout);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now());
    if (left.count() <= 0 || !wait(events, left)) {
      ++timedOut_;
      return false;
    }
    return true;
  }
  bool wait(short events, std::chrono::milliseconds timeout) const {
    pollfd p{sock_, events, 0};
    const auto until = Clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      const int rc = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
      if (rc > 0) return true;
      if (rc == 0) return false;
      if (errno != EINTR) return false;
    }
  }

  socket_t sock_;
  const std::string peer_;  // read once, when the connection was accepted
  const int peerPort_;
  const ConnectionLimits& limits_;
  std::atomic<int64_t>& timedOut_;
  std::optional<Clock::time_point> deadline_;  // none: the request is complete
  SSL* ssl_ = nullptr;                          // TLS on the socket, when the server is HTTPS
  char buffer_[4096];
  size_t begin_ = 0, end_ = 0;
};

// The request this thread is reading (each connection has its own thread).
thread_local DeadlineStream* current = nullptr;

}  // namespace

ConnectionGuard::ConnectionGuard(ConnectionLimits limits) : limits_(std::move(limits)) {}

bool ConnectionGuard::admit(socket_t sock, const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool uncapped = false;
  for (const std::string& proxy : limits_.uncappedAddresses) uncapped |= addressMatches(address, proxy);
  const auto held = perAddress_.find(address);
  const int fromHere = held == perAddress_.end() ? 0 : held->second;
  if (static_cast<int>(open_.size()) >= limits_.maxConnections || (!uncapped && fromHere >= limits_.perAddress)) {
    ++refused_;
    return false;
  }
  open_.insert(sock);
  ++perAddress_[address];
  return true;
}

void ConnectionGuard::leave(socket_t sock, const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  open_.erase(sock);
  if (--perAddress_[address] <= 0) perAddress_.erase(address);
}

void ConnectionGuard::serve(socket_t sock, const TlsContext* tls, const std::function<void(httplib::Stream&)>& process) {
  std::string address;
  int port = 0;
  endpoint(sock, true, address, port);
  if (!admit(sock, address)) {
    if (tls) {  // a TLS client would read a plain 503 as a broken handshake: closing says as much, cheaper
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
      return;
    }
    // Answered without reading anything; the client tries again later.
    static const std::string refusal = [] {
      const std::string body =
          protocol::toJson(protocol::ApiError{"busy", "too many connections from this address or in all; try again in a moment"})
              .dump();
      return "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\n"
             "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    (void)::send(sock, refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return;
  }
  {
    DeadlineStream stream(sock, address, port, limits_, timedOut_);
    std::unique_ptr<SSL, void (*)(SSL*)> ssl(tls ? SSL_new(tls->get()) : nullptr, [](SSL* s) {
      if (!s) return;
      SSL_shutdown(s);  // one close_notify, not waited for
      SSL_free(s);
      ERR_clear_error();
    });
    if (!tls || (ssl && stream.handshake(ssl.get()))) {
      current = &stream;
      try {
        process(stream);
      } catch (...) {
        // httplib answers a handler's exception itself; anything escaping here only ends this connection.
      }
      current = nullptr;
    }
  }
  leave(sock, address);  // out of open_ before close: closeAll never shuts a number reused by a new socket
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

void ConnectionGuard::headersRead(uint64_t contentLength) {
  if (!current) return;  // a server without a guard
  if (contentLength == 0) current->setDeadline(std::nullopt);  // nothing more to read
  else current->setBodyDeadline(contentLength);
}

httplib::Server::Handler ConnectionGuard::inWorker(httplib::Server::Handler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    if (current) current->setDeadline(std::nullopt);  // read in full: no deadline while waiting or working
    {
      std::unique_lock<std::mutex> lock(slotMutex_);
      slotFree_.wait(lock, [this] { return busy_ < std::max(1, limits_.workers); });
      ++busy_;
    }
    struct Release {
      ConnectionGuard& g;
      ~Release() {
        {
          std::lock_guard<std::mutex> lock(g.slotMutex_);
          --g.busy_;
        }
        g.slotFree_.notify_one();
      }
    } release{*this};
    handler(req, res);
  };
}

void ConnectionGuard::closeAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (socket_t sock : open_) ::shutdown(sock, SHUT_RDWR);
}

ConnectionCounts ConnectionGuard::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {static_cast<int64_t>(open_.size()), refused_, timedOut_.load()};
}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Threads of connections that ended are joined here, so the list stays as long as what is open.
  running_.erase(std::remove_if(running_.begin(), running_.end(),
                                [](std::unique_ptr<Running>& r) {
                                  if (!r->done) return false;
                                  r->thread.join();
                                  return true;
                                }),
                 running_.end());
  auto r = std::make_unique<Running>();
  Running* raw = r.get();
  r->thread = std::thread([raw, fn = std::move(fn)] {
    fn();
    raw->done = true;
  });
  running_.push_back(std::move(r));
}

void ConnectionThreads::shutdown() {
  guard_.closeAll();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& r : running_) r->thread.join();
  running_.clear();
}

TlsContext::TlsContext(const std::string& certificateFile, const std::string& keyFile) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (!ctx_) throw std::runtime_error("OpenSSL could not set up TLS");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(ctx_, certificateFile.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx_, keyFile.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx_) != 1) {
    ERR_clear_error();
    SSL_CTX_free(ctx_);
    throw std::runtime_error("the TLS certificate " + certificateFile + " or its key " + keyFile +
                             " could not be loaded (PEM files, readable by this user, belonging together?)");
  }
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

GuardedServer::GuardedServer(ConnectionGuard& guard, std::shared_ptr<const TlsContext> tls)
    : guard_(guard), tls_(std::move(tls)) {
  new_task_queue = [&guard] { return new ConnectionThreads(guard); };
}

bool GuardedServer::widenBacklog(int backlog) {
  const socket_t sock = svr_sock_;
  return sock != INVALID_SOCKET && ::listen(sock, backlog) == 0;  // listen() again only changes the backlog
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  guard_.serve(sock, tls_.get(), [this](httplib::Stream& stream) {
    bool closed = false;
    process_request(stream, /*close_connection=*/true, closed, [](httplib::Request&) {});
  });
  return true;
}

}  // namespace minyi::server
