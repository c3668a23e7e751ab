// The complaint loop over real HTTP: GET /tickets, kiosk ratings, the public page and its enumeration resistance, staff pages.
#include "server_test_helpers.h"

#include <fstream>
#include <regex>

#include "../cli/run_command.h"

#include "minyi/protocol/ticket.h"
#include "minyi/server/ingest.h"
#include "minyi/server/staff_auth.h"
#include "minyi/server/ticket_desk.h"
#include "minyi/server/ticket_page.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using core::Json;
using server::TicketAction;
using server::TicketState;

namespace {

const std::string kPassword = "correct horse 电池";

// A staff member's browser (as in test_dashboard.cpp): the session cookie, the CSRF token of the last page.
class Browser {
 public:
  explicit Browser(const LiveServer& live) : live_(live) {}
  void login(const std::string& user) {
    auto page = get("/staff/login");
    REQUIRE(page);
    std::string loginCookie;
    for (const auto& [k, v] : page->headers)
      if (k == "Set-Cookie" && v.rfind("minyi_login=", 0) == 0) loginCookie = v.substr(12, v.find(';') - 12);
    auto res = raw("/staff/login", {{"csrf", csrf(page->body)}, {"user", user}, {"password", kPassword}, {"next", "/staff/results"}},
                   "minyi_login=" + loginCookie);
    REQUIRE(res);
    REQUIRE(res->status == 303);
    for (const auto& [k, v] : res->headers)
      if (k == "Set-Cookie" && v.rfind("minyi_session=", 0) == 0) cookie_ = v.substr(14, v.find(';') - 14);
  }
  httplib::Result get(const std::string& path) {
    httplib::Headers h;
    if (!cookie_.empty()) h.emplace("Cookie", "minyi_session=" + cookie_);
    auto res = live_.client().Get(path.c_str(), h);
    if (res) last_ = res->body;
    return res;
  }
  httplib::Result post(const std::string& path, httplib::Params params) {
    std::string token = csrf(last_);
    if (token.empty()) token = csrf(get("/staff/results")->body);
    params.emplace("csrf", token);
    auto res = raw(path, params, "minyi_session=" + cookie_);
    if (res) last_ = res->body;
    return res;
  }
  static std::string csrf(const std::string& html) {
    std::smatch m;
    return std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")) ? m[1].str() : std::string();
  }

 private:
  httplib::Result raw(const std::string& path, const httplib::Params& params, const std::string& cookie) {
    httplib::Headers h{{"Cookie", cookie}};
    return live_.client().Post(path.c_str(), h, params);
  }
  const LiveServer& live_;
  std::string cookie_, last_;
};

// A township with the complaint form, two enrolled kiosks, staff, and complaints as those kiosks send them.
struct Township {
  LiveServer live;
  server::StoredForm form = shippedForm("complaint");
  protocol::EnrollReply donghu, huayuan;
  explicit Township(server::ApiOptions o = options()) : live(o) {
    REQUIRE(live.store->addForm(form) == server::FormAdded::New);
    donghu = live.enroll("kiosk-donghu", "donghu-dqfwzx");
    huayuan = live.enroll("kiosk-huayuan", "huayuan-dqfwzx");
    auto add = [&](const std::string& name, server::Role role, const std::string& community) {
      REQUIRE(live.store->addUser({name, role, "测试" + name, server::hashPassword(kPassword), isoIn(std::chrono::seconds(0)), "",
                                   community}));
    };
    add("admin", server::Role::Admin, "");
    add("zhang", server::Role::Handler, "donghu");
    add("chen", server::Role::Handler, "huayuan");
    add("viewer", server::Role::Viewer, "");
  }
  static server::ApiOptions options() {
    server::ApiOptions o;
    o.publicRequestsPerWindow = 1000;
    return o;
  }
  struct Filed {
    std::string code, key, submissionId;
  };
  // A complaint filed at a kiosk `ago` before now and sent over the network with its token.
  Filed file(const protocol::EnrollReply& kiosk, uint32_t serial, const Json& answers,
             std::chrono::seconds ago = std::chrono::seconds(0)) {
    protocol::Envelope e = envelopeFor(form, live.keys.publicKey, answers.dump());
    e.createdAt = isoIn(-ago);
    Filed f{*protocol::normalizeCrockford(protocol::makeTicketCode(static_cast<uint32_t>(kiosk.kioskNumber), serial)),
            protocol::newTicketAccessKey(), e.id};
    e.ticketCode = f.code;
    e.ticketKeySealed = protocol::seal(live.keys.publicKey, f.key);
    auto res = live.client().Post("/api/v1/submissions", {{"Authorization", "Bearer " + kiosk.token}},
                                  protocol::toJson(protocol::SubmissionBatch{{e}}).dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    REQUIRE(res->body.find("\"stored\"") != std::string::npos);
    return f;
  }
  protocol::TicketsReply tickets(const protocol::EnrollReply& kiosk, const std::string& since = "") {
    auto res = live.client().Get(("/api/v1/tickets" + (since.empty() ? "" : "?since=" + since)).c_str(),
                                 {{"Authorization", "Bearer " + kiosk.token}});
    REQUIRE(res);
    REQUIRE(res->status == 200);
    std::string why;
    auto reply = protocol::parseTicketsReply(res->body, &why);
    if (!reply) FAIL(why);
    return *reply;
  }
  void change(const std::string& code, TicketAction a, const std::string& text = "", const std::string& community = "") {
    server::TicketChange c;
    c.action = a;
    c.actor = "admin";
    c.at = isoIn(std::chrono::seconds(0));
    c.text = text;
    c.communityId = community;
    auto problem = server::changeTicket(*live.store, code, c, server::TicketPolicy());
    INFO(problem.value_or(""));
    REQUIRE_FALSE(problem);
  }
  httplib::Result publicPage(const std::string& code, const std::string& key, const std::string& lang = "zh-cn") {
    return live.client().Get(("/t/" + code + "?k=" + key + "&lang=" + lang).c_str());
  }
};

Json answers(const std::string& category, const std::string& description = "楼道灯坏了") {
  return Json{{"category", category}, {"description", description}, {"location", "5栋"}, {"anonymous", false},
              {"phone", "13812341234"}, {"consent", true}};
}

std::string hidden(const std::string& html, const std::string& name) {
  std::smatch m;
  return std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\"")) ? m[1].str() : std::string();
}

}  // namespace

