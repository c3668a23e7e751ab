// The kiosk's window: SDL window + renderer, ImGui context, fonts, one frame, PNG capture, the pointer from
// SDL's events, and taps by label for headless tests (sent as SDL events, the way a finger's arrive).
#pragma once
#include <SDL.h>
#include <imgui.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "kiosk_app.h"
#include "minyi/ui/fonts.h"
#include "minyi/ui/theme.h"
#include "minyi/ui/view.h"
#include "pointer.h"

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
  bool kioskMode = false;   // full screen, borderless, no pointer arrow
  double diagonalInches = 0;  // [display] diagonal_inches; 0: as the display reports it (ui::panelFor)
};

// Every form and string-table text in these folders, for WindowOptions::displayText.
std::string collectDisplayText(const std::vector<std::string>& folders);

class KioskWindow {
 public:
  ~KioskWindow();
  bool open(const WindowOptions& options, std::string* error);

  // Headless: draw on a canvas of this many pixels instead of the window (any panel size, either
  // orientation). 0×0 goes back to the window.
  bool setCanvas(int width, int height, std::string* error = nullptr);
  // The panel being drawn on: device and layout pixels, physical size.
  const ui::Panel& panel() const { return panel_; }
  // The drawable's size in pixels, "1080x1920" ("" before the first frame): safe from any thread (the
  // uploader's report to the devices page asks it).
  std::string screenSize() const;
  // The panel's diagonal as [display] diagonal_inches gives it (0: as the display reports it).
  void setDiagonalInches(double inches);

  // One SDL event: pointer and touch go to the pointer; typed text and Backspace to the app; a touch or a
  // key counts as activity. Says whether someone asked to close the window (its close button, Alt+F4 in a
  // window manager: kiosk mode ignores it) or the display itself is gone (SDL_QUIT: SDL's signal handlers
  // are off and closing the window does not quit, so only a lost display connection sends it).
  enum class Outcome { None, CloseRequested, DisplayGone };
  Outcome dispatch(const SDL_Event& e, KioskApp& app);
  // Presses or releases are queued that the frames drawn so far have not seen yet.
  bool pointerPending() const { return pointer_.pending(); }

  // One frame of the app's current state, the pointer as its events left it. Returns what was tapped.
  // Without `render` only the layout is made (the layout checks walk hundreds of screens).
  std::vector<ui::Command> frame(KioskApp& app, bool render = true);
  void present() { SDL_RenderPresent(renderer_); }
  bool savePng(const std::filesystem::path& path);
  // For tests through the display server (docs/kiosk.md, "Testing as residents meet it"): after a presented
  // frame, what it showed — screen, countdowns, the clock, every target and text in window pixels — as
  // JSON, written whole (a temp file renamed over `path`) so a reader never sees half of it.
  bool writeAutomation(const std::filesystem::path& path, const KioskApp& app);
  // Draws a few frames so layout and fonts settle, then writes the PNG.
  bool screenshot(KioskApp& app, const std::filesystem::path& path);

  // Headless tests, through SDL's event queue as a finger or a mouse would: whatever is queued is
  // dispatched, then `frames` frames are drawn and what they return applied.
  void pump(KioskApp& app, int frames = 1);
  // Press and release on the target with this label, dragging the page first when it is scrolled out of
  // view. False if no target has that label on the current screen.
  bool tap(KioskApp& app, const std::string& label, bool touch = false);
  // A finger drawing through these points (0..1 across and down the target with this label, e.g. the
  // writing pad): down on the first, the motion events of a frame's worth at a time, up on the last.
  bool drag(KioskApp& app, const std::string& label, const std::vector<ImVec2>& unitPoints, bool touch = false);
  // A finger dragging from one layout point to another in `steps` moves, a frame each, holding still
  // `hold` frames before lifting (0: a fling).
  void swipe(KioskApp& app, ImVec2 from, ImVec2 to, int steps, int hold, bool touch = false);
  const ui::TouchTargets& targets() const { return targets_; }
  // What the views remember between frames (wrapped text of this visit only).
  const ui::ViewMemory& memory() const { return memory_; }
  // Timings of the last frame (for tests/bench): ImGui's own CPU part, and drawing into the renderer.
  double lastImGuiMs() const { return lastImGuiMs_; }
  double lastRenderMs() const { return lastRenderMs_; }
  SDL_Window* sdlWindow() const { return window_; }
  const StartupTimings& startupTimings() const { return timings_; }
  const ui::FontLibrary& fontLibrary() const { return fontLibrary_; }

 private:
  bool rebuildFonts(bool elderly, bool traditional, const ui::TypeScale& type, std::string* error);
  void updatePanel();
  // Test events: a layout point in the device pixels events carry, and the events themselves.
  void pushPointer(Uint32 type, ImVec2 layoutPoint, bool touch);
  // Frames until every queued pointer event has been seen, and one more.
  void settle(KioskApp& app);

  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  SDL_Texture* canvas_ = nullptr;  // headless canvas of another size than the window
  int canvasW_ = 0, canvasH_ = 0;
  bool imgui_ = false;
  WindowOptions options_;
  double reportedInches_ = 0;  // the display's own idea of its diagonal (0: none)
  ui::Panel panel_;
  std::atomic<int> shownWidth_{0}, shownHeight_{0};  // panel_'s device size, for screenSize()
  Pointer pointer_;
  ui::FontLibrary fontLibrary_;
  ui::Fonts fonts_;
  ui::TypeScale type_{};
  bool fontsElderly_ = false;
  bool fontsTraditional_ = false;
  float fontsBody_ = 0;
  bool fontsLinear_ = false;
  std::string displayText_;
  std::string fontsSiteName_;  // the site name the atlas has (one enrollment brought may be new)
  ui::TouchTargets targets_;
  ui::ViewMemory memory_;
  double lastImGuiMs_ = 0, lastRenderMs_ = 0;
  uint64_t frames_ = 0;  // frames drawn since open()
  StartupTimings timings_;
};

}  // namespace minyi::app
