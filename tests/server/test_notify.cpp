// Staff notifications (issue #13 item 7) against local receivers: 企业微信 and 钉钉 robots, an SMTP server; times injected.
#include "server_test_helpers.h"
#include "notify_receivers.h"

#include "minyi/server/ingest.h"
#include "minyi/server/notifications.h"
#include "minyi/server/notifier.h"
#include "minyi/server/server_config.h"
#include "minyi/server/ticket_desk.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using server::ChannelKind;
using server::NotificationState;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const char* kDashboard = "https://minyi.example.gov.cn";
const char* kPhone = "13812341234";
const char* kResidentWords = "楼道里堆满杂物";

std::chrono::system_clock::time_point at(const std::string& iso) {
  auto t = protocol::parseIsoUtc(iso);
  REQUIRE(t);
  return *t;
}

server::Channel robot(const std::string& name, ChannelKind kind, const std::string& url,
                      std::vector<std::string> communities = {}, const std::string& secret = "") {
  server::Channel c;
  c.name = name;
  c.kind = kind;
  c.url = url;
  c.secret = secret;
  c.communities = std::move(communities);
  return c;
}

server::Channel mailTo(const std::string& name, const SmtpReceiver& smtp, std::vector<std::string> communities = {}) {
  server::Channel c;
  c.name = name;
  c.kind = ChannelKind::Email;
  c.smtpUrl = smtp.url();
  c.from = "minyi@example.gov.cn";
  c.to = {"donghu@example.gov.cn", "jiedao@example.gov.cn"};
  c.requireTls = false;  // a receiver on loopback
  c.communities = std::move(communities);
  return c;
}

server::NotifyPolicy policyWith(std::vector<server::Channel> channels, int maxAttempts = 10) {
  server::NotifyPolicy p;
  p.dashboardUrl = kDashboard;
  p.timeout = seconds(10);
  p.maxAttempts = maxAttempts;
  p.channels = std::move(channels);
  return p;
}

// A township's server data with the complaint form; complaints filed as a kiosk files them.
struct Township {
  TempDir dir;
  std::unique_ptr<server::ServerStore> store = openTownship(dir.file("data"));
  protocol::KeyPair keys = protocol::generateKeyPair();
  server::StoredForm form = shippedForm("complaint");
  uint32_t serial = 0;
  Township() { REQUIRE(store->addForm(form) == server::FormAdded::New); }
  Complaint file(const std::string& community, const std::string& category = "hygiene") {
    const core::Json answers{{"category", category}, {"description", std::string(kResidentWords) + "，晚上看不见"},
                             {"location", "3栋2单元"}, {"anonymous", false}, {"phone", kPhone}, {"consent", true},
                             {"community", community}};
    Complaint c = complaint(form, keys.publicKey, 5, ++serial, answers);
    const auto reply = server::ingestBatch(*store, keys, {c.envelope}, {"kiosk-5", "jiedao-office", "network", {}});
    REQUIRE(reply.results[0].outcome == protocol::Outcome::Stored);
    return c;
  }
  // The same data folder opened again, as after a restart.
  void reopen() {
    store.reset();
    store = server::openDataFolder(dir.file("data"));
  }
  server::Notifier notifier(const server::NotifyPolicy& p) {
    return server::Notifier(*store, p, std::make_shared<const server::TicketPolicy>(), server::FleetPolicy());
  }
};

// A message is about the ticket, never the resident: no phone number, none of their words.
void checkPrivate(const std::string& text) {
  CHECK_THAT(text, !Contains(kPhone));
  CHECK_THAT(text, !Contains(kResidentWords));
  CHECK_THAT(text, !Contains("3栋2单元"));
}

std::string header(const std::string& mail, const std::string& name) {
  const size_t start = mail.find("\r\n" + name + ": ");
  if (start == std::string::npos) return {};
  size_t end = start + 2;
  do end = mail.find("\r\n", end + 2);
  while (end != std::string::npos && end + 2 < mail.size() && mail[end + 2] == ' ');  // folded lines
  return mail.substr(start + name.size() + 4, end - start - name.size() - 4);
}

