// The admin PIN pad's lockout: five misses lock it, each lock is longer, a right PIN resets the count.
#include <catch2/catch.hpp>

#include "minyi/store/config.h"
#include "minyi/store/pin_lock.h"

using namespace minyi::store;
using namespace std::chrono_literals;

TEST_CASE("five wrong PINs lock the pad with a growing delay", "[pin]") {
  const auto hash = hashPin("2468");
  REQUIRE(hash);
  PinLock lock(*hash);
  auto t = PinLock::Clock::now();
  for (int i = 0; i < 4; ++i) CHECK(lock.attempt("1111", t) == PinLock::Outcome::Wrong);
  CHECK(lock.attempt("1111", t) == PinLock::Outcome::Locked);
  CHECK(lock.secondsLeft(t) == 30);
  // While locked even the right PIN is not checked.
  CHECK(lock.attempt("2468", t + 10s) == PinLock::Outcome::Locked);
  t += 31s;
  for (int i = 0; i < 4; ++i) CHECK(lock.attempt("0000", t) == PinLock::Outcome::Wrong);
  CHECK(lock.attempt("0000", t) == PinLock::Outcome::Locked);
  CHECK(lock.secondsLeft(t) == 60);  // twice as long the second time
  t += 61s;
  CHECK(lock.attempt("2468", t) == PinLock::Outcome::Accepted);
  CHECK(lock.failures() == 0);
}

TEST_CASE("no PIN configured means no admin access", "[pin]") {
  PinLock lock("");
  CHECK(lock.attempt("", PinLock::Clock::now()) == PinLock::Outcome::NotConfigured);
}
