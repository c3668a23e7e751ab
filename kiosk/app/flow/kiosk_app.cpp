// The kiosk's flow between screens, driven by the views' commands.
#include "kiosk_app.h"

#include <algorithm>
#include <string>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/core/script.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/ticket.h"

namespace minyi::app {

namespace fs = std::filesystem;
using ui::Command;
namespace command = ui::command;
using ui::Screen;

namespace {
constexpr auto kThankYouTime = std::chrono::seconds(20);
constexpr auto kQuickThanksTime = std::chrono::seconds(3);
constexpr auto kIdleCountdown = std::chrono::seconds(20);  // WCAG 2.2.1: at least 20 s to extend
constexpr auto kHealthRecheck = std::chrono::seconds(30);  // while paused: is the disk free again?
constexpr auto kBurstWindow = std::chrono::seconds(10);     // quick-rating taps closer than this ...
constexpr size_t kBurstTaps = 4;                            // ... this many times are flagged, not dropped
constexpr auto kNoticeTime = std::chrono::seconds(15);      // a notice stays this long in the carousel
}  // namespace

bool KioskApp::load(const std::string& assetsFolder, const std::string& formsFolder, std::string* error) {
  if (std::string err = strings_.loadFolder(assetsFolder + "/strings"); !err.empty()) {
    if (error) *error = err;
    return false;
  }
  return addForms(formsFolder, error);
}

bool KioskApp::addForms(const std::string& formsFolder, std::string* error) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(formsFolder, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  if (ec) {
    if (error) *error = "cannot read the forms folder " + formsFolder + ": " + ec.message();
    return false;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::string err;
    auto text = core::readTextFile(p.string(), &err, 4 << 20);
    if (!text) {
      problems_.push_back(err);
      continue;
    }
    auto r = core::loadFormText(*text, p.stem().string());
    if (!r.ok()) {
      problems_.push_back(p.filename().string() + ": " + (r.diagnostics.empty() ? "unusable" : r.diagnostics.front().message));
      continue;
    }
    forms_.push_back(LoadedForm{p.string(), *text, std::move(r.form)});
  }
  refreshEntries();
  return saveFormsToStore();
}

const core::Form* KioskApp::find(const std::string& id) const {
  for (const LoadedForm& f : forms_)
    if (f.form->minyi.id == id) return f.form.get();
  return nullptr;
}

void KioskApp::setSiteName(std::string name) {
  siteName_ = std::move(name);
  siteNameShown_ = core::simplifiedFor(siteName_, locale_);
}

void KioskApp::setLocale(const std::string& locale) {
  locale_ = locale;
  // The site's name comes from the configuration in 简: a 繁 reader reads it in Traditional characters.
  siteNameShown_ = core::simplifiedFor(siteName_, locale_);
  if (session_) session_->setLocale(locale);  // answers stay
  refreshEntries();
  refreshNotices();
}

// The form list and the quick-rating faces in the current language (rebuilt on load and language change,
// not every frame).
void KioskApp::refreshEntries() {
  quickChoices_.clear();
  quickEntry_ = {};
  entries_.clear();
  for (const LoadedForm& f : forms_) {
    ui::FormEntry e;
    e.id = f.form->minyi.id;
    e.title = f.form->title.get(locale_);
    e.description = f.form->description.get(locale_);
    e.kind = f.form->minyi.kind;
    if (e.kind == "quick") {
      // The faces are the quick form's rating values; its question is the prompt.
      core::Session quick(*f.form, strings_, locale_);
      for (const core::Element* q : quick.visibleElements()) {
        if (q->type != core::ElementType::Rating) continue;
        e.title = quick.title(*q);
        quickChoices_ = quick.rateItems(*q);
        break;
      }
      quickEntry_ = e;
    }
    entries_.push_back(std::move(e));
  }
}

int KioskApp::nextSerial() {
  static int serial = 0;
  return ++serial;
}

void KioskApp::setResidentDefaults(std::string locale, bool elderly, int idleSeconds) {
  defaultLocale_ = std::move(locale);
  defaultElderly_ = elderly;
  defaultIdleSeconds_ = idleSeconds;
  elderly_ = elderly;
  setLocale(defaultLocale_);
}

bool KioskApp::startForm(const std::string& id, Clock::time_point now) {
  const core::Form* f = find(id);
  if (!f) return false;
  now_ = lastActivity_ = now;
  closeKeyboard();
  session_ = std::make_unique<core::Session>(*f, strings_, locale_);
  sessionSerial_ = nextSerial();
  screen_ = Screen::FormPage;
  return true;
}

void KioskApp::goHome() {
  if (screen_ == Screen::OutOfService && !outOfServiceReason_.empty()) return;  // stays paused until storage works
  // Nothing one resident typed is left for the next.
  closeKeyboard();
  session_.reset();
  idlePrompt_ = false;
  confirmLeave_ = false;
  thankYou_.clear();
  receipt_ = {};  // the next resident never sees the last one's code
  lookup_ = {};   // nor the code they looked up
  screen_ = Screen::Attract;
  // Forms the server sent while a resident was busy take effect now, between residents.
  if (formsStale_) {
    formsStale_ = false;
    applyStoreForms();
  }
}

// Something the resident gave, not only what the form fills in by itself (defaultValue, expressions).
bool KioskApp::residentAnswered() const {
  if (!session_) return false;
  const core::Session untouched(session_->form(), strings_, locale_);
  return session_->results() != untouched.results();
}

void KioskApp::endVisit() {
  goHome();
  if (screen_ != Screen::Attract) return;  // paused: stays so
  preferredMode_.reset();
  quickThanks_.clear();
  noticeIndex_ = 0;
  sessionSerial_ = nextSerial();  // fresh scroll positions everywhere; the views forget wrapped text
  elderly_ = defaultElderly_;
  if (locale_ != defaultLocale_) setLocale(defaultLocale_);
}

void KioskApp::showThankYou(Clock::time_point now) {
  now_ = lastActivity_ = now;
  thankYou_ = session_ ? session_->completedHtml() : strings_.get(locale_, "form.completed");
  // A receipt stays until the resident taps 完成 (copying a code takes what it takes); only walking away
  // ends it, through 还在吗？. A plain thank-you returns by itself.
  thankYouUntil_ = now + kThankYouTime;
  screen_ = Screen::ThankYou;
}

// Every offered form is in the store before a submission can name it (saving the same one again is a no-op).
bool KioskApp::saveFormsToStore() {
  if (!store_) return true;
  for (const LoadedForm& f : forms_) {
    store::StoredForm sf;
    sf.id = f.form->minyi.id;
    sf.version = f.form->minyi.version;
    sf.hash = f.form->contentHash;
    sf.kind = f.form->minyi.kind;
    sf.json = f.json;
    auto saved = store_->saveForm(sf);
    if (saved.ok() && !serverForms_) saved = store_->activateForm(sf.id, sf.hash);
    if (!saved.ok()) {
      pause(saved.error().message);
      return false;
    }
  }
  return true;
}

void KioskApp::attachStore(store::KioskStore* store, Clock::time_point now) {
  store_ = store;
  if (!store_) return;  // detached: results stay in memory (screenshots)
  // An enrolled kiosk offers the forms the server last sent (kept in the store); the forms folder is
  // only the starting set of a kiosk that has not heard from a server.
  serverForms_ = enrolled();
  if (!saveFormsToStore()) return;
  if (serverForms_) applyStoreForms();
  loadNotices();
  if (std::string why = cannotKeep(); !why.empty()) pause(why);
  nextHealthCheck_ = now + kHealthRecheck;
}

void KioskApp::pause(const std::string& reason) {
  // 暂停服务: nothing is accepted that could not be kept. Whatever was being filled is dropped with it.
  closeKeyboard();
  session_.reset();
  idlePrompt_ = false;
  outOfServiceReason_ = reason;
  screen_ = Screen::OutOfService;
}

bool KioskApp::keep(const core::Session& finished, std::vector<std::string> flags, Clock::time_point now) {
  const core::Json results = finished.results();
  if (!store_) {
    completed_.push_back(results);
    return true;
  }
  // Sealed to the server's key before it is stored: the kiosk's disk never holds a resident's answers.
  const auto key = sealKey();
  if (!key) {
    pause(strings_.get(locale_, "admin.noServerKey"));
    nextHealthCheck_ = now + kHealthRecheck;
    return false;
  }
  store::NewSubmission sub;
  sub.id = store::newSubmissionId();
  sub.formId = finished.form().minyi.id;
  sub.formVersion = finished.form().minyi.version;
  sub.formHash = finished.form().contentHash;
  sub.kind = finished.form().minyi.kind;
  // Sealed with what it belongs to, so nobody can replay it under another id, form or kiosk. The kiosk is
  // named by its own id, which it keeps when it is enrolled again (the server learns it at enrollment).
  const auto own = store_->kioskId();
  sub.payload = protocol::sealAnswers(*key, {sub.id, sub.formId, sub.formVersion, own.ok() ? own.value() : std::string()}, results);
  sub.flags = std::move(flags);
  receipt_ = {};
  if (sub.kind == "complaint") {
    // A complaint leaves with a ticket: its code, made here with no network, and an access key for the QR
    // link that only the server can read back (sealed like the answers).
    const core::Json category = results.value("category", core::Json());
    const std::string categoryValue = category.is_string() ? category.get<std::string>() : "other";
    const std::string accessKey = protocol::newTicketAccessKey();
    auto made = store_->commitComplaint(
        sub, store::NewTicket{static_cast<uint32_t>(kioskNumber()), categoryValue, protocol::seal(*key, accessKey)});
    if (!made.ok()) {
      pause(made.error().message);
      nextHealthCheck_ = now + kHealthRecheck;
      return false;
    }
    receipt_.code = protocol::groupCode(made.value().code);
    receipt_.link = protocol::ticketLink(serverUrl(), made.value().code, accessKey);
    for (const core::TicketCategory& c : finished.form().minyi.categories) {
      if (c.value != categoryValue) continue;
      receipt_.category = c.text.get(locale_);
      if (c.deadlineHours) receipt_.deadline = strings_.get(locale_, "receipt.hours", {std::to_string(static_cast<int>(*c.deadlineHours))});
      else if (c.deadlineWorkingDays)
        receipt_.deadline = strings_.get(locale_, "receipt.workingDays", {std::to_string(static_cast<int>(*c.deadlineWorkingDays))});
      else if (c.deadlineDays) receipt_.deadline = strings_.get(locale_, "receipt.days", {std::to_string(static_cast<int>(*c.deadlineDays))});
    }
    if (uploader_) uploader_->wake();
    return true;
  }
  auto committed = store_->commitSubmission(sub);
  if (!committed.ok()) {
    pause(committed.error().message);
    nextHealthCheck_ = now + kHealthRecheck;
    return false;
  }
  if (uploader_) uploader_->wake();  // sent at once when the network is up
  return true;  // no copy stays in memory: the database is the only place a resident's answers live
}

void KioskApp::setAdmin(std::string pinHash, std::string exportFolder, std::string siteId) {
  pinLock_ = pinHash.empty() ? nullptr : std::make_unique<store::PinLock>(std::move(pinHash));
  if (!exportFolder.empty()) exportFolder_ = std::move(exportFolder);
  siteId_ = std::move(siteId);
}

void KioskApp::audit(const std::string& action, const std::string& detail) {
  if (store_) store_->audit("admin", action, detail);  // best effort: a full disk must not lock staff out
}

void KioskApp::openPinPad() {
  if (!pinLock_) return;  // no PIN configured: the panel stays shut
  closeKeyboard();
  if (screen_ != Screen::AdminPin && screen_ != Screen::Admin) beforeAdmin_ = screen_;
  keyboard_ = std::make_unique<input::Keyboard>(std::vector<input::Mode>{input::Mode::Digits}, 16);
  pinMessage_.clear();
  screen_ = Screen::AdminPin;
}

void KioskApp::checkPin(Clock::time_point now) {
  const std::string pin = keyboard_ ? keyboard_->buffer().text() : std::string();
  if (keyboard_) keyboard_->buffer().clear();
  switch (pinLock_->attempt(pin, now)) {
    case store::PinLock::Outcome::Accepted:
      closeKeyboard();
      pinMessage_.clear();
      screen_ = Screen::Admin;
      audit("login");
      refreshAdminInfo();
      break;
    case store::PinLock::Outcome::Wrong:
      pinMessage_ = strings_.get(locale_, "admin.pinWrong");
      audit("pin_failed");
      break;
    case store::PinLock::Outcome::Locked:
      pinMessage_ = strings_.get(locale_, "admin.pinLocked", {std::to_string(pinLock_->secondsLeft(now))});
      audit("pin_locked");
      break;
    case store::PinLock::Outcome::NotConfigured:
      break;
  }
}

std::string KioskApp::deviceId() {
  if (!store_) return {};
  // Once enrolled, the server's name for this kiosk is the one staff see on the dashboard.
  const auto serverDevice = store_->setting(sync::keys::kDeviceId);
  if (serverDevice.ok() && serverDevice.value() && !serverDevice.value()->empty()) return *serverDevice.value();
  auto own = store_->kioskId();
  return own.ok() ? own.value() : std::string();
}

void KioskApp::refreshAdminInfo() {
  adminInfo_ = {};
  auto row = [&](const char* key, std::string value) { adminInfo_.rows.emplace_back(key, std::move(value)); };
  auto mb = [](uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1024.0 * 1024.0));
    return std::string(buf);
  };
  row("admin.site", siteName_ + (siteId_.empty() ? "" : " (" + siteId_ + ")"));
  if (!store_) {
    row("admin.lastError", outOfServiceReason_.empty() ? strings_.get(locale_, "admin.noStore") : outOfServiceReason_);
    return;
  }
  row("admin.device", deviceId());
  if (auto use = store_->storageUse(); use.ok())
    row("admin.storage", strings_.get(locale_, "admin.storageValue",
                                      {mb(use.value().databaseBytes + use.value().walBytes), mb(use.value().freeBytes)}));
  if (auto counts = store_->counts(); counts.ok()) {
    adminInfo_.unsettled = counts.value().conflict + counts.value().rejected;
    row("admin.outbox", strings_.get(locale_, "admin.outboxValue",
                                     {std::to_string(counts.value().pending), std::to_string(counts.value().sent),
                                      std::to_string(counts.value().conflict + counts.value().rejected)}));
  }
  const store::Health h = store_->health();
  row("admin.lastError", !outOfServiceReason_.empty() ? outOfServiceReason_
                         : h.ok()                     ? strings_.get(locale_, "admin.noError")
                                                      : h.reason);
  syncRows();
  if (kioskNumber() <= 0) row("admin.lastError", strings_.get(locale_, "admin.noKioskNumber"));
  // Conflicts and rejections stay on the kiosk with the server's reason, for staff to take up.
  if (auto odd = store_->unsettled(5); odd.ok())
    for (const store::Submission& s : odd.value())
      row("admin.unsettled", s.createdAt.substr(0, 10) + "  " + s.formId + "  " + stateName(s.state) + ": " + s.lastError);
  if (auto forms = store_->activeForms(); forms.ok())
    for (const auto& f : forms.value())
      adminInfo_.forms.push_back(f.id + "  v" + std::to_string(f.version) + "  (" + f.hash.substr(0, 8) + ")");
}