// An RFC 2047 subject back to its text.
std::string decodedSubject(const std::string& value) {
  std::string out;
  for (size_t at = value.find("=?UTF-8?B?"); at != std::string::npos; at = value.find("=?UTF-8?B?", at)) {
    const size_t end = value.find("?=", at + 10);
    out += unbase64(value.substr(at + 10, end - at - 10));
    at = end;
  }
  return out;
}

std::string mailBody(const std::string& mail) { return unbase64(mail.substr(mail.find("\r\n\r\n") + 4)); }

}  // namespace

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

TEST_CASE("a new complaint is told once to each channel of its community and to none of another's, with a link, "
          "without the resident's words or phone",
          "[notify]") {
  RobotReceiver wecom, dingtalk("SEC0123456789abcdef+/="), huayuan;
  SmtpReceiver smtp;
  Township town;
  auto notifier = town.notifier(policyWith({robot("东湖社区群", ChannelKind::WeCom, wecom.url(), {"donghu"}),
                                            robot("街道钉钉群", ChannelKind::DingTalk, dingtalk.url(), {}, "SEC0123456789abcdef+/="),
                                            robot("花园社区群", ChannelKind::WeCom, huayuan.url(), {"huayuan"}),
                                            mailTo("东湖社区邮件", smtp, {"donghu"})}));
  const Complaint c = town.file("donghu");
  const auto now = std::chrono::system_clock::now();
  CHECK(notifier.runOnce(now) == 3);

  const std::string link = std::string(kDashboard) + "/staff/tickets/" + c.code;
  REQUIRE(wecom.accepted().size() == 1);
  const std::string text = wecom.accepted()[0];
  CHECK_THAT(text, Contains("【民意】东湖社区有一件新的投诉（环境卫生（卫生死角、垃圾堆放），工单 " + protocol::groupCode(c.code) + "）"));
  CHECK_THAT(text, Contains("办理期限至"));
  CHECK(text.substr(text.size() - link.size()) == link);  // the link ends the message: chat apps make it a link
  checkPrivate(text);
  CHECK(dingtalk.problems().empty());  // signed as 钉钉 checks it
  CHECK(dingtalk.accepted() == std::vector<std::string>{text});
  CHECK(huayuan.requests() == 0);

  REQUIRE(smtp.accepted().size() == 1);
  const SmtpReceiver::Mail mail = smtp.accepted()[0];
  CHECK(mail.from == "<minyi@example.gov.cn>");
  CHECK(mail.to == std::vector<std::string>{"<donghu@example.gov.cn>", "<jiedao@example.gov.cn>"});
  const std::string data = "\r\n" + mail.data;
  CHECK(header(data, "From") == "minyi@example.gov.cn");
  CHECK(header(data, "To") == "donghu@example.gov.cn, jiedao@example.gov.cn");
  CHECK(decodedSubject(header(data, "Subject")) == "【民意】东湖社区有新的投诉（工单 " + protocol::groupCode(c.code) + "）");
  CHECK_THAT(header(data, "Date"), Contains(" +0000"));
  CHECK_THAT(header(data, "Message-ID"), Contains("@example.gov.cn>"));
  CHECK_THAT(header(data, "Content-Type"), Contains("charset=UTF-8"));
  CHECK(mailBody(mail.data) == text);
  for (size_t at = 0, end; (end = mail.data.find("\r\n", at)) != std::string::npos; at = end + 2) CHECK(end - at <= 78);

  // Told once: the next rounds find the same complaint and send nothing.
  CHECK(notifier.runOnce(now + minutes(1)) == 0);
  CHECK(notifier.runOnce(now + hours(2)) == 0);
  CHECK(wecom.requests() == 1);
  CHECK(dingtalk.requests() == 1);
  CHECK(smtp.accepted().size() == 1);
  const auto rows = town.store->recentNotifications(10);
  REQUIRE(rows.size() == 3);
  for (const auto& n : rows) {
    CHECK(n.state() == NotificationState::Sent);
    CHECK(n.attempts == 1);
    CHECK(n.eventKey == "complaint:" + c.code);
  }
}

