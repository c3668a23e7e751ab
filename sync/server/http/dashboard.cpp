// The dashboard's frame: sessions, sign-in with throttling, CSRF and role checks on every route, headers, layout.
#include "minyi/server/connections.h"
#include "minyi/server/dashboard.h"

#include <httplib.h>

#include <cstdio>
#include <stdexcept>

#include "dashboard_assets.h"
#include "dashboard_impl.h"
#include "ticket_assets.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/times.h"
#include "minyi/server/export.h"

namespace minyi::server {

using core::Json;

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace dash {

std::string T(const std::string& key) { return esc(strings().get(key)); }
std::string TF(const std::string& key, const std::vector<std::string>& args) { return esc(strings().format(key, args)); }

std::string urlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
  return buf;
}

std::string number(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Context::param(const std::string& name) const {
  if (req.has_param(name.c_str())) return req.get_param_value(name.c_str());
  if (req.has_file(name.c_str())) return req.get_file_value(name.c_str()).content;
  return {};
}

std::string csrfTokenOf(const httplib::Request& req) {
  if (req.has_header("X-CSRF-Token")) return req.get_header_value("X-CSRF-Token");
  if (req.has_file("csrf")) return req.get_file_value("csrf").content;  // multipart: the form's own field
  if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0) return {};
  httplib::Params body;  // the body alone: cpp-httplib merges it with the query in req.params
  httplib::detail::parse_query_text(req.body, body);
  auto it = body.find("csrf");
  return it == body.end() ? std::string() : it->second;
}

std::string roleLabel(Role r) { return strings().get(std::string("role.") + roleName(r)); }

std::map<std::string, std::string> siteNames(ServerStore& store) {
  std::map<std::string, std::string> out;
  for (const Site& s : store.sites()) out[s.id] = s.name;
  return out;
}

SiteScope siteScope(const Context& ctx, ServerStore& store) {
  if (ctx.user.role != Role::Handler) return SiteScope::everySite();
  std::vector<std::string> ids;
  if (!ctx.user.communityId.empty())
    for (const Site& s : store.sites())
      if (s.communityId == ctx.user.communityId) ids.push_back(s.id);
  return SiteScope::sites(std::move(ids));
}

std::string siteScopeHint(const Context& ctx, ServerStore& store) {
  if (ctx.user.role != Role::Handler) return "";
  if (ctx.user.communityId.empty()) return band("warn", strings().get("scope.none"));
  std::string name = ctx.user.communityId;
  for (const Community& c : store.communities())
    if (c.id == ctx.user.communityId) name = c.name;
  return "<p class=\"hint\" id=\"scope\">" + TF("scope.community", {name}) + "</p>";
}

std::string framePage(const Context& ctx, const std::string& title, const std::string& active, const std::string& body) {
  struct Entry {
    const char* key;
    const char* path;
    bool adminOnly;
  };
  static const Entry menu[] = {
      {"nav.results", "/staff/results", false},   {"nav.participation", "/staff/participation", false},
      {"nav.submissions", "/staff/submissions", false}, {"nav.tickets", "/staff/tickets", false},
      {"nav.overdue", "/staff/tickets/overdue", false}, {"nav.ticketNumbers", "/staff/tickets/numbers", false},
      {"nav.ticketNotice", "/staff/tickets/notice", true},   {"nav.forms", "/staff/forms", true},
      {"nav.places", "/staff/places", true},      {"nav.devices", "/staff/devices", true},    {"nav.notices", "/staff/notices", true},
      {"nav.notifications", "/staff/notifications", true}, {"nav.users", "/staff/users", true},        {"nav.audit", "/staff/audit", true},
  };
  std::string nav;
  for (const Entry& e : menu) {
    // Hidden here only for tidiness: every route checks the role itself.
    if (e.adminOnly && !ctx.isAdmin()) continue;
    const bool on = active == e.path;
    nav += std::string("<a href=\"") + e.path + "\"" + (on ? " class=\"on\" aria-current=\"page\"" : "") + ">" +
           T(e.key) + "</a>";
  }
  const std::string who = ctx.user.displayName.empty() ? ctx.user.name : ctx.user.displayName;
  std::string html = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>" + esc(title) + " · " + T("app.name") + "</title>"
                     "<link rel=\"stylesheet\" href=\"/staff/static/style.css\"></head><body>"
                     "<header class=\"top\"><div class=\"brand\">" + T("app.name") + "</div>"
                     "<div class=\"who\"><span>" + esc(who) + "（" + esc(roleLabel(ctx.user.role)) + "）</span>" +
                     postForm(ctx, "/staff/logout", "<button type=\"submit\" class=\"link\">" + T("nav.logout") + "</button>",
                              "inline") +
                     "</div></header><nav class=\"menu\">" + nav + "</nav><main><h1>" + esc(title) + "</h1>" + body +
                     "</main><footer>" + T("app.footer") + "</footer></body></html>";
  return html;
}

std::string postForm(const Context& ctx, const std::string& action, const std::string& inner, const std::string& cssClass) {
  return "<form method=\"post\" action=\"" + esc(action) + "\"" + (cssClass.empty() ? "" : " class=\"" + esc(cssClass) + "\"") +
         "><input type=\"hidden\" name=\"csrf\" value=\"" + esc(ctx.session.csrfToken) + "\">" + inner + "</form>";
}

std::string band(const std::string& kind, const std::string& text) {
  return "<p class=\"band " + esc(kind) + "\" role=\"" + (kind == "error" ? "alert" : "status") + "\">" + esc(text) + "</p>";
}

std::string select(const std::string& name, const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& selected, const std::string& label) {
  std::string html = "<label>" + esc(label) + " <select name=\"" + esc(name) + "\">";
  for (const auto& [value, text] : options)
    html += "<option value=\"" + esc(value) + "\"" + (value == selected ? " selected" : "") + ">" + esc(text) + "</option>";
  return html + "</select></label>";
}

void sendHtml(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

void redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
}

}  // namespace dash

