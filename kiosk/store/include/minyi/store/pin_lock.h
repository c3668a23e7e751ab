// The admin PIN pad's lock: a PIN checked against its argon2id hash, and a lockout that grows after 5 misses.
#pragma once
#include <chrono>
#include <string>

namespace minyi::store {

class PinLock {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kFreeAttempts = 5;                        // misses before the pad locks
  static constexpr std::chrono::seconds kFirstLock{30};          // then 60 s, 120 s, ... up to kLongestLock
  static constexpr std::chrono::seconds kLongestLock{30 * 60};

  explicit PinLock(std::string pinHash) : hash_(std::move(pinHash)) {}

  enum class Outcome { Accepted, Wrong, Locked, NotConfigured };
  // Checks one PIN. While locked, nothing is checked (no guessing during the lock).
  Outcome attempt(const std::string& pin, Clock::time_point now);
  bool locked(Clock::time_point now) const { return now < lockedUntil_; }
  int secondsLeft(Clock::time_point now) const;
  Clock::time_point lockedUntil() const { return lockedUntil_; }
  int failures() const { return failures_; }

 private:
  std::string hash_;
  int failures_ = 0;        // consecutive misses since the last success
  int locks_ = 0;           // how many times the pad has locked: each lock is twice as long
  Clock::time_point lockedUntil_{};
};

}  // namespace minyi::store
