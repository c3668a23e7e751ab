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
  // True when the key failed in the last 24 hours and has not succeeded since.
  bool hasFailed(const std::string& key, Clock::time_point now = Clock::now());
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

// Who may try to sign in now (issue #11 item 4). Guessing is slowed per address (whatever names it tries) and
// per account; but an account's lock holds only for addresses that have failed themselves, so someone
// guessing the admin's password from elsewhere cannot keep the admin out: the right password from an address
// with no failures signs in. (Staff sharing the guesser's address wait with it.)
class SignInGuard {
 public:
  using Clock = LoginThrottle::Clock;
  SignInGuard(LoginThrottle::Limits account, LoginThrottle::Limits address) : accounts_(account), addresses_(address) {}
  // 0 when `name` may be tried from `address` now; otherwise the seconds to wait.
  int64_t waitSeconds(const std::string& name, const std::string& address, Clock::time_point now = Clock::now());
  void failed(const std::string& name, const std::string& address, Clock::time_point now = Clock::now());
  void succeeded(const std::string& name);

 private:
  LoginThrottle accounts_, addresses_;
};

// Refused sign-ins become at most one operation-log row per account and address every `every`: the first
// refusal as it happens, then one row counting those since (a guesser cannot flood the log, and staff still
// see that someone guessed, from where and how often).
class RefusalSummary {
 public:
  using Clock = LoginThrottle::Clock;
  explicit RefusalSummary(std::chrono::seconds every = std::chrono::minutes(10)) : every_(every) {}
  // A refusal of `key`: the number of refusals a row written now stands for, or 0 when no row is due yet.
  int64_t refused(const std::string& key, Clock::time_point now = Clock::now());
  // Refusals of `key` counted but not yet written (a sign-in that then succeeds writes them first); forgets them.
  int64_t take(const std::string& key);

 private:
  struct State {
    Clock::time_point lastRow{};
    int64_t pending = 0;
  };
  std::chrono::seconds every_;
  std::mutex mutex_;
  std::map<std::string, State> states_;
};

}  // namespace minyi::server
