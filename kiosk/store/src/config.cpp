// Kiosk configuration from TOML (toml++), every problem named by its key; admin PIN hashing with argon2id.
#include "minyi/store/config.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>
#include <vector>

#include "minyi/config/checked_toml.h"
#include "minyi/core/opening_hours.h"
#include "minyi/protocol/address.h"

namespace minyi::store {

namespace {

constexpr size_t kMaxConfigBytes = 1024 * 1024;  // a real file is under 2 KB

bool allDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The keys a configuration may have, with what each is for (used in "missing" messages).
using config::KeySpec;

const KeySpec kKeys[] = {
    // Both or neither: without them the kiosk takes its site from enrollment (a USB stick or a typed code).
    {"site", "id", toml::node_type::string, false, "a short stable id of this site, e.g. \"donghu-dqfwzx\""},
    {"site", "name", toml::node_type::string, false, "the name shown on the attract screen"},
    {"site", "kiosk_number", toml::node_type::integer, false, "this kiosk's number for ticket codes (1-8191)"},
    {"storage", "database", toml::node_type::string, true, "the path of the kiosk's SQLite database"},
    {"storage", "max_database_mb", toml::node_type::integer, false, "an upper bound for the database in MB"},
    {"kiosk", "forms_folder", toml::node_type::string, true, "the folder with the forms this kiosk offers"},
    {"kiosk", "default_locale", toml::node_type::string, false, "zh-cn, zh-tw or en"},
    {"kiosk", "idle_seconds", toml::node_type::integer, false, "seconds without a touch before 还在吗？"},
    {"kiosk", "opening_hours", toml::node_type::string, false, "when the screen is on, local time, e.g. \"08:00-18:00\""},
    {"kiosk", "default_elderly", toml::node_type::boolean, false, "true or false: every resident starts in 长辈模式"},
    {"display", "diagonal_inches", toml::node_type::floating_point, false, "the panel's diagonal in inches, e.g. 43"},
    {"admin", "pin_hash", toml::node_type::string, true, "the argon2id hash of the admin PIN"},
    {"server", "url", toml::node_type::string, false, "the township server's address"},
    {"server", "public_key", toml::node_type::string, false, "the server's public key (server.pub)"},
    {"server", "provisioning_key", toml::node_type::string, false,
     "the key of the township server's USB provisioning files (`minyi provisioning-key`)"},
    {"server", "ca_file", toml::node_type::string, false, "a township CA certificate (PEM)"},
    {"server", "allow_insecure_http", toml::node_type::boolean, false,
     "true only on a closed network: lets the kiosk use an http:// server address that is not this machine"},
    {"input", "fuzzy_pinyin", toml::node_type::boolean, false, "true or false: fuzzy pinyin (z/zh, n/l, in/ing ...)"},
    {"input", "user_data_dir", toml::node_type::string, false, "the kiosk's own folder for the pinyin engine"},
};

// 32 bytes in standard base64, as `minyi keygen` writes server.pub.
bool isPublicKeyText(const std::string& text) {
  if (sodium_init() < 0) return false;
  unsigned char key[32];
  size_t len = 0;
  const char* end = nullptr;
  return sodium_base642bin(key, sizeof key, text.data(), text.size(), nullptr, &len, &end,
                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
         len == sizeof key && end == text.data() + text.size();
}

std::string resolve(const std::string& base, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_absolute() || base.empty()) return path.lexically_normal().string();
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

}  // namespace

std::optional<KioskConfig> parseKioskConfig(const std::string& text, const std::string& baseFolder, std::string* error) {
  std::vector<std::string> problems;
  auto fail = [&]() -> std::optional<KioskConfig> {
    if (error) {
      error->clear();
      for (const auto& p : problems) *error += (error->empty() ? "" : "\n") + p;
    }
    return std::nullopt;
  };

  auto parsed = config::parseChecked(text, kKeys, problems, [](const std::string& table, const std::string& key) {
    return table == "admin" && key == "pin"
               ? std::optional<std::string>("admin.pin: a plain PIN is not accepted in the configuration; write its "
                                            "hash as admin.pin_hash instead")
               : std::nullopt;
  });
  if (!parsed) return fail();
  const toml::table& root = *parsed;
  if (!problems.empty()) return fail();

  KioskConfig c;
  auto str = [&](const char* key) { return root.at_path(key).value_or(std::string()); };
  c.siteId = str("site.id");
  c.siteName = str("site.name");
  c.databasePath = str("storage.database");
  c.formsFolder = str("kiosk.forms_folder");
  c.adminPinHash = str("admin.pin_hash");
  c.serverUrl = str("server.url");
  c.serverPublicKey = str("server.public_key");
  c.provisioningKey = str("server.provisioning_key");
  c.caFile = str("server.ca_file");
  c.allowInsecureHttp = root.at_path("server.allow_insecure_http").value_or(false);
  c.fuzzyPinyin = root.at_path("input.fuzzy_pinyin").value_or(true);
  c.inputUserDataDir = str("input.user_data_dir");
  if (auto v = root.at_path("kiosk.default_locale").value<std::string>()) c.defaultLocale = *v;
  c.defaultElderly = root.at_path("kiosk.default_elderly").value_or(false);
  const double inches = root.at_path("display.diagonal_inches").value_or(0.0);
  if (root.at_path("display.diagonal_inches").node() && (inches < 7 || inches > 120))
    problems.push_back("display.diagonal_inches: must be the panel's diagonal, between 7 and 120 inches, not " +
                       std::to_string(inches));
  else
    c.diagonalInches = inches;
  const int64_t idle = root.at_path("kiosk.idle_seconds").value_or(int64_t{c.idleSeconds});
  const int64_t maxMb = root.at_path("storage.max_database_mb").value_or(int64_t{0});
  const int64_t kioskNumber = root.at_path("site.kiosk_number").value_or(int64_t{0});
  if (kioskNumber < 0 || kioskNumber > 8191)
    problems.push_back("site.kiosk_number: must be between 1 and 8191 (the number `minyi device add` gave this kiosk)");
  else
    c.kioskNumber = static_cast<int>(kioskNumber);

  // Values.
  auto isIdChar = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'; };
  const bool hasId = root.at_path("site.id").node(), hasName = root.at_path("site.name").node();
  if (hasId != hasName)
    problems.push_back(std::string(hasId ? "site.name" : "site.id") +
                       ": missing (give site.id and site.name together, or leave both out and the kiosk takes its site "
                       "from enrollment)");
  if (hasId && (c.siteId.empty() || c.siteId.size() > 64 || !std::all_of(c.siteId.begin(), c.siteId.end(), isIdChar)))
    problems.push_back("site.id: use 1-64 lower-case letters, digits, '-' or '_' (it appears in file names and "
                       "on the server)");
  if (hasName && c.siteName.empty()) problems.push_back("site.name: must not be empty");
  if (c.databasePath.empty()) problems.push_back("storage.database: must not be empty");
  if (c.formsFolder.empty()) problems.push_back("kiosk.forms_folder: must not be empty");
  if (maxMb < 0 || maxMb > 1024 * 1024)
    problems.push_back("storage.max_database_mb: must be between 0 (no limit) and 1048576");
  else
    c.maxDatabaseBytes = static_cast<uint64_t>(maxMb) * 1024 * 1024;
  std::transform(c.defaultLocale.begin(), c.defaultLocale.end(), c.defaultLocale.begin(),
                 [](char ch) { return ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
  if (c.defaultLocale != "zh-cn" && c.defaultLocale != "zh-tw" && c.defaultLocale != "en")
    problems.push_back("kiosk.default_locale: must be zh-cn, zh-tw or en, not \"" + c.defaultLocale + "\"");
  // At least 20 s: residents need time to read, and the 还在吗？ countdown itself takes 20 s.
  if (idle < 20 || idle > 3600)
    problems.push_back("kiosk.idle_seconds: must be between 20 and 3600, not " + std::to_string(idle));
  else
    c.idleSeconds = static_cast<int>(idle);
  if (auto hours = root.at_path("kiosk.opening_hours").value<std::string>()) {
    c.openingHours = core::OpeningHours::parse(*hours);
    if (!c.openingHours)
      problems.push_back("kiosk.opening_hours: must be \"HH:MM-HH:MM\" with opening before closing, e.g. \"08:00-18:00\", not \"" +
                         *hours + "\"");
  }
  if (allDigits(c.adminPinHash))
    problems.push_back("admin.pin_hash: this looks like the PIN itself; the configuration holds only its argon2id "
                       "hash (see the comment in deploy/kiosk.example.toml)");
  else if (!isPinHash(c.adminPinHash))
    problems.push_back("admin.pin_hash: not an argon2id hash (it starts with $argon2id$; see the comment in "
                       "deploy/kiosk.example.toml)");
  if (!c.serverUrl.empty())
    if (auto why = protocol::insecureServerAddress(c.serverUrl, c.allowInsecureHttp)) problems.push_back("server.url: " + *why);
  if (!c.serverPublicKey.empty() && !isPublicKeyText(c.serverPublicKey))
    problems.push_back("server.public_key: not a Minyi public key (the one line of server.pub from `minyi keygen`)");
  if (!c.provisioningKey.empty() && !isPublicKeyText(c.provisioningKey))
    problems.push_back("server.provisioning_key: not a Minyi key (what `minyi provisioning-key` prints on the server)");
  if (!problems.empty()) return fail();

  c.databasePath = resolve(baseFolder, c.databasePath);
  c.formsFolder = resolve(baseFolder, c.formsFolder);
  if (!c.caFile.empty()) c.caFile = resolve(baseFolder, c.caFile);
  // The pinyin engine's folder is the kiosk's own, next to its data unless the file says otherwise.
  c.inputUserDataDir = c.inputUserDataDir.empty()
                           ? (std::filesystem::path(c.databasePath).parent_path() / "rime").string()
                           : resolve(baseFolder, c.inputUserDataDir);
  return c;
}

std::optional<KioskConfig> loadKioskConfig(const std::string& path, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<KioskConfig> {
    if (error) *error = path + ": " + why;
    return std::nullopt;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.size() > kMaxConfigBytes) return fail("the file is too big for a configuration");
  std::error_code ec;
  auto base = std::filesystem::absolute(std::filesystem::path(path), ec).parent_path();
  std::string problems;
  auto config = parseKioskConfig(text, ec ? std::string() : base.string(), &problems);
  if (!config && error) {
    // Prefix every problem with the file, as compilers do, so each line stands alone in a log.
    error->clear();
    std::istringstream lines(problems);
    for (std::string line; std::getline(lines, line);) *error += (error->empty() ? "" : "\n") + path + ": " + line;
  }
  return config;
}

std::optional<std::string> hashPin(const std::string& pin, std::string* error) {
  if (pin.size() < 4 || pin.size() > 16 || !allDigits(pin)) {
    if (error) *error = "the PIN must be 4 to 16 digits";
    return std::nullopt;
  }
  if (sodium_init() < 0) {
    if (error) *error = "libsodium could not start";
    return std::nullopt;
  }
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, pin.data(), pin.size(), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0) {
    if (error) *error = "not enough memory to hash the PIN";
    return std::nullopt;
  }
  return std::string(out);
}

bool isPinHash(const std::string& text) {
  if (text.rfind("$argon2id$", 0) != 0 || text.size() >= crypto_pwhash_argon2id_STRBYTES) return false;
  if (sodium_init() < 0) return false;
  // -1 means the string is not a well-formed argon2id hash; 0 or 1 only say whether its limits differ.
  return crypto_pwhash_argon2id_str_needs_rehash(text.c_str(), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                                 crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != -1;
}

bool verifyPin(const std::string& hash, const std::string& pin) {
  if (!isPinHash(hash)) return false;
  return crypto_pwhash_argon2id_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

}  // namespace minyi::store