TEST_CASE("regression: a category answer the form does not list carried a phone number into the group chat", "[notify]") {
  // A tampered kiosk (or a form edited by hand) can send any category: the ticket keeps it as given.
  RobotReceiver wecom;
  Township town;
  auto notifier = town.notifier(policyWith({robot("东湖社区群", ChannelKind::WeCom, wecom.url())}));
  town.file("donghu", std::string("请回电") + kPhone);
  CHECK(notifier.runOnce(std::chrono::system_clock::now()) == 1);
  REQUIRE(wecom.accepted().size() == 1);
  checkPrivate(wecom.accepted()[0]);
  CHECK_THAT(wecom.accepted()[0], Contains("请回电138****1234"));
}

TEST_CASE("a receiver that fails and then recovers gets the message exactly once, the failure shown until then", "[notify]") {
  RobotReceiver wecom;
  wecom.replyNext({RobotReceiver::Reply::ErrCode, RobotReceiver::Reply::Http500});
  SmtpReceiver smtp;
  smtp.failNext(1);
  Township town;
  auto notifier = town.notifier(policyWith({robot("东湖社区群", ChannelKind::WeCom, wecom.url()), mailTo("邮件", smtp)}));
  town.file("donghu");
  const auto t0 = std::chrono::system_clock::now();
  CHECK(notifier.runOnce(t0) == 0);
  auto byChannel = [&](const std::string& name) {
    for (const auto& n : town.store->recentNotifications(10))
      if (n.channel == name) return n;
    FAIL("no message for " << name);
    return server::Notification();
  };
  CHECK(byChannel("东湖社区群").state() == NotificationState::Waiting);
  CHECK(byChannel("东湖社区群").attempts == 1);
  CHECK_THAT(byChannel("东湖社区群").lastError, Contains("errcode 45009"));
  CHECK_THAT(byChannel("邮件").lastError, Contains("451"));
  CHECK(byChannel("邮件").nextAttemptAt == protocol::isoUtc(t0 + minutes(1)));

  CHECK(notifier.runOnce(t0 + seconds(30)) == 0);  // not due again yet
  CHECK(wecom.requests() == 1);
  CHECK(notifier.runOnce(t0 + seconds(61)) == 1);  // the mail goes through; the robot answers 500
  CHECK_THAT(byChannel("东湖社区群").lastError, Contains("HTTP 500"));
  CHECK(byChannel("东湖社区群").nextAttemptAt == protocol::isoUtc(t0 + seconds(61) + minutes(2)));  // backing off
  CHECK(notifier.runOnce(t0 + seconds(61 + 121)) == 1);
  CHECK(notifier.runOnce(t0 + hours(5)) == 0);

  CHECK(wecom.requests() == 3);
  CHECK(wecom.accepted().size() == 1);
  CHECK(smtp.sessions() == 2);
  CHECK(smtp.accepted().size() == 1);
  CHECK(byChannel("东湖社区群").state() == NotificationState::Sent);
  CHECK(byChannel("东湖社区群").attempts == 3);
}

