// Kiosk configuration (TOML): a good file, each kind of bad file named by its key, and the admin PIN hash.
#include <catch2/catch.hpp>

#include "minyi/store/config.h"
#include "store_test_helpers.h"

using namespace minyi::store;
using namespace minyi::test;
using Catch::Matchers::Contains;

namespace {

// One hash for the whole file: argon2id is deliberately slow.
const std::string& pinHash() {
  static const std::string h = *hashPin("2468");
  return h;
}

std::string goodToml() {
  return R"(
[site]
id = "donghu-dqfwzx"
name = "东湖社区党群服务中心"

[storage]
database = "data/kiosk.db"
max_database_mb = 2048

[kiosk]
forms_folder = "forms"
default_locale = "zh-TW"
idle_seconds = 90

[admin]
pin_hash = ")" + pinHash() + R"("

[server]
url = "https://minyi.example.gov.cn"
public_key = "KTGl3dTqyfBu0/wAvk0KVxo1EC2RQTEQF+w2Xpvq3Ts="
ca_file = "township-ca.pem"

[input]
fuzzy_pinyin = false
)";
}

// Replaces the first occurrence of `from` in the good file.
std::string goodWith(const std::string& from, const std::string& to) {
  std::string t = goodToml();
  const size_t at = t.find(from);
  REQUIRE(at != std::string::npos);
  return t.replace(at, from.size(), to);
}

std::string problems(const std::string& text) {
  std::string error;
  auto c = parseKioskConfig(text, "/etc/minyi", &error);
  CHECK_FALSE(c);
  return error;
}

}  // namespace

TEST_CASE("a good configuration file loads, with paths relative to its folder", "[config]") {
  TempDir dir;
  writeFile(dir.file("kiosk.toml"), goodToml());
  std::string error;
  auto c = loadKioskConfig(dir.file("kiosk.toml"), &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->siteId == "donghu-dqfwzx");
  CHECK(c->siteName == "东湖社区党群服务中心");
  CHECK(c->databasePath == dir.file("data/kiosk.db"));
  CHECK(c->maxDatabaseBytes == uint64_t{2048} * 1024 * 1024);
  CHECK(c->formsFolder == dir.file("forms"));
  CHECK(c->defaultLocale == "zh-tw");
  CHECK(c->idleSeconds == 90);
  CHECK(c->adminPinHash == pinHash());
  CHECK(c->serverUrl == "https://minyi.example.gov.cn");
  CHECK(c->serverPublicKey == "KTGl3dTqyfBu0/wAvk0KVxo1EC2RQTEQF+w2Xpvq3Ts=");
  CHECK(c->caFile == dir.file("township-ca.pem"));
  CHECK_FALSE(c->fuzzyPinyin);
  CHECK(c->inputUserDataDir == dir.file("data/rime"));  // the kiosk's own, beside its database
}

TEST_CASE("optional keys have defaults and absolute paths stay as they are", "[config]") {
  const std::string minimal = R"(
[site]
id = "s1"
name = "x"
[storage]
database = "/var/lib/minyi/kiosk.db"
[kiosk]
forms_folder = "/var/lib/minyi/forms"
[admin]
pin_hash = ")" + pinHash() + "\"\n";
  std::string error;
  auto c = parseKioskConfig(minimal, "/etc/minyi", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->databasePath == "/var/lib/minyi/kiosk.db");
  CHECK(c->defaultLocale == "zh-cn");
  CHECK(c->fuzzyPinyin);  // on unless switched off
  CHECK(c->inputUserDataDir == "/var/lib/minyi/rime");
  CHECK(c->idleSeconds == 60);
  CHECK(c->maxDatabaseBytes == 0);
  CHECK(c->serverUrl.empty());
}

TEST_CASE("resident defaults and the panel size: 长辈模式 for everyone, the diagonal as integer or fraction", "[config]") {
  std::string error;
  auto c = parseKioskConfig(goodWith("idle_seconds = 90", "idle_seconds = 20\ndefault_elderly = true\n[display]\ndiagonal_inches = 43"),
                            "/etc/minyi", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->idleSeconds == 20);
  CHECK(c->defaultElderly);
  CHECK(c->diagonalInches == 43);
  c = parseKioskConfig(goodWith("idle_seconds = 90", "idle_seconds = 90\n[display]\ndiagonal_inches = 21.5"), "/etc/minyi", &error);
  REQUIRE(c);
  CHECK(c->diagonalInches == 21.5);
  CHECK_FALSE(c->defaultElderly);
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = 90\n[display]\ndiagonal_inches = 430")),
             Contains("display.diagonal_inches: must be the panel's diagonal, between 7 and 120 inches"));
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = 90\n[display]\ndiagonal_inches = \"43\"")),
             Contains("display.diagonal_inches: must be"));
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = 19")), Contains("kiosk.idle_seconds: must be between 20 and 3600, not 19"));
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = 3601")), Contains("kiosk.idle_seconds: must be between 20 and 3600, not 3601"));
}

