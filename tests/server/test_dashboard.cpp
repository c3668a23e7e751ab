// The staff dashboard over real HTTP: sign-in and lockout, sessions, roles, CSRF, escaping, masking, exports, admin pages.
#include "server_test_helpers.h"
#include "raw_connection.h"
#include "notify_receivers.h"

#include <regex>

#include "minyi/server/ingest.h"
#include "minyi/server/api_server.h"
#include "minyi/server/compression.h"
#include "minyi/server/staff_auth.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using core::Json;

namespace {

// A browser of one staff member: keeps the session cookie, reads the CSRF token from the pages.
class Staff {
 public:
  explicit Staff(const LiveServer& live) : live_(live) {}

  // Signs in; returns the status of the POST (303 when it worked).
  int login(const std::string& user, const std::string& password) {
    auto page = get("/staff/login");
    REQUIRE(page);
    loginCookie_ = cookieFrom(*page, "minyi_login");
    const std::string token = csrfIn(page->body);
    auto res = postRaw("/staff/login", {{"csrf", token}, {"user", user}, {"password", password}, {"next", "/staff/results"}},
                       "minyi_login=" + loginCookie_);
    REQUIRE(res);
    last = *res;
    const std::string session = cookieFrom(*res, "minyi_session");
    if (!session.empty()) cookie = session;
    return res->status;
  }

  httplib::Result get(const std::string& path) {
    auto c = live_.client();
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", "minyi_session=" + cookie);
    auto res = c.Get(path.c_str(), h);
    if (res) last = *res;
    return res;
  }
  // A POST with the CSRF token of the last page, as the browser would send the form.
  httplib::Result post(const std::string& path, httplib::Params params, bool withCsrf = true) {
    if (withCsrf) {
      std::string token = csrfIn(last.body);
      if (token.empty()) {
        auto page = get("/staff/results");
        REQUIRE(page);
        token = csrfIn(page->body);
      }
      params.emplace("csrf", token);
    }
    auto res = postRaw(path, params, cookie.empty() ? "" : "minyi_session=" + cookie);
    if (res) last = *res;
    return res;
  }

  static std::string csrfIn(const std::string& html) {
    std::smatch m;
    if (std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) return m[1];
    return {};
  }
  static std::string cookieFrom(const httplib::Response& res, const std::string& name) {
    for (const auto& [k, v] : res.headers)
      if (k == "Set-Cookie" && v.rfind(name + "=", 0) == 0) return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    return {};
  }
  static std::string setCookie(const httplib::Response& res, const std::string& name) {
    for (const auto& [k, v] : res.headers)
      if (k == "Set-Cookie" && v.rfind(name + "=", 0) == 0) return v;
    return {};
  }

  std::string cookie;
  httplib::Response last;

 private:
  httplib::Result postRaw(const std::string& path, const httplib::Params& params, const std::string& cookieHeader) {
    auto c = live_.client();
    httplib::Headers h;
    if (!cookieHeader.empty()) h.emplace("Cookie", cookieHeader);
    return c.Post(path.c_str(), h, params);
  }
  const LiveServer& live_;
  std::string loginCookie_;
};

const std::string kPassword = "correct horse 电池";

void addUser(server::ServerStore& store, const std::string& name, server::Role role, const std::string& community = "") {
  REQUIRE(store.addUser({name, role, "测试" + name, server::hashPassword(kPassword), isoIn(std::chrono::seconds(0)), "", community}));
}

// A live server with the shipped forms, an admin, a handler of 东湖 and a viewer.
struct Fixture {
  LiveServer live;
  Fixture() : Fixture(options()) {}
  explicit Fixture(server::ApiOptions o) : live(std::move(o)) {
    for (const char* f : {"civilized-city", "complaint", "quick"}) {
      auto form = shippedForm(f);
      REQUIRE(live.store->addForm(form) == server::FormAdded::New);
      REQUIRE(live.store->activateForm(form.id, form.version, server::kAllSites, isoIn(std::chrono::seconds(0))));
    }
    addUser(*live.store, "admin", server::Role::Admin);
    addUser(*live.store, "handler", server::Role::Handler, "donghu");
    addUser(*live.store, "viewer", server::Role::Viewer);
  }
  static server::ApiOptions options() {
    server::ApiOptions o;
    o.dashboard.accountLimits = {3, std::chrono::seconds(2), std::chrono::seconds(60)};
    return o;
  }
  // Submissions through the one ingest path, as kiosks send them.
  void submit(const std::string& formId, const std::vector<Json>& answers, const std::string& site = "donghu-dqfwzx") {
    auto form = live.store->form(formId, 1);
    REQUIRE(form);
    std::vector<protocol::Envelope> batch;
    for (const Json& a : answers) batch.push_back(envelopeFor(*form, live.keys.publicKey, a.dump()));
    for (const auto& r : server::ingestBatch(*live.store, live.keys, batch, {"", site, "network", {}}).results)
      REQUIRE(r.outcome == protocol::Outcome::Stored);
  }
  std::vector<server::AuditEntry> audit() { return live.store->audit(1000); }
  bool audited(const std::string& action, const std::string& actor) {
    for (const auto& a : audit())
      if (a.action == action && a.actor == actor) return true;
    return false;
  }
};

const char* const kEveryPage[] = {"/staff/results", "/staff/participation", "/staff/submissions", "/staff/forms",
                                  "/staff/places",  "/staff/devices",       "/staff/notices",     "/staff/users",
                                  "/staff/audit",   "/staff/notifications"};
const char* const kAdminPages[] = {"/staff/forms", "/staff/places", "/staff/devices",      "/staff/notices",
                                   "/staff/users", "/staff/audit",  "/staff/notifications"};

}  // namespace

