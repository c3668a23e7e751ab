// A fault-injecting TCP proxy for sync tests: sits between kiosks and a real minyi-server on loopback and
// misbehaves on purpose (refused connections, resets mid-body, 500s, stalls, truncated replies).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace minyi::test {

class FaultProxy {
 public:
  enum class Fault {
    None,           // forward faithfully
    Refuse,         // accept and reset at once (as a refused or dropped connection looks to the client)
    ResetMidBody,   // read part of the request, then reset: the server never sees the whole body
    Error500,       // answer 500 without asking the server
    Stall,          // hold the connection for stallSeconds, then forward (a slow link)
    TruncateReply,  // forward, but pass on only half of the server's reply, then close
    CaptivePortal,  // answer 200 with an HTML login page
    Html400,        // answer 400 with a proxy's HTML page (nginx: plain HTTP sent to the HTTPS port)
    Html403,        // answer 403 with a firewall's HTML page
  };
  struct Counts {
    std::atomic<int> connections{0}, faulted{0};
  };

  // Listens on 127.0.0.1:<free port> and forwards to 127.0.0.1:upstreamPort.
  explicit FaultProxy(int upstreamPort);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void setUpstream(int port) { upstream_ = port; }
  // Every new connection gets `fault`.
  void setFault(Fault fault) { fixed_ = fault; mixed_ = false; }
  // Each new connection gets a fault with probability `rate`, drawn evenly from all faults but Stall
  // (stalls are slow by nature; use setStallRate for them).
  void setMixedFaults(double rate, uint64_t seed);
  void setStallRate(double rate) { stallRate_ = rate; }
  void setStallSeconds(int s) { stallSeconds_ = s; }
  // Requests whose body is larger get a proxy's HTML 413 (nginx's client_max_body_size); 0: no limit.
  void setBodyLimit(size_t bytes) { bodyLimit_ = bytes; }
  const Counts& counts() const { return counts_; }

 private:
  void acceptLoop();
  void serve(int client);
  Fault pick();

  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> upstream_;
  std::atomic<Fault> fixed_{Fault::None};
  std::atomic<bool> mixed_{false};
  double rate_ = 0, stallRate_ = 0;
  std::atomic<int> stallSeconds_{10};
  std::atomic<size_t> bodyLimit_{0};
  std::mutex randomMutex_;
  std::mt19937_64 random_;
  std::atomic<bool> stopping_{false};
  Counts counts_;
  std::thread acceptor_;
  std::mutex workersMutex_;
  std::vector<std::thread> workers_;
};

}  // namespace minyi::test