// ---------------------------------------------------------------- GET /api/v1/tickets

TEST_CASE("GET /tickets: the kiosk's own tickets, then only what changed since the last reply", "[tickets][api]") {
  Township town;
  const auto mine = town.file(town.donghu, 1, answers("hygiene"));
  const auto theirs = town.file(town.huayuan, 1, answers("hygiene"));
  auto first = town.tickets(town.donghu);
  REQUIRE(first.tickets.size() == 1);
  CHECK(first.tickets[0].code == mine.code);
  CHECK(first.tickets[0].status == "received");
  CHECK_FALSE(first.tickets[0].expectedBy.empty());
  CHECK(first.tickets[0].timeline.size() == 1);
  CHECK(protocol::isIsoUtc(first.now));
  // The reply's clock runs a minute behind, so a change committing while the list was read comes again.
  CHECK(first.now < protocol::isoUtc(std::chrono::system_clock::now()));

  town.change(mine.code, TicketAction::Assign, "", "donghu");
  town.change(mine.code, TicketAction::Resolve, "灯已修好 <script>");
  const auto later = town.tickets(town.donghu, first.now);
  REQUIRE(later.tickets.size() == 1);
  CHECK(later.tickets[0].status == "resolved");
  CHECK(later.tickets[0].publicReply == "灯已修好 <script>");
  CHECK(later.tickets[0].timeline.back().status == "resolved");
  CHECK(later.tickets[0].expectedBy.empty());
  // Another kiosk's tickets never appear, and an hour from now nothing has changed.
  CHECK(town.tickets(town.huayuan).tickets.at(0).code == theirs.code);
  CHECK(town.tickets(town.donghu, isoIn(std::chrono::hours(1))).tickets.empty());
  auto bad = town.live.client().Get("/api/v1/tickets?since=yesterday", {{"Authorization", "Bearer " + town.donghu.token}});
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(town.live.client().Get("/api/v1/tickets")->status == 401);
}

TEST_CASE("GET /tickets/<code>: any kiosk may ask about one code, gets what the public page shows, a limit per kiosk",
          "[tickets][api]") {
  server::ApiOptions o = Township::options();
  o.kioskLookupsPerWindow = 4;
  Township town(o);
  const auto t = town.file(town.donghu, 1, answers("hygiene"));
  town.change(t.code, TicketAction::Assign, "", "donghu");
  town.change(t.code, TicketAction::Resolve, "已清理，电话13812341234");
  auto ask = [&](const std::string& code) {
    return town.live.client().Get("/api/v1/tickets/" + code, {{"Authorization", "Bearer " + town.huayuan.token}});
  };
  // Asked at another kiosk than the one that made it, grouped as the receipt shows it.
  auto res = ask(protocol::groupCode(t.code));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  std::string why;
  auto reply = protocol::parseTicketsReply(res->body, &why);
  REQUIRE(reply);
  REQUIRE(reply->tickets.size() == 1);
  CHECK(reply->tickets[0].code == t.code);
  CHECK(reply->tickets[0].status == "resolved");
  CHECK(reply->tickets[0].category == "hygiene");
  CHECK(reply->tickets[0].publicReply == "已清理，电话138****1234");
  // Never the complaint's words, place, phone, community or handler.
  for (const char* secret : {"楼道里堆满杂物", "3栋2单元", "13812341234", "donghu", "zhang"})
    CHECK(res->body.find(secret) == std::string::npos);
  // Unknown, mistyped and malformed: one answer.
  std::string typo = t.code;
  typo[4] = typo[4] == 'A' ? 'B' : 'A';
  for (const std::string& code : {*protocol::normalizeCrockford(protocol::makeTicketCode(77, 9)), typo, std::string("ratings")}) {
    auto r = ask(code);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body.find("unknown_ticket") != std::string::npos);
  }
  // Four asked: the fifth waits (codes are sequential, so no kiosk walks them), another kiosk still may.
  CHECK(ask(t.code)->status == 429);
  CHECK(town.live.client().Get("/api/v1/tickets/" + t.code, {{"Authorization", "Bearer " + town.donghu.token}})->status == 200);
  CHECK(town.live.client().Get("/api/v1/tickets/" + t.code)->status == 401);
}

