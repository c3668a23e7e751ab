// The dashboard's reading pages: results per question with SVG bars, participation, the submissions list, exports.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dashboard_impl.h"
#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/times.h"
#include "minyi/server/compression.h"
#include "minyi/server/export.h"

namespace minyi::server::dash {

using core::Json;

namespace {

std::string nowIso() { return protocol::isoUtc(std::chrono::system_clock::now()); }

ResultWords words() {
  ResultWords w;
  w.other = strings().get("answer.other");
  w.none = strings().get("answer.none");
  w.yes = strings().get("answer.yes");
  w.no = strings().get("answer.no");
  return w;
}

std::string formTitle(const LoadedForm& f) {
  std::string t = f.form->title.get("zh-cn");
  return t.empty() ? f.form->minyi.id : t;
}

// The form version a page is about: ?form=&version=, else the newest version of the first form with
// submissions, else the first form.
struct Chosen {
  std::optional<StoredForm> form;
  std::shared_ptr<const LoadedForm> loaded;
  std::vector<StoredForm> all;
};
Chosen chooseForm(ServerStore& store, const Context& ctx) {
  Chosen c;
  c.all = store.forms();
  const std::string id = ctx.param("form");
  int version = 0;
  try {
    version = ctx.param("version").empty() ? 0 : std::stoi(ctx.param("version"));
  } catch (...) {
    version = 0;
  }
  const StoredForm* pick = nullptr;
  for (const StoredForm& f : c.all)
    if (f.id == id && (version == 0 || f.version == version)) pick = &f;  // forms() is by version: the newest wins
  if (!pick && id.empty()) {
    std::set<std::pair<std::string, int>> withData;
    for (const auto& [key, n] : store.submissionCountsByForm())
      if (n > 0) withData.insert(key);
    for (const StoredForm& f : c.all)
      if (withData.count({f.id, f.version})) pick = &f;
    if (!pick && !c.all.empty()) pick = &c.all.front();
  }
  if (pick) {
    c.form = *pick;
    c.loaded = formCache().get(*pick);
  }
  return c;
}

// Form, version, site and period pickers that keep each other's values (GET, so a view can be bookmarked).
std::string filterBar(ServerStore& store, const Chosen& c, const Context& ctx, const SiteScope& scope,
                      const std::string& action, bool period) {
  std::vector<std::pair<std::string, std::string>> forms;
  std::set<std::string> seen;
  for (const StoredForm& f : c.all) {
    if (!seen.insert(f.id).second) continue;
    auto loaded = formCache().get(f);
    forms.push_back({f.id, loaded ? formTitle(*loaded) + "（" + f.id + "）" : f.id});
  }
  std::vector<std::pair<std::string, std::string>> versions;
  for (const StoredForm& f : c.all)
    if (c.form && f.id == c.form->id) versions.push_back({std::to_string(f.version), strings().format("filter.version", {std::to_string(f.version)})});
  std::vector<std::pair<std::string, std::string>> sites{{"", strings().get("filter.allSites")}};
  for (const Site& s : store.sites())
    if (scope.allows(s.id)) sites.push_back({s.id, s.name});
  std::string html = "<form method=\"get\" action=\"" + esc(action) + "\" class=\"filters\">";
  html += select("form", forms, c.form ? c.form->id : "", strings().get("filter.form"));
  if (versions.size() > 1) html += select("version", versions, c.form ? std::to_string(c.form->version) : "", strings().get("filter.versionLabel"));
  else if (c.form) html += "<input type=\"hidden\" name=\"version\" value=\"" + std::to_string(c.form->version) + "\">";
  html += select("site", sites, ctx.param("site"), strings().get("filter.site"));
  if (period) {
    std::vector<std::pair<std::string, std::string>> weeks{{"", strings().get("filter.allTime")}};
    for (int w : {4, 8, 13, 26, 52}) weeks.push_back({std::to_string(w), strings().format("filter.lastWeeks", {std::to_string(w)})});
    html += select("weeks", weeks, ctx.param("weeks"), strings().get("filter.period"));
  }
  return html + "<button type=\"submit\">" + T("filter.apply") + "</button></form>";
}

// The first week of "the last N weeks" (this week counts as one), or empty for all time.
std::string fromWeek(const Context& ctx) {
  int n = 0;
  try {
    n = ctx.param("weeks").empty() ? 0 : std::stoi(ctx.param("weeks"));
  } catch (...) {
    n = 0;
  }
  if (n <= 0 || n > 520) return {};
  return weekBefore(nowIso(), n - 1);
}

// A horizontal bar of `fraction` of the width, as SVG attributes (the CSP allows no inline style).
std::string hbar(double fraction, const std::string& cls) {
  char w[32];
  std::snprintf(w, sizeof w, "%.2f", std::clamp(fraction, 0.0, 1.0) * 100);
  return "<svg class=\"hbar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
         "<rect class=\"track\" width=\"100\" height=\"10\"/><rect class=\"" + cls + "\" width=\"" + w + "\" height=\"10\"/></svg>";
}

// Submissions per week as a column chart; the table beside it carries the same numbers.
std::string weekChart(const std::vector<std::pair<std::string, int64_t>>& weeks) {
  if (weeks.empty()) return {};
  int64_t top = 1;
  for (const auto& w : weeks) top = std::max(top, w.second);
  const int colW = 56, chartH = 160, labelH = 36, topPad = 22;
  const int width = static_cast<int>(weeks.size()) * colW;
  std::string svg = "<svg class=\"weeks\" role=\"img\" aria-label=\"" + T("results.byWeekChart") + "\" viewBox=\"0 0 " +
                    std::to_string(width) + " " + std::to_string(chartH + labelH + topPad) + "\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(chartH + labelH + topPad) + "\">";
  for (size_t i = 0; i < weeks.size(); ++i) {
    const int h = static_cast<int>(static_cast<double>(weeks[i].second) / static_cast<double>(top) * chartH);
    const int x = static_cast<int>(i) * colW;
    svg += "<rect class=\"col\" x=\"" + std::to_string(x + 8) + "\" y=\"" + std::to_string(topPad + chartH - h) +
           "\" width=\"" + std::to_string(colW - 16) + "\" height=\"" + std::to_string(h) + "\"/>";
    svg += "<text class=\"n\" x=\"" + std::to_string(x + colW / 2) + "\" y=\"" + std::to_string(topPad + chartH - h - 6) +
           "\">" + esc(number(weeks[i].second)) + "</text>";
    svg += "<text class=\"lbl\" x=\"" + std::to_string(x + colW / 2) + "\" y=\"" + std::to_string(topPad + chartH + 22) +
           "\">" + esc(weeks[i].first.substr(5)) + "</text>";
  }
  return svg + "</svg>";
}

std::string rateCell(const QuestionResult& q) {
  auto r = q.satisfactionRate();
  if (!r) return "<td class=\"num muted\">—</td>";
  return "<td class=\"num\">" + esc(percent(*r)) + "<span class=\"sub\">（" + esc(number(q.satisfied)) + "/" +
         esc(number(q.satisfactionBase)) + "）</span></td>";
}

// A column head of the rate tables: a matrix row by its own words, which say more than the shared title.
std::string questionLabel(const CountedQuestion& q) { return q.rowTitle.empty() ? q.title : q.rowTitle; }

// One question: each answer with its count, share and bar; then answers, mean and satisfaction rate.
std::string questionBlock(const QuestionResult& r, size_t index) {
  const CountedQuestion& q = *r.question;
  std::string html = "<section class=\"question\" id=\"q" + std::to_string(index) + "\"><h3>" + esc(q.title) + "</h3>";
  if (!q.rowTitle.empty()) html += "<p class=\"row-title\">" + esc(q.rowTitle) + "</p>";
  html += "<table class=\"counts\"><thead><tr><th>" + T("results.answer") + "</th><th class=\"num\">" +
          T("results.count") + "</th><th class=\"num\">" + T("results.share") + "</th><th class=\"barcol\"></th></tr></thead><tbody>";
  for (const ValueCount& v : r.values) {
    const double share = r.base > 0 ? static_cast<double>(v.count) / static_cast<double>(r.base) : 0;
    const std::string cls = v.satisfied ? "sat" : v.excluded ? "excl" : "other";
    std::string label = esc(v.label);
    if (v.satisfied && r.hasSatisfaction) label += " <span class=\"tag sat\">" + T("results.countsSatisfied") + "</span>";
    if (v.excluded && r.hasSatisfaction) label += " <span class=\"tag excl\">" + T("results.notInBase") + "</span>";
    html += "<tr><td>" + label + "</td><td class=\"num\">" + esc(number(v.count)) + "</td><td class=\"num\">" +
            (r.base > 0 ? esc(percent(share)) : "—") + "</td><td class=\"barcol\">" + hbar(share, cls) + "</td></tr>";
  }
  html += "</tbody></table><p class=\"facts\">";
  if (q.kind == CountedQuestion::Kind::Multiple)
    html += TF("results.multipleNote", {number(r.answers), number(r.base)});
  else
    html += TF("results.answered", {number(r.answers)});
  if (r.mean) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *r.mean);
    html += " · " + TF("results.mean", {buf, number(static_cast<int64_t>(q.rateMin)), number(static_cast<int64_t>(q.rateMax))});
  }
  if (auto rate = r.satisfactionRate()) {
    html += " · <strong>" + TF("results.satisfaction", {percent(*rate)}) + "</strong>" +
            TF("results.satisfactionOf", {number(r.satisfied), number(r.satisfactionBase)});
  }
  return html + "</p></section>";
}

}  // namespace