int KioskApp::idleSeconds() const {
  if (session_ && session_->form().minyi.idleSeconds > 0) return session_->form().minyi.idleSeconds;
  return defaultIdleSeconds_;
}

bool KioskApp::apply(const std::vector<Command>& commands, Clock::time_point now) {
  bool changed = false;
  now_ = now;
  for (const Command& c : commands) {
    changed = true;
    lastActivity_ = now;
    // While paused only the language and the staff gesture work.
    if (screen_ == Screen::OutOfService && !std::holds_alternative<command::SetLocale>(c) &&
        !std::holds_alternative<command::AdminCorner>(c))
      continue;
    std::visit([&](const auto& cmd) { on(cmd); }, c);
  }
  return changed;
}

// ---------------------------------------------------------------- the start screen and the visit

void KioskApp::on(const command::OpenFormList&) { screen_ = Screen::FormList; }
void KioskApp::on(const command::StartForm& c) { startForm(c.formId, now_); }
void KioskApp::on(const command::SetLocale& c) { setLocale(c.locale); }
void KioskApp::on(const command::ToggleElderly&) { elderly_ = !elderly_; }
void KioskApp::on(const command::Home&) { goHome(); }
void KioskApp::on(const command::StillHere&) { idlePrompt_ = false; }
void KioskApp::on(const command::Animating&) {}  // apply() returning true is what keeps the loop drawing

