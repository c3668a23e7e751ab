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
#include "minyi/core/scripted_fill.h"
#include "minyi/input/handwriting.h"
#include "minyi/input/pinyin.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/ticket.h"
#include "minyi/store/config.h"
#include "minyi/store/store.h"
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

// Presses the on-screen key with this label (a letter, or a string-table key such as kbd.space).
void pressKey(KioskApp& app, const std::string& label, Clock::time_point now) {
  if (!app.keyboard()) return;
  const auto rows = app.keyboard()->keys();
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t c = 0; c < rows[r].size(); ++c)
      if (rows[r][c].label == label) {
        app.apply({ui::Command{ui::Command::Kind::KeyPress, std::to_string(r) + "," + std::to_string(c), {}, {}}}, now);
        return;
      }
}

// Taps the candidate with this text on the keyboard's bar, if it is offered.
void chooseCandidate(KioskApp& app, const std::string& text, Clock::time_point now) {
  if (!app.keyboard()) return;
  const auto c = app.keyboard()->candidates();
  const auto it = std::find(c.begin(), c.end(), text);
  if (it != c.end())
    app.apply({ui::Command{ui::Command::Kind::Candidate, std::to_string(it - c.begin()), {}, {}}}, now);
}

// A finger writing 中 on the handwriting pad (its four strokes, in pad units), for the pictures.
void writeZhong(KioskApp& app, Clock::time_point now) {
  const std::vector<std::vector<std::pair<float, float>>> strokes = {
      {{0.20f, 0.30f}, {0.20f, 0.70f}}, {{0.20f, 0.30f}, {0.80f, 0.30f}, {0.80f, 0.70f}},
      {{0.20f, 0.68f}, {0.80f, 0.68f}}, {{0.50f, 0.05f}, {0.50f, 0.95f}}};
  for (const auto& st : strokes) {
    auto pen = [&](const char* what, std::pair<float, float> p) {
      app.apply({ui::Command{ui::Command::Kind::Pen, what, {}, minyi::core::Json::array({p.first, p.second})}}, now);
    };
    pen("down", st.front());
    for (size_t i = 1; i < st.size(); ++i)
      for (int j = 1; j <= 8; ++j) {
        const float t = j / 8.0f;
        pen("move", {st[i - 1].first + (st[i].first - st[i - 1].first) * t, st[i - 1].second + (st[i].second - st[i - 1].second) * t});
      }
    pen("up", st.back());
  }
}

