// Ticket handling over the store: changes with their history, what residents may see, the numbers staff are judged on.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "minyi/protocol/messages.h"
#include "minyi/server/phone_mask.h"
#include "minyi/server/server_store.h"
#include "minyi/server/tickets.h"

namespace minyi::server {

// Applies a change to the stored ticket `code` and writes its history line, retrying when someone else
// changed the ticket in between (the rules are checked again on what is stored then). Nullopt when done;
// otherwise the word of applyTicketChange, or "unknown" (no such ticket), "duplicate" (a rating with this
// `ref` was applied already) or "busy" (it kept changing under us).
std::optional<std::string> changeTicket(ServerStore& store, const std::string& code, const TicketChange& change,
                                        const TicketPolicy& policy, const std::string& ref = "");

// Closes, as "system", every resolved ticket that nobody rated within the policy's closeUnratedAfter of its
// resolution (a 回访 left unanswered is no rating, not 满意). Returns how many it closed. minyi-server runs it
// at start and then every few minutes.
int closeUnratedTickets(ServerStore& store, const TicketPolicy& policy, std::chrono::system_clock::time_point now);

// What a resident may know of a ticket (the kiosk's sync and the public page): its state, the deadline, the
// public reply once resolved, and the timeline of states. Never who handled it, notes, reasons or answers.
protocol::TicketStatus publicStatus(const Ticket& t, const std::vector<TicketLogEntry>& log);

// A ticket's complaint text and place as the resident gave them (the `description` and `location` answers),
// for the dashboard and, when staff allowed it, the public page. Empty when not answered.
struct ComplaintText {
  std::string description, location, phone;
};
ComplaintText complaintText(ServerStore& store, const Ticket& t);

// The category's words in `locale` (zh-cn, zh-tw, en) from the complaint form the ticket came with; the
// category value itself when the form does not name it.
std::string categoryText(ServerStore& store, const Ticket& t, std::string_view locale);

// Text for the public (the ticket page, kiosks, notices) goes through maskPhoneNumbers (phone_mask.h).

// The deadline for people, China time: "2026-03-05 16:00" for an hours deadline, the last day "2026-03-05"
// (due by its end) for days and working days.
std::string dueText(const Ticket& t);

// The numbers of issue #5 item 8 for one week (Monday, China time; "" for all weeks together).
struct TicketNumbers {
  std::string week;
  int64_t received = 0;      // tickets filed that week
  int64_t resolved = 0;      // first resolutions that week
  int64_t onTime = 0;        // ... of them by the deadline
  double handlingHours = 0;  // sum over `resolved` of filing → first resolution
  int64_t rated = 0, satisfied = 0, basic = 0, unsatisfied = 0;  // follow-up ratings that week
  int64_t reopened = 0;      // reopenings that week (by a resident's 不满意 or by staff)
  std::optional<double> onTimeRate() const;
  std::optional<double> meanHandlingHours() const;
  std::optional<double> satisfactionRate() const;  // (满意 + 基本满意) / rated
  std::optional<double> reopenRate() const;        // reopened / resolved
};
// Per week, oldest first, then the total (week ""). Only tickets `visible` lets through count.
std::vector<TicketNumbers> ticketNumbersByWeek(ServerStore& store,
                                               const std::function<bool(const Ticket&)>& visible);

}  // namespace minyi::server