void Pages::results(Context& ctx) {
  const Chosen c = chooseForm(store, ctx);
  std::string body;
  if (!c.form) {
    body = band("warn", strings().get("results.noForms"));
    return sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.results"), "/staff/results", body));
  }
  if (!c.loaded) throw std::runtime_error("form " + c.form->id + " does not load with the engine");
  const auto sites = siteNames(store);
  TallyQuery q;
  q.formId = c.form->id;
  q.formVersion = c.form->version;
  q.siteId = ctx.param("site");
  q.fromWeek = fromWeek(ctx);
  q.scope = siteScope(ctx, store);  // once per page: the filter bar offers the same sites
  const std::vector<TallyRow> rows = store.tallies(q);
  const std::vector<CountedQuestion>& counted = c.loaded->counted;
  const FormResults all = computeResults(counted, rows);

  // The same sums per site and per week, from the same rows.
  std::map<std::string, std::vector<TallyRow>> bySite, byWeek;
  for (const TallyRow& r : rows) {
    bySite[r.siteId].push_back(r);
    byWeek[r.week].push_back(r);
  }
  std::map<std::string, FormResults> siteResults, weekResults;
  for (const auto& [site, part] : bySite) siteResults.emplace(site, computeResults(counted, part));
  for (const auto& [week, part] : byWeek) weekResults.emplace(week, computeResults(counted, part));

  const std::string query = "form=" + urlEncode(c.form->id) + "&version=" + std::to_string(c.form->version);
  body += siteScopeHint(ctx, store) + filterBar(store, c, ctx, q.scope, "/staff/results", true);
  body += "<div class=\"summary\"><div class=\"card\"><div class=\"big\" id=\"total\">" + esc(number(all.submissions)) +
          "</div><div>" + T("results.submissions") + "</div></div>";
  for (const QuestionResult& r : all.questions) {
    if (r.question->kind == CountedQuestion::Kind::MatrixRow || !r.satisfactionRate()) continue;
    body += "<div class=\"card\"><div class=\"big\">" + esc(percent(*r.satisfactionRate())) + "</div><div>" +
            esc(r.question->title) + " · " + T("results.rate") + "</div></div>";
    break;  // the first rated question as the headline; the tables below hold all
  }
  body += "<div class=\"actions\"><a class=\"button\" href=\"/staff/export.csv?" + esc(query) + "\">" +
          T("results.exportCsv") + "</a> <a class=\"button\" href=\"/staff/export.xlsx?" + esc(query) + "\">" +
          T("results.exportXlsx") + "</a> <a class=\"button secondary\" href=\"/staff/submissions?" + esc(query) + "\">" +
          T("results.seeSubmissions") + "</a></div></div>";
  if (all.submissions == 0) body += band("warn", strings().get("results.empty"));

  // By week: chart and table.
  std::vector<std::pair<std::string, int64_t>> weeks;
  for (const auto& [week, res] : weekResults) weeks.push_back({week, res.submissions});
  std::vector<const QuestionResult*> rated;
  for (const QuestionResult& r : all.questions)
    if (r.hasSatisfaction) rated.push_back(&r);
  if (!weeks.empty()) {
    body += "<h2>" + T("results.byWeek") + "</h2><p class=\"hint\">" + T("results.weekHint") + "</p>" + weekChart(weeks);
  }
  auto rateTable = [&](const std::string& headKey, const std::map<std::string, FormResults>& parts,
                       const std::function<std::string(const std::string&)>& name, const std::string& id) {
    std::string t = "<div class=\"scroll\"><table class=\"grid rates\" id=\"" + id + "\"><thead><tr><th>" + T(headKey) +
                    "</th><th class=\"num\">" + T("results.submissions") + "</th>";
    for (const QuestionResult* r : rated) t += "<th class=\"num\">" + esc(questionLabel(*r->question)) + "</th>";
    t += "</tr></thead><tbody>";
    for (const auto& [key, res] : parts) {
      t += "<tr><th scope=\"row\">" + esc(name(key)) + "</th><td class=\"num\">" + esc(number(res.submissions)) + "</td>";
      for (const QuestionResult* r : rated) t += rateCell(res.questions[static_cast<size_t>(r - all.questions.data())]);
      t += "</tr>";
    }
    t += "<tr class=\"total\"><th scope=\"row\">" + T("results.total") + "</th><td class=\"num\">" +
         esc(number(all.submissions)) + "</td>";
    for (const QuestionResult* r : rated) t += rateCell(*r);
    return t + "</tr></tbody></table></div>";
  };
  if (!weeks.empty()) {
    body += rateTable("results.week", weekResults, [](const std::string& w) { return w; }, "by-week");
    body += "<h2>" + T("results.bySite") + "</h2>";
    body += rateTable("results.site", siteResults, [&](const std::string& s) {
      auto it = sites.find(s);
      return it == sites.end() ? s : it->second;
    }, "by-site");
    if (!rated.empty()) body += "<p class=\"hint\">" + T("results.rateHint") + "</p>";
  }

  body += "<h2>" + T("results.questions") + "</h2>";
  for (size_t i = 0; i < all.questions.size(); ++i) body += questionBlock(all.questions[i], i);
  sendHtml(ctx.res, 200, framePage(ctx, strings().format("results.title", {formTitle(*c.loaded)}), "/staff/results", body));
}

