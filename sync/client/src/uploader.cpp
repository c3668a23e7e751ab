// The uploader's state machine: drain the outbox in batches, back off with jitter, enroll, poll forms/notices.
#include "minyi/sync/uploader.h"

#include <sys/statvfs.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <initializer_list>

#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/address.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/times.h"

namespace minyi::sync {

namespace p = minyi::protocol;
using SteadyClock = std::chrono::steady_clock;

const char* stateName(SyncStatus::State s) {
  switch (s) {
    case SyncStatus::State::NotEnrolled: return "not_enrolled";
    case SyncStatus::State::Idle: return "idle";
    case SyncStatus::State::Sending: return "sending";
    case SyncStatus::State::Retrying: return "retrying";
    case SyncStatus::State::Stopped: return "stopped";
  }
  return "idle";
}

namespace {

std::string setting(store::SyncOutbox& s, const char* key) {
  auto r = s.setting(key);
  return r.ok() && r.value() ? *r.value() : std::string();
}

// "https://host:port/" → "https://host:port": paths are appended to it.
std::string trimUrl(std::string url) {
  while (!url.empty() && (url.back() == '/' || url.back() == ' ')) url.pop_back();
  while (!url.empty() && url.front() == ' ') url.erase(0, 1);
  return url;
}

// The server's own words from an error body; for a reply that is not the Minyi server's (a proxy's or a
// firewall's page), the status and the start of its text, so the admin panel says what answered.
std::string serverWords(const HttpResponse& r) {
  if (auto e = p::parseApiError(r.body)) return e->message.empty() ? e->code : e->message;
  std::string text;
  bool inTag = false;
  for (char c : r.body.substr(0, 2000)) {
    if (c == '<') inTag = true;
    else if (c == '>') {
      inTag = false;
      text += ' ';
    }
    else if (!inTag) text += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  std::string words;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] != ' ' || (!words.empty() && words.back() != ' ')) words += text[i];
  // At most 120 bytes, cut between characters, so the panel and the database get whole UTF-8.
  words = std::string(core::utf8Prefix(words, 120));
  while (!words.empty() && words.back() == ' ') words.pop_back();
  return "HTTP " + std::to_string(r.status) + (words.empty() ? "" : " (not the Minyi server's reply: " + words + ")");
}

// A refusal in the Minyi server's own words, with one of `codes`: only such a reply may reject a
// submission or stop the uploader. The same status from a proxy, a captive firewall or a wrong port is a
// failed attempt like a dropped connection: everything is kept and tried again.
bool minyiSaid(const HttpResponse& r, std::initializer_list<const char*> codes) {
  auto e = p::parseApiError(r.body);
  if (!e) return false;
  for (const char* c : codes)
    if (e->code == c) return true;
  return false;
}

}  // namespace

Uploader::Uploader(store::SyncOutbox& store, std::unique_ptr<HttpTransport> transport, UploaderOptions options)
    : store_(store), transport_(std::move(transport)), options_(std::move(options)),
      random_(options_.seed ? options_.seed : std::random_device{}()) {
  if (auto e = enrollment()) {
    status_.state = SyncStatus::State::Idle;
    status_.serverUrl = e->url;
    status_.deviceId = e->deviceId;
    status_.siteName = e->siteName;
  }
  status_.lastSuccessAt = setting(store_, keys::kLastSuccess);
}

Uploader::~Uploader() { stop(); }

void Uploader::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Uploader::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Uploader::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wakeRequested_ = true;
  }
  cv_.notify_all();
}

void Uploader::syncNow() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wakeRequested_ = true;
    pollRequested_ = true;
    nextTry_ = {};
    // Staff may have fixed the cause of a refusal on the server (a device re-activated): try once more.
    if (status_.state == SyncStatus::State::Stopped) status_.state = SyncStatus::State::Idle;
  }
  cv_.notify_all();
}

void Uploader::enroll(const std::string& serverUrl, const std::string& code, std::optional<protocol::PublicKey> expectKey) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    enrollRequest_ = EnrollRequest{serverUrl, code, expectKey};
    status_.enrolling = true;
  }
  cv_.notify_all();
}

SyncStatus Uploader::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