// ---------------------------------------------------------------- kiosk follow-up ratings

TEST_CASE("kiosk ratings: applied once by id, unknown codes and tickets not waiting are rejected, a limit per kiosk",
          "[tickets][api]") {
  server::ApiOptions o = Township::options();
  o.kioskRatingsPerWindow = 3;
  Township town(o);
  const auto t = town.file(town.donghu, 1, answers("hygiene"));
  town.change(t.code, TicketAction::Assign, "", "donghu");
  town.change(t.code, TicketAction::Resolve, "已处理");
  auto send = [&](const protocol::RatingsBatch& b) {
    return town.live.client().Post("/api/v1/tickets/ratings", {{"Authorization", "Bearer " + town.huayuan.token}},
                                   protocol::toJson(b).dump(), "application/json");
  };
  const protocol::TicketRating rating{uuid(), t.code, "unsatisfied", isoIn(std::chrono::seconds(0))};
  const protocol::TicketRating unknown{uuid(), *protocol::normalizeCrockford(protocol::makeTicketCode(77, 9)), "satisfied",
                                       isoIn(std::chrono::seconds(0))};
  // Rated at another kiosk than the one that made it: a resident may use any kiosk.
  auto res = send({{rating, unknown}});
  REQUIRE(res);
  REQUIRE(res->status == 200);
  std::string why;
  auto reply = protocol::parseBatchReply(res->body, {rating.id, unknown.id}, &why);
  REQUIRE(reply);
  CHECK(reply->results[0].outcome == protocol::Outcome::Stored);
  CHECK(reply->results[1].outcome == protocol::Outcome::Rejected);
  CHECK(reply->results[1].reason == "unknown");
  auto stored = *town.live.store->ticket(t.code);
  CHECK(stored.status == TicketState::Reopened);
  CHECK(stored.flagged);
  // The same rating again (the kiosk did not hear the answer): a duplicate, applied once.
  reply = protocol::parseBatchReply(send({{rating}})->body, {rating.id}, &why);
  REQUIRE(reply);
  CHECK(reply->results[0].outcome == protocol::Outcome::Duplicate);
  CHECK(town.live.store->ticket(t.code)->reopenCount == 1);
  // A ticket being handled is not waiting for a rating.
  const protocol::TicketRating early{uuid(), t.code, "satisfied", isoIn(std::chrono::seconds(0))};
  auto refused = send({{early}});
  CHECK(refused->status == 429);  // 3 used: the kiosk keeps it and tries later
  // A malformed code is refused whole.
  protocol::TicketRating typo = early;
  typo.code[3] = typo.code[3] == 'A' ? 'B' : 'A';
  CHECK(send({{typo}})->status == 400);
}

// ---------------------------------------------------------------- the public page