void Pages::participation(Context& ctx) {
  TallyQuery q;
  q.submissionsOnly = true;
  q.fromWeek = fromWeek(ctx);
  q.scope = siteScope(ctx, store);
  const auto rows = store.tallies(q);
  const auto sites = store.sites();
  const auto communities = store.communities();
  std::map<std::string, std::string> communityOf;
  for (const Site& s : sites) communityOf[s.id] = s.communityId;
  // Forms in columns (newest version's title), communities in rows.
  std::map<std::string, std::string> formTitles;
  for (const StoredForm& f : store.forms()) {
    auto loaded = formCache().get(f);
    formTitles[f.id] = loaded ? formTitle(*loaded) : f.id;
  }
  std::map<std::string, std::map<std::string, int64_t>> counts;  // community ('' township-wide) → form → n
  std::map<std::string, int64_t> formTotals;
  for (const TallyRow& r : rows) {
    counts[communityOf[r.siteId]][r.formId] += r.count;
    counts[communityOf[r.siteId]][""] += r.count;
    formTotals[r.formId] += r.count;
  }
  std::vector<std::string> formIds;
  for (const auto& [id, n] : formTotals) formIds.push_back(id);

  std::string body = "<form method=\"get\" action=\"/staff/participation\" class=\"filters\">";
  std::vector<std::pair<std::string, std::string>> weeks{{"", strings().get("filter.allTime")}};
  for (int w : {4, 8, 13, 26, 52}) weeks.push_back({std::to_string(w), strings().format("filter.lastWeeks", {std::to_string(w)})});
  body += select("weeks", weeks, ctx.param("weeks"), strings().get("filter.period")) + "<button type=\"submit\">" +
          T("filter.apply") + "</button></form>";
  body += siteScopeHint(ctx, store) + "<p class=\"hint\">" + T("participation.hint") + "</p>";
  body += "<div class=\"scroll\"><table class=\"grid\" id=\"participation\"><thead><tr><th>" + T("participation.community") +
          "</th><th class=\"num\">" + T("participation.households") + "</th>";
  for (const std::string& id : formIds) body += "<th class=\"num\">" + esc(formTitles.count(id) ? formTitles[id] : id) + "</th>";
  body += "<th class=\"num\">" + T("participation.allForms") + "</th></tr></thead><tbody>";
  auto cells = [&](const std::map<std::string, int64_t>& byForm, int64_t households) {
    std::string t;
    for (const std::string& id : formIds) {
      auto it = byForm.find(id);
      const int64_t n = it == byForm.end() ? 0 : it->second;
      t += "<td class=\"num\">" + esc(number(n));
      if (households > 0) t += "<span class=\"sub\">" + esc(percent(static_cast<double>(n) / static_cast<double>(households))) + "</span>";
      t += "</td>";
    }
    auto all = byForm.find("");
    const int64_t n = all == byForm.end() ? 0 : all->second;
    t += "<td class=\"num\"><strong>" + esc(number(n)) + "</strong>";
    if (households > 0) t += "<span class=\"sub\">" + esc(percent(static_cast<double>(n) / static_cast<double>(households))) + "</span>";
    return t + "</td>";
  };
  static const std::map<std::string, int64_t> none;
  // A handler's table has their community's row alone: the others would only show zeros they cannot see.
  const bool handler = ctx.user.role == Role::Handler;
  for (const Community& c : communities) {
    if (handler && c.id != ctx.user.communityId) continue;
    auto it = counts.find(c.id);
    body += "<tr><th scope=\"row\">" + esc(c.name) + "</th><td class=\"num\">" + esc(number(c.households)) + "</td>" +
            cells(it == counts.end() ? none : it->second, c.households) + "</tr>";
  }
  auto township = counts.find("");
  if (!handler)
    body += "<tr><th scope=\"row\">" + T("participation.township") + "</th><td class=\"num muted\">—</td>" +
            cells(township == counts.end() ? none : township->second, 0) + "</tr>";
  body += "</tbody></table></div>";
  sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.participation"), "/staff/participation", body));
}