TEST_CASE("opening hours: the screen's hours read, none means always on, a bad span named", "[config]") {
  std::string error;
  auto c = parseKioskConfig(goodWith("idle_seconds = 90", "idle_seconds = 90\nopening_hours = \"07:30-20:00\""), "/etc/minyi", &error);
  INFO(error);
  REQUIRE(c);
  REQUIRE(c->openingHours);
  CHECK(c->openingHours->text() == "07:30-20:00");
  c = parseKioskConfig(goodWith("idle_seconds = 90", "idle_seconds = 90"), "/etc/minyi", &error);
  REQUIRE(c);
  CHECK_FALSE(c->openingHours);
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = 90\nopening_hours = \"20:00-07:30\"")),
             Contains("kiosk.opening_hours: must be \"HH:MM-HH:MM\" with opening before closing"));
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = 90\nopening_hours = 8")), Contains("kiosk.opening_hours"));
}

TEST_CASE("a kiosk number for ticket codes is 1 to 8191", "[config]") {
  std::string error;
  auto c = parseKioskConfig(goodWith("name = \"东湖社区党群服务中心\"\n", "name = \"东湖社区党群服务中心\"\nkiosk_number = 7\n"), "/etc/minyi", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->kioskNumber == 7);
  CHECK_THAT(problems(goodWith("name = \"东湖社区党群服务中心\"\n", "name = \"东湖社区党群服务中心\"\nkiosk_number = 9000\n")),
             Contains("site.kiosk_number"));
}

TEST_CASE("a server public key that is not 32 bytes of base64 is refused", "[config]") {
  const std::string good = "KTGl3dTqyfBu0/wAvk0KVxo1EC2RQTEQF+w2Xpvq3Ts=";
  for (const char* bad : {"KTGl3dTqyfBu0/wAvk0KVxo1EC2RQTEQF+w2Xpvq3T=", "not a key", "KTGl3dTqyfBu0/wAvk0KVxo1EC2RQTEQ"})
    CHECK_THAT(problems(goodWith(good, bad)), Contains("server.public_key: not a Minyi public key"));
}

TEST_CASE("the township's provisioning key is read when it is one, and refused by name when it is not", "[config]") {
  const std::string key = "yVPhdOayi9DGab45goe4+JwTsbFskW0GagnmzPFQnv8=";
  std::string error;
  auto c = parseKioskConfig(goodWith("ca_file = \"township-ca.pem\"", "ca_file = \"township-ca.pem\"\nprovisioning_key = \"" + key + "\""),
                            "/etc/minyi", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->provisioningKey == key);
  CHECK(parseKioskConfig(goodWith("", ""), "/etc/minyi", &error)->provisioningKey.empty());
  CHECK_THAT(problems(goodWith("ca_file = \"township-ca.pem\"", "ca_file = \"township-ca.pem\"\nprovisioning_key = \"2468\"")),
             Contains("server.provisioning_key: not a Minyi key"));
}

TEST_CASE("a configuration without [site] takes the site from enrollment, and one of site.id and site.name alone is refused", "[config]") {
  std::string error;
  auto c = parseKioskConfig(goodWith("id = \"donghu-dqfwzx\"\nname = \"东湖社区党群服务中心\"\n", ""), "/etc/minyi", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->siteId.empty());
  CHECK(c->siteName.empty());
  CHECK_THAT(problems(goodWith("id = \"donghu-dqfwzx\"\n", "")), Contains("site.id: missing"));
  CHECK_THAT(problems(goodWith("name = \"东湖社区党群服务中心\"\n", "name = \"\"\n")), Contains("site.name: must not be empty"));
}

TEST_CASE("each problem in a configuration is named by its key", "[config]") {
  CHECK_THAT(problems(goodWith("name = \"东湖社区党群服务中心\"\n", "")), Contains("site.name: missing"));
  CHECK_THAT(problems(goodWith("[admin]", "[nothing]")), Contains("admin.pin_hash: missing") &&
                                                             Contains("nothing: unknown key"));
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = \"90\"")),
             Contains("kiosk.idle_seconds: must be an integer, not a string"));
  CHECK_THAT(problems(goodWith("database = \"data/kiosk.db\"", "database = 7")),
             Contains("storage.database: must be a string, not an integer"));
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_second = 90")), Contains("kiosk.idle_second: unknown key"));
  CHECK_THAT(problems(goodWith("fuzzy_pinyin = false", "fuzzy_pinyin = \"no\"")),
             Contains("input.fuzzy_pinyin: must be true/false, not a string"));
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = 5")),
             Contains("kiosk.idle_seconds: must be between 20 and 3600"));
  CHECK_THAT(problems(goodWith("\"zh-TW\"", "\"fr\"")), Contains("kiosk.default_locale: must be zh-cn, zh-tw or en"));
  CHECK_THAT(problems(goodWith("id = \"donghu-dqfwzx\"", "id = \"东湖\"")), Contains("site.id:"));
  CHECK_THAT(problems(goodWith("https://", "ftp://")), Contains("server.url:"));
  CHECK_THAT(problems(goodWith("[site]", "site = 3\n[sitex]")), Contains("site: must be a table"));
  // Two problems at once are both reported.
  const std::string two = problems(goodWith("idle_seconds = 90", "idle_seconds = 1.5\ncolour = \"red\""));
  CHECK_THAT(two, Contains("kiosk.idle_seconds: must be an integer, not a number with a fraction") &&
                      Contains("kiosk.colour: unknown key"));
}

