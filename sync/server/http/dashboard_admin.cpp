// The dashboard's admin pages: forms (upload, engine diagnostics, activation), kiosks, notices, staff accounts, audit log.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "dashboard_impl.h"
#include "minyi/core/form_loader.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/times.h"

namespace minyi::server::dash {

using core::Json;

namespace {

constexpr auto kCodeValidity = std::chrono::hours(24);  // as `minyi device add` (docs/server.md)

std::string nowIso() { return protocol::isoUtc(std::chrono::system_clock::now()); }

// "3 分钟前" for a time in the past: how stale a kiosk is matters more than the clock time.
std::string ago(const std::string& iso) {
  if (iso.empty()) return strings().get("devices.never");
  const auto then = epochMinutes(iso), current = epochMinutes(nowIso());
  if (!then || !current) return chinaTime(iso);
  const int64_t m = std::max<int64_t>(0, *current - *then);
  if (m < 60) return strings().format("time.minutesAgo", {std::to_string(m)});
  if (m < 48 * 60) return strings().format("time.hoursAgo", {std::to_string(m / 60)});
  return chinaTime(iso);
}

// "320 MB", "12.3 GB": free disk as IT reads it.
std::string bytes(int64_t n) {
  char text[32];
  if (n >= (int64_t{1} << 30)) std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(n) / (1 << 30));
  else std::snprintf(text, sizeof text, "%lld MB", static_cast<long long>(n >> 20));
  return text;
}

// "3 小时", "2 天": a span of time as IT reads it.
std::string span(int64_t minutes) {
  if (minutes < 60) return strings().format("time.minutes", {std::to_string(minutes)});
  if (minutes < 48 * 60) return strings().format("time.hours", {std::to_string(minutes / 60)});
  return strings().format("time.days", {std::to_string(minutes / (24 * 60))});
}

// A kiosk's health on 终端管理: what needs a look first (warn lines), then what it last said of itself.
std::string deviceHealth(const Device& d, const KioskAlerts& alerts) {
  std::string out;
  auto warn = [&](const std::string& text) { out += "<span class=\"warn\">" + esc(text) + "</span><br>"; };
  if (alerts.silentFor) warn(strings().format("devices.silent", {span(alerts.silentFor->count())}));
  if (alerts.diskFreeBytes) warn(strings().format("devices.lowDisk", {bytes(*alerts.diskFreeBytes)}));
  if (alerts.backlogWaiting) warn(strings().format("devices.backlogStuck", {span(alerts.backlogWaiting->count())}));
  if (!d.report) return out.empty() ? "—" : out;
  const protocol::KioskReport& r = *d.report;
  std::vector<std::string> facts;
  if (r.diskFreeBytes && !alerts.diskFreeBytes) facts.push_back(strings().format("devices.diskFree", {bytes(*r.diskFreeBytes)}));
  if (!r.screen.empty()) facts.push_back(strings().format("devices.screen", {r.screen}));
  if (r.appUptimeSeconds) facts.push_back(strings().format("devices.appUptime", {span(*r.appUptimeSeconds / 60)}));
  if (r.bootUptimeSeconds) facts.push_back(strings().format("devices.bootUptime", {span(*r.bootUptimeSeconds / 60)}));
  std::string line;
  for (const std::string& f : facts) line += (line.empty() ? "" : " · ") + f;
  if (!line.empty()) out += "<span class=\"sub\">" + esc(line) + "</span>";
  if (!r.lastError.empty()) out += "<span class=\"sub\">" + esc(strings().format("devices.lastError", {r.lastError})) + "</span>";
  return out;
}

std::vector<std::pair<std::string, std::string>> siteOptions(ServerStore& store, bool withAll) {
  std::vector<std::pair<std::string, std::string>> out;
  if (withAll) out.push_back({kAllSites, strings().get("filter.allSites")});
  for (const Site& s : store.sites()) out.push_back({s.id, s.name});
  return out;
}

std::string loc(const Json& texts, const char* lang = "zh-cn") {
  if (texts.is_object() && texts.contains(lang) && texts[lang].is_string()) return texts[lang].get<std::string>();
  return {};
}

}  // namespace

// ---------------------------------------------------------------- forms

