// Local receivers for staff notifications on loopback: a 企业微信/钉钉 group robot (cpp-httplib server) and a minimal SMTP server.
#pragma once
#include <catch2/catch.hpp>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "minyi/core/json_input.h"

namespace minyi::test {

// Standard base64, decoded independently of the code under test (which encodes with libsodium).
inline std::string unbase64(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0;
  unsigned value = 0;  // only its last 14 bits matter (regression, UBSan: a signed int overflowed here)
  for (char ch : text) {
    const size_t i = alphabet.find(ch);
    if (i == std::string::npos) continue;  // line breaks, padding
    value = ((value << 6) | static_cast<unsigned>(i)) & 0x3FFFu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xFF);
    }
  }
  return out;
}

// A group robot as 企业微信 and 钉钉 run them: takes {"msgtype":"text","text":{"content":...}} and answers
// {"errcode":0}, or what the test queued (an error code, HTTP 500). With a secret it checks 钉钉's 加签 (timestamp
// and sign query parameters: base64 HMAC-SHA256 of "<timestamp>\n<secret>") and refuses a bad one as 钉钉 does.
class RobotReceiver {
 public:
  enum class Reply { Ok, ErrCode, Http500 };
  explicit RobotReceiver(std::string secret = "") : secret_(std::move(secret)) {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { answer(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib's stop() does nothing before its accept loop runs: a receiver nobody calls must still stop.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RobotReceiver() {
    server_.stop();
    thread_.join();
  }
  // The webhook as the robot's settings page shows it (the key is a query parameter, as on the real ones).
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/cgi-bin/webhook/send?key=test-key"; }
  // Answers each request only after this long: widens the window in which two senders could both send one message.
  void answerAfter(std::chrono::milliseconds delay) {
    std::lock_guard<std::mutex> lock(mutex_);
    delay_ = delay;
  }
  void replyNext(std::vector<Reply> replies) {
    std::lock_guard<std::mutex> lock(mutex_);
    replies_.insert(replies_.end(), replies.begin(), replies.end());
  }
  // The messages it answered errcode 0, in order.
  std::vector<std::string> accepted() {
    std::lock_guard<std::mutex> lock(mutex_);
    return accepted_;
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  // What was wrong with requests (a body of another shape, a bad signature): empty when all were right.
  std::vector<std::string> problems() {
    std::lock_guard<std::mutex> lock(mutex_);
    return problems_;
  }

 private:
  void answer(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (delay_.count() > 0) {
      lock.unlock();
      std::this_thread::sleep_for(delay_);
      lock.lock();
    }
    ++requests_;
    std::string why;
    auto body = core::parseJsonText(req.body, &why);
    if (req.get_param_value("key") != "test-key" || !body || (*body)["msgtype"] != "text" ||
        !(*body)["text"]["content"].is_string() || req.get_header_value("Content-Type") != "application/json") {
      problems_.push_back("not a robot message: " + req.body);
      return res.set_content(R"({"errcode":40008,"errmsg":"invalid message type"})", "application/json");
    }
    if (!secret_.empty() && req.get_param_value("sign") != expectedSign(req.get_param_value("timestamp"))) {
      problems_.push_back("bad signature: " + req.get_param_value("sign"));
      return res.set_content(R"({"errcode":310000,"errmsg":"sign not match"})", "application/json");
    }
    const Reply reply = replies_.empty() ? Reply::Ok : replies_.front();
    if (!replies_.empty()) replies_.pop_front();
    if (reply == Reply::Http500) {
      res.status = 500;
      return res.set_content("busy", "text/plain");
    }
    if (reply == Reply::ErrCode) return res.set_content(R"({"errcode":45009,"errmsg":"api freq out of limit"})", "application/json");
    accepted_.push_back((*body)["text"]["content"].get<std::string>());
    res.set_content(R"({"errcode":0,"errmsg":"ok"})", "application/json");
  }
  std::string expectedSign(const std::string& timestamp) const {
    if (timestamp.empty()) return "(no timestamp)";
    const std::string toSign = timestamp + "\n" + secret_;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLength = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), reinterpret_cast<const unsigned char*>(toSign.data()),
         toSign.size(), mac, &macLength);
    unsigned char encoded[128];
    const int n = EVP_EncodeBlock(encoded, mac, static_cast<int>(macLength));
    return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(n));
  }

  std::string secret_;
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<Reply> replies_;
  std::vector<std::string> accepted_, problems_;
  int requests_ = 0;
  std::chrono::milliseconds delay_{0};
};

// A listening TCP socket on a free loopback port (its number in `port`): nothing answers on it until someone accepts.
inline int loopbackListener(int& port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(fd, 16) == 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

// Enough of an SMTP server for libcurl (220, EHLO, MAIL, RCPT, DATA, QUIT), one session at a time, keeping each
// message it accepted; the next `failNext` messages are refused after their data with 451 (try again later).
class SmtpReceiver {
 public:
  struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string data;  // headers and body as sent, dot-stuffing undone
  };
  SmtpReceiver() {
    fd_ = loopbackListener(port);
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpReceiver() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port); }
  void failNext(int n) { failures_ = n; }
  std::vector<Mail> accepted() {
    std::lock_guard<std::mutex> lock(mutex_);
    return mails_;
  }
  int sessions() const { return sessions_; }
  int port = 0;

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval limit{20, 0};  // a client that stops talking does not hold the test for ever
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      ++sessions_;
      session(c);
      close(c);
    }
  }
  static void say(int c, const std::string& line) { (void)!send(c, line.data(), line.size(), MSG_NOSIGNAL); }
  bool readLine(int c, std::string& buffer, std::string& line) {
    for (;;) {
      const size_t end = buffer.find("\r\n");
      if (end != std::string::npos) {
        line = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        return true;
      }
      char chunk[4096];
      const ssize_t n = recv(c, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
  }
  void session(int c) {
    say(c, "220 minyi-test ESMTP\r\n");
    std::string buffer, line;
    Mail mail;
    bool inData = false;
    while (readLine(c, buffer, line)) {
      if (inData) {
        if (line != ".") {
          mail.data += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\r\n";
          continue;
        }
        inData = false;
        if (failures_ > 0) {
          --failures_;
          say(c, "451 4.3.0 try again later\r\n");
        } else {
          std::lock_guard<std::mutex> lock(mutex_);
          mails_.push_back(mail);
          say(c, "250 2.0.0 queued\r\n");
        }
        mail = Mail();
        continue;
      }
      const std::string verb = line.substr(0, 4);
      if (verb == "EHLO" || verb == "HELO") say(c, "250 minyi-test\r\n");
      else if (verb == "MAIL") mail.from = line.substr(10), say(c, "250 2.1.0 ok\r\n");
      else if (verb == "RCPT") mail.to.push_back(line.substr(8)), say(c, "250 2.1.5 ok\r\n");
      else if (verb == "DATA") inData = true, say(c, "354 end with .\r\n");
      else if (verb == "QUIT") return say(c, "221 bye\r\n");
      else if (verb == "RSET" || verb == "NOOP") say(c, "250 ok\r\n");
      else say(c, "502 5.5.1 not here\r\n");
    }
  }

  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0}, sessions_{0};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Mail> mails_;
};

}  // namespace minyi::test
