// minyi-kiosk-screens: a PNG of every screen the kiosk can show (the tour in tour.h), at one or more panel
// sizes, headless. For looking at the screens, for docs, and for the real-display tests' reference pictures;
// kept with the tests so the product's start-up holds none of it.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "input_engines.h"
#include "kiosk_app.h"
#include "minyi/core/script.h"
#include "tour.h"
#include "window.h"

namespace fs = std::filesystem;
using namespace minyi::app;

namespace {

// "1920x1080,1080x1920" or "all" (every common landscape and portrait panel).
bool parseSizes(const std::string& text, std::vector<std::pair<int, int>>* sizes) {
  if (text == "all") {
    *sizes = minyi::ui::commonPanels();
    return true;
  }
  for (size_t at = 0; at < text.size();) {
    const size_t comma = std::min(text.find(',', at), text.size());
    int w = 0, h = 0;
    if (std::sscanf(text.substr(at, comma - at).c_str(), "%dx%d", &w, &h) != 2 || w < 320 || h < 320) return false;
    sizes->emplace_back(w, h);
    at = comma + 1;
  }
  return !sizes->empty();
}

}  // namespace

int main(int argc, char** argv) {
  std::string assets = MINYI_ASSETS_DIR, fonts = MINYI_FONTS_DIR, source = MINYI_SOURCE_DIR, out, sizesText = "1920x1080", only;
  std::string siteName = "东湖社区党群服务中心";
  CLI::App cli{"minyi-kiosk-screens — a PNG of every kiosk screen, headless"};
  cli.add_option("--out", out, "folder for the pictures: OUT/<name>.png for 1920x1080 alone, else OUT/<W>x<H>/<name>.png")->required();
  cli.add_option("--sizes", sizesText, "panel sizes, WxH[,WxH...], or all (every common landscape and portrait panel)");
  cli.add_option("--only", only, "only the pictures whose names are in this comma-separated list");
  cli.add_option("--assets", assets, "assets folder (strings, forms)");
  cli.add_option("--fonts", fonts, "fonts folder");
  cli.add_option("--source", source, "the source tree (deploy/demo/showcase and deploy/demo/notices.json)");
  cli.add_option("--site", siteName, "site name shown on the start screen");
  CLI11_PARSE(cli, argc, argv);
  std::vector<std::pair<int, int>> sizes;
  if (!parseSizes(sizesText, &sizes)) {
    std::cerr << "minyi-kiosk-screens: --sizes wants WxH[,WxH...] or all, e.g. 1920x1080,1080x1920\n";
    return 2;
  }

  InputEngines engines = openInputEngines({}, "minyi-kiosk-screens");  // a scratch folder, removed at the end
  KioskApp app;
  std::string err;
  app.setInputEngines(engines.pinyin.get(), engines.handwriting.get(), true);
  const std::string forms = assets + "/forms", showcase = (fs::path(source) / "deploy/demo/showcase").string();
  if (!app.load(assets, forms, &err) || !app.addForms(showcase, &err)) {  // the showcase has every question type
    std::cerr << "minyi-kiosk-screens: " << err << "\n";
    return 2;
  }
  for (const auto& p : app.problems()) std::cerr << "minyi-kiosk-screens: form left out: " << p << "\n";
  app.setSiteName(siteName);
  app.setResidentDefaults("zh-cn", false, 60);

  WindowOptions wo;
  wo.fontsFolder = fonts;
  wo.headless = true;
  wo.kioskMode = false;
  wo.displayText = collectDisplayText({forms, assets + "/strings", showcase}) + siteName + minyi::core::toTraditional(siteName);
  KioskWindow w;
  if (!w.open(wo, &err)) {
    std::cerr << "minyi-kiosk-screens: " << err << "\n";
    return 2;
  }
  app.setCanDraw([&w](const std::string& text) { return w.fontLibrary().canDraw(text); });

  for (const auto& [width, height] : sizes) {
    if (!w.setCanvas(width, height, &err)) {
      std::cerr << "minyi-kiosk-screens: " << err << "\n";
      return 1;
    }
    const fs::path folder = sizes.size() == 1 && width == 1920 && height == 1080
                                ? fs::path(out)
                                : fs::path(out) / (std::to_string(width) + "x" + std::to_string(height));
    std::error_code ec;
    fs::create_directories(folder, ec);
    TourOptions options;
    options.noticesFile = (fs::path(source) / "deploy/demo/notices.json").string();
    tour(app, [&](const std::string& name) {
      if (!only.empty() && ("," + only + ",").find("," + name + ",") == std::string::npos) return;
      const fs::path path = folder / (name + ".png");
      if (w.screenshot(app, path)) std::cout << path.string() << "\n";
      else std::cerr << "minyi-kiosk-screens: could not write " << path.string() << "\n";
    }, options);
  }
  return 0;
}
