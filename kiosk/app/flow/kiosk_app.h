// The kiosk's flow: which screen is up, the form being filled, language, 长辈模式, the visit and its timers,
// composed with the parts that have their own files: the complaint desk, 查询进度, the notices, the staff panel
// and the keyboard in use. No SDL or ImGui here: the window feeds it commands, typed text and the time.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin_panel.h"
#include "complaint_desk.h"
#include "flow_context.h"
#include "lookup_desk.h"
#include "minyi/core/form.h"
#include "minyi/core/opening_hours.h"
#include "minyi/core/receipt.h"
#include "minyi/core/session.h"
#include "minyi/input/keyboard.h"
#include "minyi/protocol/crypto.h"
#include "minyi/store/store.h"
#include "minyi/sync/uploader.h"
#include "minyi/ui/view_model.h"
#include "notice_board.h"
#include "typing.h"

namespace minyi::app {

class KioskApp {
 public:
  KioskApp() = default;
  // Its parts hold references to its context: never copied or moved.
  KioskApp(const KioskApp&) = delete;
  KioskApp& operator=(const KioskApp&) = delete;

  // Loads the string tables and every form in formsFolder; a form that fails the check is left out
  // and named in problems() (the admin panel shows them).
  bool load(const std::string& assetsFolder, const std::string& formsFolder, std::string* error);
  const std::vector<std::string>& problems() const { return problems_; }
  // More forms from another folder (the screenshot run adds deploy/demo/showcase).
  bool addForms(const std::string& folder, std::string* error);

  // The configured site's name ([site] name); empty: the site enrollment brought (kept in the store), shown
  // once the kiosk is enrolled.
  void setSiteName(std::string name);
  // What every resident starts with: the configured language and 长辈模式 ([kiosk] default_locale,
  // default_elderly), and the seconds without a touch before 还在吗？ ([kiosk] idle_seconds; a form's own
  // minyi.idleSeconds wins). When a visit ends — the resident walked away, or the thank-you ran out — the
  // next one starts from these, and from nothing else of the last resident.
  void setResidentDefaults(std::string locale, bool elderly, int idleSeconds);
  // [kiosk] opening_hours: outside them, once the start screen has had no touch for the idle time, the screen
  // goes dark until a touch (or the opening time) wakes it. minuteOfDay tells the local time (tests give
  // their own); none: the machine's local clock.
  void setOpeningHours(std::optional<core::OpeningHours> hours, std::function<int()> minuteOfDay = {});
  bool asleep() const { return asleep_; }
  const std::string& siteName() const { return ctx_.siteName; }  // configured, or what enrollment brought
  // Nobody is at the kiosk: dark, paused, or the start screen untouched since the last visit ended (no form,
  // no 还在吗？, no language or 长辈模式 chosen, no admin panel). The night update restarts it only then.
  bool betweenResidents() const;
  // The key submissions are sealed to when the configuration names one ([server] public_key); without it
  // the key comes from enrollment. Call before attachStore. `serverUrl` pre-fills the enrollment form.
  // `provisioningKey` ([server] provisioning_key): staff may enroll from a USB stick this server signed.
  void setServer(std::optional<protocol::PublicKey> configuredKey, std::string serverUrl,
                 std::optional<protocol::PublicKey> provisioningKey = std::nullopt);
  // [site] kiosk_number, for a kiosk that never enrolls (enrollment hands the number out otherwise).
  void setKioskNumber(int n) { ctx_.configuredKioskNumber = n; }
  // Where finished submissions go. Saves the loaded forms into it; if it cannot keep submissions, the kiosk
  // shows 暂停服务 instead of taking input. Without a store (screenshots only) results stay in completed().
  void attachStore(store::KioskStore* store, Clock::time_point now);
  bool outOfService() const { return ctx_.screen == ui::Screen::OutOfService; }
  // 暂停服务 with a reason for the admin panel (also when the store could not even be opened).
  void pause(const std::string& reason);
  // The admin panel: PIN hash from the config (none: the panel cannot be opened), where exports go.
  void setAdmin(std::string pinHash, std::string exportFolder, std::string siteId);
  // The uploader thread (may be null: no sync). Woken after every commit; its news arrive via syncNews().
  void attachSync(sync::Uploader* uploader) { ctx_.uploader = uploader; }
  // The uploader reported something (an SDL event from its thread): notices, forms, status, enrollment.
  // Returns true when the view changed.
  bool syncNews(Clock::time_point now);
  bool exitRequested() const { return admin_.exitRequested(); }
  const std::string& outOfServiceReason() const { return ctx_.pausedBecause; }
  // Applies what the resident did; returns true when something changed that needs a redraw.
  bool apply(const std::vector<ui::Command>& commands, Clock::time_point now);
  // Chinese input for text questions and comments (pinyin, handwriting); either may be null (that mode is
  // not offered). canDraw tells whether the font atlas can draw a candidate (the window's FontLibrary).
  void setInputEngines(const input::PinyinEngine* pinyin, const input::HandwritingEngine* handwriting, bool fuzzyPinyin) {
    typing_.setEngines(pinyin, handwriting, fuzzyPinyin);
  }
  void setCanDraw(input::CanDraw canDraw) { typing_.setCanDraw(std::move(canDraw)); }
  const input::Keyboard* keyboard() const { return typing_.keyboard(); }
  // Typed text (physical keyboard or on-screen keyboard) goes to the question being edited.
  void typeText(const std::string& utf8);
  void backspace();
  // A touch or a key: the resident is still there.
  void noteActivity(Clock::time_point now) { lastActivity_ = now; }
  // Timers: idle prompt and reset, thank-you countdown, the brief quick-rating thanks. Returns true when
  // the view changed.
  bool tick(Clock::time_point now);
  bool idlePrompt() const { return idlePrompt_; }
  // Milliseconds until the next timer needs the loop awake (the loop sleeps otherwise).
  int msUntilNextTimer(Clock::time_point now) const;

