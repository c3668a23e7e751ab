// minyi-server's TOML configuration: the shipped example, every problem named by its key, and HTTPS from it.
#include "server_test_helpers.h"

#include <cstdlib>
#include <fstream>
#include <regex>

#include "minyi/server/api_server.h"
#include "minyi/server/server_config.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;

TEST_CASE("deploy/server.example.toml is a valid configuration with every key") {
  std::string error;
  auto c = server::loadServerConfig(std::string(MINYI_SOURCE_DIR) + "/deploy/server.example.toml", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->listen == "127.0.0.1");
  CHECK(c->port == 8443);
  CHECK(c->storageBackend == "sqlite");
  CHECK(c->dataDir == "/var/lib/minyi");
  CHECK(c->keyPairFile == "/etc/minyi/server.key");
  CHECK(c->tlsCertFile == "/etc/minyi/tls/fullchain.pem");
  CHECK(c->databasePath() == "/var/lib/minyi/server.db");
  // The shipped 2026 holidays, and deadlines per category.
  CHECK(c->tickets.calendar.holidayCount() == 33);
  CHECK(c->tickets.calendar.workdayCount() == 6);
  CHECK(c->tickets.dueSoon == std::chrono::hours(24));
  CHECK(c->tickets.deadlines.at("hygiene").text() == "3wd");
  CHECK(c->tickets.fallback.text() == "7d");
  CHECK(c->fleet.hours.text() == "08:00-18:00");
  CHECK(c->fleet.silentAfter == std::chrono::hours(2));
  CHECK(c->fleet.lowDiskBytes == int64_t{500} << 20);
  CHECK(c->fleet.backlogAfter == std::chrono::minutes(60));
  CHECK(c->notify.dashboardUrl == "https://minyi.example.gov.cn");
  CHECK(c->notify.checkEvery == std::chrono::seconds(60));
  CHECK(c->notify.maxAttempts == 10);
  CHECK(c->notify.timeout == std::chrono::seconds(10));
  CHECK(c->notify.channels.empty());  // examples to uncomment: a copied file sends nothing anywhere
}

TEST_CASE("the example's notification channels are a valid configuration once uncommented", "[notify]") {
  std::string text = readFile(std::string(MINYI_SOURCE_DIR) + "/deploy/server.example.toml");
  text = std::regex_replace(text, std::regex("\n# (\\[\\[notify\\.channels\\]\\]|[a-z_]+ = [^\n]*)"), "\n$1");
  std::string error;
  auto c = server::parseServerConfig(text, std::string(MINYI_SOURCE_DIR) + "/deploy", &error);
  INFO(error);
  REQUIRE(c);
  REQUIRE(c->notify.channels.size() == 3);
  CHECK(c->notify.channels[0].kind == server::ChannelKind::WeCom);
  CHECK(c->notify.channels[1].secret.rfind("SEC", 0) == 0);
  CHECK(c->notify.channels[2].to == std::vector<std::string>{"it@example.gov.cn"});
  CHECK(c->notify.channels[2].hears(server::NotifyEvent::Kiosk, "donghu"));
  CHECK_FALSE(c->notify.channels[2].hears(server::NotifyEvent::Complaint, "donghu"));
}

TEST_CASE("[fleet]: opening hours and limits are read, and bad ones are named by their key") {
  TempDir dir;
  std::string error;
  const std::string base = "[storage]\ndata_dir = \"data\"\n[keys]\nkey_pair = \"k\"\n";
  auto c = server::parseServerConfig(base + "[fleet]\nopening_hours = \"07:30-20:00\"\nsilent_hours = 4\nlow_disk_mb = 1024\n",
                                     dir.path(), &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->fleet.hours.opensAtMinute == 7 * 60 + 30);
  CHECK(c->fleet.hours.closesAtMinute == 20 * 60);
  CHECK(c->fleet.silentAfter == std::chrono::hours(4));
  CHECK(c->fleet.lowDiskBytes == int64_t{1} << 30);
  for (const char* hours : {"18:00-08:00", "8-18", "08:00-25:00", "08:00-18:00x", "08:61-18:00", ""}) {
    INFO(hours);
    CHECK_FALSE(server::parseServerConfig(base + "[fleet]\nopening_hours = \"" + hours + "\"\n", dir.path(), &error));
    CHECK_THAT(error, Contains("fleet.opening_hours"));
  }
  CHECK_FALSE(server::parseServerConfig(base + "[fleet]\nsilent_hours = 0\nlow_disk_mb = -1\nbacklog_minutes = 1\n", dir.path(), &error));
  CHECK_THAT(error, Contains("fleet.silent_hours") && Contains("fleet.low_disk_mb") && Contains("fleet.backlog_minutes"));
}

