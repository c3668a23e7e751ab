// The dashboard's ticket pages: the queue with filters, a ticket with its history and actions, 督办, numbers, 整改公示.
#include <algorithm>
#include <chrono>
#include <set>

#include "dashboard_impl.h"
#include "minyi/core/form.h"
#include "minyi/core/json_input.h"
#include "minyi/core/script.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "minyi/server/export.h"
#include "minyi/server/ticket_desk.h"

namespace minyi::server::dash {

namespace {

std::string nowIso() { return protocol::isoUtc(std::chrono::system_clock::now()); }

constexpr size_t kQueueRows = 500;
constexpr size_t kNoticeTickets = 20;      // one notice lists at most this many
constexpr size_t kNoticeReplyChars = 600;  // bytes of each reply in a notice (UTF-8 safe cut)

// What a staff member may see: admins and viewers every ticket, a handler those of the handler's community.
bool canSee(const Context& ctx, const Ticket& t) {
  if (ctx.user.role != Role::Handler) return true;
  return !ctx.user.communityId.empty() && t.communityId == ctx.user.communityId;
}
// Handlers act on their community's tickets and may pass one only within it; admins act on every ticket.
bool canAct(const Context& ctx, const Ticket& t) {
  if (ctx.isAdmin()) return true;
  return ctx.user.role == Role::Handler && canSee(ctx, t);
}
// The phone number unmasked only for the handlers of that ticket (DESIGN.md §11, PIPL).
bool seesPhone(const Context& ctx, const Ticket& t) { return ctx.user.role == Role::Handler && canSee(ctx, t); }

std::map<std::string, std::string> communityNames(ServerStore& store) {
  std::map<std::string, std::string> out;
  for (const Community& c : store.communities()) out[c.id] = c.name;
  return out;
}

// Every category the complaint forms offer, in their words (zh-cn), by value; the first form naming one wins.
std::vector<std::pair<std::string, std::string>> categoryOptions(ServerStore& store) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const StoredForm& f : store.forms()) {
    if (f.kind != "complaint") continue;
    auto loaded = formCache().get(f);
    if (!loaded) continue;
    for (const core::TicketCategory& c : loaded->form->minyi.categories)
      if (seen.insert(c.value).second) out.push_back({c.value, c.text.get("zh-cn").empty() ? c.value : c.text.get("zh-cn")});
  }
  return out;
}

std::string statusLabel(TicketState s) { return strings().get(std::string("ticket.status.") + ticketStateName(s)); }

// Who did it, in staff's words: a resident, the system, a kiosk, or the account name.
std::string actorText(const std::string& actor) {
  if (actor == "resident") return strings().get("tickets.actor.resident");
  if (actor == "system") return strings().get("tickets.actor.system");
  if (actor == "usb") return strings().get("tickets.actor.usb");
  if (actor.rfind("kiosk:", 0) == 0) return strings().format("tickets.actor.kiosk", {actor.substr(6)});
  return actor;
}

// A history line's detail in staff's words. The log keeps it terse and stable (applyTicketChange): the site or
// community id, "reply", "<rating> via <channel>[: note]", or the reason as typed.
std::string historyDetail(const TicketLogEntry& e, const std::map<std::string, std::string>& communities,
                          const std::map<std::string, std::string>& sites) {
  auto nameIn = [](const std::map<std::string, std::string>& names, const std::string& id) {
    auto it = names.find(id);
    return it == names.end() ? id : it->second;
  };
  if (e.action == "receive") return nameIn(sites, e.detail);
  if (e.action == "assign") {
    const size_t slash = e.detail.find(" / ");
    if (slash == std::string::npos) return nameIn(communities, e.detail);
    return nameIn(communities, e.detail.substr(0, slash)) + " · " + e.detail.substr(slash + 3);
  }
  if (e.action == "resolve")
    return strings().get(e.detail == "reply" ? "tickets.detail.reply" : "tickets.detail.replyAndText");
  if (e.action == "close" && e.actor == "system") return strings().get("tickets.detail.autoClose");
  if (e.action == "rate") {
    const size_t via = e.detail.find(" via ");
    if (via == std::string::npos) return e.detail;
    const std::string rating = e.detail.substr(0, via);
    std::string channel = e.detail.substr(via + 5), note;
    if (const size_t colon = channel.find(": "); colon != std::string::npos) {
      note = channel.substr(colon + 2);
      channel = channel.substr(0, colon);
    }
    return strings().get("rating." + rating) + "（" + strings().get("via." + channel) + "）" + (note.empty() ? "" : "：" + note);
  }
  return e.detail;
}

