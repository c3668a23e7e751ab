// Making the uploader from the options, and enrolling by script.
#include "kiosk_sync_setup.h"

#include <filesystem>
#include <iostream>
#include <thread>

namespace minyi::app {

std::unique_ptr<sync::Uploader> makeUploader(store::KioskStore& store, const KioskOptions& o, std::function<void()> onNews,
                                             std::function<std::string()> screenSize) {
  sync::CurlOptions co;
  co.caFile = o.caFile;
  sync::UploaderOptions uo;
  uo.pinnedKey = o.serverKey;
  uo.allowInsecureHttp = o.allowInsecureHttp;
  uo.onNews = std::move(onNews);
  uo.appVersion = MINYI_VERSION;
  // The free disk that matters is where the outbox is kept.
  uo.diskFolder = std::filesystem::absolute(store.path()).parent_path().string();
  uo.screenSize = std::move(screenSize);
  return std::make_unique<sync::Uploader>(store, sync::makeCurlTransport(co), uo);
}

int enrollFromCommandLine(store::KioskStore& store, const KioskOptions& o) {
  if (o.serverUrl.empty()) {
    std::cerr << "minyi-kiosk: --enroll needs the server's address (--server-url or [server] url)\n";
    return 2;
  }
  auto uploader = makeUploader(store, o);
  uploader->start();
  uploader->enroll(o.serverUrl, o.enrollCode);
  for (int i = 0; i < 1200 && uploader->status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const sync::SyncStatus st = uploader->status();
  uploader->stop();
  if (st.enrolling || !st.problem.empty() || st.deviceId.empty()) {
    std::cerr << "minyi-kiosk: enrollment failed: " << (st.enrolling ? "no answer from the server" : st.problem)
              << (st.detail.empty() ? "" : " (" + st.detail + ")") << "\n";
    return 1;
  }
  std::cout << "enrolled as " << st.deviceId << " at " << st.siteName << " (" << st.serverUrl << ")\n";
  return 0;
}

}  // namespace minyi::app
