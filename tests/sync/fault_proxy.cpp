// The fault-injecting proxy: one thread per connection, plain sockets so that resets and truncation are real.
#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace minyi::test {

namespace {

// Closes with RST instead of FIN: the peer sees "connection reset by peer".
void resetClose(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

bool sendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads one HTTP request (headers + Content-Length body) from the client; empty on failure.
std::string readRequest(int fd) {
  std::string buf;
  char chunk[65536];
  size_t headerEnd = std::string::npos;
  size_t want = 0;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) return {};
    const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
    if (r <= 0) return {};
    buf.append(chunk, static_cast<size_t>(r));
    if (headerEnd == std::string::npos) {
      headerEnd = buf.find("\r\n\r\n");
      if (headerEnd == std::string::npos) continue;
      std::string head = buf.substr(0, headerEnd);
      for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto cl = head.find("content-length:");
      size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15));
      want = headerEnd + 4 + length;
    }
    if (buf.size() >= want) return buf;
  }
}

int connectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads the upstream reply until the server closes or a whole Content-Length body arrived.
std::string readReply(int fd) {
  std::string buf;
  char chunk[65536];
  size_t want = std::string::npos;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 60000) <= 0) return buf;
    const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
    if (r <= 0) return buf;
    buf.append(chunk, static_cast<size_t>(r));
    if (want == std::string::npos) {
      const auto end = buf.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      std::string head = buf.substr(0, end);
      for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto cl = head.find("content-length:");
      want = end + 4 + (cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15)));
    }
    if (buf.size() >= want) return buf;
  }
}

// A proxy's own HTML reply with `status` ("400 Bad Request"), then the connection closed.
void answerHtml(int client, const std::string& status, const std::string& body) {
  const std::string reply = "HTTP/1.1 " + status + "\r\nContent-Type: text/html\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\nConnection: close\r\n\r\n" + body;
  sendAll(client, reply.data(), reply.size());
  ::close(client);
}

}  // namespace

FaultProxy::FaultProxy(int upstreamPort) : upstream_(upstreamPort) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, 64) != 0)
    throw std::runtime_error("fault proxy: cannot listen");
  socklen_t len = sizeof a;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(workersMutex_);
  for (auto& t : workers_) t.join();
}

void FaultProxy::setMixedFaults(double rate, uint64_t seed) {
  std::lock_guard<std::mutex> lock(randomMutex_);
  rate_ = rate;
  random_.seed(seed);
  mixed_ = true;
}

FaultProxy::Fault FaultProxy::pick() {
  std::lock_guard<std::mutex> lock(randomMutex_);
  std::uniform_real_distribution<double> u(0, 1);
  if (stallRate_ > 0 && u(random_) < stallRate_) return Fault::Stall;
  if (!mixed_) return fixed_;
  if (u(random_) >= rate_) return Fault::None;
  static const Fault kinds[] = {Fault::Refuse,        Fault::ResetMidBody, Fault::Error500, Fault::TruncateReply,
                                Fault::CaptivePortal, Fault::Html400,      Fault::Html403};
  return kinds[std::uniform_int_distribution<int>(0, 4)(random_)];
}

void FaultProxy::acceptLoop() {
  while (!stopping_) {
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (stopping_) return;
      continue;
    }
    std::lock_guard<std::mutex> lock(workersMutex_);
    workers_.emplace_back([this, client] { serve(client); });
  }
}

void FaultProxy::serve(int client) {
  counts_.connections++;
  const Fault fault = pick();
  if (fault != Fault::None) counts_.faulted++;
  switch (fault) {
    case Fault::Refuse: resetClose(client); return;
    case Fault::ResetMidBody: {
      char chunk[4096];
      ::recv(client, chunk, sizeof chunk, 0);  // the start of the request, then the line goes dead
      resetClose(client);
      return;
    }
    case Fault::Error500:
    case Fault::CaptivePortal: {
      if (readRequest(client).empty()) return (void)::close(client);
      const std::string body = fault == Fault::Error500 ? "{\"error\":{\"code\":\"internal\",\"message\":\"injected\"}}"
                                                        : "<html><body>Welcome! Log in to use the Wi-Fi.</body></html>";
      const std::string reply = std::string(fault == Fault::Error500 ? "HTTP/1.1 500 Internal Server Error" : "HTTP/1.1 200 OK") +
                                "\r\nContent-Type: " + (fault == Fault::Error500 ? "application/json" : "text/html") +
                                "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      sendAll(client, reply.data(), reply.size());
      ::close(client);
      return;
    }
    case Fault::Html400:
    case Fault::Html403: {
      if (readRequest(client).empty()) return (void)::close(client);
      const bool is400 = fault == Fault::Html400;
      answerHtml(client, is400 ? "400 Bad Request" : "403 Forbidden",
                 is400 ? "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head><body>"
                         "<center><h1>400 Bad Request</h1></center><hr><center>nginx</center></body></html>"
                       : "<html><body><h1>Access denied</h1><p>This site is blocked by the network policy.</p></body></html>");
      return;
    }
    case Fault::Stall:
      for (int i = 0; i < stallSeconds_ * 10 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      break;
    default: break;
  }
  // Forward one request at a time and its reply (kiosks send one request per connection or keep-alive:
  // keep serving requests on this connection until either side closes).
  for (;;) {
    const std::string request = readRequest(client);
    if (request.empty()) break;
    const size_t limit = bodyLimit_;
    if (limit > 0 && request.size() - std::min(request.size(), request.find("\r\n\r\n") + 4) > limit) {
      counts_.faulted++;
      answerHtml(client, "413 Request Entity Too Large",
                 "<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity "
                 "Too Large</h1></center><hr><center>nginx</center></body></html>");
      return;
    }
    const int up = connectTo(upstream_);
    if (up < 0) {  // the server is down: the kiosk sees the connection drop, as with a dead server
      resetClose(client);
      return;
    }
    // One request per upstream connection keeps the reply framing simple.
    std::string req = request;
    if (req.find("Connection: close") == std::string::npos) {
      const auto end = req.find("\r\n");
      req.insert(end + 2, "Connection: close\r\n");
    }
    if (!sendAll(up, req.data(), req.size())) {
      ::close(up);
      resetClose(client);
      return;
    }
    std::string reply = readReply(up);
    ::close(up);
    if (fault == Fault::TruncateReply) {
      sendAll(client, reply.data(), reply.size() / 2);
      resetClose(client);
      return;
    }
    if (reply.empty() || !sendAll(client, reply.data(), reply.size())) break;
  }
  ::close(client);
}

}  // namespace minyi::test
