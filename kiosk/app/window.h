// The kiosk's window: SDL window + renderer, ImGui context, fonts, one frame, PNG capture, and taps by label
// for headless tests. main() and the headless UI tests share it.
#pragma once
#include <SDL.h>
#include <imgui.h>

#include <filesystem>
#include <string>
#include <vector>

#include "kiosk_app.h"
#include "minyi/ui/fonts.h"
#include "minyi/ui/theme.h"
#include "minyi/ui/view.h"

namespace minyi::app {

// Where start-up time goes (for tests/bench): each step of open() and of the first font build, in ms.
struct StartupTimings {
  double sdlInit = 0, window = 0, renderer = 0, imgui = 0, fontLoad = 0;
  double fontBuild = 0, textureUpload = 0;  // the last (re)build of the atlas
  bool fontsFromCache = false;
};

struct WindowOptions {
  std::string fontsFolder;
  std::string displayText;  // every form and string-table text: the large sizes hold only these characters
  std::string cacheFolder;   // where built font atlases are kept between starts (empty: not cached)
  int width = 1920, height = 1080;
  bool headless = false;    // dummy video driver, software renderer
  bool kioskMode = false;   // full screen, borderless
};

// Every form and string-table text in these folders, for WindowOptions::displayText.
std::string collectDisplayText(const std::vector<std::string>& folders);

class KioskWindow {
 public:
  ~KioskWindow();
  bool open(const WindowOptions& options, std::string* error);

  // One frame of the app's current state. With `mouse`, the pointer is placed there (and pressed or not)
  // between the backend's NewFrame and ImGui::NewFrame, as a finger would. Returns what was tapped.
  std::vector<ui::Command> frame(KioskApp& app, const ImVec2* mouse = nullptr, bool mouseDown = false);
  void present() { SDL_RenderPresent(renderer_); }
  bool savePng(const std::filesystem::path& path);
  // Draws a few frames so layout and fonts settle, then writes the PNG.
  bool screenshot(KioskApp& app, const std::filesystem::path& path);

  // Headless tests: press and release on the target with this label, applying what it does. False if no
  // target has that label on the current screen.
  bool tap(KioskApp& app, const std::string& label);
  // Headless tests: a finger drawing through these points (0..1 across and down the target with this label,
  // e.g. the writing pad): down on the first, one frame per point, up on the last. False if no such target.
  bool drag(KioskApp& app, const std::string& label, const std::vector<ImVec2>& unitPoints);
  const ui::TouchTargets& targets() const { return targets_; }
  // Timings of the last frame (for tests/bench): ImGui's own CPU part, and drawing into the renderer.
  double lastImGuiMs() const { return lastImGuiMs_; }
  double lastRenderMs() const { return lastRenderMs_; }
  SDL_Window* sdlWindow() const { return window_; }
  const StartupTimings& startupTimings() const { return timings_; }
  const ui::FontLibrary& fontLibrary() const { return fontLibrary_; }

 private:
  bool rebuildFonts(bool elderly, bool traditional, float height, std::string* error);

  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  bool imgui_ = false;
  ui::FontLibrary fontLibrary_;
  ui::Fonts fonts_;
  ui::TypeScale type_{};
  bool fontsElderly_ = false;
  bool fontsTraditional_ = false;
  float fontsHeight_ = 0;
  std::string displayText_;
  ui::TouchTargets targets_;
  double lastImGuiMs_ = 0, lastRenderMs_ = 0;
  StartupTimings timings_;
};

}  // namespace minyi::app