TEST_CASE("a dead receiver and one that never answers cost one attempt a round each, bounded by the timeout, and hold up "
          "no other channel",
          "[notify]") {
  // Closed: connecting is refused at once. Silent: connections are taken (the backlog) and never answered.
  int closedPort = 0, silentPort = 0;
  const int closed = loopbackListener(closedPort), silent = loopbackListener(silentPort);
  close(closed);
  RobotReceiver alive;
  Township town;
  server::Channel silentMail;
  silentMail.name = "不应答的邮件";
  silentMail.kind = ChannelKind::Email;
  silentMail.smtpUrl = "smtp://127.0.0.1:" + std::to_string(silentPort);
  silentMail.from = "minyi@example.gov.cn";
  silentMail.to = {"a@example.gov.cn"};
  silentMail.requireTls = false;
  auto policy = policyWith({robot("关掉的群", ChannelKind::WeCom, "http://127.0.0.1:" + std::to_string(closedPort) + "/send?key=k"),
                            robot("不应答的群", ChannelKind::DingTalk, "http://127.0.0.1:" + std::to_string(silentPort) + "/send"),
                            silentMail, robot("正常的群", ChannelKind::WeCom, alive.url())});
  policy.timeout = seconds(1);
  for (int i = 0; i < 3; ++i) town.file("donghu");
  CHECK(town.notifier(policy).runOnce(std::chrono::system_clock::now()) == 3);
  close(silent);
  CHECK(alive.accepted().size() == 3);
  std::map<std::string, int> attempts;
  std::map<std::string, std::string> errors;
  for (const auto& n : town.store->recentNotifications(20)) {
    attempts[n.channel] += n.attempts;
    if (!n.lastError.empty()) errors[n.channel] = n.lastError;
  }
  CHECK(attempts["关掉的群"] == 1);
  CHECK(attempts["不应答的群"] == 1);
  CHECK(attempts["不应答的邮件"] == 1);
  CHECK_THAT(errors["关掉的群"], Contains("cannot connect"));
  CHECK_THAT(errors["不应答的群"], Contains("no reply within the timeout"));
  CHECK_THAT(errors["不应答的邮件"], Contains("e-mail not accepted"));
}

TEST_CASE("a message no receiver takes is given up after the attempts allowed, shown so and in the operation log", "[notify]") {
  RobotReceiver wecom;
  wecom.replyNext({RobotReceiver::Reply::Http500, RobotReceiver::Reply::Http500, RobotReceiver::Reply::Http500});
  Township town;
  auto notifier = town.notifier(policyWith({robot("东湖社区群", ChannelKind::WeCom, wecom.url())}, 2));
  town.file("donghu");
  const auto t0 = std::chrono::system_clock::now();
  notifier.runOnce(t0);
  notifier.runOnce(t0 + minutes(2));
  notifier.runOnce(t0 + hours(3));
  CHECK(wecom.requests() == 2);
  const auto n = town.store->recentNotifications(1).at(0);
  CHECK(n.state() == NotificationState::GivenUp);
  CHECK(n.attempts == 2);
  CHECK_THAT(n.lastError, Contains("HTTP 500"));
  bool logged = false;
  for (const auto& a : town.store->audit(10))
    logged = logged || (a.action == "notify_given_up" && a.actor == "system" && a.target == "东湖社区群");
  CHECK(logged);
}

TEST_CASE("after a restart, and with two notifiers over one data folder at once, nothing is sent twice", "[notify]") {
  RobotReceiver wecom;
  Township town;
  const auto policy = policyWith({robot("东湖社区群", ChannelKind::WeCom, wecom.url())});
  town.file("donghu");
  const auto now = std::chrono::system_clock::now();
  CHECK(town.notifier(policy).runOnce(now) == 1);
  town.reopen();
  CHECK(town.notifier(policy).runOnce(now + minutes(1)) == 0);
  CHECK(wecom.accepted().size() == 1);

  // Two server processes' notifiers (two stores over one database) in the same round, the robot slow to answer:
  // both find the message due, only the one that takes it first sends it.
  town.file("donghu");
  wecom.answerAfter(std::chrono::milliseconds(300));
  auto other = server::openDataFolder(town.dir.file("data"));
  server::Notifier first = town.notifier(policy);
  server::Notifier second(*other, policy, std::make_shared<const server::TicketPolicy>(), server::FleetPolicy());
  int sentByFirst = 0, sentBySecond = 0;
  std::thread a([&] { sentByFirst = first.runOnce(now + minutes(2)); });
  std::thread b([&] { sentBySecond = second.runOnce(now + minutes(2)); });
  a.join();
  b.join();
  CHECK(sentByFirst + sentBySecond == 1);
  CHECK(wecom.accepted().size() == 2);
  CHECK(town.store->recentNotifications(10).size() == 2);
}

