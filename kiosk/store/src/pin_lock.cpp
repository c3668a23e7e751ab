// Admin PIN lockout: five misses lock the pad for 30 s, each further lock doubles, a success resets.
#include "minyi/store/pin_lock.h"

#include <algorithm>

#include "minyi/store/config.h"

namespace minyi::store {

PinLock::Outcome PinLock::attempt(const std::string& pin, Clock::time_point now) {
  if (hash_.empty()) return Outcome::NotConfigured;
  if (locked(now)) return Outcome::Locked;
  if (verifyPin(hash_, pin)) {
    failures_ = 0;
    locks_ = 0;
    return Outcome::Accepted;
  }
  if (++failures_ >= kFreeAttempts) {
    const auto lock = std::min<std::chrono::seconds>(kFirstLock * (1 << std::min(locks_, 10)), kLongestLock);
    lockedUntil_ = now + lock;
    ++locks_;
    failures_ = 0;  // after the lock, five more tries before the next, longer one
    return Outcome::Locked;
  }
  return Outcome::Wrong;
}

int PinLock::secondsLeft(Clock::time_point now) const {
  if (!locked(now)) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::seconds>(lockedUntil_ - now).count());
}

}  // namespace minyi::store