  ui::ViewState view(float width, float height) const;
  bool elderly() const { return elderly_; }
  const std::string& locale() const { return ctx_.locale; }
  ui::Screen screen() const { return ctx_.screen; }
  core::Session* session() { return session_.get(); }
  // Results of finished forms when no store is attached (screenshots); with a store they live only there.
  const std::vector<core::Json>& completed() const { return completed_; }

  // For screenshots and tests: open a form directly.
  bool startForm(const std::string& id, Clock::time_point now);
  void setLocale(const std::string& locale);
  void setElderly(bool on) { elderly_ = on; }
  void showThankYou(Clock::time_point now);

 private:
  const core::Form* find(const std::string& id) const;
  void goHome();
  // The visit ends: everything goHome() drops, and the language, 长辈模式, keyboard mode and scroll too.
  void endVisit();
  bool residentAnswered() const;  // the form holds answers the resident gave (leaving would lose them)
  bool atDefaults() const { return ctx_.locale == defaultLocale_ && elderly_ == defaultElderly_; }
  // Outside opening hours, awake on the start screen at its defaults: it goes dark once untouched for the idle time.
  bool darkensWhenIdle() const;
  static int nextSerial();
  void refreshEntries();
  bool saveFormsToStore();
  bool applyStoreForms();  // loads the store's active forms (between residents only)
  // Keeps a finished submission: sealed, in the store (durably, before any thank-you) or, without one, in memory.
  bool keep(const core::Session& finished, std::vector<std::string> flags);
  bool pauseFor(const std::string& reason);  // 暂停服务 until the health check passes; returns false
  void liftPauseIfFixed();  // staff or the server may have fixed what paused the kiosk (space, the key)
  int idleSeconds() const;
  // A resident is somewhere 还在吗？ can ask about: a form, a list, 查询进度, a receipt, the staff panel.
  bool residentAway() const;
  // Typing into the form: the keyboard fits the question; the text goes to the session.
  void openKeyboard(const core::QuestionRef& q, bool comment);
  void finishTyping();  // commits what is being composed into the field
  void closeKeyboard() { typing_.close(); }

