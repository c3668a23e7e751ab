// The /api/v1 routes on cpp-httplib: token checks, enrollment with a rate limit, ingest, forms and notices with ETags.
#include "minyi/server/api_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "minyi/protocol/codes.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "minyi/server/compression.h"
#include "minyi/server/ingest.h"
#include "minyi/server/notifier.h"
#include "minyi/server/ticket_desk.h"
#include "minyi/server/ticket_page.h"

namespace minyi::server {

using core::Json;

namespace {

constexpr size_t kMaxNotices = 100;       // docs/protocol.md: the notices reply holds at most 100
constexpr size_t kEnrollmentCodeChars = 10;
// GET /tickets answers `now` this much behind the clock: a change whose transaction was still committing
// while the list was read has an earlier updated_at than the reply's now, and would be missed for ever.
// With the margin it comes again in the next reply (the kiosk replaces what it knew; repeats are harmless).
constexpr auto kTicketsSinceMargin = std::chrono::seconds(60);
constexpr size_t kMaxTicketsReply = 10000;  // docs/protocol.md: the parser's limit

std::string now() { return protocol::isoUtc(std::chrono::system_clock::now()); }

void sendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  // Replace rather than throw on bad UTF-8: nothing a client sent should be able to stop a reply.
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json; charset=utf-8");
}

void sendError(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  sendJson(res, status, protocol::toJson(protocol::ApiError{code, message}));
}

// The error body for a status httplib produced itself (unknown path, body too large, bad request line).
void fillErrorBody(httplib::Response& res) {
  switch (res.status) {
    case 400: return sendError(res, 400, "bad_request", "the request could not be read");
    case 404: return sendError(res, 404, "not_found", "there is no such address on this server");
    case 405: return sendError(res, 405, "bad_request", "this address does not take that method");
    case 413: return sendError(res, 413, "too_large", "the request body is larger than this server accepts");
    case 414: return sendError(res, 414, "bad_request", "the address is too long");
    default:
      if (res.status >= 500) return sendError(res, res.status, "internal", "the server failed to answer");
      return sendError(res, res.status, "bad_request", "the request was refused");
  }
}

// A strong ETag over the reply body: equal bodies, equal tags.
std::string etagOf(const std::string& body) { return "\"" + protocol::sha256Hex(body).substr(0, 32) + "\""; }

// If-None-Match holds one or more tags separated by commas, possibly weak (W/"..."), or "*".
bool matchesEtag(const std::string& header, const std::string& etag) {
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string::npos) end = header.size();
    std::string tag = header.substr(start, end - start);
    const size_t b = tag.find_first_not_of(" \t"), e = tag.find_last_not_of(" \t");
    tag = b == std::string::npos ? std::string() : tag.substr(b, e - b + 1);
    if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);
    if (tag == "*" || tag == etag) return true;
    start = end + 1;
  }
  return false;
}

// Minyi-Outbox: absent is "not told"; anything but a plain count is a client bug worth a 400.
bool parseBacklog(const httplib::Request& req, std::optional<int64_t>& out) {
  if (!req.has_header("Minyi-Outbox")) return true;
  const std::string v = req.get_header_value("Minyi-Outbox");
  if (v.empty() || v.size() > 9) return false;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  out = n;
  return true;
}

}  // namespace

bool addressMatches(const std::string& address, const std::string& proxy) {
  const size_t slash = proxy.find('/');
  if (slash == std::string::npos) return address == proxy;
  in_addr net{}, ip{};
  if (inet_pton(AF_INET, proxy.substr(0, slash).c_str(), &net) != 1 || inet_pton(AF_INET, address.c_str(), &ip) != 1) return false;
  const std::string bitsText = proxy.substr(slash + 1);
  if (bitsText.empty() || bitsText.size() > 2 || bitsText.find_first_not_of("0123456789") != std::string::npos) return false;
  const int bits = std::stoi(bitsText);
  if (bits > 32) return false;
  const uint32_t mask = bits == 0 ? 0 : htonl(~uint32_t{0} << (32 - bits));
  return (ip.s_addr & mask) == (net.s_addr & mask);
}

