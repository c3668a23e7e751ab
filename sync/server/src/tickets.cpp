// The ticket state machine, deadlines in hours / working days / days, the working-day calendar and its holiday files.
#include "minyi/server/tickets.h"

#include <toml++/toml.h>

#include <cstdio>

#include "minyi/core/civil_date.h"
#include "minyi/core/form.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/times.h"
#include "minyi/server/results.h"

namespace minyi::server {

namespace {

using Clock = std::chrono::system_clock;
using core::civilFromDays;
using core::daysFromCivil;

using core::dayNumber;

// 24:00 China time at the end of `date`, i.e. 16:00 UTC that day.
std::string endOfChinaDay(const std::string& date) { return date + "T16:00:00.000Z"; }

}  // namespace

const char* ticketStateName(TicketState s) {
  switch (s) {
    case TicketState::Received: return "received";
    case TicketState::Assigned: return "assigned";
    case TicketState::InProgress: return "in_progress";
    case TicketState::Resolved: return "resolved";
    case TicketState::Closed: return "closed";
    case TicketState::Reopened: return "reopened";
    case TicketState::Rejected: break;
  }
  return "rejected";
}

std::optional<TicketState> ticketStateFromName(std::string_view name) {
  for (TicketState s : kAllTicketStates)
    if (name == ticketStateName(s)) return s;
  return std::nullopt;
}

bool ticketStopped(TicketState s) {
  return s == TicketState::Resolved || s == TicketState::Closed || s == TicketState::Rejected;
}

const char* ticketActionName(TicketAction a) {
  switch (a) {
    case TicketAction::Assign: return "assign";
    case TicketAction::Start: return "start";
    case TicketAction::Resolve: return "resolve";
    case TicketAction::Reject: return "reject";
    case TicketAction::Close: return "close";
    case TicketAction::Reopen: return "reopen";
    case TicketAction::Rate: break;
  }
  return "rate";
}

std::optional<TicketAction> ticketActionFromName(std::string_view name) {
  for (TicketAction a : {TicketAction::Assign, TicketAction::Start, TicketAction::Resolve, TicketAction::Reject,
                         TicketAction::Close, TicketAction::Reopen, TicketAction::Rate})
    if (name == ticketActionName(a)) return a;
  return std::nullopt;
}

const char* ratingName(Rating r) {
  switch (r) {
    case Rating::Satisfied: return "satisfied";
    case Rating::Basic: return "basic";
    case Rating::Unsatisfied: break;
  }
  return "unsatisfied";
}

std::optional<Rating> ratingFromName(std::string_view name) {
  for (Rating r : {Rating::Satisfied, Rating::Basic, Rating::Unsatisfied})
    if (name == ratingName(r)) return r;
  return std::nullopt;
}

// ---------------------------------------------------------------- deadlines

std::string Deadline::text() const {
  return std::to_string(amount) + (unit == Unit::Hours ? "h" : unit == Unit::WorkingDays ? "wd" : "d");
}

std::optional<Deadline> Deadline::parse(std::string_view text) {
  size_t n = 0;
  int amount = 0;
  while (n < text.size() && n < 3 && text[n] >= '0' && text[n] <= '9') amount = amount * 10 + (text[n++] - '0');
  if (n == 0 || amount < 1) return std::nullopt;
  const std::string_view unit = text.substr(n);
  if (unit == "h") return Deadline{Unit::Hours, amount};
  if (unit == "wd") return Deadline{Unit::WorkingDays, amount};
  if (unit == "d") return Deadline{Unit::Days, amount};
  return std::nullopt;
}

bool WorkCalendar::isWorkingDay(const std::string& date) const {
  if (workdays_.count(date)) return true;
  if (holidays_.count(date)) return false;
  const int wd = weekdayOf(date);
  return wd >= 1 && wd <= 5;
}

bool loadHolidayFile(const std::string& path, WorkCalendar& calendar, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = path + ": " + why;
    return false;
  };
  std::string why;
  auto text = core::readTextFile(path, &why, 1 << 20);
  if (!text) return fail(why);
  toml::table root;
  try {
    root = toml::parse(*text);
  } catch (const toml::parse_error& e) {
    return fail("line " + std::to_string(e.source().begin.line) + ": not valid TOML: " + std::string(e.description()));
  }
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k != "holidays" && k != "workdays") return fail(k + ": unknown key (the keys are holidays and workdays)");
    const toml::array* list = node.as_array();
    if (!list) return fail(k + ": must be a list of dates \"YYYY-MM-DD\"");
    for (const toml::node& item : *list) {
      const auto date = item.value<std::string>();
      if (!date || !dayNumber(*date)) return fail(k + ": every entry must be a date \"YYYY-MM-DD\"");
      if (k == "holidays") calendar.addHoliday(*date);
      else calendar.addWorkday(*date);
    }
  }
  return true;
}

