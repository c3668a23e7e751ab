// The satisfaction scale: one answer to "is this satisfied?" and "which way does this scale run?" for the kiosk's
// faces and the server's 满意率.
#include <catch2/catch.hpp>

#include "minyi/core/opening_hours.h"
#include "minyi/core/satisfaction.h"

using minyi::core::Json;
namespace satisfaction = minyi::core::satisfaction;
using satisfaction::Side;

TEST_CASE("satisfaction: the satisfied words, 不了解 left out, everything else neither", "[satisfaction]") {
  for (const char* v : {"very_satisfied", "satisfied", "basically_satisfied", "good", "fairly_good"})
    CHECK(satisfaction::sideOf(Json(v)) == Side::Satisfied);
  CHECK(satisfaction::sideOf(Json("dontknow")) == Side::Excluded);
  for (const Json& v : {Json("unsatisfied"), Json("very_unsatisfied"), Json("average"), Json("poor"), Json(5),
                        Json(nullptr), Json("Satisfied"), Json("satisfied ")})
    CHECK(satisfaction::sideOf(v) == Side::Other);
}

TEST_CASE("satisfaction: a scale runs best first when it starts at its satisfied end", "[satisfaction]") {
  // The opinion forms' 满意 / 基本满意 / 不满意 / 不了解, and the quick rating's 非常不满意 … 非常满意.
  CHECK(satisfaction::runsBestFirst({Json("satisfied"), Json("basically_satisfied"), Json("unsatisfied"), Json("dontknow")}));
  CHECK(satisfaction::runsBestFirst({Json("very_satisfied"), Json("satisfied"), Json("unsatisfied")}));
  CHECK(satisfaction::runsBestFirst({Json("good"), Json("fairly_good"), Json("average"), Json("poor")}));
  CHECK_FALSE(satisfaction::runsBestFirst({Json("very_unsatisfied"), Json("unsatisfied"), Json("satisfied")}));
  CHECK_FALSE(satisfaction::runsBestFirst({Json(1), Json(2), Json(3)}));
  CHECK_FALSE(satisfaction::runsBestFirst({}));
}

TEST_CASE("opening hours: HH:MM-HH:MM read and written back, a close of 24:00, mistakes refused") {
  auto h = minyi::core::OpeningHours::parse("07:30-20:00");
  REQUIRE(h);
  CHECK(h->opensAtMinute == 450);
  CHECK(h->closesAtMinute == 1200);
  CHECK(h->text() == "07:30-20:00");
  CHECK(h->contains(450));
  CHECK_FALSE(h->contains(1200));
  CHECK(minyi::core::OpeningHours::parse("00:00-24:00")->contains(1439));
  for (const char* bad : {"", "8-18", "08:00-08:00", "18:00-08:00", "24:00-24:00", "08:60-18:00", "08:00-25:00", "08:00 18:00",
                          "08:00-18:00 ", "0a:00-18:00"})
    CHECK_FALSE(minyi::core::OpeningHours::parse(bad));
}

