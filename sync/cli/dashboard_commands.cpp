// `minyi export|user|demo`: spreadsheets from a data folder, staff accounts for the dashboard, and a demo data folder.
#include "dashboard_commands.h"

#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>

#include "cli_common.h"
#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "minyi/server/demo_data.h"
#include "minyi/server/export.h"
#include "minyi/server/ingest.h"
#include "minyi/server/places.h"
#include "minyi/server/server_store.h"
#include "minyi/server/staff_auth.h"
#include "minyi/store/store.h"

namespace minyi::cli {

namespace fs = std::filesystem;
using core::Json;

namespace {

// withStore, where a spreadsheet that cannot be written or a password that cannot be hashed is a problem (1).
template <typename F>
int withStoreAndFiles(const std::string& dataDir, F&& f) {
  try {
    return withStore(dataDir, std::forward<F>(f));
  } catch (const std::runtime_error& e) {
    return fail(e.what(), kProblems);
  }
}

// A password from standard input, never from the command line (where `ps` and the shell history see it).
// At a terminal it is asked for twice without echo; from a pipe the first line is taken.
std::optional<std::string> readPassword(std::string* why) {
  auto line = [](bool echoOff) -> std::optional<std::string> {
    termios old{};
    const bool tty = echoOff && ::tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string s;
    const bool got = static_cast<bool>(std::getline(std::cin, s));
    if (tty) {
      ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
      std::cerr << "\n";
    }
    if (!got) return std::nullopt;
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
  };
  const bool terminal = ::isatty(STDIN_FILENO);
  if (terminal) std::cerr << "password: ";
  auto first = line(terminal);
  if (!first) {
    *why = "no password on standard input (pipe it in, e.g. from a password manager; it is never taken from the command line)";
    return std::nullopt;
  }
  if (terminal) {
    std::cerr << "again: ";
    auto second = line(true);
    if (!second || *second != *first) {
      *why = "the two passwords differ";
      return std::nullopt;
    }
  }
  if (auto problem = server::passwordProblem(*first); !problem.empty()) {
    *why = "the password is too weak: " + problem;
    return std::nullopt;
  }
  return first;
}

// --- export ---

int runExport(const std::string& dataDir, const std::string& formId, int version, const std::string& format,
              const std::string& out, bool maskPhones) {
  if (format != "csv" && format != "xlsx") return fail("--format must be csv or xlsx");
  return withStoreAndFiles(dataDir, [&](server::ServerStore& store) {
    std::optional<server::StoredForm> form;
    for (const server::StoredForm& f : store.forms())
      if (f.id == formId && (version == 0 || f.version == version)) form = f;  // by version: the newest wins
    if (!form) {
      std::cerr << "minyi: error: there is no form " << formId
                << (version ? " version " + std::to_string(version) : std::string()) << "; the forms are:\n";
      for (const server::StoredForm& f : store.forms()) std::cerr << "  " << f.id << " version " << f.version << "\n";
      return int{kBadInput};
    }
    server::ExportOptions options = server::exportOptions();
    options.maskPhones = maskPhones;
    int64_t n = 0;
    if (format == "csv") {
      std::string csv;
      n = server::exportCsv(store, *form, options, csv);
      FILE* f = std::fopen(out.c_str(), "wb");
      if (!f) return fail("cannot write " + out, kProblems);
      const bool written = std::fwrite(csv.data(), 1, csv.size(), f) == csv.size();
      if (std::fclose(f) != 0 || !written) return fail("cannot write " + out + " (disk full?)", kProblems);
    } else {
      n = server::exportXlsx(store, *form, options, out);
    }
    audit(store, "export", form->id + " v" + std::to_string(form->version),
          format + ", " + std::to_string(n) + " submissions" + (maskPhones ? ", phones masked" : ""));
    std::cout << "exported " << n << " submissions of form " << form->id << " version " << form->version << " to " << out
              << "\n";
    return int{kOk};
  });
}

// --- user ---

int runUserAdd(const std::string& dataDir, const std::string& name, const std::string& roleText,
               const std::string& display, const std::string& community) {
  if (!server::validUserName(name)) return fail("a user name is 2-32 of a-z 0-9 . _ -");
  auto role = server::roleFromName(roleText);
  if (!role) return fail("--role must be admin, handler or viewer");
  // A handler sees and handles one community's tickets (issue #5): without one, nothing yet.
  if (*role == server::Role::Handler && community.empty())
    std::cerr << "minyi: note: a handler without --community sees no tickets until `minyi user community` sets one\n";
  std::string why;
  auto password = readPassword(&why);
  if (!password) return fail(why);
  return withStoreAndFiles(dataDir, [&](server::ServerStore& store) {
    bool known = community.empty();
    for (const server::Community& c : store.communities()) known |= c.id == community;
    if (!known) return fail("there is no community " + community);
    if (!store.addUser({name, *role, display, server::hashPassword(*password), now(), "", community}))
      return fail("a user named " + name + " already exists", kProblems);
    audit(store, "user_add", name, std::string(server::roleName(*role)) + (community.empty() ? "" : " " + community));
    std::cout << "added " << server::roleName(*role) << " " << name << "\n";
    return int{kOk};
  });
}

int runUserList(const std::string& dataDir) {
  return withStoreAndFiles(dataDir, [&](server::ServerStore& store) {
    const auto users = store.users();
    if (users.empty()) std::cout << "no users yet (add one with `minyi user add NAME --role admin`)\n";
    for (const server::User& u : users)
      std::cout << u.name << "  " << server::roleName(u.role) << "  " << (u.displayName.empty() ? "-" : u.displayName)
                << "  " << (u.disabled() ? "disabled " + u.disabledAt.substr(0, 10) : std::string("active"))
                << (u.communityId.empty() ? "" : "  community " + u.communityId) << "\n";
    return int{kOk};
  });
}

int runUserCommunity(const std::string& dataDir, const std::string& name, const std::string& community) {
  return withStoreAndFiles(dataDir, [&](server::ServerStore& store) {
    if (!store.setUserCommunity(name, community))
      return fail("there is no user " + name + " or no community " + community, kProblems);
    audit(store, "user_community", name, community);
    std::cout << name << (community.empty() ? " belongs to no community now" : " handles the tickets of " + community) << "\n";
    return int{kOk};
  });
}

int runUserPasswd(const std::string& dataDir, const std::string& name) {
  std::string why;
  auto password = readPassword(&why);
  if (!password) return fail(why);
  return withStoreAndFiles(dataDir, [&](server::ServerStore& store) {
    if (!store.setPasswordHash(name, server::hashPassword(*password))) return fail("there is no user " + name, kProblems);
    audit(store, "user_password", name, "");
    std::cout << "the password of " << name << " is changed; their sessions have ended\n";
    return int{kOk};
  });
}

int runUserDisable(const std::string& dataDir, const std::string& name) {
  return withStoreAndFiles(dataDir, [&](server::ServerStore& store) {
    if (!store.disableUser(name, now())) return fail("there is no user " + name, kProblems);
    audit(store, "user_disable", name, "");
    std::cout << name << " is disabled and signed out everywhere\n";
    return int{kOk};
  });
}

// --- demo ---

struct DemoOptions {
  std::string dataDir;
  int submissions = 3000;
  int weeks = 8;
  unsigned seed = 20261127;
  bool passwordFromStdin = false;
  bool placesOnly = false;  // only the demo township's communities and sites
  std::string formsDir;
  std::string holidaysFile;  // the working-day calendar of the demo tickets' deadlines; empty: weekends only
};

int runDemo(const DemoOptions& o) {
  if (o.submissions < 0 || o.weeks < 1 || o.weeks > 104) return fail("--submissions must be >= 0 and --weeks 1 to 104");
  std::string adminPassword;
  if (o.passwordFromStdin) {
    std::string why;
    auto p = readPassword(&why);
    if (!p) return fail(why);
    adminPassword = *p;
  }
  return withStoreAndFiles(o.dataDir, [&](server::ServerStore& store) {
    // The township of the seed reports: its places first, as staff would add them.
    const int placesAdded = server::addPlaces(store, server::demoTownship());
    if (placesAdded > 0) audit(store, "places_add", "demo", std::to_string(placesAdded) + " communities and sites");
    if (o.placesOnly) {
      std::cout << "demo township in " << o.dataDir << ": " << server::demoTownship().communities.size() << " communities, "
                << server::demoTownship().sites.size() << " sites (" << placesAdded << " added now)\n";
      return int{kOk};
    }
    // The key pair beside the database, as a demo server's config names it (deploy/dev.sh).
    const std::string keyFile = o.dataDir + "/server.key";
    std::string why;
    std::optional<protocol::KeyPair> keys;
    if (fs::exists(keyFile)) {
      keys = protocol::readKeyPairFile(keyFile, &why);
      if (!keys) return fail(why);
    } else {
      keys = protocol::generateKeyPair();
      if (!protocol::writeKeyFiles(o.dataDir, *keys, &why)) return fail(why, kProblems);
    }

    // The six shipped forms, offered everywhere.
    std::vector<std::pair<server::StoredForm, std::shared_ptr<const server::LoadedForm>>> forms;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(o.formsDir))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      auto text = core::readTextFile(file.string(), &why, 4 << 20);
      if (!text) return fail(why);
      auto loaded = core::loadFormText(*text, file.stem().string());
      if (!loaded.ok()) return fail(file.string() + " does not pass `minyi form check`");
      const auto& m = loaded.form->minyi;
      server::StoredForm f{m.id, m.version, protocol::formContentHash(*text), m.kind, *text, now()};
      if (store.addForm(f) == server::FormAdded::VersionTaken)
        return fail("form " + f.id + " version " + std::to_string(f.version) + " is already there with other content", kProblems);
      store.activateForm(f.id, f.version, server::kAllSites, now());
      forms.push_back({f, server::formCache().get(f)});
    }
    if (forms.empty()) return fail("no forms in " + o.formsDir);

    // Deadlines as a server with the shipped holiday file counts them (deploy/server.example.toml).
    server::TicketPolicy ticketPolicy;
    if (!o.holidaysFile.empty() && !server::loadHolidayFile(o.holidaysFile, ticketPolicy.calendar, &why)) return fail(why);

    std::mt19937 rng(o.seed);
    const auto sites = store.sites();
    // One enrolled kiosk per site that has talked to the server lately, and one still waiting for its code.
    std::map<std::string, std::string> kioskAt;
    for (const server::Site& s : sites) {
      const std::string id = "demo-" + s.id;
      kioskAt[s.id] = id;
      if (store.device(id)) continue;
      const std::string code = protocol::randomCrockford(10);
      store.addDevice({id, s.id, s.name + " 一号机", protocol::sha256Hex(code),
                       protocol::isoUtc(std::chrono::system_clock::now() + std::chrono::hours(24)), now()});
      store.redeemEnrollmentCode(protocol::sha256Hex(code), protocol::sha256Hex(protocol::randomHex(32)), now(), "0.1.0",
                                 "kiosk-" + protocol::randomHex(4));
      const auto lastSeen = std::chrono::system_clock::now() - std::chrono::minutes(std::uniform_int_distribution<int>(1, 300)(rng));
      const int64_t backlog = std::uniform_int_distribution<int64_t>(0, 4)(rng);
      store.recordContact({id, protocol::isoUtc(lastSeen), backlog, {}, {}});
      // What each kiosk says of itself (终端状况): portrait kiosks in the community centres, one short of disk.
      protocol::KioskReport report;
      report.appVersion = "0.1.0";
      report.outbox = backlog;
      report.diskFreeBytes = s.id == "donglian-culture" ? int64_t{310} << 20
                                                        : std::uniform_int_distribution<int64_t>(4, 40)(rng) << 30;
      report.screen = s.communityId.empty() ? "1920x1080" : "1080x1920";
      report.appUptimeSeconds = std::uniform_int_distribution<int64_t>(3600, 9 * 86400)(rng);
      report.bootUptimeSeconds = *report.appUptimeSeconds + 120;
      store.recordReport(id, report, protocol::isoUtc(lastSeen));
    }
    if (!store.device("demo-waiting")) {
      store.addDevice({"demo-waiting", "huayuan-dqfwzx", "花园社区 二号机（待启用）", protocol::sha256Hex(protocol::randomCrockford(10)),
                       protocol::isoUtc(std::chrono::system_clock::now() + std::chrono::hours(20)), now()});
    }

    // Residents lean differently by site, so the by-site tables have something to show.
    std::map<std::string, server::DemoLean> leans;
    const double siteLean[] = {0.78, 0.72, 0.66, 0.58, 0.81, 0.69};
    for (size_t i = 0; i < sites.size(); ++i) leans[sites[i].id] = {siteLean[i % 6], sites[i].communityId};
    // Quick ratings are tapped most, complaints and messages to deputies least.
    std::vector<double> formWeights;
    for (const auto& f : forms) {
      const std::string& id = f.first.id;
      formWeights.push_back(id == "quick" ? 5 : id == "civilized-city" ? 3 : id == "efficiency" ? 2 : id == "opinion" ? 2 : 1);
    }
    std::discrete_distribution<size_t> pickForm(formWeights.begin(), formWeights.end());
    std::discrete_distribution<size_t> pickSite({2, 1, 3, 3, 3, 2});
    const auto nowTp = std::chrono::system_clock::now();

    std::map<std::string, std::vector<protocol::Envelope>> bySite;
    std::map<std::string, uint32_t> ticketSerial;     // by device
    std::map<std::string, std::string> ticketKeys;    // by code: the access keys only the QR links carry
    std::map<protocol::Outcome, int64_t> counts;
    auto flush = [&](const std::string& site) {
      auto& batch = bySite[site];
      if (batch.empty()) return;
      const auto reply = server::ingestBatch(store, *keys, batch, {kioskAt[site], site, "network", {}}, std::nullopt, &ticketPolicy);
      for (const auto& r : reply.results) ++counts[r.outcome];
      batch.clear();
    };
    using namespace std::chrono;
    std::uniform_int_distribution<int> pickDay(0, o.weeks * 7 - 1), pickMinute(0, 9 * 60 - 1);
    for (int i = 0; i < o.submissions; ++i) {
      const auto& [form, loaded] = forms[pickForm(rng)];
      const server::Site& site = sites[pickSite(rng) % sites.size()];
      // Office hours, 08:30 to 17:30 China time (00:30 to 09:30 UTC), on a day of the period, never in the future.
      using Days = duration<int64_t, std::ratio<86400>>;  // std::chrono::days is C++20
      const auto day = floor<Days>(nowTp - hours(24) * pickDay(rng));
      auto t = day + minutes(30 + pickMinute(rng)) + seconds(pickMinute(rng) % 60);
      if (t > nowTp) t -= hours(24);
      protocol::Envelope e;
      e.id = store::newSubmissionId();
      e.formId = form.id;
      e.formVersion = form.version;
      e.formHash = form.hash;
      e.kind = form.kind;
      e.createdAt = protocol::isoUtc(t);
      e.sealed = protocol::sealAnswers(keys->publicKey, {e.id, e.formId, e.formVersion, kioskAt[site.id]},
                                       server::demoAnswers(*loaded->form, rng, leans[site.id]));
      if (form.kind == "complaint") {  // a ticket, as the site's kiosk would have made it
        const auto device = store.device(kioskAt[site.id]);
        if (device && device->kioskNumber > 0) {
          uint32_t& serial = ticketSerial[device->id];
          if (serial == 0) {
            server::TicketQuery mine;
            mine.deviceId = device->id;
            mine.limit = 1000000;
            serial = static_cast<uint32_t>(store.tickets(mine).size());
          }
          e.ticketCode = protocol::checkTicketCode(protocol::makeTicketCode(static_cast<uint32_t>(device->kioskNumber), ++serial)).code;
          const std::string key = protocol::newTicketAccessKey();
          e.ticketKeySealed = protocol::seal(keys->publicKey, key);
          ticketKeys[e.ticketCode] = key;
        }
      }
      bySite[site.id].push_back(std::move(e));
      if (bySite[site.id].size() == protocol::kMaxBatch) flush(site.id);
    }
    for (const server::Site& s : sites) flush(s.id);
    const int handled = server::demoHandleTickets(store, rng, ticketPolicy, nowTp);

    // Two notices, as the township publishes them.
    if (store.allNotices(1).empty()) {
      protocol::Notice n;
      n.id = "notice-demo-fixes";
      n.title = Json{{"zh-cn", "整改情况公示"}, {"en", "What we fixed"}};
      n.body = Json{{"zh-cn", "根据居民反映，东湖社区5号楼楼道灯已全部修复；花园社区东门消防通道的占道车辆已清理，并设置了禁停标志。"}};
      n.publishedAt = now();
      store.addNotice({n, {server::kAllSites}});
      n.id = "notice-demo-meeting";
      n.title = Json{{"zh-cn", "居民议事会"}};
      n.body = Json{{"zh-cn", "本周六上午九点，在东湖社区党群服务中心召开居民议事会，议题：小区停车和垃圾分类。欢迎参加。"}};
      n.until = protocol::isoUtc(nowTp + std::chrono::hours(24 * 9));
      store.addNotice({n, {"donghu-dqfwzx"}});
    }

    std::cout << "demo data in " << o.dataDir << ": " << forms.size() << " forms, " << sites.size() << " kiosks, "
              << o.submissions << " submissions over " << o.weeks << " weeks (stored " << counts[protocol::Outcome::Stored]
              << ", duplicate " << counts[protocol::Outcome::Duplicate] << ", rejected "
              << counts[protocol::Outcome::Rejected] << ")\n"
              << "server key pair: " << keyFile << "\n"
              << "tickets: " << ticketKeys.size() << " complaints filed, " << handled << " handled by the demo staff\n";
    // One resolved ticket's public page, as its QR code links it: a way in for trying the resident's side.
    std::optional<server::Ticket> latest;
    for (const auto& [code, key] : ticketKeys) {
      auto t = store.ticket(code);
      if (t && t->status == server::TicketState::Resolved && (!latest || t->resolvedAt > latest->resolvedAt)) latest = t;
    }
    if (latest)
      std::cout << "a resident's ticket page (resolved, waiting for the rating): "
                << protocol::ticketLink("", latest->code, ticketKeys[latest->code]) << "\n";
    if (!store.user("admin")) {
      if (adminPassword.empty()) adminPassword = "demo-" + protocol::groupCode(protocol::randomCrockford(12), 4);
      store.addUser({"admin", server::Role::Admin, "演示管理员", server::hashPassword(adminPassword), now(), "", ""});
      audit(store, "user_add", "admin", "admin (demo)");
      std::cout << "demo login: admin / " << adminPassword << "\n";
    } else {
      std::cout << "demo login: admin already exists (change its password with `minyi user passwd admin`)\n";
    }
    return int{counts[protocol::Outcome::Rejected] == 0 && counts[protocol::Outcome::Conflict] == 0 ? kOk : kProblems};
  });
}

}  // namespace