void Pages::forms(Context& ctx, const std::string& message, const std::string& kind, const std::string& extra) {
  const auto sites = siteNames(store);
  std::map<std::pair<std::string, int>, int64_t> counts;
  for (const auto& [key, n] : store.submissionCountsByForm()) counts[key] = n;
  std::map<std::pair<std::string, int>, std::vector<std::string>> activeAt;
  for (const Activation& a : store.activations())
    activeAt[{a.formId, a.version}].push_back(a.siteId == kAllSites ? strings().get("filter.allSites")
                                                                      : (sites.count(a.siteId) ? sites.at(a.siteId) : a.siteId));
  std::string body = message.empty() ? "" : band(kind, message);
  body += extra;
  body += "<table class=\"grid\" id=\"forms\"><thead><tr><th>" + T("forms.id") + "</th><th>" + T("forms.title") +
          "</th><th class=\"num\">" + T("forms.version") + "</th><th>" + T("forms.kind") + "</th><th>" + T("forms.uploadedAt") +
          "</th><th class=\"num\">" + T("results.submissions") + "</th><th>" + T("forms.activeAt") + "</th><th>" +
          T("forms.activate") + "</th></tr></thead><tbody>";
  const auto options = siteOptions(store, true);
  for (const StoredForm& f : store.forms()) {
    auto loaded = formCache().get(f);
    std::string active;
    for (const std::string& s : activeAt[{f.id, f.version}]) active += (active.empty() ? "" : "、") + s;
    const std::string activate = postForm(
        ctx, "/staff/forms/activate",
        "<input type=\"hidden\" name=\"form\" value=\"" + esc(f.id) + "\"><input type=\"hidden\" name=\"version\" value=\"" +
            std::to_string(f.version) + "\">" + select("site", options, kAllSites, strings().get("forms.at")) +
            "<button type=\"submit\">" + T("forms.activate") + "</button>",
        "inline");
    body += "<tr><td><code>" + esc(f.id) + "</code></td><td>" + esc(loaded ? loaded->form->title.get("zh-cn") : "") +
            "</td><td class=\"num\">" + std::to_string(f.version) + "</td><td>" + T("kind." + f.kind) + "</td><td>" +
            esc(when(f.uploadedAt)) + "</td><td class=\"num\">" + esc(number(counts[{f.id, f.version}])) + "</td><td>" +
            (active.empty() ? T("forms.notActive") : esc(active)) + "</td><td>" + activate + "</td></tr>";
  }
  body += "</tbody></table><h2>" + T("forms.uploadTitle") + "</h2><p class=\"hint\">" + T("forms.uploadHint") + "</p>";
  body += "<form method=\"post\" action=\"/staff/forms/upload\" enctype=\"multipart/form-data\" class=\"stack\">"
          "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(ctx.session.csrfToken) + "\">"
          "<label>" + T("forms.file") + " <input type=\"file\" name=\"file\" accept=\".json,application/json\" required></label>" +
          select("activate", [&] {
            auto o = options;
            o.insert(o.begin(), {"", strings().get("forms.dontActivate")});
            return o;
          }(), "", strings().get("forms.activateAt")) +
          "<button type=\"submit\">" + T("forms.upload") + "</button></form>";
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.forms"), "/staff/forms", body));
}

