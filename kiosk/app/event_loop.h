// The kiosk's event loop: sleeps until an event or the next timer, draws a few frames after each event so a
// press and its release both register, and lets the flow read the uploader's news on this thread.
#pragma once
#include <string>

#include "kiosk_app.h"
#include "window.h"

namespace minyi::app {

struct LoopOptions {
  bool kioskMode = true;   // a resident cannot close the window
  std::string automation;  // write what each frame showed to this file (tests through the display server)
  // --status-file: "between-residents" or "in-use", rewritten when it changes, for the night update
  // (/usr/lib/minyi-kiosk/night-update restarts the kiosk only between residents).
  std::string statusFile;
};

// `syncEvent` is the SDL event the uploader pushes when it has news (0: no uploader). Returns the process's exit
// code: 0 when staff chose 退出程序 or a development window was closed, 3 when the display went away.
int runEventLoop(KioskWindow& w, KioskApp& app, uint32_t syncEvent, const LoopOptions& options);

}  // namespace minyi::app
