// minyi-kiosk's options: the command line over the configuration file ([kiosk], [site], [server], [admin],
// [input]), read and checked once, as one plain struct the start-up steps take from.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "minyi/core/opening_hours.h"
#include "minyi/protocol/crypto.h"

namespace minyi::app {

struct KioskOptions {
  std::string assets, fonts, forms, database, cacheFolder, inputFolder;
  std::string windowed, automation;  // --windowed WxH (development), --automation FILE (tests)
  std::string statusFile;            // --status-file: whether a resident is at the kiosk, for the night update
  int width = 0, height = 0;         // from --windowed
  bool headless = false, prepareInput = false;
  std::string siteName = "东湖社区党群服务中心", siteId, locale = "zh-cn";
  bool defaultElderly = false;
  int idleSeconds = 60;
  std::optional<core::OpeningHours> openingHours;  // [kiosk] opening_hours: dark between residents outside them
  double diagonalInches = 0;
  uint64_t maxDatabaseBytes = 0;
  std::string pinHash, exportFolder;
  std::optional<protocol::PublicKey> serverKey, provisioningKey;
  std::string serverUrl, caFile, enrollCode;
  std::string enrollFrom;  // --enroll-from: a folder (a USB stick) with a provisioning file
  bool allowInsecureHttp = false;
  int kioskNumber = 0;
  bool fuzzyPinyin = true;
  bool kioskMode() const { return windowed.empty() && !headless; }
};

// Reads the command line and the configuration it names. Returns the exit code when the program should end
// now (--help, bad options, an unreadable configuration), else nothing.
std::optional<int> readOptions(int argc, char** argv, KioskOptions* options);

}  // namespace minyi::app