TEST_CASE("sign-in: the session cookie is HttpOnly and SameSite=Strict, only its hash is stored, logout ends it") {
  Fixture fx;
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  CHECK(admin.last.get_header_value("Location") == "/staff/results");
  const std::string set = Staff::setCookie(admin.last, "minyi_session");
  CHECK_THAT(set, Contains("HttpOnly"));
  CHECK_THAT(set, Contains("SameSite=Strict"));
  CHECK_THAT(set, Contains("Path=/staff"));
  CHECK(set.find("Secure") == std::string::npos);  // plain HTTP on loopback; HTTPS adds it
  REQUIRE(admin.cookie.size() == 64);
  const std::string db = fx.live.dir.file("data/server.db");
  rawQuery(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(readFile(db).find(admin.cookie) == std::string::npos);
  CHECK(rawQuery(db, "SELECT count(*) FROM staff_sessions WHERE token_hash = '" + protocol::sha256Hex(admin.cookie) + "'") == "1");
  CHECK(fx.audited("login", "admin"));

  auto page = admin.get("/staff/results");
  REQUIRE(page);
  CHECK(page->status == 200);
  REQUIRE(admin.post("/staff/logout", {})->status == 303);
  auto after = admin.get("/staff/results");
  REQUIRE(after);
  CHECK(after->status == 303);
  CHECK_THAT(after->get_header_value("Location"), Contains("/staff/login"));
}

TEST_CASE("sign-in failures lock the account with a growing delay, and the right password waits too") {
  Fixture fx;
  Staff s(fx.live);
  CHECK(s.login("admin", "wrong-1") == 401);
  CHECK_THAT(s.last.body, Contains("用户名或密码不对"));
  CHECK(s.login("admin", "wrong-2") == 401);
  CHECK(s.login("admin", "wrong-3") == 401);  // the third failure locks it for 2 s
  CHECK(s.login("admin", kPassword) == 429);
  CHECK_THAT(s.last.body, Contains("尝试次数过多"));
  const int first = std::stoi(s.last.get_header_value("Retry-After"));
  CHECK(first >= 1);
  CHECK(first <= 3);
  std::this_thread::sleep_for(std::chrono::seconds(first));
  CHECK(s.login("admin", "wrong-4") == 401);  // allowed to try again, fails: locked twice as long
  CHECK(s.login("admin", kPassword) == 429);
  CHECK(std::stoi(s.last.get_header_value("Retry-After")) > first);
  CHECK(s.cookie.empty());
  // Another account from the same address is not locked by this one.
  Staff other(fx.live);
  CHECK(other.login("viewer", kPassword) == 303);
  // Unknown names fail the same way and are logged, without revealing that the name does not exist.
  CHECK(other.login("nobody", kPassword) == 401);
  CHECK(fx.audited("login_failed", "nobody"));
  CHECK(fx.audited("login_failed", "admin"));
}

TEST_CASE("sign-in without the login form's token is refused, and next never leaves the dashboard") {
  Fixture fx;
  auto c = fx.live.client();
  auto res = c.Post("/staff/login", httplib::Params{{"user", "admin"}, {"password", kPassword}});
  REQUIRE(res);
  CHECK(res->status == 403);
  CHECK(res->get_header_value("Set-Cookie").find("minyi_session") == std::string::npos);
  Staff s(fx.live);
  auto page = s.get("/staff/login?next=//evil.example/x");
  REQUIRE(page);
  CHECK(page->body.find("evil.example") == std::string::npos);
}

TEST_CASE("roles are checked on every route: a handler and a viewer get 403 on admin pages and actions") {
  Fixture fx;
  for (const char* who : {"handler", "viewer"}) {
    DYNAMIC_SECTION(who) {
      Staff s(fx.live);
      REQUIRE(s.login(who, kPassword) == 303);
      for (const char* p : kAdminPages) {
        auto res = s.get(p);
        REQUIRE(res);
        CHECK(res->status == 403);
        CHECK_THAT(res->body, Contains("没有访问此页面的权限"));
      }
      REQUIRE(s.get("/staff/results")->status == 200);
      // Even with a valid CSRF token of its own session, an admin action is refused and changes nothing.
      CHECK(s.post("/staff/devices/add", {{"site", "donghu-dqfwzx"}, {"name", "x"}})->status == 403);
      CHECK(s.post("/staff/users/add", {{"name", "mallory"}, {"role", "admin"}, {"password", "0123456789abc"}})->status == 403);
      CHECK(fx.live.store->devices().empty());
      CHECK_FALSE(fx.live.store->user("mallory"));
      // The menu does not offer what the role may not use.
      auto results = s.get("/staff/results");
      CHECK(results->body.find("/staff/devices") == std::string::npos);
    }
  }
}

TEST_CASE("without a session, pages send to the sign-in and actions are refused") {
  Fixture fx;
  auto c = fx.live.client();
  for (const char* p : kEveryPage) {
    auto res = c.Get(p);
    REQUIRE(res);
    CHECK(res->status == 303);
  }
  auto res = c.Post("/staff/devices/add", httplib::Params{{"site", "donghu-dqfwzx"}});
  REQUIRE(res);
  CHECK(res->status == 403);
  auto forged = c.Get("/staff/results", httplib::Headers{{"Cookie", "minyi_session=" + std::string(64, 'a')}});
  REQUIRE(forged);
  CHECK(forged->status == 303);
}

TEST_CASE("every POST needs the session's CSRF token: missing or wrong is 403 and nothing changes") {
  Fixture fx;
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  REQUIRE(admin.get("/staff/devices")->status == 200);
  auto missing = admin.post("/staff/devices/add", {{"site", "donghu-dqfwzx"}, {"name", "x"}}, false);
  REQUIRE(missing);
  CHECK(missing->status == 403);
  CHECK_THAT(missing->body, Contains("安全令牌"));
  auto wrong = admin.post("/staff/devices/add", {{"site", "donghu-dqfwzx"}, {"csrf", std::string(64, '0')}}, false);
  REQUIRE(wrong);
  CHECK(wrong->status == 403);
  CHECK(admin.post("/staff/logout", {}, false)->status == 403);
  CHECK(fx.live.store->devices().empty());
  // Another session's token does not work either.
  Staff other(fx.live);
  REQUIRE(other.login("admin", kPassword) == 303);
  const std::string otherToken = Staff::csrfIn(other.get("/staff/devices")->body);
  auto crossed = admin.post("/staff/devices/add", {{"site", "donghu-dqfwzx"}, {"csrf", otherToken}}, false);
  CHECK(crossed->status == 403);
  CHECK(fx.live.store->devices().empty());
  // The right token in the query string is refused too: a URL ends up in logs, the Referer and history.
  REQUIRE(admin.get("/staff/devices")->status == 200);
  const std::string token = Staff::csrfIn(admin.last.body);
  auto inQuery = fx.live.client().Post(("/staff/devices/add?csrf=" + token).c_str(), {{"Cookie", "minyi_session=" + admin.cookie}},
                                       httplib::Params{{"site", "donghu-dqfwzx"}, {"name", "x"}});
  REQUIRE(inQuery);
  CHECK(inQuery->status == 403);
  CHECK(fx.live.store->devices().empty());
  // With its own token it works: in the form body, or in the X-CSRF-Token header a script sends.
  CHECK(admin.post("/staff/devices/add", {{"site", "donghu-dqfwzx"}, {"name", "大厅一号机"}})->status == 200);
  CHECK(fx.live.store->devices().size() == 1);
  auto inHeader = fx.live.client().Post("/staff/devices/add", {{"Cookie", "minyi_session=" + admin.cookie}, {"X-CSRF-Token", token}},
                                        httplib::Params{{"site", "donghu-dqfwzx"}, {"name", "大厅二号机"}});
  REQUIRE(inHeader);
  CHECK(inHeader->status == 200);
  CHECK(fx.live.store->devices().size() == 2);
}

TEST_CASE("every page is complete, carries a strict CSP and no script") {
  Fixture fx;
  fx.submit("civilized-city", {Json{{"community", "donghu"}, {"suggestions", "很好"}}});
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  for (const char* p : kEveryPage) {
    auto res = admin.get(p);
    REQUIRE(res);
    INFO(p);
    CHECK(res->status == 200);
    const std::string csp = res->get_header_value("Content-Security-Policy");
    CHECK_THAT(csp, Contains("default-src 'self'"));
    CHECK_THAT(csp, Contains("script-src 'none'"));
    CHECK(csp.find("unsafe-inline") == std::string::npos);
    CHECK(res->get_header_value("X-Frame-Options") == "DENY");
    CHECK(res->body.find("<script") == std::string::npos);
    CHECK(res->body.find(" style=") == std::string::npos);
    CHECK(res->body.find("[[") == std::string::npos);  // every string is in the table
    CHECK(res->body.find("{0}") == std::string::npos);  // and used with its arguments
  }
  auto css = admin.get("/staff/static/style.css");
  REQUIRE(css);
  CHECK(css->status == 200);
  CHECK_THAT(css->get_header_value("Content-Type"), Contains("text/css"));
}

TEST_CASE("residents' and staff's text is escaped everywhere it is shown (stored XSS)") {
  Fixture fx;
  const std::string attack = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
  fx.submit("civilized-city", {Json{{"community", "donghu"}, {"suggestions", attack}, {"unsatisfied_detail", "'><svg onload=alert(3)>"}}});
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  auto list = admin.get("/staff/submissions?form=civilized-city&version=1");
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK_THAT(list->body, Contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
  CHECK_THAT(list->body, Contains("&#39;&gt;&lt;svg onload=alert(3)&gt;"));
  CHECK(list->body.find("<script>alert") == std::string::npos);
  CHECK(list->body.find("<img src=x") == std::string::npos);
  CHECK(list->body.find("<svg onload") == std::string::npos);

  // Staff text too: a notice title, a device name, a display name, a whole form's title.
  REQUIRE(admin.get("/staff/notices")->status == 200);
  REQUIRE(admin.post("/staff/notices/publish", {{"title", "<b>公告</b>"}, {"body", "<script>x()</script>"}, {"site", "*"}})->status == 200);
  CHECK(admin.last.body.find("<b>公告</b>") == std::string::npos);
  CHECK_THAT(admin.last.body, Contains("&lt;b&gt;公告&lt;/b&gt;"));
  REQUIRE(admin.get("/staff/devices")->status == 200);
  REQUIRE(admin.post("/staff/devices/add", {{"site", "donghu-dqfwzx"}, {"name", "<i>机</i>"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("&lt;i&gt;机&lt;/i&gt;"));
  Json form = Json::parse(shippedForm("quick").json);
  form["title"] = Json{{"zh-cn", "<script>alert(4)</script>"}};
  form["minyi"]["version"] = 2;
  auto c = fx.live.client();
  REQUIRE(admin.get("/staff/forms")->status == 200);
  httplib::MultipartFormDataItems items{{"csrf", Staff::csrfIn(admin.last.body), "", ""},
                                        {"file", form.dump(), "quick-v2.json", "application/json"},
                                        {"activate", "", "", ""}};
  auto up = c.Post("/staff/forms/upload", httplib::Headers{{"Cookie", "minyi_session=" + admin.cookie}}, items);
  REQUIRE(up);
  CHECK(up->status == 200);
  CHECK(up->body.find("<script>alert(4)") == std::string::npos);
  auto results = admin.get("/staff/results?form=quick&version=2");
  CHECK(results->body.find("<script>alert(4)") == std::string::npos);
  CHECK_THAT(results->body, Contains("&lt;script&gt;alert(4)&lt;/script&gt;"));
}

TEST_CASE("results show the counts, satisfaction rates by site and week, and participation against households") {
  Fixture fx;
  std::vector<Json> donghu, huayuan;
  for (int i = 0; i < 6; ++i) donghu.push_back(Json{{"satisfaction", i < 4 ? "very_satisfied" : "unsatisfied"}});
  for (int i = 0; i < 3; ++i) huayuan.push_back(Json{{"satisfaction", "satisfied"}});
  fx.submit("quick", donghu, "donghu-dqfwzx");
  fx.submit("quick", huayuan, "huayuan-dqfwzx");
  Staff viewer(fx.live);
  REQUIRE(viewer.login("viewer", kPassword) == 303);
  auto page = viewer.get("/staff/results?form=quick&version=1");
  REQUIRE(page);
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Contains("<div class=\"big\" id=\"total\">9</div>"));
  CHECK_THAT(page->body, Contains("满意率 77.8%"));  // (4 + 3) / 9
  CHECK_THAT(page->body, Contains("66.7%"));          // 东湖: 4 / 6
  CHECK_THAT(page->body, Contains("100.0%"));         // 花园: 3 / 3
  CHECK_THAT(page->body, Contains("东湖社区党群服务中心"));
  CHECK_THAT(page->body, Contains("<svg class=\"weeks\""));
  auto onlyHuayuan = viewer.get("/staff/results?form=quick&version=1&site=huayuan-dqfwzx");
  CHECK_THAT(onlyHuayuan->body, Contains("<div class=\"big\" id=\"total\">3</div>"));

  auto participation = viewer.get("/staff/participation");
  REQUIRE(participation);
  CHECK_THAT(participation->body, Contains("1,516"));
  CHECK_THAT(participation->body, Contains("0.4%"));  // 6 of 1516 households at 东湖
  CHECK_THAT(participation->body, Contains("0.2%"));  // 3 of 1300 at 花园
}

TEST_CASE("phone numbers are masked for viewers and handlers, shown to admins, and exports are logged") {
  Fixture fx;
  fx.submit("complaint", {Json{{"category", "hygiene"}, {"community", "donghu"}, {"description", "=1+1 楼道垃圾"},
                               {"anonymous", false}, {"phone", "13812341234"}, {"consent", true}}});
  for (const char* who : {"viewer", "handler"}) {
    Staff s(fx.live);
    REQUIRE(s.login(who, kPassword) == 303);
    auto list = s.get("/staff/submissions?form=complaint&version=1");
    CHECK_THAT(list->body, Contains("138****1234"));
    CHECK(list->body.find("13812341234") == std::string::npos);
    auto csv = s.get("/staff/export.csv?form=complaint&version=1");
    REQUIRE(csv);
    CHECK(csv->status == 200);
    CHECK_THAT(csv->body, Contains("138****1234"));
    CHECK(csv->body.find("13812341234") == std::string::npos);
  }
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  CHECK_THAT(admin.get("/staff/submissions?form=complaint&version=1")->body, Contains("13812341234"));
  auto csv = admin.get("/staff/export.csv?form=complaint&version=1");
  REQUIRE(csv);
  CHECK(csv->body.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK_THAT(csv->get_header_value("Content-Disposition"), Contains("complaint-v1.csv"));
  CHECK_THAT(csv->body, Contains("13812341234"));
  CHECK_THAT(csv->body, Contains("'=1+1 楼道垃圾"));
  auto xlsx = admin.get("/staff/export.xlsx?form=complaint&version=1");
  REQUIRE(xlsx);
  CHECK(xlsx->status == 200);
  CHECK(xlsx->body.rfind("PK", 0) == 0);  // a zip, as every XLSX is
  CHECK(fx.audited("export", "viewer"));
  CHECK(fx.audited("export", "admin"));
}

TEST_CASE("submissions are listed 100 to a page, newest first, with a link to the next page") {
  Fixture fx;
  std::vector<Json> answers;
  for (int i = 0; i < 130; ++i) answers.push_back(Json{{"satisfaction", "satisfied"}});
  fx.submit("quick", answers);
  Staff s(fx.live);
  REQUIRE(s.login("viewer", kPassword) == 303);
  auto first = s.get("/staff/submissions?form=quick&version=1");
  REQUIRE(first);
  CHECK_THAT(first->body, Contains("共 130 份"));
  auto rows = [](const std::string& body) {
    size_t n = 0;
    for (size_t at = body.find("<tr><td class=\"nowrap\">"); at != std::string::npos; at = body.find("<tr><td class=\"nowrap\">", at + 1)) ++n;
    return n;
  };
  CHECK(rows(first->body) == 100);
  std::smatch m;
  REQUIRE(std::regex_search(first->body, m, std::regex("href=\"(/staff/submissions\\?[^\"]*before=[^\"]+)\"")));
  std::string next = m[1];
  next = std::regex_replace(next, std::regex("&amp;"), "&");
  auto second = s.get(next);
  REQUIRE(second);
  CHECK(rows(second->body) == 30);
}

TEST_CASE("devices page: add shows a one-time code that enrolls a kiosk, revoke stops it, both are logged") {
  Fixture fx;
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  REQUIRE(admin.get("/staff/devices")->status == 200);
  REQUIRE(admin.post("/staff/devices/add", {{"site", "huayuan-dqfwzx"}, {"name", "大厅二号机"}})->status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(admin.last.body, m, std::regex("id=\"enrollment-code\">([0-9A-Z]{5}-[0-9A-Z]{5})<")));
  const std::string code = m[1];
  // Shown once: the list afterwards does not have it.
  CHECK(admin.get("/staff/devices")->body.find(code) == std::string::npos);
  auto c = fx.live.client();
  auto enrolled = c.Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{code, "0.1.0", "kiosk-0a1b2c3d"}).dump(),
                         "application/json");
  REQUIRE(enrolled);
  REQUIRE(enrolled->status == 200);
  auto reply = protocol::parseEnrollReply(enrolled->body, nullptr);
  REQUIRE(reply);
  CHECK(reply->siteId == "huayuan-dqfwzx");
  auto forms = c.Get("/api/v1/forms", httplib::Headers{{"Authorization", "Bearer " + reply->token}, {"Minyi-Outbox", "17"}});
  REQUIRE(forms->status == 200);
  auto page = admin.get("/staff/devices");
  CHECK_THAT(page->body, Contains("大厅二号机"));
  CHECK_THAT(page->body, Contains(">17<"));  // the backlog it reported
  CHECK_THAT(page->body, Contains("本机编号 kiosk-0a1b2c3d"));  // the kiosk's own id, as it said at enrollment
  CHECK_THAT(page->body, Contains("分钟前"));
  REQUIRE(admin.post("/staff/devices/revoke", {{"id", reply->deviceId}})->status == 200);
  auto refused = c.Get("/api/v1/forms", httplib::Headers{{"Authorization", "Bearer " + reply->token}});
  CHECK(refused->status == 401);
  CHECK(fx.audited("device_add", "admin"));
  CHECK(fx.audited("device_revoke", "admin"));
}

TEST_CASE("a new township's server has no places: the pages say where to add them, and a kiosk can follow") {
  LiveServer live({}, false);
  addUser(*live.store, "admin", server::Role::Admin);
  Staff admin(live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  CHECK_THAT(admin.get("/staff/places")->body, Contains("band warn") && Contains("还没有社区和站点"));
  auto devices = admin.get("/staff/devices");
  CHECK_THAT(devices->body, Contains("href=\"/staff/places\"") && Contains("还没有站点"));
  CHECK(devices->body.find("/staff/devices/add") == std::string::npos);  // no form with an empty choice
  CHECK(admin.post("/staff/devices/add", {{"site", "donghu-dqfwzx"}, {"name", "x"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("band error"));
  CHECK(live.store->devices().empty());
  REQUIRE(admin.post("/staff/places/community", {{"id", "lianhe"}, {"name", "联合村"}, {"households", "812"}})->status == 200);
  REQUIRE(admin.post("/staff/places/site", {{"id", "lianhe-bmfwz"}, {"name", "联合村便民服务站"}, {"community", "lianhe"}})->status == 200);
  CHECK(admin.get("/staff/places")->body.find("band warn") == std::string::npos);
  REQUIRE(admin.post("/staff/devices/add", {{"site", "lianhe-bmfwz"}, {"name", "大厅一号机"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("id=\"enrollment-code\""));
  CHECK(live.store->devices().size() == 1);
}

TEST_CASE("places page: an admin adds a community, its site and households over HTTP, and mistakes are named and change nothing") {
  Fixture fx;
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  auto page = admin.get("/staff/places");
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Contains("东联社区") && Contains("1869") && Contains("donglian-culture"));
  const size_t communities = fx.live.store->communities().size(), sites = fx.live.store->sites().size();

  REQUIRE(admin.post("/staff/places/community", {{"id", "lianhe"}, {"name", "联合村"}, {"households", "812"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("已添加社区：联合村"));
  REQUIRE(admin.post("/staff/places/site", {{"id", "lianhe-bmfwz"}, {"name", "联合村便民服务站"}, {"community", "lianhe"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("已添加站点：联合村便民服务站"));
  REQUIRE(admin.post("/staff/places/site", {{"id", "zhen-zhengwu"}, {"name", "镇政务服务中心"}, {"community", ""}})->status == 200);
  REQUIRE(admin.post("/staff/places/households", {{"id", "lianhe"}, {"households", "830"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("830"));
  REQUIRE(fx.live.store->site("lianhe-bmfwz"));
  CHECK(fx.live.store->site("lianhe-bmfwz")->communityId == "lianhe");
  CHECK(fx.live.store->site("zhen-zhengwu")->communityId.empty());
  int64_t households = -1;
  for (const auto& c : fx.live.store->communities())
    if (c.id == "lianhe") households = c.households;
  CHECK(households == 830);

  // What a form sent by hand (or a hostile client) may carry: each refused with its reason, nothing stored.
  struct Bad {
    const char* path;
    httplib::Params params;
    const char* says;
  };
  const Bad bad[] = {
      {"/staff/places/community", {{"id", "donghu"}, {"name", "又一个东湖"}, {"households", "5"}}, "donghu 已经被使用"},
      {"/staff/places/community", {{"id", "Lian He"}, {"name", "x"}, {"households", "5"}}, "编号只能用小写字母"},
      {"/staff/places/community", {{"id", "x'); DROP TABLE sites;--"}, {"name", "x"}, {"households", "5"}}, "编号只能用小写字母"},
      {"/staff/places/community", {{"id", std::string(41, 'a')}, {"name", "x"}, {"households", "5"}}, "编号只能用小写字母"},
      {"/staff/places/community", {{"id", "xincun"}, {"name", ""}, {"households", "5"}}, "请填写名称"},
      {"/staff/places/community", {{"id", "xincun"}, {"name", "新村"}, {"households", "-3"}}, "户数请填写"},
      {"/staff/places/community", {{"id", "xincun"}, {"name", "新村"}, {"households", "99999999999999999999"}}, "户数请填写"},
      {"/staff/places/site", {{"id", "donghu-dqfwzx"}, {"name", "重复"}, {"community", "donghu"}}, "donghu-dqfwzx 已经被使用"},
      {"/staff/places/site", {{"id", "x-site"}, {"name", "无处"}, {"community", "nowhere"}}, "没有这个社区"},
      {"/staff/places/households", {{"id", "nowhere"}, {"households", "5"}}, "没有这个社区"},
      {"/staff/places/households", {{"id", "donghu"}, {"households", "1.5"}}, "户数请填写"},
  };
  for (const Bad& b : bad) {
    INFO(b.path << " " << b.params.begin()->second);
    auto res = admin.post(b.path, b.params);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK_THAT(res->body, Contains("band error") && Contains(b.says));
  }
  CHECK(fx.live.store->communities().size() == communities + 1);
  CHECK(fx.live.store->sites().size() == sites + 2);
  for (const auto& c : fx.live.store->communities())
    if (c.id == "donghu") CHECK(c.households == 1516);
  CHECK(fx.live.store->site("donghu-dqfwzx")->name == "东湖社区党群服务中心");

  // The new site is where a kiosk is added next, and a handler or viewer cannot add places.
  CHECK_THAT(admin.get("/staff/devices")->body, Contains("value=\"lianhe-bmfwz\""));
  CHECK(fx.audited("community_add", "admin"));
  CHECK(fx.audited("site_add", "admin"));
  CHECK(fx.audited("community_households", "admin"));
  Staff viewer(fx.live);
  REQUIRE(viewer.login("viewer", kPassword) == 303);
  CHECK(viewer.post("/staff/places/community", {{"id", "evil"}, {"name", "x"}, {"households", "1"}})->status == 403);
  CHECK(viewer.post("/staff/places/households", {{"id", "donghu"}, {"households", "1"}})->status == 403);
  CHECK(fx.live.store->communities().size() == communities + 1);
}

TEST_CASE("devices page: kiosks silent in opening hours, short of disk or with a stuck backlog are flagged, with what each reported") {
  Fixture fx;
  const std::string full = fx.live.enroll("kiosk-full", "huayuan-dqfwzx").token;
  fx.live.enroll("kiosk-quiet");
  fx.live.enroll("kiosk-well", "donglian-culture");
  const auto reportFrom = [&](const std::string& token, const protocol::KioskReport& r) {
    auto res = fx.live.client().Post("/api/v1/kiosk-report", httplib::Headers{{"Authorization", "Bearer " + token}},
                                     protocol::toJson(r).dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 204);
  };
  protocol::KioskReport r;
  r.diskFreeBytes = int64_t{200} << 20;
  r.screen = "1920x1080";
  r.appUptimeSeconds = 7200;
  r.outbox = 8;
  r.lastError = "server_error: <b>503</b>";
  reportFrom(full, r);
  r.outbox = 12;  // more than before, and the oldest has waited a day
  r.oldestUnsent = isoIn(-std::chrono::hours(24));
  reportFrom(full, r);
  // Three days without a word: silent whatever the time of day the test runs at.
  fx.live.store->recordContact({"kiosk-quiet", isoIn(-std::chrono::hours(72)), 0, "", std::nullopt});
  fx.live.store->recordContact({"kiosk-well", isoIn(std::chrono::seconds(0)), 0, "", std::nullopt});

  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  auto page = admin.get("/staff/devices");
  REQUIRE(page->status == 200);
  const std::string& html = page->body;
  CHECK_THAT(html, Contains("2 台终端需要查看"));
  auto row = [&](const std::string& id) {
    const size_t start = html.find("<code>" + id + "</code>");
    REQUIRE(start != std::string::npos);
    const size_t open = html.rfind("<tr", start), close = html.find("</tr>", start);
    return html.substr(open, close - open);
  };
  CHECK_THAT(row("kiosk-quiet"), Contains("class=\"warn\"") && Contains("开放时间内已") && Contains("没有联系"));
  const std::string fullRow = row("kiosk-full");
  CHECK_THAT(fullRow, Contains("磁盘只剩 200 MB") && Contains("待上传没有减少，最早一份已等 24 小时"));
  CHECK_THAT(fullRow, Contains("屏幕 1920x1080") && Contains("程序已运行 2 小时"));
  CHECK_THAT(fullRow, Contains("server_error: &lt;b&gt;503&lt;/b&gt;"));  // the kiosk's words are text, never markup
  CHECK(row("kiosk-well").find("class=\"warn\"") == std::string::npos);
}

TEST_CASE("forms page: the engine's diagnostics for a broken form, upload and activation of a good one") {
  Fixture fx;
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  auto upload = [&](const std::string& text, const std::string& activate) {
    REQUIRE(admin.get("/staff/forms")->status == 200);
    httplib::MultipartFormDataItems items{{"csrf", Staff::csrfIn(admin.last.body), "", ""},
                                          {"file", text, "form.json", "application/json"},
                                          {"activate", activate, "", ""}};
    auto c = fx.live.client();
    auto res = c.Post("/staff/forms/upload", httplib::Headers{{"Cookie", "minyi_session=" + admin.cookie}}, items);
    REQUIRE(res);
    return *res;
  };
  Json broken = Json::parse(shippedForm("quick").json);
  broken["minyi"]["version"] = 5;
  broken["pages"][0]["elements"][0]["type"] = "signaturepad";
  auto refused = upload(broken.dump(), "*");
  CHECK(refused.status == 200);
  CHECK_THAT(refused.body, Contains("有错误，未上传"));
  CHECK_THAT(refused.body, Contains("pages[0].elements[0]"));
  CHECK_FALSE(fx.live.store->form("quick", 5));

  Json good = Json::parse(shippedForm("quick").json);
  good["minyi"]["version"] = 6;
  auto ok = upload(good.dump(), "huayuan-dqfwzx");
  CHECK_THAT(ok.body, Contains("已上传 quick v6"));
  REQUIRE(fx.live.store->form("quick", 6));
  CHECK(fx.live.store->activeForms("huayuan-dqfwzx").back().version == 6);
  CHECK(fx.live.store->activeForms("donghu-dqfwzx").back().version == 1);
  REQUIRE(admin.get("/staff/forms")->status == 200);
  REQUIRE(admin.post("/staff/forms/activate", {{"form", "quick"}, {"version", "6"}, {"site", "*"}})->status == 200);
  CHECK(fx.live.store->activeForms("donghu-dqfwzx").back().version == 6);
  CHECK(fx.audited("form_upload", "admin"));
  CHECK(fx.audited("form_activate", "admin"));
  CHECK(fx.audited("form_upload_refused", "admin"));
}

TEST_CASE("notices page: publish for some sites with an end date, kiosks get it, withdraw takes it away") {
  Fixture fx;
  const auto kiosk = fx.live.enroll("kiosk-dh", "donghu-dqfwzx");
  const auto other = fx.live.enroll("kiosk-hy", "huayuan-dqfwzx");
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  REQUIRE(admin.get("/staff/notices")->status == 200);
  const std::string until = isoIn(std::chrono::hours(24 * 30)).substr(0, 10);
  REQUIRE(admin.post("/staff/notices/publish", {{"title", "停水通知"}, {"body", "周六上午停水。"}, {"site", "donghu-dqfwzx"}, {"until", until}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("公告已发布"));
  auto c = fx.live.client();
  auto notices = [&](const protocol::EnrollReply& k) {
    auto res = c.Get("/api/v1/notices", httplib::Headers{{"Authorization", "Bearer " + k.token}});
    REQUIRE(res);
    return protocol::parseNoticesReply(res->body, nullptr)->notices;
  };
  auto shown = notices(kiosk);
  REQUIRE(shown.size() == 1);
  CHECK(shown[0].title["zh-cn"] == "停水通知");
  CHECK(shown[0].until == until + "T16:00:00Z");
  CHECK(notices(other).empty());
  REQUIRE(admin.post("/staff/notices/withdraw", {{"id", shown[0].id}})->status == 200);
  CHECK(notices(kiosk).empty());
  CHECK(fx.audited("notice_publish", "admin"));
  CHECK(fx.audited("notice_withdraw", "admin"));
  REQUIRE(admin.post("/staff/notices/publish", {{"title", "x"}, {"body", "y"}, {"until", "2020-01-01"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("截止日期已经过去了"));
}

TEST_CASE("users page: an admin adds, resets and disables accounts, and a disabled account is signed out") {
  Fixture fx;
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  REQUIRE(admin.get("/staff/users")->status == 200);
  REQUIRE(admin.post("/staff/users/add", {{"name", "zhang"}, {"role", "handler"}, {"display", "张三"}, {"password", "short"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("密码至少 10 个字符"));
  CHECK_FALSE(fx.live.store->user("zhang"));
  REQUIRE(admin.post("/staff/users/add", {{"name", "zhang"}, {"role", "handler"}, {"display", "张三"}, {"password", "long enough pass"}})->status == 200);
  REQUIRE(fx.live.store->user("zhang"));
  CHECK(fx.live.store->user("zhang")->role == server::Role::Handler);
  CHECK(fx.live.store->user("zhang")->passwordHash.rfind("$argon2id$", 0) == 0);
  Staff zhang(fx.live);
  REQUIRE(zhang.login("zhang", "long enough pass") == 303);
  REQUIRE(admin.post("/staff/users/disable", {{"name", "zhang"}})->status == 200);
  CHECK(zhang.get("/staff/results")->status == 303);  // signed out at once
  CHECK(zhang.login("zhang", "long enough pass") == 401);
  CHECK(admin.post("/staff/users/disable", {{"name", "admin"}})->status == 200);
  CHECK_THAT(admin.last.body, Contains("不能停用自己的账号"));
  CHECK(fx.audited("user_add", "admin"));
  CHECK(fx.audited("user_disable", "admin"));
  auto log = admin.get("/staff/audit");
  CHECK_THAT(log->body, Contains("停用账号"));
  CHECK_THAT(log->body, Contains("zhang"));
}

TEST_CASE("regression: someone guessing the admin's password elsewhere cannot keep the admin out") {
  using Clock = server::SignInGuard::Clock;
  server::SignInGuard guard({5, std::chrono::seconds(30), std::chrono::seconds(3600)},
                            {20, std::chrono::seconds(30), std::chrono::seconds(3600)});
  Clock::time_point t = Clock::now();
  // One guess per lock period, for hours, from a guesser's address.
  for (int i = 0; i < 40; ++i) {
    if (const int64_t wait = guard.waitSeconds("admin", "203.0.113.9", t)) t += std::chrono::seconds(wait);
    guard.failed("admin", "203.0.113.9", t);
  }
  CHECK(guard.waitSeconds("admin", "203.0.113.9", t) > 0);  // the guesser waits
  CHECK(guard.waitSeconds("admin", "10.1.2.3", t) == 0);    // the admin at the office does not
  guard.succeeded("admin");
  // The guesser's address stays slowed after the admin's success: it keeps its own count.
  CHECK(guard.waitSeconds("admin", "203.0.113.9", t) > 0);
  CHECK(guard.waitSeconds("viewer", "203.0.113.9", t) > 0);
  // An office address that mistypes once is then under the account's lock like any other that failed.
  server::SignInGuard fresh({2, std::chrono::seconds(30), std::chrono::seconds(60)}, {20, std::chrono::seconds(30), std::chrono::seconds(60)});
  fresh.failed("admin", "203.0.113.9", t);
  fresh.failed("admin", "203.0.113.9", t);
  CHECK(fresh.waitSeconds("admin", "10.1.2.3", t) == 0);
  fresh.failed("admin", "10.1.2.3", t);
  CHECK(fresh.waitSeconds("admin", "10.1.2.3", t) > 0);
}

TEST_CASE("refused sign-ins are summarised in the operation log, not written one row each") {
  using Clock = server::RefusalSummary::Clock;
  server::RefusalSummary summary(std::chrono::seconds(600));
  const Clock::time_point t = Clock::now();
  CHECK(summary.refused("admin\n203.0.113.9", t) == 1);  // the first at once
  int64_t written = 0;
  for (int i = 1; i <= 500; ++i) written += summary.refused("admin\n203.0.113.9", t + std::chrono::seconds(i));
  CHECK(written == 0);
  CHECK(summary.refused("admin\n203.0.113.9", t + std::chrono::seconds(601)) == 501);  // then the count, once
  CHECK(summary.refused("viewer\n203.0.113.9", t) == 1);  // each account and address on its own
  summary.refused("admin\n203.0.113.9", t + std::chrono::seconds(602));
  CHECK(summary.take("admin\n203.0.113.9") == 1);
  CHECK(summary.take("admin\n203.0.113.9") == 0);

  // Through the sign-in page: 30 wrong passwords leave a handful of rows, not 30.
  server::ApiOptions o;
  o.dashboard.accountLimits = {1000, std::chrono::seconds(1), std::chrono::seconds(1)};
  o.dashboard.addressLimits = {1000, std::chrono::seconds(1), std::chrono::seconds(1)};
  LiveServer live(o);
  addUser(*live.store, "admin", server::Role::Admin);
  Staff s(live);
  for (int i = 0; i < 30; ++i) CHECK(s.login("admin", "guess-" + std::to_string(i)) == 401);
  CHECK(s.login("admin", kPassword) == 303);
  int failedRows = 0;
  std::string summaryRow;
  for (const auto& a : live.store->audit(1000)) {
    if (a.action != "login_failed") continue;
    ++failedRows;
    if (a.detail.find("29 refused attempts before this sign-in") != std::string::npos) summaryRow = a.detail;
  }
  CHECK(failedRows == 2);
  CHECK_FALSE(summaryRow.empty());
}

TEST_CASE("behind a trusted proxy the sign-in throttle keys on the real client, and only there") {
  auto signIn = [](const LiveServer& live, const std::string& from, const std::string& password) {
    httplib::Headers h{{"X-Forwarded-For", from}};
    auto page = live.client().Get("/staff/login", h);
    REQUIRE(page);
    const std::string loginCookie = Staff::cookieFrom(*page, "minyi_login");
    h.emplace("Cookie", "minyi_login=" + loginCookie);
    auto res = live.client().Post("/staff/login", h,
                                  httplib::Params{{"csrf", Staff::csrfIn(page->body)}, {"user", "admin"}, {"password", password}});
    REQUIRE(res);
    return res->status;
  };
  for (bool trusted : {true, false}) {
    INFO((trusted ? "proxy trusted" : "no trusted proxy"));
    server::ApiOptions o;
    o.dashboard.accountLimits = {3, std::chrono::seconds(60), std::chrono::seconds(600)};
    if (trusted) o.trustedProxies = {"127.0.0.1"};
    LiveServer live(o);
    addUser(*live.store, "admin", server::Role::Admin);
    for (int i = 0; i < 3; ++i) CHECK(signIn(live, "203.0.113.9", "guess") == 401);
    CHECK(signIn(live, "203.0.113.9", kPassword) == 429);  // the guesser waits
    // The admin at the office: another client when the proxy is trusted; when it is not, a forged header
    // changes nothing and everyone is the one address that failed.
    CHECK(signIn(live, "198.51.100.7", kPassword) == (trusted ? 303 : 429));
    bool loggedFromClient = false;
    for (const auto& a : live.store->audit(100)) loggedFromClient |= a.action == "login_failed" && a.address == "203.0.113.9";
    CHECK(loggedFromClient == trusted);
  }
}

TEST_CASE("regression: pages and exports for a current browser are gzipped quickly, never brotli at its slowest") {
  CHECK(server::acceptsGzip("gzip, deflate, br"));
  CHECK(server::acceptsGzip("br;q=1.0, gzip;q=0.8"));
  CHECK_FALSE(server::acceptsGzip("br"));
  CHECK_FALSE(server::acceptsGzip("gzip;q=0"));
  CHECK_FALSE(server::acceptsGzip("x-gzip2"));
  CHECK_FALSE(server::acceptsGzip(""));
  Fixture fx;
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  for (const char* path : {"/staff/results", "/staff/export.csv?form=quick&version=1", "/staff/static/style.css"}) {
    INFO(path);
    for (const char* accept : {"gzip, deflate, br", "br", ""}) {
      INFO(accept);
      auto c = fx.live.client();
      c.set_decompress(false);
      httplib::Headers h{{"Cookie", "minyi_session=" + admin.cookie}};
      if (*accept) h.emplace("Accept-Encoding", accept);
      auto res = c.Get(path, h);
      REQUIRE(res);
      if (res->status == 404) continue;  // an address this build does not serve
      REQUIRE(res->status == 200);
      const std::string encoding = res->get_header_value("Content-Encoding");
      if (std::string(accept).find("gzip") != std::string::npos && encoding == "gzip") {
        CHECK(res->body.substr(0, 2) == "\x1f\x8b");
      } else {
        // Not brotli: a client that takes only br gets the reply as it is; so does a tiny one.
        CHECK(encoding.empty());
        if (std::string(accept).find("gzip") != std::string::npos) CHECK(res->body.size() < 1024);
      }
    }
    // A browser's client, decompressing: the page itself.
    auto c = fx.live.client();
    auto res = c.Get(path, {{"Cookie", "minyi_session=" + admin.cookie}, {"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(res);
    if (res->status == 200 && std::string(path) == "/staff/results") CHECK_THAT(res->body, Contains("</html>"));
  }
}

namespace {

// The audit rows of exports by `actor`, newest first.
std::vector<server::AuditEntry> exportsBy(Fixture& fx, const std::string& actor) {
  std::vector<server::AuditEntry> out;
  for (const auto& a : fx.audit())
    if (a.action == "export" && a.actor == actor) out.push_back(a);
  return out;
}

}  // namespace

TEST_CASE("exports stream to the browser: a stalled download holds no page up, a third waits its turn, a cut one is logged") {
  Fixture fx;
  // About 12 MB of CSV: more than the kernel's socket buffers hold, so a client that stops reading stops
  // the server mid-export.
  const std::string longText(3000, 'x');
  std::vector<Json> answers;
  for (int i = 0; i < 4000; ++i) {
    answers.push_back(Json{{"category", "hygiene"}, {"community", "donghu"},
                           {"description", "楼道垃圾 " + std::to_string(i) + " " + longText}, {"anonymous", true}, {"consent", true}});
    if (answers.size() == 100) {
      fx.submit("complaint", answers);
      answers.clear();
    }
  }
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  const std::string exportHead = head("GET", "/staff/export.csv?form=complaint&version=1",
                                      {"Cookie: minyi_session=" + admin.cookie, "Connection: close"});

  // A download that stops after its first 64 KB: chunked, no length, and not finished (nothing audited).
  auto stalled = std::make_unique<RawConnection>(fx.live.port, nullptr, 4096);
  stalled->send(exportHead);
  const std::string first = stalled->receiveAtLeast(64 * 1024);
  REQUIRE(statusOf(first) == 200);
  const std::string firstHead = first.substr(0, first.find("\r\n\r\n"));
  CHECK_THAT(firstHead, Contains("Transfer-Encoding: chunked"));
  CHECK(firstHead.find("Content-Length") == std::string::npos);
  CHECK_THAT(first, Contains("\xEF\xBB\xBF"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(exportsBy(fx, "admin").empty());

  // Pages answer meanwhile: the export holds the store's read connection a page of rows at a time only.
  for (const char* page : {"/staff/submissions?form=complaint&version=1", "/staff/results?form=complaint&version=1"}) {
    INFO(page);
    const auto t0 = std::chrono::steady_clock::now();
    auto res = admin.get(page);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  }

  // A second export may run; a third is asked to wait (503, a page that says so, Retry-After).
  RawConnection second(fx.live.port, nullptr, 4096);
  second.send(exportHead);
  const std::string secondFirst = second.receiveAtLeast(64 * 1024);
  REQUIRE(statusOf(secondFirst) == 200);
  auto third = admin.get("/staff/export.csv?form=complaint&version=1");
  REQUIRE(third);
  CHECK(third->status == 503);
  CHECK(third->get_header_value("Retry-After") == "30");
  CHECK_THAT(third->body, Contains("已有其他导出正在进行"));

  // The stalled browser goes away: the server stops that export, logs it as cut off and frees its turn.
  stalled.reset();
  std::vector<server::AuditEntry> logged;
  for (int i = 0; i < 100 && logged.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    logged = exportsBy(fx, "admin");
  }
  REQUIRE(logged.size() == 1);
  CHECK_THAT(logged[0].detail, Contains("csv, ") && Contains("download cut off"));

  // Now a whole export, as a browser asks for it (gzip): the same CSV as without compression, every row.
  auto c = fx.live.client();
  c.set_decompress(false);
  auto gz = c.Get("/staff/export.csv?form=complaint&version=1",
                  {{"Cookie", "minyi_session=" + admin.cookie}, {"Accept-Encoding", "gzip, deflate, br"}});
  REQUIRE(gz);
  REQUIRE(gz->status == 200);
  CHECK(gz->get_header_value("Content-Encoding") == "gzip");
  CHECK(gz->body.substr(0, 2) == "\x1f\x8b");
  CHECK(gz->body.size() < 12 * 1024 * 1024 / 4);
  auto inflating = fx.live.client();
  auto inflated = inflating.Get("/staff/export.csv?form=complaint&version=1",
                                {{"Cookie", "minyi_session=" + admin.cookie}, {"Accept-Encoding", "gzip"}});
  auto plain = fx.live.client().Get("/staff/export.csv?form=complaint&version=1", {{"Cookie", "minyi_session=" + admin.cookie}});
  REQUIRE(inflated);
  REQUIRE(plain);
  CHECK(plain->get_header_value("Content-Encoding").empty());
  CHECK(plain->body.size() > 8 * 1024 * 1024);
  CHECK(inflated->body == plain->body);
  size_t lines = 0;
  for (size_t at = plain->body.find("\r\n"); at != std::string::npos; at = plain->body.find("\r\n", at + 2)) ++lines;
  CHECK(lines == 4001);
  CHECK_THAT(plain->body, Contains("楼道垃圾 3999 x"));

  // The second, stalled until now, goes out in full once its reader takes it, and is logged whole.
  const std::string rest = second.receive(std::chrono::seconds(60));
  CHECK(second.closedByServer());
  CHECK(secondFirst.size() + rest.size() > plain->body.size());
  CHECK(rest.size() >= 5);
  CHECK(rest.substr(rest.size() - 5) == "0\r\n\r\n");  // the last chunk: the whole file came
  size_t wholeCsv = 0;
  for (const auto& a : exportsBy(fx, "admin"))
    wholeCsv += a.detail.rfind("csv, 4000 submissions", 0) == 0 && a.detail.find("cut off") == std::string::npos;
  CHECK(wholeCsv == 4);  // the second, the gzipped, the inflated and the plain one

  // The spreadsheet: built in a private temporary file, then sent from it with its length.
  auto xlsx = admin.get("/staff/export.xlsx?form=complaint&version=1");
  REQUIRE(xlsx);
  REQUIRE(xlsx->status == 200);
  CHECK(xlsx->body.rfind("PK", 0) == 0);
  CHECK(xlsx->get_header_value("Content-Length") == std::to_string(xlsx->body.size()));
  CHECK(exportsBy(fx, "admin").front().detail.rfind("xlsx, 4000 submissions", 0) == 0);
}

TEST_CASE("one address guessing many accounts is locked out too") {
  server::ApiOptions o;
  o.dashboard.addressLimits = {4, std::chrono::seconds(30), std::chrono::seconds(60)};
  LiveServer live(o);
  addUser(*live.store, "admin", server::Role::Admin);
  Staff s(live);
  for (const char* name : {"a1", "a2", "a3", "a4"}) CHECK(s.login(name, "guess") == 401);
  CHECK(s.login("admin", kPassword) == 429);  // the address waits, whatever the account
  CHECK(s.cookie.empty());
}

TEST_CASE("text that looks like SQL is only ever data (prepared statements)") {
  Fixture fx;
  Staff s(fx.live);
  CHECK(s.login("admin' --", kPassword) == 401);
  CHECK(s.login("' OR '1'='1", "' OR '1'='1") == 401);
  REQUIRE(s.login("viewer", kPassword) == 303);
  auto res = s.get("/staff/results?form=" + std::string("x%27%20OR%20%271%27%3D%271") + "&site=%27%3B%20DROP%20TABLE%20submissions%3B--");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto page = s.get("/staff/submissions?form=quick&version=1&before=%27%20OR%201%3D1--%7Cx");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(rawQuery(fx.live.dir.file("data/server.db"), "SELECT count(*) FROM sqlite_schema WHERE name = 'submissions'") == "1");
  CHECK(fx.live.store->users().size() == 3);
}

TEST_CASE("an unknown dashboard address is an HTML page, an unknown API address stays JSON") {
  Fixture fx;
  auto c = fx.live.client();
  auto page = c.Get("/staff/no-such-page");
  REQUIRE(page);
  CHECK(page->status == 404);
  CHECK_THAT(page->get_header_value("Content-Type"), Contains("text/html"));
  CHECK_THAT(page->body, Contains("没有这个页面"));
  auto api = c.Get("/api/v1/no-such-thing");
  REQUIRE(api);
  CHECK(api->status == 404);
  CHECK_THAT(api->body, Contains("\"not_found\""));
}

TEST_CASE("under HTTPS the dashboard's cookies are Secure") {
  TempDir dir;
  const std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
                          " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto store = openTownship(dir.file("data"));
  addUser(*store, "admin", server::Role::Admin);
  server::ApiOptions options;
  options.tlsCertFile = cert;
  options.tlsKeyFile = key;
  server::ApiServer api(*store, protocol::generateKeyPair(), options);
  const int port = api.bind("127.0.0.1", 0);
  REQUIRE(port > 0);
  std::thread serving([&] { api.run(); });
  httplib::SSLClient tls("127.0.0.1", port);
  tls.set_ca_cert_path(cert.c_str());
  tls.enable_server_certificate_verification(true);
  auto page = tls.Get("/staff/login");
  std::string loginCookie, token, sessionCookie;
  if (page) {
    loginCookie = Staff::setCookie(*page, "minyi_login");
    token = Staff::csrfIn(page->body);
    auto res = tls.Post("/staff/login", httplib::Headers{{"Cookie", "minyi_login=" + token}},
                        httplib::Params{{"csrf", token}, {"user", "admin"}, {"password", kPassword}});
    if (res) sessionCookie = Staff::setCookie(*res, "minyi_session");
  }
  api.stop();
  serving.join();
  REQUIRE(page);
  CHECK_THAT(loginCookie, Contains("; Secure"));
  CHECK_THAT(sessionCookie, Contains("; Secure"));
  CHECK_THAT(sessionCookie, Contains("HttpOnly"));
}

TEST_CASE("消息通知 lists the channels without their keys and the messages with their state, and a test message reaches the group",
          "[notify]") {
  RobotReceiver robot;
  server::ApiOptions options = Fixture::options();
  auto notify = std::make_shared<server::NotifyPolicy>();
  notify->dashboardUrl = "https://minyi.example.gov.cn";
  server::Channel group;
  group.name = "东湖社区群";
  group.url = robot.url();
  group.communities = {"donghu"};
  notify->channels.push_back(group);
  options.notify = notify;
  Fixture fx(options);
  Staff admin(fx.live);
  REQUIRE(admin.login("admin", kPassword) == 303);
  auto page = admin.get("/staff/notifications");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK_THAT(page->body, Contains("东湖社区群"));
  CHECK_THAT(page->body, Contains("企业微信群机器人"));
  CHECK_THAT(page->body, Contains("<td>127.0.0.1:"));
  CHECK_THAT(page->body, !Contains("test-key"));  // a robot's key is its password
  CHECK_THAT(page->body, Contains("还没有发出过消息"));

  auto sent = admin.post("/staff/notifications/test", {{"channel", "东湖社区群"}});
  REQUIRE(sent);
  CHECK(sent->status == 200);
  CHECK_THAT(sent->body, Contains("已向“东湖社区群”排队发送一条测试消息"));
  // The notifier's thread was woken for it; it has its own pace, so wait for the message (not for a time).
  for (int i = 0; i < 800 && (fx.live.store->recentNotifications(1).empty() ||
                              fx.live.store->recentNotifications(1)[0].state() != server::NotificationState::Sent); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(robot.accepted().size() == 1);
  CHECK_THAT(robot.accepted()[0], Contains("【民意】这是一条测试消息：“东湖社区群”渠道能收到民意系统的通知。"));
  CHECK_THAT(robot.accepted()[0], Contains("https://minyi.example.gov.cn/staff/notifications"));
  page = admin.get("/staff/notifications");
  CHECK_THAT(page->body, Contains("已发送（"));
  CHECK(fx.audited("notify_test", "admin"));
  CHECK_THAT(admin.post("/staff/notifications/test", {{"channel", "没有的群"}})->body, Contains("没有这个通知渠道"));
}
