// The kiosk's view model: what a screen shows (ViewState, filled by the flow) and what the resident did
// (Command, returned by the views). Plain data: no ImGui, no SDL, so the flow is built and tested without them.
#pragma once
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "minyi/core/receipt.h"
#include "minyi/core/session.h"
#include "minyi/core/strings.h"
#include "minyi/input/handwriting.h"
#include "minyi/input/keyboard.h"

namespace minyi::ui {

enum class Screen { Attract, FormList, FormPage, Review, ThankYou, OutOfService, AdminPin, Admin, AdminEnroll, Lookup };
// "attract", "form-page", ... (the automation record and logs).
const char* screenName(Screen s);

struct FormEntry {
  std::string id;
  std::string title;        // in the current language
  std::string description;
  std::string kind;         // survey | complaint | quick
};

// What the admin panel shows, already in words (filled by the app when the panel opens or acts).
struct AdminInfo {
  std::vector<std::pair<std::string, std::string>> rows;  // string-table key of the label → value
  std::vector<std::string> forms;                          // active forms: "id v1 (hash…)"
  std::string message;                                     // result of the last action, in words
  int64_t unsettled = 0;  // conflicting and rejected submissions staff may send again
};

// A notice in the attract screen's carousel, in the current language.
struct NoticeView {
  std::string title;
  std::string body;
  std::string date;  // publication day, e.g. 2026-11-20
};

// 查询进度: the code typed so far and what the lookup found, already in words.
struct LookupView {
  std::string typed;
  bool editing = false;       // the keyboard is open on the code
  // Asking: not made here, the server is being asked; Unreachable: not made here and the server could not be asked.
  enum class Result { None, Malformed, Mistyped, Unknown, Asking, Unreachable, Found } result = Result::None;
  std::string asked;          // ungrouped: the code the server was asked about (then Unknown means nowhere)
  std::string code;           // grouped, when found
  std::vector<std::pair<std::string, std::string>> rows;  // label → value (status, category, dates, reply)
  std::vector<std::string> timeline;  // "2026-11-27 16:00  已受理"
  std::string note;           // when the server's news is from, or that there is none yet
  bool canRate = false;       // resolved and not yet rated here: 满意 / 基本满意 / 不满意 (回访)
  size_t rateAfterRows = 0;   // the 回访 (or the rating given) comes after this many rows: status and reply
  std::string thanks;         // after a rating
};

// The admin panel's enrollment form: server address and the one-time code, typed on the keyboard.
struct EnrollView {
  std::string url;
  std::string code;
  int editing = 0;       // 0: none, 1: the address, 2: the code (the keyboard is open for it)
  std::string message;   // progress or the outcome, in words
  bool busy = false;     // the request is on its way: 登记 is not offered twice
  bool failed = false;
};

// Everything a view needs to draw one frame. The app owns and fills it.
struct ViewState {
  Screen screen = Screen::Attract;
  std::string locale = "zh-cn";
  bool elderly = false;
  std::string siteName;
  std::string dateTime;                      // header clock, already formatted
  std::vector<FormEntry> forms;              // surveys and complaints offered
  const FormEntry* quickForm = nullptr;      // shown as faces on the attract screen
  std::vector<core::ChoiceView> quickChoices;  // its rating values, in the current language, worst first
  const core::Session* session = nullptr;    // the form being filled (FormPage, Review)
  int sessionSerial = 0;                     // changes with every form session and visit (fresh scroll, no text kept)
  const core::StringTable* strings = nullptr;
  std::string thankYouText;                  // ThankYou: completedHtml, as plain text
  const core::Receipt* receipt = nullptr;    // ThankYou after a complaint
  int thankYouSeconds = 0;                   // countdown to the automatic return
  std::string quickThanks;                   // after a quick-rating tap, shown briefly on the attract screen
  const core::Element* editing = nullptr;    // the text question receiving typed text
  int editingPanel = -1;                     // ... in this dynamic panel (-1: not in one)
  bool editingComment = false;               // ... its comment / "other" text rather than its value
  const input::Keyboard* keyboard = nullptr;  // open while a text question is being typed
  std::string pinMessage;                    // AdminPin: wrong PIN / locked for N s, already in words
  const AdminInfo* admin = nullptr;          // Admin
  const EnrollView* enroll = nullptr;        // AdminEnroll
  const LookupView* lookup = nullptr;        // Lookup
  std::vector<NoticeView> notices;           // Attract: the carousel (empty: the welcome text)
  int noticeIndex = 0;                       // the one showing
  bool idlePrompt = false;                   // 还在吗？ over the current screen
  bool asleep = false;                       // outside opening hours between residents: a dark screen, a touch wakes it
  bool confirmLeave = false;                 // 离开这份问卷？ over the form page or review
  int revealErrors = 0;                      // changes when a page was checked and has problems: show the first
  int editSerial = 0;                        // changes when a keyboard opens: bring its question into view
  int idleSecondsLeft = 0;
  float width = 1920, height = 1080;
};

// What the resident (or staff) did, one type per action with its own payload: the views make them, the flow
// applies them. Grouped by the part of the flow that answers them.
namespace command {
// The start screen and the resident's visit
struct OpenFormList {};
struct StartForm { std::string formId; };
struct QuickRate { std::string formId; core::Json value; };  // a face on the start screen
struct SetLocale { std::string locale; };
struct ToggleElderly {};
struct Home {};
struct NextNotice {};  // a tap on the notice card shows the next one
struct StillHere {};   // 继续 on 还在吗？
struct Wake {};        // a touch on the dark screen outside opening hours
// A form
struct SetValue { core::QuestionRef question; core::Json value; };
struct AddPanel { core::QuestionRef panel; };             // a dynamic panel's 添加
struct RemovePanel { core::QuestionRef panel; int index; };  // ... and 删除 on its panel `index`
enum class TextPart { Value, Comment };  // the question's own text, or its comment / "other" text
struct EditText { core::QuestionRef question; TextPart part; };
struct Next {};
struct Back {};
struct ToReview {};
struct BackToForm {};
struct Submit {};
struct Finish {};  // 完成 on the thank-you
struct LeaveForm {};  // 返回首页 from a form: asks first when answers would be lost
struct LeaveConfirmed {};
struct LeaveCancelled {};
// The on-screen keyboard
struct KeyPress { std::string keyId; };  // input::Key::id()
struct Candidate { size_t index; };       // into the keyboard's candidates()
struct CandidatePage {
  enum class Way { Previous, Next } way;
  size_t shown = 0;  // Next: how many candidates this page showed
};
enum class PenPhase { Down, Move, Up };
struct Pen { PenPhase phase; input::PenPoint at; };  // on the writing pad, 0..1 both ways
// 查询进度 and 回访
struct OpenLookup {};
struct LookupField {};
struct LookupSubmit {};
enum class TicketRating { Satisfied, Basic, Unsatisfied };  // 满意 / 基本满意 / 不满意
struct RateTicket { TicketRating rating; };
// The staff panel
struct AdminCorner {};  // a tap in the corner: five within 3 s open the PIN pad
struct AdminCancel {};
struct AdminExport {};
struct AdminExit {};
struct AdminSyncNow {};
struct AdminRetryUnsettled {};
struct AdminEnroll {};  // open the enrollment form
enum class EnrollInput { Url, Code };
struct EnrollField { EnrollInput field; };  // type into it
struct EnrollSubmit {};
struct EnrollFromStick {};  // read the USB stick's provisioning file and enroll with it
// Nothing to do but draw another frame (a page still gliding after a fling).
struct Animating {};
}  // namespace command

using Command = std::variant<
    command::OpenFormList, command::StartForm, command::QuickRate, command::SetLocale, command::ToggleElderly,
    command::Home, command::NextNotice, command::StillHere, command::SetValue, command::AddPanel,
    command::RemovePanel, command::EditText, command::Next, command::Back, command::ToReview, command::BackToForm,
    command::Submit, command::Finish, command::LeaveForm, command::LeaveConfirmed, command::LeaveCancelled,
    command::KeyPress, command::Candidate, command::CandidatePage, command::Pen, command::OpenLookup,
    command::LookupField, command::LookupSubmit, command::RateTicket, command::AdminCorner, command::AdminCancel,
    command::AdminExport, command::AdminExit, command::AdminSyncNow, command::AdminRetryUnsettled,
    command::AdminEnroll, command::EnrollField, command::EnrollSubmit, command::EnrollFromStick, command::Animating, command::Wake>;

// "satisfied", "basic", "unsatisfied": a 回访 rating as the store and the protocol spell it.
const char* ratingWord(command::TicketRating r);

}  // namespace minyi::ui
