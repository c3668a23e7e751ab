// HTTP for the uploader behind a small interface: libcurl in production, scripted fakes in state-machine tests.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace minyi::sync {

struct HttpRequest {
  std::string method = "GET";  // GET | POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent as application/json when not empty
};

struct HttpResponse {
  int status = 0;                             // 0: no HTTP reply at all (see error)
  std::string body;
  std::map<std::string, std::string> headers; // names in lower case
  std::string error;                          // transport failure in plain words: refused, timed out, TLS, ...
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Blocks until a reply, a failure or the timeouts. Never throws.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

struct CurlOptions {
  std::string caFile;          // a township CA (PEM) instead of the system's; TLS verification is always on
  long connectTimeoutMs = 10000;
  long totalTimeoutMs = 60000;  // a stalled server must not hold the uploader for ever
  long lowSpeedSeconds = 20;    // abort when fewer than 1 byte/s arrive for this long
  size_t maxReplyBytes = 32 * 1024 * 1024;
};
std::unique_ptr<HttpTransport> makeCurlTransport(const CurlOptions& options = {});

}  // namespace minyi::sync
