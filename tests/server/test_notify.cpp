// Staff notifications (issue #13 item 7): the notification outbox of every storage backend.
#include "server_test_helpers.h"

#include "minyi/server/notifications.h"

using namespace minyi;
using namespace minyi::test;
using server::NotificationState;

TEST_CASE("the outbox keeps one message per channel and event, a message is taken by one sender, and once sent never again",
          "[notify][contract]") {
  for (const auto& b : backends()) {
    DYNAMIC_SECTION(b.name) {
      TempDir dir;
      auto store = b.open(dir.path());
      server::Notification n;
      n.channel = "东湖社区群";
      n.eventKey = "complaint:00M000001Z";
      n.kind = "complaint";
      n.subject = "s";
      n.text = "t";
      n.createdAt = n.nextAttemptAt = "2026-12-07T01:00:00.000Z";
      CHECK(store->addNotification(n));
      n.text = "again";
      CHECK_FALSE(store->addNotification(n));  // the same event for the same channel
      n.channel = "街道钉钉群";
      CHECK(store->addNotification(n));  // another channel hears it too
      CHECK(store->dueNotifications("2026-12-07T00:59:59.000Z", 10).empty());
      auto due = store->dueNotifications("2026-12-07T01:00:00.000Z", 10);
      REQUIRE(due.size() == 2);
      CHECK(due[0].text == "t");
      const auto& first = due[0];
      CHECK(store->claimNotification(first.id, first.nextAttemptAt, "2026-12-07T01:02:00.000Z"));
      CHECK_FALSE(store->claimNotification(first.id, first.nextAttemptAt, "2026-12-07T01:02:00.000Z"));  // taken
      store->recordNotificationAttempt(first.id, "2026-12-07T01:00:01.000Z", "HTTP 500", "2026-12-07T01:01:01.000Z");
      auto row = store->recentNotifications(10).at(1);
      CHECK(row.state() == NotificationState::Waiting);
      CHECK(row.attempts == 1);
      CHECK(row.lastError == "HTTP 500");
      CHECK(row.nextAttemptAt == "2026-12-07T01:01:01.000Z");
      store->recordNotificationAttempt(first.id, "2026-12-07T01:01:02.000Z", "", "");
      store->recordNotificationAttempt(first.id, "2026-12-07T01:01:03.000Z", "late failure", "2026-12-07T01:05:00.000Z");
      row = store->recentNotifications(10).at(1);
      CHECK(row.state() == NotificationState::Sent);  // a sent message stays sent
      CHECK(row.sentAt == "2026-12-07T01:01:02.000Z");
      CHECK(row.attempts == 2);
      CHECK(store->dueNotifications("2026-12-08T00:00:00.000Z", 10).size() == 1);
      CHECK_FALSE(store->claimNotification(first.id, "2026-12-07T01:01:01.000Z", "2026-12-08T00:00:00.000Z"));
    }
  }
}
