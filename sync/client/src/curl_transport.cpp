// libcurl behind HttpTransport: TLS verified, bounded time and reply size, errors as plain words.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "minyi/sync/transport.h"

namespace minyi::sync {

namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Collect {
  std::string* body;
  std::map<std::string, std::string>* headers;
  size_t limit;
  bool tooBig = false;
};

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collect*>(user);
  const size_t len = size * n;
  if (c->body->size() + len > c->limit) {
    c->tooBig = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  c->body->append(data, len);
  return len;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collect*>(user);
  const std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos && c->headers->size() < 100) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    std::string value = line.substr(colon + 1);
    const auto b = value.find_first_not_of(" \t");
    const auto e = value.find_last_not_of(" \t\r\n");
    (*c->headers)[name] = b == std::string::npos ? std::string() : value.substr(b, e - b + 1);
  } else if (line.rfind("HTTP/", 0) == 0) {
    c->headers->clear();  // a new response (after a 100 Continue or a redirect) starts over
  }
  return size * n;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options) : options_(std::move(options)) {
    globalInit();
    curl_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (curl_) curl_easy_cleanup(curl_);
  }

  HttpResponse send(const HttpRequest& request) override {
    HttpResponse out;
    if (!curl_) {
      out.error = "the HTTP library could not start";
      return out;
    }
    curl_easy_reset(curl_);  // keeps the connection cache, drops every option
    Collect collect{&out.body, &out.headers, options_.maxReplyBytes};
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
    if (!request.body.empty()) headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for big batches
    char errorText[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is a captive portal, not our server
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.caFile.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, options_.caFile.c_str());
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, options_.connectTimeoutMs);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, options_.totalTimeoutMs);
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, options_.lowSpeedSeconds);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, errorText);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &collect);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &collect);
    curl_easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
    if (request.method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    const CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      out.status = 0;
      out.body.clear();
      if (collect.tooBig) out.error = "the server's reply was larger than " + std::to_string(options_.maxReplyBytes) + " bytes";
      else out.error = std::string(curl_easy_strerror(rc)) + (errorText[0] ? std::string(": ") + errorText : std::string());
      return out;
    }
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    out.status = static_cast<int>(status);
    return out;
  }

 private:
  CurlOptions options_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> makeCurlTransport(const CurlOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace minyi::sync