std::string chinaDate(Clock::time_point t) {
  const auto local = std::chrono::duration_cast<std::chrono::seconds>((t + kChinaOffset).time_since_epoch()).count();
  const int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  return civilFromDays(days);
}

std::optional<std::string> addDays(const std::string& date, int days) {
  auto n = dayNumber(date);
  if (!n) return std::nullopt;
  return civilFromDays(*n + days);
}

int weekdayOf(const std::string& date) {
  auto n = dayNumber(date);
  if (!n) return 0;
  // 1970-01-01 was a Thursday (4).
  const int64_t w = ((*n % 7) + 7 + 3) % 7;  // 0 Monday
  return static_cast<int>(w) + 1;
}

std::string dueAt(const std::string& start, const Deadline& deadline, const WorkCalendar& calendar) {
  auto t = parseIsoUtc(start);
  if (!t) return {};
  if (deadline.unit == Deadline::Unit::Hours)
    return protocol::isoUtc(*t + std::chrono::hours(deadline.amount));
  std::string day = chinaDate(*t);
  if (deadline.unit == Deadline::Unit::Days) return endOfChinaDay(*addDays(day, deadline.amount));
  // Working days: the next `amount` days that are working days, after the start day. A calendar has far
  // fewer than a year of holidays in a row, so this ends.
  for (int counted = 0; counted < deadline.amount;) {
    day = *addDays(day, 1);
    if (calendar.isWorkingDay(day)) ++counted;
  }
  return endOfChinaDay(day);
}

Deadline TicketPolicy::deadlineFor(const std::string& category, const core::Form* form) const {
  if (form) {
    for (const core::TicketCategory& c : form->minyi.categories) {
      if (c.value != category) continue;
      if (c.deadlineHours && *c.deadlineHours > 0) return {Deadline::Unit::Hours, *c.deadlineHours};
      if (c.deadlineWorkingDays && *c.deadlineWorkingDays > 0) return {Deadline::Unit::WorkingDays, *c.deadlineWorkingDays};
      if (c.deadlineDays && *c.deadlineDays > 0) return {Deadline::Unit::Days, *c.deadlineDays};
    }
  }
  auto it = deadlines.find(category);
  return it != deadlines.end() ? it->second : fallback;
}

// ---------------------------------------------------------------- transitions

bool ticketActionAllowed(TicketState s, TicketAction action) {
  using S = TicketState;
  switch (action) {
    case TicketAction::Assign: return s == S::Received || s == S::Assigned || s == S::InProgress || s == S::Reopened;
    case TicketAction::Start: return s == S::Assigned || s == S::Reopened;
    case TicketAction::Resolve: return s == S::Assigned || s == S::InProgress;
    case TicketAction::Reject: return s == S::Received || s == S::Assigned || s == S::InProgress;
    case TicketAction::Close: return s == S::Resolved;
    case TicketAction::Reopen: return s == S::Resolved || s == S::Closed || s == S::Rejected;
    case TicketAction::Rate: return s == S::Resolved || s == S::Closed;
  }
  return false;
}