using namespace dash;

namespace {

constexpr const char* kSessionCookie = "minyi_session";
constexpr const char* kLoginCookie = "minyi_login";

std::string now() { return protocol::isoUtc(std::chrono::system_clock::now()); }

std::string cookie(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(at, end - at);
    const size_t b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 && part[name.size()] == '=')
      return part.substr(name.size() + 1);
    at = end + 1;
  }
  return {};
}

// Where to go after signing in: only a dashboard path of this server, never another site (open redirect).
std::string safeNext(const std::string& next) {
  if (next.rfind("/staff/", 0) != 0 || next.find("//") != std::string::npos || next.find('\\') != std::string::npos ||
      next.find_first_of("\r\n") != std::string::npos)
    return "/staff/results";
  return next;
}

// A bare page for those not signed in (the sign-in page, refusals).
std::string barePage(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + esc(title) + " · " +
         T("app.name") + "</title><link rel=\"stylesheet\" href=\"/staff/static/style.css\"></head><body class=\"bare\">"
         "<header class=\"top\"><div class=\"brand\">" + T("app.name") + "</div></header><main class=\"narrow\"><h1>" +
         esc(title) + "</h1>" + body + "</main></body></html>";
}

}  // namespace

struct Dashboard::Impl {
  ServerStore& store;
  DashboardOptions options;
  SignInGuard guard;
  RefusalSummary refusals;
  Pages pages;

  Impl(ServerStore& s, DashboardOptions o)
      : store(s), options(o), guard(o.accountLimits, o.addressLimits),
        pages{s, nullptr, o.maxFormUploadBytes, nullptr, nullptr, o.fleet, o.notify, o.wakeNotifier} {
    pages.policy = o.tickets ? o.tickets : std::make_shared<const TicketPolicy>();
    pages.exports = std::make_shared<ExportSlots>(std::max(1, o.exportsAtOnce));
    pages.audit = [this](const Context& ctx, const std::string& action, const std::string& target,
                         const std::string& detail) {
      store.addAudit({0, now(), ctx.user.name, action, target, detail, ctx.req.remote_addr});
    };
    strings();  // a broken string table stops the server at start, not at the first request
  }