// The flags beside a ticket: words in a tag, never colour alone.
std::string flags(const Ticket& t, const std::string& now, const TicketPolicy& policy) {
  std::string html;
  switch (dueState(t, now, policy)) {
    case DueState::Overdue: html += "<span class=\"tag overdue\">" + T("tickets.overdue") + "</span> "; break;
    case DueState::DueSoon: html += "<span class=\"tag soon\">" + T("tickets.dueSoon") + "</span> "; break;
    case DueState::None: break;
  }
  if (t.flagged) html += "<span class=\"tag flag\">" + T("tickets.flagged") + "</span> ";
  return html;
}

// A UTF-8 text cut to at most `bytes`, never inside a character, with … when cut.
std::string cut(const std::string& text, size_t bytes) {
  if (text.size() <= bytes) return text;
  return std::string(core::utf8Prefix(text, bytes)) + "…";
}

// One CSV line for Excel: every cell quoted, formula-looking text neutralised (DESIGN.md §11).
std::string csvLine(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    std::string cell = neutralizeCell(cells[i]);
    std::string quoted = "\"";
    for (char c : cell) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    line += quoted + "\"";
  }
  return line + "\r\n";
}

std::string rate(const std::optional<double>& r) { return r ? percent(*r) : "—"; }
std::string hours(const std::optional<double>& h) {
  if (!h) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *h);
  return buf;
}

std::string visibleScopeHint(const Context& ctx, ServerStore& store) {
  if (ctx.user.role != Role::Handler) return "";
  if (ctx.user.communityId.empty()) return band("warn", strings().get("tickets.noCommunity"));
  const auto names = communityNames(store);
  auto it = names.find(ctx.user.communityId);
  return "<p class=\"hint\">" + TF("tickets.scope", {it == names.end() ? ctx.user.communityId : it->second}) + "</p>";
}

}  // namespace

// ---------------------------------------------------------------- queue

std::string Pages::ticketRows(const std::vector<Ticket>& list, bool checkboxes) {
  const auto sites = siteNames(store);
  const auto communities = communityNames(store);
  const auto categories = categoryOptions(store);
  auto categoryName = [&](const std::string& v) {
    for (const auto& [value, text] : categories)
      if (value == v) return text;
    return v;
  };
  const std::string now = nowIso();
  std::string body = "<table class=\"grid\" id=\"tickets\"><thead><tr>" + std::string(checkboxes ? "<th></th>" : "") + "<th>" +
                     T("tickets.code") + "</th><th>" + T("tickets.category") + "</th><th>" + T("tickets.community") +
                     "</th><th>" + T("tickets.site") + "</th><th>" + T("tickets.created") + "</th><th>" + T("tickets.due") +
                     "</th><th>" + T("tickets.status") + "</th><th>" + T("tickets.assignee") + "</th><th>" +
                     T("tickets.rating") + "</th></tr></thead><tbody>";
  for (const Ticket& t : list) {
    auto c = communities.find(t.communityId);
    body += "<tr>" +
            (checkboxes ? "<td><input type=\"checkbox\" name=\"code\" value=\"" + esc(t.code) + "\" aria-label=\"" +
                              esc(protocol::groupCode(t.code)) + "\"></td>"
                        : std::string()) +
            "<td class=\"nowrap\"><a href=\"/staff/tickets/" + esc(t.code) + "\"><code>" + esc(protocol::groupCode(t.code)) +
            "</code></a></td><td>" + esc(categoryName(t.category)) + "</td><td>" +
            (c == communities.end() ? T("tickets.noCommunityYet") : esc(c->second)) + "</td><td>" +
            esc(sites.count(t.siteId) ? sites.at(t.siteId) : t.siteId) + "</td><td class=\"nowrap\">" + esc(when(t.createdAt)) +
            "</td><td class=\"nowrap\">" + esc(ticketStopped(t.status) ? "—" : dueText(t)) + " " + flags(t, now, *policy) +
            "</td><td>" + esc(statusLabel(t.status)) + "</td><td>" + esc(t.assignee.empty() ? "—" : t.assignee) + "</td><td>" +
            (t.rating.empty() ? "—" : T("rating." + t.rating)) + "</td></tr>";
  }
  return body + "</tbody></table>";
}

