// The public ticket page: status, deadline, timeline and reply in three languages, the 回访 rating form, rate limits.
#include "minyi/server/connections.h"
#include "minyi/server/ticket_page.h"

#include <httplib.h>

#include <cstdio>
#include <map>
#include <mutex>

#include "dashboard_impl.h"
#include "minyi/core/script.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "minyi/server/ticket_desk.h"
#include "ticket_assets.h"

namespace minyi::server {

using dash::esc;

const Strings& dash::publicStrings(const std::string& lang) {
  static const std::map<std::string, Strings> tables = [] {
    std::map<std::string, Strings> t;
    t["zh-cn"].load(ticket_assets::public_zh_cn());
    t["zh-tw"].load(ticket_assets::public_zh_tw());
    t["en"].load(ticket_assets::public_en());
    return t;
  }();
  auto it = tables.find(lang);
  return it != tables.end() ? it->second : tables.at("zh-cn");
}

namespace {

struct Language {
  const char* code;  // the form's locale and the ?lang= value
  const char* html;  // <html lang>
  const char* label;
};
constexpr Language kLanguages[] = {{"zh-cn", "zh-CN", "简"}, {"zh-tw", "zh-TW", "繁"}, {"en", "en", "EN"}};

// ?lang= when given, else the browser's first preference among ours, else Simplified Chinese.
const Language& pickLanguage(const httplib::Request& req) {
  const std::string asked = req.get_param_value("lang");
  for (const Language& l : kLanguages)
    if (asked == l.code) return l;
  std::string accept = req.get_header_value("Accept-Language");
  for (char& c : accept) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t zh = accept.find("zh"), en = accept.find("en");
  if (zh != std::string::npos && (en == std::string::npos || zh < en)) {
    const std::string rest = accept.substr(zh, accept.find(',', zh) - zh);
    if (rest.find("tw") != std::string::npos || rest.find("hk") != std::string::npos ||
        rest.find("mo") != std::string::npos || rest.find("hant") != std::string::npos)
      return kLanguages[1];
    return kLanguages[0];
  }
  if (en != std::string::npos) return kLanguages[2];
  return kLanguages[0];
}

void securityHeaders(httplib::Response& res) {
  // The key is in the address: no referrer may carry it away, no cache or search engine may keep the page.
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("X-Robots-Tag", "noindex, nofollow");
  res.set_header("Cache-Control", "no-store");
}

}  // namespace

std::string TicketPage::formToken(const std::string& code, const std::string& keyHash) {
  return protocol::sha256Hex("minyi-ticket-rating\n" + code + "\n" + keyHash).substr(0, 32);
}

struct TicketPage::Impl {
  ServerStore& store;
  std::shared_ptr<const TicketPolicy> policy;
  Limits limits;

  struct Window {
    std::chrono::steady_clock::time_point start;
    int requests = 0;
  };
  std::mutex mutex;
  std::map<std::string, Window> windows;

  Impl(ServerStore& s, std::shared_ptr<const TicketPolicy> p, Limits l) : store(s), policy(std::move(p)), limits(l) {
  }

  bool allow(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex);
    const auto t = std::chrono::steady_clock::now();
    if (windows.size() > 10000)
      for (auto it = windows.begin(); it != windows.end();)
        it = t - it->second.start >= limits.window ? windows.erase(it) : std::next(it);
    Window& w = windows[address];
    if (w.requests == 0 || t - w.start >= limits.window) w = Window{t, 0};
    return ++w.requests <= limits.requestsPerWindow;
  }

  // A page: header with the language switch (links keep the code and key), the content, the footer.
  std::string frame(const Language& lang, const std::string& selfBase, const std::string& title, const std::string& body,
                    bool footer) {
    const Strings& w = dash::publicStrings(lang.code);
    std::string nav;
    for (const Language& l : kLanguages) {
      if (selfBase.empty()) break;
      nav += "<a href=\"" + esc(selfBase + (selfBase.find('?') == std::string::npos ? "?" : "&") + "lang=" + l.code) + "\"" +
             (&l == &lang ? " aria-current=\"true\"" : "") + ">" + l.label + "</a>";
    }
    return "<!DOCTYPE html>\n<html lang=\"" + std::string(lang.html) + "\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
           "<title>" + esc(title) + "</title><link rel=\"stylesheet\" href=\"/t-static/ticket.css\"></head><body>"
           "<header><h1>" + esc(w.get("public.title")) + "</h1><nav aria-label=\"" + esc(w.get("public.lang")) + "\">" + nav +
           "</nav></header><main>" + body + "</main>" +
           (footer ? "<footer><p>" + esc(w.get("public.followUp")) + "</p><p>" + esc(w.get("public.privacy")) + "</p></footer>" : "") +
           "</body></html>";
  }