std::string clientAddress(const std::string& peer, const std::string& forwardedFor, const std::string& realIp,
                          const std::vector<std::string>& trustedProxies) {
  auto trusted = [&](const std::string& a) {
    for (const std::string& p : trustedProxies)
      if (addressMatches(a, p)) return true;
    return false;
  };
  if (!trusted(peer)) return peer;
  // Right to left: the nearest hops are our own proxies; the first address that is not one is the client.
  std::vector<std::string> hops;
  for (size_t start = 0; start <= forwardedFor.size();) {
    size_t comma = forwardedFor.find(',', start);
    if (comma == std::string::npos) comma = forwardedFor.size();
    std::string hop = forwardedFor.substr(start, comma - start);
    hop.erase(0, hop.find_first_not_of(" \t"));
    hop.erase(hop.find_last_not_of(" \t") + 1);
    if (!hop.empty()) hops.push_back(hop);
    start = comma + 1;
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    in6_addr any{};
    const bool isAddress = inet_pton(AF_INET, it->c_str(), &any) == 1 || inet_pton(AF_INET6, it->c_str(), &any) == 1;
    if (!isAddress) break;  // garbage a client wrote: stop believing from here on
    if (!trusted(*it)) return *it;
  }
  in6_addr any{};
  if (!realIp.empty() && (inet_pton(AF_INET, realIp.c_str(), &any) == 1 || inet_pton(AF_INET6, realIp.c_str(), &any) == 1))
    return realIp;
  return peer;
}

struct ApiServer::Impl {
  ServerStore& store;
  protocol::KeyPair keys;
  ApiOptions options;
  std::shared_ptr<const TlsContext> tls;  // built-in HTTPS, when configured
  std::unique_ptr<ConnectionGuard> connections;
  std::unique_ptr<httplib::Server> http;
  std::unique_ptr<Dashboard> dashboard;
  std::atomic<bool> running{false}, stopping{false};
  // The housekeeping thread of run(): wakes every options.housekeepingEvery, or at once when run() ends.
  std::mutex housekeepingMutex;
  std::condition_variable housekeepingWake;
  bool housekeepingStop = false;

  // Enrollment attempts per client address: the start of its current window and the attempts in it.
  struct Window {
    std::chrono::steady_clock::time_point start;
    int attempts = 0;
  };
  std::mutex limitMutex;
  std::map<std::string, Window> enrollAttempts;
  std::map<std::string, Window> ratingAttempts;  // per device
  std::map<std::string, Window> lookupAttempts;  // per device
  std::shared_ptr<const TicketPolicy> policy;
  std::unique_ptr<TicketPage> ticketPage;
  std::unique_ptr<Notifier> notifier;  // with [notify] channels only

  Impl(ServerStore& s, const protocol::KeyPair& k, ApiOptions o)
      : store(s), keys(k), options(std::move(o)),
        policy(options.tickets ? options.tickets : std::make_shared<const TicketPolicy>()) {}

  // What no request triggers, done at start and then every options.housekeepingEvery until run() ends.
  void housekeep() {
    std::unique_lock<std::mutex> lock(housekeepingMutex);
    while (!housekeepingStop) {
      lock.unlock();
      try {
        if (const int n = closeUnratedTickets(store, *policy, std::chrono::system_clock::now()))
          std::fprintf(stderr, "minyi-server: closed %d resolved tickets nobody rated\n", n);
      } catch (const std::exception& e) {
        // A busy or failing database: said once per round, tried again next round; requests go on.
        std::fprintf(stderr, "minyi-server: housekeeping: %s\n", e.what());
      }
      lock.lock();
      housekeepingWake.wait_for(lock, options.housekeepingEvery, [this] { return housekeepingStop; });
    }
  }