std::optional<Uploader::Enrollment> Uploader::enrollment() {
  Enrollment e{setting(store_, keys::kServerUrl), setting(store_, keys::kDeviceId), setting(store_, keys::kToken),
               setting(store_, keys::kSiteName)};
  if (e.url.empty() || e.token.empty()) return std::nullopt;
  return e;
}

HttpRequest Uploader::request(const Enrollment& e, const std::string& method, const std::string& path) {
  HttpRequest r;
  r.method = method;
  r.url = e.url + p::kApiPrefix + path;
  r.headers.emplace_back("Authorization", "Bearer " + e.token);
  // The kiosk's clock, for the server's devices page (a kiosk off by minutes is flagged there).
  r.headers.emplace_back("Minyi-Time", p::isoUtc(std::chrono::system_clock::now()));
  auto counts = store_.counts();
  if (counts.ok()) r.headers.emplace_back("Minyi-Outbox", std::to_string(counts.value().pending));
  return r;
}

HttpResponse Uploader::exchange(const HttpRequest& r) {
  const auto sent = std::chrono::system_clock::now();
  HttpResponse reply = transport_->send(r);
  auto said = reply.headers.find("minyi-time");
  if (said != reply.headers.end()) {
    if (auto server = p::parseIsoUtc(said->second)) {
      // The middle of the exchange against the server's time then: the network's delay does not count.
      const auto middle = sent + (std::chrono::system_clock::now() - sent) / 2;
      std::lock_guard<std::mutex> lock(mutex_);
      status_.clockOffsetSeconds = std::chrono::duration_cast<std::chrono::seconds>(middle - *server).count();
    }
  }
  return reply;
}

void Uploader::news() {
  if (options_.onNews) options_.onNews();
}

void Uploader::failed(const std::string& problem, const std::string& detail) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.failuresInARow++;
    // Exponential backoff with jitter: a room of kiosks coming back after a power cut does not knock the
    // server over in step. The wait is drawn from [half, whole] of the doubled delay, capped at maxRetry.
    const int shift = std::min(status_.failuresInARow - 1, 20);
    const auto ceiling = std::min<int64_t>(options_.maxRetry.count(), options_.firstRetry.count() << shift);
    std::uniform_int_distribution<int64_t> pick(ceiling / 2, ceiling);
    const auto wait = std::chrono::milliseconds(pick(random_));
    nextTry_ = SteadyClock::now() + wait;
    status_.state = SyncStatus::State::Retrying;
    status_.problem = problem;
    status_.detail = detail;
    lastProblem_ = problem + (detail.empty() ? "" : ": " + detail);
    status_.nextAttempt = std::chrono::system_clock::now() + wait;
  }
  news();
}

void Uploader::succeeded() {
  const std::string now = store::isoUtc(std::chrono::system_clock::now());
  store_.setSetting(keys::kLastSuccess, now);  // best effort: a full disk must not stop the drain
  std::lock_guard<std::mutex> lock(mutex_);
  status_.failuresInARow = 0;
  status_.problem.clear();
  status_.detail.clear();
  status_.lastSuccessAt = now;
  nextTry_ = {};
}

// 401/403 stop the uploader until staff enroll the kiosk again: retrying cannot fix them.
bool Uploader::refusedByServer(const HttpResponse& r) {
  if (r.status != 401 && r.status != 403) return false;
  if (!minyiSaid(r, {"unauthorized", "revoked", "forbidden"})) return false;  // a proxy's page: retried
  auto e = p::parseApiError(r.body);
  std::string problem = r.status == 403 ? "forbidden" : (e && e->code == "revoked" ? "revoked" : "unauthorized");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.state = SyncStatus::State::Stopped;
    status_.problem = problem;
    status_.detail = serverWords(r);
  }
  news();
  return true;
}