  // A refusal: the same page whatever was typed (no links back to the code and key), so an unknown code and a
  // wrong key cannot be told apart even byte by byte.
  void message(httplib::Response& res, int status, const Language& lang, const std::string& key) {
    const Strings& w = dash::publicStrings(lang.code);
    res.status = status;
    res.set_content(frame(lang, "", w.get(key + ".title"),
                          "<section><h2>" + esc(w.get(key + ".title")) + "</h2><p>" + esc(w.get(key + ".text")) + "</p></section>",
                          true),
                    "text/html; charset=utf-8");
  }

  // The ticket the code and key name, or nothing: an unknown code and a wrong key are one answer, and take
  // the same work (a hash and a comparison either way).
  std::optional<Ticket> find(const std::string& code, const std::string& typedKey) {
    const auto key = protocol::normalizeCrockford(typedKey);
    const std::string typedHash = protocol::sha256Hex(key ? *key : typedKey);
    auto t = store.ticket(code);
    const std::string stored = t ? t->keyHash : std::string(64, '0');
    const bool match = protocol::constantTimeEqual(typedHash, stored);
    if (!t || !match || !key) return std::nullopt;
    return t;
  }

  // Checks the address's budget and the code's shape; on a refusal the page is written and nullopt returned.
  std::optional<std::string> admit(const httplib::Request& req, httplib::Response& res, const Language& lang) {
    securityHeaders(res);
    if (!allow(req.remote_addr)) {
      res.set_header("Retry-After", std::to_string(limits.window.count()));
      message(res, 429, lang, "public.limited");
      return std::nullopt;
    }
    const protocol::TicketCode checked = protocol::checkTicketCode(req.matches[1].str());
    // A wrong check symbol is arithmetic on what was typed: saying so reveals nothing about any ticket.
    if (checked.check == protocol::TicketCode::Check::Mistyped) {
      message(res, 404, lang, "public.mistyped");
      return std::nullopt;
    }
    if (checked.check != protocol::TicketCode::Check::Ok) {
      message(res, 404, lang, "public.notFound");
      return std::nullopt;
    }
    return checked.code;
  }

  static std::string selfLink(const std::string& code, const std::string& key) {
    return "/t/" + code + "?k=" + dash::urlEncode(key);
  }

  void show(const httplib::Request& req, httplib::Response& res) {
    const Language& lang = pickLanguage(req);
    const std::string key = req.get_param_value("k");
    const std::string self = selfLink(req.matches[1].str(), key);
    auto code = admit(req, res, lang);
    if (!code) return;
    auto t = find(*code, key);
    if (!t) return message(res, 404, lang, "public.notFound");
    std::string band;
    const std::string rated = req.get_param_value("rated");
    if (rated == "ok" || rated == "reopened" || rated == "refused")
      band = std::string("<p class=\"band") + (rated == "refused" ? " error" : "") + "\" role=\"status\">" +
             esc(dash::publicStrings(lang.code).get(rated == "ok" ? "public.rated.thanks" : rated == "reopened" ? "public.rated.reopened"
                                                                                                     : "public.rated.refused")) +
             "</p>";
    res.status = 200;
    res.set_content(frame(lang, self, dash::publicStrings(lang.code).get("public.title"), band + ticketBody(*t, lang, key), true),
                    "text/html; charset=utf-8");
  }