  // An authenticated device, and what it said about its outbox.
  struct Caller {
    Device device;
    std::optional<int64_t> backlog;
    std::optional<int64_t> clockSkewSeconds;
    Contact contact() const { return Contact{device.id, now(), backlog, {}, clockSkewSeconds}; }
  };

  // The device behind the request's token, or nullopt with the refusal already written to `res`.
  std::optional<Caller> authenticate(const httplib::Request& req, httplib::Response& res) {
    const std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) {
      sendError(res, 401, "unauthorized", "this request needs the device's token (Authorization: Bearer)");
      return std::nullopt;
    }
    // Only the token's SHA-256 is stored; looking the hash up reveals nothing about other tokens.
    auto device = store.deviceByTokenHash(protocol::sha256Hex(header.substr(prefix.size())));
    if (!device) {
      sendError(res, 401, "unauthorized", "this server does not know the device's token; enroll the kiosk again");
      return std::nullopt;
    }
    if (device->revoked()) {
      sendError(res, 401, "revoked", "staff revoked this device on " + device->revokedAt.substr(0, 10) +
                                         "; ask them for a new enrollment code");
      return std::nullopt;
    }
    Caller caller{std::move(*device), std::nullopt, std::nullopt};
    // The kiosk's clock as it sent the request: how far off it is goes on the devices page.
    if (auto kiosk = parseIsoUtc(req.get_header_value("Minyi-Time")))
      caller.clockSkewSeconds = std::chrono::duration_cast<std::chrono::seconds>(*kiosk - std::chrono::system_clock::now()).count();
    if (!parseBacklog(req, caller.backlog)) {
      sendError(res, 400, "bad_request", "Minyi-Outbox must be the number of submissions waiting on the kiosk");
      return std::nullopt;
    }
    return caller;
  }

  // Who may send a body to a route, and how much (issue #11 item 1). Checked from the request line and
  // headers, before httplib reads a byte of the body: an unauthenticated client costs the server its
  // headers only.
  struct BodyRule {
    const char* method;
    std::regex path;
    size_t limit;
    enum class Who { Anyone, Device, Staff } who;
  };
  std::vector<BodyRule> bodyRules;

  void makeBodyRules() {
    using Who = BodyRule::Who;
    const std::string api = protocol::kApiPrefix;
    const size_t formUpload = options.dashboard.maxFormUploadBytes + 64 * 1024;  // + the multipart envelope
    bodyRules = {
        {"POST", std::regex(api + "/enroll"), 4 * 1024, Who::Anyone},
        // A batch: at most 100 submissions of the largest size the protocol allows (1 MB of answers, sealed).
        {"POST", std::regex(api + "/submissions"), options.maxRequestBytes, Who::Device},
        {"POST", std::regex(api + "/tickets/ratings"), 256 * 1024, Who::Device},
        {"POST", std::regex(api + "/kiosk-report"), 4 * 1024, Who::Device},
        {"POST", std::regex("/staff/login"), 8 * 1024, Who::Anyone},
        {"POST", std::regex("/staff/forms/upload"), formUpload, Who::Staff},
        {"POST", std::regex("/staff/.+"), 256 * 1024, Who::Staff},
        {"POST", std::regex(R"(/t/[0-9A-Za-z-]{1,32})"), 8 * 1024, Who::Anyone},
    };
  }

  // Refuses, before its body is read, a request that may not send one: chunked or compressed bodies (no
  // kiosk or browser sends them, and their size is known only once read), a body larger than its route
  // takes (none for routes that take none, unknown addresses included), and a body from a caller the route
  // does not accept (a device's token, a staff session). The connection is closed after the refusal: the
  // unread body never reaches the parser.
  httplib::Server::HandlerResponse admit(const httplib::Request& req, httplib::Response& res) {
    using HR = httplib::Server::HandlerResponse;
    const bool staffPath = Dashboard::owns(req.path);
    auto refuse = [&](int status, const std::string& code, const std::string& message) {
      if (staffPath) res.status = status;  // the dashboard's HTML error page (set_error_handler)
      else sendError(res, status, code, message);
      res.set_header("Connection", "close");
      return HR::Handled;
    };
    if (req.has_header("Transfer-Encoding"))
      return refuse(411, "length_required", "send the body with a Content-Length (chunked bodies are not accepted)");
    const std::string encoding = req.get_header_value("Content-Encoding");
    if (!encoding.empty() && encoding != "identity")
      return refuse(415, "bad_request", "compressed request bodies are not accepted");
    const std::string lengthText = req.get_header_value("Content-Length");
    if (lengthText.empty()) return HR::Unhandled;
    if (lengthText.size() > 15 || lengthText.find_first_not_of("0123456789") != std::string::npos)
      return refuse(400, "bad_request", "Content-Length is not a number");
    const size_t length = std::stoull(lengthText);
    if (length == 0) return HR::Unhandled;
    const BodyRule* rule = nullptr;
    for (const BodyRule& r : bodyRules)
      if (req.method == r.method && std::regex_match(req.path, r.path)) {
        rule = &r;
        break;
      }
    if (!rule) return refuse(413, "too_large", "this address takes no request body");
    if (length > rule->limit)
      return refuse(413, "too_large", "the request body is larger than this address accepts (" + std::to_string(rule->limit) +
                                          " bytes)");
    if (rule->who == BodyRule::Who::Device) {
      if (!authenticate(req, res)) {
        res.set_header("Connection", "close");
        return HR::Handled;
      }
    } else if (rule->who == BodyRule::Who::Staff && !dashboard->signedIn(req)) {
      return refuse(403, "forbidden", "sign in first");
    }
    return HR::Unhandled;
  }

  bool allowEnrollment(const std::string& address) {
    return allow(enrollAttempts, address, options.enrollAttemptsPerWindow, options.enrollWindow);
  }

  // `n` more attempts by `key` in its current window, if they fit.
  bool allow(std::map<std::string, Window>& windows, const std::string& key, int perWindow, std::chrono::seconds window,
             int n = 1) {
    std::lock_guard<std::mutex> lock(limitMutex);
    const auto t = std::chrono::steady_clock::now();
    if (windows.size() > 10000) {  // forget finished windows so the map cannot grow without bound
      for (auto it = windows.begin(); it != windows.end();)
        it = t - it->second.start >= window ? windows.erase(it) : std::next(it);
    }
    Window& w = windows[key];
    if (w.attempts == 0 || t - w.start >= window) w = Window{t, 0};
    if (w.attempts + n > perWindow) return false;
    w.attempts += n;
    return true;
  }

  // Says what is wrong, with a non-200, when uploads would fail: monitoring and kiosks' "server_error"
  // then name the cause (a full disk once answered ok while every upload got a 500).
  void health(const httplib::Request&, httplib::Response& res) {
    if (auto problem = store.writeProblem(options.minFreeBytes))
      return sendJson(res, 503, Json{{"ok", false}, {"version", options.version},
                                     {"error", {{"code", problem->code}, {"message", problem->message}}}});
    sendJson(res, 200, Json{{"ok", true}, {"version", options.version}});
  }

  void enroll(const httplib::Request& req, httplib::Response& res) {
    if (!allowEnrollment(req.remote_addr)) {
      sendError(res, 429, "rate_limited", "too many enrollment attempts from this address; wait a few minutes");
      return;
    }
    std::string why;
    auto request = protocol::parseEnrollRequest(req.body, &why);
    if (!request) return sendError(res, 400, "bad_request", why);
    // Unknown, used, expired and malformed codes all get the same answer, so codes cannot be probed.
    auto refuse = [&] {
      sendError(res, 401, "bad_code", "this enrollment code is not valid: it may be mistyped, used or expired");
    };
    auto code = protocol::normalizeCrockford(request->code);
    if (!code || code->size() != kEnrollmentCodeChars) return refuse();
    const std::string token = protocol::randomHex(32);
    auto device = store.redeemEnrollmentCode(protocol::sha256Hex(*code), protocol::sha256Hex(token), now(),
                                             request->appVersion, request->kioskId);
    if (!device) return refuse();
    auto site = store.site(device->siteId);
    protocol::EnrollReply reply{device->id, token, device->siteId, site ? site->name : device->siteId,
                                protocol::encodeKey(keys.publicKey), device->kioskNumber};
    sendJson(res, 200, protocol::toJson(reply));
  }

  void submissions(const httplib::Request& req, httplib::Response& res) {
    auto caller = authenticate(req, res);
    if (!caller) return;
    std::string why;
    auto batch = protocol::parseSubmissionBatch(req.body, &why);
    if (!batch) return sendError(res, 400, "bad_request", why);
    if (batch->submissions.empty()) return sendError(res, 400, "bad_request", "submissions: the list is empty");
    const Origin origin{caller->device.id, caller->device.siteId, "network", caller->device.kioskId};
    sendJson(res, 200,
             protocol::toJson(ingestBatch(store, keys, batch->submissions, origin, caller->contact(), policy.get())));
  }

  // The kiosk's own tickets that changed since its last reply (docs/protocol.md, "Ticket status").
  void tickets(const httplib::Request& req, httplib::Response& res) {
    auto caller = authenticate(req, res);
    if (!caller) return;
    store.recordContact(caller->contact());
    const std::string since = req.get_param_value("since");
    if (!since.empty() && !protocol::isIsoUtc(since))
      return sendError(res, 400, "bad_request", "since: not a UTC time (the `now` of the previous reply)");
    protocol::TicketsReply reply;
    reply.now = protocol::isoUtc(std::chrono::system_clock::now() - kTicketsSinceMargin);
    TicketQuery q;
    q.deviceId = caller->device.id;
    q.changedSince = since;
    q.limit = kMaxTicketsReply;
    for (const Ticket& t : store.tickets(q)) reply.tickets.push_back(publicStatus(t, store.ticketLog(t.code)));
    sendJson(res, 200, protocol::toJson(reply));
  }

  // 查询进度 at a kiosk for a code made elsewhere (docs/protocol.md, "One ticket by its code"): what the public
  // page shows, never the complaint's words; unknown, mistyped and malformed codes are all the same 404.
  void ticket(const httplib::Request& req, httplib::Response& res) {
    auto caller = authenticate(req, res);
    if (!caller) return;
    store.recordContact(caller->contact());
    if (!allow(lookupAttempts, caller->device.id, options.kioskLookupsPerWindow, options.kioskLookupWindow))
      return sendError(res, 429, "rate_limited", "too many ticket lookups from this kiosk; try again later");
    const protocol::TicketCode checked = protocol::checkTicketCode(req.matches[1].str());
    std::optional<Ticket> t;
    if (checked.check == protocol::TicketCode::Check::Ok) t = store.ticket(checked.code);
    if (!t) return sendError(res, 404, "unknown_ticket", "no ticket has this code");
    protocol::TicketsReply reply;
    reply.now = now();
    reply.tickets.push_back(publicStatus(*t, store.ticketLog(t->code)));
    reply.tickets.back().category = t->category;
    sendJson(res, 200, protocol::toJson(reply));
  }

  // The kiosk's report on itself (fleet health): kept for the devices page, answered with nothing.
  void kioskReport(const httplib::Request& req, httplib::Response& res) {
    auto caller = authenticate(req, res);
    if (!caller) return;
    std::string why;
    auto report = protocol::parseKioskReport(req.body, &why);
    if (!report) return sendError(res, 400, "bad_request", why);
    store.recordContact(caller->contact());
    store.recordReport(caller->device.id, *report, now());
    res.status = 204;
  }

  // 回访 at a kiosk: each rating applied once by its id (docs/protocol.md, "Follow-up ratings").
  void ratings(const httplib::Request& req, httplib::Response& res) {
    auto caller = authenticate(req, res);
    if (!caller) return;
    std::string why;
    auto batch = protocol::parseRatingsBatch(req.body, &why);
    if (!batch) return sendError(res, 400, "bad_request", why);
    store.recordContact(caller->contact());
    // A code is not a secret: a kiosk typing many is refused for a while (429), and keeps its ratings to
    // send later, so a resident's rating is never lost to the limit.
    if (!allow(ratingAttempts, caller->device.id, options.kioskRatingsPerWindow, options.kioskRatingWindow,
               static_cast<int>(batch->ratings.size())))
      return sendError(res, 429, "rate_limited", "too many follow-up ratings from this kiosk; try again later");
    protocol::BatchReply reply;
    for (const protocol::TicketRating& r : batch->ratings) {
      protocol::ItemResult item{r.id, protocol::Outcome::Stored, ""};
      if (store.ticketLogByRef(r.id)) {
        item.outcome = protocol::Outcome::Duplicate;
      } else {
        TicketChange c;
        c.action = TicketAction::Rate;
        c.actor = "kiosk:" + caller->device.id;
        c.at = now();
        c.rating = ratingFromName(r.rating);
        c.via = "kiosk";
        if (auto problem = changeTicket(store, r.code, c, *policy, r.id)) {
          if (*problem == "duplicate") {
            item.outcome = protocol::Outcome::Duplicate;
          } else {
            item.outcome = protocol::Outcome::Rejected;
            // unknown, not_allowed (not waiting for a rating), already_rated, busy: words the kiosk shows
            item.reason = *problem;
          }
        }
      }
      reply.results.push_back(std::move(item));
    }
    sendJson(res, 200, protocol::toJson(reply));
  }

  // A GET whose reply the kiosk caches by ETag.
  void sendCached(const httplib::Request& req, httplib::Response& res, const Json& body) {
    const std::string text = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    const std::string etag = etagOf(text);
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", "no-cache");
    if (req.has_header("If-None-Match") && matchesEtag(req.get_header_value("If-None-Match"), etag)) {
      res.status = 304;
      return;
    }
    res.status = 200;
    res.set_content(text, "application/json; charset=utf-8");
  }

  void forms(const httplib::Request& req, httplib::Response& res) {
    auto caller = authenticate(req, res);
    if (!caller) return;
    store.recordContact(caller->contact());
    protocol::FormsReply reply;
    for (StoredForm& f : store.activeForms(caller->device.siteId))
      reply.forms.push_back({f.id, f.version, f.hash, std::move(f.json)});
    sendCached(req, res, protocol::toJson(reply));
  }

  void notices(const httplib::Request& req, httplib::Response& res) {
    auto caller = authenticate(req, res);
    if (!caller) return;
    store.recordContact(caller->contact());
    protocol::NoticesReply reply{store.noticesFor(caller->device.siteId, now(), kMaxNotices)};
    sendCached(req, res, protocol::toJson(reply));
  }

  // Every route runs inside this: a failing database or an unforeseen exception is a 500 with the
  // protocol's error body, logged with the request line, and the server goes on serving.
  httplib::Server::Handler guarded(void (Impl::*route)(const httplib::Request&, httplib::Response&)) {
    return [this, route](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Minyi-Time", now());  // the server's clock, for the kiosk to compare its own with
      try {
        (this->*route)(req, res);
      } catch (const StoreError& e) {
        std::fprintf(stderr, "minyi-server: %s %s: %s\n", req.method.c_str(), req.path.c_str(), e.what());
        sendError(res, 500, "internal", "the server's database failed; the kiosk keeps its data and tries again later");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "minyi-server: %s %s: %s\n", req.method.c_str(), req.path.c_str(), e.what());
        sendError(res, 500, "internal", "the server failed to answer; try again later");
      }
    };
  }

  bool tlsOn() const { return tls != nullptr; }

  void setUp() {
    if (!options.tlsCertFile.empty() || !options.tlsKeyFile.empty()) {
      if (options.tlsCertFile.empty() || options.tlsKeyFile.empty())
        throw std::runtime_error("HTTPS needs both a certificate file and its key file");
      tls = std::make_shared<const TlsContext>(options.tlsCertFile, options.tlsKeyFile);
    }
    ConnectionLimits limits = options.connections;
    if (options.threads > 0) limits.workers = options.threads;
    limits.uncappedAddresses = options.trustedProxies;
    connections = std::make_unique<ConnectionGuard>(limits);
    // Plain HTTP (behind nginx, or on loopback) and HTTPS alike: every connection in its own thread with a
    // deadline per request and the caps (docs/security.md).
    http = std::make_unique<GuardedServer>(*connections, tls);
    http->set_payload_max_length(options.maxRequestBytes);
    makeBodyRules();
    auto admitted = [this](const httplib::Request& req, httplib::Response& res) {
      // Behind a trusted reverse proxy the request's address becomes the real client's, here, before
      // anything reads it: every limit, audit row and log line downstream then sees the client, not the
      // proxy. (The Request object httplib passes is its own non-const local.)
      auto& mutableReq = const_cast<httplib::Request&>(req);
      // The headers are in: from now on the body (if any) has its own deadline (connections.h).
      ConnectionGuard::headersRead(std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10));
      if (req.has_header("Accept-Encoding")) {  // for compressForSpeed, out of httplib's sight (see below)
        mutableReq.headers.emplace(kAcceptEncodingKept, req.get_header_value("Accept-Encoding"));
        mutableReq.headers.erase("Accept-Encoding");
      }
      if (!options.trustedProxies.empty())
        mutableReq.remote_addr =
            clientAddress(req.remote_addr, req.get_header_value("X-Forwarded-For"), req.get_header_value("X-Real-IP"),
                          options.trustedProxies);
      try {
        return admit(req, res);
      } catch (const std::exception& e) {  // a failing database while checking a token
        std::fprintf(stderr, "minyi-server: %s %s: %s\n", req.method.c_str(), req.path.c_str(), e.what());
        sendError(res, 503, "internal", "the server cannot check this request now; try again later");
        res.set_header("Connection", "close");
        return httplib::Server::HandlerResponse::Handled;
      }
    };
    http->set_pre_routing_handler(admitted);
    // Replies compressed for speed (issue #11 item 12): gzip at level 1 for text the client takes gzip for.
    // httplib would pick brotli at its slowest setting for every current browser (a 50,000-row CSV took 30 s
    // instead of 0.5), so it never sees the client's Accept-Encoding (admitted() keeps it aside) and
    // compresses nothing; this hook, which httplib calls once the reply is complete, compresses instead.
    http->set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!compressForSpeed(req.get_header_value(kAcceptEncodingKept), res)) return;
      res.headers.erase("Content-Length");  // httplib set it for the uncompressed body
      res.set_header("Content-Length", std::to_string(res.body.size()));
    });
    // One request per connection. httplib keeps a connection open after a refusal it answered without
    // reading the body, and would then read that body as the next request (a line of any length, held in
    // memory); closing after each answer means an unread body is never read. Kiosks send one batch per
    // connection anyway, and a reverse proxy in front (deploy/) keeps browsers' connections alive.
    http->set_keep_alive_max_count(1);
    // curl asks "Expect: 100-continue" before a large body: the same check answers, so a refused client
    // does not even send it.
    http->set_expect_100_continue_handler([admitted](const httplib::Request& req, httplib::Response& res) {
      return admitted(req, res) == httplib::Server::HandlerResponse::Handled ? res.status : 100;
    });
    // Replies go out as headers then body; without this, Nagle and delayed ACKs add ~40 ms to every reply.
    http->set_tcp_nodelay(true);
    const std::string api = protocol::kApiPrefix;
    Routes routes(*http, *connections);
    routes.Get(api + "/health", guarded(&Impl::health));
    routes.Post(api + "/enroll", guarded(&Impl::enroll));
    routes.Post(api + "/submissions", guarded(&Impl::submissions));
    routes.Get(api + "/forms", guarded(&Impl::forms));
    routes.Get(api + "/notices", guarded(&Impl::notices));
    routes.Get(api + "/tickets", guarded(&Impl::tickets));
    routes.Post(api + "/tickets/ratings", guarded(&Impl::ratings));
    routes.Post(api + "/kiosk-report", guarded(&Impl::kioskReport));
    routes.Get(api + R"(/tickets/([0-9A-Za-z-]{1,32}))", guarded(&Impl::ticket));
    DashboardOptions dashOptions = options.dashboard;
    dashOptions.secureCookies = dashOptions.secureCookies || tlsOn();
    if (!dashOptions.tickets) dashOptions.tickets = policy;
    if (options.notify && !options.notify->channels.empty()) {
      notifier = std::make_unique<Notifier>(store, *options.notify, policy, dashOptions.fleet);
      dashOptions.wakeNotifier = [n = notifier.get()] { n->wake(); };
    }
    if (!dashOptions.notify) dashOptions.notify = options.notify;
    ticketPage = std::make_unique<TicketPage>(
        store, policy, TicketPage::Limits{options.publicRequestsPerWindow, options.publicWindow});
    ticketPage->mount(routes);
    dashboard = std::make_unique<Dashboard>(store, dashOptions);
    dashboard->mount(routes);
    http->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      // Staff in a browser get a page, kiosks the protocol's JSON.
      if (Dashboard::owns(req.path)) {
        res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'self'");
        res.set_content(Dashboard::errorPage(res.status), "text/html; charset=utf-8");
        return;
      }
      fillErrorBody(res);
    });
    http->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      sendError(res, 500, "internal", "the server failed to answer; try again later");
    });
    if (options.logRequests) {
      http->set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::fprintf(stderr, "minyi-server: %s %s %d %s\n", req.method.c_str(), req.path.c_str(), res.status,
                     req.remote_addr.c_str());
      });
    }
  }
};

