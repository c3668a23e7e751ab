// A raw TCP connection for tests that talk to the server as a hostile or slow client would, byte by byte.
#pragma once
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace minyi::test {

// One TCP connection that sends exactly what it is given: the bytes of a request's head and, when asked,
// nothing more, so a test sees whether the server answers before the body it announced.
class RawConnection {
 public:
  // `from`: the loopback address to connect from (127.0.0.x), so a test can be many clients at once.
  // `receiveBuffer`: a small kernel buffer (bytes) for a client that reads slowly or stops reading.
  explicit RawConnection(int port, const char* from = nullptr, int receiveBuffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    if (receiveBuffer > 0) REQUIRE(::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer) == 0);
    if (from) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      REQUIRE(inet_pton(AF_INET, from, &local.sin_addr) == 1);
      REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  void send(const std::string& bytes) { REQUIRE(trySend(bytes)); }
  // False when the server has closed the connection (a slow client cut at its deadline).
  bool trySend(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  // What the server wrote within `timeout` (until it closed the connection or went quiet with a whole
  // response head read).
  std::string receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    return receiveAtLeast(std::string::npos, timeout);
  }
  // Reads until at least `bytes` have come (or `timeout`, or the server closed the connection).
  std::string receiveAtLeast(size_t bytes, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    std::string out;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (out.size() < bytes && std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  int fd() const { return fd_; }
  bool closedByServer() {
    if (!closed_) receive(std::chrono::milliseconds(500));
    return closed_;
  }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

// A request head: the request line, Host, the given header lines and the blank line.
inline std::string head(const std::string& method, const std::string& path, const std::vector<std::string>& headers) {
  std::string h = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const std::string& line : headers) h += line + "\r\n";
  return h + "\r\n";
}

// The status of a response as read from the socket, 0 when there is none.
inline int statusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

}  // namespace minyi::test
