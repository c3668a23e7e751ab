// Telling staff what needs them (issue #13 item 7): which events each channel hears, the messages in the staff's
// words, and the notification outbox's rules. Delivery itself (webhooks, e-mail) is the HTTP library's (notifier.h).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/server/fleet.h"
#include "minyi/server/server_store.h"
#include "minyi/server/tickets.h"

namespace minyi::server {

// What a channel can hear: a new complaint, a ticket near or past its deadline, a kiosk silent in opening hours.
enum class NotifyEvent { Complaint, Deadline, Kiosk };
const char* notifyEventName(NotifyEvent e);  // complaint, deadline, kiosk
std::optional<NotifyEvent> notifyEventFromName(std::string_view name);

// 企业微信 group robot, 钉钉 group robot, e-mail over SMTP.
enum class ChannelKind { WeCom, DingTalk, Email };
const char* channelKindName(ChannelKind k);  // wecom, dingtalk, email
std::optional<ChannelKind> channelKindFromName(std::string_view name);

// One [[notify.channels]] of server.toml.
struct Channel {
  std::string name;  // unique; the outbox's rows and the dashboard name it
  ChannelKind kind = ChannelKind::WeCom;
  std::string url;     // the robot's webhook (wecom, dingtalk)
  std::string secret;  // dingtalk 加签: the URL is signed when set
  std::string smtpUrl;  // smtp://host:587 or smtps://host:465 (email)
  std::string from, user, password;
  std::vector<std::string> to;
  bool requireTls = true;  // smtp:// upgrades with STARTTLS or fails; false only for a relay on this machine
  std::vector<NotifyEvent> events{NotifyEvent::Complaint, NotifyEvent::Deadline, NotifyEvent::Kiosk};
  std::vector<std::string> communities;  // empty: every community, and what belongs to none
  // Whether an event of `communityId` ("" for the township as a whole) goes to this channel.
  bool hears(NotifyEvent e, const std::string& communityId) const;
  // Where it delivers, without its key or password: for the dashboard ("qyapi.weixin.qq.com", "a@b, c@d").
  std::string target() const;
};

// server.toml [notify].
struct NotifyPolicy {
  std::string dashboardUrl;  // the dashboard as staff reach it, no trailing slash: messages link into it
  std::chrono::seconds checkEvery{60};
  int maxAttempts = 10;  // then the message is given up (shown so on the dashboard)
  std::chrono::seconds timeout{10};  // for each delivery: one dead receiver never stalls the others for long
  std::vector<Channel> channels;
  const Channel* channel(const std::string& name) const;
};

// New complaints are told when received within this long (a server that was down longer does not flood the group
// with old ones: they are on the dashboard); an overdue ticket only within this long of its deadline.
constexpr std::chrono::hours kNewComplaintWindow{24};
constexpr std::chrono::hours kOverdueWindow{24 * 7};

// What needs staff at `now`, as one message for each channel that hears it: complaints received within
// kNewComplaintWindow, tickets due soon (TicketPolicy::dueSoon) or overdue, kiosks silent (FleetPolicy). The
// messages name the community, the category, the ticket's code and deadline and link to it; never a resident's
// words or phone number (a group chat is not private).
std::vector<Notification> pendingNotifications(ServerStore& store, const NotifyPolicy& notify, const TicketPolicy& tickets,
                                               const FleetPolicy& fleet, std::chrono::system_clock::time_point now);
// Adds them to the outbox; returns how many were new (the others were told already).
int queueNotifications(ServerStore& store, const NotifyPolicy& notify, const TicketPolicy& tickets, const FleetPolicy& fleet,
                       std::chrono::system_clock::time_point now);
// A test message for one channel (the dashboard's button), due at once.
Notification testNotification(const Channel& channel, const NotifyPolicy& notify, std::chrono::system_clock::time_point now);

// How long to wait after the attempts-th failed attempt: 1 minute, doubling, at most an hour.
std::chrono::seconds retryDelay(int attempts);

// Problems of a policy against the township's data ("notify.channels[1].communities: no community \"x\""): ids
// are checked once the store is open.
std::vector<std::string> unknownCommunities(const NotifyPolicy& notify, SiteStore& store);

}  // namespace minyi::server
