// What every part of the kiosk's flow shares: the words in the resident's language, the screen that is up, the
// time of the last event, the store and the uploader, and what the kiosk knows of its server.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minyi/core/form.h"
#include "minyi/core/strings.h"
#include "minyi/protocol/crypto.h"
#include "minyi/store/store.h"
#include "minyi/sync/uploader.h"
#include "minyi/ui/view_model.h"

namespace minyi::app {

using Clock = std::chrono::steady_clock;

struct LoadedForm {
  std::string path;
  std::string json;  // the text as loaded: the store keeps it beside every submission's form hash
  std::unique_ptr<core::Form> form;
};

struct FlowContext {
  core::StringTable strings;
  std::string locale = "zh-cn";
  ui::Screen screen = ui::Screen::Attract;
  Clock::time_point now{};             // of the last tick or command: countdowns are shown against it
  store::KioskStore* store = nullptr;  // null: results stay in memory (screenshots)
  sync::Uploader* uploader = nullptr;  // null: no sync
  std::vector<LoadedForm> forms;       // on offer: the forms folder's, or the server's once it sent some
  std::string siteName = "民意服务终端";
  std::string siteId;
  std::string pausedBecause;           // 暂停服务: why, in plain words for the admin panel
  // From the configuration; what enrollment brought (kept in the store) wins.
  std::optional<protocol::PublicKey> configuredKey;
  std::string configuredServerUrl;
  // [server] provisioning_key: the township server's key for USB provisioning files (none: sticks are refused).
  std::optional<protocol::PublicKey> provisioningKey;
  int configuredKioskNumber = 0;

  // A string-table entry in the resident's language.
  std::string say(const char* key, const std::vector<std::string>& args = {}) const;
  std::string setting(const char* key) const;  // a stored setting; empty when unset or without a store
  std::optional<protocol::PublicKey> sealKey() const;  // configured, else from enrollment
  int kioskNumber() const;  // for ticket codes: from enrollment, else the config; 0: none (no complaints)
  std::string serverUrl() const;
  bool enrolled() const;
  // This kiosk's name: the server's once enrolled, else the kiosk's own id (made once, kept in the store).
  std::string deviceId() const;
  // Why submissions cannot be kept right now (storage, no key), in words; empty when they can.
  std::string cannotKeep() const;
  // A staff action in the kiosk's audit log (best effort: a full disk must not lock staff out).
  void audit(const std::string& action, const std::string& detail = {}) const;
};

}  // namespace minyi::app
