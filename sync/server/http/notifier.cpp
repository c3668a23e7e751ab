// The notifier's thread and delivery: group-robot webhooks through cpp-httplib's client, e-mail through libcurl's SMTP.
#include "minyi/server/notifier.h"

#include <curl/curl.h>
#include <httplib.h>
#include <sodium.h>

#include <cstdio>
#include <ctime>
#include <set>

#include "minyi/core/json_input.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/times.h"

namespace minyi::server {

namespace {

// What a receiver answered, cut short: its words end up on the dashboard.
std::string excerpt(const std::string& text) { return text.size() > 200 ? text.substr(0, 200) + "…" : text; }

// Why a robot gave no answer, in words IT can act on (httplib's own are single words: "Read", "Connection").
std::string noAnswer(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "cannot connect (no such host, or nothing listens there)";
    case httplib::Error::ConnectionTimeout: return "the connection timed out";
    case httplib::Error::Read: return "no reply within the timeout";
    case httplib::Error::Write: return "the message could not be sent";
    case httplib::Error::SSLConnection: return "the TLS handshake failed";
    case httplib::Error::SSLServerVerification: return "its TLS certificate is not trusted";
    default: return httplib::to_string(e);
  }
}

// A 企业微信 or 钉钉 robot: POST {"msgtype":"text","text":{"content":...}}; {"errcode":0} back is success.
std::optional<std::string> postToRobot(const std::string& url, const std::string& text, std::chrono::seconds timeout) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return std::string("the webhook URL has no http:// or https://");
  const size_t path = url.find('/', scheme + 3);
  httplib::Client client(url.substr(0, path));
  if (!client.is_valid()) return std::string("the webhook URL cannot be used: ") + url.substr(0, scheme + 3) + "…";
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.enable_server_certificate_verification(true);
  const core::Json body = {{"msgtype", "text"}, {"text", {{"content", text}}}};
  auto res = client.Post(path == std::string::npos ? "/" : url.substr(path), body.dump(), "application/json");
  if (!res) return "no answer from " + url.substr(scheme + 3, path - scheme - 3) + ": " + noAnswer(res.error());
  if (res->status != 200) return "the robot answered HTTP " + std::to_string(res->status);
  std::string why;
  auto reply = core::parseJsonText(res->body, &why);
  if (!reply || !reply->is_object() || !reply->contains("errcode") || !(*reply)["errcode"].is_number_integer())
    return "the robot's answer has no errcode: " + excerpt(res->body);
  const int64_t code = (*reply)["errcode"].get<int64_t>();
  if (code == 0) return std::nullopt;
  const auto msg = reply->value("errmsg", std::string());
  return "the robot refused it: errcode " + std::to_string(code) + (msg.empty() ? "" : " (" + excerpt(msg) + ")");
}

// Subject text as RFC 2047 encoded words, each under 76 characters, never splitting a UTF-8 character.
std::string encodedWords(const std::string& text) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    size_t end = std::min(text.size(), at + 36);  // 48 characters of base64: a "Subject: " line stays under 78
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    out += (out.empty() ? "" : "\r\n ") + std::string("=?UTF-8?B?") + protocol::base64Encode(std::string_view(text).substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

// RFC 5322's date, in English whatever the locale.
std::string mailDate(std::chrono::system_clock::time_point t) {
  static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

struct Upload {
  const std::string* text;
  size_t at = 0;
};
size_t readUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, up->text->size() - up->at);
  std::copy_n(up->text->data() + up->at, n, buffer);
  up->at += n;
  return n;
}

