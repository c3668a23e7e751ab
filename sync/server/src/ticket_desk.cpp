// Ticket changes with optimistic retries, the resident's view of a ticket, the complaint's own words, weekly numbers.
#include "minyi/server/ticket_desk.h"

#include <map>

#include "minyi/core/form.h"
#include "minyi/protocol/times.h"
#include "minyi/core/json_input.h"
#include "minyi/server/export.h"
#include "minyi/server/results.h"

namespace minyi::server {

std::optional<std::string> changeTicket(ServerStore& store, const std::string& code, const TicketChange& change,
                                        const TicketPolicy& policy, const std::string& ref) {
  if (!ref.empty() && store.ticketLogByRef(ref)) return std::string("duplicate");
  // Two staff (or a resident and staff) may act on one ticket at once: the store refuses a write over a
  // change it did not see, and the rules are checked again against what is stored now.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto t = store.ticket(code);
    if (!t) return std::string("unknown");
    const std::string readAt = t->updatedAt;
    TicketChange c = change;
    // The history stays in order even when a clock step put `at` before the last change.
    if (c.at < readAt) c.at = readAt;
    TicketLogEntry entry;
    if (auto problem = applyTicketChange(*t, c, policy, entry)) return problem;
    entry.ref = ref;
    if (store.updateTicket(*t, readAt, entry)) return std::nullopt;
  }
  return std::string("busy");
}

int closeUnratedTickets(ServerStore& store, const TicketPolicy& policy, std::chrono::system_clock::time_point now) {
  if (policy.closeUnratedAfter.count() <= 0) return 0;
  TicketQuery resolved;
  resolved.statuses = {ticketStateName(TicketState::Resolved)};
  resolved.limit = 100000;
  const std::string cutoff = protocol::isoUtc(now - policy.closeUnratedAfter);
  int closed = 0;
  for (const Ticket& t : store.tickets(resolved)) {
    if (t.resolvedAt.empty() || t.resolvedAt > cutoff || !t.rating.empty()) continue;
    TicketChange close;
    close.action = TicketAction::Close;
    close.actor = "system";
    close.at = protocol::isoUtc(now);
    // A resident or staff acting in between wins: the rules are checked again on what is stored then.
    if (!changeTicket(store, t.code, close, policy)) ++closed;
  }
  return closed;
}

protocol::TicketStatus publicStatus(const Ticket& t, const std::vector<TicketLogEntry>& log) {
  protocol::TicketStatus s;
  s.code = t.code;
  s.status = ticketStateName(t.status);
  if (!ticketStopped(t.status)) s.expectedBy = t.dueAt;
  // The reply is the outcome of handling: shown while it stands, gone when the ticket is handled again.
  if (t.status == TicketState::Resolved || t.status == TicketState::Closed) s.publicReply = maskPhoneNumbers(t.publicReply);
  for (const TicketLogEntry& e : log) {
    if (!protocol::isTicketStatus(e.status)) continue;
    // A reassignment is not news for the resident: one line per change of state.
    if (!s.timeline.empty() && s.timeline.back().status == e.status) continue;
    s.timeline.push_back({e.status, e.at});
  }
  // The protocol carries at most 200 lines (docs/protocol.md); the latest matter most.
  if (s.timeline.size() > 200) s.timeline.erase(s.timeline.begin(), s.timeline.end() - 200);
  return s;
}