std::optional<std::string> applyTicketChange(Ticket& t, const TicketChange& c, const TicketPolicy& policy,
                                             TicketLogEntry& entry) {
  if (!ticketActionAllowed(t.status, c.action)) return std::string("not_allowed");
  Ticket next = t;
  std::string detail;
  auto restartClock = [&] {
    // A reopened ticket gets its category's handling time again, from now.
    const Deadline d = Deadline::parse(t.deadline).value_or(policy.fallback);
    next.dueAt = dueAt(c.at, d, policy.calendar);
    next.resolvedAt.clear();
    next.closedAt.clear();
    next.rating.clear();
    next.ratedAt.clear();
    next.ratingVia.clear();
    ++next.reopenCount;
  };
  switch (c.action) {
    case TicketAction::Assign:
      if (c.communityId.empty()) return std::string("community_required");
      next.status = TicketState::Assigned;
      next.communityId = c.communityId;
      next.assignee = c.assignee;
      detail = c.communityId + (c.assignee.empty() ? "" : " / " + c.assignee);
      break;
    case TicketAction::Start:
      next.status = TicketState::InProgress;
      break;
    case TicketAction::Resolve:
      if (c.text.find_first_not_of(" \t\r\n") == std::string::npos) return std::string("reply_required");
      next.status = TicketState::Resolved;
      next.publicReply = c.text;
      next.textPublic = c.textPublic;
      next.resolvedAt = c.at;
      next.rejectReason.clear();
      detail = c.textPublic ? "reply; complaint text public" : "reply";
      break;
    case TicketAction::Reject:
      if (c.text.find_first_not_of(" \t\r\n") == std::string::npos) return std::string("reason_required");
      next.status = TicketState::Rejected;
      next.rejectReason = c.text;
      detail = c.text;
      break;
    case TicketAction::Close:
      next.status = TicketState::Closed;
      next.closedAt = c.at;
      break;
    case TicketAction::Reopen:
      if (c.text.find_first_not_of(" \t\r\n") == std::string::npos) return std::string("reason_required");
      next.status = TicketState::Reopened;
      restartClock();
      detail = c.text;
      break;
    case TicketAction::Rate:
      if (!c.rating) return std::string("rating_required");
      if (!t.rating.empty()) return std::string("already_rated");
      detail = std::string(ratingName(*c.rating)) + " via " + (c.via.empty() ? "web" : c.via) +
               (c.text.empty() ? "" : ": " + c.text);
      if (*c.rating == Rating::Unsatisfied) {
        // 不满意 sends it back to the handlers, flagged, with a fresh deadline; the history keeps the rating.
        next.status = TicketState::Reopened;
        restartClock();
        next.flagged = true;
      } else {
        // The rating of this round stays on the ticket until it is reopened.
        next.status = TicketState::Closed;
        next.closedAt = t.closedAt.empty() ? c.at : t.closedAt;
        next.rating = ratingName(*c.rating);
        next.ratedAt = c.at;
        next.ratingVia = c.via.empty() ? "web" : c.via;
      }
      break;
  }
  next.updatedAt = c.at;
  t = std::move(next);
  entry = TicketLogEntry{0, t.code, c.at, c.actor, ticketActionName(c.action), ticketStateName(t.status), detail, "", t.dueAt};
  return std::nullopt;
}

DueState dueState(const Ticket& t, const std::string& now, const TicketPolicy& policy) {
  if (ticketStopped(t.status) || t.dueAt.empty()) return DueState::None;
  if (now > t.dueAt) return DueState::Overdue;
  auto n = parseIsoUtc(now);
  auto due = parseIsoUtc(t.dueAt);
  if (n && due && *due - *n <= policy.dueSoon) return DueState::DueSoon;
  return DueState::None;
}

}  // namespace minyi::server