void KioskApp::on(const command::NextNotice&) {
  if (!notices_.empty()) noticeIndex_ = (noticeIndex_ + 1) % static_cast<int>(notices_.size());
  nextNoticeAt_ = now_ + kNoticeTime;
}

void KioskApp::on(const command::QuickRate& c) {
  const core::Form* f = find(c.formId);
  if (!f || screen_ == Screen::OutOfService) return;
  core::Session quick(*f, strings_, locale_);
  for (const core::Element* e : quick.visibleElements())
    if (e->type == core::ElementType::Rating) quick.setValue(*e, c.value);
  if (quick.complete() != core::NavResult::Completed) return;
  // HappyOrNot-style: a burst of taps is kept but flagged, so staff can leave it out of the numbers.
  quickTaps_.erase(std::remove_if(quickTaps_.begin(), quickTaps_.end(), [&](Clock::time_point t) { return now_ - t > kBurstWindow; }),
                   quickTaps_.end());
  quickTaps_.push_back(now_);
  std::vector<std::string> flags;
  if (quickTaps_.size() >= kBurstTaps) flags.push_back("misuse");
  if (!keep(quick, flags, now_)) return;
  quickThanks_ = strings_.get(locale_, "quick.thanks");
  quickThanksUntil_ = now_ + kQuickThanksTime;
}