void Pages::submissions(Context& ctx) {
  const Chosen c = chooseForm(store, ctx);
  std::string body;
  if (!c.form || !c.loaded) {
    body = band("warn", strings().get("results.noForms"));
    return sendHtml(ctx.res, 200, framePage(ctx, strings().get("nav.submissions"), "/staff/submissions", body));
  }
  const auto sites = siteNames(store);
  SubmissionQuery q;
  q.formId = c.form->id;
  q.formVersion = c.form->version;
  q.siteId = ctx.param("site");
  q.limit = 100;
  q.scope = siteScope(ctx, store);
  const std::string before = ctx.param("before");
  if (const size_t bar = before.find('|'); bar != std::string::npos) {
    q.beforeCreatedAt = before.substr(0, bar);
    q.beforeId = before.substr(bar + 1);
  }
  const auto rows = store.submissionsPage(q);
  // The total from the kept counts: a few hundred rows, where counting the submissions reads all of them.
  TallyQuery totalQuery;
  totalQuery.formId = q.formId;
  totalQuery.formVersion = q.formVersion;
  totalQuery.submissionsOnly = true;
  totalQuery.siteId = q.siteId;
  totalQuery.scope = q.scope;
  int64_t total = 0;
  for (const TallyRow& r : store.tallies(totalQuery)) total += r.count;
  const auto columns = answerColumns(*c.loaded->form, "zh-cn", words());
  std::vector<const AnswerColumn*> shown;
  for (const AnswerColumn& col : columns)
    if (col.freeText || col.kind == AnswerColumn::Kind::Value) shown.push_back(&col);  // matrix cells: see results
  const bool mask = !ctx.isAdmin();

  body += siteScopeHint(ctx, store) + filterBar(store, c, ctx, q.scope, "/staff/submissions", false);
  body += "<p class=\"hint\">" + TF("submissions.count", {number(total)}) + (mask ? " " + T("submissions.masked") : "") + "</p>";
  body += "<div class=\"scroll\"><table class=\"grid dense\" id=\"submissions\"><thead><tr><th>" + T("submissions.time") +
          "</th><th>" + T("submissions.site") + "</th>";
  for (const AnswerColumn* col : shown) body += "<th>" + esc(col->header) + "</th>";
  body += "</tr></thead><tbody>";
  std::string why;
  for (const SubmissionRow& s : rows) {
    auto answers = core::parseJsonText(s.answersJson, &why, core::JsonLimits{2 * 1024 * 1024, 64});
    const Json a = answers ? *answers : Json::object();
    auto site = sites.find(s.siteId);
    body += "<tr><td class=\"nowrap\">" + esc(chinaTime(s.createdAt)) + "</td><td class=\"nowrap\">" +
            esc(site == sites.end() ? s.siteId : site->second) + "</td>";
    for (const AnswerColumn* col : shown) {
      const std::string text = answerText(*col, a, mask);
      body += std::string("<td") + (col->freeText ? " class=\"text\"" : "") + ">" + esc(text) + "</td>";
    }
    body += "</tr>";
  }
  body += "</tbody></table></div>";
  if (rows.size() == q.limit) {
    const SubmissionRow& last = rows.back();
    std::string next = "/staff/submissions?form=" + urlEncode(q.formId) + "&version=" + std::to_string(q.formVersion) +
                       "&site=" + urlEncode(q.siteId) + "&before=" + urlEncode(last.createdAt + "|" + last.id);
    body += "<p class=\"pager\"><a class=\"button\" href=\"" + esc(next) + "\">" + T("submissions.older") + "</a></p>";
  }
  if (!before.empty())
    body += "<p class=\"pager\"><a href=\"/staff/submissions?form=" + esc(urlEncode(q.formId)) + "&amp;version=" +
            std::to_string(q.formVersion) + "&amp;site=" + esc(urlEncode(q.siteId)) + "\">" + T("submissions.newest") + "</a></p>";
  sendHtml(ctx.res, 200,
           framePage(ctx, strings().format("submissions.title", {formTitle(*c.loaded)}), "/staff/submissions", body));
}