void Pages::tickets(Context& ctx) {
  TicketQuery q;
  q.limit = kQueueRows;
  const std::string status = ctx.param("status"), community = ctx.param("community"), category = ctx.param("category");
  const std::string due = ctx.param("due");
  if (status == "open") q.statuses = {"received", "assigned", "in_progress", "reopened"};
  else if (ticketStateFromName(status)) q.statuses = {status};
  q.communityId = ctx.user.role == Role::Handler ? ctx.user.communityId : community;
  q.category = category;
  q.flaggedOnly = ctx.param("flagged") == "1";
  if (due == "overdue") q.dueBefore = nowIso();
  std::vector<Ticket> list;
  for (Ticket& t : store.tickets(q)) {
    if (!canSee(ctx, t)) continue;
    if (due == "soon" && dueState(t, nowIso(), *policy) != DueState::DueSoon) continue;
    list.push_back(std::move(t));
  }
  std::vector<std::pair<std::string, std::string>> statuses = {{"", strings().get("tickets.allStatuses")},
                                                                {"open", strings().get("tickets.open")}};
  for (TicketState s : kAllTicketStates) statuses.push_back({ticketStateName(s), statusLabel(s)});
  std::vector<std::pair<std::string, std::string>> communities = {{"", strings().get("tickets.allCommunities")},
                                                                   {"-", strings().get("tickets.noCommunityYet")}};
  for (const Community& c : store.communities()) communities.push_back({c.id, c.name});
  auto categories = categoryOptions(store);
  categories.insert(categories.begin(), {"", strings().get("tickets.allCategories")});
  const std::vector<std::pair<std::string, std::string>> dues = {
      {"", strings().get("tickets.anyDue")}, {"overdue", strings().get("tickets.overdue")}, {"soon", strings().get("tickets.dueSoon")}};
  std::string body = visibleScopeHint(ctx, store);
  body += "<form method=\"get\" action=\"/staff/tickets\" class=\"filters\">" + select("status", statuses, status, strings().get("tickets.status")) +
          (ctx.user.role == Role::Handler ? "" : select("community", communities, community, strings().get("tickets.community"))) +
          select("category", categories, category, strings().get("tickets.category")) +
          select("due", dues, due, strings().get("tickets.due")) + "<label><input type=\"checkbox\" name=\"flagged\" value=\"1\"" +
          (q.flaggedOnly ? " checked" : "") + "> " + T("tickets.flaggedOnly") + "</label><button type=\"submit\">" +
          T("filter.apply") + "</button></form>";
  body += "<p class=\"hint\">" + TF("tickets.count", {number(static_cast<int64_t>(list.size()))}) + "</p>";
  body += ticketRows(list, false);
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.tickets"), "/staff/tickets", body));
}

void Pages::ticketsOverdue(Context& ctx) {
  const std::string now = nowIso();
  TicketQuery q;
  q.limit = 100000;
  q.statuses = {"received", "assigned", "in_progress", "reopened"};
  std::vector<Ticket> overdue, soon;
  for (Ticket& t : store.tickets(q)) {
    if (!canSee(ctx, t)) continue;
    const DueState d = dueState(t, now, *policy);
    if (d == DueState::Overdue) overdue.push_back(std::move(t));
    else if (d == DueState::DueSoon) soon.push_back(std::move(t));
  }
  // Longest overdue first: what 督办 chases.
  auto byDue = [](const Ticket& a, const Ticket& b) { return a.dueAt < b.dueAt; };
  std::sort(overdue.begin(), overdue.end(), byDue);
  std::sort(soon.begin(), soon.end(), byDue);
  std::string body = visibleScopeHint(ctx, store) + "<p class=\"hint\">" + T("tickets.overdueHint") + "</p><h2>" +
                     TF("tickets.overdueTitle", {number(static_cast<int64_t>(overdue.size()))}) + "</h2>" +
                     ticketRows(overdue, false) + "<h2>" +
                     TF("tickets.dueSoonTitle", {number(static_cast<int64_t>(soon.size()))}) + "</h2>" + ticketRows(soon, false);
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.overdue"), "/staff/tickets/overdue", body));
}