  std::string ticketBody(const Ticket& t, const Language& lang, const std::string& key) {
    const Strings& w = dash::publicStrings(lang.code);
    auto status = [&](const std::string& s) { return w.get("ticket.status." + s); };
    // Staff write in Simplified; a 繁 reader gets their words in Traditional characters (OpenCC).
    auto local = [&](const std::string& text) { return core::simplifiedFor(text, lang.code); };
    std::string community;
    for (const Community& c : store.communities())
      if (c.id == t.communityId) community = local(c.name);
    const protocol::TicketStatus seen = publicStatus(t, store.ticketLog(t.code));
    const bool done = t.status == TicketState::Resolved || t.status == TicketState::Closed;
    const char* cls = done ? "status done" : t.status == TicketState::Rejected ? "status stop" : "status";
    std::string html = "<section><div>" + esc(w.get("public.code")) + "</div><div class=\"code\">" +
                       esc(protocol::groupCode(t.code)) + "</div><p class=\"" + cls + "\">" + esc(status(seen.status)) +
                       "</p><dl><dt>" + esc(w.get("public.category")) + "</dt><dd>" + esc(categoryText(store, t, lang.code)) +
                       "</dd>";
    if (!community.empty()) html += "<dt>" + esc(w.get("public.community")) + "</dt><dd>" + esc(community) + "</dd>";
    html += "<dt>" + esc(w.get("public.filed")) + "</dt><dd>" + esc(chinaTime(t.createdAt)) + "</dd>";
    if (!seen.expectedBy.empty())
      html += "<dt>" + esc(w.get("public.expected")) + "</dt><dd>" + esc(w.format("public.expectedValue", {dueText(t)})) + "</dd>";
    html += "</dl></section>";
    if (!seen.publicReply.empty())
      html += "<section><h2>" + esc(w.get("public.reply")) + "</h2><p class=\"text\">" + esc(local(seen.publicReply)) + "</p></section>";
    if (done && t.textPublic) {
      // Only what staff allowed, and never the phone number.
      const ComplaintText text = complaintText(store, t);
      if (!text.description.empty())
        html += "<section><h2>" + esc(w.get("public.complaint")) + "</h2><p class=\"text\">" + esc(maskPhoneNumbers(text.description)) +
                "</p></section>";
    }
    if (t.status == TicketState::Rejected && !t.rejectReason.empty())
      html += "<section><h2>" + esc(w.get("public.rejected")) + "</h2><p class=\"text\">" + esc(maskPhoneNumbers(t.rejectReason)) + "</p></section>";
    if (!t.rating.empty())
      html += "<section><p>" + esc(w.format("public.rated.yours", {w.get("rating." + t.rating)})) + "</p></section>";
    else if (ticketActionAllowed(t.status, TicketAction::Rate))
      html += "<section><h2>" + esc(w.get("public.rate.title")) + "</h2><form method=\"post\" action=\"/t/" + esc(t.code) +
              "\" class=\"rate\"><input type=\"hidden\" name=\"k\" value=\"" + esc(key) +
              "\"><input type=\"hidden\" name=\"token\" value=\"" + esc(formToken(t.code, t.keyHash)) +
              "\"><input type=\"hidden\" name=\"lang\" value=\"" + lang.code + "\">"
              "<button type=\"submit\" name=\"rating\" value=\"satisfied\">" + esc(w.get("public.rate.satisfied")) + "</button>"
              "<button type=\"submit\" name=\"rating\" value=\"basic\">" + esc(w.get("public.rate.basic")) + "</button>"
              "<button type=\"submit\" name=\"rating\" value=\"unsatisfied\" class=\"no\">" + esc(w.get("public.rate.unsatisfied")) +
              "</button></form><p class=\"hint\">" + esc(w.get("public.rate.hint")) + "</p></section>";
    html += "<section><h2>" + esc(w.get("public.timeline")) + "</h2><ol class=\"timeline\">";
    for (const protocol::TicketEvent& e : seen.timeline)
      html += "<li><time datetime=\"" + esc(e.at) + "\">" + esc(chinaTime(e.at)) + "</time>" + esc(status(e.status)) + "</li>";
    return html + "</ol></section>";
  }

  void rate(const httplib::Request& req, httplib::Response& res) {
    const Language& lang = pickLanguage(req);
    const std::string key = req.get_param_value("k");
    const std::string self = selfLink(req.matches[1].str(), key);
    auto code = admit(req, res, lang);
    if (!code) return;
    auto t = find(*code, key);
    if (!t) return message(res, 404, lang, "public.notFound");
    std::string outcome = "refused";
    const auto rating = ratingFromName(req.get_param_value("rating"));
    if (rating && protocol::constantTimeEqual(req.get_param_value("token"), formToken(t->code, t->keyHash))) {
      TicketChange c;
      c.action = TicketAction::Rate;
      c.actor = "resident";
      c.at = protocol::isoUtc(std::chrono::system_clock::now());
      c.rating = rating;
      c.via = "web";
      if (!changeTicket(store, t->code, c, *policy)) outcome = *rating == Rating::Unsatisfied ? "reopened" : "ok";
    }
    // After a POST, a page that a reload does not post again.
    res.status = 303;
    res.set_header("Location", self + "&lang=" + lang.code + "&rated=" + outcome);
  }
};

TicketPage::TicketPage(ServerStore& store, std::shared_ptr<const TicketPolicy> policy, Limits limits)
    : impl_(std::make_unique<Impl>(store, policy ? std::move(policy) : std::make_shared<const TicketPolicy>(), limits)) {}

TicketPage::~TicketPage() = default;

void TicketPage::mount(Routes& http) {
  Impl& p = *impl_;
  auto guarded = [&p](void (Impl::*route)(const httplib::Request&, httplib::Response&)) {
    return [&p, route](const httplib::Request& req, httplib::Response& res) {
      try {
        (p.*route)(req, res);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "minyi-server: %s /t/…: %s\n", req.method.c_str(), e.what());  // never the key
        securityHeaders(res);
        res.status = 500;
        res.set_content("<!DOCTYPE html><title>500</title><p>500</p>", "text/html; charset=utf-8");
      }
    };
  };
  http.Get(R"(/t/([0-9A-Za-z-]{1,32}))", guarded(&Impl::show));
  http.Post(R"(/t/([0-9A-Za-z-]{1,32}))", guarded(&Impl::rate));
  http.Get("/t-static/ticket.css", [](const httplib::Request&, httplib::Response& res) {
    securityHeaders(res);
    res.set_header("Cache-Control", "max-age=3600");
    res.set_content(std::string(ticket_assets::css()), "text/css; charset=utf-8");
  });
}

}  // namespace minyi::server