void Pages::formUpload(Context& ctx) {
  const std::string text = ctx.param("file");
  const std::string fileName = ctx.req.has_file("file") ? ctx.req.get_file_value("file").filename : "";
  if (text.empty()) return forms(ctx, strings().get("forms.noFile"), "error");
  if (text.size() > maxFormUploadBytes) return forms(ctx, strings().get("forms.tooLarge"), "error");
  auto result = core::loadFormText(text, "form");
  // The engine's own words for every problem, as `minyi form check` prints them.
  std::string diagnostics;
  for (const core::Diagnostic& d : result.diagnostics) {
    const bool error = d.severity == core::Diagnostic::Severity::Error;
    diagnostics += std::string("<li class=\"") + (error ? "error" : "warn") + "\"><strong>" +
                   T(error ? "forms.error" : "forms.warning") + "</strong> <code>" + esc(d.path.empty() ? "(form)" : d.path) +
                   "</code> " + esc(d.message) + "</li>";
  }
  if (!diagnostics.empty()) diagnostics = "<h2>" + T("forms.diagnostics") + "</h2><ul class=\"diagnostics\">" + diagnostics + "</ul>";
  if (!result.ok()) {
    audit(ctx, "form_upload_refused", fileName, std::to_string(result.diagnostics.size()) + " diagnostics");
    return forms(ctx, strings().format("forms.refused", {fileName}), "error", diagnostics);
  }
  const core::MinyiSettings& m = result.form->minyi;
  StoredForm f{m.id, m.version, protocol::formContentHash(text), m.kind, text, nowIso()};
  const std::string name = f.id + " v" + std::to_string(f.version);
  std::string message, kind = "ok";
  switch (store.addForm(f)) {
    case FormAdded::New:
      message = strings().format("forms.uploaded", {name});
      audit(ctx, "form_upload", name, f.kind);
      break;
    case FormAdded::AlreadyThere: message = strings().format("forms.already", {name}); break;
    case FormAdded::VersionTaken:
      return forms(ctx, strings().format("forms.versionTaken", {name}), "error", diagnostics);
  }
  const std::string at = ctx.param("activate");
  if (!at.empty()) {
    if (!store.activateForm(f.id, f.version, at, nowIso())) return forms(ctx, strings().get("forms.badSite"), "error", diagnostics);
    audit(ctx, "form_activate", name, at == kAllSites ? "all sites" : at);
    message += " " + strings().get("forms.activated");
  }
  forms(ctx, message, kind, diagnostics);
}

void Pages::formActivate(Context& ctx) {
  int version = 0;
  try {
    version = std::stoi(ctx.param("version"));
  } catch (...) {
    return forms(ctx, strings().get("forms.badVersion"), "error");
  }
  const std::string id = ctx.param("form"), site = ctx.param("site");
  if (!store.activateForm(id, version, site, nowIso())) return forms(ctx, strings().get("forms.badSite"), "error");
  const std::string name = id + " v" + std::to_string(version);
  audit(ctx, "form_activate", name, site == kAllSites ? "all sites" : site);
  forms(ctx, strings().format("forms.activatedAt", {name, site == kAllSites ? strings().get("filter.allSites") : site}), "ok");
}

// ---------------------------------------------------------------- devices