void addDashboardCommands(CLI::App& app, int& exitCode) {
  const std::string dataHelp = "the server's data folder (holds server.db)";

  auto ex = std::make_shared<std::tuple<std::string, std::string, int, std::string, std::string, bool>>();
  CLI::App* exportCmd = app.add_subcommand("export", "write a form's submissions to a CSV (UTF-8 with BOM) or XLSX file");
  exportCmd->add_option("--data", std::get<0>(*ex), dataHelp)->required();
  exportCmd->add_option("--form", std::get<1>(*ex), "the form id, e.g. civilized-city")->required();
  exportCmd->add_option("--version", std::get<2>(*ex), "the form version (default: the newest)");
  exportCmd->add_option("--format", std::get<3>(*ex), "csv or xlsx")->required();
  exportCmd->add_option("--out", std::get<4>(*ex), "the file to write")->required();
  exportCmd->add_flag("--mask-phones", std::get<5>(*ex), "show phone numbers as 138****1234");
  exportCmd->callback([=, &exitCode] {
    exitCode = runExport(std::get<0>(*ex), std::get<1>(*ex), std::get<2>(*ex), std::get<3>(*ex), std::get<4>(*ex),
                         std::get<5>(*ex));
  });

  CLI::App* user = app.add_subcommand("user", "staff accounts of the dashboard (passwords are read from standard input)");
  user->require_subcommand(1);
  auto uData = std::make_shared<std::string>(), uName = std::make_shared<std::string>(),
       uRole = std::make_shared<std::string>(), uDisplay = std::make_shared<std::string>(),
       uCommunity = std::make_shared<std::string>();
  CLI::App* add = user->add_subcommand("add", "add an account; its password is read from standard input");
  add->add_option("--data", *uData, dataHelp)->required();
  add->add_option("name", *uName, "the login name (a-z 0-9 . _ -)")->required();
  add->add_option("--role", *uRole, "admin, handler or viewer")->required();
  add->add_option("--display", *uDisplay, "the person's name as the dashboard shows it");
  add->add_option("--community", *uCommunity, "a handler's community: the only tickets the handler sees and handles");
  add->callback([=, &exitCode] { exitCode = runUserAdd(*uData, *uName, *uRole, *uDisplay, *uCommunity); });
  CLI::App* community = user->add_subcommand("community", "set the community whose tickets a handler handles");
  community->add_option("--data", *uData, dataHelp)->required();
  community->add_option("name", *uName, "the login name")->required();
  community->add_option("community", *uCommunity, "the community id (empty \"\" for none)")->required();
  community->callback([=, &exitCode] { exitCode = runUserCommunity(*uData, *uName, *uCommunity); });
  CLI::App* list = user->add_subcommand("list", "list the accounts with role and state");
  list->add_option("--data", *uData, dataHelp)->required();
  list->callback([=, &exitCode] { exitCode = runUserList(*uData); });
  CLI::App* passwd = user->add_subcommand("passwd", "set an account's password (from standard input); ends its sessions");
  passwd->add_option("--data", *uData, dataHelp)->required();
  passwd->add_option("name", *uName, "the login name")->required();
  passwd->callback([=, &exitCode] { exitCode = runUserPasswd(*uData, *uName); });
  CLI::App* disable = user->add_subcommand("disable", "disable an account and end its sessions");
  disable->add_option("--data", *uData, dataHelp)->required();
  disable->add_option("name", *uName, "the login name")->required();
  disable->callback([=, &exitCode] { exitCode = runUserDisable(*uData, *uName); });

  auto demo = std::make_shared<DemoOptions>();
  demo->formsDir = std::string(MINYI_ASSETS_DIR) + "/forms";
  demo->holidaysFile = std::string(MINYI_ASSETS_DIR) + "/../deploy/holidays-2026.toml";
  CLI::App* demoCmd = app.add_subcommand(
      "demo", "fill a data folder with the demo township's communities and sites, the shipped forms, a kiosk per site "
              "and realistic sealed submissions, ingested as kiosks send them, plus the account admin");
  demoCmd->add_option("--data", demo->dataDir, "the data folder to fill (created when missing; server.key goes there too)")
      ->required();
  demoCmd->add_option("--submissions", demo->submissions, "how many submissions (default 3000)");
  demoCmd->add_option("--holidays", demo->holidaysFile,
                      "holiday file for the demo tickets' deadlines (default: the shipped deploy/holidays-2026.toml; \"\" for weekends only)");
  demoCmd->add_option("--weeks", demo->weeks, "spread over this many weeks up to now (default 8)");
  demoCmd->add_option("--seed", demo->seed, "random seed: the same seed gives the same answers");
  demoCmd->add_option("--forms", demo->formsDir, "the folder of forms to upload (default: the shipped forms)");
  demoCmd->add_flag("--places-only", demo->placesOnly,
                    "add only the demo township's three communities and six sites (what tests and trials start from)");
  demoCmd->add_flag("--admin-password-stdin", demo->passwordFromStdin,
                    "read the admin password from standard input instead of making one up");
  demoCmd->callback([=, &exitCode] { exitCode = runDemo(*demo); });
}

}  // namespace minyi::cli
