// 查询进度: the typed code checked, the ticket found here or asked of the server, shown in words; 回访 kept.
#include "lookup_desk.h"

#include <ctime>

#include "minyi/core/json_input.h"
#include "minyi/core/script.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/ticket.h"

namespace minyi::app {

using ui::Screen;
using R = ui::LookupView::Result;

namespace {

// A UTC time from the server in the kiosk's own time zone (residents read the kiosk's clock); a deadline at
// midnight reads as 24:00 of the day.
std::string localTime(const std::string& iso, bool deadline = false) {
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

}  // namespace

void LookupDesk::open() {
  typing_.close();
  view_ = {};
  ctx_.screen = Screen::Lookup;
  editCode();  // the code is typed at once
}

void LookupDesk::editCode() {
  if (ctx_.screen != Screen::Lookup) return;
  // Letters and digits, no more than a code and its dashes.
  typing_.open({input::Mode::Latin, input::Mode::Digits}, 16, view_.typed, [this](const std::string& t) { view_.typed = t; },
               [this] { view_.editing = false; });
  view_.editing = true;
}

// Reads the typed code (the keyboard closes): a wrong check symbol is told apart from a code this kiosk never made. A code made at
// another kiosk is asked of the server (when this kiosk is enrolled); the answer comes back in takeLiveAnswer.
void LookupDesk::lookUp() {
  if (ctx_.screen != Screen::Lookup) return;
  typing_.close();
  find();
}

void LookupDesk::find() {
  const std::string typed = view_.typed;
  view_ = {};
  view_.typed = typed;
  const protocol::TicketCode checked = protocol::checkTicketCode(typed);
  if (checked.check == protocol::TicketCode::Check::Malformed) {
    view_.result = R::Malformed;
    return;
  }
  if (checked.check == protocol::TicketCode::Check::Mistyped) {
    view_.result = R::Mistyped;
    return;
  }
  std::optional<store::Ticket> t;
  if (ctx_.store)
    if (auto found = ctx_.store->ticket(checked.code); found.ok()) t = found.value();
  if (!t) {
    if (ctx_.uploader && ctx_.enrolled()) {
      view_.result = R::Asking;
      view_.asked = checked.code;
      ctx_.uploader->lookUp(checked.code);
    } else {
      view_.result = R::Unknown;
    }
    return;
  }
  showTicket(*t, t->updatedAt.empty() ? ctx_.say("lookup.notYet") : ctx_.say("lookup.updated", {localTime(t->updatedAt)}));
  if (ctx_.uploader) ctx_.uploader->syncNow();  // fresher news for the next look, when the network is up
}

std::string LookupDesk::rate(ui::command::TicketRating rating) {
  if (ctx_.screen != Screen::Lookup || !view_.canRate || !ctx_.store) return {};
  const auto code = protocol::checkTicketCode(view_.code).code;
  auto saved = ctx_.store->commitRating(code, ui::ratingWord(rating));
  if (!saved.ok()) return saved.error().message;
  find();
  view_.thanks = ctx_.say("lookup.rateThanks");
  if (ctx_.uploader) ctx_.uploader->wake();
  return {};
}

bool LookupDesk::ticketsChanged() {
  if (ctx_.screen != Screen::Lookup || view_.result != R::Found) return false;
  find();
  return true;
}

// The server's answer about a code made elsewhere, if it is the one the screen still waits for.
bool LookupDesk::takeLiveAnswer() {
  auto live = ctx_.uploader ? ctx_.uploader->takeLookup() : std::nullopt;
  if (!live || ctx_.screen != Screen::Lookup || view_.result != R::Asking || live->code != view_.asked) return false;
  switch (live->outcome) {
    case sync::LiveLookup::Outcome::Unknown: view_.result = R::Unknown; break;
    case sync::LiveLookup::Outcome::Unreachable: view_.result = R::Unreachable; break;
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
      showTicket(t, ctx_.say("lookup.live"));
      break;
    }
  }
  return true;
}

// A ticket on the 查询进度 screen, in words: status and reply first (with the 回访 right after them, in view
// even in 长辈模式), then the rest and the timeline.
void LookupDesk::showTicket(const store::Ticket& t, const std::string& note) {
  view_.result = R::Found;
  view_.code = protocol::groupCode(t.code);
  auto row = [&](const char* key, std::string value) {
    if (!value.empty()) view_.rows.emplace_back(ctx_.say(key), std::move(value));
  };
  row("lookup.status", ctx_.say(("ticket.status." + t.status).c_str()));
  row("lookup.reply", core::simplifiedFor(t.publicReply, ctx_.locale));  // staff write 简
  view_.rateAfterRows = view_.rows.size();
  std::string category = t.category;
  for (const LoadedForm& f : ctx_.forms)
    for (const core::TicketCategory& c : f.form->minyi.categories)
      if (c.value == t.category && category == t.category) category = c.text.get(ctx_.locale);
  if (category == "other" || category.empty()) category.clear();  // a bare value is no help to a resident
  row("lookup.category", category);
  row("lookup.submitted", localTime(t.createdAt));
  row("lookup.expected", localTime(t.expectedBy, true));
  if (auto timeline = core::parseJsonText(t.timeline, nullptr); timeline && timeline->is_array())
    for (const core::Json& e : *timeline)
      if (e.is_object() && e.contains("at") && e.contains("status"))
        view_.timeline.push_back(localTime(e["at"].get<std::string>()) + "  " +
                                 ctx_.say(("ticket.status." + e["status"].get<std::string>()).c_str()));
  view_.note = note;
  // 回访: a resolved ticket asks for a rating, once; a rating given here shows what became of it.
  std::optional<store::KioskStore::Rating> rated;
  if (ctx_.store)
    if (auto r = ctx_.store->ratingOf(t.code); r.ok()) rated = r.value();
  if (rated) {
    const std::string word = ctx_.say(("rating." + rated->rating).c_str());
    std::string shown = rated->state == "pending" ? ctx_.say("lookup.ratedPending", {word})
                        : rated->outcome.rfind("rejected", 0) == 0
                            ? ctx_.say("lookup.ratedRejected", {word, rated->outcome.substr(std::min<size_t>(10, rated->outcome.size()))})
                            : ctx_.say("lookup.ratedDone", {word});
    view_.rows.insert(view_.rows.begin() + static_cast<std::ptrdiff_t>(view_.rateAfterRows), {ctx_.say("lookup.rated"), shown});
    ++view_.rateAfterRows;
  } else {
    view_.canRate = t.status == "resolved" && ctx_.store;
  }
}

}  // namespace minyi::app
