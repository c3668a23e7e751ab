// The shared context's questions about the store: settings enrollment left there, the key, the kiosk's names.
#include "flow_context.h"

#include <cstdlib>

namespace minyi::app {

std::string FlowContext::say(const char* key, const std::vector<std::string>& args) const {
  return strings.get(locale, key, args);
}

std::string FlowContext::setting(const char* key) const {
  if (!store) return {};
  auto r = store->setting(key);
  return r.ok() && r.value() ? *r.value() : std::string();
}

std::optional<protocol::PublicKey> FlowContext::sealKey() const {
  if (configuredKey) return configuredKey;
  const std::string fromEnrollment = setting(sync::keys::kPublicKey);
  if (fromEnrollment.empty()) return std::nullopt;
  return protocol::decodeKey(fromEnrollment);
}

int FlowContext::kioskNumber() const {
  const std::string fromEnrollment = setting(sync::keys::kKioskNumber);
  if (!fromEnrollment.empty()) return std::atoi(fromEnrollment.c_str());
  return configuredKioskNumber;
}

std::string FlowContext::serverUrl() const {
  const std::string enrolledAt = setting(sync::keys::kServerUrl);
  return enrolledAt.empty() ? configuredServerUrl : enrolledAt;
}

bool FlowContext::enrolled() const { return !setting(sync::keys::kToken).empty(); }

std::string FlowContext::deviceId() const {
  if (!store) return {};
  // Once enrolled, the server's name for this kiosk is the one staff see on the dashboard.
  const std::string serverDevice = setting(sync::keys::kDeviceId);
  if (!serverDevice.empty()) return serverDevice;
  auto own = store->kioskId();
  return own.ok() ? own.value() : std::string();
}

std::string FlowContext::cannotKeep() const {
  if (!store) return {};
  const store::Health h = store->health();
  if (!h.ok()) return h.reason;
  // Answers are sealed before they touch the disk; without the server's key there is nothing to seal to.
  if (!sealKey()) return say("admin.noServerKey");
  return {};
}

void FlowContext::audit(const std::string& action, const std::string& detail) const {
  if (store) store->audit("admin", action, detail);
}

}  // namespace minyi::app