TEST_CASE("public page: status, timeline, expected date and reply in three languages, no personal data",
          "[tickets][public]") {
  Township town;
  const auto t = town.file(town.donghu, 1, answers("hygiene", "我的电话 13812341234，<script>alert(1)</script>"));
  auto page = town.publicPage(t.code, t.key);
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK_THAT(page->body, Contains(protocol::groupCode(t.code)));
  CHECK_THAT(page->body, Contains("已受理"));
  CHECK_THAT(page->body, Contains("环境卫生"));
  CHECK_THAT(page->body, Contains("承诺办结"));
  CHECK_THAT(page->body, Contains("东湖社区"));
  CHECK(page->body.find("13812341234") == std::string::npos);
  CHECK(page->body.find("<script") == std::string::npos);
  CHECK(page->body.find("我的电话") == std::string::npos);  // the complaint's text is not public by default
  CHECK(page->get_header_value("Referrer-Policy") == "no-referrer");
  CHECK_THAT(page->get_header_value("Content-Security-Policy"), Contains("default-src 'none'"));
  CHECK(page->get_header_value("Cache-Control") == "no-store");
  CHECK_THAT(town.publicPage(t.code, t.key, "zh-tw")->body, Contains("環境衛生"));
  CHECK_THAT(town.publicPage(t.code, t.key, "zh-tw")->body, Contains("東湖社區"));  // staff's words in 繁 too
  CHECK_THAT(town.publicPage(t.code, t.key, "en")->body, Contains("Sanitation"));
  // The key is typed any way a person might (lower case, the code grouped).
  CHECK(town.publicPage(protocol::groupCode(t.code), protocol::groupCode(t.key)) ->status == 200);
  std::string lower = t.key;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(town.publicPage(t.code, lower)->status == 200);

  // Resolved with a public reply, the text made public by staff: the description shows, the phone never.
  town.change(t.code, TicketAction::Assign, "", "donghu");
  server::TicketChange resolve;
  resolve.action = TicketAction::Resolve;
  resolve.actor = "zhang";
  resolve.at = isoIn(std::chrono::seconds(0));
  resolve.text = "已清理 <img src=x onerror=alert(1)>";
  resolve.textPublic = true;
  REQUIRE_FALSE(server::changeTicket(*town.live.store, t.code, resolve, server::TicketPolicy()));
  page = town.publicPage(t.code, t.key);
  CHECK_THAT(page->body, Contains("已清理 &lt;img src=x onerror=alert(1)&gt;"));
  CHECK_THAT(page->body, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  // A number the resident typed into the text is masked on the public page, as everywhere in public.
  CHECK(page->body.find("13812341234") == std::string::npos);
  CHECK_THAT(page->body, Contains("138****1234"));
  CHECK_THAT(page->body, Contains("name=\"rating\" value=\"unsatisfied\""));
}

TEST_CASE("public page: a wrong key is the same answer as an unknown code, a mistyped code is told, a rate limit",
          "[tickets][public]") {
  server::ApiOptions o = Township::options();
  o.publicRequestsPerWindow = 8;
  Township town(o);
  const auto t = town.file(town.donghu, 1, answers("hygiene"));
  const std::string unknownCode = *protocol::normalizeCrockford(protocol::makeTicketCode(town.donghu.kioskNumber, 2));
  auto wrongKey = town.publicPage(t.code, protocol::newTicketAccessKey());
  auto unknown = town.publicPage(unknownCode, t.key);
  auto noKey = town.live.client().Get(("/t/" + t.code + "?lang=zh-cn").c_str());
  REQUIRE(wrongKey);
  REQUIRE(unknown);
  CHECK(wrongKey->status == 404);
  CHECK(unknown->status == 404);
  CHECK(noKey->status == 404);
  // Byte for byte: nothing tells the one from the other.
  CHECK(wrongKey->body == unknown->body);
  CHECK(noKey->body == unknown->body);
  CHECK(wrongKey->body.find(t.code) == std::string::npos);
  std::string typo = t.code;
  typo[4] = typo[4] == '7' ? '8' : '7';
  auto mistyped = town.publicPage(typo, t.key);
  CHECK(mistyped->status == 404);
  CHECK_THAT(mistyped->body, Contains("编号有误"));
  // A right key posted to the wrong code does not rate anything either.
  auto post = town.live.client().Post(("/t/" + unknownCode).c_str(),
                                      httplib::Params{{"k", t.key}, {"rating", "unsatisfied"}, {"token", "x"}});
  CHECK(post->status == 404);
  // 8 requests per window from one address: the next ones wait.
  for (int i = 0; i < 3; ++i) town.publicPage(t.code, t.key);
  auto limited = town.publicPage(t.code, t.key);
  CHECK(limited->status == 429);
  CHECK_FALSE(limited->get_header_value("Retry-After").empty());
}

TEST_CASE("public page: the rating form needs its token, 不满意 reopens and flags, one rating per resolution",
          "[tickets][public]") {
  Township town;
  const auto t = town.file(town.donghu, 1, answers("hygiene"));
  town.change(t.code, TicketAction::Assign, "", "donghu");
  town.change(t.code, TicketAction::Resolve, "已处理");
  auto page = town.publicPage(t.code, t.key);
  const std::string token = hidden(page->body, "token");
  REQUIRE(token.size() == 32);
  CHECK(token == server::TicketPage::formToken(t.code, protocol::sha256Hex(t.key)));
  auto rate = [&](const std::string& rating, const std::string& tok) {
    return town.live.client().Post(("/t/" + t.code).c_str(),
                                   httplib::Params{{"k", t.key}, {"token", tok}, {"rating", rating}, {"lang", "zh-cn"}});
  };
  auto forged = rate("satisfied", std::string(32, '0'));
  REQUIRE(forged->status == 303);
  CHECK_THAT(forged->get_header_value("Location"), Contains("rated=refused"));
  CHECK(town.live.store->ticket(t.code)->status == TicketState::Resolved);
  auto res = rate("unsatisfied", token);
  REQUIRE(res->status == 303);
  CHECK_THAT(res->get_header_value("Location"), Contains("rated=reopened"));
  const auto stored = *town.live.store->ticket(t.code);
  CHECK(stored.status == TicketState::Reopened);
  CHECK(stored.flagged);
  const auto log = town.live.store->ticketLog(t.code);
  CHECK(log.back().actor == "resident");
  CHECK(log.back().detail == "unsatisfied via web");
  // Reopened: the form is gone and a second post is refused.
  CHECK(town.publicPage(t.code, t.key)->body.find("name=\"rating\"") == std::string::npos);
  CHECK_THAT(rate("satisfied", token)->get_header_value("Location"), Contains("rated=refused"));
  CHECK_THAT(town.publicPage(t.code, t.key)->body, Contains("重新办理中"));
}

// ---------------------------------------------------------------- staff pages

TEST_CASE("staff tickets: handlers see and handle only their community's, viewers only read", "[tickets][dashboard]") {
  Township town;
  const auto east = town.file(town.donghu, 1, answers("hygiene", "东湖 <b>问题</b>"));
  const auto garden = town.file(town.huayuan, 1, answers("fire_safety", "花园的问题"));
  Browser zhang(town.live), chen(town.live), viewer(town.live), admin(town.live);
  zhang.login("zhang");
  chen.login("chen");
  viewer.login("viewer");
  admin.login("admin");

  auto queue = zhang.get("/staff/tickets");
  REQUIRE(queue->status == 200);
  CHECK_THAT(queue->body, Contains(protocol::groupCode(east.code)));
  CHECK(queue->body.find(protocol::groupCode(garden.code)) == std::string::npos);
  CHECK(queue->body.find("[[") == std::string::npos);
  // Another community's ticket is as unknown as one that does not exist, to read and to act on.
  CHECK(zhang.get("/staff/tickets/" + garden.code)->status == 404);
  CHECK(zhang.post("/staff/tickets/action", {{"code", garden.code}, {"action", "reject"}, {"text", "x"}})->status == 404);
  CHECK(town.live.store->ticket(garden.code)->status == TicketState::Received);
  // The handler of the ticket sees the phone number; the admin and the viewer see it masked.
  auto detail = zhang.get("/staff/tickets/" + east.code);
  REQUIRE(detail->status == 200);
  CHECK_THAT(detail->body, Contains("13812341234"));
  CHECK_THAT(detail->body, Contains("东湖 &lt;b&gt;问题&lt;/b&gt;"));
  CHECK(detail->body.find("[[") == std::string::npos);
  CHECK_THAT(admin.get("/staff/tickets/" + east.code)->body, Contains("138****1234"));
  auto seen = viewer.get("/staff/tickets/" + garden.code);
  CHECK(seen->status == 200);
  CHECK(seen->body.find("13812341234") == std::string::npos);
  CHECK(seen->body.find("tickets/action") == std::string::npos);  // no action forms for a viewer
  CHECK(viewer.post("/staff/tickets/action", {{"code", garden.code}, {"action", "start"}})->status == 403);

  // A handler passes a ticket only within the community, and only to a handler of it.
  zhang.get("/staff/tickets/" + east.code);
  auto moved = zhang.post("/staff/tickets/action", {{"code", east.code}, {"action", "assign"}, {"community", "huayuan"}});
  CHECK_THAT(moved->body, Contains("只能在本社区内转派"));
  auto assigned = zhang.post("/staff/tickets/action",
                             {{"code", east.code}, {"action", "assign"}, {"community", "donghu"}, {"assignee", "zhang"}});
  REQUIRE(assigned->status == 303);
  // Resolving needs a public reply.
  zhang.get("/staff/tickets/" + east.code);
  auto noReply = zhang.post("/staff/tickets/action", {{"code", east.code}, {"action", "resolve"}, {"text", " "}});
  CHECK_THAT(noReply->body, Contains("办结要写公开答复"));
  zhang.get("/staff/tickets/" + east.code);
  CHECK(zhang.post("/staff/tickets/action", {{"code", east.code}, {"action", "start"}})->status == 303);
  zhang.get("/staff/tickets/" + east.code);
  CHECK(zhang.post("/staff/tickets/action", {{"code", east.code}, {"action", "resolve"}, {"text", "已清理"}})->status == 303);
  // A forbidden transition says so: close is allowed only once resolved, start not any more.
  zhang.get("/staff/tickets/" + east.code);
  CHECK_THAT(zhang.post("/staff/tickets/action", {{"code", east.code}, {"action", "start"}})->body, Contains("不能这样办理"));
  // A phone follow-up closes it; every step is in the ticket's history and the audit log with who.
  zhang.get("/staff/tickets/" + east.code);
  CHECK(zhang.post("/staff/tickets/action", {{"code", east.code}, {"action", "rate"}, {"rating", "satisfied"}, {"text", "电话回访"}})
            ->status == 303);
  const auto t = *town.live.store->ticket(east.code);
  CHECK(t.status == TicketState::Closed);
  CHECK(t.ratingVia == "phone");
  const auto log = town.live.store->ticketLog(east.code);
  REQUIRE(log.size() == 5);
  for (size_t i = 1; i < log.size(); ++i) CHECK(log[i].actor == "zhang");
  bool audited = false;
  for (const auto& a : town.live.store->audit(100)) audited |= a.action == "ticket_resolve" && a.actor == "zhang";
  CHECK(audited);
  // Without the CSRF token nothing happens.
  auto noCsrf = town.live.client().Post("/staff/tickets/action", httplib::Params{{"code", garden.code}, {"action", "start"}});
  CHECK(noCsrf->status == 403);
}

TEST_CASE("regression: a handler reads only their community's submissions, texts, counts and exports",
          "[tickets][dashboard][scope]") {
  Township town;
  town.file(town.donghu, 1, answers("hygiene", "东湖三栋楼道灯坏了"));
  town.file(town.donghu, 2, answers("hygiene", "东湖菜场占道"));
  town.file(town.huayuan, 1, answers("fire_safety", "花园消防通道被堵"));
  REQUIRE(town.live.store->addUser({"nobody", server::Role::Handler, "测试", server::hashPassword(kPassword),
                                    isoIn(std::chrono::seconds(0)), "", ""}));
  Browser zhang(town.live), nobody(town.live), viewer(town.live);
  zhang.login("zhang");
  nobody.login("nobody");
  viewer.login("viewer");
  const std::string query = "?form=complaint&version=1";
  auto noGarden = [](const std::string& what, const std::string& body) {
    INFO(what);
    CHECK(body.find("花园消防通道被堵") == std::string::npos);
    CHECK(body.find("花园社区党群服务中心") == std::string::npos);
  };

  // 答卷列表 with its text answers, and with a site filter pointing outside the community.
  auto list = zhang.get("/staff/submissions" + query);
  REQUIRE(list->status == 200);
  CHECK_THAT(list->body, Contains("东湖三栋楼道灯坏了"));
  CHECK_THAT(list->body, Contains("共 2 份"));
  CHECK_THAT(list->body, Contains("id=\"scope\""));
  noGarden("submissions", list->body);
  auto outside = zhang.get("/staff/submissions" + query + "&site=huayuan-dqfwzx");
  REQUIRE(outside->status == 200);
  CHECK_THAT(outside->body, Contains("共 0 份"));
  noGarden("submissions of another site", outside->body);

  // Results (totals, by site, by week) and participation.
  auto results = zhang.get("/staff/results" + query);
  REQUIRE(results->status == 200);
  CHECK_THAT(results->body, Contains("<div class=\"big\" id=\"total\">2</div>"));
  noGarden("results", results->body);
  auto participation = zhang.get("/staff/participation");
  REQUIRE(participation->status == 200);
  CHECK_THAT(participation->body, Contains("东湖社区"));
  CHECK(participation->body.find("花园社区") == std::string::npos);

  // Exports: CSV and XLSX.
  auto csv = zhang.get("/staff/export.csv" + query);
  REQUIRE(csv->status == 200);
  CHECK_THAT(csv->body, Contains("东湖菜场占道"));
  noGarden("csv", csv->body);
  auto xlsx = zhang.get("/staff/export.xlsx" + query);
  REQUIRE(xlsx->status == 200);
  TempDir dir;
  std::ofstream(dir.file("zhang.xlsx"), std::ios::binary) << xlsx->body;
  const Run sheet = runCommand("unzip", "-p " + quote(dir.file("zhang.xlsx")) + " xl/worksheets/sheet1.xml");
  REQUIRE(sheet.status == 0);
  CHECK_THAT(sheet.out, Contains("东湖菜场占道"));
  noGarden("xlsx", sheet.out);
  bool logged = false;
  for (const auto& a : town.live.store->audit(100))
    logged |= a.action == "export" && a.actor == "zhang" && a.detail.find("community donghu") != std::string::npos;
  CHECK(logged);

  // Ticket numbers, page and CSV.
  auto numbers = zhang.get("/staff/tickets/numbers.csv");
  REQUIRE(numbers->status == 200);
  CHECK_THAT(numbers->body, Contains("东湖社区"));
  CHECK(numbers->body.find("花园社区") == std::string::npos);
  CHECK(zhang.get("/staff/tickets/numbers")->body.find("花园社区") == std::string::npos);

  // A handler without a community sees nothing yet, and is told why.
  auto none = nobody.get("/staff/submissions" + query);
  CHECK_THAT(none->body, Contains("共 0 份"));
  CHECK_THAT(none->body, Contains("还没有指定社区"));
  CHECK(nobody.get("/staff/export.csv" + query)->body.find("东湖") == std::string::npos);
  CHECK_THAT(nobody.get("/staff/results" + query)->body, Contains("<div class=\"big\" id=\"total\">0</div>"));

  // The viewer reads the whole township (masked), as before.
  auto all = viewer.get("/staff/submissions" + query);
  CHECK_THAT(all->body, Contains("共 3 份"));
  CHECK_THAT(all->body, Contains("花园消防通道被堵"));
  CHECK_THAT(viewer.get("/staff/export.csv" + query)->body, Contains("花园消防通道被堵"));
}

TEST_CASE("staff tickets: 督办 lists the overdue, numbers by week with CSV, 整改公示 from resolved tickets",
          "[tickets][dashboard]") {
  Township town;
  // A fire hazard filed two days ago is a day overdue; a hygiene complaint from today is not.
  const auto late = town.file(town.donghu, 1, answers("fire_safety"), std::chrono::hours(48));
  const auto fresh = town.file(town.donghu, 2, answers("hygiene"));
  Browser admin(town.live);
  admin.login("admin");
  auto overdue = admin.get("/staff/tickets/overdue");
  REQUIRE(overdue->status == 200);
  const std::string overdueBody = overdue->body;
  const size_t soonAt = overdueBody.find("<h2>即将到期");
  REQUIRE(soonAt != std::string::npos);
  CHECK(overdueBody.find(protocol::groupCode(late.code)) < soonAt);
  CHECK(overdueBody.find(protocol::groupCode(fresh.code)) == std::string::npos);
  CHECK_THAT(admin.get("/staff/tickets?due=overdue")->body, Contains(protocol::groupCode(late.code)));

  town.change(late.code, TicketAction::Assign, "", "donghu");
  town.change(late.code, TicketAction::Resolve, "已清理消防通道上的杂物");
  town.change(fresh.code, TicketAction::Assign, "", "donghu");
  town.change(fresh.code, TicketAction::Resolve, "垃圾已清运");
  server::TicketChange unhappy;
  unhappy.action = TicketAction::Rate;
  unhappy.actor = "resident";
  unhappy.at = isoIn(std::chrono::seconds(0));
  unhappy.rating = server::Rating::Unsatisfied;
  REQUIRE_FALSE(server::changeTicket(*town.live.store, fresh.code, unhappy, server::TicketPolicy()));
  town.change(fresh.code, TicketAction::Start);  // reopened: handled again before it can be resolved again
  town.change(fresh.code, TicketAction::Resolve, "垃圾已清运，并加派保洁");
  unhappy.rating = server::Rating::Satisfied;
  REQUIRE_FALSE(server::changeTicket(*town.live.store, fresh.code, unhappy, server::TicketPolicy()));

  const auto numbers = server::ticketNumbersByWeek(*town.live.store, [](const server::Ticket&) { return true; });
  const auto& total = numbers.back();
  CHECK(total.received == 2);
  CHECK(total.resolved == 2);  // first resolutions
  CHECK(total.onTime == 1);    // the fire hazard was resolved a day late
  CHECK(total.rated == 2);
  CHECK(total.satisfied == 1);
  CHECK(total.unsatisfied == 1);
  CHECK(total.reopened == 1);
  CHECK(*total.satisfactionRate() == Approx(0.5));
  auto page = admin.get("/staff/tickets/numbers");
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Contains("50.0%"));
  CHECK(page->body.find("[[") == std::string::npos);
  auto csv = admin.get("/staff/tickets/numbers.csv");
  REQUIRE(csv->status == 200);
  CHECK(csv->body.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK_THAT(csv->body, Contains("按时办结率"));
  CHECK_THAT(csv->body, Contains("\"合计\",\"2\",\"2\",\"1\",\"50.0%\""));

  // 整改情况公示: the admin picks resolved tickets; the notice names category, community and what was done.
  auto form = admin.get("/staff/tickets/notice");
  REQUIRE(form->status == 200);
  CHECK_THAT(form->body, Contains(late.code));
  auto published = admin.post("/staff/tickets/notice", {{"title", "三月整改情况公示"}, {"code", late.code}, {"code", fresh.code}});
  CHECK_THAT(published->body, Contains("整改情况公示已发布"));
  const auto notices = town.live.store->noticesFor("donglian-dqfwzx", isoIn(std::chrono::seconds(5)), 10);
  REQUIRE(notices.size() == 1);
  const std::string body = notices[0].body["zh-cn"].get<std::string>();
  CHECK_THAT(body, Contains("【消防安全隐患】东湖社区：已清理消防通道上的杂物"));
  CHECK_THAT(body, Contains("垃圾已清运，并加派保洁"));
  CHECK(body.find("13812341234") == std::string::npos);
  CHECK(body.find(late.code) == std::string::npos);
  // In every language of the kiosks: 繁 converted from what staff wrote, English with English categories.
  CHECK(notices[0].title["zh-cn"] == "三月整改情况公示");
  CHECK(notices[0].title["zh-tw"] == "三月整改情況公示");
  const std::string traditional = notices[0].body["zh-tw"].get<std::string>();
  CHECK_THAT(traditional, Contains("【消防安全隱患】東湖社區：已清理消防通道上的雜物"));
  CHECK(traditional.find("13812341234") == std::string::npos);
  const std::string english = notices[0].body["en"].get<std::string>();
  CHECK_THAT(english, Contains("Fire safety hazard (东湖社区): 已清理消防通道上的杂物"));
  // The default title is each language's own.
  auto again = admin.post("/staff/tickets/notice", {{"title", "整改情况公示"}, {"code", fresh.code}});
  CHECK_THAT(again->body, Contains("整改情况公示已发布"));
  bool found = false;
  for (const auto& n : town.live.store->noticesFor("donglian-dqfwzx", isoIn(std::chrono::seconds(5)), 10))
    if (n.title["en"] == "What we fixed") found = n.title["zh-tw"] == "整改情況公示";
  CHECK(found);
  // Handlers cannot publish.
  Browser zhang(town.live);
  zhang.login("zhang");
  CHECK(zhang.get("/staff/tickets/notice")->status == 403);
}

TEST_CASE("regression: a ticket action with an empty or malformed code is a 400 and touches no ticket", "[tickets][dashboard]") {
  Township town;
  const auto east = town.file(town.donghu, 1, answers("hygiene"));
  Browser zhang(town.live);
  zhang.login("zhang");
  for (const std::string& code : std::vector<std::string>{"", "   ", "K3M9Q", "not a code at all", east.code + "0"}) {
    INFO("code '" << code << "'");
    zhang.get("/staff/tickets/" + east.code);
    auto res = zhang.post("/staff/tickets/action", {{"code", code}, {"action", "reject"}, {"text", "误操作"}});
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK_THAT(res->body, Contains("工单号不对"));
  }
  CHECK(town.live.store->ticket(east.code)->status == TicketState::Received);
  CHECK_FALSE(town.live.store->ticket(""));
  // Typed grouped and in lower case, the code still names its ticket.
  zhang.get("/staff/tickets/" + east.code);
  std::string grouped = protocol::groupCode(east.code);
  for (char& ch : grouped) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CHECK(zhang.post("/staff/tickets/action", {{"code", grouped}, {"action", "reject"}, {"text", "重复投诉"}})->status == 303);  // done: back to the ticket
  CHECK(town.live.store->ticket(east.code)->status == TicketState::Rejected);
}

TEST_CASE("a phone number in the complaint's own words is masked for all but its handler", "[tickets][dashboard][phone]") {
  Township town;
  const auto east = town.file(town.donghu, 1, answers("hygiene", "楼道灯坏了，请打 138 8765 4321 找王师傅"));
  Browser zhang(town.live), viewer(town.live), admin(town.live);
  zhang.login("zhang");
  viewer.login("viewer");
  admin.login("admin");
  CHECK_THAT(zhang.get("/staff/tickets/" + east.code)->body, Contains("138 8765 4321"));
  for (Browser* b : {&viewer, &admin}) {
    const std::string body = b->get("/staff/tickets/" + east.code)->body;
    CHECK_THAT(body, Contains("138 **** 4321"));
    CHECK(body.find("8765") == std::string::npos);
  }
}

namespace {
// A code with any kiosk number and serial, 0 included, which makeTicketCode (rightly) never makes.
std::string rawTicketCode(uint64_t kiosk, uint64_t serial) {
  std::string code = protocol::crockfordEncode((kiosk << 32) | serial, 9);
  return code + protocol::ticketCheckSymbol(code);
}
}  // namespace

TEST_CASE("regression: a kiosk cannot file under another kiosk's ticket code, so the genuine complaint is no conflict",
          "[tickets][api]") {
  Township town;
  REQUIRE(town.donghu.kioskNumber != town.huayuan.kioskNumber);
  auto send = [&](const protocol::EnrollReply& kiosk, const std::string& code, const std::string& description) {
    protocol::Envelope e = envelopeFor(town.form, town.live.keys.publicKey, answers("hygiene", description).dump());
    e.ticketCode = code;
    e.ticketKeySealed = protocol::seal(town.live.keys.publicKey, protocol::newTicketAccessKey());
    auto res = town.live.client().Post("/api/v1/submissions", {{"Authorization", "Bearer " + kiosk.token}},
                                       protocol::toJson(protocol::SubmissionBatch{{e}}).dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    std::string why;
    auto reply = protocol::parseBatchReply(res->body, {e.id}, &why);
    if (!reply) FAIL(why);
    return reply->results.at(0);
  };
  // 花园's kiosk sends a complaint under the code 东湖's kiosk will print next: refused, with the reason.
  const std::string donghusNext = *protocol::normalizeCrockford(
      protocol::makeTicketCode(static_cast<uint32_t>(town.donghu.kioskNumber), 1));
  const auto spoofed = send(town.huayuan, donghusNext, "冒用的工单号");
  CHECK(spoofed.outcome == protocol::Outcome::Rejected);
  CHECK_THAT(spoofed.reason, Contains("not this kiosk's"));
  CHECK_FALSE(town.live.store->ticket(donghusNext));
  // 东湖's genuine complaint with its own code is stored, not answered `conflict`.
  const auto genuine = send(town.donghu, donghusNext, "真正的投诉");
  CHECK(genuine.outcome == protocol::Outcome::Stored);
  REQUIRE(town.live.store->ticket(donghusNext));
  CHECK(town.live.store->ticket(donghusNext)->deviceId == "kiosk-donghu");
  // Kiosk 0 and serial 0 are made by no kiosk.
  for (const std::string& code : {rawTicketCode(0, 5), rawTicketCode(static_cast<uint64_t>(town.donghu.kioskNumber), 0)}) {
    INFO(code);
    const auto r = send(town.donghu, code, "零号");
    CHECK(r.outcome == protocol::Outcome::Rejected);
    CHECK_THAT(r.reason, Contains("which no kiosk makes"));
  }
  // IT sees why on 终端管理: the kiosk's last refusal, beside the kiosk.
  CHECK_THAT(town.live.store->device("kiosk-huayuan")->lastRefusal, Contains("not this kiosk's"));
  Browser admin(town.live);
  admin.login("admin");
  auto devices = admin.get("/staff/devices");
  REQUIRE(devices->status == 200);
  CHECK_THAT(devices->body, Contains("最近被拒的提交"));
  CHECK_THAT(devices->body, Contains("is kiosk " + std::to_string(town.donghu.kioskNumber) + "&#39;s, not this kiosk&#39;s"));
}

TEST_CASE("a kiosk whose clock is off by more than 5 minutes is flagged on the devices page", "[api][dashboard]") {
  Township town;
  auto send = [&](const protocol::EnrollReply& kiosk, std::chrono::seconds off) {
    auto res = town.live.client().Get("/api/v1/notices", {{"Authorization", "Bearer " + kiosk.token},
                                                          {"Minyi-Time", protocol::isoUtc(std::chrono::system_clock::now() + off)}});
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(protocol::parseIsoUtc(res->get_header_value("Minyi-Time")));  // the server's clock, for the kiosk
  };
  send(town.donghu, -std::chrono::hours(1));
  send(town.huayuan, std::chrono::seconds(40));
  const auto skew = town.live.store->device("kiosk-donghu")->clockSkewSeconds;
  REQUIRE(skew);
  CHECK(*skew <= -3590);
  CHECK(*skew >= -3610);
  Browser admin(town.live);
  admin.login("admin");
  const std::string page = admin.get("/staff/devices")->body;
  CHECK_THAT(page, Contains("终端时钟慢了 60 分钟"));
  CHECK(page.find("终端时钟快了") == std::string::npos);  // 40 s is no problem
}
