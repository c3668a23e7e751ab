// minyi-kiosk: the full-screen touch app. The composition root: options, input engines, the flow, its store,
// the window, the uploader, the loop. (Pictures of every screen: tests/ui's minyi-kiosk-screens.)
#include <SDL.h>

#include <filesystem>
#include <iostream>

#include "event_loop.h"
#include "input_engines.h"
#include "kiosk_app.h"
#include "kiosk_sync_setup.h"
#include "minyi/core/script.h"
#include "options.h"
#include "window.h"

namespace fs = std::filesystem;
using namespace minyi::app;

int main(int argc, char** argv) {
  KioskOptions o;
  if (auto exitCode = readOptions(argc, argv, &o)) return *exitCode;
  const fs::path dataFolder = fs::absolute(o.database).parent_path();

  // librime keeps its own folder beside the kiosk's data, never shared; --prepare-input fills it at install.
  const std::string inputFolder = o.inputFolder.empty() ? (dataFolder / "rime").string() : o.inputFolder;
  InputEngines engines = openInputEngines(inputFolder, "minyi-kiosk", !o.prepareInput);
  if (o.prepareInput) {
    if (!engines.pinyin) return 1;
    std::cout << "pinyin schemas " << (engines.pinyin->deploy().deployed ? "deployed" : "already up to date") << " in "
              << inputFolder << " (" << engines.pinyin->deploy().ms << " ms)\n";
    return 0;
  }

  KioskApp app;
  std::string err;
  app.setInputEngines(engines.pinyin.get(), engines.handwriting.get(), o.fuzzyPinyin);
  if (!app.load(o.assets, o.forms, &err)) {
    std::cerr << "minyi-kiosk: " << err << "\n";
    return 2;
  }
  for (const auto& p : app.problems()) std::cerr << "minyi-kiosk: form left out: " << p << "\n";
  app.setSiteName(o.siteName);
  app.setResidentDefaults(o.locale, o.defaultElderly, o.idleSeconds);
  app.setOpeningHours(o.openingHours);
  app.setAdmin(o.pinHash, o.exportFolder, o.siteId);
  app.setServer(o.serverKey, o.serverUrl, o.provisioningKey);
  app.setKioskNumber(o.kioskNumber);

  // Every finished submission is committed here before its thank-you; a store that cannot be opened or
  // written puts the kiosk in 暂停服务 rather than letting residents fill forms that would be lost.
  minyi::store::StoreError se;
  minyi::store::OpenOptions so;
  so.maxDatabaseBytes = o.maxDatabaseBytes;
  std::unique_ptr<minyi::store::KioskStore> store = minyi::store::KioskStore::open(o.database, &se, so);
  if (store) {
    app.attachStore(store.get(), Clock::now());
  } else {
    std::cerr << "minyi-kiosk: storage: " << se.message << "\n";
    app.pause(se.message);
  }
  if (!o.enrollCode.empty() || !o.enrollFrom.empty()) {
    if (!store) {
      std::cerr << "minyi-kiosk: --enroll needs the kiosk's database, which could not be opened\n";
      return 2;
    }
    return enrollFromCommandLine(*store, o);
  }

  WindowOptions wo;
  wo.fontsFolder = o.fonts;
  // The atlas cache holds only glyph pictures of the shipped font (nothing of a resident), so the folder
  // beside the database, which the kiosk can write anyway, is a fine default.
  wo.cacheFolder = o.cacheFolder.empty() ? (dataFolder / "cache").string() : o.cacheFolder;
  wo.headless = o.headless;
  wo.diagonalInches = o.diagonalInches;
  wo.kioskMode = o.kioskMode();
  if (o.width > 0) {
    wo.width = o.width;
    wo.height = o.height;
  }
  // The site's name is drawn in the header's size too, in 简 and in 繁: its characters go into that atlas.
  wo.displayText = collectDisplayText({o.forms, o.assets + "/strings"}) + o.siteName + minyi::core::toTraditional(o.siteName);
  KioskWindow w;
  if (!w.open(wo, &err)) {
    std::cerr << "minyi-kiosk: " << err << "\n";
    return 2;
  }
  // One rule for every input mode: a candidate is offered only if the current atlas can draw it.
  app.setCanDraw([&w](const std::string& text) { return w.fontLibrary().canDraw(text); });

  // The uploader thread sends the outbox, enrolls, fetches forms and notices; it wakes the loop with an SDL
  // user event whenever it has news, and the loop lets the app read them on this thread.
  const Uint32 syncEvent = SDL_RegisterEvents(1);
  std::unique_ptr<minyi::sync::Uploader> uploader;
  if (store) {
    uploader = makeUploader(
        *store, o,
        [syncEvent] {
          SDL_Event e{};
          e.type = syncEvent;
          SDL_PushEvent(&e);  // thread-safe; the loop coalesces a burst of them
        },
        [&w] { return w.screenSize(); });
    app.attachSync(uploader.get());
    uploader->start();
  }
  return runEventLoop(w, app, uploader ? syncEvent : 0, LoopOptions{o.kioskMode(), o.automation, o.statusFile});
}