TEST_CASE("an http:// server address off this machine is refused unless allow_insecure_http says so", "[config]") {
  CHECK_THAT(problems(goodWith("https://minyi.example.gov.cn", "http://minyi.example.gov.cn")),
             Contains("server.url: http:// would send the kiosk's token") && Contains("allow_insecure_http"));
  CHECK_THAT(problems(goodWith("https://minyi.example.gov.cn", "http://192.168.10.5:8080")), Contains("server.url:"));
  CHECK_THAT(problems(goodWith("https://minyi.example.gov.cn", "http://127.0.0.1.example.com")), Contains("server.url:"));
  std::string error;
  for (const char* loopback : {"http://127.0.0.1:18080", "http://localhost:8080/", "http://[::1]:8080", "HTTPS://minyi.example.gov.cn"}) {
    INFO(loopback);
    CHECK(parseKioskConfig(goodWith("https://minyi.example.gov.cn", loopback), "/etc/minyi", &error));
  }
  CHECK_FALSE(parseKioskConfig(goodToml(), "/etc/minyi", &error)->allowInsecureHttp);
  auto closed = parseKioskConfig(goodWith("url = \"https://minyi.example.gov.cn\"", "url = \"http://10.1.2.3\"\nallow_insecure_http = true"),
                                 "/etc/minyi", &error);
  INFO(error);
  REQUIRE(closed);
  CHECK(closed->allowInsecureHttp);
  CHECK(closed->serverUrl == "http://10.1.2.3");
}

TEST_CASE("a plain PIN is never accepted in place of its hash", "[config][pin]") {
  CHECK_THAT(problems(goodWith(pinHash(), "2468")), Contains("admin.pin_hash: this looks like the PIN itself"));
  CHECK_THAT(problems(goodWith(pinHash(), "$argon2id$nonsense")), Contains("admin.pin_hash: not an argon2id hash"));
  CHECK_THAT(problems(goodWith("pin_hash = \"" + pinHash() + "\"", "pin = \"2468\"")),
             Contains("admin.pin: a plain PIN is not accepted") && Contains("admin.pin_hash: missing"));
  CHECK_THAT(problems(goodWith("pin_hash = \"" + pinHash() + "\"", "pin_hash = 2468")),
             Contains("admin.pin_hash: must be a string, not an integer"));
}

TEST_CASE("malformed TOML is reported with its line and column, an unreadable file by its path", "[config]") {
  CHECK_THAT(problems(goodWith("idle_seconds = 90", "idle_seconds = = 90")), Contains("line 13, column") &&
                                                                                 Contains("not valid TOML"));
  CHECK_THAT(problems("[site\nid = 1"), Contains("line 1"));
  std::string error;
  CHECK_FALSE(loadKioskConfig("/nonexistent/kiosk.toml", &error));
  CHECK_THAT(error, Contains("/nonexistent/kiosk.toml: cannot read the file"));
  TempDir dir;
  writeFile(dir.file("bad.toml"), goodWith("idle_seconds = 90", "idle_seconds = \"90\""));
  CHECK_FALSE(loadKioskConfig(dir.file("bad.toml"), &error));
  CHECK_THAT(error, Contains(dir.file("bad.toml") + ": kiosk.idle_seconds"));
}

TEST_CASE("hashPin and verifyPin: a salted argon2id round trip", "[config][pin]") {
  const std::string h = pinHash();
  CHECK(h.rfind("$argon2id$", 0) == 0);
  CHECK(isPinHash(h));
  CHECK(verifyPin(h, "2468"));
  CHECK_FALSE(verifyPin(h, "2469"));
  CHECK_FALSE(verifyPin(h, ""));
  CHECK_FALSE(verifyPin("2468", "2468"));  // a plain PIN is not a hash
  CHECK_FALSE(verifyPin("", ""));
  auto again = hashPin("2468");
  REQUIRE(again);
  CHECK(*again != h);  // a fresh salt each time
  CHECK(verifyPin(*again, "2468"));
  std::string error;
  CHECK_FALSE(hashPin("12", &error));
  CHECK_THAT(error, Contains("4 to 16 digits"));
  CHECK_FALSE(hashPin("12ab"));
}

TEST_CASE("the shipped example configuration loads and its hash matches the documented example PIN", "[config]") {
  std::string error;
  auto c = loadKioskConfig(std::string(MINYI_SOURCE_DIR) + "/deploy/kiosk.example.toml", &error);
  INFO(error);
  REQUIRE(c);
  CHECK(verifyPin(c->adminPinHash, "2468"));
  CHECK_FALSE(c->siteName.empty());
}