TEST_CASE("[storage] backend chooses the store: sqlite by default, one not built in is named with those that are") {
  TempDir dir;
  std::string error;
  const std::string rest = "data_dir = \"data\"\n[keys]\nkey_pair = \"k\"\n";
  auto plain = server::parseServerConfig("[storage]\n" + rest, dir.path(), &error);
  REQUIRE(plain);
  CHECK(plain->storage().backend == "sqlite");
  auto chosen = server::parseServerConfig("[storage]\nbackend = \"sqlite\"\n" + rest, dir.path(), &error);
  REQUIRE(chosen);
  // The store it opens is the real one: what it keeps is there when the data folder is opened again.
  {
    auto store = server::openStorage(chosen->storage());
    server::addPlaces(*store, server::demoTownship());
    REQUIRE(store->addDevice(server::NewDevice{"kiosk-1", "donghu-dqfwzx", "大厅", "h", isoIn(std::chrono::hours(1)), isoIn({})}));
  }
  CHECK(server::openDataFolder(dir.file("data"))->device("kiosk-1"));
  CHECK_FALSE(server::parseServerConfig("[storage]\nbackend = \"postgresql\"\n" + rest, dir.path(), &error));
  CHECK_THAT(error, Contains("storage.backend") && Contains("postgresql") && Contains("built in: sqlite"));
  CHECK_THROWS_WITH(server::openStorage({"oracle", dir.file("data")}), Contains("oracle") && Contains("sqlite"));
}

TEST_CASE("ticket settings: a bad deadline, an unknown holiday file and a bad date are named by their key") {
  TempDir dir;
  std::ofstream(dir.file("bad-holidays.toml")) << "holidays = [\"2026-02-30\"]\n";
  const std::string base = "[storage]\ndata_dir = \"d\"\n[keys]\nkey_pair = \"k\"\n";
  std::string error;
  CHECK_FALSE(server::parseServerConfig(base + "[tickets.deadlines]\nhygiene = \"3 days\"\n", dir.path(), &error));
  CHECK_THAT(error, Contains("tickets.deadlines.hygiene"));
  CHECK_FALSE(server::parseServerConfig(base + "[tickets]\nholidays = [\"none.toml\"]\n", dir.path(), &error));
  CHECK_THAT(error, Contains("tickets.holidays"));
  CHECK_FALSE(server::parseServerConfig(base + "[tickets]\nholidays = [\"bad-holidays.toml\"]\n", dir.path(), &error));
  CHECK_THAT(error, Contains("YYYY-MM-DD"));
  auto ok = server::parseServerConfig(base + "[tickets]\ndue_soon_hours = 8\n[tickets.deadlines]\nother = \"2wd\"\n", dir.path(),
                                      &error);
  REQUIRE(ok);
  CHECK(ok->tickets.dueSoon == std::chrono::hours(8));
  CHECK(ok->tickets.deadlines.at("other") == server::Deadline{server::Deadline::Unit::WorkingDays, 2});
}

TEST_CASE("a minimal configuration takes defaults and paths relative to its folder") {
  std::string error;
  auto c = server::parseServerConfig("[storage]\ndata_dir = \"data\"\n[keys]\nkey_pair = \"keys/server.key\"\n",
                                     "/etc/minyi", &error);
  REQUIRE(c);
  CHECK(c->listen == "127.0.0.1");
  CHECK(c->port == 8080);
  CHECK(c->dataDir == "/etc/minyi/data");
  CHECK(c->keyPairFile == "/etc/minyi/keys/server.key");
  CHECK(c->tlsCertFile.empty());
}

TEST_CASE("every problem in a configuration is reported with its key") {
  std::string error;
  CHECK_FALSE(server::parseServerConfig("[server]\nport = 70000\nthreads = -1\nlisten = \"\"\n[storage]\ndata_dir = 5\n"
                                        "[tls]\ncert = \"c.pem\"\n[extra]\nx = 1\n", "/etc", &error));
  CHECK_THAT(error, Contains("extra: unknown key"));
  CHECK_THAT(error, Contains("storage.data_dir: must be a string, not an integer"));
  CHECK_THAT(error, Contains("keys.key_pair: missing"));
  CHECK_FALSE(server::parseServerConfig("[server]\nport = 70000\nthreads = -1\nlisten = \"\"\n[storage]\ndata_dir = \"d\"\n"
                                        "[keys]\nkey_pair = \"k\"\n[tls]\ncert = \"c.pem\"\n", "/etc", &error));
  CHECK_THAT(error, Contains("server.port: must be 0-65535"));
  CHECK_THAT(error, Contains("server.threads: must be 0-256"));
  CHECK_THAT(error, Contains("server.listen: must not be empty"));
  CHECK_THAT(error, Contains("tls: give both cert and key"));
  CHECK_FALSE(server::parseServerConfig("[server\nport = 1", "/etc", &error));
  CHECK_THAT(error, Contains("line 1"));
}

