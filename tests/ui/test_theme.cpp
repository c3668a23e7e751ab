// The kiosk's colours keep text at 7:1 contrast or more (ui-style.md), and sizes meet the touch minimums.
#include <catch2/catch.hpp>

#include "minyi/ui/theme.h"

using namespace minyi::ui;

TEST_CASE("text colours reach 7:1 on their backgrounds", "[theme]") {
  struct Pair {
    const char* what;
    ImU32 text, back;
  };
  const Pair pairs[] = {
      {"body on page", colour::kText, colour::kPage},
      {"body on card", colour::kText, colour::kCard},
      {"secondary on page", colour::kSecondary, colour::kPage},
      {"white on primary", colour::kWhite, colour::kPrimary},
      {"text on selected tile", colour::kText, colour::kSelectedLight},
      {"white on complaint", colour::kWhite, colour::kComplaint},
      {"white on satisfied", colour::kWhite, colour::kSatisfied},
      {"white on basically satisfied", colour::kWhite, colour::kBasicallySatisfied},
      {"white on unsatisfied", colour::kWhite, colour::kUnsatisfied},
      {"error text on error back", colour::kErrorText, colour::kErrorBack},
      {"notice text on notice back", colour::kNoticeText, colour::kNoticeBack},
      {"key text on keyboard tray", colour::kText, colour::kCardBorder},
  };
  for (const Pair& p : pairs) {
    INFO(p.what << ": " << contrastRatio(p.text, p.back));
    CHECK(contrastRatio(p.text, p.back) >= 7.0);
  }
}

TEST_CASE("type and targets: 32 px body, 44 px in 长辈模式, targets of 72 px or more", "[theme]") {
  for (float h : {720.0f, 1080.0f, 1440.0f}) {
    const TypeScale normal = typeScale(false, h), elderly = typeScale(true, h);
    INFO("window height " << h);
    CHECK(normal.target >= 72);
    CHECK(elderly.target >= 72);
    CHECK(normal.primaryButton >= 96);
    if (h >= 1080) {
      CHECK(normal.body >= 32);
      CHECK(elderly.body >= 44);
    }
    CHECK(elderly.body > normal.body);
  }
}