// ---------------------------------------------------------------- one ticket

void Pages::ticketDetail(Context& ctx, const std::string& code, const std::string& message, const std::string& kind) {
  auto t = store.ticket(code);
  // A ticket outside the handler's community is as unknown as one that does not exist.
  if (!t || !canSee(ctx, *t))
    return sendHtml(ctx.res, 404, framePage(ctx, strings().get("nav.tickets"), "/staff/tickets",
                                            band("error", strings().get("tickets.unknown"))));
  const auto communities = communityNames(store);
  const auto sites = siteNames(store);
  const std::string now = nowIso();
  const ComplaintText text = complaintText(store, *t);
  // Numbers in the resident's own words are the resident's phone as much as the phone answer is.
  const bool phones = seesPhone(ctx, *t);
  auto shown = [&](const std::string& s) { return s.empty() ? std::string("—") : phones ? s : maskPhoneNumbers(s); };
  auto c = communities.find(t->communityId);
  std::string body = message.empty() ? "" : band(kind, message);
  body += "<table class=\"grid\" id=\"ticket\"><tbody>"
          "<tr><th>" + T("tickets.code") + "</th><td><code>" + esc(protocol::groupCode(t->code)) + "</code></td></tr>"
          "<tr><th>" + T("tickets.status") + "</th><td>" + esc(statusLabel(t->status)) + " " + flags(*t, now, *policy) + "</td></tr>"
          "<tr><th>" + T("tickets.category") + "</th><td>" + esc(categoryText(store, *t, "zh-cn")) + "</td></tr>"
          "<tr><th>" + T("tickets.community") + "</th><td>" + (c == communities.end() ? T("tickets.noCommunityYet") : esc(c->second)) +
          "</td></tr><tr><th>" + T("tickets.assignee") + "</th><td>" + esc(t->assignee.empty() ? "—" : t->assignee) + "</td></tr>"
          "<tr><th>" + T("tickets.site") + "</th><td>" + esc(sites.count(t->siteId) ? sites.at(t->siteId) : t->siteId) +
          " <code>" + esc(t->deviceId) + "</code></td></tr>"
          "<tr><th>" + T("tickets.created") + "</th><td>" + esc(when(t->createdAt)) + "</td></tr>"
          "<tr><th>" + T("tickets.due") + "</th><td>" + esc(dueText(*t)) + " <span class=\"sub\">" +
          TF("tickets.deadlineRule", {t->deadline}) + "</span></td></tr>"
          "<tr><th>" + T("tickets.description") + "</th><td class=\"text\">" + esc(shown(text.description)) +
          "</td></tr><tr><th>" + T("tickets.location") + "</th><td>" + esc(shown(text.location)) + "</td></tr>"
          "<tr><th>" + T("tickets.phone") + "</th><td>" +
          esc(text.phone.empty() ? "—" : phones ? text.phone : maskPhone(text.phone)) + "</td></tr>";
  if (!t->publicReply.empty())
    body += "<tr><th>" + T("tickets.publicReply") + "</th><td class=\"text\">" + esc(t->publicReply) + "<span class=\"sub\">" +
            T(t->textPublic ? "tickets.textIsPublic" : "tickets.textNotPublic") + "</span></td></tr>";
  if (!t->rejectReason.empty())
    body += "<tr><th>" + T("tickets.rejectReason") + "</th><td class=\"text\">" + esc(t->rejectReason) + "</td></tr>";
  if (!t->rating.empty())
    body += "<tr><th>" + T("tickets.rating") + "</th><td>" + T("rating." + t->rating) + " <span class=\"sub\">" +
            esc(when(t->ratedAt)) + " · " + T("via." + t->ratingVia) + "</span></td></tr>";
  body += "</tbody></table>";

  if (canAct(ctx, *t)) {
    body += "<h2>" + T("tickets.actions") + "</h2>";
    auto action = [&](TicketAction a, const std::string& fields, const std::string& buttonClass = "") {
      if (!ticketActionAllowed(t->status, a)) return;
      body += postForm(ctx, "/staff/tickets/action",
                       "<input type=\"hidden\" name=\"code\" value=\"" + esc(t->code) + "\"><input type=\"hidden\" name=\"action\" value=\"" +
                           ticketActionName(a) + "\">" + fields + "<button type=\"submit\"" +
                           (buttonClass.empty() ? "" : " class=\"" + buttonClass + "\"") + ">" +
                           T(std::string("tickets.do.") + ticketActionName(a)) + "</button>",
                       "ticket-action");
    };
    std::vector<std::pair<std::string, std::string>> communityChoices;
    for (const Community& cm : store.communities())
      if (ctx.isAdmin() || cm.id == ctx.user.communityId) communityChoices.push_back({cm.id, cm.name});
    std::vector<std::pair<std::string, std::string>> handlers = {{"", strings().get("tickets.wholeCommunity")}};
    for (const User& u : store.users())
      if (u.role == Role::Handler && !u.disabled() && (ctx.isAdmin() || u.communityId == ctx.user.communityId)) {
        auto uc = communities.find(u.communityId);
        handlers.push_back({u.name, (u.displayName.empty() ? u.name : u.displayName) + "（" +
                                        (uc == communities.end() ? u.communityId : uc->second) + "）"});
      }
    action(TicketAction::Assign, select("community", communityChoices, t->communityId, strings().get("tickets.community")) +
                                     select("assignee", handlers, t->assignee, strings().get("tickets.assignee")));
    action(TicketAction::Start, "");
    action(TicketAction::Resolve, "<label>" + T("tickets.publicReply") +
                                      " <textarea name=\"text\" rows=\"3\" maxlength=\"2000\" required></textarea></label>"
                                      "<label><span><input type=\"checkbox\" name=\"public\" value=\"1\"> " +
                                      T("tickets.makeTextPublic") + "</span></label>");
    action(TicketAction::Reject, "<label>" + T("tickets.rejectReason") +
                                     " <textarea name=\"text\" rows=\"2\" maxlength=\"1000\" required></textarea></label>",
           "danger");
    action(TicketAction::Close, "");
    action(TicketAction::Reopen, "<label>" + T("tickets.reopenReason") +
                                     " <textarea name=\"text\" rows=\"2\" maxlength=\"1000\" required></textarea></label>");
    if (t->rating.empty())
      action(TicketAction::Rate, select("rating", {{"satisfied", strings().get("rating.satisfied")},
                                                   {"basic", strings().get("rating.basic")},
                                                   {"unsatisfied", strings().get("rating.unsatisfied")}},
                                        "", strings().get("tickets.phoneRating")) +
                                     "<label>" + T("tickets.phoneNote") +
                                     " <textarea name=\"text\" rows=\"2\" maxlength=\"1000\"></textarea></label>");
  }

  body += "<h2>" + T("tickets.history") + "</h2><table class=\"grid dense timeline\"><thead><tr><th>" + T("audit.at") + "</th><th>" +
          T("audit.actor") + "</th><th>" + T("audit.action") + "</th><th>" + T("tickets.status") + "</th><th>" +
          T("audit.detail") + "</th></tr></thead><tbody>";
  for (const TicketLogEntry& e : store.ticketLog(t->code)) {
    body += "<tr><td class=\"nowrap\">" + esc(when(e.at)) + "</td><td>" + esc(actorText(e.actor)) + "</td><td>" +
            T("tickets.log." + e.action) + "</td><td>" +
            esc(ticketStateFromName(e.status) ? statusLabel(*ticketStateFromName(e.status)) : e.status) + "</td><td class=\"text\">" +
            esc(historyDetail(e, communities, sites)) + "</td></tr>";
  }
  body += "</tbody></table>";
  sendHtml(ctx.res, 200, framePage(ctx, TF("tickets.detailTitle", {protocol::groupCode(t->code)}), "/staff/tickets", body));
}

