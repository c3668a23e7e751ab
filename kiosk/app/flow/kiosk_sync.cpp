// The kiosk's side of sync: the sealing key, the uploader's news, forms and notices from the server, enrollment.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include "kiosk_app.h"
#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/core/script.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"

namespace minyi::app {

using ui::Screen;

namespace {
std::string setting(store::KioskStore* s, const char* key) {
  if (!s) return {};
  auto r = s->setting(key);
  return r.ok() && r.value() ? *r.value() : std::string();
}

// The text for `locale` from {"zh-cn": ..., "zh-tw": ..., "en": ...}, else Simplified (in Traditional
// characters for a 繁 reader: the font holds the Traditional counterparts of GB2312), else any.
std::string localText(const std::string& json, const std::string& locale) {
  auto j = core::parseJsonText(json, nullptr);
  if (!j || !j->is_object()) return {};
  for (const std::string& key : {locale, std::string("zh-cn"), std::string("default")})
    if (auto it = j->find(key); it != j->end() && it->is_string())
      return key == locale ? it->get<std::string>() : core::simplifiedFor(it->get<std::string>(), locale);
  for (auto& [k, v] : j->items())
    if (v.is_string()) return v.get<std::string>();
  return {};
}
}  // namespace

void KioskApp::setServer(std::optional<protocol::PublicKey> configuredKey, std::string serverUrl) {
  configuredKey_ = configuredKey;
  defaultServerUrl_ = std::move(serverUrl);
}

std::optional<protocol::PublicKey> KioskApp::sealKey() const {
  if (configuredKey_) return configuredKey_;
  const std::string fromEnrollment = setting(store_, sync::keys::kPublicKey);
  if (fromEnrollment.empty()) return std::nullopt;
  return protocol::decodeKey(fromEnrollment);
}

int KioskApp::kioskNumber() const {
  const std::string fromEnrollment = setting(store_, sync::keys::kKioskNumber);
  if (!fromEnrollment.empty()) return std::atoi(fromEnrollment.c_str());
  return configuredKioskNumber_;
}

std::string KioskApp::serverUrl() const {
  const std::string enrolledAt = setting(store_, sync::keys::kServerUrl);
  return enrolledAt.empty() ? defaultServerUrl_ : enrolledAt;
}

bool KioskApp::enrolled() const { return !setting(store_, sync::keys::kToken).empty(); }

std::string KioskApp::cannotKeep() {
  if (!store_) return {};
  const store::Health h = store_->health();
  if (!h.ok()) return h.reason;
  // Answers are sealed before they touch the disk; without the server's key there is nothing to seal to.
  if (!sealKey()) return strings_.get(locale_, "admin.noServerKey");
  return {};
}

bool KioskApp::applyStoreForms() {
  if (!store_ || session_) return false;  // never under a resident's feet
  auto active = store_->activeForms();
  if (!active.ok() || active.value().empty()) return false;
  std::vector<LoadedForm> loaded;
  for (const store::StoredForm& sf : active.value()) {
    auto r = core::loadFormText(sf.json, sf.id);
    if (!r.ok()) {
      problems_.push_back(sf.id + ": " + (r.diagnostics.empty() ? "unusable" : r.diagnostics.front().message));
      continue;
    }
    loaded.push_back(LoadedForm{"", sf.json, std::move(r.form)});
  }
  if (loaded.empty()) return false;
  forms_ = std::move(loaded);
  refreshEntries();
  return true;
}

void KioskApp::loadNotices() {
  storedNotices_.clear();
  if (store_)
    if (auto n = store_->notices(std::chrono::system_clock::now()); n.ok()) storedNotices_ = std::move(n.value());
  refreshNotices();
}

void KioskApp::refreshNotices() {
  notices_.clear();
  for (const store::StoredNotice& n : storedNotices_) {
    ui::NoticeView v{localText(n.title, locale_), localText(n.body, locale_), n.publishedAt.substr(0, 10)};
    if (!v.title.empty() || !v.body.empty()) notices_.push_back(std::move(v));
  }
  if (noticeIndex_ >= static_cast<int>(notices_.size())) noticeIndex_ = 0;
}

bool KioskApp::syncNews(Clock::time_point now) {
  if (!uploader_) return false;
  now_ = now;
  bool changed = false;
  if (uploader_->takeNoticesChanged()) {
    loadNotices();
    changed = true;
  }
  if (takeLiveLookup()) changed = true;
  if (uploader_->takeTicketsChanged() && screen_ == Screen::Lookup && lookup_.result == ui::LookupView::Result::Found) {
    runLookup();
    changed = true;
  }
  if (uploader_->takeFormsChanged()) {
    serverForms_ = true;
    formsStale_ = true;
  }
  if (formsStale_ && !session_ && (screen_ == Screen::Attract || screen_ == Screen::OutOfService)) {
    formsStale_ = false;
    changed |= applyStoreForms();
  }
  if (screen_ == Screen::Admin) {
    const std::string keepMessage = adminInfo_.message;
    refreshAdminInfo();
    adminInfo_.message = keepMessage;
    changed = true;
  }
  if (screen_ == Screen::AdminEnroll && enroll_.busy) {
    const sync::SyncStatus st = uploader_->status();
    if (!st.enrolling) {
      enroll_.busy = false;
      enroll_.failed = !st.problem.empty();
      if (enroll_.failed) {
        const std::string words = strings_.get(locale_, ("sync.problem." + st.problem).c_str());
        enroll_.message = strings_.get(locale_, "enroll.failed", {words + (st.detail.empty() ? "" : " (" + st.detail + ")")});
      } else {
        enroll_.message = strings_.get(locale_, "enroll.done", {st.siteName, st.deviceId});
        enroll_.code.clear();  // single use: nothing to keep on screen
      }
      changed = true;
    }
  }
  // Enrollment may have brought the key a paused kiosk was waiting for.
  if (screen_ == Screen::OutOfService && store_ && cannotKeep().empty()) {
    outOfServiceReason_.clear();
    goHome();
    changed = true;
  }
  return changed;
}

void KioskApp::openLookup() {
  closeKeyboard();
  lookup_ = {};
  screen_ = Screen::Lookup;
  // The code is typed at once: letters and digits, no more than a code and its dashes.
  keyboard_ = std::make_unique<input::Keyboard>(std::vector<input::Mode>{input::Mode::Latin, input::Mode::Digits}, 16);
  lookup_.editing = true;
}

// Reads the typed code: a wrong check symbol is told apart from a code this kiosk never made. A code made at
// another kiosk is asked of the server (when this kiosk is enrolled); the answer comes back in syncNews.
void KioskApp::runLookup() {
  using R = ui::LookupView::Result;
  const std::string typed = lookup_.typed;
  lookup_ = {};
  lookup_.typed = typed;
  const protocol::TicketCode checked = protocol::checkTicketCode(typed);
  if (checked.check == protocol::TicketCode::Check::Malformed) {
    lookup_.result = R::Malformed;
    return;
  }
  if (checked.check == protocol::TicketCode::Check::Mistyped) {
    lookup_.result = R::Mistyped;
    return;
  }
  std::optional<store::Ticket> t;
  if (store_)
    if (auto found = store_->ticket(checked.code); found.ok()) t = found.value();
  if (!t) {
    if (uploader_ && !setting(store_, sync::keys::kToken).empty()) {
      lookup_.result = R::Asking;
      lookup_.asked = checked.code;
      uploader_->lookUp(checked.code);
    } else {
      lookup_.result = R::Unknown;
    }
    return;
  }
  showTicket(*t, t->updatedAt.empty() ? strings_.get(locale_, "lookup.notYet")
                                      : strings_.get(locale_, "lookup.updated", {localTime(t->updatedAt)}));
  if (uploader_) uploader_->syncNow();  // fresher news for the next look, when the network is up
}

// The server's answer about a code made elsewhere, if it is the one the screen still waits for.
bool KioskApp::takeLiveLookup() {
  using R = ui::LookupView::Result;
  auto live = uploader_ ? uploader_->takeLookup() : std::nullopt;
  if (!live || screen_ != Screen::Lookup || lookup_.result != R::Asking || live->code != lookup_.asked) return false;
  switch (live->outcome) {
    case sync::LiveLookup::Outcome::Unknown: lookup_.result = R::Unknown; break;
    case sync::LiveLookup::Outcome::Unreachable: lookup_.result = R::Unreachable; break;
    case sync::LiveLookup::Outcome::Found: {
      // Shown, never kept: the next resident's 查询进度 asks again.
      store::Ticket t;
      t.code = live->ticket.code;
      t.category = live->ticket.category;
      t.status = live->ticket.status;
      t.expectedBy = live->ticket.expectedBy;
      t.publicReply = live->ticket.publicReply;
      t.timeline = protocol::toJson(live->ticket.timeline).dump();
      if (!live->ticket.timeline.empty()) t.createdAt = live->ticket.timeline.front().at;
      showTicket(t, strings_.get(locale_, "lookup.live"));
      break;
    }
  }
  return true;
}

// Server times are UTC; residents read the kiosk's own clock time.
std::string KioskApp::localTime(const std::string& iso, bool deadline) {
  std::tm tm{};
  if (iso.size() < 16 || !strptime(iso.substr(0, 16).c_str(), "%Y-%m-%dT%H:%M", &tm)) return iso;
  const time_t t = timegm(&tm);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  // A deadline at midnight is the end of the day before, as the promise reads: 12月9日 24:00, not 12月10日 00:00.
  if (deadline && local.tm_hour == 0 && local.tm_min == 0) {
    const time_t before = t - 60;
    localtime_r(&before, &local);
    std::strftime(buf, sizeof buf, "%Y-%m-%d 24:00", &local);
    return buf;
  }
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &local);
  return buf;
}