// ---------------------------------------------------------------- a form

void KioskApp::on(const command::SetValue& c) {
  if (session_) session_->setValue(c.question, c.value);
}
void KioskApp::on(const command::AddPanel& c) {
  if (session_ && c.panel.element) session_->addPanel(*c.panel.element);
}
void KioskApp::on(const command::RemovePanel& c) {
  if (session_ && c.panel.element) session_->removePanel(*c.panel.element, c.index);
}
void KioskApp::on(const command::EditText& c) {
  finishTyping();
  if (c.question.element) openKeyboard(*c.question.element, c.part == command::TextPart::Comment);
}

void KioskApp::on(const command::Next&) {
  finishTyping();
  closeKeyboard();
  if (session_ && session_->next() == core::NavResult::Invalid) ++revealErrors_;  // the view shows the first
}

void KioskApp::on(const command::Back&) {
  finishTyping();
  closeKeyboard();
  if (session_) session_->back();
}

void KioskApp::on(const command::ToReview&) {
  // The last page is validated before the review; errors keep the resident on the page.
  finishTyping();
  closeKeyboard();
  if (session_ && session_->validateCurrentPage().empty()) screen_ = Screen::Review;
  else if (session_) ++revealErrors_;
}

void KioskApp::on(const command::BackToForm&) { screen_ = Screen::FormPage; }