void Pages::ticketAction(Context& ctx) {
  const protocol::TicketCode checked = protocol::checkTicketCode(ctx.param("code"));
  if (checked.check != protocol::TicketCode::Check::Ok)
    return sendHtml(ctx.res, 400, framePage(ctx, strings().get("nav.tickets"), "/staff/tickets",
                                            band("error", strings().get("tickets.badCode"))));
  const std::string& code = checked.code;
  auto t = store.ticket(code);
  if (!t || !canSee(ctx, *t))
    return sendHtml(ctx.res, 404, framePage(ctx, strings().get("nav.tickets"), "/staff/tickets",
                                            band("error", strings().get("tickets.unknown"))));
  auto action = ticketActionFromName(ctx.param("action"));
  if (!action || !canAct(ctx, *t)) return ticketDetail(ctx, code, strings().get("tickets.notYours"), "error");
  TicketChange c;
  c.action = *action;
  c.actor = ctx.user.name;
  c.at = nowIso();
  c.text = ctx.param("text").substr(0, 4000);
  c.textPublic = ctx.param("public") == "1";
  if (*action == TicketAction::Assign) {
    c.communityId = ctx.param("community");
    c.assignee = ctx.param("assignee");
    bool known = false;
    for (const Community& cm : store.communities()) known |= cm.id == c.communityId;
    // A handler passes a ticket only within the community; the handler named must belong to that community.
    if (!known || (!ctx.isAdmin() && c.communityId != ctx.user.communityId))
      return ticketDetail(ctx, code, strings().get("tickets.badCommunity"), "error");
    if (!c.assignee.empty()) {
      auto u = store.user(c.assignee);
      if (!u || u->role != Role::Handler || u->disabled() || u->communityId != c.communityId)
        return ticketDetail(ctx, code, strings().get("tickets.badAssignee"), "error");
    }
  }
  if (*action == TicketAction::Rate) {
    c.rating = ratingFromName(ctx.param("rating"));
    c.via = "phone";
  }
  if (auto problem = changeTicket(store, code, c, *policy))
    return ticketDetail(ctx, code, strings().get("transition." + *problem), "error");
  audit(ctx, std::string("ticket_") + ticketActionName(*action), code,
        *action == TicketAction::Assign ? c.communityId + (c.assignee.empty() ? "" : " / " + c.assignee)
        : *action == TicketAction::Rate ? std::string(ratingName(*c.rating)) + " via phone"
                                        : "");
  // After a POST, a page that a reload does not post again.
  redirect(ctx.res, "/staff/tickets/" + code + "?done=" + ticketActionName(*action));
}

