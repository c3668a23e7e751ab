// minyi-server's notifier (issue #13 item 7): a thread that queues what needs staff and delivers the outbox to
// 企业微信 and 钉钉 group robots (cpp-httplib) and e-mail (libcurl SMTP), retrying with backoff.
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "minyi/server/fleet.h"
#include "minyi/server/notifications.h"
#include "minyi/server/server_store.h"
#include "minyi/server/tickets.h"

namespace minyi::server {

// Delivers one message through a channel, each network step bounded by `timeout`: nullopt when the receiver took
// it (a robot's reply {"errcode": 0}, SMTP's 250 after the data); otherwise why not, in words for the dashboard.
std::optional<std::string> deliverNotification(const Channel& channel, const Notification& n, std::chrono::seconds timeout);

// 钉钉 加签: the webhook URL with &timestamp=<ms>&sign=<url-encoded base64 HMAC-SHA256 of "<ms>\n<secret>">.
std::string dingTalkSignedUrl(const std::string& url, const std::string& secret, int64_t timestampMs);

// An e-mail as sent: From, To, Subject (RFC 2047, UTF-8), Date, Message-ID (the same for every attempt of a
// row, so a receiver can tell a retry), a UTF-8 body in base64.
std::string emailMessage(const Channel& channel, const Notification& n, std::chrono::system_clock::time_point date);

class Notifier {
 public:
  Notifier(ServerStore& store, NotifyPolicy notify, std::shared_ptr<const TicketPolicy> tickets, FleetPolicy fleet);

  // One round at `now`: queues what needs staff, then delivers every message due. A channel that fails is left
  // alone for the rest of the round (its other messages wait without an attempt counted). Returns how many
  // were sent. Tests call it with the time they want.
  int runOnce(std::chrono::system_clock::time_point now);
  // Rounds every checkEvery (and when woken) until stop(); a failing database is said once per round.
  void run();
  void stop();
  // A round now (the dashboard queued a test message).
  void wake();
  const NotifyPolicy& policy() const { return notify_; }

 private:
  ServerStore& store_;
  const NotifyPolicy notify_;
  std::shared_ptr<const TicketPolicy> tickets_;
  const FleetPolicy fleet_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false, woken_ = false;
};

}  // namespace minyi::server
