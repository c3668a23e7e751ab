// The staff dashboard under /staff/: server-rendered HTML without JavaScript (docs/dashboard.md).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "minyi/server/fleet.h"
#include "minyi/server/notifications.h"
#include "minyi/server/server_store.h"
#include "minyi/server/staff_auth.h"
#include "minyi/server/tickets.h"

namespace httplib {
class Server;
struct Request;
}

namespace minyi::server {

class Routes;  // connections.h

struct DashboardOptions {
  bool secureCookies = false;  // set under TLS: the session cookie is then sent over HTTPS only
  std::chrono::seconds sessionLifetime{8 * 3600};  // a working day; then staff sign in again
  LoginThrottle::Limits accountLimits{5, std::chrono::seconds(30), std::chrono::seconds(3600)};
  // An office shares one address: it may fail more often before it has to wait.
  LoginThrottle::Limits addressLimits{20, std::chrono::seconds(30), std::chrono::seconds(3600)};
  size_t maxFormUploadBytes = 4 * 1024 * 1024;
  // CSV/XLSX exports streaming at once; one more is answered 503 with a page that says to try again.
  int exportsAtOnce = 2;
  // The complaint loop's rules for the ticket pages (deadlines of reopened tickets, due-soon flags).
  std::shared_ptr<const TicketPolicy> tickets;
  // When the devices page flags a kiosk (server.toml [fleet]).
  FleetPolicy fleet;
  // The notification channels for 消息通知 (server.toml [notify]; none when null), and what to call when a test
  // message was queued so it goes out now.
  std::shared_ptr<const NotifyPolicy> notify;
  std::function<void()> wakeNotifier;
};

class Dashboard {
 public:
  Dashboard(ServerStore& store, DashboardOptions options);
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;
  // Adds the /staff/ routes (and / → /staff/) to the server.
  void mount(Routes& http);
  // True for paths the dashboard answers; its error pages are HTML, the API's JSON.
  static bool owns(const std::string& path);
  // True when the request carries a live staff session: checked from the headers, before a POST's body is
  // read (a form from nobody signed in is refused unread).
  bool signedIn(const httplib::Request& req) const;
  // The page for a status httplib produced itself (an unknown /staff/ address, a body too large).
  static std::string errorPage(int status);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Escapes text for HTML element content and quoted attribute values: & < > " '. Every string that is not a
// literal of this program goes through it (DESIGN.md §11, stored XSS).
std::string escapeHtml(std::string_view text);

}  // namespace minyi::server