void Pages::ticketPage(Context& ctx, const std::string& code) {
  const std::string done = ctx.param("done");
  if (ticketActionFromName(done)) return ticketDetail(ctx, code, strings().get("tickets.done." + done), "ok");
  ticketDetail(ctx, code);
}

// ---------------------------------------------------------------- 整改情况公示

void Pages::ticketNoticeForm(Context& ctx, const std::string& message, const std::string& kind) {
  TicketQuery q;
  q.statuses = {"resolved", "closed"};
  q.limit = kQueueRows;
  const auto list = store.tickets(q);
  std::string body = message.empty() ? "" : band(kind, message);
  body += "<p class=\"hint\">" + TF("tickets.noticeHint", {std::to_string(kNoticeTickets)}) + "</p>";
  body += postForm(ctx, "/staff/tickets/notice",
                   "<label>" + T("notices.titleZhCn") + " <input name=\"title\" maxlength=\"100\" value=\"" +
                       T("tickets.noticeDefaultTitle") + "\" required></label>" + ticketRows(list, true) +
                       "<button type=\"submit\">" + T("tickets.noticePublish") + "</button>",
                   "stack");
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.ticketNotice"), "/staff/tickets/notice", body));
}

void Pages::ticketNotice(Context& ctx) {
  std::vector<std::string> codes;
  for (size_t i = 0, n = ctx.req.get_param_value_count("code"); i < n && codes.size() <= kNoticeTickets; ++i)
    codes.push_back(ctx.req.get_param_value("code", i));
  if (codes.empty()) return ticketNoticeForm(ctx, strings().get("tickets.noticeNone"), "error");
  if (codes.size() > kNoticeTickets)
    return ticketNoticeForm(ctx, strings().format("tickets.noticeTooMany", {std::to_string(kNoticeTickets)}), "error");
  const auto communities = communityNames(store);
  std::vector<Ticket> fixed;
  for (const std::string& code : codes) {
    auto t = store.ticket(code);
    if (!t || (t->status != TicketState::Resolved && t->status != TicketState::Closed))
      return ticketNoticeForm(ctx, strings().get("tickets.noticeNotResolved"), "error");
    fixed.push_back(*t);
  }
  protocol::Notice notice;
  notice.id = "notice-" + protocol::randomHex(6);
  notice.publishedAt = nowIso();
  // In the kiosks' three languages. Only what was done, in the staff's public words: category, community,
  // reply. No code, no site, no resident's text, no phone: a notice hangs in a public room. Staff write in
  // Simplified; 繁 gets it converted (OpenCC), English the categories in English and the reply as written.
  const std::string typedTitle = ctx.param("title");
  const bool customTitle = !typedTitle.empty() && typedTitle != strings().get("tickets.noticeDefaultTitle");
  for (const char* lang : {"zh-cn", "zh-tw", "en"}) {
    const Strings& w = publicStrings(lang);
    auto local = [&](const std::string& simplified) { return core::simplifiedFor(simplified, lang); };
    std::string text;
    int n = 0;
    for (const Ticket& t : fixed) {
      auto c = communities.find(t.communityId);
      text += std::to_string(++n) + ". " +
              w.format("notice.fixes.line", {categoryText(store, t, lang),
                                             c == communities.end() ? w.get("notice.fixes.township") : local(c->second),
                                             local(cut(maskPhoneNumbers(t.publicReply), kNoticeReplyChars))}) +
              "\n";
    }
    notice.title[lang] = cut(customTitle ? local(typedTitle) : w.get("notice.fixes.title"), 300);
    notice.body[lang] = text;
  }
  std::string why;
  if (!protocol::parseNotice(protocol::toJson(notice), &why))
    return ticketNoticeForm(ctx, strings().format("notices.invalid", {why}), "error");
  if (!store.addNotice({notice, {kAllSites}})) return ticketNoticeForm(ctx, strings().get("notices.badSite"), "error");
  std::string list;
  for (const std::string& code : codes) list += (list.empty() ? "" : ",") + code;
  audit(ctx, "notice_publish", notice.id, "整改情况公示: " + list);
  ticketNoticeForm(ctx, strings().get("tickets.noticePublished"), "ok");
}