void Pages::devices(Context& ctx, const std::string& message, const std::string& kind, const std::string& extra) {
  const auto sites = siteNames(store);
  std::string body = message.empty() ? "" : band(kind, message);
  body += extra;
  std::string table = "<div class=\"scroll\"><table class=\"grid\" id=\"devices\"><thead><tr><th>" + T("devices.id") + "</th><th>" + T("devices.name") +
          "</th><th>" + T("devices.site") + "</th><th>" + T("devices.state") + "</th><th>" + T("devices.lastContact") +
          "</th><th class=\"num\">" + T("devices.backlog") + "</th><th>" + T("devices.health") + "</th><th>" + T("devices.version") + "</th><th>" +
          T("devices.lastRefusal") + "</th><th></th></tr></thead><tbody>";
  const std::string n = nowIso();
  const auto nowTp = std::chrono::system_clock::now();
  const std::vector<Device> devices = store.devices();
  // A kiosk enrolled again has a new device id but keeps its own id: IT sees which rows are one machine.
  std::map<std::string, std::vector<std::string>> byKiosk;
  for (const Device& d : devices)
    if (!d.kioskId.empty()) byKiosk[d.kioskId].push_back(d.id);
  int flagged = 0;
  for (const Device& d : devices) {
    std::string state, cls;
    const KioskAlerts alerts = kioskAlerts(d, fleet, nowTp);
    if (alerts.any()) ++flagged, cls = "warn";
    if (d.revoked()) state = strings().format("devices.revoked", {when(d.revokedAt)}), cls = "muted";
    else if (!d.enrolledAt.empty()) state = strings().format("devices.enrolled", {when(d.enrolledAt)});
    else if (d.codeExpiresAt < n) state = strings().get("devices.codeExpired"), cls = "warn";
    else state = strings().format("devices.waiting", {when(d.codeExpiresAt)});
    const std::string revoke =
        d.revoked() ? ""
                    : postForm(ctx, "/staff/devices/revoke",
                               "<input type=\"hidden\" name=\"id\" value=\"" + esc(d.id) + "\"><button type=\"submit\" class=\"danger\">" +
                                   T("devices.revoke") + "</button>",
                               "inline");
    // A kiosk clock off by more than a few minutes files its answers in the wrong hour or week.
    std::string clock;
    if (d.clockSkewSeconds && std::chrono::seconds(std::llabs(*d.clockSkewSeconds)) > protocol::kClockTolerance)
      clock = " <span class=\"warn\">" +
              esc(strings().format(*d.clockSkewSeconds > 0 ? "devices.clockAhead" : "devices.clockBehind",
                                   {number(std::llabs(*d.clockSkewSeconds) / 60)})) + "</span>";
    std::string backlog = "—";
    if (d.lastBacklog) backlog = esc(number(*d.lastBacklog));
    std::string own;
    if (!d.kioskId.empty()) {
      own = "<br><span class=\"sub\">" + esc(strings().format("devices.kioskId", {d.kioskId})) + "</span>";
      for (const std::string& other : byKiosk[d.kioskId])
        if (other != d.id) own += "<br><span class=\"sub\">" + esc(strings().format("devices.sameKiosk", {other})) + "</span>";
    }
    table += "<tr" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + "><td><code>" + esc(d.id) + "</code>" + own + "</td><td>" +
            esc(d.name) + "</td><td>" + esc(sites.count(d.siteId) ? sites.at(d.siteId) : d.siteId) + "</td><td>" + esc(state) +
            "</td><td title=\"" + esc(when(d.lastContact)) + "\">" + esc(ago(d.lastContact)) + clock + "</td><td class=\"num\">" +
            backlog + "</td><td>" + deviceHealth(d, alerts) + "</td><td>" + esc(d.appVersion) + "</td><td class=\"text\">" +
            (d.lastRefusal.empty() ? "—" : esc(d.lastRefusal) + " <span class=\"sub\">" + esc(when(d.lastRefusalAt)) + "</span>") +
            "</td><td>" + revoke + "</td></tr>";
  }
  // What needs IT first: the kiosks silent in opening hours, short of disk or not getting their answers out.
  if (flagged > 0) body += band("warn", strings().format("devices.flagged", {std::to_string(flagged)}));
  body += table + "</tbody></table></div><p class=\"hint\">" +
          TF("devices.fleetHint", {std::to_string(fleet.silentAfter.count() / 60), bytes(fleet.lowDiskBytes)}) + "</p><h2>" +
          T("devices.addTitle") + "</h2>";
  // A kiosk belongs to a site: with none yet, say where they are added instead of an empty choice.
  if (sites.empty()) {
    body += "<p class=\"hint\"><a href=\"/staff/places\">" + T("devices.noSites") + "</a></p>";
    return sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.devices"), "/staff/devices", body));
  }
  body += postForm(ctx, "/staff/devices/add",
                   select("site", siteOptions(store, false), "", strings().get("devices.site")) + "<label>" +
                       T("devices.name") + " <input name=\"name\" maxlength=\"60\" placeholder=\"" + T("devices.namePlaceholder") +
                       "\"></label><button type=\"submit\">" + T("devices.add") + "</button>",
                   "stack");
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.devices"), "/staff/devices", body));
}

void Pages::deviceAdd(Context& ctx) {
  const std::string siteId = ctx.param("site");
  std::string name = ctx.param("name").substr(0, 180);
  auto site = store.site(siteId);
  if (!site) return devices(ctx, strings().get("devices.badSite"), "error");
  const std::string id = "kiosk-" + protocol::randomHex(4);
  const std::string code = protocol::randomCrockford(10);
  const std::string expires = protocol::isoUtc(std::chrono::system_clock::now() + kCodeValidity);
  if (!store.addDevice({id, siteId, name, protocol::sha256Hex(code), expires, nowIso()}))
    return devices(ctx, strings().get("devices.addFailed"), "error");
  audit(ctx, "device_add", id, siteId);
  // Shown this once: the server keeps only the code's hash.
  const std::string shown = "<div class=\"code-box\" role=\"status\"><p>" + TF("devices.codeFor", {id, site->name}) +
                            "</p><p class=\"code\" id=\"enrollment-code\">" + esc(protocol::groupCode(code)) + "</p><p>" +
                            TF("devices.codeHint", {when(expires)}) + "</p></div>";
  devices(ctx, "", "", shown);
}

