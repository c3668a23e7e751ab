// Making the uploader from the options, and enrolling by script.
#include "kiosk_sync_setup.h"

#include <filesystem>
#include <iostream>
#include <thread>

#include "minyi/protocol/provisioning.h"

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

namespace {

// The first provisioning file in the folder that this kiosk may use; each refused one is said why.
std::optional<protocol::Provisioning> provisioningFrom(const KioskOptions& o, std::string* path) {
  if (!o.provisioningKey) {
    std::cerr << "minyi-kiosk: --enroll-from needs [server] provisioning_key in the configuration (`minyi "
                 "provisioning-key` on the server prints it)\n";
    return std::nullopt;
  }
  const auto files = protocol::findProvisioningFiles(o.enrollFrom);
  if (files.empty()) std::cerr << "minyi-kiosk: no provisioning file (minyi-provision-*.json) in " << o.enrollFrom << "\n";
  for (const auto& file : files) {
    auto check = protocol::checkProvisioningFile(file, *o.provisioningKey, std::chrono::system_clock::now());
    if (check.file) {
      *path = file;
      return check.file;
    }
    std::cerr << "minyi-kiosk: refused " << file << ": " << check.detail << "\n";
  }
  return std::nullopt;
}

}  // namespace

int enrollFromCommandLine(store::KioskStore& store, const KioskOptions& o) {
  std::string url = o.serverUrl, code = o.enrollCode;
  std::optional<protocol::PublicKey> expectKey;
  std::string stickFile;
  if (!o.enrollFrom.empty()) {
    auto p = provisioningFrom(o, &stickFile);
    if (!p) return 2;
    url = p->serverUrl;
    code = p->code;
    expectKey = protocol::decodeKey(p->serverKey);
    std::cout << "provisioning file for " << p->deviceId << " at " << p->siteName << " (" << url << ")\n";
  } else if (url.empty()) {
    std::cerr << "minyi-kiosk: --enroll needs the server's address (--server-url or [server] url)\n";
    return 2;
  }
  auto uploader = makeUploader(store, o);
  uploader->start();
  uploader->enroll(url, code, expectKey);
  for (int i = 0; i < 1200 && uploader->status().enrolling; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const sync::SyncStatus st = uploader->status();
  uploader->stop();
  if (st.enrolling || !st.problem.empty() || st.deviceId.empty()) {
    std::cerr << "minyi-kiosk: enrollment failed: " << (st.enrolling ? "no answer from the server" : st.problem)
              << (st.detail.empty() ? "" : " (" + st.detail + ")") << "\n";
    return 1;
  }
  if (!stickFile.empty()) protocol::markProvisioningUsed(stickFile);
  std::cout << "enrolled as " << st.deviceId << " at " << st.siteName << " (" << st.serverUrl << ")\n";
  return 0;
}

}  // namespace minyi::app
