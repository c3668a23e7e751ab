// Fleet health rules: opening-hours silence, low disk, a growing backlog.
#include "minyi/server/fleet.h"

#include <algorithm>

#include "minyi/protocol/times.h"
#include "minyi/server/results.h"

namespace minyi::server {

namespace {
constexpr int64_t kDay = 24 * 60;

int64_t epochMinutes(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count();
}
}  // namespace

std::chrono::minutes openMinutesBetween(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to,
                                        const FleetPolicy& policy) {
  if (to <= from || policy.hours.closesAtMinute <= policy.hours.opensAtMinute) return std::chrono::minutes(0);
  // In China local minutes since the epoch; a kiosk silent for over a year counts its last year only.
  const int64_t b = epochMinutes(to) + kChinaOffset.count();
  const int64_t a = std::max(epochMinutes(from) + kChinaOffset.count(), b - 400 * kDay);
  int64_t open = 0;
  for (int64_t day = a / kDay; day <= b / kDay; ++day) {
    const int64_t opens = day * kDay + policy.hours.opensAtMinute, closes = day * kDay + policy.hours.closesAtMinute;
    open += std::max<int64_t>(0, std::min(b, closes) - std::max(a, opens));
  }
  return std::chrono::minutes(open);
}

KioskAlerts kioskAlerts(const Device& d, const FleetPolicy& policy, std::chrono::system_clock::time_point now) {
  KioskAlerts alerts;
  if (d.revoked() || d.enrolledAt.empty()) return alerts;
  if (auto last = protocol::parseIsoUtc(d.lastContact.empty() ? d.enrolledAt : d.lastContact)) {
    const auto silent = openMinutesBetween(*last, now, policy);
    if (silent >= policy.silentAfter) alerts.silentFor = silent;
  }
  if (d.report && d.report->diskFreeBytes && *d.report->diskFreeBytes < policy.lowDiskBytes)
    alerts.diskFreeBytes = *d.report->diskFreeBytes;
  // Growing, or at least not going down since the report before, while the oldest has waited long: a kiosk
  // in touch whose uploads do not get through, or one whose network is down between its reports.
  if (d.report && d.report->outbox > 0 && d.report->outbox >= d.previousOutbox.value_or(0)) {
    if (auto oldest = protocol::parseIsoUtc(d.report->oldestUnsent)) {
      const auto waited = std::chrono::duration_cast<std::chrono::minutes>(now - *oldest);
      if (waited >= policy.backlogAfter) alerts.backlogWaiting = waited;
    }
  }
  return alerts;
}

}  // namespace minyi::server
