// minyi-server's TOML configuration (deploy/server.example.toml documents every key).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "minyi/server/connections.h"
#include "minyi/server/fleet.h"
#include "minyi/server/notifications.h"
#include "minyi/server/server_store.h"
#include "minyi/server/tickets.h"

namespace minyi::server {

struct ServerConfig {
  std::string listen = "127.0.0.1";  // [server] listen: the address to bind
  int port = 8080;                   // [server] port; 0 picks a free port and prints it (tests)
  int threads = 0;                   // [server] threads: requests handled at once; 0: 8
  // [server] max_connections, max_connections_per_address, request_header_seconds,
  // min_upload_bytes_per_second (connections.h).
  ConnectionLimits connections;
  bool logRequests = false;          // [server] log_requests: one line per request on stderr
  // [server] trusted_proxies: reverse proxies (addresses, IPv4 networks a.b.c.d/n) whose X-Forwarded-For
  // and X-Real-IP are believed; [server] secure_cookies: cookies only over HTTPS when TLS ends at the proxy.
  std::vector<std::string> trustedProxies;
  bool secureCookies = false;
  std::string storageBackend = "sqlite";  // [storage] backend: one of storageBackends() (server_store.h)
  std::string dataDir;               // [storage] data_dir: holds server.db
  std::string keyPairFile;           // [keys] key_pair: server.key from `minyi keygen`
  std::string tlsCertFile;           // [tls] cert (PEM); HTTPS when cert and key are both set
  std::string tlsKeyFile;            // [tls] key (PEM)
  // [tickets]: holidays (holiday files, e.g. deploy/holidays-2026.toml), due_soon_hours, and
  // [tickets.deadlines] (category = "24h" | "3wd" | "7d", and default). A complaint form's own deadline for a
  // category wins over these (the kiosk's receipt promised it).
  TicketPolicy tickets;
  std::vector<std::string> holidayFiles;  // as resolved, for the start-up line
  // [fleet]: opening_hours ("08:00-18:00", China time), silent_hours, low_disk_mb, backlog_minutes: when the
  // devices page flags a kiosk (fleet.h).
  FleetPolicy fleet;
  // [notify]: dashboard_url, check_seconds, max_attempts, timeout_seconds and [[notify.channels]]: who hears of
  // new complaints, deadlines and silent kiosks, and how (notifications.h).
  NotifyPolicy notify;

  std::string databasePath() const { return dataDir + "/server.db"; }
  StorageConfig storage() const { return {storageBackend, dataDir}; }
};

// Every problem on its own line, named by its key ("server.port: must be an integer, not a string").
// Relative paths are taken from baseFolder (the configuration file's folder).
std::optional<ServerConfig> parseServerConfig(const std::string& text, const std::string& baseFolder,
                                              std::string* error);
std::optional<ServerConfig> loadServerConfig(const std::string& path, std::string* error);

}  // namespace minyi::server
