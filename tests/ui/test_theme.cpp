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
  for (auto [w, h] : {std::pair{1280, 720}, {1920, 1080}, {2560, 1440}, {1366, 768}, {1080, 1920}, {768, 1366}, {3840, 2160}}) {
    const Panel panel = panelFor(w, h, 21.5);
    const TypeScale normal = typeScale(false, panel), elderly = typeScale(true, panel);
    INFO("panel " << w << "x" << h);
    CHECK(normal.target >= 72);
    CHECK(elderly.target >= 72);
    CHECK(normal.primaryButton >= 96);
    CHECK(normal.body >= 32);
    CHECK(elderly.body >= 44);
    CHECK(elderly.body > normal.body);
    CHECK(normal.question > normal.body);
    CHECK(normal.title > normal.question);
  }
}

TEST_CASE("panels: portrait reads like landscape, 4K is laid out as 1080p at ratio 2", "[theme]") {
  const Panel landscape = panelFor(1920, 1080), portrait = panelFor(1080, 1920), uhd = panelFor(3840, 2160);
  CHECK(portrait.portrait());
  CHECK_FALSE(landscape.portrait());
  CHECK(typeScale(false, portrait).body == typeScale(false, landscape).body);
  CHECK(uhd.ratio == 2);
  CHECK(uhd.width == 1920);
  CHECK(uhd.height == 1080);
  CHECK(panelFor(2160, 3840).width == 1080);
  CHECK(panelFor(1920, 1080).ratio == 1);
  // Small panels shrink margins, never text below 32 px.
  const TypeScale small = typeScale(false, panelFor(1366, 768));
  CHECK(small.body == Approx(32));
  CHECK(small.margin < typeScale(false, landscape).margin);
}

TEST_CASE("panels: touch targets are at least 15 mm, from the configured, reported or assumed size", "[theme]") {
  // The configured size wins; a reported size is believed only when plausible; else the common 0.25 mm pitch.
  CHECK(std::string(panelFor(1920, 1080, 43).sizeFrom) == "config");
  CHECK(std::string(panelFor(1920, 1080, 0, 23.8).sizeFrom) == "display");
  CHECK(std::string(panelFor(1920, 1080, 0, 3.0).sizeFrom) == "assumed");   // an EDID of nonsense
  CHECK(std::string(panelFor(1920, 1080, 0, 400).sizeFrom) == "assumed");
  CHECK(panelFor(1920, 1080, 43).mmPerPx == Approx(0.496).epsilon(0.01));
  CHECK(panelFor(3840, 2160, 43).mmPerPx == Approx(0.496).epsilon(0.01));  // per layout pixel at ratio 2
  CHECK(panelFor(1366, 768).mmPerPx == Approx(0.25));
  for (double inches : {10.1, 15.0, 15.6, 21.5, 32.0, 43.0, 55.0})
    for (auto [w, h] : {std::pair{1920, 1080}, {1366, 768}, {1280, 1024}, {1280, 800}, {1080, 1920}, {768, 1366}, {3840, 2160}})
      for (bool elderly : {false, true}) {
        const Panel p = panelFor(w, h, inches);
        INFO(inches << "\" " << w << "x" << h << (elderly ? " 长辈模式" : ""));
        CHECK(typeScale(elderly, p).target * p.mmPerPx >= 15.0 - 1e-6);
      }
}
