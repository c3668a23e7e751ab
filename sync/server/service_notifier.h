// Telling systemd how minyi-server is (Type=notify, deploy/systemd/minyi-server.service): ready once it listens,
// alive while its database answers, stopping on the way out. Does nothing when systemd did not start it.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace minyi::server {

class ServiceNotifier {
 public:
  // `alive` runs before each watchdog ping (every half WatchdogSec): a check that blocks or says false
  // withholds the ping, and systemd restarts the server once WatchdogSec passes without one.
  explicit ServiceNotifier(std::function<bool()> alive);
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  void ready(const std::string& status);  // READY=1 and the status line `systemctl status` shows
  void stopping();                        // STOPPING=1; the watchdog stops pinging

 private:
  void pingLoop(uint64_t intervalUsec);
  std::function<bool()> alive_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread pinger_;
};

}  // namespace minyi::server