void Pages::deviceRevoke(Context& ctx) {
  const std::string id = ctx.param("id");
  if (!store.revokeDevice(id, nowIso())) return devices(ctx, strings().get("devices.unknown"), "error");
  audit(ctx, "device_revoke", id, "");
  devices(ctx, strings().format("devices.revokedNow", {id}), "ok");
}

// ---------------------------------------------------------------- notices

void Pages::notices(Context& ctx, const std::string& message, const std::string& kind) {
  const auto sites = siteNames(store);
  const std::string n = nowIso();
  std::string body = message.empty() ? "" : band(kind, message);
  body += "<table class=\"grid\" id=\"notices\"><thead><tr><th>" + T("notices.title") + "</th><th>" + T("notices.body") +
          "</th><th>" + T("notices.sites") + "</th><th>" + T("notices.published") + "</th><th>" + T("notices.until") +
          "</th><th>" + T("notices.state") + "</th><th></th></tr></thead><tbody>";
  for (const NoticeRecord& r : store.allNotices(200)) {
    std::string where;
    for (const std::string& s : r.siteIds)
      where += (where.empty() ? "" : "、") + (s == kAllSites ? strings().get("filter.allSites") : sites.count(s) ? sites.at(s) : s);
    std::string state = strings().get("notices.shown");
    const bool live = r.withdrawnAt.empty() && (r.notice.until.empty() || r.notice.until > n);
    if (!r.withdrawnAt.empty()) state = strings().format("notices.withdrawn", {when(r.withdrawnAt)});
    else if (!live) state = strings().get("notices.expired");
    const std::string withdraw =
        live ? postForm(ctx, "/staff/notices/withdraw",
                        "<input type=\"hidden\" name=\"id\" value=\"" + esc(r.notice.id) + "\"><button type=\"submit\" class=\"danger\">" +
                            T("notices.withdraw") + "</button>",
                        "inline")
             : "";
    body += "<tr" + std::string(live ? "" : " class=\"muted\"") + "><td>" + esc(loc(r.notice.title)) + "</td><td class=\"text\">" +
            esc(loc(r.notice.body)) + "</td><td>" + esc(where) + "</td><td>" + esc(when(r.notice.publishedAt)) + "</td><td>" +
            esc(when(r.notice.until)) + "</td><td>" + esc(state) + "</td><td>" + withdraw + "</td></tr>";
  }
  std::string siteBoxes = "<fieldset><legend>" + T("notices.sites") + "</legend><label><input type=\"checkbox\" name=\"site\" value=\"*\" checked> " +
                          T("filter.allSites") + "</label>";
  for (const Site& s : store.sites())
    siteBoxes += "<label><input type=\"checkbox\" name=\"site\" value=\"" + esc(s.id) + "\"> " + esc(s.name) + "</label>";
  siteBoxes += "</fieldset>";
  body += "</tbody></table><h2>" + T("notices.publishTitle") + "</h2>" +
          postForm(ctx, "/staff/notices/publish",
                   "<label>" + T("notices.titleZhCn") + " <input name=\"title\" maxlength=\"100\" required></label>"
                   "<label>" + T("notices.bodyZhCn") + " <textarea name=\"body\" rows=\"4\" maxlength=\"2000\" required></textarea></label>"
                   "<label>" + T("notices.titleEn") + " <input name=\"title_en\" maxlength=\"200\"></label>"
                   "<label>" + T("notices.bodyEn") + " <textarea name=\"body_en\" rows=\"2\" maxlength=\"4000\"></textarea></label>" +
                       siteBoxes + "<label>" + T("notices.untilDate") + " <input type=\"date\" name=\"until\"></label>"
                   "<p class=\"hint\">" + T("notices.untilHint") + "</p><button type=\"submit\">" + T("notices.publish") + "</button>",
                   "stack");
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.notices"), "/staff/notices", body));
}

