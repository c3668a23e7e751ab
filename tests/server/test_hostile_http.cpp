// Requests as a hostile client on the same network sends them, over a raw socket to a real server on loopback:
// nothing is read before it is allowed (issue #11 item 1).
#include "server_test_helpers.h"
#include "raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;

TEST_CASE("regression: bodies announced by callers who may not send them are refused before a byte is read",
          "[api][hostile]") {
  LiveServer live;
  const auto kiosk = live.enroll("kiosk-1");
  struct Probe {
    const char* what;
    std::string request;
    int status;
  };
  const std::vector<Probe> probes = {
      {"a 300 MB chunked upload without a token", head("POST", "/api/v1/submissions", {"Transfer-Encoding: chunked"}), 411},
      {"150 MB to the upload without a token", head("POST", "/api/v1/submissions", {"Content-Length: 157286400"}), 401},
      {"150 MB with a made-up token",
       head("POST", "/api/v1/submissions", {"Content-Length: 157286400", "Authorization: Bearer " + std::string(64, 'a')}), 401},
      {"a gzip body (inflating to 400 MB) with a real token",
       head("POST", "/api/v1/submissions", {"Content-Length: 409600", "Content-Encoding: gzip", "Authorization: Bearer " + kiosk.token}),
       415},
      {"100 MB to an address that does not exist", head("POST", "/no/such/address", {"Content-Length: 104857600"}), 413},
      {"100 MB with a GET", head("GET", "/api/v1/health", {"Content-Length: 104857600"}), 413},
      {"1 MB to the sign-in form", head("POST", "/staff/login", {"Content-Length: 1048576"}), 413},
      {"100 KB to a staff form without a session", head("POST", "/staff/devices/add", {"Content-Length: 102400"}), 403},
      {"1 MB of ratings from a kiosk", head("POST", "/api/v1/tickets/ratings", {"Content-Length: 1048576", "Authorization: Bearer " + kiosk.token}), 413},
      {"curl's Expect: 100-continue without a token",
       head("POST", "/api/v1/submissions", {"Content-Length: 157286400", "Expect: 100-continue"}), 401},
      {"a Content-Length that is not a number", head("POST", "/api/v1/enroll", {"Content-Length: 12abc"}), 400},
  };
  for (const Probe& p : probes) {
    INFO(p.what);
    RawConnection c(live.port);
    c.send(p.request);  // the head only: the body never comes
    const std::string reply = c.receive(std::chrono::milliseconds(3000));
    CHECK(statusOf(reply) == p.status);
    CHECK(reply.find("100 Continue") == std::string::npos);
    CHECK(c.closedByServer());
  }
  // The kiosk's own upload still goes through, as before.
  auto ok = live.client().Post("/api/v1/submissions", {{"Authorization", "Bearer " + kiosk.token}},
                               R"({"submissions":[]})", "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 400);  // read and answered: an empty list
  CHECK_THAT(ok->body, Contains("the list is empty"));
}
