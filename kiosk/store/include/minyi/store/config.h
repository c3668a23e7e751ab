// The kiosk's configuration file (TOML, `minyi-kiosk --config`) and the admin PIN's hash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "minyi/core/opening_hours.h"

namespace minyi::store {

// deploy/kiosk.example.toml documents every key. Relative paths are resolved against the folder of
// the configuration file, so a kiosk folder can be moved as a whole.
struct KioskConfig {
  std::string siteId;        // [site] id — short, stable, e.g. "donghu-dqfwzx"
  std::string siteName;      // [site] name — shown on the attract screen, e.g. 东湖社区党群服务中心
  // [site] kiosk_number — the first part of this kiosk's complaint ticket codes, unique in the township.
  // Enrollment hands it out; set it here only for a kiosk that never enrolls (USB only). 0: not set.
  int kioskNumber = 0;
  std::string databasePath;  // [storage] database
  uint64_t maxDatabaseBytes = 0;  // [storage] max_database_mb; 0: the disk is the limit
  std::string formsFolder;   // [kiosk] forms_folder
  std::string defaultLocale = "zh-cn";  // [kiosk] default_locale: zh-cn | zh-tw | en
  int idleSeconds = 60;      // [kiosk] idle_seconds: no touch for this long asks 还在吗？ (20-3600)
  bool defaultElderly = false;  // [kiosk] default_elderly: every resident starts in 长辈模式
  // [kiosk] opening_hours: outside them the screen goes dark between residents and a touch wakes it. None:
  // always on.
  std::optional<core::OpeningHours> openingHours;
  // [display] diagonal_inches — the panel's size, so touch targets stay at least 15 mm on it. 0: what the
  // display reports, else assumed 15" (the smallest common kiosk panel).
  double diagonalInches = 0;
  std::string adminPinHash;  // [admin] pin_hash — argon2id string from hashPin(), never the PIN itself
  std::string serverUrl;     // [server] url — offered on the admin panel's enrollment form
  // [server] public_key — base64, from the server's server.pub. Optional: enrollment hands the kiosk the
  // key; when set here it pins the server (an enrollment reply with another key is refused), and a kiosk
  // that only travels by USB stick can seal its submissions without ever enrolling.
  std::string serverPublicKey;
  // [server] provisioning_key — base64, from `minyi provisioning-key` on the server. Optional: with it, staff
  // enroll the kiosk from a USB stick holding a provisioning file that server signed (docs/install.md).
  std::string provisioningKey;
  std::string caFile;        // [server] ca_file — a township CA (PEM) for the server's TLS certificate
  // [server] allow_insecure_http — an http:// address that is not this machine is refused unless this is
  // true (a closed network whose IT accepts that the token and submissions travel in the clear).
  bool allowInsecureHttp = false;
  // [input] fuzzy_pinyin — z/zh c/ch s/sh n/l an/ang en/eng in/ing count as the same (dialect speakers).
  bool fuzzyPinyin = true;
  // [input] user_data_dir — the kiosk's own librime folder (its schemas, built once). Default: "rime" beside
  // the database.
  std::string inputUserDataDir;
};

// Reads and checks the file. On failure returns nullopt and sets error to one sentence per problem
// naming the key ("site.name: missing (the name shown on the attract screen)").
std::optional<KioskConfig> loadKioskConfig(const std::string& path, std::string* error);
// The same from text; `baseFolder` resolves relative paths.
std::optional<KioskConfig> parseKioskConfig(const std::string& text, const std::string& baseFolder, std::string* error);

// The admin PIN as an argon2id string (libsodium crypto_pwhash_str, interactive limits: about 0.1 s
// and 64 MB to check one guess). A PIN is 4–16 digits; nullopt and an error sentence otherwise.
std::optional<std::string> hashPin(const std::string& pin, std::string* error = nullptr);
// True when pin matches the hash; false for a wrong PIN or a malformed hash.
bool verifyPin(const std::string& hash, const std::string& pin);
// True when text looks like an argon2id string hashPin could have made.
bool isPinHash(const std::string& text);

}  // namespace minyi::store
