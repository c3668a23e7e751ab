// Every screen of the tour at every common panel size, in every language, normal and 长辈模式: nothing
// overlaps, is clipped or leaves the screen, every label fits its button and every target is a finger wide.
// Read from the layout the views record (targets and texts with their areas), not from pixels.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <map>

#include "../input/engines.h"
#include "kiosk_app.h"
#include "tour.h"
#include "window.h"

using minyi::app::KioskApp;
using minyi::app::KioskWindow;

KioskWindow& window();  // test_kiosk_ui.cpp: one window for the whole run

namespace {

// The problems of every stop of the tour on one panel, "name: problem"; `inches`: its configured diagonal.
std::vector<std::string> tourProblems(int width, int height, int* stops, double inches = 0) {
  KioskWindow& w = window();
  std::string err;
  REQUIRE(w.setCanvas(width, height, &err));
  w.setDiagonalInches(inches);
  KioskApp app;
  REQUIRE(app.load(MINYI_ASSETS_DIR, std::string(MINYI_ASSETS_DIR) + "/forms", &err));
  // The showcase form has a question of every type the kiosk draws.
  REQUIRE(app.addForms(std::string(MINYI_SOURCE_DIR) + "/deploy/demo/showcase", &err));
  app.setInputEngines(&minyi::input::testing::pinyin(), &minyi::input::testing::handwriting(), true);
  app.setCanDraw([&w](const std::string& t) { return w.fontLibrary().canDraw(t); });
  std::vector<std::string> problems;
  minyi::app::TourOptions options;
  options.noticesFile = std::string(MINYI_SOURCE_DIR) + "/deploy/demo/notices.json";
  minyi::app::tour(app, [&](const std::string& name) {
    ++*stops;
    // Three frames: a new screen's areas are sized on the first, scrolled into place on the next.
    for (int i = 0; i < 3; ++i) w.frame(app, false);
    const auto& panel = w.panel();
    const float minTarget = minyi::ui::typeScale(app.elderly(), panel).minTarget;
    for (const std::string& p : minyi::ui::layoutProblems(w.targets(), panel.width, panel.height, minTarget))
      problems.push_back(name + ": " + p);
  }, options);
  return problems;
}

}  // namespace

TEST_CASE("every screen at every panel size, both orientations: nothing overlaps, is clipped or leaves the screen",
          "[ui][layout]") {
  std::map<std::string, std::vector<std::string>> failures;
  size_t count = 0;
  for (const auto& [width, height] : minyi::ui::commonPanels()) {
    int stops = 0;
    const auto problems = tourProblems(width, height, &stops);
    INFO(width << "x" << height << ": " << stops << " screens");
    CHECK(stops > 250);
    const std::string panel = std::to_string(width) + "x" + std::to_string(height);
    for (const auto& p : problems) failures[panel].push_back(p);
    count += problems.size();
  }
  // Panels with many pixels for their size (configured: 15.6" at 1080p, a 10-key row of 72 px would be
  // 13 mm): targets grow to 15 mm and must still fit.
  for (const auto& [width, height] : {std::pair{1920, 1080}, std::pair{1080, 1920}}) {
    int stops = 0;
    const std::string panel = std::to_string(width) + "x" + std::to_string(height) + " at 15.6\"";
    for (const auto& p : tourProblems(width, height, &stops, 15.6)) failures[panel].push_back(p);
    count += failures[panel].size();
    CHECK(window().panel().mmPerPx < 0.2);
  }
  window().setDiagonalInches(0);
  REQUIRE(window().setCanvas(0, 0));
  std::string report;
  for (const auto& [panel, list] : failures) {
    report += panel + ": " + std::to_string(list.size()) + " problems\n";
    for (size_t i = 0; i < list.size() && i < 40; ++i) report += "  " + list[i] + "\n";
  }
  INFO(report);
  CHECK(count == 0);
}

TEST_CASE("the layout check finds overlaps, clipping, labels that do not fit, targets off screen and small ones", "[ui][layout]") {
  using minyi::ui::TouchTargets;
  using minyi::ui::layoutProblems;
  auto has = [](const std::vector<std::string>& ps, const std::string& what) {
    for (const auto& p : ps)
      if (p.find(what) != std::string::npos) return true;
    return false;
  };
  TouchTargets ok;
  ok.beginFrame();
  const int a = ok.add("下一步", ImVec2(100, 100), ImVec2(300, 200));
  ok.addText("下一步", ImVec2(150, 130), ImVec2(250, 170), a);
  ok.add("上一步", ImVec2(320, 100), ImVec2(520, 200));
  ok.addAlias("page/上一步", ImVec2(320, 100), ImVec2(520, 200));
  CHECK(layoutProblems(ok, 1920, 1080, 72).empty());

  TouchTargets bad;
  bad.beginFrame();
  const int b = bad.add("提交", ImVec2(100, 100), ImVec2(300, 200));
  bad.add("返回修改", ImVec2(250, 150), ImVec2(450, 250));                // overlaps 提交
  bad.addText("提交提交提交", ImVec2(110, 120), ImVec2(380, 160), b);    // wider than its button
  bad.addText("说明", ImVec2(500, 500), ImVec2(600, 540));
  bad.addText("另一段", ImVec2(550, 520), ImVec2(650, 560));             // overlaps 说明
  bad.add("EN", ImVec2(1900, 1000), ImVec2(2000, 1080));                 // leaves the screen
  bad.add("小", ImVec2(800, 800), ImVec2(850, 850));                     // 50 px: too small
  const auto ps = layoutProblems(bad, 1920, 1080, 72);
  CHECK(has(ps, "overlap: target \"提交\""));
  CHECK(has(ps, "does not fit its target \"提交\""));
  CHECK(has(ps, "overlap: text \"说明\""));
  CHECK(has(ps, "off the screen: target \"EN\""));
  CHECK(has(ps, "too small for a finger: target \"小\""));
}
