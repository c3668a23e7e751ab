// systemd's notify protocol through libsystemd: READY, WATCHDOG pings guarded by a liveness check, STOPPING.
#include "service_notifier.h"

#include <systemd/sd-daemon.h>

#include <chrono>

namespace minyi::server {

ServiceNotifier::ServiceNotifier(std::function<bool()> alive) : alive_(std::move(alive)) {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) pinger_ = std::thread([this, usec] { pingLoop(usec / 2); });
}

ServiceNotifier::~ServiceNotifier() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (pinger_.joinable()) pinger_.join();
}

void ServiceNotifier::ready(const std::string& status) { sd_notify(0, ("READY=1\nSTATUS=" + status).c_str()); }

void ServiceNotifier::stopping() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::pingLoop(uint64_t intervalUsec) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!cv_.wait_for(lock, std::chrono::microseconds(intervalUsec), [this] { return stop_; })) {
    lock.unlock();
    bool ok = false;
    try {
      ok = alive_();
    } catch (...) {
      ok = false;  // a database that fails to answer is not alive
    }
    if (ok) sd_notify(0, "WATCHDOG=1");
    lock.lock();
  }
}

}  // namespace minyi::server
