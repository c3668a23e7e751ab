// Staff sign-in: argon2id password hashes (libsodium) and the login throttle with a growing lockout (DESIGN.md §11).
#pragma once
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace minyi::server {

// crypto_pwhash_str with libsodium's interactive limits (argon2id, 64 MiB): about 0.1-0.3 s on the server.
// Throws std::runtime_error when the machine cannot give the memory.
std::string hashPassword(const std::string& password);
// Constant time in the password; false for a hash that is not a libsodium password hash.
bool verifyPassword(const std::string& hash, const std::string& password);
// Why a new password is not acceptable, or empty when it is (at least 10 characters, not all the same).
std::string passwordProblem(const std::string& password);

// Login names: 2-32 of a-z 0-9 . _ - (typed on any keyboard, safe in logs and URLs).
bool validUserName(const std::string& name);

// Failed sign-ins per account and per client address. After `freeFailures` failures in a row a key is locked
// for `baseDelay`, and each further failure doubles the lock, up to `maxDelay`; a success clears the
// account (not the address: one right guess from an address that guesses must not reset its count).
// Kept in memory: a restart forgets it, which an attacker cannot cause.
class LoginThrottle {
 public:
  struct Limits {
    int freeFailures = 5;
    std::chrono::seconds baseDelay{30};
    std::chrono::seconds maxDelay{3600};
  };
  using Clock = std::chrono::steady_clock;
  explicit LoginThrottle(Limits limits) : limits_(limits) {}
  LoginThrottle() : LoginThrottle(Limits{}) {}

  // 0 when the key may try now; otherwise the seconds left of its lock.
  int64_t waitSeconds(const std::string& key, Clock::time_point now = Clock::now());
  void failed(const std::string& key, Clock::time_point now = Clock::now());
  void succeeded(const std::string& key);

 private:
  struct State {
    int failures = 0;
    Clock::time_point lockedUntil{};
    Clock::time_point lastFailure{};
  };
  Limits limits_;
  std::mutex mutex_;
  std::map<std::string, State> states_;
};

}  // namespace minyi::server