ApiServer::ApiServer(ServerStore& store, const protocol::KeyPair& keys, ApiOptions options)
    : impl_(std::make_unique<Impl>(store, keys, std::move(options))) {
  impl_->setUp();
}

ApiServer::~ApiServer() = default;

int ApiServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? impl_->http->bind_to_any_port(host) : impl_->http->bind_to_port(host, port) ? port : -1;
  if (bound > 0)
    if (auto* guarded = dynamic_cast<GuardedServer*>(impl_->http.get()))
      guarded->widenBacklog(std::max(128, impl_->connections->limits().maxConnections));
  return bound;
}

bool ApiServer::run() {
  impl_->running = true;
  if (impl_->stopping) {
    impl_->running = false;
    return true;
  }
  {
    std::lock_guard<std::mutex> lock(impl_->housekeepingMutex);
    impl_->housekeepingStop = false;
  }
  std::thread housekeeping([this] { impl_->housekeep(); });
  std::thread notifier;
  if (impl_->notifier) notifier = std::thread([this] { impl_->notifier->run(); });
  const bool ok = impl_->http->listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(impl_->housekeepingMutex);
    impl_->housekeepingStop = true;
  }
  impl_->housekeepingWake.notify_all();
  housekeeping.join();
  if (notifier.joinable()) {
    impl_->notifier->stop();  // a delivery under way ends within its timeout
    notifier.join();
  }
  impl_->running = false;
  return ok;
}

void ApiServer::stop() {
  impl_->stopping = true;
  // run() may not have reached httplib's accept loop yet, and httplib's stop() does nothing before it has.
  while (impl_->running) {
    if (impl_->http->is_running()) impl_->http->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ConnectionCounts ApiServer::connections() const { return impl_->connections->counts(); }

bool ApiServer::tls() const { return impl_->tlsOn(); }

}  // namespace minyi::server