  std::string sessionCookie(const std::string& value, int64_t maxAge) const {
    return std::string(kSessionCookie) + "=" + value + "; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(maxAge) + (options.secureCookies ? "; Secure" : "");
  }

  // Headers every dashboard reply carries: no script at all, nothing from elsewhere, not framed, not cached.
  static void securityHeaders(httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
                   "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  }

  void refuse(httplib::Response& res, int status, const std::string& titleKey, const std::string& textKey) {
    sendHtml(res, status, barePage(strings().get(titleKey), "<p>" + T(textKey) + "</p><p><a href=\"/staff/results\">" +
                                                             T("nav.back") + "</a></p>"));
  }

  using Route = std::function<void(Context&)>;

  // Every dashboard route but sign-in goes through here: the session, then the role, then (for POST) the
  // CSRF token. Nothing of the page runs before all three passed.
  httplib::Server::Handler guarded(Role minimum, Route route) {
    return [this, minimum, route](const httplib::Request& req, httplib::Response& res) {
      securityHeaders(res);
      try {
        const std::string token = cookie(req, kSessionCookie);
        std::optional<std::pair<StaffSession, User>> found;
        if (token.size() == 64) found = store.session(protocol::sha256Hex(token), now());
        if (!found) {
          if (req.method == "GET") return redirect(res, "/staff/login?next=" + urlEncode(req.path));
          return refuse(res, 403, "error.forbidden.title", "error.session");
        }
        Context ctx{req, res, std::move(found->second), std::move(found->first)};
        if (static_cast<int>(ctx.user.role) < static_cast<int>(minimum))
          return refuse(res, 403, "error.forbidden.title", "error.role");
        if (req.method == "POST" && !protocol::constantTimeEqual(csrfTokenOf(req), ctx.session.csrfToken))
          return refuse(res, 403, "error.forbidden.title", "error.csrf");
        route(ctx);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "minyi-server: %s %s: %s\n", req.method.c_str(), req.path.c_str(), e.what());
        refuse(res, 500, "error.internal.title", "error.internal");
      }
    };
  }

  void loginPage(const httplib::Request& req, httplib::Response& res, int status, const std::string& message) {
    securityHeaders(res);
    // Login CSRF: the form's token must match a cookie this server set, which another site cannot read or set.
    std::string token = cookie(req, kLoginCookie);
    if (token.size() != 32) token = protocol::randomHex(16);
    res.set_header("Set-Cookie", std::string(kLoginCookie) + "=" + token +
                                     "; Path=/staff/login; HttpOnly; SameSite=Strict; Max-Age=3600" +
                                     (options.secureCookies ? "; Secure" : ""));
    const std::string next = safeNext(req.get_param_value("next"));
    std::string body = message.empty() ? "" : band("error", message);
    body += "<form method=\"post\" action=\"/staff/login\" class=\"stack\">"
            "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(token) + "\">"
            "<input type=\"hidden\" name=\"next\" value=\"" + esc(next) + "\">"
            "<label>" + T("login.user") + " <input name=\"user\" autocomplete=\"username\" required autofocus></label>"
            "<label>" + T("login.password") + " <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
            "<button type=\"submit\">" + T("login.submit") + "</button></form>";
    sendHtml(res, status, barePage(strings().get("login.title"), body));
  }