ComplaintText complaintText(ServerStore& store, const Ticket& t) {
  ComplaintText out;
  auto sub = store.submission(t.submissionId);
  if (!sub) return out;
  auto answers = core::parseJsonText(sub->answersJson, nullptr);
  if (!answers || !answers->is_object()) return out;
  auto text = [&](const char* key) {
    auto it = answers->find(key);
    return it != answers->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.description = text("description");
  out.location = text("location");
  out.phone = text("phone");
  return out;
}

std::string categoryText(ServerStore& store, const Ticket& t, std::string_view locale) {
  auto sub = store.submission(t.submissionId);
  if (!sub) return t.category;
  auto form = store.form(sub->envelope.formId, sub->envelope.formVersion);
  if (!form) return t.category;
  auto loaded = formCache().get(*form);
  if (!loaded) return t.category;
  for (const core::TicketCategory& c : loaded->form->minyi.categories)
    if (c.value == t.category) {
      const std::string text = c.text.get(locale);
      return text.empty() ? t.category : text;
    }
  return t.category;
}

std::string dueText(const Ticket& t) {
  auto due = parseIsoUtc(t.dueAt);
  if (!due) return {};
  if (!t.deadline.empty() && t.deadline.back() == 'h') return chinaTime(t.dueAt);
  return chinaDate(*due - std::chrono::seconds(1));
}

std::optional<double> TicketNumbers::onTimeRate() const {
  if (resolved == 0) return std::nullopt;
  return static_cast<double>(onTime) / static_cast<double>(resolved);
}
std::optional<double> TicketNumbers::meanHandlingHours() const {
  if (resolved == 0) return std::nullopt;
  return handlingHours / static_cast<double>(resolved);
}
std::optional<double> TicketNumbers::satisfactionRate() const {
  if (rated == 0) return std::nullopt;
  return static_cast<double>(satisfied + basic) / static_cast<double>(rated);
}
std::optional<double> TicketNumbers::reopenRate() const {
  if (resolved == 0) return std::nullopt;
  return static_cast<double>(reopened) / static_cast<double>(resolved);
}

std::vector<TicketNumbers> ticketNumbersByWeek(ServerStore& store, const std::function<bool(const Ticket&)>& visible) {
  TicketQuery all;
  all.limit = 1000000;
  std::map<std::string, Ticket> tickets;
  for (Ticket& t : store.tickets(all))
    if (visible(t)) tickets.emplace(t.code, std::move(t));
  std::map<std::string, TicketNumbers> weeks;
  TicketNumbers total;
  auto add = [&](const std::string& week, const std::function<void(TicketNumbers&)>& f) {
    if (week.empty()) return;
    TicketNumbers& w = weeks[week];
    w.week = week;
    f(w);
    f(total);
  };
  for (const auto& [code, t] : tickets) add(weekOf(t.createdAt), [](TicketNumbers& n) { ++n.received; });
  // On time and handling time count each ticket's first resolution, against the deadline it had then: a
  // ticket reopened later was still resolved (or not) in time the first time.
  std::map<std::string, bool> firstSeen;
  for (const TicketLogEntry& e : store.ticketLogByAction("resolve")) {
    auto t = tickets.find(e.code);
    if (t == tickets.end() || firstSeen[e.code]) continue;
    firstSeen[e.code] = true;
    const auto filed = parseIsoUtc(t->second.createdAt), done = parseIsoUtc(e.at);
    const double hours = filed && done ? std::chrono::duration<double, std::ratio<3600>>(*done - *filed).count() : 0;
    // Each history line keeps the deadline that stood then: reopening later does not rewrite this one.
    const bool onTime = !e.dueAt.empty() && e.at <= e.dueAt;
    add(weekOf(e.at), [&](TicketNumbers& n) {
      ++n.resolved;
      if (onTime) ++n.onTime;
      n.handlingHours += hours > 0 ? hours : 0;
    });
  }
  for (const TicketLogEntry& e : store.ticketLogByAction("rate")) {
    if (!tickets.count(e.code)) continue;
    const std::string rating = e.detail.substr(0, e.detail.find(' '));
    add(weekOf(e.at), [&](TicketNumbers& n) {
      ++n.rated;
      if (rating == "satisfied") ++n.satisfied;
      else if (rating == "basic") ++n.basic;
      else if (rating == "unsatisfied") ++n.unsatisfied;
    });
  }
  for (const TicketLogEntry& e : store.ticketLogByAction("rate"))
    if (tickets.count(e.code) && e.status == "reopened") add(weekOf(e.at), [](TicketNumbers& n) { ++n.reopened; });
  for (const TicketLogEntry& e : store.ticketLogByAction("reopen"))
    if (tickets.count(e.code)) add(weekOf(e.at), [](TicketNumbers& n) { ++n.reopened; });
  std::vector<TicketNumbers> out;
  for (auto& [week, n] : weeks) out.push_back(n);
  out.push_back(total);
  return out;
}

}  // namespace minyi::server
