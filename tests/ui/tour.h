// A tour of every screen the kiosk can show: every page of every form (blank and with its messages), the
// keyboards in every mode, receipts, 查询进度, notices, dialogs, the staff screens and 暂停服务, in each
// language, normal and 长辈模式. The screenshot run writes a picture at each stop; the layout test checks
// each stop at every panel size.
#pragma once
#include <functional>
#include <string>

#include "kiosk_app.h"

namespace minyi::app {

struct TourOptions {
  std::string noticesFile;  // a notices reply (deploy/demo/notices.json) for the carousel; empty: none
  bool staffScreens = true;
};

// Walks `app` (forms and strings loaded, no store attached) through every screen, calling `at(name)` at
// each stop, with the app in the state to draw. Uses a scratch store in the temp folder for the parts that
// need one (notices, receipts, 查询进度, the staff panel with PIN 0000, 暂停服务) and leaves the app on
// the start screen without a store, so a second tour (another panel size) starts the same.
void tour(KioskApp& app, const std::function<void(const std::string& name)>& at, const TourOptions& options = {});

// Presses the on-screen key with this label (a letter, or a string-table key such as kbd.space).
void pressKey(KioskApp& app, const std::string& label, Clock::time_point now);

}  // namespace minyi::app
