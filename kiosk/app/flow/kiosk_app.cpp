// The kiosk's flow between screens: the visit (forms, language, 长辈模式, timers) and the commands, each handed
// to the part of the flow that answers it.
#include "kiosk_app.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <string>

#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/core/script.h"
#include "minyi/protocol/sealed_answers.h"

namespace minyi::app {

namespace fs = std::filesystem;
namespace command = ui::command;
using ui::Command;
using ui::Screen;

namespace {
constexpr auto kThankYouTime = std::chrono::seconds(20);
constexpr auto kQuickThanksTime = std::chrono::seconds(3);
constexpr auto kIdleCountdown = std::chrono::seconds(20);  // WCAG 2.2.1: at least 20 s to extend
constexpr auto kHealthRecheck = std::chrono::seconds(30);  // while paused: is the disk free again?
constexpr auto kStickLook = std::chrono::seconds(2);       // the panel looks at the USB stick for a provisioning file
constexpr auto kBurstWindow = std::chrono::seconds(10);     // quick-rating taps closer than this ...
constexpr size_t kBurstTaps = 4;                            // ... this many times are flagged, not dropped

// A countdown to `until` shows whole seconds, rounded up (20 at the start, 1 in its last second).
int secondsUntil(Clock::time_point until, Clock::time_point now) {
  return static_cast<int>(std::max<long long>(0, std::chrono::ceil<std::chrono::seconds>(until - now).count()));
}
}  // namespace

// ---------------------------------------------------------------- forms on offer

bool KioskApp::load(const std::string& assetsFolder, const std::string& formsFolder, std::string* error) {
  if (std::string err = ctx_.strings.loadFolder(assetsFolder + "/strings"); !err.empty()) {
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
    ctx_.forms.push_back(LoadedForm{p.string(), *text, std::move(r.form)});
  }
  refreshEntries();
  return saveFormsToStore();
}

const core::Form* KioskApp::find(const std::string& id) const {
  for (const LoadedForm& f : ctx_.forms)
    if (f.form->minyi.id == id) return f.form.get();
  return nullptr;
}

void KioskApp::setSiteName(std::string name) {
  siteConfigured_ = !name.empty();
  if (!siteConfigured_) return;  // the site enrollment brings (siteFromEnrollment)
  ctx_.siteName = std::move(name);
  siteNameShown_ = core::simplifiedFor(ctx_.siteName, ctx_.locale);
}

bool KioskApp::siteFromEnrollment() {
  if (siteConfigured_ || !ctx_.store) return false;
  const std::string name = ctx_.setting(sync::keys::kSiteName), id = ctx_.setting(sync::keys::kSiteId);
  if (name.empty() || (name == ctx_.siteName && id == ctx_.siteId)) return false;
  ctx_.siteName = name;
  ctx_.siteId = id;
  siteNameShown_ = core::simplifiedFor(ctx_.siteName, ctx_.locale);
  return true;
}

void KioskApp::setLocale(const std::string& locale) {
  ctx_.locale = locale;
  // The site's name comes from the configuration in 简: a 繁 reader reads it in Traditional characters.
  siteNameShown_ = core::simplifiedFor(ctx_.siteName, ctx_.locale);
  if (session_) session_->setLocale(locale);  // answers stay
  refreshEntries();
  notices_.refresh();
}

// The form list and the quick-rating faces in the current language (rebuilt on load and language change,
// not every frame).
void KioskApp::refreshEntries() {
  quickChoices_.clear();
  quickEntry_ = {};
  entries_.clear();
  for (const LoadedForm& f : ctx_.forms) {
    ui::FormEntry e;
    e.id = f.form->minyi.id;
    e.title = f.form->title.get(ctx_.locale);
    e.description = f.form->description.get(ctx_.locale);
    e.kind = f.form->minyi.kind;
    if (e.kind == "quick") {
      // The faces are the quick form's rating values; its question is the prompt.
      core::Session quick(*f.form, ctx_.strings, ctx_.locale);
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
  ctx_.now = lastActivity_ = now;
  closeKeyboard();
  session_ = std::make_unique<core::Session>(*f, ctx_.strings, ctx_.locale);
  sessionSerial_ = nextSerial();
  ctx_.screen = Screen::FormPage;
  return true;
}

// Every offered form is in the store before a submission can name it (saving the same one again is a no-op).
bool KioskApp::saveFormsToStore() {
  if (!ctx_.store) return true;
  for (const LoadedForm& f : ctx_.forms) {
    store::StoredForm sf;
    sf.id = f.form->minyi.id;
    sf.version = f.form->minyi.version;
    sf.hash = f.form->contentHash;
    sf.kind = f.form->minyi.kind;
    sf.json = f.json;
    auto saved = ctx_.store->saveForm(sf);
    if (saved.ok() && !serverForms_) saved = ctx_.store->activateForm(sf.id, sf.hash);
    if (!saved.ok()) {
      pause(saved.error().message);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- the visit

void KioskApp::goHome() {
  if (ctx_.screen == Screen::OutOfService && !ctx_.pausedBecause.empty()) return;  // stays paused until storage works
  // Nothing one resident typed is left for the next.
  closeKeyboard();
  session_.reset();
  idlePrompt_ = false;
  confirmLeave_ = false;
  thankYou_.clear();
  receipt_.reset();  // the next resident never sees the last one's code
  lookup_.forget();  // nor the code they looked up
  ctx_.screen = Screen::Attract;
  // Forms the server sent while a resident was busy take effect now, between residents.
  if (formsStale_) {
    formsStale_ = false;
    applyStoreForms();
  }
}

// Something the resident gave, not only what the form fills in by itself (defaultValue, expressions).
bool KioskApp::residentAnswered() const {
  if (!session_) return false;
  const core::Session untouched(session_->form(), ctx_.strings, ctx_.locale);
  return session_->results() != untouched.results();
}

void KioskApp::endVisit() {
  goHome();
  if (ctx_.screen != Screen::Attract) return;  // paused: stays so
  preferredMode_.reset();
  quickThanks_.clear();
  notices_.rewind();
  sessionSerial_ = nextSerial();  // fresh scroll positions everywhere; the views forget wrapped text
  elderly_ = defaultElderly_;
  if (ctx_.locale != defaultLocale_) setLocale(defaultLocale_);
}

void KioskApp::showThankYou(Clock::time_point now) {
  ctx_.now = lastActivity_ = now;
  thankYou_ = session_ ? session_->completedHtml() : ctx_.say("form.completed");
  // A receipt stays until the resident taps 完成 (copying a code takes what it takes); only walking away
  // ends it, through 还在吗？. A plain thank-you returns by itself.
  thankYouUntil_ = now + kThankYouTime;
  ctx_.screen = Screen::ThankYou;
}

void KioskApp::attachStore(store::KioskStore* store, Clock::time_point now) {
  ctx_.store = store;
  if (!store) return;  // detached: results stay in memory (screenshots)
  // An enrolled kiosk offers the forms the server last sent (kept in the store); the forms folder is
  // only the starting set of a kiosk that has not heard from a server.
  serverForms_ = ctx_.enrolled();
  if (!saveFormsToStore()) return;
  if (serverForms_) applyStoreForms();
  siteFromEnrollment();
  notices_.load();
  if (std::string why = ctx_.cannotKeep(); !why.empty()) pause(why);
  nextHealthCheck_ = now + kHealthRecheck;
}

void KioskApp::pause(const std::string& reason) {
  // 暂停服务: nothing is accepted that could not be kept. Whatever was being filled is dropped with it.
  closeKeyboard();
  session_.reset();
  idlePrompt_ = false;
  ctx_.pausedBecause = reason;
  ctx_.screen = Screen::OutOfService;
}

bool KioskApp::pauseFor(const std::string& reason) {
  pause(reason);
  nextHealthCheck_ = ctx_.now + kHealthRecheck;
  return false;
}

void KioskApp::liftPauseIfFixed() {
  if (ctx_.screen == Screen::OutOfService && ctx_.store && ctx_.cannotKeep().empty()) {
    ctx_.pausedBecause.clear();
    goHome();
  }
}

bool KioskApp::keep(const core::Session& finished, std::vector<std::string> flags) {
  const core::Json results = finished.results();
  if (!ctx_.store) {
    completed_.push_back(results);
    return true;
  }
  // Sealed to the server's key before it is stored: the kiosk's disk never holds a resident's answers.
  const auto key = ctx_.sealKey();
  if (!key) return pauseFor(ctx_.say("admin.noServerKey"));
  store::NewSubmission sub;
  sub.id = store::newSubmissionId();
  sub.formId = finished.form().minyi.id;
  sub.formVersion = finished.form().minyi.version;
  sub.formHash = finished.form().contentHash;
  sub.kind = finished.form().minyi.kind;
  // Sealed with what it belongs to, so nobody can replay it under another id, form or kiosk. The kiosk is
  // named by its own id, which it keeps when it is enrolled again (the server learns it at enrollment).
  const auto own = ctx_.store->kioskId();
  sub.payload = protocol::sealAnswers(*key, {sub.id, sub.formId, sub.formVersion, own.ok() ? own.value() : std::string()}, results);
  sub.flags = std::move(flags);
  receipt_.reset();
  if (sub.kind == "complaint") {
    // A complaint leaves with a ticket and its receipt (complaint_desk.h).
    const core::Json category = results.value("category", core::Json());
    auto filed = complaints_.file(sub, finished.form(), category.is_string() ? category.get<std::string>() : "other", *key);
    if (!filed.ok()) return pauseFor(filed.error().message);
    receipt_ = filed.value();
  } else if (auto committed = ctx_.store->commitSubmission(sub); !committed.ok()) {
    return pauseFor(committed.error().message);
  }
  if (ctx_.uploader) ctx_.uploader->wake();  // sent at once when the network is up
  return true;  // no copy stays in memory: the database is the only place a resident's answers live
}

void KioskApp::setServer(std::optional<protocol::PublicKey> configuredKey, std::string serverUrl,
                         std::optional<protocol::PublicKey> provisioningKey) {
  ctx_.configuredKey = configuredKey;
  ctx_.configuredServerUrl = std::move(serverUrl);
  ctx_.provisioningKey = provisioningKey;
}

void KioskApp::setAdmin(std::string pinHash, std::string exportFolder, std::string siteId) {
  admin_.configure(std::move(pinHash), std::move(exportFolder));
  ctx_.siteId = std::move(siteId);
}

int KioskApp::idleSeconds() const {
  if (session_ && session_->form().minyi.idleSeconds > 0) return session_->form().minyi.idleSeconds;
  return defaultIdleSeconds_;
}

// ---------------------------------------------------------------- commands

bool KioskApp::apply(const std::vector<Command>& commands, Clock::time_point now) {
  bool changed = false;
  ctx_.now = now;
  for (const Command& c : commands) {
    // Asleep, only the waking touch counts (the dark screen offers nothing else).
    if (asleep_ && !std::holds_alternative<command::Wake>(c)) continue;
    changed = true;
    lastActivity_ = now;
    // While paused only the language and the staff gesture work.
    if (ctx_.screen == Screen::OutOfService && !std::holds_alternative<command::SetLocale>(c) &&
        !std::holds_alternative<command::AdminCorner>(c))
      continue;
    std::visit([&](const auto& cmd) { on(cmd); }, c);
  }
  return changed;
}

// The start screen and the visit.
void KioskApp::on(const command::Wake&) { asleep_ = false; }
void KioskApp::on(const command::OpenFormList&) { ctx_.screen = Screen::FormList; }
void KioskApp::on(const command::StartForm& c) { startForm(c.formId, ctx_.now); }
void KioskApp::on(const command::SetLocale& c) { setLocale(c.locale); }
void KioskApp::on(const command::ToggleElderly&) { elderly_ = !elderly_; }
void KioskApp::on(const command::Home&) { goHome(); }
void KioskApp::on(const command::StillHere&) { idlePrompt_ = false; }
void KioskApp::on(const command::NextNotice&) { notices_.next(); }
void KioskApp::on(const command::Animating&) {}  // apply() returning true is what keeps the loop drawing

void KioskApp::on(const command::QuickRate& c) {
  const core::Form* f = find(c.formId);
  if (!f || ctx_.screen == Screen::OutOfService) return;
  core::Session quick(*f, ctx_.strings, ctx_.locale);
  for (const core::Element* e : quick.visibleElements())
    if (e->type == core::ElementType::Rating) quick.setValue(*e, c.value);
  if (quick.complete() != core::NavResult::Completed) return;
  // HappyOrNot-style: a burst of taps is kept but flagged, so staff can leave it out of the numbers.
  const Clock::time_point now = ctx_.now;
  quickTaps_.erase(std::remove_if(quickTaps_.begin(), quickTaps_.end(), [&](Clock::time_point t) { return now - t > kBurstWindow; }),
                   quickTaps_.end());
  quickTaps_.push_back(now);
  std::vector<std::string> flags;
  if (quickTaps_.size() >= kBurstTaps) flags.push_back("misuse");
  if (!keep(quick, flags)) return;
  quickThanks_ = ctx_.say("quick.thanks");
  quickThanksUntil_ = now + kQuickThanksTime;
}

// A form.
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
  if (c.question.element) openKeyboard(c.question, c.part == command::TextPart::Comment);
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
  if (session_ && session_->validateCurrentPage().empty()) ctx_.screen = Screen::Review;
  else if (session_) ++revealErrors_;
}

void KioskApp::on(const command::BackToForm&) { ctx_.screen = Screen::FormPage; }

void KioskApp::on(const command::Submit&) {
  if (session_ && session_->complete() == core::NavResult::Completed) {
    // The thank-you appears only once the submission is on disk.
    if (keep(*session_, {})) showThankYou(ctx_.now);
  } else {
    ctx_.screen = Screen::FormPage;
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

// The on-screen keyboard: its text reaches whoever opened it (typing.h); 完成 means something on each screen.
void KioskApp::on(const command::KeyPress& c) {
  const auto pressed = typing_.press(c.keyId);
  if (!pressed) return;
  if (ctx_.screen == Screen::AdminPin) {
    if (pressed->done) admin_.pinEntered();
    return;
  }
  if (ctx_.screen == Screen::Lookup) {
    if (pressed->done) lookup_.lookUp();  // 完成 on the keyboard looks the code up
    return;
  }
  if (editing_.element && typing_.keyboard()->modes().size() > 1 && pressed->key.action == input::Key::Action::SwitchMode)
    preferredMode_ = typing_.keyboard()->mode();
  if (pressed->done) closeKeyboard();
}

void KioskApp::on(const command::Candidate& c) { typing_.choose(c.index); }
void KioskApp::on(const command::CandidatePage& c) { typing_.page(c); }
void KioskApp::on(const command::Pen& c) { typing_.pen(c, ctx_.now); }

void KioskApp::typeText(const std::string& utf8) { typing_.type(utf8); }
void KioskApp::backspace() { typing_.backspace(); }

// The keyboard offered fits the question: digits for phone numbers and numbers; for text, pinyin first, then
// handwriting, letters and digits. The Chinese modes get fresh engine sessions: nothing from the last
// resident, and Traditional candidates while the UI is 繁.
void KioskApp::openKeyboard(const core::QuestionRef& q, bool comment) {
  if (!session_) return;
  const core::Element& e = *q.element;
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
  // The question as the view named it: a field inside a dynamic panel is that panel's, not the first one's.
  const core::Json v = session_->value(q);
  const std::string text = comment ? session_->comment(q) : v.is_null() ? std::string() : core::values::toDisplayString(v);
  core::Session* session = session_.get();
  typing_.open(
      modes, maxChars, text,
      [session, q, comment](const std::string& typed) {
        if (comment) session->setComment(q, typed);
        else session->setValue(q, typed);
      },
      [this] { editing_ = {}; }, true, ctx_.locale == "zh-tw");
  editing_ = q;
  ++editSerial_;
  editingComment_ = comment;
}

// What is still being composed (pinyin letters, a character on the pad) goes into the text before the
// keyboard closes for another field or page, as it would on 完成.
void KioskApp::finishTyping() {
  if (editing_.element) typing_.commit();
}

// 查询进度 and 回访.
void KioskApp::on(const command::OpenLookup&) {
  if (ctx_.screen == Screen::Attract) lookup_.open();
}
void KioskApp::on(const command::LookupField&) { lookup_.editCode(); }
void KioskApp::on(const command::LookupSubmit&) { lookup_.lookUp(); }
void KioskApp::on(const command::RateTicket& c) {
  if (std::string failed = lookup_.rate(c.rating); !failed.empty()) pause(failed);
}

// The staff panel.
void KioskApp::on(const command::AdminCorner&) { admin_.cornerTap(); }
void KioskApp::on(const command::AdminCancel&) {
  admin_.back();
  liftPauseIfFixed();  // staff may have just fixed what paused the kiosk (enrolled it, freed space)
}
void KioskApp::on(const command::AdminSyncNow&) { admin_.syncNow(); }
void KioskApp::on(const command::AdminRetryUnsettled&) { admin_.retryUnsettled(); }
void KioskApp::on(const command::AdminExport&) { admin_.exportOutbox(); }
void KioskApp::on(const command::AdminExit&) { admin_.exit(); }
void KioskApp::on(const command::AdminEnroll&) { admin_.openEnroll(); }
void KioskApp::on(const command::EnrollField& c) { admin_.editEnroll(c.field); }
void KioskApp::on(const command::EnrollSubmit&) { admin_.submitEnroll(); }
void KioskApp::on(const command::EnrollFromStick&) { admin_.enrollFromStick(false); }

// ---------------------------------------------------------------- timers

bool KioskApp::residentAway() const {
  const Screen s = ctx_.screen;
  return s == Screen::FormList || s == Screen::FormPage || s == Screen::Review || s == Screen::Lookup || admin_.open() ||
         (s == Screen::ThankYou && receipt_);
}

bool KioskApp::tick(Clock::time_point now) {
  bool changed = false;
  ctx_.now = now;
  if (ctx_.screen == Screen::OutOfService && ctx_.store && now >= nextHealthCheck_) {
    nextHealthCheck_ = now + kHealthRecheck;
    if (ctx_.cannotKeep().empty()) {
      ctx_.pausedBecause.clear();
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
    if (admin_.open()) {
      admin_.timedOut();  // a paused kiosk stays paused
      idlePrompt_ = false;
      if (ctx_.screen == Screen::Attract) endVisit();
    } else {
      // The form may ask to keep what was answered when a resident walks away: stored, flagged "partial".
      if (session_ && session_->form().minyi.keepPartial && residentAnswered()) keep(*session_, {"partial"});
      endVisit();
    }
    changed = true;
  }
  // The start screen with another language or 长辈模式 than the defaults, untouched for the idle time: the
  // resident has gone (they may have tapped 完成 and left); the next one starts from the defaults.
  if (ctx_.screen == Screen::Attract && !atDefaults() && now - lastActivity_ >= idle) {
    endVisit();
    changed = true;
  }
  if (!asleep_ && notices_.tick()) changed = true;  // nobody reads notices on a dark screen
  // Staff at the panel of a kiosk not yet enrolled: a stick with a provisioning file is enough.
  if (looksForStick() && now >= nextStickLook_) {
    nextStickLook_ = now + kStickLook;
    if (admin_.enrollFromStick(true)) changed = true;
  }
  if (ctx_.screen == Screen::ThankYou && !receipt_ && now >= thankYouUntil_) {
    endVisit();
    changed = true;
  }
  if (!quickThanks_.empty() && now >= quickThanksUntil_) {
    quickThanks_.clear();
    changed = true;
  }
  // Outside opening hours the screen goes dark between residents; opening time wakes it.
  if (openingHours_) {
    const bool open = openingHours_->contains(minuteOfDay_());
    if (asleep_ && open) {
      asleep_ = false;
      changed = true;
    } else if (darkensWhenIdle() && now - lastActivity_ >= idle) {
      asleep_ = true;
      changed = true;
    }
  }
  return changed;
}

bool KioskApp::looksForStick() const {
  return (ctx_.screen == Screen::Admin || ctx_.screen == Screen::AdminEnroll) && ctx_.provisioningKey && ctx_.uploader &&
         !ctx_.enrolled();
}

bool KioskApp::betweenResidents() const {
  if (admin_.open()) return false;  // staff are at it (even on 暂停服务)
  if (asleep_ || ctx_.screen == Screen::OutOfService) return true;
  return ctx_.screen == Screen::Attract && !idlePrompt_ && !session_ && atDefaults();
}

bool KioskApp::darkensWhenIdle() const {
  return openingHours_ && !asleep_ && !idlePrompt_ && ctx_.screen == Screen::Attract && atDefaults() &&
         !openingHours_->contains(minuteOfDay_());
}

void KioskApp::setOpeningHours(std::optional<core::OpeningHours> hours, std::function<int()> minuteOfDay) {
  openingHours_ = hours;
  if (!minuteOfDay)
    minuteOfDay = [] {
      const std::time_t t = std::time(nullptr);
      std::tm local{};
      localtime_r(&t, &local);
      return local.tm_hour * 60 + local.tm_min;
    };
  minuteOfDay_ = std::move(minuteOfDay);
  if (!openingHours_) asleep_ = false;
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
  const Screen screen = ctx_.screen;
  // The header clock shows minutes: the next one starts a few milliseconds after the wall clock's minute.
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  int wait = static_cast<int>(60000 - wall % 60000) + 5;
  if (screen == Screen::OutOfService && ctx_.store) wait = std::min(wait, ms(nextHealthCheck_));
  const auto idle = std::chrono::seconds(idleSeconds());
  if (idlePrompt_) wait = std::min(wait, nextSecond(idleDeadline_));
  else if (residentAway()) wait = std::min(wait, ms(lastActivity_ + idle));
  if (screen == Screen::Attract && !atDefaults()) wait = std::min(wait, ms(lastActivity_ + idle));
  if (screen == Screen::ThankYou && !receipt_) wait = std::min(wait, nextSecond(thankYouUntil_));
  if (screen == Screen::AdminPin && admin_.pinLocked(now)) wait = std::min(wait, nextSecond(admin_.pinLockedUntil()));
  if (!quickThanks_.empty()) wait = std::min(wait, ms(quickThanksUntil_));
  if (screen == Screen::Attract && !asleep_ && notices_.turning()) wait = std::min(wait, ms(notices_.nextTurn()));
  // After closing, the start screen goes dark once untouched for the idle time (the minute timer wakes it).
  if (darkensWhenIdle()) wait = std::min(wait, ms(lastActivity_ + idle));
  if (looksForStick()) wait = std::min(wait, ms(nextStickLook_));
  return wait;
}

// ---------------------------------------------------------------- the view model

ui::ViewState KioskApp::view(float width, float height) const {
  ui::ViewState v;
  v.screen = ctx_.screen;
  v.locale = ctx_.locale;
  v.elderly = elderly_;
  v.siteName = siteNameShown_;
  v.strings = &ctx_.strings;
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
  v.pinMessage = admin_.pinMessage();
  v.admin = &admin_.info();
  v.enroll = &admin_.enrollment();
  v.lookup = &lookup_.view();
  v.notices = notices_.shown();
  v.noticeIndex = notices_.index();
  v.session = session_.get();
  v.sessionSerial = sessionSerial_;
  v.editing = editing_.element;
  v.editingPanel = editing_.panelIndex;
  v.editingComment = editingComment_;
  v.keyboard = typing_.keyboard();
  v.thankYouText = thankYou_;
  if (receipt_ && ctx_.screen == Screen::ThankYou) v.receipt = &*receipt_;
  // Complaints need ticket codes, and codes need this kiosk's number: without one, no complaint entry.
  if (ctx_.store && ctx_.kioskNumber() <= 0)
    v.forms.erase(std::remove_if(v.forms.begin(), v.forms.end(), [](const ui::FormEntry& e) { return e.kind == "complaint"; }),
                  v.forms.end());
  v.thankYouSeconds = receipt_ ? -1 : secondsUntil(thankYouUntil_, ctx_.now);
  v.idlePrompt = idlePrompt_;
  v.asleep = asleep_;
  v.confirmLeave = confirmLeave_;
  v.revealErrors = revealErrors_;
  v.editSerial = editSerial_;
  v.idleSecondsLeft = secondsUntil(idleDeadline_, ctx_.now);
  v.quickThanks = quickThanks_;
  return v;
}

}  // namespace minyi::app