bool Uploader::drain(const Enrollment& e) {
  size_t batchSize = options_.batchSize;
  for (;;) {
    auto pending = store_.pending(static_cast<int>(batchSize));
    if (!pending.ok()) {
      failed("storage", pending.error().message);
      return false;
    }
    if (pending.value().empty()) return true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status_.state = SyncStatus::State::Sending;
    }
    p::SubmissionBatch batch;
    std::vector<std::string> ids;
    for (const store::Submission& s : pending.value()) {
      batch.submissions.push_back(p::Envelope{s.id, s.formId, s.formVersion, s.formHash, s.kind, s.createdAt, s.flags,
                                              s.payload, s.ticketCode, s.ticketKeySealed});
      ids.push_back(s.id);
    }
    HttpRequest req = request(e, "POST", "/submissions");
    req.body = p::toJson(batch).dump();
    const HttpResponse r = exchange(req);
    if (refusedByServer(r)) return false;
    if (r.status == 413 && ids.size() > 1) {
      // Something on the way (a proxy's body limit) refuses a request this big: halve the batch until it
      // passes. At one submission it stays a failed attempt, kept and shown on the admin panel.
      batchSize = std::max<size_t>(1, ids.size() / 2);
      continue;
    }
    const bool refusedBatch = r.status == 400 && minyiSaid(r, {"bad_request"});
    if (refusedBatch && ids.size() > 1) {
      // The server refuses the batch as a whole when one envelope is malformed. Send one at a time to
      // find it, so one bad submission cannot hold back the rest.
      batchSize = 1;
      continue;
    }
    if (refusedBatch) {
      store_.markRejected(ids[0], "the server refused it: " + serverWords(r));
      batchSize = options_.batchSize;
      news();
      continue;
    }
    if (r.status != 200) {
      const std::string why = r.status == 0 ? r.error : "the server answered " + serverWords(r);
      store_.recordAttemptFailure(ids, why);
      failed(r.status == 0 ? "network" : "server_error", why);
      return false;
    }
    std::string why;
    auto reply = p::parseBatchReply(r.body, ids, &why);
    if (!reply) {
      store_.recordAttemptFailure(ids, "not a Minyi reply: " + why);
      failed("bad_reply", why);
      return false;
    }
    std::vector<std::string> sent;
    for (const p::ItemResult& item : reply->results) {
      switch (item.outcome) {
        case p::Outcome::Stored:
        case p::Outcome::Duplicate: sent.push_back(item.id); break;
        case p::Outcome::Conflict: store_.markConflict(item.id, item.reason); break;
        case p::Outcome::Rejected: store_.markRejected(item.id, item.reason); break;
      }
    }
    auto marked = store_.markSent(sent);
    if (!marked.ok()) {
      failed("storage", marked.error().message);
      return false;  // the server has them; the next pass gets "duplicate" and marks them then
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status_.sentThisRun += static_cast<int64_t>(sent.size());
    }
    succeeded();
    news();
  }
}

// What this kiosk says of itself to the township's devices page (fleet health).
protocol::KioskReport Uploader::describe() {
  protocol::KioskReport r;
  r.appVersion = options_.appVersion;
  if (auto counts = store_.counts(); counts.ok()) {
    r.outbox = counts.value().pending;
    r.oldestUnsent = counts.value().oldestPendingAt;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    r.lastError = std::string(core::utf8Prefix(lastProblem_, 500));
  }
  r.appUptimeSeconds = std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started_).count();
  struct sysinfo si {};
  if (::sysinfo(&si) == 0) r.bootUptimeSeconds = si.uptime;
  struct statvfs fs {};
  if (!options_.diskFolder.empty() && ::statvfs(options_.diskFolder.c_str(), &fs) == 0)
    r.diskFreeBytes = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  if (options_.screenSize) r.screen = options_.screenSize();
  return r;
}

// A server without the report yet (404) is not a failure, nor is one that refuses the report's shape (400) or
// an unreachable one (the polls after it say so): the report is for IT's eyes and never holds anything up.
// True when the server refused this kiosk (401/403).
bool Uploader::report(const Enrollment& e) {
  HttpRequest req = request(e, "POST", "/kiosk-report");
  req.body = protocol::toJson(describe()).dump();
  return refusedByServer(exchange(req));
}