void Pages::noticePublish(Context& ctx) {
  protocol::Notice n;
  n.id = "notice-" + protocol::randomHex(6);
  n.publishedAt = nowIso();
  const std::string title = ctx.param("title"), text = ctx.param("body");
  if (!title.empty()) n.title["zh-cn"] = title;
  if (!text.empty()) n.body["zh-cn"] = text;
  if (!ctx.param("title_en").empty()) n.title["en"] = ctx.param("title_en");
  if (!ctx.param("body_en").empty()) n.body["en"] = ctx.param("body_en");
  const std::string until = ctx.param("until");  // a date: shown through that whole day, China time
  if (!until.empty()) {
    if (until.size() != 10 || weekOf(until + "T00:00:00Z").empty()) return notices(ctx, strings().get("notices.badDate"), "error");
    // The end of that day in China (UTC+8) is 16:00 UTC the same day.
    n.until = until + "T16:00:00Z";
    if (n.until <= n.publishedAt) return notices(ctx, strings().get("notices.pastDate"), "error");
  }
  std::vector<std::string> sites;
  for (size_t i = 0, count = ctx.req.get_param_value_count("site"); i < count; ++i)
    sites.push_back(ctx.req.get_param_value("site", i));
  if (std::find(sites.begin(), sites.end(), kAllSites) != sites.end() || sites.empty()) sites = {kAllSites};
  // The kiosk checks every notice with the protocol's parser: the same check here, so none is refused there.
  std::string why;
  if (!protocol::parseNotice(protocol::toJson(n), &why)) return notices(ctx, strings().format("notices.invalid", {why}), "error");
  if (!store.addNotice({n, sites})) return notices(ctx, strings().get("notices.badSite"), "error");
  std::string where;
  for (const std::string& s : sites) where += (where.empty() ? "" : ",") + s;
  audit(ctx, "notice_publish", n.id, where);
  notices(ctx, strings().get("notices.publishedNow"), "ok");
}

void Pages::noticeWithdraw(Context& ctx) {
  const std::string id = ctx.param("id");
  if (!store.withdrawNotice(id, nowIso())) return notices(ctx, strings().get("notices.unknown"), "error");
  audit(ctx, "notice_withdraw", id, "");
  notices(ctx, strings().get("notices.withdrawnNow"), "ok");
}

// ---------------------------------------------------------------- users

void Pages::users(Context& ctx, const std::string& message, const std::string& kind) {
  std::string body = message.empty() ? "" : band(kind, message);
  body += "<table class=\"grid\" id=\"users\"><thead><tr><th>" + T("users.name") + "</th><th>" + T("users.display") + "</th><th>" +
          T("users.role") + "</th><th>" + T("users.created") + "</th><th>" + T("users.state") + "</th><th>" +
          T("users.newPassword") + "</th><th></th></tr></thead><tbody>";
  for (const User& u : store.users()) {
    const std::string hidden = "<input type=\"hidden\" name=\"name\" value=\"" + esc(u.name) + "\">";
    const std::string password =
        u.disabled() ? ""
                     : postForm(ctx, "/staff/users/password",
                                hidden + "<input type=\"password\" name=\"password\" autocomplete=\"new-password\" aria-label=\"" +
                                    T("users.newPassword") + "\" minlength=\"10\" required><button type=\"submit\">" +
                                    T("users.setPassword") + "</button>",
                                "inline");
    const std::string disable =
        u.disabled() || u.name == ctx.user.name
            ? ""
            : postForm(ctx, "/staff/users/disable", hidden + "<button type=\"submit\" class=\"danger\">" + T("users.disable") + "</button>",
                       "inline");
    body += "<tr" + std::string(u.disabled() ? " class=\"muted\"" : "") + "><td><code>" + esc(u.name) + "</code></td><td>" +
            esc(u.displayName) + "</td><td>" + esc(roleLabel(u.role)) +
            (u.communityId.empty() ? "" : " <span class=\"sub\">" + esc(u.communityId) + "</span>") + "</td><td>" + esc(when(u.createdAt)) + "</td><td>" +
            (u.disabled() ? TF("users.disabledAt", {when(u.disabledAt)}) : T("users.active")) + "</td><td>" + password +
            "</td><td>" + disable + "</td></tr>";
  }
  std::vector<std::pair<std::string, std::string>> roles;
  for (Role r : {Role::Viewer, Role::Handler, Role::Admin}) roles.push_back({roleName(r), roleLabel(r)});
  body += "</tbody></table><p class=\"hint\">" + T("users.rolesHint") + "</p><h2>" + T("users.addTitle") + "</h2>" +
          postForm(ctx, "/staff/users/add",
                   "<label>" + T("users.name") + " <input name=\"name\" pattern=\"[a-z0-9._\\-]{2,32}\" required></label><label>" +
                       T("users.display") + " <input name=\"display\" maxlength=\"40\"></label>" +
                       select("role", roles, "viewer", strings().get("users.role")) + [&] {
                         // A handler's community: the tickets the handler sees and handles (issue #5).
                         std::vector<std::pair<std::string, std::string>> communities = {{"", strings().get("users.noCommunity")}};
                         for (const Community& c : store.communities()) communities.push_back({c.id, c.name});
                         return select("community", communities, "", strings().get("users.community"));
                       }() + "<label>" + T("users.password") +
                       " <input type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"10\" required></label>"
                       "<button type=\"submit\">" + T("users.add") + "</button>",
                   "stack");
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.users"), "/staff/users", body));
}