  // What each command does, grouped as in view_model.h; apply() sends each to its own.
  void on(const ui::command::Wake&);
  void on(const ui::command::OpenFormList&);
  void on(const ui::command::StartForm&);
  void on(const ui::command::QuickRate&);
  void on(const ui::command::SetLocale&);
  void on(const ui::command::ToggleElderly&);
  void on(const ui::command::Home&);
  void on(const ui::command::NextNotice&);
  void on(const ui::command::StillHere&);
  void on(const ui::command::SetValue&);
  void on(const ui::command::AddPanel&);
  void on(const ui::command::RemovePanel&);
  void on(const ui::command::EditText&);
  void on(const ui::command::Next&);
  void on(const ui::command::Back&);
  void on(const ui::command::ToReview&);
  void on(const ui::command::BackToForm&);
  void on(const ui::command::Submit&);
  void on(const ui::command::Finish&);
  void on(const ui::command::LeaveForm&);
  void on(const ui::command::LeaveConfirmed&);
  void on(const ui::command::LeaveCancelled&);
  void on(const ui::command::KeyPress&);
  void on(const ui::command::Candidate&);
  void on(const ui::command::CandidatePage&);
  void on(const ui::command::Pen&);
  void on(const ui::command::OpenLookup&);
  void on(const ui::command::LookupField&);
  void on(const ui::command::LookupSubmit&);
  void on(const ui::command::RateTicket&);
  void on(const ui::command::AdminCorner&);
  void on(const ui::command::AdminCancel&);
  void on(const ui::command::AdminExport&);
  void on(const ui::command::AdminExit&);
  void on(const ui::command::AdminSyncNow&);
  void on(const ui::command::AdminRetryUnsettled&);
  void on(const ui::command::AdminEnroll&);
  void on(const ui::command::EnrollField&);
  void on(const ui::command::EnrollSubmit&);
  void on(const ui::command::EnrollFromStick&);
  void on(const ui::command::Animating&);

  FlowContext ctx_;
  Typing typing_;
  ComplaintDesk complaints_{ctx_};
  LookupDesk lookup_{ctx_, typing_};
  NoticeBoard notices_{ctx_};
  AdminPanel admin_{ctx_, typing_};

  // The forms on offer (in ctx_.forms) as the form list and the start screen's faces, in the current language.
  std::vector<std::string> problems_;
  std::vector<ui::FormEntry> entries_;
  ui::FormEntry quickEntry_;
  std::vector<core::ChoiceView> quickChoices_;
  bool serverForms_ = false;  // the store's active forms (from the server) replace the forms folder
  bool formsStale_ = false;   // the server sent new forms: applied when no resident is in the middle of one

  // The resident's visit.
  std::string siteNameShown_ = ctx_.siteName;  // in the current script
  bool elderly_ = false;
  std::string defaultLocale_ = "zh-cn";
  bool defaultElderly_ = false;
  int defaultIdleSeconds_ = 60;
  std::unique_ptr<core::Session> session_;
  // Changes with every form session and every new visit, unique in the process: scroll positions and the
  // views' memory of wrapped text are keyed by it, so nothing carries over to the next resident.
  int sessionSerial_ = 0;
  // The keyboard mode this resident last chose for text (handwriting, say): the next field opens in it.
  std::optional<input::Mode> preferredMode_;
  core::QuestionRef editing_;  // the question the keyboard types into (its element is null when none)
  bool editingComment_ = false;
  std::string thankYou_;
  Clock::time_point thankYouUntil_{};
  std::optional<core::Receipt> receipt_;  // the last complaint's, while its thank-you shows
  std::string quickThanks_;
  Clock::time_point quickThanksUntil_{};
  std::vector<Clock::time_point> quickTaps_;  // recent quick-rating taps, to flag bursts as misuse
  std::vector<core::Json> completed_;
  Clock::time_point nextHealthCheck_{};
  Clock::time_point nextStickLook_{};  // the admin panel of a kiosk not enrolled looks for a provisioning stick
  bool looksForStick() const;
  bool siteConfigured_ = false;  // [site] in the configuration; else the site comes from enrollment
  bool siteFromEnrollment();     // takes the enrolled site when none is configured; true when it changed
  Clock::time_point lastActivity_{};
  bool idlePrompt_ = false;           // 还在吗？ is showing
  bool asleep_ = false;               // dark outside opening hours (setOpeningHours)
  std::optional<core::OpeningHours> openingHours_;
  std::function<int()> minuteOfDay_;
  bool confirmLeave_ = false;         // 离开这份问卷？ is showing
  int revealErrors_ = 0;              // counts pages checked with problems (the view scrolls to the first)
  int editSerial_ = 0;                // counts keyboards opened (the view brings the question into view)
  Clock::time_point idleDeadline_{};  // when the form is discarded unless the resident taps 继续
};

}  // namespace minyi::app