// Every screen, every page of every form (blank and with its validation messages), in each language,
// normal and 长辈模式.
int screenshots(KioskWindow& w, KioskApp& app, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const auto now = Clock::now();
  auto go = [&](ui::Command::Kind k) { app.apply({ui::Command{k, {}, {}, {}}}, now); };
  for (const char* locale : {"zh-cn", "zh-tw", "en"}) {
    for (bool elderly : {false, true}) {
      app.setLocale(locale);
      app.setElderly(elderly);
      const std::string suffix = std::string("-") + locale + (elderly ? "-elderly" : "");
      go(ui::Command::Kind::Home);
      shoot(w, app, dir, "attract" + suffix);
      go(ui::Command::Kind::OpenFormList);
      shoot(w, app, dir, "formlist" + suffix);
      for (const ui::FormEntry& e : app.view(1920, 1080).forms) {
        if (e.kind == "quick") continue;
        app.startForm(e.id, now);
        minyi::core::Session& s = *app.session();
        for (int page : s.visiblePages()) {
          s.goToPage(page);
          shoot(w, app, dir, "form-" + e.id + "-p" + std::to_string(page + 1) + suffix);
        }
        s.goToPage(s.visiblePages().front());
        s.validateCurrentPage();
        shoot(w, app, dir, "form-" + e.id + "-errors" + suffix);
        go(ui::Command::Kind::ToReview);
        if (app.screen() == ui::Screen::FormPage) {  // the review needs a valid last page: show it as is
          go(ui::Command::Kind::Home);
        }
      }
      // The keyboards: letters for a description, the digit pad for a phone number.
      app.startForm("complaint", now);
      minyi::core::Session& c = *app.session();
      for (const char* name : {"description", "phone"}) {
        const minyi::core::Element* q = c.form().findQuestion(name);
        if (!q) continue;
        c.goToPage(c.form().pageOf(q));
        if (std::string(name) == "phone") c.setValueByName("anonymous", false);
        app.apply({ui::Command{ui::Command::Kind::EditText, "value", minyi::core::QuestionRef{q}, {}}}, now);
        if (std::string(name) == "phone") {
          app.typeText("138");
          shoot(w, app, dir, std::string("keyboard-") + name + suffix);
          continue;
        }
        // Pinyin: words chosen from the bar, the next one still being composed with its candidates.
        const bool tw = std::string(locale) == "zh-tw";
        for (const char* k = "loudaodeng"; *k; ++k) pressKey(app, std::string(1, *k), now);
        chooseCandidate(app, tw ? "樓道" : "楼道", now);
        chooseCandidate(app, tw ? "燈" : "灯", now);
        for (const char* k = "buliang"; *k; ++k) pressKey(app, std::string(1, *k), now);
        shoot(w, app, dir, std::string("keyboard-pinyin") + suffix);
        // Handwriting: 不亮 goes in, then 中 on the pad with its candidates.
        chooseCandidate(app, "不亮", now);
        pressKey(app, "kbd.mode.handwriting", now);
        writeZhong(app, now);
        shoot(w, app, dir, std::string("keyboard-handwriting") + suffix);
        pressKey(app, "kbd.mode.latin", now);
        pressKey(app, "kbd.clear", now);
        app.typeText("Lou dao deng");
        shoot(w, app, dir, std::string("keyboard-") + name + suffix);
      }
      go(ui::Command::Kind::Home);
      app.startForm("quick", now);
      app.showThankYou(Clock::now());  // a full countdown on the picture
      shoot(w, app, dir, "thankyou" + suffix);
      go(ui::Command::Kind::Home);
    }
  }
  // The PIN pad and the admin panel, over a scratch database (PIN 0000 for the pictures only).
  {
    const fs::path db = fs::temp_directory_path() / ("minyi-screenshots-" + std::to_string(::getpid()) + ".db");
    minyi::store::StoreError se;
    auto store = minyi::store::KioskStore::open(db.string(), &se);
    auto hash = minyi::store::hashPin("0000");
    if (store && hash) {
      app.setServer(minyi::protocol::generateKeyPair().publicKey, "https://minyi.example.gov.cn");  // a scratch key
      // The demo notices, as a server would send them, for the attract screen's carousel.
      std::string why;
      if (auto text = minyi::core::readTextFile((fs::path(MINYI_SOURCE_DIR) / "deploy/demo/notices.json").string(), &why, 1 << 20))
        if (auto reply = minyi::protocol::parseNoticesReply(*text, &why)) {
          std::vector<minyi::store::StoredNotice> kept;
          for (const auto& n : reply->notices) kept.push_back({n.id, n.title.dump(), n.body.dump(), n.publishedAt, n.until});
          store->replaceNotices(kept);
        }
      if (!why.empty()) std::cerr << "minyi-kiosk: demo notices: " << why << "\n";
      app.setKioskNumber(7);  // complaints need a number for their ticket codes
      app.attachStore(store.get(), now);
      for (const char* locale : {"zh-cn", "zh-tw", "en"})
        for (bool elderly : {false, true}) {
          app.setLocale(locale);
          app.setElderly(elderly);
          shoot(w, app, dir, std::string("attract-notices-") + locale + (elderly ? "-elderly" : ""));
        }
      app.setElderly(false);
      // A complaint's receipt: ticket code, QR code, category and promised handling time.
      std::string lastCode;
      const auto answers = minyi::core::Json::parse(
          R"({"category":"hallway_lights","community":"donghu","location":"3号楼2单元","description":"楼道灯坏了一个多月。","anonymous":true})");
      for (const char* locale : {"zh-cn", "zh-tw", "en"})
        for (bool elderly : {false, true}) {
          app.setLocale(locale);
          app.setElderly(elderly);
          if (!app.startForm("complaint", now)) break;
          minyi::core::fillFromAnswers(*app.session(), answers);
          go(ui::Command::Kind::Submit);
          shoot(w, app, dir, std::string("receipt-") + locale + (elderly ? "-elderly" : ""));
          lastCode = app.view(1920, 1080).receipt ? app.view(1920, 1080).receipt->code : lastCode;
          go(ui::Command::Kind::Finish);
        }
      app.setElderly(false);
      // 查询进度 for that complaint, with news from the server, and for a mistyped code.
      const auto bare = minyi::protocol::checkTicketCode(lastCode).code;
      store->updateTickets({{bare, "resolved", "2026-11-28T10:00:00Z", "楼道灯已全部更换，感谢您的反映。",
                             R"([{"status":"received","at":"2026-11-27T08:00:00Z"},{"status":"assigned","at":"2026-11-27T09:10:00Z"},)"
                             R"({"status":"resolved","at":"2026-11-28T03:30:00Z"}])"}});
      for (const char* locale : {"zh-cn", "zh-tw", "en"})
        for (bool elderly : {false, true}) {
          app.setLocale(locale);
          app.setElderly(elderly);
          const std::string suffix = std::string("-") + locale + (elderly ? "-elderly" : "");
          go(ui::Command::Kind::Home);
          go(ui::Command::Kind::OpenLookup);
          shoot(w, app, dir, "lookup-keyboard" + suffix);
          app.typeText(lastCode);
          go(ui::Command::Kind::LookupSubmit);
          shoot(w, app, dir, "lookup-found" + suffix);
          go(ui::Command::Kind::LookupField);
          std::string typo = lastCode;
          typo[1] = typo[1] == '0' ? '1' : '0';
          go(ui::Command::Kind::Home);
          go(ui::Command::Kind::OpenLookup);
          app.typeText(typo);
          go(ui::Command::Kind::LookupSubmit);
          shoot(w, app, dir, "lookup-mistyped" + suffix);
          go(ui::Command::Kind::Home);
          go(ui::Command::Kind::OpenLookup);
          app.typeText(minyi::protocol::makeTicketCode(4000, 77));  // a well-formed code no kiosk made
          go(ui::Command::Kind::LookupSubmit);
          shoot(w, app, dir, "lookup-unknown" + suffix);
          go(ui::Command::Kind::Home);
        }
      app.setElderly(false);
      app.setAdmin(*hash, (fs::temp_directory_path() / "minyi-screenshot-usb").string(), "donghu-dqfwzx");
      for (const char* locale : {"zh-cn", "en"}) {
        app.setLocale(locale);
        for (int i = 0; i < 5; ++i) go(ui::Command::Kind::AdminCorner);
        app.apply({ui::Command{ui::Command::Kind::KeyPress, "0,0", {}, {}}}, now);  // "1": a wrong PIN, shown as one dot
        shoot(w, app, dir, std::string("admin-pin-") + locale);
        // Clear, type 0000, Done: the rows of the digit pad are fixed (docs/kiosk.md).
        const auto rows = app.view(1920, 1080).keyboard->keys();
        auto press = [&](const std::string& label) {
          for (size_t r = 0; r < rows.size(); ++r)
            for (size_t c = 0; c < rows[r].size(); ++c)
              if (rows[r][c].label == label)
                app.apply({ui::Command{ui::Command::Kind::KeyPress, std::to_string(r) + "," + std::to_string(c), {}, {}}}, now);
        };
        press("kbd.clear");
        for (int i = 0; i < 4; ++i) press("0");
        press("kbd.done");
        shoot(w, app, dir, std::string("admin-") + locale);
        // The enrollment form, with the keyboard open on the code.
        go(ui::Command::Kind::AdminEnroll);
        shoot(w, app, dir, std::string("admin-enroll-") + locale);
        app.apply({ui::Command{ui::Command::Kind::EnrollField, "code", {}, {}}}, now);
        app.typeText("K3M9Q-2XH7R");
        shoot(w, app, dir, std::string("admin-enroll-keyboard-") + locale);
        go(ui::Command::Kind::AdminCancel);
        go(ui::Command::Kind::AdminCancel);
      }
      app.attachStore(nullptr, now);
    }
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix, ec);
  }
  // 暂停服务 last: a paused kiosk stays paused (only the language still changes).
  app.setElderly(false);
  app.pause("screenshot");
  for (const char* locale : {"zh-cn", "zh-tw", "en"}) {
    app.setLocale(locale);
    shoot(w, app, dir, std::string("paused-") + locale);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string assets = MINYI_ASSETS_DIR, fonts = MINYI_FONTS_DIR, forms, windowed, shots, configPath, database;
  std::string siteName = "东湖社区党群服务中心", locale = "zh-cn";
  std::string pinHash, siteId, exportFolder, serverKeyFile, serverUrl, publicKeyText, caFile, enrollCode, cacheFolder;
  bool headless = false, prepareInput = false;
  CLI::App cli{"minyi-kiosk — the Minyi touchscreen kiosk"};
  cli.add_option("--assets", assets, "assets folder (strings, forms)");
  cli.add_option("--fonts", fonts, "fonts folder");
  cli.add_option("--forms", forms, "forms folder (default: <assets>/forms)");
  cli.add_option("--windowed", windowed, "development window, e.g. 1280x720 (default: full-screen kiosk mode)");
  cli.add_flag("--headless", headless, "no display: dummy video driver, software renderer");
  cli.add_option("--screenshots", shots, "write a PNG of every screen to this folder and exit");
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
  wo.displayText = minyi::app::collectDisplayText(textFolders);
  KioskWindow w;
  if (!w.open(wo, &err)) {
    std::cerr << "minyi-kiosk: " << err << "\n";
    return 2;
  }
  // One rule for every input mode: a candidate is offered only if the current atlas can draw it.
  app.setCanDraw([&w](const std::string& text) { return w.fontLibrary().canDraw(text); });
  if (!shots.empty()) return screenshots(w, app, shots);

  // The uploader thread: sends the outbox, enrolls, fetches forms and notices. It wakes the loop with an
  // SDL user event whenever it has news; the loop then lets the app read them on this thread.
  const Uint32 syncEvent = SDL_RegisterEvents(1);
  std::unique_ptr<minyi::sync::Uploader> uploader;
  if (store) {
    minyi::sync::CurlOptions co;
    co.caFile = caFile;
    minyi::sync::UploaderOptions uo;
    uo.pinnedKey = serverKey;
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
        if (ev.type == syncEvent) app.syncNews(Clock::now());
        else if (w.dispatch(ev, app) && !wo.kioskMode) running = false;  // in kiosk mode a resident cannot close the window
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
      if (framesToDraw > 0) --framesToDraw;
    }
  }
  return 0;
}