void Pages::userAdd(Context& ctx) {
  const std::string name = ctx.param("name"), password = ctx.param("password");
  auto role = roleFromName(ctx.param("role"));
  if (!validUserName(name)) return users(ctx, strings().get("users.badName"), "error");
  if (!role) return users(ctx, strings().get("users.badRole"), "error");
  if (auto problem = passwordProblem(password); !problem.empty())
    return users(ctx, strings().get("users.weakPassword"), "error");
  // A handler without a community sees no tickets until one is set (the ticket pages say so).
  const std::string community = ctx.param("community");
  User u{name, *role, ctx.param("display").substr(0, 120), hashPassword(password), nowIso(), "", community};
  if (!store.addUser(u)) return users(ctx, strings().format("users.taken", {name}), "error");
  audit(ctx, "user_add", name, std::string(roleName(*role)) + (community.empty() ? "" : " " + community));
  users(ctx, strings().format("users.added", {name}), "ok");
}

void Pages::userPassword(Context& ctx) {
  const std::string name = ctx.param("name"), password = ctx.param("password");
  if (auto problem = passwordProblem(password); !problem.empty())
    return users(ctx, strings().get("users.weakPassword"), "error");
  if (!store.setPasswordHash(name, hashPassword(password))) return users(ctx, strings().get("users.unknown"), "error");
  audit(ctx, "user_password", name, "");
  // Changing one's own password ends one's own session too: sign in again with the new one.
  if (name == ctx.user.name) return redirect(ctx.res, "/staff/login");
  users(ctx, strings().format("users.passwordSet", {name}), "ok");
}

void Pages::userDisable(Context& ctx) {
  const std::string name = ctx.param("name");
  if (name == ctx.user.name) return users(ctx, strings().get("users.notYourself"), "error");
  if (!store.disableUser(name, nowIso())) return users(ctx, strings().get("users.unknown"), "error");
  audit(ctx, "user_disable", name, "");
  users(ctx, strings().format("users.disabled", {name}), "ok");
}

// ---------------------------------------------------------------- audit

void Pages::auditLog(Context& ctx) {
  int64_t before = 0;
  try {
    before = ctx.param("before").empty() ? 0 : std::stoll(ctx.param("before"));
  } catch (...) {
    before = 0;
  }
  const auto entries = store.audit(200, before);
  std::string body = "<table class=\"grid dense\" id=\"audit\"><thead><tr><th>" + T("audit.at") + "</th><th>" + T("audit.actor") +
                     "</th><th>" + T("audit.action") + "</th><th>" + T("audit.target") + "</th><th>" + T("audit.detail") +
                     "</th><th>" + T("audit.address") + "</th></tr></thead><tbody>";
  for (const AuditEntry& a : entries) {
    const std::string action = strings().get("action." + a.action);
    body += "<tr><td class=\"nowrap\">" + esc(when(a.at)) + "</td><td>" + esc(a.actor) + "</td><td>" +
            esc(action.rfind("[[", 0) == 0 ? a.action : action) + "</td><td>" + esc(a.target) + "</td><td>" + esc(a.detail) +
            "</td><td>" + esc(a.address) + "</td></tr>";
  }
  body += "</tbody></table>";
  if (entries.size() == 200)
    body += "<p class=\"pager\"><a class=\"button\" href=\"/staff/audit?before=" + std::to_string(entries.back().id) + "\">" +
            T("audit.older") + "</a></p>";
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.audit"), "/staff/audit", body));
}

}  // namespace minyi::server::dash