// A ticket on the 查询进度 screen, in words: status and reply first (with the 回访 right after them, in view
// even in 长辈模式), then the rest and the timeline.
void KioskApp::showTicket(const store::Ticket& t, const std::string& note) {
  lookup_.result = ui::LookupView::Result::Found;
  lookup_.code = protocol::groupCode(t.code);
  auto row = [&](const char* key, std::string value) {
    if (!value.empty()) lookup_.rows.emplace_back(strings_.get(locale_, key), std::move(value));
  };
  row("lookup.status", strings_.get(locale_, ("ticket.status." + t.status).c_str()));
  row("lookup.reply", core::simplifiedFor(t.publicReply, locale_));  // staff write 简
  lookup_.rateAfterRows = lookup_.rows.size();
  std::string category = t.category;
  for (const LoadedForm& f : forms_)
    for (const core::TicketCategory& c : f.form->minyi.categories)
      if (c.value == t.category && category == t.category) category = c.text.get(locale_);
  if (category == "other" || category.empty()) category.clear();  // a bare value is no help to a resident
  row("lookup.category", category);
  row("lookup.submitted", localTime(t.createdAt));
  row("lookup.expected", localTime(t.expectedBy, true));
  if (auto timeline = core::parseJsonText(t.timeline, nullptr); timeline && timeline->is_array())
    for (const core::Json& e : *timeline)
      if (e.is_object() && e.contains("at") && e.contains("status"))
        lookup_.timeline.push_back(localTime(e["at"].get<std::string>()) + "  " +
                                   strings_.get(locale_, ("ticket.status." + e["status"].get<std::string>()).c_str()));
  lookup_.note = note;
  // 回访: a resolved ticket asks for a rating, once; a rating given here shows what became of it.
  std::optional<store::KioskStore::Rating> rated;
  if (store_)
    if (auto r = store_->ratingOf(t.code); r.ok()) rated = r.value();
  if (rated) {
    const std::string word = strings_.get(locale_, ("rating." + rated->rating).c_str());
    std::string shown = rated->state == "pending" ? strings_.get(locale_, "lookup.ratedPending", {word})
                        : rated->outcome.rfind("rejected", 0) == 0
                            ? strings_.get(locale_, "lookup.ratedRejected", {word, rated->outcome.substr(std::min<size_t>(10, rated->outcome.size()))})
                            : strings_.get(locale_, "lookup.ratedDone", {word});
    lookup_.rows.insert(lookup_.rows.begin() + static_cast<std::ptrdiff_t>(lookup_.rateAfterRows),
                        {strings_.get(locale_, "lookup.rated"), shown});
    ++lookup_.rateAfterRows;
  } else {
    lookup_.canRate = t.status == "resolved" && store_;
  }
}

