// The complaint loop's rules (issue #5, DESIGN.md §9): ticket states and transitions, deadlines over a working-day calendar.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/protocol/times.h"

namespace minyi::core {
struct Form;
}

namespace minyi::server {

// 受理 received → 派单 assigned → 办理 in_progress → 办结 resolved → closed (after 回访), plus reopened (the
// resident was not satisfied, or staff reopened it) and rejected (不予受理, with a reason). The names are the
// protocol's (protocol::isTicketStatus).
enum class TicketState { Received, Assigned, InProgress, Resolved, Closed, Reopened, Rejected };
const char* ticketStateName(TicketState s);
std::optional<TicketState> ticketStateFromName(std::string_view name);
constexpr TicketState kAllTicketStates[] = {TicketState::Received, TicketState::Assigned, TicketState::InProgress,
                                            TicketState::Resolved, TicketState::Closed,   TicketState::Reopened,
                                            TicketState::Rejected};
// Handling is over: no deadline runs (resolved waits for the resident, closed and rejected are done).
bool ticketStopped(TicketState s);

// What staff or a resident do to a ticket. Rate is the 回访: the resident on the public page or at a kiosk,
// or staff recording a phone call.
enum class TicketAction { Assign, Start, Resolve, Reject, Close, Reopen, Rate };
const char* ticketActionName(TicketAction a);  // assign, start, resolve, reject, close, reopen, rate
std::optional<TicketAction> ticketActionFromName(std::string_view name);

// 满意 / 基本满意 / 不满意.
enum class Rating { Satisfied, Basic, Unsatisfied };
const char* ratingName(Rating r);  // satisfied, basic, unsatisfied
std::optional<Rating> ratingFromName(std::string_view name);

// A ticket's handling time: N hours (urgent hazards, counted around the clock), N working days (weekends and
// holidays skipped, make-up workdays counted) or N calendar days. Days end at 24:00 China time.
struct Deadline {
  enum class Unit { Hours, WorkingDays, Days };
  Unit unit = Unit::Days;
  int amount = 7;
  std::string text() const;  // "24h", "3wd", "7d"
  // "24h", "3wd", "7d" (1..999); nullopt for anything else.
  static std::optional<Deadline> parse(std::string_view text);
  bool operator==(const Deadline& o) const { return unit == o.unit && amount == o.amount; }
};

// Which days are working days: Monday to Friday, minus the holidays, plus the make-up workdays (调休上班).
// Dates are YYYY-MM-DD in China time.
class WorkCalendar {
 public:
  void addHoliday(const std::string& date) { holidays_.insert(date); }
  void addWorkday(const std::string& date) { workdays_.insert(date); }
  bool isWorkingDay(const std::string& date) const;
  size_t holidayCount() const { return holidays_.size(); }
  size_t workdayCount() const { return workdays_.size(); }

