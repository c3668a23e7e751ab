// The dashboard's 消息通知 page: the configured channels, the recent messages with their state, a test message per channel.
#include <chrono>

#include "dashboard_impl.h"
#include "minyi/protocol/times.h"

namespace minyi::server::dash {

namespace {

std::string stateText(const Notification& n) {
  switch (n.state()) {
    case NotificationState::Sent: return TF("notify.state.sent", {when(n.sentAt)});
    case NotificationState::GivenUp: return TF("notify.state.givenUp", {std::to_string(n.attempts), n.lastError});
    case NotificationState::Waiting: break;
  }
  if (n.attempts == 0) return TF("notify.state.waiting", {"1", when(n.nextAttemptAt)});
  return TF("notify.state.retrying", {std::to_string(n.attempts), when(n.nextAttemptAt), n.lastError});
}

}  // namespace

void Pages::notifications(Context& ctx, const std::string& message, const std::string& kind) {
  std::string body = message.empty() ? "" : band(kind, message);
  const std::vector<Channel> none;
  const std::vector<Channel>& channels = notify ? notify->channels : none;
  body += "<h2>" + T("notify.channels") + "</h2>";
  if (channels.empty()) body += band("warn", strings().get("notify.none"));
  else {
    std::map<std::string, std::string> communityName;
    for (const Community& c : store.communities()) communityName[c.id] = c.name;
    body += "<div class=\"scroll\"><table class=\"grid\" id=\"channels\"><thead><tr><th>" + T("notify.channel") + "</th><th>" +
            T("notify.kind") + "</th><th>" + T("notify.target") + "</th><th>" + T("notify.events") + "</th><th>" +
            T("notify.communities") + "</th><th></th></tr></thead><tbody>";
    for (const Channel& c : channels) {
      std::string events, communities;
      for (NotifyEvent e : c.events) events += (events.empty() ? "" : "、") + strings().get(std::string("notify.event.") + notifyEventName(e));
      for (const std::string& id : c.communities)
        communities += (communities.empty() ? "" : "、") + (communityName.count(id) ? communityName[id] : id);
      if (c.communities.empty()) communities = strings().get("notify.allCommunities");
      body += "<tr><td>" + esc(c.name) + "</td><td>" + T(std::string("notify.kind.") + channelKindName(c.kind)) + "</td><td>" +
              esc(c.target()) + "</td><td>" + esc(events) + "</td><td>" + esc(communities) + "</td><td>" +
              postForm(ctx, "/staff/notifications/test",
                       "<input type=\"hidden\" name=\"channel\" value=\"" + esc(c.name) + "\"><button type=\"submit\">" +
                           T("notify.sendTest") + "</button>",
                       "inline") +
              "</td></tr>";
    }
    body += "</tbody></table></div>";
  }

  const std::vector<Notification> recent = store.recentNotifications(100);
  body += "<h2>" + T("notify.recent") + "</h2>";
  if (recent.empty()) body += "<p>" + T("notify.recentEmpty") + "</p>";
  else {
    body += "<div class=\"scroll\"><table class=\"grid dense\" id=\"notifications\"><thead><tr><th>" + T("notify.created") +
            "</th><th>" + T("notify.channel") + "</th><th>" + T("notify.message") + "</th><th>" + T("notify.state") +
            "</th></tr></thead><tbody>";
    for (const Notification& n : recent) {
      const char* cls = n.state() == NotificationState::Sent ? "" : " class=\"warn\"";
      body += "<tr><td class=\"nowrap\">" + esc(when(n.createdAt)) + "</td><td>" + esc(n.channel) + "</td><td>" + esc(n.text) +
              "</td><td><span" + cls + ">" + stateText(n) + "</span></td></tr>";
    }
    body += "</tbody></table></div>";
  }
  body += "<p class=\"hint\">" + T("notify.hint") + "</p>";
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("notify.title"), "/staff/notifications", body));
}

void Pages::notifyTest(Context& ctx) {
  const std::string name = ctx.param("channel");
  const Channel* channel = notify ? notify->channel(name) : nullptr;
  if (!channel) return notifications(ctx, strings().get("notify.unknownChannel"), "error");
  store.addNotification(testNotification(*channel, *notify, std::chrono::system_clock::now()));
  audit(ctx, "notify_test", name, "");
  if (wakeNotifier) wakeNotifier();
  notifications(ctx, strings().format("notify.testQueued", {name}), "ok");
}

}  // namespace minyi::server::dash
