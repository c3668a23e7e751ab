// The public ticket page /t/<code>?k=<key>: a resident's phone follows the complaint and rates the handling (issue #5).
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "minyi/server/server_store.h"
#include "minyi/server/tickets.h"

namespace httplib {
class Server;
}

namespace minyi::server {

class Routes;  // connections.h

class TicketPage {
 public:
  struct Limits {
    int requestsPerWindow = 30;  // GET and POST together, per client address
    std::chrono::seconds window{10 * 60};
  };
  TicketPage(ServerStore& store, std::shared_ptr<const TicketPolicy> policy, Limits limits);
  ~TicketPage();
  TicketPage(const TicketPage&) = delete;
  TicketPage& operator=(const TicketPage&) = delete;
  // Adds GET and POST /t/<code> and GET /t-static/ticket.css.
  void mount(Routes& http);

  // The rating form's token: derived from the ticket's code and key hash, so only a page that was shown with
  // the right key can post it (the page has no login and no cookie to ride on; see docs/server.md).
  static std::string formToken(const std::string& code, const std::string& keyHash);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minyi::server