TEST_CASE("trusted proxies and Secure cookies behind a proxy are read, and a bad address is named") {
  const std::string base = "[storage]\ndata_dir = \"d\"\n[keys]\nkey_pair = \"k\"\n";
  std::string error;
  auto c = server::parseServerConfig("[server]\ntrusted_proxies = [\"127.0.0.1\", \"10.8.0.0/16\", \"::1\"]\nsecure_cookies = true\n" + base,
                                     "/etc", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->trustedProxies == std::vector<std::string>{"127.0.0.1", "10.8.0.0/16", "::1"});
  CHECK(c->secureCookies);
  CHECK_FALSE(server::parseServerConfig(base, "/etc", &error)->secureCookies);
  for (const char* bad : {"\"nginx\"", "\"10.0.0.0/40\"", "\"::1/64\"", "7"}) {
    INFO(bad);
    CHECK_FALSE(server::parseServerConfig(std::string("[server]\ntrusted_proxies = [") + bad + "]\n" + base, "/etc", &error));
    CHECK_THAT(error, Contains("server.trusted_proxies: every entry must be an IP address"));
  }
}

TEST_CASE("the client's address: the peer, or behind a trusted proxy the nearest forwarded address that is not one") {
  const std::vector<std::string> proxies = {"127.0.0.1", "10.8.0.0/16"};
  // Nobody else's forwarded headers are believed.
  CHECK(server::clientAddress("198.51.100.7", "1.2.3.4", "5.6.7.8", proxies) == "198.51.100.7");
  CHECK(server::clientAddress("198.51.100.7", "1.2.3.4", "", {}) == "198.51.100.7");
  // Through the proxy: the address it appended.
  CHECK(server::clientAddress("127.0.0.1", "203.0.113.9", "", proxies) == "203.0.113.9");
  // A client that writes its own X-Forwarded-For is not believed: the proxy appends the real one at the end.
  CHECK(server::clientAddress("127.0.0.1", "6.6.6.6, 203.0.113.9", "", proxies) == "203.0.113.9");
  // Two proxies of our own (a load balancer in 10.8/16, then nginx on this machine).
  CHECK(server::clientAddress("127.0.0.1", "203.0.113.9, 10.8.1.2", "", proxies) == "203.0.113.9");
  CHECK(server::clientAddress("127.0.0.1", "", "203.0.113.9", proxies) == "203.0.113.9");
  CHECK(server::clientAddress("127.0.0.1", "", "", proxies) == "127.0.0.1");
  CHECK(server::clientAddress("127.0.0.1", "not-an-address", "", proxies) == "127.0.0.1");
  CHECK(server::clientAddress("127.0.0.1", "2001:db8::7", "", proxies) == "2001:db8::7");
  CHECK(server::addressMatches("10.8.200.1", "10.8.0.0/16"));
  CHECK_FALSE(server::addressMatches("10.9.0.1", "10.8.0.0/16"));
  CHECK(server::addressMatches("1.2.3.4", "0.0.0.0/0"));
}

TEST_CASE("with a certificate and key the API is served over HTTPS only") {
  TempDir dir;
  const std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
                          " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto store = server::openDataFolder(dir.file("data"));
  server::ApiOptions options;
  options.version = "tls-test";
  options.tlsCertFile = cert;
  options.tlsKeyFile = key;
  server::ApiServer api(*store, protocol::generateKeyPair(), options);
  CHECK(api.tls());
  const int port = api.bind("127.0.0.1", 0);
  REQUIRE(port > 0);
  std::thread serving([&] { api.run(); });
  httplib::SSLClient tls("127.0.0.1", port);
  tls.set_ca_cert_path(cert.c_str());
  tls.enable_server_certificate_verification(true);
  auto res = tls.Get("/api/v1/health");
  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(std::chrono::seconds(3));
  auto refused = plain.Get("/api/v1/health");
  api.stop();
  serving.join();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK_THAT(res->body, Contains("tls-test"));
  CHECK_FALSE(refused);  // plain HTTP to the TLS port gets no reply

  options.tlsKeyFile = dir.file("missing.pem");
  CHECK_THROWS_WITH(server::ApiServer(*store, protocol::generateKeyPair(), options), Contains("could not be loaded"));
}
