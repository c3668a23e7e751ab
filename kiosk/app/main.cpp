// minyi-kiosk: the full-screen touch app — an event-driven loop around KioskWindow and KioskApp, and a
// headless mode that writes a PNG of every screen.
#include <SDL.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include <unistd.h>

#include "kiosk_app.h"
#include "minyi/core/json_input.h"
#include "minyi/core/private_file.h"
#include "minyi/core/script.h"
#include "minyi/core/scripted_fill.h"
#include "minyi/input/handwriting.h"
#include "minyi/input/pinyin.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/ticket.h"
#include "minyi/store/config.h"
#include "minyi/store/store.h"
#include "tour.h"
#include "window.h"

namespace fs = std::filesystem;
using minyi::app::Clock;
using minyi::app::KioskApp;
using minyi::app::KioskWindow;
namespace ui = minyi::ui;

namespace {

void shoot(KioskWindow& w, KioskApp& app, const fs::path& dir, const std::string& name) {
  const fs::path path = dir / (name + ".png");
  if (w.screenshot(app, path)) std::cout << path.string() << "\n";
  else std::cerr << "minyi-kiosk: could not write " << path.string() << "\n";
}

// A PNG of every stop of the tour, for each size: DIR/<name>.png when only 1920×1080 is asked for, else
// DIR/<W>x<H>/<name>.png.
int screenshots(KioskWindow& w, KioskApp& app, const fs::path& dir, const std::vector<std::pair<int, int>>& sizes,
                const std::string& only) {
  for (const auto& [width, height] : sizes) {
    std::string err;
    if (!w.setCanvas(width, height, &err)) {
      std::cerr << "minyi-kiosk: " << err << "\n";
      return 1;
    }
    const fs::path folder = sizes.size() == 1 && width == 1920 && height == 1080
                                ? dir
                                : dir / (std::to_string(width) + "x" + std::to_string(height));
    std::error_code ec;
    fs::create_directories(folder, ec);
    minyi::app::TourOptions options;
    options.noticesFile = (fs::path(MINYI_SOURCE_DIR) / "deploy/demo/notices.json").string();
    minyi::app::tour(app, [&](const std::string& name) {
      if (only.empty() || ("," + only + ",").find("," + name + ",") != std::string::npos) shoot(w, app, folder, name);
    }, options);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string assets = MINYI_ASSETS_DIR, fonts = MINYI_FONTS_DIR, forms, windowed, shots, configPath, database;
  std::string siteName = "东湖社区党群服务中心", locale = "zh-cn";
  std::string pinHash, siteId, exportFolder, serverKeyFile, serverUrl, publicKeyText, caFile, enrollCode, cacheFolder;
  bool headless = false, prepareInput = false, allowInsecureHttp = false;
  CLI::App cli{"minyi-kiosk — the Minyi touchscreen kiosk"};
  cli.add_option("--assets", assets, "assets folder (strings, forms)");
  cli.add_option("--fonts", fonts, "fonts folder");
  cli.add_option("--forms", forms, "forms folder (default: <assets>/forms)");
  cli.add_option("--windowed", windowed, "development window, e.g. 1280x720 (default: full-screen kiosk mode)");
  cli.add_flag("--headless", headless, "no display: dummy video driver, software renderer");
  cli.add_option("--screenshots", shots, "write a PNG of every screen to this folder and exit");
  std::string screenshotSizes = "1920x1080", automation, only;
  cli.add_option("--automation", automation,
                 "for tests through the display server: after every frame, write what it showed (screen, targets, "
                 "texts, countdowns) as JSON to this file");
  cli.add_option("--only", only, "with --screenshots: only the pictures whose names are in this comma-separated list");
  cli.add_option("--sizes", screenshotSizes,
                 "with --screenshots: the panel sizes, WxH[,WxH...], or all (every common landscape and portrait panel)");
  cli.add_option("--site", siteName, "site name shown on the start screen");
  cli.add_option("--config", configPath, "kiosk configuration (TOML, see deploy/kiosk.example.toml)");
  cli.add_option("--database", database, "the kiosk's SQLite database (overrides the config)");
  cli.add_option("--export-dir", exportFolder, "where the admin panel exports the outbox (the USB stick's mount point)");
  cli.add_option("--server-key", serverKeyFile, "the server's public key file (server.pub); overrides the config");
  cli.add_option("--server-url", serverUrl, "the server's address offered when enrolling; overrides the config");
  cli.add_option("--enroll", enrollCode,
                 "enroll with the server (--server-url or [server] url) using this one-time code, then exit: for "
                 "IT setting up kiosks by script; staff can do the same on the admin panel");
  cli.add_option("--cache-dir", cacheFolder, "where built font atlases are kept between starts (default: cache/ beside the database)");
  std::string inputFolder;
  cli.add_option("--input-dir", inputFolder, "the pinyin engine's own folder (default: [input] user_data_dir, else rime/ beside the database)");
  cli.add_flag("--prepare-input", prepareInput,
               "deploy the pinyin engine's schemas into its folder and exit (at install, so the first start is quick)");
  CLI11_PARSE(cli, argc, argv);
  bool fuzzyPinyin = true, defaultElderly = false;
  int idleSeconds = 60;
  double diagonalInches = 0;
  std::string err;
  uint64_t maxDatabaseBytes = 0;
  int kioskNumber = 0;
  if (!configPath.empty()) {
    auto config = minyi::store::loadKioskConfig(configPath, &err);
    if (!config) {
      std::cerr << "minyi-kiosk: " << err << "\n";
      return 2;
    }
    // It holds the admin PIN's hash: nobody else on the machine should read it (a root-owned file stays as
    // IT made it; the warning says what to do).
    if (auto why = minyi::core::makePrivateFile(configPath))
      std::cerr << "minyi-kiosk: warning: the configuration holds the admin PIN's hash and others may read it (" << *why
                << "); make it readable by the kiosk's user only\n";
    siteName = config->siteName;
    if (forms.empty()) forms = config->formsFolder;
    if (database.empty()) database = config->databasePath;
    locale = config->defaultLocale;
    defaultElderly = config->defaultElderly;
    idleSeconds = config->idleSeconds;
    diagonalInches = config->diagonalInches;
    maxDatabaseBytes = config->maxDatabaseBytes;
    pinHash = config->adminPinHash;
    siteId = config->siteId;
    publicKeyText = config->serverPublicKey;
    if (serverUrl.empty()) serverUrl = config->serverUrl;
    caFile = config->caFile;
    allowInsecureHttp = config->allowInsecureHttp;
    kioskNumber = config->kioskNumber;
    fuzzyPinyin = config->fuzzyPinyin;
    if (inputFolder.empty()) inputFolder = config->inputUserDataDir;
  }
  std::optional<minyi::protocol::PublicKey> serverKey;
  if (!serverKeyFile.empty()) {
    serverKey = minyi::protocol::readPublicKeyFile(serverKeyFile, &err);
    if (!serverKey) {
      std::cerr << "minyi-kiosk: " << err << "\n";
      return 2;
    }
  } else if (!publicKeyText.empty()) {
    serverKey = minyi::protocol::decodeKey(publicKeyText);  // checked when the config was read
  }
  if (forms.empty()) forms = assets + "/forms";
  if (database.empty() && shots.empty()) database = "minyi-kiosk.db";

  // Chinese input: librime with the kiosk's own user-data folder (beside its data, never shared), zinnia
  // with Debian's model. Either failing leaves only its mode out; the kiosk still takes letters and digits.
  // The screenshot run deploys into a scratch folder it removes afterwards.
  fs::path scratchInput;
  if (inputFolder.empty() && !database.empty()) inputFolder = (fs::absolute(database).parent_path() / "rime").string();
  if (inputFolder.empty()) {
    scratchInput = fs::temp_directory_path() / ("minyi-kiosk-rime-" + std::to_string(::getpid()));
    inputFolder = scratchInput.string();
  }
  struct ScratchCleanup {  // declared before the engines: removed after librime has closed
    fs::path p;
    ~ScratchCleanup() {
      std::error_code ec;
      if (!p.empty()) fs::remove_all(p, ec);
    }
  } scratchCleanup{scratchInput};
  std::unique_ptr<minyi::input::PinyinEngine> pinyin;
  std::unique_ptr<minyi::input::HandwritingEngine> handwriting;
  {
    minyi::input::PinyinOptions po;
    po.userDataDir = inputFolder;
    pinyin = minyi::input::PinyinEngine::open(po, &err);
    if (!pinyin) std::cerr << "minyi-kiosk: pinyin input is not offered: " << err << "\n";
    if (prepareInput) {
      if (!pinyin) return 1;
      std::cout << "pinyin schemas " << (pinyin->deploy().deployed ? "deployed" : "already up to date") << " in "
                << inputFolder << " (" << pinyin->deploy().ms << " ms)\n";
      return 0;
    }
    handwriting = minyi::input::HandwritingEngine::open(minyi::input::kHandwritingModel, &err);
    if (!handwriting) std::cerr << "minyi-kiosk: handwriting input is not offered: " << err << "\n";
  }

  KioskApp app;
  app.setInputEngines(pinyin.get(), handwriting.get(), fuzzyPinyin);
  if (!app.load(assets, forms, &err)) {
    std::cerr << "minyi-kiosk: " << err << "\n";
    return 2;
  }
  const fs::path showcase = fs::path(MINYI_SOURCE_DIR) / "deploy/demo/showcase";
  if (!shots.empty() && fs::exists(showcase) && !app.addForms(showcase.string(), &err))
    std::cerr << "minyi-kiosk: " << err << "\n";  // the pictures of every question type come from this form
  for (const auto& p : app.problems()) std::cerr << "minyi-kiosk: form left out: " << p << "\n";
  app.setSiteName(siteName);
  app.setResidentDefaults(locale, defaultElderly, idleSeconds);
  app.setAdmin(pinHash, exportFolder, siteId);
  app.setServer(serverKey, serverUrl);
  app.setKioskNumber(kioskNumber);
  // Every finished submission is committed here before its thank-you; a store that cannot be opened or
  // written puts the kiosk in 暂停服务 rather than letting residents fill forms that would be lost.
  std::unique_ptr<minyi::store::KioskStore> store;
  if (!database.empty()) {
    minyi::store::StoreError se;
    minyi::store::OpenOptions so;
    so.maxDatabaseBytes = maxDatabaseBytes;
    store = minyi::store::KioskStore::open(database, &se, so);
    if (store) app.attachStore(store.get(), Clock::now());
    else {
      std::cerr << "minyi-kiosk: storage: " << se.message << "\n";
      app.pause(se.message);
    }
  }

  if (!enrollCode.empty()) {
    // The same enrollment the admin panel does, without a window.
    if (!store || serverUrl.empty()) {
      std::cerr << "minyi-kiosk: --enroll needs the kiosk's database and the server's address (--server-url or [server] url)\n";
      return 2;
    }
    minyi::sync::CurlOptions co;
    co.caFile = caFile;
    minyi::sync::UploaderOptions uo;
    uo.pinnedKey = serverKey;
    uo.allowInsecureHttp = allowInsecureHttp;
    minyi::sync::Uploader uploader(*store, minyi::sync::makeCurlTransport(co), uo);
    uploader.start();
    uploader.enroll(serverUrl, enrollCode);
    for (int i = 0; i < 1200 && uploader.status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const minyi::sync::SyncStatus st = uploader.status();
    uploader.stop();
    if (st.enrolling || !st.problem.empty() || st.deviceId.empty()) {
      std::cerr << "minyi-kiosk: enrollment failed: " << (st.enrolling ? "no answer from the server" : st.problem)
                << (st.detail.empty() ? "" : " (" + st.detail + ")") << "\n";
      return 1;
    }
    std::cout << "enrolled as " << st.deviceId << " at " << st.siteName << " (" << st.serverUrl << ")\n";
    return 0;
  }

  minyi::app::WindowOptions wo;
  wo.fontsFolder = fonts;
  // The atlas cache holds only glyph pictures of the shipped font (nothing of a resident), so the folder
  // beside the database, which the kiosk can write anyway, is a fine default.
  if (cacheFolder.empty() && !database.empty()) cacheFolder = (fs::absolute(database).parent_path() / "cache").string();
  wo.cacheFolder = cacheFolder;
  wo.headless = headless;
  wo.diagonalInches = diagonalInches;
  wo.kioskMode = windowed.empty() && !headless;
  if (!windowed.empty() && std::sscanf(windowed.c_str(), "%dx%d", &wo.width, &wo.height) != 2) {
    std::cerr << "minyi-kiosk: --windowed wants WxH, e.g. 1280x720\n";
    return 2;
  }
  std::vector<std::string> textFolders = {forms, assets + "/strings"};
  if (!shots.empty() && fs::exists(showcase)) textFolders.push_back(showcase.string());
  // The site's name is drawn in the header's size too, in 简 and in 繁: its characters go into that atlas.
  wo.displayText = minyi::app::collectDisplayText(textFolders) + siteName + minyi::core::toTraditional(siteName);
  KioskWindow w;
  if (!w.open(wo, &err)) {
    std::cerr << "minyi-kiosk: " << err << "\n";
    return 2;
  }
  // One rule for every input mode: a candidate is offered only if the current atlas can draw it.
  app.setCanDraw([&w](const std::string& text) { return w.fontLibrary().canDraw(text); });
  if (!shots.empty()) {
    std::vector<std::pair<int, int>> sizes;
    if (screenshotSizes == "all") {
      sizes = ui::commonPanels();
    } else {
      for (size_t at = 0; at < screenshotSizes.size();) {
        const size_t comma = std::min(screenshotSizes.find(',', at), screenshotSizes.size());
        int sw = 0, sh = 0;
        if (std::sscanf(screenshotSizes.substr(at, comma - at).c_str(), "%dx%d", &sw, &sh) != 2 || sw < 320 || sh < 320) {
          std::cerr << "minyi-kiosk: --sizes wants WxH[,WxH...] or all, e.g. 1920x1080,1080x1920\n";
          return 2;
        }
        sizes.emplace_back(sw, sh);
        at = comma + 1;
      }
    }
    return screenshots(w, app, shots, sizes, only);
  }

  // The uploader thread: sends the outbox, enrolls, fetches forms and notices. It wakes the loop with an
  // SDL user event whenever it has news; the loop then lets the app read them on this thread.
  const Uint32 syncEvent = SDL_RegisterEvents(1);
  std::unique_ptr<minyi::sync::Uploader> uploader;
  if (store) {
    minyi::sync::CurlOptions co;
    co.caFile = caFile;
    minyi::sync::UploaderOptions uo;
    uo.pinnedKey = serverKey;
    uo.allowInsecureHttp = allowInsecureHttp;
    uo.onNews = [syncEvent] {
      SDL_Event e{};
      e.type = syncEvent;
      SDL_PushEvent(&e);  // thread-safe; the loop coalesces a burst of them
    };
    uploader = std::make_unique<minyi::sync::Uploader>(*store, minyi::sync::makeCurlTransport(co), uo);
    app.attachSync(uploader.get());
    uploader->start();
  }

  // Event-driven loop: sleep in SDL_WaitEventTimeout; after each event draw a few frames so that a press
  // and its release both register; wake for timers only, and draw when one fires: a timer is only ever set
  // for something on screen that changes then (a countdown's next second, the clock's next minute).
  int framesToDraw = 3;
  bool running = true;
  while (running) {
    SDL_Event ev;
    const int wait = framesToDraw > 0 || w.pointerPending() ? 0 : app.msUntilNextTimer(Clock::now());
    if (SDL_WaitEventTimeout(&ev, wait)) {
      do {
        if (ev.type == syncEvent) {
          app.syncNews(Clock::now());
          continue;
        }
        switch (w.dispatch(ev, app)) {
          case KioskWindow::Outcome::None: break;
          case KioskWindow::Outcome::CloseRequested:
            if (!wo.kioskMode) running = false;  // in kiosk mode a resident cannot close the window
            break;
          case KioskWindow::Outcome::DisplayGone:
            // Nothing is on any screen any more: end, so the kiosk's session (cage, systemd) starts again.
            std::cerr << "minyi-kiosk: the display is gone; ending so the kiosk session can start again\n";
            return 3;
        }
      } while (SDL_PollEvent(&ev));
      framesToDraw = 3;
    } else if (wait > 0) {
      framesToDraw = std::max(framesToDraw, 1);
    }
    const auto now = Clock::now();
    if (app.tick(now)) framesToDraw = std::max(framesToDraw, 2);
    if (app.exitRequested()) break;  // staff chose 退出程序 on the admin panel
    if (framesToDraw > 0 || w.pointerPending()) {
      if (app.apply(w.frame(app), now)) framesToDraw = 3;
      w.present();
      if (!automation.empty()) w.writeAutomation(automation, app);
      if (framesToDraw > 0) --framesToDraw;
    }
  }
  return 0;
}