void Uploader::poll(const Enrollment& e) {
  if (report(e)) return;
  // Notices: the server's list replaces ours.
  HttpRequest req = request(e, "GET", "/notices");
  const std::string noticesTag = setting(store_, keys::kNoticesEtag);
  if (!noticesTag.empty()) req.headers.emplace_back("If-None-Match", noticesTag);
  HttpResponse r = exchange(req);
  if (refusedByServer(r)) return;
  if (r.status == 200) {
    std::string why;
    auto reply = p::parseNoticesReply(r.body, &why);
    if (!reply) return failed("bad_reply", "notices: " + why);
    std::vector<store::StoredNotice> kept;
    for (const p::Notice& n : reply->notices) kept.push_back({n.id, n.title.dump(), n.body.dump(), n.publishedAt, n.until});
    if (store_.replaceNotices(kept).ok()) {
      store_.setSetting(keys::kNoticesEtag, r.headers.count("etag") ? r.headers["etag"] : std::string());
      noticesChanged_ = true;
      news();
    }
  } else if (r.status != 304) {
    return failed(r.status == 0 ? "network" : "server_error", "notices: " + (r.status == 0 ? r.error : serverWords(r)));
  }

  // Tickets made here: their handling since the last reply (the server's own clock, so kiosk clock drift
  // cannot skip news). A server without the tickets feed yet (404) is not a failure.
  req = request(e, "GET", "/tickets");
  const std::string since = setting(store_, keys::kTicketsSince);
  if (!since.empty()) req.url += "?since=" + since;
  r = exchange(req);
  if (refusedByServer(r)) return;
  if (r.status == 200) {
    std::string why;
    auto reply = p::parseTicketsReply(r.body, &why);
    if (!reply) return failed("bad_reply", "tickets: " + why);
    std::vector<store::TicketNews> changes;
    for (const p::TicketStatus& t : reply->tickets)
      changes.push_back({t.code, t.status, t.expectedBy, t.publicReply, p::toJson(t.timeline).dump()});
    if (store_.updateTickets(changes).ok()) {
      store_.setSetting(keys::kTicketsSince, reply->now);
      if (!changes.empty()) {
        ticketsChanged_ = true;
        news();
      }
    }
  } else if (r.status != 404) {
    return failed(r.status == 0 ? "network" : "server_error", "tickets: " + (r.status == 0 ? r.error : serverWords(r)));
  }

  // Forms: each offer is checked with the engine before it is kept; the kiosk offers exactly the server's list.
  req = request(e, "GET", "/forms");
  const std::string formsTag = setting(store_, keys::kFormsEtag);
  if (!formsTag.empty()) req.headers.emplace_back("If-None-Match", formsTag);
  r = exchange(req);
  if (refusedByServer(r)) return;
  if (r.status == 304) return succeeded();
  if (r.status != 200)
    return failed(r.status == 0 ? "network" : "server_error", "forms: " + (r.status == 0 ? r.error : serverWords(r)));
  std::string why;
  auto reply = p::parseFormsReply(r.body, &why);
  if (!reply) return failed("bad_reply", "forms: " + why);
  std::vector<std::pair<std::string, std::string>> offered;  // id, hash
  for (const p::FormOffer& offer : reply->forms) {
    core::LoadResult loaded = core::loadFormText(offer.json, offer.id);
    if (!loaded.form || loaded.form->contentHash != offer.hash) {
      failed("bad_form", "form " + offer.id + " does not pass the kiosk's check");
      continue;  // keep offering what we have for it
    }
    store::StoredForm f{offer.id, offer.version, offer.hash, loaded.form->minyi.kind, offer.json, false, {}};
    if (store_.saveForm(f).ok()) offered.emplace_back(offer.id, offer.hash);
  }
  auto active = store_.activeForms();
  if (active.ok())
    for (const store::StoredForm& f : active.value())
      if (std::none_of(offered.begin(), offered.end(), [&](const auto& o) { return o.first == f.id; }))
        store_.deactivateForm(f.id);
  for (const auto& [id, hash] : offered) store_.activateForm(id, hash);
  store_.setSetting(keys::kFormsEtag, r.headers.count("etag") ? r.headers["etag"] : std::string());
  formsChanged_ = true;
  succeeded();
  news();
}