void KioskApp::on(const command::Submit&) {
  if (session_ && session_->complete() == core::NavResult::Completed) {
    // The thank-you appears only once the submission is on disk.
    if (keep(*session_, {}, now_)) showThankYou(now_);
  } else {
    screen_ = Screen::FormPage;
  }
}

void KioskApp::on(const command::Finish&) { goHome(); }

void KioskApp::on(const command::LeaveForm&) {
  // Leaving loses answers only when there are some: then it asks, with staying as the big button.
  finishTyping();
  closeKeyboard();
  if (session_ && residentAnswered()) confirmLeave_ = true;
  else goHome();
}

void KioskApp::on(const command::LeaveConfirmed&) {
  if (confirmLeave_) goHome();
}
void KioskApp::on(const command::LeaveCancelled&) { confirmLeave_ = false; }

// ---------------------------------------------------------------- the on-screen keyboard

void KioskApp::on(const command::KeyPress& c) {
  if (!keyboard_) return;
  const std::optional<input::Key> key = keyboard_->key(c.keyId);
  if (!key) return;
  const bool done = keyboard_->press(*key);
  if (screen_ == Screen::AdminPin) {
    if (done) checkPin(now_);
    return;
  }
  if (screen_ == Screen::Lookup) {
    lookup_.typed = keyboard_->buffer().text();
    if (done) {  // 完成 on the keyboard looks the code up
      closeKeyboard();
      runLookup();
    }
    return;
  }
  storeTyped();
  if (editing_ && keyboard_->modes().size() > 1 && key->action == input::Key::Action::SwitchMode)
    preferredMode_ = keyboard_->mode();
  if (done) closeKeyboard();
}

void KioskApp::on(const command::Candidate& c) {
  if (!keyboard_) return;
  keyboard_->choose(c.index);
  storeTyped();
}

void KioskApp::on(const command::CandidatePage& c) {
  if (!keyboard_) return;
  if (c.way == command::CandidatePage::Way::Previous) keyboard_->prevPage();
  else keyboard_->nextPage(c.shown);
}

void KioskApp::on(const command::Pen& c) {
  if (!keyboard_) return;
  switch (c.phase) {
    case command::PenPhase::Down: keyboard_->penDown(c.at, now_); break;
    case command::PenPhase::Move: keyboard_->penMove(c.at); break;
    case command::PenPhase::Up:
      keyboard_->penMove(c.at);
      keyboard_->penUp(now_);
      break;
  }
  storeTyped();  // a pause-started character may have committed the one before
}

// ---------------------------------------------------------------- 查询进度 and 回访

void KioskApp::on(const command::OpenLookup&) {
  if (screen_ == Screen::Attract) openLookup();
}

void KioskApp::on(const command::LookupField&) {
  if (screen_ != Screen::Lookup) return;
  keyboard_ = std::make_unique<input::Keyboard>(std::vector<input::Mode>{input::Mode::Latin, input::Mode::Digits}, 16);
  keyboard_->setText(lookup_.typed);
  lookup_.editing = true;
}

void KioskApp::on(const command::LookupSubmit&) {
  if (screen_ != Screen::Lookup) return;
  closeKeyboard();
  runLookup();
}

void KioskApp::on(const command::RateTicket& c) {
  if (screen_ != Screen::Lookup || !lookup_.canRate || !store_) return;
  const auto code = protocol::checkTicketCode(lookup_.code).code;
  auto saved = store_->commitRating(code, ui::ratingWord(c.rating));
  if (!saved.ok()) {
    pause(saved.error().message);
    return;
  }
  runLookup();
  lookup_.thanks = strings_.get(locale_, "lookup.rateThanks");
  if (uploader_) uploader_->wake();
}

// ---------------------------------------------------------------- the staff panel

void KioskApp::on(const command::AdminCorner&) {
  cornerTaps_.erase(std::remove_if(cornerTaps_.begin(), cornerTaps_.end(),
                                   [&](Clock::time_point t) { return now_ - t > std::chrono::seconds(3); }),
                    cornerTaps_.end());
  cornerTaps_.push_back(now_);
  if (cornerTaps_.size() >= 5) {
    cornerTaps_.clear();
    openPinPad();
  }
}

