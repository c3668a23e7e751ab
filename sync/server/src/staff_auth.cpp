// Password hashing with libsodium's crypto_pwhash_str (argon2id) and the per-account, per-address login throttle.
#include "minyi/server/staff_auth.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace minyi::server {

namespace {
void initSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}
}  // namespace

std::string hashPassword(const std::string& password) {
  initSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("hashing a password needs 64 MiB of memory, which the system refused");
  return out;
}

bool verifyPassword(const std::string& hash, const std::string& password) {
  initSodium();
  // The stored hash names its own algorithm and limits; anything else (empty, damaged) never verifies.
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.rfind("$argon2id$", 0) != 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string passwordProblem(const std::string& password) {
  // Counted in code points, so a Chinese passphrase is measured as people see it.
  size_t chars = 0;
  for (unsigned char c : password) chars += (c & 0xC0) != 0x80;
  if (chars < 10) return "at least 10 characters";
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; }))
    return "not one character repeated";
  return {};
}

bool validUserName(const std::string& name) {
  if (name.size() < 2 || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

int64_t LoginThrottle::waitSeconds(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = states_.find(key);
  if (it == states_.end() || it->second.lockedUntil <= now) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(it->second.lockedUntil - now).count() + 1;
}

void LoginThrottle::failed(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (states_.size() > 100000) {  // forget quiet keys so guessing from many addresses cannot fill memory
    for (auto it = states_.begin(); it != states_.end();)
      it = it->second.lockedUntil < now && now - it->second.lastFailure > limits_.maxDelay ? states_.erase(it)
                                                                                           : std::next(it);
  }
  State& s = states_[key];
  // A day without failures starts the count again.
  if (s.failures > 0 && now - s.lastFailure > std::chrono::hours(24)) s = State{};
  ++s.failures;
  s.lastFailure = now;
  if (s.failures < limits_.freeFailures) return;
  const int doublings = std::min(s.failures - limits_.freeFailures, 20);
  auto delay = limits_.baseDelay * (int64_t{1} << doublings);
  if (delay > limits_.maxDelay) delay = limits_.maxDelay;
  s.lockedUntil = now + delay;
}

void LoginThrottle::succeeded(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  states_.erase(key);
}

bool LoginThrottle::hasFailed(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = states_.find(key);
  return it != states_.end() && it->second.failures > 0 && now - it->second.lastFailure <= std::chrono::hours(24);
}

int64_t SignInGuard::waitSeconds(const std::string& name, const std::string& address, Clock::time_point now) {
  const std::string from = "addr:" + address;
  int64_t wait = addresses_.waitSeconds(from, now);
  if (addresses_.hasFailed(from, now)) wait = std::max(wait, accounts_.waitSeconds("user:" + name, now));
  return wait;
}

void SignInGuard::failed(const std::string& name, const std::string& address, Clock::time_point now) {
  accounts_.failed("user:" + name, now);
  addresses_.failed("addr:" + address, now);
}

// The address keeps its count: one right guess from an address that guesses must not reset it.
void SignInGuard::succeeded(const std::string& name) { accounts_.succeeded("user:" + name); }

int64_t RefusalSummary::refused(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (states_.size() > 100000) {  // forget keys quiet for a while: many addresses cannot fill memory
    for (auto it = states_.begin(); it != states_.end();)
      it = now - it->second.lastRow > 2 * every_ ? states_.erase(it) : std::next(it);
  }
  auto [it, fresh] = states_.try_emplace(key);
  State& s = it->second;
  ++s.pending;
  if (!fresh && now - s.lastRow < every_) return 0;
  s.lastRow = now;
  return std::exchange(s.pending, 0);
}

int64_t RefusalSummary::take(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = states_.find(key);
  if (it == states_.end()) return 0;
  const int64_t n = it->second.pending;
  states_.erase(it);
  return n;
}

}  // namespace minyi::server
