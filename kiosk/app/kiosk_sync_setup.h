// The kiosk's uploader as main() starts it: libcurl with the configured CA file, the server's key pinned,
// plain http only when the configuration allows it. Also enrollment from the command line (--enroll).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "options.h"
#include "minyi/store/store.h"
#include "minyi/sync/uploader.h"

namespace minyi::app {

// screenSize: the window's size for the kiosk's report to the devices page (none when enrolling by script).
std::unique_ptr<sync::Uploader> makeUploader(store::KioskStore& store, const KioskOptions& o, std::function<void()> onNews = {},
                                             std::function<std::string()> screenSize = {});

// The same enrollment the admin panel does, without a window: with --enroll's code, or with the provisioning
// file --enroll-from finds on a stick. Returns the process's exit code.
int enrollFromCommandLine(store::KioskStore& store, const KioskOptions& o);

}  // namespace minyi::app