TEST_CASE("a ticket near its deadline and past it is told once each, a resolved one not at all", "[notify]") {
  RobotReceiver wecom;
  Township town;
  auto notifier = town.notifier(policyWith({robot("东湖社区群", ChannelKind::WeCom, wecom.url())}));
  const Complaint late = town.file("donghu");
  const Complaint done = town.file("donghu");
  const server::TicketPolicy policy;
  for (auto a : {server::TicketAction::Assign, server::TicketAction::Start, server::TicketAction::Resolve}) {
    server::TicketChange change;
    change.action = a;
    change.actor = "zhang";
    change.at = protocol::isoUtc(std::chrono::system_clock::now());
    change.communityId = "donghu";
    change.text = "已清理";
    REQUIRE_FALSE(server::changeTicket(*town.store, done.code, change, policy));
  }
  const auto ticket = *town.store->ticket(late.code);
  const auto due = at(ticket.dueAt);
  REQUIRE(due > std::chrono::system_clock::now() + hours(48));  // 3 working days: past the new-complaint window below

  CHECK(notifier.runOnce(due - hours(30)) == 0);  // not yet due soon (24 hours before)
  CHECK(notifier.runOnce(due - hours(2)) == 1);
  CHECK(notifier.runOnce(due - hours(1)) == 0);
  CHECK(notifier.runOnce(due + hours(1)) == 1);
  CHECK(notifier.runOnce(due + hours(20)) == 0);
  REQUIRE(wecom.accepted().size() == 2);
  const std::string link = std::string(kDashboard) + "/staff/tickets/" + late.code;
  const std::string dueDay = std::to_string(std::stoi(server::dueText(ticket).substr(5, 2))) + "月" +
                             std::to_string(std::stoi(server::dueText(ticket).substr(8, 2))) + "日";
  CHECK_THAT(wecom.accepted()[0], Contains("投诉工单 " + protocol::groupCode(late.code) + "（环境卫生（卫生死角、垃圾堆放））将于" + dueDay + "到期"));
  CHECK_THAT(wecom.accepted()[1], Contains("已超过办理期限（" + dueDay + "）"));
  for (const std::string& text : wecom.accepted()) {
    CHECK_THAT(text, Contains(link));
    CHECK_THAT(text, !Contains(done.code));
    checkPrivate(text);
  }
  // Reopened with a new deadline, it is a new deadline to tell of.
  server::TicketChange reopen;
  reopen.action = server::TicketAction::Reject;
  reopen.actor = "zhang";
  reopen.at = protocol::isoUtc(due + hours(2));
  reopen.text = "不属于受理范围";
  REQUIRE_FALSE(server::changeTicket(*town.store, late.code, reopen, policy));
  CHECK(notifier.runOnce(due + hours(3)) == 0);  // rejected: no deadline runs
}

TEST_CASE("a kiosk silent in opening hours is told once per silence, to the channels of its community", "[notify]") {
  RobotReceiver donghu, huayuan;
  Township town;
  auto notifier = town.notifier(policyWith({robot("东湖社区群", ChannelKind::WeCom, donghu.url(), {"donghu"}),
                                            robot("花园社区群", ChannelKind::WeCom, huayuan.url(), {"huayuan"})}));
  const std::string code = addDeviceWithCode(*town.store, "kiosk-dh", "donghu-dqfwzx");
  REQUIRE(town.store->redeemEnrollmentCode(protocol::sha256Hex(*protocol::normalizeCrockford(code)), protocol::sha256Hex("token"),
                                           "2026-12-07T00:30:00.000Z", "0.2.0", "kiosk-dh"));
  town.store->recordContact({"kiosk-dh", "2026-12-07T01:00:00.000Z", 0, "", std::nullopt});  // 09:00 China time, Monday
  CHECK(notifier.runOnce(at("2026-12-07T02:00:00.000Z")) == 0);  // an hour: within [fleet] silent_hours (2)
  CHECK(notifier.runOnce(at("2026-12-07T04:00:00.000Z")) == 1);
  CHECK(notifier.runOnce(at("2026-12-07T09:00:00.000Z")) == 0);
  CHECK(notifier.runOnce(at("2026-12-08T02:00:00.000Z")) == 0);  // the same silence, the next morning
  REQUIRE(donghu.accepted().size() == 1);
  CHECK_THAT(donghu.accepted()[0], Contains("【民意】东湖社区党群服务中心（东湖社区）的终端“终端 kiosk-dh”在开放时间内已有3小时没有联系服务器"));
  CHECK_THAT(donghu.accepted()[0], Contains(std::string(kDashboard) + "/staff/devices"));

  // It came back, then fell silent again: a new silence, a new message.
  town.store->recordContact({"kiosk-dh", "2026-12-08T03:00:00.000Z", 0, "", std::nullopt});
  CHECK(notifier.runOnce(at("2026-12-08T04:00:00.000Z")) == 0);
  CHECK(notifier.runOnce(at("2026-12-08T06:00:00.000Z")) == 1);
  CHECK(donghu.accepted().size() == 2);
  CHECK(huayuan.requests() == 0);
}

