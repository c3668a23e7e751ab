// The command line and the configuration file, merged: options given on the command line win.
#include "options.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "minyi/core/private_file.h"
#include "minyi/store/config.h"

namespace minyi::app {

std::optional<int> readOptions(int argc, char** argv, KioskOptions* o) {
  std::string configPath, serverKeyFile;
  // Installed from the package, the binary finds its data beside it (/usr/bin -> /usr/share/minyi-kiosk); run from
  // the build tree, it finds the source tree's.
  o->assets = MINYI_ASSETS_DIR;
  o->fonts = MINYI_FONTS_DIR;
  std::error_code ec;
  const auto installed = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "share/minyi-kiosk";
  if (!ec && std::filesystem::is_directory(installed / "assets", ec)) {
    o->assets = (installed / "assets").string();
    o->fonts = (installed / "fonts").string();
  }
  CLI::App cli{"minyi-kiosk — the Minyi touchscreen kiosk"};
  cli.add_option("--assets", o->assets, "assets folder (strings, forms)");
  cli.add_option("--fonts", o->fonts, "fonts folder");
  cli.add_option("--forms", o->forms, "forms folder (default: <assets>/forms)");
  cli.add_option("--windowed", o->windowed, "development window, e.g. 1280x720 (default: full-screen kiosk mode)");
  cli.add_flag("--headless", o->headless, "no display: dummy video driver, software renderer");
  cli.add_option("--automation", o->automation,
                 "for tests through the display server: after every frame, write what it showed (screen, targets, "
                 "texts, countdowns) as JSON to this file");
  cli.add_option("--status-file", o->statusFile,
                 "keep \"between-residents\" or \"in-use\" in this file, for the night update (the service: "
                 "/run/minyi-kiosk/status)");
  cli.add_option("--site", o->siteName, "site name shown on the start screen");
  cli.add_option("--config", configPath, "kiosk configuration (TOML, see deploy/kiosk.example.toml)");
  cli.add_option("--database", o->database, "the kiosk's SQLite database (overrides the config)");
  cli.add_option("--export-dir", o->exportFolder, "where the admin panel exports the outbox (the USB stick's mount point)");
  cli.add_option("--server-key", serverKeyFile, "the server's public key file (server.pub); overrides the config");
  cli.add_option("--server-url", o->serverUrl, "the server's address offered when enrolling; overrides the config");
  cli.add_option("--enroll", o->enrollCode,
                 "enroll with the server (--server-url or [server] url) using this one-time code, then exit: for "
                 "IT setting up kiosks by script; staff can do the same on the admin panel");
  cli.add_option("--enroll-from", o->enrollFrom,
                 "enroll with the provisioning file in this folder (a USB stick from `minyi device add --provision-to`, "
                 "checked against [server] provisioning_key), then exit");
  cli.add_option("--cache-dir", o->cacheFolder, "where built font atlases are kept between starts (default: cache/ beside the database)");
  cli.add_option("--input-dir", o->inputFolder, "the pinyin engine's own folder (default: [input] user_data_dir, else rime/ beside the database)");
  cli.add_flag("--prepare-input", o->prepareInput,
               "deploy the pinyin engine's schemas into its folder and exit (at install, so the first start is quick)");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  std::string err;
  std::string publicKeyText;
  if (!configPath.empty()) {
    auto config = store::loadKioskConfig(configPath, &err);
    if (!config) {
      std::cerr << "minyi-kiosk: " << err << "\n";
      return 2;
    }
    // It holds the admin PIN's hash: nobody else on the machine should read it (a root-owned file stays as
    // IT made it; the warning says what to do).
    if (auto why = core::makePrivateFile(configPath))
      std::cerr << "minyi-kiosk: warning: the configuration holds the admin PIN's hash and others may read it (" << *why
                << "); make it readable by the kiosk's user only\n";
    o->siteName = config->siteName;
    if (o->forms.empty()) o->forms = config->formsFolder;
    if (o->database.empty()) o->database = config->databasePath;
    o->locale = config->defaultLocale;
    o->defaultElderly = config->defaultElderly;
    o->idleSeconds = config->idleSeconds;
    o->openingHours = config->openingHours;
    o->diagonalInches = config->diagonalInches;
    o->maxDatabaseBytes = config->maxDatabaseBytes;
    o->pinHash = config->adminPinHash;
    o->siteId = config->siteId;
    publicKeyText = config->serverPublicKey;
    if (!config->provisioningKey.empty()) o->provisioningKey = protocol::decodeKey(config->provisioningKey);  // checked when read
    if (o->serverUrl.empty()) o->serverUrl = config->serverUrl;
    o->caFile = config->caFile;
    o->allowInsecureHttp = config->allowInsecureHttp;
    o->kioskNumber = config->kioskNumber;
    o->fuzzyPinyin = config->fuzzyPinyin;
    if (o->inputFolder.empty()) o->inputFolder = config->inputUserDataDir;
  }
  if (!serverKeyFile.empty()) {
    o->serverKey = protocol::readPublicKeyFile(serverKeyFile, &err);
    if (!o->serverKey) {
      std::cerr << "minyi-kiosk: " << err << "\n";
      return 2;
    }
  } else if (!publicKeyText.empty()) {
    o->serverKey = protocol::decodeKey(publicKeyText);  // checked when the config was read
  }
  if (o->forms.empty()) o->forms = o->assets + "/forms";
  if (o->database.empty()) o->database = "minyi-kiosk.db";
  if (!o->windowed.empty() && std::sscanf(o->windowed.c_str(), "%dx%d", &o->width, &o->height) != 2) {
    std::cerr << "minyi-kiosk: --windowed wants WxH, e.g. 1280x720\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace minyi::app
