// Which kiosks need IT's look (issue #13, fleet health): silent during opening hours, low on disk, a backlog
// that grows. Plain rules over a Device and the time now, for the devices page and the tests.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

#include "minyi/core/opening_hours.h"
#include "minyi/server/server_store.h"

namespace minyi::server {

// [fleet] in the server's configuration.
struct FleetPolicy {
  core::OpeningHours hours;  // the kiosks' opening hours, China time, every day (08:00-18:00)
  std::chrono::minutes silentAfter{120};     // of opening time without contact
  int64_t lowDiskBytes = int64_t{500} << 20;  // free on the kiosk's disk
  std::chrono::minutes backlogAfter{60};     // the oldest unsent has waited this long and the backlog does not go down
};

struct KioskAlerts {
  std::optional<std::chrono::minutes> silentFor;       // opening time since the last contact, when over the limit
  std::optional<int64_t> diskFreeBytes;                // when under the limit
  std::optional<std::chrono::minutes> backlogWaiting;  // how long the oldest unsent has waited, when the backlog does not go down
  bool any() const { return silentFor || diskFreeBytes || backlogWaiting; }
};

// Nothing for a kiosk not enrolled yet or revoked: those are not expected to talk.
KioskAlerts kioskAlerts(const Device& device, const FleetPolicy& policy, std::chrono::system_clock::time_point now);

// Minutes of opening hours between two times (a night or a closed evening does not count as silence).
std::chrono::minutes openMinutesBetween(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to,
                                        const FleetPolicy& policy);

}  // namespace minyi::server