 private:
  std::set<std::string> holidays_, workdays_;
};
// Reads a holiday file (deploy/holidays-2026.toml): `holidays = [dates]` and `workdays = [dates]`, each date
// "YYYY-MM-DD". Adds to `calendar`; false with the problem in `error` (naming the file).
bool loadHolidayFile(const std::string& path, WorkCalendar& calendar, std::string* error);

// Dates and times for the rules (UTC ISO-8601 in, China Standard Time, UTC+8, for days).
using protocol::parseIsoUtc;  // minyi/protocol/times.h
std::string chinaDate(std::chrono::system_clock::time_point t);          // YYYY-MM-DD
std::optional<std::string> addDays(const std::string& date, int days);   // YYYY-MM-DD ± days
int weekdayOf(const std::string& date);  // 1 Monday .. 7 Sunday; 0 for a malformed date

// When handling that starts at `start` is due (UTC ISO-8601). Working days and days count from the day after
// the start day (the day a complaint is received is not a working day of its handling, as hotlines count),
// and end at 24:00 China time of the last one. Empty when `start` is not a time.
std::string dueAt(const std::string& start, const Deadline& deadline, const WorkCalendar& calendar);

// The server's ticket settings (server.toml [tickets]).
struct TicketPolicy {
  WorkCalendar calendar;
  std::map<std::string, Deadline> deadlines;  // by category value ([tickets.deadlines])
  Deadline fallback;                          // [tickets.deadlines] default; 7 days when not set
  std::chrono::hours dueSoon{24};             // [tickets] due_soon_hours: "due soon" this long before the deadline
  // [tickets] close_unrated_after_days: a resolved ticket nobody rated is closed by the system this long after
  // its resolution (the resident may still rate it); 0: stays resolved until someone acts.
  std::chrono::hours closeUnratedAfter{24 * 7};
  // The deadline of a category: the complaint form's own (what the kiosk's receipt promised the resident)
  // wins, then the server's [tickets.deadlines], then the default.
  Deadline deadlineFor(const std::string& category, const core::Form* form) const;
};

// A complaint's ticket on the server.
struct Ticket {
  std::string code;     // 10 Crockford symbols, ungrouped
  std::string keyHash;  // SHA-256 hex of the QR link's access key; the key itself is never stored
  std::string submissionId, deviceId, siteId;
  std::string communityId;  // empty: not known yet (a township-wide site); staff assign one
  std::string category;
  std::string createdAt;   // on the kiosk
  std::string receivedAt;  // by the server
  TicketState status = TicketState::Received;
  std::string assignee;  // a handler's user name; empty: the community as a whole
  std::string dueAt;
  std::string deadline;  // Deadline::text() it was computed with
  std::string publicReply;
  bool textPublic = false;  // staff allowed the complaint's own text on the public page
  std::string resolvedAt, closedAt;
  std::string rating, ratedAt, ratingVia;  // of the latest resolution; empty until rated
  bool flagged = false;                    // a resident was not satisfied: staff must look again
  int reopenCount = 0;
  std::string rejectReason;
  std::string updatedAt;  // server time of the last change: GET /api/v1/tickets?since=
};

// One line of a ticket's history (the audit of its transitions): who did what, when.
struct TicketLogEntry {
  int64_t id = 0;
  std::string code;
  std::string at;
  std::string actor;   // a user name, "resident" (public page), "kiosk:<device>", "system"
  std::string action;  // receive, or a TicketAction name
  std::string status;  // the state after it
  std::string detail;  // the community/handler, the reason, the rating and its channel, a phone note
  std::string ref;     // a kiosk's id of a follow-up rating (idempotent resends); empty otherwise
  std::string dueAt;   // the ticket's deadline after this change (on-time rates judge by the one that stood)
};

// What a change needs beyond the action.
struct TicketChange {
  TicketAction action = TicketAction::Start;
  std::string actor;
  std::string at;            // UTC ISO-8601
  std::string communityId;   // Assign: required
  std::string assignee;      // Assign: optional handler
  std::string text;          // Resolve: the public reply; Reject, Reopen: the reason; Rate: a note (phone)
  bool textPublic = false;   // Resolve: the complaint's text may be shown to the public
  std::optional<Rating> rating;  // Rate
  std::string via;           // Rate: web, kiosk or phone
};

// Applies a change to a ticket, or says why it cannot: a word the string tables know ("transition.<word>"):
// not_allowed, community_required, reply_required, reason_required, rating_required, already_rated.
// Pure: nothing is stored. On success `t` holds the new state (status, times, assignee, reply, rating, a new
// deadline when reopened) and `entry` its history line. `policy` gives the deadline of a reopened ticket.
std::optional<std::string> applyTicketChange(Ticket& t, const TicketChange& change, const TicketPolicy& policy,
                                             TicketLogEntry& entry);
// Whether `action` could apply to a ticket in state `s` at all (for showing buttons; applyTicketChange decides).
bool ticketActionAllowed(TicketState s, TicketAction action);

// Deadline flags (督办): overdue once the deadline passed while handling still runs; due soon within the
// policy's window before it.
enum class DueState { None, DueSoon, Overdue };
DueState dueState(const Ticket& t, const std::string& now, const TicketPolicy& policy);

}  // namespace minyi::server