void Uploader::doEnroll(const EnrollRequest& request) {
  const std::string url = trimUrl(request.url);
  const std::string& code = request.code;
  auto finish = [&](const std::string& problem, const std::string& detail) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      status_.enrolling = false;
      status_.problem = problem;
      status_.detail = detail;
    }
    news();
  };
  const bool httpLike = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
  if (auto why = p::insecureServerAddress(url, options_.allowInsecureHttp))
    return finish(httpLike ? "enroll_insecure" : "enroll_url", *why);
  HttpRequest req;
  req.method = "POST";
  req.url = url + p::kApiPrefix + "/enroll";
  // The kiosk's own id goes with it: the answers it sealed (before this enrollment too) name it.
  auto kioskId = store_.kioskId();
  if (!kioskId.ok()) return finish("storage", kioskId.error().message);
  req.body = p::toJson(p::EnrollRequest{code, options_.appVersion, kioskId.value()}).dump();
  const HttpResponse r = exchange(req);
  if (r.status == 0) return finish("network", r.error);
  if (r.status == 401) return finish("enroll_code", serverWords(r));
  if (r.status == 429) return finish("enroll_wait", serverWords(r));
  if (r.status != 200) return finish("server_error", serverWords(r));
  std::string why;
  auto reply = p::parseEnrollReply(r.body, &why);
  if (!reply) return finish("bad_reply", why);
  auto key = p::decodeKey(reply->publicKey);
  if (!key) return finish("bad_reply", "public_key");
  if (options_.pinnedKey && *options_.pinnedKey != *key)
    return finish("enroll_key", "the server's public key is not the one in this kiosk's configuration");
  if (request.expectKey && *request.expectKey != *key)
    return finish("enroll_key", "the server's public key is not the one its provisioning file names");
  // The token goes in last: until it is there the kiosk counts as not enrolled.
  for (const auto& [k, v] : {std::pair<const char*, std::string>{keys::kServerUrl, url}, {keys::kDeviceId, reply->deviceId},
                             {keys::kSiteId, reply->siteId}, {keys::kSiteName, reply->siteName},
                             {keys::kPublicKey, reply->publicKey}, {keys::kFormsEtag, ""}, {keys::kNoticesEtag, ""},
                             {keys::kKioskNumber, reply->kioskNumber > 0 ? std::to_string(reply->kioskNumber) : ""},
                             {keys::kToken, reply->token}}) {
    auto saved = store_.setSetting(k, v);
    if (!saved.ok()) return finish("storage", saved.error().message);
  }
  store_.audit("admin", "enroll", "device " + reply->deviceId + " at " + url);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.state = SyncStatus::State::Idle;
    status_.serverUrl = url;
    status_.deviceId = reply->deviceId;
    status_.siteName = reply->siteName;
    status_.failuresInARow = 0;
    wakeRequested_ = true;
    pollRequested_ = true;
    nextTry_ = {};
  }
  finish("", "");
}

// 回访 ratings given at this kiosk: up to 10 a request (the server limits them per kiosk; 429 = later).
bool Uploader::sendRatings(const Enrollment& e) {
  for (;;) {
    auto pending = store_.pendingRatings(10);
    if (!pending.ok()) {
      failed("storage", pending.error().message);
      return false;
    }
    if (pending.value().empty()) return true;
    p::RatingsBatch batch;
    std::vector<std::string> ids;
    for (const auto& r : pending.value()) {
      batch.ratings.push_back(p::TicketRating{r.id, r.code, r.rating, r.at});
      ids.push_back(r.id);
    }
    HttpRequest req = request(e, "POST", "/tickets/ratings");
    req.body = p::toJson(batch).dump();
    const HttpResponse r = exchange(req);
    if (refusedByServer(r)) return false;
    if (r.status != 200) {
      failed(r.status == 0 ? "network" : "server_error", "ratings: " + (r.status == 0 ? r.error : serverWords(r)));
      return false;
    }
    std::string why;
    auto reply = p::parseBatchReply(r.body, ids, &why);
    if (!reply) {
      failed("bad_reply", "ratings: " + why);
      return false;
    }
    for (const p::ItemResult& item : reply->results)
      store_.settleRating(item.id, item.outcome == p::Outcome::Rejected ? "rejected: " + item.reason : p::outcomeName(item.outcome));
    ticketsChanged_ = true;  // a lookup on screen shows the outcome
    news();
  }
}

