// The dashboard's places page (地点管理): the township's communities with their households, its sites, and adding them.
#include <map>

#include "dashboard_impl.h"
#include "minyi/server/places.h"

namespace minyi::server::dash {

namespace {

// Households as typed: digits only, at most a county's worth; nullopt for anything else.
std::optional<int64_t> householdsFrom(const std::string& text) {
  if (text.empty() || text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(text);
}

}  // namespace

void Pages::places(Context& ctx, const std::string& message, const std::string& kind) {
  const std::vector<Community> communities = store.communities();
  const std::vector<Site> sites = store.sites();
  std::map<std::string, int> kiosksAt, sitesIn;
  for (const Device& d : store.devices())
    if (!d.revoked()) ++kiosksAt[d.siteId];
  for (const Site& s : sites) ++sitesIn[s.communityId];
  std::map<std::string, std::string> communityName;
  for (const Community& c : communities) communityName[c.id] = c.name;

  std::string body = message.empty() ? "" : band(kind, message);
  // A new township starts here: nothing can be enrolled or counted until its places exist.
  if (communities.empty() && sites.empty()) body += band("warn", strings().get("places.none"));

  body += "<h2>" + T("places.communities") + "</h2><div class=\"scroll\"><table class=\"grid\" id=\"communities\"><thead><tr><th>" + T("places.id") +
          "</th><th>" + T("places.name") + "</th><th class=\"num\">" + T("places.sites") + "</th><th>" + T("places.households") +
          "</th></tr></thead><tbody>";
  for (const Community& c : communities) {
    const std::string households =
        postForm(ctx, "/staff/places/households",
                 "<input type=\"hidden\" name=\"id\" value=\"" + esc(c.id) + "\"><input name=\"households\" inputmode=\"numeric\" "
                 "pattern=\"[0-9]{1,7}\" required size=\"7\" value=\"" + std::to_string(c.households) + "\" aria-label=\"" +
                     TF("places.householdsOf", {c.name}) + "\"><button type=\"submit\">" + T("places.save") + "</button>",
                 "inline");
    body += "<tr><td><code>" + esc(c.id) + "</code></td><td>" + esc(c.name) + "</td><td class=\"num\">" +
            number(sitesIn[c.id]) + "</td><td>" + households + "</td></tr>";
  }
  body += "</tbody></table></div><p class=\"hint\">" + T("places.householdsHint") + "</p>";

  body += "<h2>" + T("places.siteList") + "</h2><div class=\"scroll\"><table class=\"grid\" id=\"sites\"><thead><tr><th>" + T("places.id") + "</th><th>" +
          T("places.name") + "</th><th>" + T("places.community") + "</th><th class=\"num\">" + T("places.kiosks") +
          "</th></tr></thead><tbody>";
  for (const Site& s : sites) {
    const std::string in = s.communityId.empty() ? strings().get("places.townshipWide")
                            : communityName.count(s.communityId) ? communityName[s.communityId] : s.communityId;
    body += "<tr><td><code>" + esc(s.id) + "</code></td><td>" + esc(s.name) + "</td><td>" + esc(in) + "</td><td class=\"num\">" +
            number(kiosksAt[s.id]) + "</td></tr>";
  }
  body += "</tbody></table></div>";

  const std::string idHint = " pattern=\"[a-z0-9\\-]{1,40}\" required title=\"" + T("places.idRule") + "\"";
  body += "<div class=\"columns\"><section><h2>" + T("places.addCommunity") + "</h2>" +
          postForm(ctx, "/staff/places/community",
                   "<label>" + T("places.id") + " <input name=\"id\" placeholder=\"donghu\"" + idHint + "></label><label>" +
                       T("places.name") + " <input name=\"name\" maxlength=\"60\" required placeholder=\"" +
                       T("places.communityPlaceholder") + "\"></label><label>" + T("places.households") +
                       " <input name=\"households\" inputmode=\"numeric\" pattern=\"[0-9]{1,7}\" required></label><button type=\"submit\">" +
                       T("places.add") + "</button>",
                   "stack") +
          "</section><section><h2>" + T("places.addSite") + "</h2>";
  std::vector<std::pair<std::string, std::string>> options = {{"", strings().get("places.townshipWide")}};
  for (const Community& c : communities) options.push_back({c.id, c.name});
  body += postForm(ctx, "/staff/places/site",
                   "<label>" + T("places.id") + " <input name=\"id\" placeholder=\"donghu-dqfwzx\"" + idHint + "></label><label>" +
                       T("places.name") + " <input name=\"name\" maxlength=\"60\" required placeholder=\"" + T("places.sitePlaceholder") +
                       "\"></label>" + select("community", options, "", strings().get("places.community")) +
                       "<button type=\"submit\">" + T("places.add") + "</button>",
                   "stack") +
          "</section></div><p class=\"hint\">" + T("places.idHint") + "</p>";
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.places"), "/staff/places", body));
}

void Pages::communityAdd(Context& ctx) {
  Community c{ctx.param("id"), ctx.param("name").substr(0, 180), 0};
  if (!isPlaceId(c.id)) return places(ctx, strings().get("places.idRule"), "error");
  if (c.name.empty()) return places(ctx, strings().get("places.nameMissing"), "error");
  const auto households = householdsFrom(ctx.param("households"));
  if (!households) return places(ctx, strings().get("places.badHouseholds"), "error");
  c.households = *households;
  if (!store.addCommunity(c)) return places(ctx, strings().format("places.idTaken", {c.id}), "error");
  audit(ctx, "community_add", c.id, c.name + ", " + std::to_string(c.households));
  places(ctx, strings().format("places.communityAdded", {c.name}), "ok");
}

void Pages::siteAdd(Context& ctx) {
  const Site s{ctx.param("id"), ctx.param("name").substr(0, 180), ctx.param("community")};
  if (!isPlaceId(s.id)) return places(ctx, strings().get("places.idRule"), "error");
  if (s.name.empty()) return places(ctx, strings().get("places.nameMissing"), "error");
  if (store.site(s.id)) return places(ctx, strings().format("places.idTaken", {s.id}), "error");
  if (!store.addSite(s)) return places(ctx, strings().get("places.unknownCommunity"), "error");
  audit(ctx, "site_add", s.id, s.name + (s.communityId.empty() ? "" : ", " + s.communityId));
  places(ctx, strings().format("places.siteAdded", {s.name}), "ok");
}

void Pages::householdsSet(Context& ctx) {
  const std::string id = ctx.param("id");
  const auto households = householdsFrom(ctx.param("households"));
  if (!households) return places(ctx, strings().get("places.badHouseholds"), "error");
  if (!store.setHouseholds(id, *households)) return places(ctx, strings().get("places.unknownCommunity"), "error");
  audit(ctx, "community_households", id, std::to_string(*households));
  std::string name = id;
  for (const Community& c : store.communities())
    if (c.id == id) name = c.name;
  places(ctx, strings().format("places.householdsSaved", {name, number(*households)}), "ok");
}

}  // namespace minyi::server::dash