  void login(const httplib::Request& req, httplib::Response& res) {
    securityHeaders(res);
    const std::string loginToken = cookie(req, kLoginCookie);
    if (loginToken.size() != 32 || !protocol::constantTimeEqual(csrfTokenOf(req), loginToken))
      return refuse(res, 403, "error.forbidden.title", "error.csrf");
    const std::string name = req.get_param_value("user").substr(0, 64);
    const std::string password = req.get_param_value("password");
    const std::string address = req.remote_addr;
    const int64_t wait = guard.waitSeconds(name, address);
    auto record = [&](const std::string& action, const std::string& detail) {
      store.addAudit({0, now(), name, action, name, detail, address});
    };
    // Refusals go to the operation log summarised: the first, then one row per 10 minutes with the count.
    const std::string refusalKey = name + "\n" + address;
    auto refused = [&](const std::string& why) {
      if (const int64_t n = refusals.refused(refusalKey))
        record("login_failed", n == 1 ? why : std::to_string(n) + " refused attempts since the last row, the latest: " + why);
    };
    if (wait > 0) {
      refused("locked, " + std::to_string(wait) + " s left");
      res.set_header("Retry-After", std::to_string(wait));
      return loginPage(req, res, 429, strings().format("login.locked", {std::to_string(wait)}));
    }
    auto user = store.user(name);
    // The same work for an unknown name as for a known one: the reply time does not tell which names exist.
    static const std::string dummy = hashPassword(protocol::randomHex(16));
    const bool ok = verifyPassword(user ? user->passwordHash : dummy, password) && user && !user->disabled();
    if (!ok) {
      guard.failed(name, address);
      refused(user && user->disabled() ? "disabled account" : "wrong name or password");
      return loginPage(req, res, 401, strings().get("login.failed"));
    }
    guard.succeeded(name);
    if (const int64_t n = refusals.take(refusalKey))
      record("login_failed", std::to_string(n) + " refused attempts before this sign-in");
    const std::string token = protocol::randomHex(32);
    const auto t = std::chrono::system_clock::now();
    store.addSession({protocol::sha256Hex(token), name, protocol::randomHex(32), protocol::isoUtc(t),
                      protocol::isoUtc(t + options.sessionLifetime)});
    record("login", "");
    res.set_header("Set-Cookie", sessionCookie(token, options.sessionLifetime.count()));
    redirect(res, safeNext(req.get_param_value("next")));
  }

  void logout(Context& ctx) {
    store.endSession(protocol::sha256Hex(cookie(ctx.req, kSessionCookie)));
    pages.audit(ctx, "logout", ctx.user.name, "");
    ctx.res.set_header("Set-Cookie", sessionCookie("", 0));
    redirect(ctx.res, "/staff/login");
  }
};