// ---------------------------------------------------------------- numbers

void Pages::ticketNumbers(Context& ctx, bool csv) {
  auto visible = [&ctx](const Ticket& t) { return canSee(ctx, t); };
  const auto weeks = ticketNumbersByWeek(store, visible);
  TicketQuery all;
  all.limit = 1000000;
  std::vector<Ticket> tickets;
  for (Ticket& t : store.tickets(all))
    if (visible(t)) tickets.push_back(std::move(t));
  const auto communities = communityNames(store);
  auto categories = categoryOptions(store);
  auto categoryName = [&](const std::string& v) {
    for (const auto& [value, text] : categories)
      if (value == v) return text;
    return v;
  };
  // Counts by (category or community) × status.
  std::map<std::string, std::map<std::string, int64_t>> byCategory, byCommunity;
  for (const Ticket& t : tickets) {
    ++byCategory[categoryName(t.category)][ticketStateName(t.status)];
    auto c = communities.find(t.communityId);
    ++byCommunity[c == communities.end() ? strings().get("tickets.noCommunityYet") : c->second][ticketStateName(t.status)];
  }
  const std::vector<std::string> weekHeaders = {
      strings().get("numbers.week"),      strings().get("numbers.received"),  strings().get("numbers.resolved"),
      strings().get("numbers.onTime"),    strings().get("numbers.onTimeRate"), strings().get("numbers.meanHours"),
      strings().get("numbers.rated"),     strings().get("rating.satisfied"),  strings().get("rating.basic"),
      strings().get("rating.unsatisfied"), strings().get("numbers.satisfaction"), strings().get("numbers.reopened"),
      strings().get("numbers.reopenRate")};
  auto weekCells = [&](const TicketNumbers& n) {
    return std::vector<std::string>{n.week.empty() ? strings().get("numbers.total") : n.week,
                                    std::to_string(n.received), std::to_string(n.resolved), std::to_string(n.onTime),
                                    rate(n.onTimeRate()), hours(n.meanHandlingHours()), std::to_string(n.rated),
                                    std::to_string(n.satisfied), std::to_string(n.basic), std::to_string(n.unsatisfied),
                                    rate(n.satisfactionRate()), std::to_string(n.reopened), rate(n.reopenRate())};
  };
  std::vector<std::string> statusHeaders;
  for (TicketState s : kAllTicketStates) statusHeaders.push_back(statusLabel(s));

  if (csv) {
    // UTF-8 with a byte order mark, so Excel reads Chinese; three tables one after another.
    std::string out = "\xEF\xBB\xBF" + csvLine(weekHeaders);
    for (const TicketNumbers& n : weeks) out += csvLine(weekCells(n));
    for (const auto* table : {&byCategory, &byCommunity}) {
      std::vector<std::string> head = {strings().get(table == &byCategory ? "tickets.category" : "tickets.community")};
      head.insert(head.end(), statusHeaders.begin(), statusHeaders.end());
      out += "\r\n" + csvLine(head);
      for (const auto& [name, counts] : *table) {
        std::vector<std::string> row = {name};
        for (TicketState s : kAllTicketStates) {
          auto it = counts.find(ticketStateName(s));
          row.push_back(std::to_string(it == counts.end() ? 0 : it->second));
        }
        out += csvLine(row);
      }
    }
    ctx.res.status = 200;
    ctx.res.set_content(std::move(out), "text/csv; charset=utf-8");
    ctx.res.set_header("Content-Disposition", "attachment; filename=\"ticket-numbers.csv\"");
    audit(ctx, "export", "ticket numbers", "csv");
    return;
  }

  const TicketNumbers& total = weeks.back();
  const std::string now = nowIso();
  int64_t open = 0, overdue = 0;
  for (const Ticket& t : tickets) {
    if (!ticketStopped(t.status)) ++open;
    if (dueState(t, now, *policy) == DueState::Overdue) ++overdue;
  }
  auto card = [](const std::string& label, const std::string& value, const std::string& id) {
    return "<div class=\"card\" id=\"" + id + "\"><div>" + esc(label) + "</div><div class=\"big\">" + esc(value) + "</div></div>";
  };
  std::string body = visibleScopeHint(ctx, store) + "<div class=\"summary\">" +
                     card(strings().get("numbers.open"), number(open), "n-open") +
                     card(strings().get("tickets.overdue"), number(overdue), "n-overdue") +
                     card(strings().get("numbers.onTimeRate"), rate(total.onTimeRate()), "n-ontime") +
                     card(strings().get("numbers.meanHours"), hours(total.meanHandlingHours()), "n-hours") +
                     card(strings().get("numbers.satisfaction"), rate(total.satisfactionRate()), "n-satisfaction") +
                     card(strings().get("numbers.reopenRate"), rate(total.reopenRate()), "n-reopen") +
                     "<div class=\"actions\"><a class=\"button\" href=\"/staff/tickets/numbers.csv\">" + T("numbers.csv") +
                     "</a></div></div><p class=\"hint\">" + T("numbers.hint") + "</p>";
  body += "<h2>" + T("numbers.byWeek") + "</h2><div class=\"scroll\"><table class=\"grid\" id=\"weeks\"><thead><tr>";
  for (const std::string& h : weekHeaders) body += "<th>" + esc(h) + "</th>";
  body += "</tr></thead><tbody>";
  for (const TicketNumbers& n : weeks) {
    const auto cells = weekCells(n);
    body += std::string(n.week.empty() ? "<tr class=\"total\">" : "<tr>") + "<th>" + esc(cells[0]) + "</th>";
    for (size_t i = 1; i < cells.size(); ++i) body += "<td class=\"num\">" + esc(cells[i]) + "</td>";
    body += "</tr>";
  }
  body += "</tbody></table></div>";
  for (const auto* table : {&byCategory, &byCommunity}) {
    const bool cat = table == &byCategory;
    body += "<h2>" + T(cat ? "numbers.byCategory" : "numbers.byCommunity") + "</h2><div class=\"scroll\"><table class=\"grid\" id=\"" +
            std::string(cat ? "by-category" : "by-community") + "\"><thead><tr><th>" + T(cat ? "tickets.category" : "tickets.community") +
            "</th>";
    for (const std::string& h : statusHeaders) body += "<th class=\"num\">" + esc(h) + "</th>";
    body += "</tr></thead><tbody>";
    for (const auto& [name, counts] : *table) {
      body += "<tr><th>" + esc(name) + "</th>";
      for (TicketState s : kAllTicketStates) {
        auto it = counts.find(ticketStateName(s));
        body += "<td class=\"num\">" + number(it == counts.end() ? 0 : it->second) + "</td>";
      }
      body += "</tr>";
    }
    body += "</tbody></table></div>";
  }
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.ticketNumbers"), "/staff/tickets/numbers", body));
}

}  // namespace minyi::server::dash