void KioskApp::openEnroll() {
  closeKeyboard();
  enroll_ = {};
  enroll_.url = setting(store_, sync::keys::kServerUrl);
  if (enroll_.url.empty()) enroll_.url = defaultServerUrl_;
  screen_ = Screen::AdminEnroll;
}

void KioskApp::syncRows() {
  auto row = [&](const char* key, std::string value) { adminInfo_.rows.emplace_back(key, std::move(value)); };
  if (!uploader_) {
    row("admin.sync", strings_.get(locale_, "sync.state.not_enrolled"));
    return;
  }
  const sync::SyncStatus st = uploader_->status();
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(st.nextAttempt - std::chrono::system_clock::now()).count();
  std::string line = strings_.get(locale_, (std::string("sync.state.") + sync::stateName(st.state)).c_str(),
                                  {std::to_string(std::max<long long>(0, wait))});
  if (!st.serverUrl.empty()) line += "  ·  " + st.serverUrl;
  if (!st.problem.empty())
    line += "\n" + strings_.get(locale_, ("sync.problem." + st.problem).c_str()) + (st.detail.empty() ? "" : " (" + st.detail + ")");
  row("admin.sync", line);
  std::string last = st.lastSuccessAt;
  if (last.size() >= 19) last = last.substr(0, 10) + " " + last.substr(11, 8) + " UTC";
  row("admin.lastSync", last.empty() ? strings_.get(locale_, "admin.never") : last);
  // A clock off by minutes files residents' answers in the wrong hour or week (the server then uses its own).
  if (st.clockOffsetSeconds && std::chrono::seconds(std::llabs(*st.clockOffsetSeconds)) > protocol::kClockTolerance)
    row("admin.clock", strings_.get(locale_, *st.clockOffsetSeconds > 0 ? "admin.clockAhead" : "admin.clockBehind",
                                    {std::to_string(std::llabs(*st.clockOffsetSeconds) / 60)}));
}

}  // namespace minyi::app