Dashboard::Dashboard(ServerStore& store, DashboardOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

Dashboard::~Dashboard() = default;

std::string Dashboard::errorPage(int status) {
  const std::string text = strings().get(status == 404 ? "error.notFound" : "error.internal");
  return barePage(std::to_string(status), "<p>" + esc(text) + "</p><p><a href=\"/staff/results\">" + T("nav.back") + "</a></p>");
}

bool Dashboard::signedIn(const httplib::Request& req) const {
  const std::string token = cookie(req, kSessionCookie);
  return token.size() == 64 && impl_->store.session(protocol::sha256Hex(token), now()).has_value();
}

bool Dashboard::owns(const std::string& path) { return path == "/" || path == "/staff" || path.rfind("/staff/", 0) == 0; }

void Dashboard::mount(Routes& http) {
  Impl& d = *impl_;
  Pages& p = d.pages;
  auto go = [](const char* to) {
    return [to](const httplib::Request&, httplib::Response& res) {
      Impl::securityHeaders(res);
      redirect(res, to);
    };
  };
  http.Get("/", go("/staff/results"));
  http.Get("/staff", go("/staff/results"));
  http.Get("/staff/", go("/staff/results"));
  http.Get("/staff/static/style.css", [](const httplib::Request&, httplib::Response& res) {
    Impl::securityHeaders(res);
    res.set_header("Cache-Control", "max-age=3600");
    res.set_content(std::string(assets::css()), "text/css; charset=utf-8");
  });
  http.Get("/staff/login", [&d](const httplib::Request& req, httplib::Response& res) { d.loginPage(req, res, 200, ""); });
  http.Post("/staff/login", [&d](const httplib::Request& req, httplib::Response& res) {
    try {
      d.login(req, res);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "minyi-server: POST /staff/login: %s\n", e.what());
      d.refuse(res, 500, "error.internal.title", "error.internal");
    }
  });
  http.Post("/staff/logout", d.guarded(Role::Viewer, [&d](Context& c) { d.logout(c); }));

  http.Get("/staff/results", d.guarded(Role::Viewer, [&p](Context& c) { p.results(c); }));
  http.Get("/staff/participation", d.guarded(Role::Viewer, [&p](Context& c) { p.participation(c); }));
  http.Get("/staff/submissions", d.guarded(Role::Viewer, [&p](Context& c) { p.submissions(c); }));
  http.Get("/staff/export.csv", d.guarded(Role::Viewer, [&p](Context& c) { p.exportFile(c, false); }));
  http.Get("/staff/export.xlsx", d.guarded(Role::Viewer, [&p](Context& c) { p.exportFile(c, true); }));

  // Tickets: everyone signed in reads (handlers only their community's), handlers and admins act on them.
  http.Get("/staff/tickets", d.guarded(Role::Viewer, [&p](Context& c) { p.tickets(c); }));
  http.Get("/staff/tickets/overdue", d.guarded(Role::Viewer, [&p](Context& c) { p.ticketsOverdue(c); }));
  http.Get("/staff/tickets/numbers", d.guarded(Role::Viewer, [&p](Context& c) { p.ticketNumbers(c, false); }));
  http.Get("/staff/tickets/numbers.csv", d.guarded(Role::Viewer, [&p](Context& c) { p.ticketNumbers(c, true); }));
  http.Get("/staff/tickets/notice", d.guarded(Role::Admin, [&p](Context& c) { p.ticketNoticeForm(c); }));
  http.Post("/staff/tickets/notice", d.guarded(Role::Admin, [&p](Context& c) { p.ticketNotice(c); }));
  http.Post("/staff/tickets/action", d.guarded(Role::Handler, [&p](Context& c) { p.ticketAction(c); }));
  http.Get(R"(/staff/tickets/([0-9A-Z]{10}))",
           d.guarded(Role::Viewer, [&p](Context& c) { p.ticketPage(c, c.req.matches[1].str()); }));

  http.Get("/staff/forms", d.guarded(Role::Admin, [&p](Context& c) { p.forms(c); }));
  http.Post("/staff/forms/upload", d.guarded(Role::Admin, [&p](Context& c) { p.formUpload(c); }));
  http.Post("/staff/forms/activate", d.guarded(Role::Admin, [&p](Context& c) { p.formActivate(c); }));
  http.Get("/staff/places", d.guarded(Role::Admin, [&p](Context& c) { p.places(c); }));
  http.Post("/staff/places/community", d.guarded(Role::Admin, [&p](Context& c) { p.communityAdd(c); }));
  http.Post("/staff/places/site", d.guarded(Role::Admin, [&p](Context& c) { p.siteAdd(c); }));
  http.Post("/staff/places/households", d.guarded(Role::Admin, [&p](Context& c) { p.householdsSet(c); }));
  http.Get("/staff/devices", d.guarded(Role::Admin, [&p](Context& c) { p.devices(c); }));
  http.Post("/staff/devices/add", d.guarded(Role::Admin, [&p](Context& c) { p.deviceAdd(c); }));
  http.Post("/staff/devices/revoke", d.guarded(Role::Admin, [&p](Context& c) { p.deviceRevoke(c); }));
  http.Get("/staff/notices", d.guarded(Role::Admin, [&p](Context& c) { p.notices(c); }));
  http.Post("/staff/notices/publish", d.guarded(Role::Admin, [&p](Context& c) { p.noticePublish(c); }));
  http.Post("/staff/notices/withdraw", d.guarded(Role::Admin, [&p](Context& c) { p.noticeWithdraw(c); }));
  http.Get("/staff/notifications", d.guarded(Role::Admin, [&p](Context& c) { p.notifications(c); }));
  http.Post("/staff/notifications/test", d.guarded(Role::Admin, [&p](Context& c) { p.notifyTest(c); }));
  http.Get("/staff/users", d.guarded(Role::Admin, [&p](Context& c) { p.users(c); }));
  http.Post("/staff/users/add", d.guarded(Role::Admin, [&p](Context& c) { p.userAdd(c); }));
  http.Post("/staff/users/password", d.guarded(Role::Admin, [&p](Context& c) { p.userPassword(c); }));
  http.Post("/staff/users/disable", d.guarded(Role::Admin, [&p](Context& c) { p.userDisable(c); }));
  http.Get("/staff/audit", d.guarded(Role::Admin, [&p](Context& c) { p.auditLog(c); }));
}

}  // namespace minyi::server
