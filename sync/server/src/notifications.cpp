// What needs staff now, as messages per channel in the staff's words; the outbox's retry rule.
#include "minyi/server/notifications.h"

#include <algorithm>
#include <map>

#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/times.h"
#include "minyi/server/phone_mask.h"
#include "minyi/server/staff_words.h"
#include "minyi/server/ticket_desk.h"

namespace minyi::server {

namespace {

const Strings& W() { return strings(); }

// "2026-12-09" → "12月9日", "2026-12-09 16:00" → "12月9日 16:00": how a deadline reads in a chat message.
std::string shortChinaDate(const std::string& text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return text;
  std::string out = std::to_string(std::stoi(text.substr(5, 2))) + "月" + std::to_string(std::stoi(text.substr(8, 2))) + "日";
  if (text.size() > 10) out += text.substr(10);
  return out;
}

std::string duration(std::chrono::minutes m) {
  if (m.count() < 60) return W().format("notify.minutes", {std::to_string(m.count())});
  return W().format("notify.hours", {std::to_string(m.count() / 60)});
}

struct Event {
  NotifyEvent event;
  std::string kind;  // complaint, due_soon, overdue, kiosk
  std::string key;
  std::string communityId;
  std::string subject, text;
};

// One message per channel that hears it.
void fanOut(const NotifyPolicy& notify, const Event& e, const std::string& now, std::vector<Notification>& out) {
  for (const Channel& c : notify.channels) {
    if (!c.hears(e.event, e.communityId)) continue;
    Notification n;
    n.channel = c.name;
    n.eventKey = e.key;
    n.kind = e.kind;
    n.subject = e.subject;
    n.text = e.text;
    n.createdAt = now;
    n.nextAttemptAt = now;
    out.push_back(std::move(n));
  }
}

}  // namespace

const char* notifyEventName(NotifyEvent e) {
  switch (e) {
    case NotifyEvent::Complaint: return "complaint";
    case NotifyEvent::Deadline: return "deadline";
    case NotifyEvent::Kiosk: break;
  }
  return "kiosk";
}

std::optional<NotifyEvent> notifyEventFromName(std::string_view name) {
  for (NotifyEvent e : {NotifyEvent::Complaint, NotifyEvent::Deadline, NotifyEvent::Kiosk})
    if (name == notifyEventName(e)) return e;
  return std::nullopt;
}

const char* channelKindName(ChannelKind k) {
  switch (k) {
    case ChannelKind::WeCom: return "wecom";
    case ChannelKind::DingTalk: return "dingtalk";
    case ChannelKind::Email: break;
  }
  return "email";
}

std::optional<ChannelKind> channelKindFromName(std::string_view name) {
  for (ChannelKind k : {ChannelKind::WeCom, ChannelKind::DingTalk, ChannelKind::Email})
    if (name == channelKindName(k)) return k;
  return std::nullopt;
}

bool Channel::hears(NotifyEvent e, const std::string& communityId) const {
  if (std::find(events.begin(), events.end(), e) == events.end()) return false;
  return communities.empty() || std::find(communities.begin(), communities.end(), communityId) != communities.end();
}

std::string Channel::target() const {
  if (kind == ChannelKind::Email) {
    std::string list;
    for (const std::string& t : to) list += (list.empty() ? "" : ", ") + t;
    return list;
  }
  // The host only: the rest of a robot's URL is its key.
  const size_t start = url.find("://");
  const size_t from = start == std::string::npos ? 0 : start + 3;
  return url.substr(from, url.find_first_of("/?", from) - from);
}

const Channel* NotifyPolicy::channel(const std::string& name) const {
  for (const Channel& c : channels)
    if (c.name == name) return &c;
  return nullptr;
}

NotificationState Notification::state() const {
  if (!sentAt.empty()) return NotificationState::Sent;
  if (!givenUpAt.empty()) return NotificationState::GivenUp;
  return NotificationState::Waiting;
}

std::vector<Notification> pendingNotifications(ServerStore& store, const NotifyPolicy& notify, const TicketPolicy& tickets,
                                               const FleetPolicy& fleet, std::chrono::system_clock::time_point now) {
  std::vector<Notification> out;
  if (notify.channels.empty()) return out;
  const std::string nowText = protocol::isoUtc(now);
  std::map<std::string, std::string> communityName;
  for (const Community& c : store.communities()) communityName[c.id] = c.name;
  auto placeOf = [&](const std::string& communityId) {
    auto it = communityName.find(communityId);
    return communityId.empty() ? W().get("notify.township") : it == communityName.end() ? communityId : it->second;
  };
  auto ticketLink = [&](const Ticket& t) { return notify.dashboardUrl + "/staff/tickets/" + t.code; };
  // The ticket's words: community, category, code, deadline and link. Nothing the resident wrote.
  auto ticketEvent = [&](NotifyEvent e, const std::string& kind, const std::string& key, const Ticket& t) {
    // The category is the resident's answer: one the form does not list is shown as given, so it is masked too.
    const std::vector<std::string> args{placeOf(t.communityId), maskPhoneNumbers(categoryText(store, t, "zh-cn")),
                                        protocol::groupCode(t.code),
                                        shortChinaDate(dueText(t)), ticketLink(t)};
    fanOut(notify, {e, kind, key, t.communityId, W().format("notify.subject." + kind, args), W().format("notify." + kind, args)},
           nowText, out);
  };

  TicketQuery recent;
  recent.changedSince = protocol::isoUtc(now - kNewComplaintWindow);
  for (const Ticket& t : store.tickets(recent)) {
    const auto received = protocol::parseIsoUtc(t.receivedAt);
    if (received && *received >= now - kNewComplaintWindow && *received <= now)
      ticketEvent(NotifyEvent::Complaint, "complaint", "complaint:" + t.code, t);
  }

  TicketQuery due;
  due.dueBefore = protocol::isoUtc(now + tickets.dueSoon);
  for (const Ticket& t : store.tickets(due)) {
    const DueState state = dueState(t, nowText, tickets);
    if (state == DueState::DueSoon) ticketEvent(NotifyEvent::Deadline, "due_soon", "due_soon:" + t.code + ":" + t.dueAt, t);
    const auto dueAt = protocol::parseIsoUtc(t.dueAt);
    if (state == DueState::Overdue && dueAt && *dueAt >= now - kOverdueWindow)
      ticketEvent(NotifyEvent::Deadline, "overdue", "overdue:" + t.code + ":" + t.dueAt, t);
  }

  std::map<std::string, Site> sites;
  for (const Site& s : store.sites()) sites[s.id] = s;
  for (const Device& d : store.devices()) {
    const KioskAlerts alerts = kioskAlerts(d, fleet, now);
    if (!alerts.silentFor) continue;
    const Site& site = sites[d.siteId];
    const std::vector<std::string> args{placeOf(site.communityId), site.name.empty() ? d.siteId : site.name,
                                        d.name.empty() ? d.id : d.name, duration(*alerts.silentFor),
                                        notify.dashboardUrl + "/staff/devices"};
    // One message per silence: the key holds the contact it has been silent since.
    fanOut(notify,
           {NotifyEvent::Kiosk, "kiosk", "kiosk:" + d.id + ":" + (d.lastContact.empty() ? d.enrolledAt : d.lastContact),
            site.communityId, W().format("notify.subject.kiosk", args), W().format("notify.kiosk", args)},
           nowText, out);
  }
  return out;
}

int queueNotifications(ServerStore& store, const NotifyPolicy& notify, const TicketPolicy& tickets, const FleetPolicy& fleet,
                       std::chrono::system_clock::time_point now) {
  int added = 0;
  for (const Notification& n : pendingNotifications(store, notify, tickets, fleet, now))
    if (store.addNotification(n)) ++added;
  return added;
}

Notification testNotification(const Channel& channel, const NotifyPolicy& notify, std::chrono::system_clock::time_point now) {
  Notification n;
  n.channel = channel.name;
  n.createdAt = n.nextAttemptAt = protocol::isoUtc(now);
  n.eventKey = "test:" + n.createdAt + ":" + protocol::randomHex(4);
  n.kind = "test";
  const std::vector<std::string> args{channel.name, notify.dashboardUrl + "/staff/notifications"};
  n.subject = W().format("notify.subject.test", args);
  n.text = W().format("notify.test", args);
  return n;
}

std::chrono::seconds retryDelay(int attempts) {
  const int doublings = std::clamp(attempts - 1, 0, 6);  // 1, 2, 4, ... 64 minutes, then the hour
  return std::min(std::chrono::seconds(60 << doublings), std::chrono::seconds(3600));
}

std::vector<std::string> unknownCommunities(const NotifyPolicy& notify, SiteStore& store) {
  std::vector<std::string> problems;
  const std::vector<Community> known = store.communities();
  for (size_t i = 0; i < notify.channels.size(); ++i)
    for (const std::string& id : notify.channels[i].communities)
      if (std::none_of(known.begin(), known.end(), [&](const Community& c) { return c.id == id; }))
        problems.push_back("notify.channels[" + std::to_string(i + 1) + "].communities: the township has no community \"" + id +
                           "\" (its communities are on the dashboard's 地点管理 page)");
  return problems;
}

}  // namespace minyi::server