void KioskApp::on(const command::AdminCancel&) {
  if (screen_ == Screen::AdminEnroll) {  // back to the panel, not out of it
    closeKeyboard();
    enroll_ = {};
    screen_ = Screen::Admin;
    refreshAdminInfo();
    return;
  }
  closeKeyboard();
  pinMessage_.clear();
  adminInfo_ = {};
  if (screen_ == Screen::Admin) audit("logout");
  screen_ = beforeAdmin_;
  // Staff may have just fixed what paused the kiosk (enrolled it, freed space).
  if (screen_ == Screen::OutOfService && store_ && cannotKeep().empty()) {
    outOfServiceReason_.clear();
    goHome();
  }
}

void KioskApp::on(const command::AdminSyncNow&) {
  if (screen_ != Screen::Admin || !uploader_) return;
  uploader_->syncNow();
  audit("sync_now");
  refreshAdminInfo();
  adminInfo_.message = strings_.get(locale_, "admin.syncStarted");
}

void KioskApp::on(const command::AdminRetryUnsettled&) {
  if (screen_ != Screen::Admin || !store_) return;
  auto again = store_->retryUnsettled();
  audit("retry_unsettled", again.ok() ? std::to_string(again.value()) : again.error().message);
  if (uploader_) uploader_->syncNow();
  refreshAdminInfo();
  adminInfo_.message = again.ok() ? strings_.get(locale_, "admin.retried", {std::to_string(again.value())})
                                  : strings_.get(locale_, "admin.exportFailed", {again.error().message});
}

void KioskApp::on(const command::AdminExport&) {
  if (screen_ != Screen::Admin || !store_) return;
  store::ExportOptions eo;
  eo.siteId = siteId_;
  eo.deviceId = deviceId();  // the manifest names the kiosk the stick came from
  if (auto own = store_->kioskId(); own.ok()) eo.kioskId = own.value();
  auto report = store_->exportOutbox(exportFolder_, eo);
  if (report.ok()) {
    adminInfo_.message = strings_.get(locale_, "admin.exported", {std::to_string(report.value().submissions), exportFolder_});
    audit("export", exportFolder_ + " " + std::to_string(report.value().submissions));
  } else {
    adminInfo_.message = strings_.get(locale_, "admin.exportFailed", {report.error().message});
    audit("export_failed", report.error().message);
  }
  const std::string keepMessage = adminInfo_.message;
  refreshAdminInfo();
  adminInfo_.message = keepMessage;
}

void KioskApp::on(const command::AdminExit&) {
  if (screen_ != Screen::Admin) return;
  audit("exit");
  exitRequested_ = true;
}

void KioskApp::on(const command::AdminEnroll&) {
  if (screen_ == Screen::Admin && store_) openEnroll();
}

void KioskApp::on(const command::EnrollField& c) {
  if (screen_ != Screen::AdminEnroll || enroll_.busy) return;
  const bool url = c.field == command::EnrollInput::Url;
  keyboard_ = std::make_unique<input::Keyboard>(std::vector<input::Mode>{input::Mode::Latin, input::Mode::Digits}, url ? 200 : 32);
  keyboard_->setText(url ? enroll_.url : enroll_.code);
  enroll_.editing = url ? 1 : 2;
}

void KioskApp::on(const command::EnrollSubmit&) {
  if (screen_ != Screen::AdminEnroll || enroll_.busy || !uploader_) return;
  closeKeyboard();
  enroll_.busy = true;
  enroll_.failed = false;
  enroll_.message = strings_.get(locale_, "enroll.busy");
  audit("enroll_attempt", enroll_.url);
  uploader_->enroll(enroll_.url, enroll_.code);
}