bool ExportSlots::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_ >= max_) return false;
  ++running_;
  return true;
}

void ExportSlots::give() {
  std::lock_guard<std::mutex> lock(mutex_);
  --running_;
}

namespace {

// An XLSX export on its way to the browser: the spreadsheet in a temporary file that no longer has a name
// (nothing is left behind if the server dies), read a piece at a time as the browser takes it.
struct SpreadsheetFile {
  int fd = -1;
  ~SpreadsheetFile() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

void Pages::exportFile(Context& ctx, bool xlsx) {
  const Chosen c = chooseForm(store, ctx);
  if (!c.form || ctx.param("form") != c.form->id) {
    return sendHtml(ctx.res, 404, framePage(ctx, strings().get("nav.results"), "/staff/results",
                                            band("error", strings().get("export.noForm"))));
  }
  if (!exports->take()) {
    ctx.res.set_header("Retry-After", "30");
    return sendHtml(ctx.res, 503, framePage(ctx, strings().get("nav.results"), "/staff/results",
                                            band("warn", strings().get("export.busy"))));
  }
  // The turn is given back, and the audit row written, as the end of the file goes out or when it is cut off
  // (before the browser can see the file complete, so whoever has it may start the next export at once), or
  // when the last holder lets go: this handler if it fails before the reply is set up, the reply if it is
  // never sent.
  struct Turn {
    std::shared_ptr<ExportSlots> slots;
    std::atomic<bool> held{true}, logged{false};
    explicit Turn(std::shared_ptr<ExportSlots> s) : slots(std::move(s)) {}
    void giveBack() {
      if (held.exchange(false)) slots->give();
    }
    ~Turn() { giveBack(); }
  };
  auto turn = std::make_shared<Turn>(exports);
  ExportOptions options = exportOptions();
  options.maskPhones = !ctx.isAdmin();
  options.scope = siteScope(ctx, store);
  // The file name goes into a header: only characters that need no quoting there.
  std::string base = c.form->id + "-v" + std::to_string(c.form->version);
  for (char& ch : base)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')) ch = '_';
  const std::string target = c.form->id + " v" + std::to_string(c.form->version);
  const std::string detailTail = std::string(options.maskPhones ? ", phones masked" : "") +
                                 (options.scope.everywhere() ? "" : ", community " + ctx.user.communityId);
  // One audit row per export, with what it held. The request outlives the provider and its releaser
  // (httplib's process_request declares it before the reply).
  const Context who{ctx.req, ctx.res, ctx.user, ctx.session};
  auto record = [this, who, target, detailTail, turn](const char* kind, int64_t n, bool whole) {
    turn->giveBack();
    if (turn->logged.exchange(true)) return;
    audit(who, "export", target,
          std::string(kind) + ", " + std::to_string(n) + " submissions" + detailTail + (whole ? "" : ", download cut off"));
  };
  ctx.res.status = 200;
  if (!xlsx) {
    // Streamed as the rows are read (chunked), gzip at level 1 when the browser takes it: an export of any
    // size is never whole in memory, and the store's read connection is held a page of rows at a time.
    const bool gzip = acceptsGzip(ctx.req.get_header_value(kAcceptEncodingKept));
    if (gzip) {
      ctx.res.set_header("Content-Encoding", "gzip");
      ctx.res.set_header("Vary", "Accept-Encoding");
    }
    ctx.res.set_header("Content-Disposition", "attachment; filename=\"" + base + ".csv\"");
    StoredForm form = *c.form;
    ctx.res.set_chunked_content_provider(
        "text/csv; charset=utf-8",
        [this, form, options, gzip, record](size_t, httplib::DataSink& sink) {
          auto toBrowser = [&sink](std::string_view piece) { return sink.write(piece.data(), piece.size()); };
          int64_t n = 0;
          try {
            if (gzip) {
              GzipStream compressed(toBrowser);
              n = exportCsv(store, form, options, [&compressed](std::string_view block) { return compressed.write(block); });
              if (!compressed.finish()) throw ExportStopped("the browser stopped taking the export");
            } else {
              n = exportCsv(store, form, options, toBrowser);
            }
          } catch (const ExportStopped&) {
            record("csv", n, false);
            return false;  // the connection ends; the browser shows the download as failed
          } catch (const std::exception& e) {
            std::fprintf(stderr, "minyi-server: export of %s v%d: %s\n", form.id.c_str(), form.version, e.what());
            record("csv", n, false);
            return false;
          }
          record("csv", n, true);
          sink.done();  // the last chunk: only now does the browser know the file is complete
          return true;
        });
    return;
  }
  // libxlsxwriter writes a file: a private temporary one, unnamed once written and sent from the open file.
  const auto path = std::filesystem::temp_directory_path() / ("minyi-export-" + protocol::randomHex(8) + ".xlsx");
  auto file = std::make_shared<SpreadsheetFile>();
  int64_t n = 0;
  try {
    n = exportXlsx(store, *c.form, options, path.string());
    file->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    std::filesystem::remove(path);
    if (file->fd < 0) throw std::runtime_error("the spreadsheet " + path.string() + " cannot be read back");
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    throw;
  }
  struct stat st{};
  ::fstat(file->fd, &st);
  const auto size = static_cast<size_t>(st.st_size);
  ctx.res.set_header("Content-Disposition", "attachment; filename=\"" + base + ".xlsx\"");
  ctx.res.set_content_provider(
      size, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      [file, record, n, size](size_t offset, size_t length, httplib::DataSink& sink) {
        char piece[64 * 1024];
        const ssize_t got = ::pread(file->fd, piece, std::min(length, sizeof piece), static_cast<off_t>(offset));
        if (got <= 0) return false;
        if (offset + static_cast<size_t>(got) >= size) record("xlsx", n, true);  // the last piece goes out now
        return sink.write(piece, static_cast<size_t>(got));
      },
      [record, n](bool) { record("xlsx", n, false); });  // logged already, unless it was cut off
}

}  // namespace minyi::server::dash