bool Uploader::runOnce(bool pollToo) {
  auto e = enrollment();
  if (!e) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.state = SyncStatus::State::NotEnrolled;
    return false;
  }
  const bool drained = drain(*e) && sendRatings(*e);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (status_.state == SyncStatus::State::Stopped) return false;
    if (drained) status_.state = SyncStatus::State::Idle;
  }
  if (drained && pollToo) poll(*e);
  return drained;
}

void Uploader::lookUp(const std::string& code) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    lookupRequest_ = code;
    lookupResult_.reset();
  }
  cv_.notify_all();
}

std::optional<LiveLookup> Uploader::takeLookup() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto r = std::move(lookupResult_);
  lookupResult_.reset();
  return r;
}

void Uploader::doLookup(const std::string& code) {
  LiveLookup out;
  out.code = code;
  auto e = enrollment();
  bool stopped = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped = status_.state == SyncStatus::State::Stopped;
  }
  if (!e || stopped) {
    out.detail = e ? "the server refused this kiosk" : "not enrolled";
  } else {
    const HttpResponse r = exchange(request(*e, "GET", "/tickets/" + code));
    std::string why;
    if (r.status == 200) {
      auto reply = p::parseTicketsReply(r.body, &why);
      if (reply && reply->tickets.size() == 1 && reply->tickets[0].code == code) {
        out.outcome = LiveLookup::Outcome::Found;
        out.ticket = reply->tickets[0];
      } else {
        out.detail = "tickets/<code>: " + (reply ? std::string("not the ticket asked for") : why);
      }
    } else if (r.status == 404 && r.body.find("unknown_ticket") != std::string::npos) {
      out.outcome = LiveLookup::Outcome::Unknown;
    } else {
      // No network, a captive portal, a server without this endpoint, 429: the resident hears "try later".
      out.detail = r.status == 0 ? r.error : "HTTP " + std::to_string(r.status);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (lookupRequest_) return;  // asked again meanwhile: that answer is the one wanted
    lookupResult_ = std::move(out);
  }
  news();
}

void Uploader::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  // Backing off: the last attempt failed and its retry time has not come. A new submission then waits for
  // the retry (the network is most likely still down); only 立即同步 (syncNow) cuts the wait short.
  auto backingOff = [&](SteadyClock::time_point now) { return status_.failuresInARow > 0 && now < nextTry_; };
  auto stopped = [&] { return status_.state == SyncStatus::State::Stopped; };
  while (!stopping_) {
    if (enrollRequest_) {
      const EnrollRequest request = *enrollRequest_;
      enrollRequest_.reset();
      lock.unlock();
      doEnroll(request);
      lock.lock();
      continue;
    }
    if (lookupRequest_) {  // a resident is waiting at the screen: before any upload
      const std::string code = *lookupRequest_;
      lookupRequest_.reset();
      lock.unlock();
      doLookup(code);
      lock.lock();
      continue;
    }
    const auto now = SteadyClock::now();
    const bool retryDue = status_.failuresInARow > 0 && now >= nextTry_;
    const bool sendDue = !stopped() && ((wakeRequested_ && !backingOff(now)) || retryDue);
    const bool pollDue = !stopped() && !backingOff(now) && (pollRequested_ || now >= nextPoll_);
    if (sendDue || pollDue) {
      wakeRequested_ = false;
      if (pollDue) {
        pollRequested_ = false;
        nextPoll_ = now + options_.pollEvery;
      }
      lock.unlock();
      runOnce(pollDue);
      lock.lock();
      continue;
    }
    auto until = status_.failuresInARow > 0 ? std::min(nextTry_, nextPoll_) : nextPoll_;
    if (stopped()) until = now + std::chrono::hours(24);
    cv_.wait_until(lock, until, [&] {
      return stopping_ || enrollRequest_.has_value() || lookupRequest_.has_value() ||
             (!stopped() && (pollRequested_ || (wakeRequested_ && !backingOff(SteadyClock::now()))));
    });
  }
}

}  // namespace minyi::sync