// The keyboard offered fits the question: digits for phone numbers and numbers; for text, pinyin first, then
// handwriting, letters and digits. The Chinese modes get fresh engine sessions: nothing from the last
// resident, and Traditional candidates while the UI is 繁.
void KioskApp::openKeyboard(const core::Element& e, bool comment) {
  if (!session_) return;
  std::vector<input::Mode> modes = {input::Mode::Pinyin, input::Mode::Handwriting, input::Mode::Latin, input::Mode::Digits};
  if (!comment && e.type == core::ElementType::Text && (e.inputType == "tel" || e.inputType == "number"))
    modes = {input::Mode::Digits};
  // The mode this resident chose on an earlier field comes first: who writes by hand keeps writing by hand.
  if (preferredMode_ && modes.size() > 1) {
    const auto it = std::find(modes.begin(), modes.end(), *preferredMode_);
    if (it != modes.end()) std::rotate(modes.begin(), it, it + 1);
  }
  int maxChars = 5000;
  if (!comment && e.maxLength > 0) maxChars = e.maxLength;
  input::Engines engines;
  engines.pinyin = pinyinEngine_;
  engines.handwriting = handwritingEngine_;
  engines.fuzzy = fuzzyPinyin_;
  engines.traditional = locale_ == "zh-tw";
  engines.canDraw = canDraw_;
  keyboard_.reset();  // the previous field's sessions end before the next ones begin
  keyboard_ = std::make_unique<input::Keyboard>(modes, maxChars, &engines);
  editing_ = &e;
  ++editSerial_;
  editingComment_ = comment;
  const core::QuestionRef q{&e};
  const core::Json v = session_->value(q);
  keyboard_->setText(comment ? session_->comment(q) : v.is_null() ? std::string() : core::values::toDisplayString(v));
}

// What is still being composed (pinyin letters, a character on the pad) goes into the text before the
// keyboard closes for another field or page, as it would on 完成.
void KioskApp::finishTyping() {
  if (!keyboard_ || !editing_) return;
  keyboard_->commitComposition();
  storeTyped();
}

void KioskApp::closeKeyboard() {
  keyboard_.reset();
  editing_ = nullptr;
  enroll_.editing = 0;
  lookup_.editing = false;
}

void KioskApp::storeTyped() {
  if (screen_ == Screen::Lookup && keyboard_) {
    lookup_.typed = keyboard_->buffer().text();
    return;
  }
  if (screen_ == Screen::AdminEnroll && keyboard_) {
    if (enroll_.editing == 1) enroll_.url = keyboard_->buffer().text();
    if (enroll_.editing == 2) enroll_.code = keyboard_->buffer().text();
    return;
  }
  if (!session_ || !editing_ || !keyboard_) return;
  const core::QuestionRef q{editing_};
  if (editingComment_) session_->setComment(q, keyboard_->buffer().text());
  else session_->setValue(q, keyboard_->buffer().text());
}

void KioskApp::typeText(const std::string& utf8) {
  if (!keyboard_) return;
  keyboard_->buffer().insert(utf8);
  storeTyped();
}

void KioskApp::backspace() {
  if (!keyboard_) return;
  keyboard_->buffer().backspace();
  storeTyped();
}

// A countdown to `until` shows whole seconds, rounded up (20 at the start, 1 in its last second).
static int secondsUntil(Clock::time_point until, Clock::time_point now) {
  return static_cast<int>(std::max<long long>(0, std::chrono::ceil<std::chrono::seconds>(until - now).count()));
}

bool KioskApp::residentAway() const {
  return screen_ == Screen::FormList || screen_ == Screen::FormPage || screen_ == Screen::Review || screen_ == Screen::Lookup ||
         screen_ == Screen::AdminPin || screen_ == Screen::Admin || screen_ == Screen::AdminEnroll ||
         (screen_ == Screen::ThankYou && !receipt_.code.empty());
}

bool KioskApp::tick(Clock::time_point now) {
  bool changed = false;
  now_ = now;
  if (screen_ == Screen::OutOfService && store_ && now >= nextHealthCheck_) {
    nextHealthCheck_ = now + kHealthRecheck;
    if (cannotKeep().empty()) {
      outOfServiceReason_.clear();
      goHome();
      changed = true;
    }
  }
  // Idle: away from the start screen with no touch for the idle time → 还在吗？ with a countdown, then
  // discard and start over for the next resident.
  const auto idle = std::chrono::seconds(idleSeconds());
  if (residentAway() && !idlePrompt_ && now - lastActivity_ >= idle) {
    idlePrompt_ = true;
    idleDeadline_ = now + kIdleCountdown;
    changed = true;
  }
  if (idlePrompt_ && now >= idleDeadline_) {
    if (screen_ == Screen::Admin || screen_ == Screen::AdminPin || screen_ == Screen::AdminEnroll) {
      // A panel left open goes back to what it came from (a paused kiosk stays paused).
      closeKeyboard();
      adminInfo_ = {};
      enroll_ = {};
      idlePrompt_ = false;
      screen_ = beforeAdmin_;
      if (screen_ == Screen::Attract) endVisit();
    } else {
      // The form may ask to keep what was answered when a resident walks away: stored, flagged "partial".
      if (session_ && session_->form().minyi.keepPartial && residentAnswered()) keep(*session_, {"partial"}, now);
      endVisit();
    }
    changed = true;
  }
  // The start screen with another language or 长辈模式 than the defaults, untouched for the idle time: the
  // resident has gone (they may have tapped 完成 and left); the next one starts from the defaults.
  if (screen_ == Screen::Attract && !atDefaults() && now - lastActivity_ >= idle) {
    endVisit();
    changed = true;
  }
  // The notices carousel turns while the attract screen shows; each turn back to the first rereads the
  // store, so an expired notice goes away.
  if (screen_ == Screen::Attract && notices_.size() > 1 && now >= nextNoticeAt_) {
    if (nextNoticeAt_ != Clock::time_point{}) {
      noticeIndex_ = (noticeIndex_ + 1) % static_cast<int>(notices_.size());
      if (noticeIndex_ == 0) loadNotices();
      changed = true;
    }
    nextNoticeAt_ = now + kNoticeTime;
  }
  if (screen_ == Screen::ThankYou && receipt_.code.empty() && now >= thankYouUntil_) {
    endVisit();
    changed = true;
  }
  if (!quickThanks_.empty() && now >= quickThanksUntil_) {
    quickThanks_.clear();
    changed = true;
  }
  return changed;
}