std::optional<std::string> sendEmail(const Channel& c, const Notification& n, std::chrono::seconds timeout) {
  static std::once_flag curlReady;
  std::call_once(curlReady, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return std::string("libcurl could not start");
  curl_slist* list = nullptr;
  for (const std::string& to : c.to) list = curl_slist_append(list, ("<" + to + ">").c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(list, curl_slist_free_all);
  const std::string message = emailMessage(c, n, std::chrono::system_clock::now());
  Upload upload{&message};
  const std::string from = "<" + c.from + ">";
  char error[CURL_ERROR_SIZE] = "";
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, c.smtpUrl.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READFUNCTION, readUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  if (c.requireTls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!c.user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, c.user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, c.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // a thread of a server: no SIGALRM for timeouts
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return std::nullopt;
  long reply = 0;  // the SMTP server's last reply code: 451, 550 say more than curl's words
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  return "e-mail not accepted: " + std::string(error[0] ? error : curl_easy_strerror(rc)) +
         (reply > 0 ? " (the mail server answered " + std::to_string(reply) + ")" : "");
}

// Long enough for one delivery's connect, write and read: a sender that died mid-way lets it come due after this.
std::chrono::seconds claimFor(std::chrono::seconds timeout) { return timeout * 4 + std::chrono::seconds(60); }

}  // namespace

std::string dingTalkSignedUrl(const std::string& url, const std::string& secret, int64_t timestampMs) {
  const std::string stamp = std::to_string(timestampMs);
  const std::string toSign = stamp + "\n" + secret;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(toSign.data()), toSign.size());
  crypto_auth_hmacsha256_final(&state, mac);
  const std::string sign = protocol::base64Encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
  std::string encoded;
  for (char ch : sign) {
    if (ch == '+') encoded += "%2B";
    else if (ch == '/') encoded += "%2F";
    else if (ch == '=') encoded += "%3D";
    else encoded += ch;
  }
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "timestamp=" + stamp + "&sign=" + encoded;
}

std::string emailMessage(const Channel& c, const Notification& n, std::chrono::system_clock::time_point date) {
  std::string to;
  for (const std::string& t : c.to) to += (to.empty() ? "" : ", ") + t;
  const std::string domain = c.from.substr(c.from.find('@') + 1);
  std::string body = protocol::base64Encode(n.text);
  std::string wrapped;
  for (size_t at = 0; at < body.size(); at += 76) wrapped += body.substr(at, 76) + "\r\n";
  return "Date: " + mailDate(date) + "\r\nFrom: " + c.from + "\r\nTo: " + to + "\r\nSubject: " + encodedWords(n.subject) +
         "\r\nMessage-ID: <minyi." + protocol::sha256Hex(c.name + "\n" + n.eventKey).substr(0, 32) + "@" + domain +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
         wrapped;
}

std::optional<std::string> deliverNotification(const Channel& channel, const Notification& n, std::chrono::seconds timeout) {
  switch (channel.kind) {
    case ChannelKind::WeCom: return postToRobot(channel.url, n.text, timeout);
    case ChannelKind::DingTalk: {
      const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
      return postToRobot(channel.secret.empty() ? channel.url : dingTalkSignedUrl(channel.url, channel.secret, ms), n.text,
                         timeout);
    }
    case ChannelKind::Email: break;
  }
  return sendEmail(channel, n, timeout);
}

Notifier::Notifier(ServerStore& store, NotifyPolicy notify, std::shared_ptr<const TicketPolicy> tickets, FleetPolicy fleet)
    : store_(store), notify_(std::move(notify)),
      tickets_(tickets ? std::move(tickets) : std::make_shared<const TicketPolicy>()), fleet_(std::move(fleet)) {}

int Notifier::runOnce(std::chrono::system_clock::time_point now) {
  queueNotifications(store_, notify_, *tickets_, fleet_, now);
  const std::string at = protocol::isoUtc(now);
  std::set<std::string> failing;  // channels that failed this round: their other messages wait for the next
  int sent = 0;
  for (const Notification& n : store_.dueNotifications(at, 500)) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) break;
    }
    if (failing.count(n.channel)) continue;
    if (!store_.claimNotification(n.id, n.nextAttemptAt, protocol::isoUtc(now + claimFor(notify_.timeout)))) continue;
    const Channel* channel = notify_.channel(n.channel);
    const auto error = channel ? deliverNotification(*channel, n, notify_.timeout)
                               : std::optional<std::string>("the channel is no longer in the server's configuration");
    if (!error) {
      store_.recordNotificationAttempt(n.id, at, "", "");
      ++sent;
      continue;
    }
    failing.insert(n.channel);
    const int attempts = n.attempts + 1;
    const bool giveUp = !channel || attempts >= notify_.maxAttempts;
    store_.recordNotificationAttempt(n.id, at, *error, giveUp ? "" : protocol::isoUtc(now + retryDelay(attempts)));
    std::fprintf(stderr, "minyi-server: notification %s to %s, attempt %d: %s%s\n", n.eventKey.c_str(), n.channel.c_str(),
                 attempts, error->c_str(), giveUp ? " (given up)" : "");
    if (giveUp) store_.addAudit({0, at, "system", "notify_given_up", n.channel, n.eventKey + ": " + *error, ""});
  }
  return sent;
}

void Notifier::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    woken_ = false;
    lock.unlock();
    try {
      runOnce(std::chrono::system_clock::now());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "minyi-server: notifications: %s\n", e.what());
    }
    lock.lock();
    cv_.wait_for(lock, notify_.checkEvery, [this] { return stop_ || woken_; });
  }
}

void Notifier::stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = true;
  cv_.notify_all();
}

void Notifier::wake() {
  std::lock_guard<std::mutex> lock(mutex_);
  woken_ = true;
  cv_.notify_all();
}

}  // namespace minyi::server
