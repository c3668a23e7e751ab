// Reading minyi-server's TOML configuration with toml++: every key checked, every problem named by its key.
#include "minyi/server/server_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <filesystem>
#include <toml++/toml.h>
#include <vector>

#include "minyi/config/checked_toml.h"
#include "minyi/core/json_input.h"
#include "minyi/server/api_server.h"

namespace minyi::server {

namespace {

constexpr size_t kMaxConfigBytes = 1024 * 1024;  // a real file is under 2 KB

using config::KeySpec;

const KeySpec kKeys[] = {
    {"server", "listen", toml::node_type::string, false, "the address to listen on, e.g. \"0.0.0.0\""},
    {"server", "port", toml::node_type::integer, false, "the TCP port, 0 for any free one"},
    {"server", "threads", toml::node_type::integer, false, "requests handled at once, 0 for the default (8)"},
    {"server", "max_connections", toml::node_type::integer, false, "connections open at once, e.g. 1000"},
    {"server", "max_connections_per_address", toml::node_type::integer, false,
     "connections open at once from one client address, e.g. 32"},
    {"server", "request_header_seconds", toml::node_type::integer, false,
     "seconds a client has to send a request's headers, e.g. 10"},
    {"server", "min_upload_bytes_per_second", toml::node_type::integer, false,
     "the slowest a request body may arrive, e.g. 8192"},
    {"server", "log_requests", toml::node_type::boolean, false, "true to log one line per request"},
    {"server", "trusted_proxies", toml::node_type::array, false,
     "addresses of reverse proxies whose X-Forwarded-For is believed, e.g. [\"127.0.0.1\"]"},
    {"server", "secure_cookies", toml::node_type::boolean, false, "true when HTTPS ends at a reverse proxy in front"},
    {"storage", "backend", toml::node_type::string, false, "the storage backend, e.g. \"sqlite\" (the default)"},
    {"storage", "data_dir", toml::node_type::string, true, "the folder that holds server.db"},
    {"keys", "key_pair", toml::node_type::string, true, "server.key made by `minyi keygen`"},
    {"tls", "cert", toml::node_type::string, false, "the TLS certificate chain (PEM)"},
    {"tls", "key", toml::node_type::string, false, "the TLS private key (PEM)"},
    {"tickets", "holidays", toml::node_type::array, false, "a list of holiday files, e.g. [\"holidays-2026.toml\"]"},
    {"tickets", "close_unrated_after_days", toml::node_type::integer, false, "days, e.g. 7 (0: never)"},
    {"tickets", "due_soon_hours", toml::node_type::integer, false, "hours before a deadline a ticket counts as due soon"},
    {"tickets", "deadlines", toml::node_type::table, false, "category = \"24h\", \"3wd\" or \"7d\""},
    {"fleet", "opening_hours", toml::node_type::string, false, "the kiosks' opening hours, China time, e.g. \"08:00-18:00\""},
    {"fleet", "silent_hours", toml::node_type::integer, false, "opening hours without contact before a kiosk is flagged, e.g. 2"},
    {"fleet", "low_disk_mb", toml::node_type::integer, false, "free disk below which a kiosk is flagged, e.g. 500"},
    {"fleet", "backlog_minutes", toml::node_type::integer, false,
     "minutes the oldest unsent submission may wait while the backlog does not go down, e.g. 60"},
    {"notify", "dashboard_url", toml::node_type::string, false,
     "the dashboard's address as staff open it, e.g. \"https://minyi.example.gov.cn\": messages link into it"},
    {"notify", "check_seconds", toml::node_type::integer, false, "seconds between checks for what needs staff, e.g. 60"},
    {"notify", "max_attempts", toml::node_type::integer, false, "attempts before a message is given up, e.g. 10"},
    {"notify", "timeout_seconds", toml::node_type::integer, false, "seconds one delivery may take, e.g. 10"},
    {"notify", "channels", toml::node_type::array, false, "[[notify.channels]] tables"},
};

// The keys of one [[notify.channels]] table, and which kinds each is for.
struct ChannelKey {
  const char* name;
  toml::node_type type;
  const char* kinds;  // "wecom dingtalk email" or a part of it
};
const ChannelKey kChannelKeys[] = {
    {"name", toml::node_type::string, "wecom dingtalk email"},
    {"kind", toml::node_type::string, "wecom dingtalk email"},
    {"events", toml::node_type::array, "wecom dingtalk email"},
    {"communities", toml::node_type::array, "wecom dingtalk email"},
    {"url", toml::node_type::string, "wecom dingtalk"},
    {"secret", toml::node_type::string, "dingtalk"},
    {"smtp_url", toml::node_type::string, "email"},
    {"from", toml::node_type::string, "email"},
    {"to", toml::node_type::array, "email"},
    {"user", toml::node_type::string, "email"},
    {"password", toml::node_type::string, "email"},
    {"require_tls", toml::node_type::boolean, "email"},
};

bool startsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// An e-mail address fit for an SMTP envelope and a header: one @, no spaces, brackets or line breaks.
bool plainAddress(const std::string& a) {
  const size_t at = a.find('@');
  return at != std::string::npos && at > 0 && at + 1 < a.size() && a.find('@', at + 1) == std::string::npos &&
         a.size() <= 254 && a.find_first_of(" <>,;\"\r\n\t") == std::string::npos;
}

// The strings of an array, or a problem with `name` for anything else in it.
std::vector<std::string> stringsOf(const toml::array* array, const std::string& name, std::vector<std::string>& problems) {
  std::vector<std::string> out;
  if (!array) return out;
  for (const toml::node& item : *array) {
    if (auto text = item.value<std::string>()) out.push_back(*text);
    else problems.push_back(name + ": every entry must be a string");
  }
  return out;
}

// One [[notify.channels]] table (position `index` from 1), every problem named by its key.
std::optional<Channel> parseChannel(const toml::node& node, size_t index, std::vector<std::string>& problems) {
  const std::string at = "notify.channels[" + std::to_string(index) + "]";
  const toml::table* t = node.as_table();
  if (!t) {
    problems.push_back(at + ": must be a table ([[notify.channels]]), not " + std::string(config::typeName(node.type())));
    return std::nullopt;
  }
  const size_t before = problems.size();
  Channel c;
  c.name = t->get_as<std::string>("name") ? **t->get_as<std::string>("name") : "";
  const std::string kind = t->get_as<std::string>("kind") ? **t->get_as<std::string>("kind") : "";
  const auto k = channelKindFromName(kind);
  if (!k) problems.push_back(at + ".kind: must be \"wecom\" (企业微信), \"dingtalk\" (钉钉) or \"email\", not \"" + kind + "\"");
  else c.kind = *k;
  for (const auto& [key, value] : *t) {
    const std::string name(key.str());
    const ChannelKey* spec = nullptr;
    for (const ChannelKey& s : kChannelKeys)
      if (name == s.name) spec = &s;
    if (!spec) {
      problems.push_back(at + "." + name + ": unknown key");
    } else if (value.type() != spec->type) {
      problems.push_back(at + "." + name + ": must be " + config::typeName(spec->type) + ", not " + config::typeName(value.type()));
    } else if (k && (" " + std::string(spec->kinds) + " ").find(" " + kind + " ") == std::string::npos) {
      problems.push_back(at + "." + name + ": not a key of a channel of kind = \"" + kind + "\" (it is for " + spec->kinds + ")");
    }
  }
  if (c.name.empty() || c.name.size() > 60) problems.push_back(at + ".name: must be given, 1-60 characters (staff see it)");
  if (const toml::array* events = t->get_as<toml::array>("events")) {
    c.events.clear();
    for (const std::string& e : stringsOf(events, at + ".events", problems)) {
      if (auto ev = notifyEventFromName(e)) c.events.push_back(*ev);
      else problems.push_back(at + ".events: \"" + e + "\" is not one of \"complaint\", \"deadline\", \"kiosk\"");
    }
  }
  c.communities = stringsOf(t->get_as<toml::array>("communities"), at + ".communities", problems);
  const std::pair<const char*, std::string Channel::*> texts[] = {{"url", &Channel::url},   {"secret", &Channel::secret},
                                                                   {"smtp_url", &Channel::smtpUrl}, {"from", &Channel::from},
                                                                   {"user", &Channel::user}, {"password", &Channel::password}};
  for (const auto& [key, field] : texts)
    if (auto value = t->get_as<std::string>(key)) c.*field = **value;
  c.to = stringsOf(t->get_as<toml::array>("to"), at + ".to", problems);
  if (auto tls = t->get_as<bool>("require_tls")) c.requireTls = **tls;
  if (k && *k != ChannelKind::Email && !startsWith(c.url, "https://") && !startsWith(c.url, "http://"))
    problems.push_back(at + ".url: must be the robot's webhook, https://...");
  if (k && *k == ChannelKind::Email) {
    if (!startsWith(c.smtpUrl, "smtp://") && !startsWith(c.smtpUrl, "smtps://"))
      problems.push_back(at + ".smtp_url: must be smtp://host:port (STARTTLS) or smtps://host:port");
    if (!plainAddress(c.from)) problems.push_back(at + ".from: must be one e-mail address, e.g. \"minyi@example.gov.cn\"");
    if (c.to.empty()) problems.push_back(at + ".to: must list at least one e-mail address");
    for (const std::string& to : c.to)
      if (!plainAddress(to)) problems.push_back(at + ".to: \"" + to + "\" is not an e-mail address");
    if (c.user.empty() != c.password.empty()) problems.push_back(at + ": give both user and password, or neither");
  }
  if (problems.size() != before) return std::nullopt;
  return c;
}

std::string resolve(const std::string& base, const std::string& p) {
  std::filesystem::path path(p);
  if (p.empty() || path.is_absolute() || base.empty()) return path.lexically_normal().string();
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

}  // namespace

std::optional<ServerConfig> parseServerConfig(const std::string& text, const std::string& baseFolder,
                                              std::string* error) {
  std::vector<std::string> problems;
  auto fail = [&]() -> std::optional<ServerConfig> {
    if (error) {
      error->clear();
      for (const auto& p : problems) *error += (error->empty() ? "" : "\n") + p;
    }
    return std::nullopt;
  };
  auto parsed = config::parseChecked(text, kKeys, problems);
  if (!parsed) return fail();
  const toml::table& root = *parsed;
  if (!problems.empty()) return fail();

  ServerConfig c;
  c.listen = root.at_path("server.listen").value_or(c.listen);
  const int64_t port = root.at_path("server.port").value_or(int64_t{c.port});
  const int64_t threads = root.at_path("server.threads").value_or(int64_t{0});
  const ConnectionLimits defaults;
  const int64_t maxConnections = root.at_path("server.max_connections").value_or(int64_t{defaults.maxConnections});
  const int64_t perAddress = root.at_path("server.max_connections_per_address").value_or(int64_t{defaults.perAddress});
  const int64_t headerSeconds =
      root.at_path("server.request_header_seconds").value_or(int64_t{defaults.headerDeadline.count() / 1000});
  const int64_t minRate =
      root.at_path("server.min_upload_bytes_per_second").value_or(static_cast<int64_t>(defaults.minBodyBytesPerSecond));
  if (maxConnections < 16 || maxConnections > 100000) problems.push_back("server.max_connections: must be 16-100000");
  if (perAddress < 1 || perAddress > maxConnections)
    problems.push_back("server.max_connections_per_address: must be 1 to max_connections");
  if (headerSeconds < 1 || headerSeconds > 600) problems.push_back("server.request_header_seconds: must be 1-600");
  if (minRate < 1 || minRate > 100 * 1024 * 1024)
    problems.push_back("server.min_upload_bytes_per_second: must be 1-104857600");
  c.connections.maxConnections = static_cast<int>(maxConnections);
  c.connections.perAddress = static_cast<int>(perAddress);
  c.connections.headerDeadline = std::chrono::seconds(headerSeconds);
  c.connections.minBodyBytesPerSecond = static_cast<uint64_t>(minRate);
  c.logRequests = root.at_path("server.log_requests").value_or(false);
  c.secureCookies = root.at_path("server.secure_cookies").value_or(false);
  if (const toml::array* proxies = root.at_path("server.trusted_proxies").as_array()) {
    for (const toml::node& item : *proxies) {
      const auto text = item.value<std::string>();
      const std::string address = text ? text->substr(0, text->find('/')) : std::string();
      in6_addr any{};
      const bool v4 = inet_pton(AF_INET, address.c_str(), &any) == 1, v6 = inet_pton(AF_INET6, address.c_str(), &any) == 1;
      const bool network = text && text->find('/') != std::string::npos;
      if (!text || (!v4 && !v6) || (network && (!v4 || !addressMatches(address, *text)))) {
        problems.push_back("server.trusted_proxies: every entry must be an IP address or an IPv4 network a.b.c.d/n, not " +
                           (text ? "\"" + *text + "\"" : std::string("a non-string")));
        continue;
      }
      c.trustedProxies.push_back(*text);
    }
  }
  c.storageBackend = root.at_path("storage.backend").value_or(std::string("sqlite"));
  const auto& backends = storageBackends();
  if (std::find(backends.begin(), backends.end(), c.storageBackend) == backends.end())
    problems.push_back("storage.backend: \"" + c.storageBackend + "\" is not built into this minyi-server (built in: " +
                       storageBackendNames() + ")");
  c.dataDir = resolve(baseFolder, root.at_path("storage.data_dir").value_or(std::string()));
  c.keyPairFile = resolve(baseFolder, root.at_path("keys.key_pair").value_or(std::string()));
  c.tlsCertFile = resolve(baseFolder, root.at_path("tls.cert").value_or(std::string()));
  c.tlsKeyFile = resolve(baseFolder, root.at_path("tls.key").value_or(std::string()));
  if (c.listen.empty()) problems.push_back("server.listen: must not be empty");
  if (port < 0 || port > 65535) problems.push_back("server.port: must be 0-65535");
  if (threads < 0 || threads > 256) problems.push_back("server.threads: must be 0-256");
  if (c.dataDir.empty()) problems.push_back("storage.data_dir: must not be empty");
  if (c.keyPairFile.empty()) problems.push_back("keys.key_pair: must not be empty");
  if (c.tlsCertFile.empty() != c.tlsKeyFile.empty())
    problems.push_back("tls: give both cert and key for HTTPS, or neither for plain HTTP");
  const int64_t dueSoon = root.at_path("tickets.due_soon_hours").value_or(int64_t{24});
  if (dueSoon < 1 || dueSoon > 24 * 30) problems.push_back("tickets.due_soon_hours: must be 1-720");
  c.tickets.dueSoon = std::chrono::hours(dueSoon);
  const int64_t closeAfter = root.at_path("tickets.close_unrated_after_days").value_or(int64_t{7});
  if (closeAfter < 0 || closeAfter > 365) problems.push_back("tickets.close_unrated_after_days: must be 0 (never) to 365");
  c.tickets.closeUnratedAfter = std::chrono::hours(24 * closeAfter);
  if (const toml::table* deadlines = root.at_path("tickets.deadlines").as_table()) {
    for (const auto& [key, node] : *deadlines) {
      const std::string name = "tickets.deadlines." + std::string(key.str());
      const auto text = node.value<std::string>();
      const auto d = text ? Deadline::parse(*text) : std::nullopt;
      if (!d) {
        problems.push_back(name + ": must be \"<n>h\" (hours), \"<n>wd\" (working days) or \"<n>d\" (days), n 1-999");
        continue;
      }
      if (key.str() == "default") c.tickets.fallback = *d;
      else c.tickets.deadlines[std::string(key.str())] = *d;
    }
  }
  if (const toml::array* files = root.at_path("tickets.holidays").as_array()) {
    for (const toml::node& item : *files) {
      const auto file = item.value<std::string>();
      if (!file || file->empty()) {
        problems.push_back("tickets.holidays: every entry must be a file name");
        continue;
      }
      std::string why;
      const std::string path = resolve(baseFolder, *file);
      if (!loadHolidayFile(path, c.tickets.calendar, &why)) problems.push_back("tickets.holidays: " + why);
      else c.holidayFiles.push_back(path);
    }
  }
  const std::string hours = root.at_path("fleet.opening_hours").value_or(std::string("08:00-18:00"));
  if (auto open = core::OpeningHours::parse(hours)) {
    c.fleet.hours = *open;
  } else {
    problems.push_back("fleet.opening_hours: must be \"HH:MM-HH:MM\" with opening before closing, e.g. \"08:00-18:00\", not \"" +
                       hours + "\"");
  }
  const int64_t silentHours = root.at_path("fleet.silent_hours").value_or(int64_t{2});
  if (silentHours < 1 || silentHours > 240) problems.push_back("fleet.silent_hours: must be 1-240");
  c.fleet.silentAfter = std::chrono::hours(silentHours);
  const int64_t lowDiskMb = root.at_path("fleet.low_disk_mb").value_or(int64_t{500});
  if (lowDiskMb < 0 || lowDiskMb > 1024 * 1024) problems.push_back("fleet.low_disk_mb: must be 0-1048576");
  else c.fleet.lowDiskBytes = lowDiskMb * 1024 * 1024;
  const int64_t backlogMinutes = root.at_path("fleet.backlog_minutes").value_or(int64_t{60});
  if (backlogMinutes < 5 || backlogMinutes > 7 * 24 * 60) problems.push_back("fleet.backlog_minutes: must be 5-10080");
  c.fleet.backlogAfter = std::chrono::minutes(backlogMinutes);
  c.notify.dashboardUrl = root.at_path("notify.dashboard_url").value_or(std::string());
  while (!c.notify.dashboardUrl.empty() && c.notify.dashboardUrl.back() == '/') c.notify.dashboardUrl.pop_back();
  if (!c.notify.dashboardUrl.empty() && !startsWith(c.notify.dashboardUrl, "https://") &&
      !startsWith(c.notify.dashboardUrl, "http://"))
    problems.push_back("notify.dashboard_url: must start with https:// (or http://), not \"" + c.notify.dashboardUrl + "\"");
  const int64_t checkSeconds = root.at_path("notify.check_seconds").value_or(int64_t{60});
  if (checkSeconds < 5 || checkSeconds > 3600) problems.push_back("notify.check_seconds: must be 5-3600");
  c.notify.checkEvery = std::chrono::seconds(checkSeconds);
  const int64_t attempts = root.at_path("notify.max_attempts").value_or(int64_t{10});
  if (attempts < 1 || attempts > 100) problems.push_back("notify.max_attempts: must be 1-100");
  c.notify.maxAttempts = static_cast<int>(attempts);
  const int64_t timeout = root.at_path("notify.timeout_seconds").value_or(int64_t{10});
  if (timeout < 1 || timeout > 120) problems.push_back("notify.timeout_seconds: must be 1-120");
  c.notify.timeout = std::chrono::seconds(timeout);
  if (const toml::array* channels = root.at_path("notify.channels").as_array()) {
    for (size_t i = 0; i < channels->size(); ++i) {
      auto channel = parseChannel(*channels->get(i), i + 1, problems);
      if (!channel) continue;
      if (c.notify.channel(channel->name))
        problems.push_back("notify.channels[" + std::to_string(i + 1) + "].name: \"" + channel->name + "\" is taken by another channel");
      c.notify.channels.push_back(std::move(*channel));
    }
    if (!c.notify.channels.empty() && c.notify.dashboardUrl.empty())
      problems.push_back("notify.dashboard_url: missing (the dashboard's address as staff open it: messages link to the ticket)");
  }
  if (!problems.empty()) return fail();
  c.port = static_cast<int>(port);
  c.threads = static_cast<int>(threads);
  return c;
}

std::optional<ServerConfig> loadServerConfig(const std::string& path, std::string* error) {
  std::string why;
  auto text = core::readTextFile(path, &why, kMaxConfigBytes);
  if (!text) {
    if (error) *error = why;
    return std::nullopt;
  }
  std::string base = std::filesystem::path(path).parent_path().string();
  auto c = parseServerConfig(*text, base.empty() ? "." : base, &why);
  if (!c && error) {
    // Name the file on every line, as compilers do, so an IT person sees which file to fix.
    std::string named;
    for (size_t start = 0; start <= why.size();) {
      size_t end = why.find('\n', start);
      if (end == std::string::npos) end = why.size();
      named += (named.empty() ? "" : "\n") + path + ": " + why.substr(start, end - start);
      start = end + 1;
    }
    *error = named;
  }
  return c;
}

}  // namespace minyi::server
