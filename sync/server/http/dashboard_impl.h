// Internal: what the dashboard's pages share — the request context, the page frame, HTML helpers (the staff's
// words are minyi/server/staff_words.h).
#pragma once
#include <httplib.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/core/json.h"
#include "minyi/server/dashboard.h"
#include "minyi/server/results.h"
#include "minyi/server/staff_words.h"

namespace minyi::server::dash {

// The residents' tables (public ticket page, notices to kiosks) by language: zh-cn, zh-tw, en; else zh-cn.
const Strings& publicStrings(const std::string& lang);

// Escaped text of a string-table entry: the only way the pages use the table.
std::string T(const std::string& key);
std::string TF(const std::string& key, const std::vector<std::string>& args);
inline std::string esc(std::string_view s) { return escapeHtml(s); }
// URL query component (percent-encoded UTF-8).
std::string urlEncode(std::string_view s);
std::string percent(double fraction);  // 0.875 → "87.5%"
std::string number(int64_t n);         // 12345 → "12,345"
// A stored UTC time as staff read it (China time), "—" for none.
inline std::string when(const std::string& iso) { return iso.empty() ? "—" : chinaTime(iso); }

// A signed-in request.
struct Context {
  const httplib::Request& req;
  httplib::Response& res;
  User user;
  StaffSession session;
  std::string param(const std::string& name) const;  // query, url-encoded body or multipart field
  bool isAdmin() const { return user.role == Role::Admin; }
};

// The page around the content: header, menu (by role), the content, footer. `active` marks the menu entry.
std::string framePage(const Context& ctx, const std::string& title, const std::string& active, const std::string& body);
// <form method=post> with the session's CSRF token; `inner` is the form's fields and button.
std::string postForm(const Context& ctx, const std::string& action, const std::string& inner,
                     const std::string& cssClass = "");
// A message band: kind is "ok", "error" or "warn"; text is escaped here.
std::string band(const std::string& kind, const std::string& text);
// <select name=...> with (value, label) options.
std::string select(const std::string& name, const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& selected, const std::string& label);

void sendHtml(httplib::Response& res, int status, const std::string& html);
void redirect(httplib::Response& res, const std::string& to);

// Shared page pieces over the store.
std::map<std::string, std::string> siteNames(ServerStore& store);
// The sites whose submissions, answers and counts the signed-in staff member reads: a handler only their
// community's (none until an admin gives them one); viewers and admins every site.
SiteScope siteScope(const Context& ctx, ServerStore& store);
// Above a handler's results, lists and exports: whose data this is, or that the account sees none yet.
std::string siteScopeHint(const Context& ctx, ServerStore& store);
// The CSRF token a POST carries: the X-CSRF-Token header or the form body's csrf field, never the query
// string (a token in a URL ends up in logs, the Referer and browser history).
std::string csrfTokenOf(const httplib::Request& req);
std::string roleLabel(Role r);

// Exports being written at once. Each holds a thread and the database in turns for as long as the browser
// takes to download it; more are asked to wait a moment rather than slow every other page.
class ExportSlots {
 public:
  explicit ExportSlots(int max) : max_(max) {}
  bool take();
  void give();

 private:
  std::mutex mutex_;
  int running_ = 0;
  const int max_;
};

// The pages (dashboard_results.cpp, dashboard_admin.cpp). `store` is the server's.
struct Pages {
  ServerStore& store;
  std::function<void(const Context&, const std::string& action, const std::string& target, const std::string& detail)>
      audit;
  size_t maxFormUploadBytes;

  void results(Context& ctx);
  void participation(Context& ctx);
  void submissions(Context& ctx);
  void exportFile(Context& ctx, bool xlsx);

  void forms(Context& ctx, const std::string& message = {}, const std::string& kind = {}, const std::string& extra = {});
  void formUpload(Context& ctx);
  void formActivate(Context& ctx);
  void devices(Context& ctx, const std::string& message = {}, const std::string& kind = {}, const std::string& extra = {});
  void deviceAdd(Context& ctx);
  void deviceRevoke(Context& ctx);
  void notices(Context& ctx, const std::string& message = {}, const std::string& kind = {});
  void noticePublish(Context& ctx);
  void noticeWithdraw(Context& ctx);
  void users(Context& ctx, const std::string& message = {}, const std::string& kind = {});
  void userAdd(Context& ctx);
  void userPassword(Context& ctx);
  void userDisable(Context& ctx);
  void auditLog(Context& ctx);
  // The township's communities and sites (dashboard_places.cpp).
  void places(Context& ctx, const std::string& message = {}, const std::string& kind = {});
  void communityAdd(Context& ctx);
  void siteAdd(Context& ctx);
  void householdsSet(Context& ctx);

  // Tickets (dashboard_tickets.cpp, issue #5).
  std::shared_ptr<const TicketPolicy> policy;
  void tickets(Context& ctx);
  void ticketsOverdue(Context& ctx);
  void ticketPage(Context& ctx, const std::string& code);
  void ticketDetail(Context& ctx, const std::string& code, const std::string& message = {}, const std::string& kind = {});
  void ticketAction(Context& ctx);
  void ticketNoticeForm(Context& ctx, const std::string& message = {}, const std::string& kind = {});
  void ticketNotice(Context& ctx);
  void ticketNumbers(Context& ctx, bool csv);
  std::string ticketRows(const std::vector<Ticket>& list, bool checkboxes);

  std::shared_ptr<ExportSlots> exports;
  FleetPolicy fleet;  // when a kiosk is flagged on the devices page

  // Staff notifications (dashboard_notify.cpp): the channels, recent messages, a test message.
  std::shared_ptr<const NotifyPolicy> notify;
  std::function<void()> wakeNotifier;
  void notifications(Context& ctx, const std::string& message = {}, const std::string& kind = {});
  void notifyTest(Context& ctx);
};

}  // namespace minyi::server::dash