int KioskApp::msUntilNextTimer(Clock::time_point now) const {
  auto ms = [&](Clock::time_point t) {
    return static_cast<int>(std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count()));
  };
  // A countdown to `until` on screen changes its number every whole second before it.
  auto nextSecond = [&](Clock::time_point until) {
    const int left = ms(until);
    return left <= 0 ? 0 : (left % 1000 == 0 ? 1000 : left % 1000) + 1;
  };
  // The header clock shows minutes: the next one starts a few milliseconds after the wall clock's minute.
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  int wait = static_cast<int>(60000 - wall % 60000) + 5;
  if (screen_ == Screen::OutOfService && store_) wait = std::min(wait, ms(nextHealthCheck_));
  const auto idle = std::chrono::seconds(idleSeconds());
  if (idlePrompt_) wait = std::min(wait, nextSecond(idleDeadline_));
  else if (residentAway()) wait = std::min(wait, ms(lastActivity_ + idle));
  if (screen_ == Screen::Attract && !atDefaults()) wait = std::min(wait, ms(lastActivity_ + idle));
  if (screen_ == Screen::ThankYou && receipt_.code.empty()) wait = std::min(wait, nextSecond(thankYouUntil_));
  if (screen_ == Screen::AdminPin && pinLock_ && pinLock_->locked(now)) wait = std::min(wait, nextSecond(pinLock_->lockedUntil()));
  if (!quickThanks_.empty()) wait = std::min(wait, ms(quickThanksUntil_));
  if (screen_ == Screen::Attract && notices_.size() > 1) wait = std::min(wait, ms(nextNoticeAt_));
  return wait;
}

ui::ViewState KioskApp::view(float width, float height) const {
  ui::ViewState v;
  v.screen = screen_;
  v.locale = locale_;
  v.elderly = elderly_;
  v.siteName = siteNameShown_;
  v.strings = &strings_;
  v.width = width;
  v.height = height;
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d  %H:%M", &local);
  v.dateTime = buf;
  v.forms = entries_;
  if (!quickEntry_.id.empty()) v.quickForm = &quickEntry_;
  v.quickChoices = quickChoices_;
  v.pinMessage = pinMessage_;
  // The lock's seconds count down on screen (the loop wakes for each).
  if (screen_ == Screen::AdminPin && pinLock_ && pinLock_->locked(now_))
    v.pinMessage = strings_.get(locale_, "admin.pinLocked", {std::to_string(pinLock_->secondsLeft(now_))});
  v.admin = &adminInfo_;
  v.enroll = &enroll_;
  v.lookup = &lookup_;
  v.notices = notices_;
  v.noticeIndex = noticeIndex_;
  v.session = session_.get();
  v.sessionSerial = sessionSerial_;
  v.editing = editing_;
  v.editingComment = editingComment_;
  v.keyboard = keyboard_.get();
  v.thankYouText = thankYou_;
  if (!receipt_.code.empty() && screen_ == Screen::ThankYou) v.receipt = &receipt_;
  // Complaints need ticket codes, and codes need this kiosk's number: without one, no complaint entry.
  if (store_ && kioskNumber() <= 0)
    v.forms.erase(std::remove_if(v.forms.begin(), v.forms.end(), [](const ui::FormEntry& e) { return e.kind == "complaint"; }),
                  v.forms.end());
  v.thankYouSeconds = receipt_.code.empty() ? secondsUntil(thankYouUntil_, now_) : -1;
  v.idlePrompt = idlePrompt_;
  v.confirmLeave = confirmLeave_;
  v.revealErrors = revealErrors_;
  v.editSerial = editSerial_;
  v.idleSecondsLeft = secondsUntil(idleDeadline_, now_);
  v.quickThanks = quickThanks_;
  return v;
}

}  // namespace minyi::app