TEST_CASE("a channel hears only its events, and a channel taken out of the configuration has its messages given up", "[notify]") {
  RobotReceiver complaints, kiosks;
  Township town;
  auto onlyKiosks = robot("终端群", ChannelKind::WeCom, kiosks.url());
  onlyKiosks.events = {server::NotifyEvent::Kiosk};
  auto both = policyWith({robot("投诉群", ChannelKind::WeCom, complaints.url()), onlyKiosks});
  town.file("huayuan");
  const auto now = std::chrono::system_clock::now();
  CHECK(town.notifier(both).runOnce(now) == 1);
  CHECK(kiosks.requests() == 0);
  // A message queued for a channel that is gone is not retried for ever.
  server::Notification orphan = server::testNotification(robot("旧群", ChannelKind::WeCom, "http://127.0.0.1:9/x"), both, now);
  REQUIRE(town.store->addNotification(orphan));
  town.notifier(both).runOnce(now + minutes(1));
  CHECK(town.store->recentNotifications(1).at(0).state() == NotificationState::GivenUp);
}

TEST_CASE("[notify] in server.toml: channels read, and every bad value refused naming its key", "[notify]") {
  const std::string base = "[storage]\ndata_dir = \"d\"\n[keys]\nkey_pair = \"k\"\n";
  std::string error;
  auto c = server::parseServerConfig(base + R"(
[notify]
dashboard_url = "https://minyi.example.gov.cn/"
check_seconds = 30
max_attempts = 5
timeout_seconds = 8
[[notify.channels]]
name = "东湖社区群"
kind = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
communities = ["donghu"]
events = ["complaint", "deadline"]
[[notify.channels]]
name = "街道钉钉群"
kind = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
secret = "SECabc"
[[notify.channels]]
name = "街道邮件"
kind = "email"
smtp_url = "smtp://smtp.example.gov.cn:587"
from = "minyi@example.gov.cn"
to = ["a@example.gov.cn"]
user = "minyi"
password = "pw"
)", "/etc/minyi", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->notify.dashboardUrl == "https://minyi.example.gov.cn");
  CHECK(c->notify.checkEvery == seconds(30));
  CHECK(c->notify.maxAttempts == 5);
  CHECK(c->notify.timeout == seconds(8));
  REQUIRE(c->notify.channels.size() == 3);
  CHECK(c->notify.channels[0].hears(server::NotifyEvent::Deadline, "donghu"));
  CHECK_FALSE(c->notify.channels[0].hears(server::NotifyEvent::Kiosk, "donghu"));
  CHECK_FALSE(c->notify.channels[0].hears(server::NotifyEvent::Complaint, "huayuan"));
  CHECK(c->notify.channels[0].target() == "qyapi.weixin.qq.com");  // never the key
  CHECK(c->notify.channels[1].hears(server::NotifyEvent::Kiosk, ""));
  CHECK(c->notify.channels[1].secret == "SECabc");
  CHECK(c->notify.channels[2].kind == ChannelKind::Email);
  CHECK(c->notify.channels[2].requireTls);

  const std::pair<const char*, const char*> bad[] = {
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"weixin\"\nurl = \"https://x\"\n",
       "notify.channels[1].kind: must be \"wecom\""},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"wecom\"\n",
       "notify.channels[1].url: must be the robot's webhook"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"wecom\"\nurl = \"https://x\"\n"
       "events = [\"complaints\"]\n",
       "notify.channels[1].events: \"complaints\" is not one of"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"wecom\"\nurl = \"https://x\"\n"
       "secret = \"s\"\n",
       "notify.channels[1].secret: not a key of a channel of kind = \"wecom\" (it is for dingtalk)"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"wecom\"\nwebhook = \"https://x\"\n",
       "notify.channels[1].webhook: unknown key"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"email\"\nsmtp_url = \"smtp://h\"\n"
       "from = \"minyi\"\nto = [\"a@b\"]\n",
       "notify.channels[1].from: must be one e-mail address"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"email\"\nsmtp_url = \"smtp://h\"\n"
       "from = \"a@b\"\nto = [\"c@d\\r\\nBcc: e@f\"]\n",
       "notify.channels[1].to: \"c@d"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"email\"\nsmtp_url = \"http://h\"\n"
       "from = \"a@b\"\nto = [\"c@d\"]\n",
       "notify.channels[1].smtp_url: must be smtp://"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"email\"\nsmtp_url = \"smtp://h\"\n"
       "from = \"a@b\"\n",
       "notify.channels[1].to: must list at least one"},
      {"[notify]\n[[notify.channels]]\nname = \"a\"\nkind = \"wecom\"\nurl = \"https://x\"\n", "notify.dashboard_url: missing"},
      {"[notify]\ndashboard_url = \"minyi.example.gov.cn\"\n", "notify.dashboard_url: must start with https://"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nname = \"a\"\nkind = \"wecom\"\nurl = \"https://x\"\n"
       "[[notify.channels]]\nname = \"a\"\nkind = \"wecom\"\nurl = \"https://y\"\n",
       "notify.channels[2].name: \"a\" is taken"},
      {"[notify]\ndashboard_url = \"https://x\"\n[[notify.channels]]\nkind = \"wecom\"\nurl = \"https://x\"\n",
       "notify.channels[1].name: must be given"},
      {"[notify]\ncheck_seconds = 1\n", "notify.check_seconds: must be 5-3600"},
      {"[notify]\nmax_attempts = 0\n", "notify.max_attempts: must be 1-100"},
      {"[notify]\ntimeout_seconds = 600\n", "notify.timeout_seconds: must be 1-120"},
      {"[notify]\nchannels = \"wecom\"\n", "notify.channels: must be an array"},
      {"[notify]\nwebhook = \"https://x\"\n", "notify.webhook: unknown key"},
  };
  for (const auto& [text, problem] : bad) {
    INFO(text);
    CHECK_FALSE(server::parseServerConfig(base + text, "/etc/minyi", &error));
    CHECK_THAT(error, Contains(problem));
  }

  // Communities are the township's data: checked once the store is open.
  Township town;
  server::NotifyPolicy p = policyWith({robot("a", ChannelKind::WeCom, "https://x", {"donghu", "dongfang"})});
  const auto problems = server::unknownCommunities(p, *town.store);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Contains("notify.channels[1].communities: the township has no community \"dongfang\""));
}

TEST_CASE("钉钉 加签: the sign is base64 HMAC-SHA256 of timestamp and secret, with + / = escaped for the URL", "[notify]") {
  // Worked out with Python's hmac, base64 and urllib.parse.quote_plus: 钉钉 reads the query as form data.
  CHECK(server::dingTalkSignedUrl("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC123", 1700000000001) ==
        "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000001"
        "&sign=4n%2FtO3%2BYGYUoZJiPWGS0p8ad4S5Hqf6XK8x1jgF00YI%3D");
  CHECK(server::dingTalkSignedUrl("https://x/robot/send", "SEC123", 1700000000000) ==
        "https://x/robot/send?timestamp=1700000000000&sign=lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ%3D");
}
