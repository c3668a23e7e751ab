// The event-driven loop around KioskWindow and KioskApp.
#include "event_loop.h"

#include <algorithm>
#include <iostream>
#include <optional>

#include "minyi/core/json_input.h"

namespace minyi::app {

int runEventLoop(KioskWindow& w, KioskApp& app, uint32_t syncEvent, const LoopOptions& options) {
  // Sleep in SDL_WaitEventTimeout; after each event draw a few frames so that a press and its release both
  // register; wake for timers only, and draw when one fires: a timer is only ever set for something on screen
  // that changes then (a countdown's next second, the clock's next minute).
  int framesToDraw = 3;
  std::optional<bool> statusWritten;
  while (true) {
    SDL_Event ev;
    const int wait = framesToDraw > 0 || w.pointerPending() ? 0 : app.msUntilNextTimer(Clock::now());
    if (SDL_WaitEventTimeout(&ev, wait)) {
      do {
        if (syncEvent != 0 && ev.type == syncEvent) {
          app.syncNews(Clock::now());
          continue;
        }
        switch (w.dispatch(ev, app)) {
          case KioskWindow::Outcome::None: break;
          case KioskWindow::Outcome::CloseRequested:
            if (!options.kioskMode) return 0;  // in kiosk mode a resident cannot close the window
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
    if (app.exitRequested()) return 0;  // staff chose 退出程序 on the admin panel
    if (!options.statusFile.empty() && statusWritten != app.betweenResidents()) {
      if (!core::replaceTextFile(options.statusFile, app.betweenResidents() ? "between-residents\n" : "in-use\n"))
        std::cerr << "minyi-kiosk: cannot write the status file " << options.statusFile << "\n";
      statusWritten = app.betweenResidents();  // once per change, even when it failed (no error every frame)
    }
    if (framesToDraw > 0 || w.pointerPending()) {
      if (app.apply(w.frame(app), now)) framesToDraw = 3;
      w.present();
      if (!options.automation.empty()) w.writeAutomation(options.automation, app);
      if (framesToDraw > 0) --framesToDraw;
    }
  }
}

}  // namespace minyi::app
