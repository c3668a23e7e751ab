// The kiosk's window: SDL + SDL_Renderer + ImGui set-up, frames, PNG capture, taps by label.
#include "window.h"

#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <iostream>

#include <malloc.h>

namespace minyi::app {

namespace {
using Timer = std::chrono::steady_clock;
double msSince(Timer::time_point t) { return std::chrono::duration<double, std::milli>(Timer::now() - t).count(); }
}  // namespace

std::string collectDisplayText(const std::vector<std::string>& folders) {
  std::string out;
  std::error_code ec;
  for (const std::string& folder : folders) {
    for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
      std::ifstream in(e.path(), std::ios::binary);
      out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  return out;
}

KioskWindow::~KioskWindow() {
  if (imgui_) {
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
  }
  if (renderer_) SDL_DestroyRenderer(renderer_);
  if (window_) SDL_DestroyWindow(window_);
  if (window_ || renderer_) SDL_Quit();
}

bool KioskWindow::open(const WindowOptions& o, std::string* error) {
  auto fail = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return false;
  };
  if (o.headless) setenv("SDL_VIDEODRIVER", "dummy", 1);
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "1");
  // SIGTERM/SIGINT keep their default meaning (systemd and cage stop the kiosk); SDL would turn them into
  // SDL_QUIT, which kiosk mode ignores.
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  auto t = Timer::now();
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER | SDL_INIT_EVENTS) != 0) return fail(std::string("SDL_Init: ") + SDL_GetError());
  timings_.sdlInit = msSince(t);
  t = Timer::now();
  Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
  if (o.kioskMode) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
  window_ = SDL_CreateWindow("民意 Minyi", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o.width, o.height, flags);
  if (!window_) return fail(std::string("no window: ") + SDL_GetError());
  timings_.window = msSince(t);
  t = Timer::now();
  renderer_ = SDL_CreateRenderer(window_, -1, o.headless ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED);
  if (!renderer_) renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);  // software fallback
  if (!renderer_) return fail(std::string("no renderer: ") + SDL_GetError());
  timings_.renderer = msSince(t);
  t = Timer::now();
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // nothing of a session is written to disk
  ImGui_ImplSDL2_InitForSDLRenderer(window_);
  ImGui_ImplSDLRenderer_Init(renderer_);
  imgui_ = true;
  timings_.imgui = msSince(t);
  t = Timer::now();
  std::string err;
  if (!fontLibrary_.load(o.fontsFolder + "/NotoSansCJKsc-Minyi.otf", o.fontsFolder + "/charset.txt", &err)) return fail(err);
  fontLibrary_.setCacheFolder(o.cacheFolder);
  timings_.fontLoad = msSince(t);
  displayText_ = o.displayText;
  return true;
}

bool KioskWindow::rebuildFonts(bool elderly, bool traditional, float height, std::string* error) {
  type_ = ui::typeScale(elderly, height);
  auto t = Timer::now();
  if (!fontLibrary_.build(ImGui::GetIO().Fonts, type_, displayText_, traditional, &fonts_, error)) return false;
  timings_.fontBuild = msSince(t);
  timings_.fontsFromCache = fontLibrary_.lastBuildFromCache();
  t = Timer::now();
  ImGui_ImplSDLRenderer_DestroyFontsTexture();
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  timings_.textureUpload = msSince(t);
  // Glyphs sit on whole pixels at scale 1 (PixelSnapH, ImGui floors text positions), so nearest sampling
  // gives the same pixels as linear (checked on every screenshot under GL) and is cheaper for llvmpipe.
  SDL_SetTextureScaleMode(static_cast<SDL_Texture*>(ImGui::GetIO().Fonts->TexID), SDL_ScaleModeNearest);
  // The texture now holds the glyphs: drop ImGui's CPU copies (alpha + RGBA, tens of MB for the full subset).
  ImGui::GetIO().Fonts->ClearTexData();
  // Those copies and FreeType's scratch buffers were freed into the heap, where glibc keeps them (tens of MB
  // of RSS for a kiosk that never needs them again until the next rebuild): hand them back to the system.
  malloc_trim(0);
  ui::applyTheme(type_);
  fontsElderly_ = elderly;
  fontsTraditional_ = traditional;
  fontsHeight_ = height;
  return true;
}

std::vector<ui::Command> KioskWindow::frame(KioskApp& app, const ImVec2* mouse, bool mouseDown) {
  int w, h;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  // 繁 brings its Traditional variants into the atlas; 简 and EN leave them out (a smaller texture).
  const bool traditional = app.locale() == "zh-tw";
  if (app.elderly() != fontsElderly_ || traditional != fontsTraditional_ || static_cast<float>(h) != fontsHeight_ ||
      !fonts_.body) {
    std::string err;
    if (!rebuildFonts(app.elderly(), traditional, static_cast<float>(h), &err)) std::cerr << "minyi-kiosk: " << err << "\n";
  }
  const auto t0 = Timer::now();
  ImGui_ImplSDLRenderer_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  if (mouse) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = *mouse;
    io.MouseDown[0] = mouseDown;
  }
  ImGui::NewFrame();
  const ui::ViewState state = app.view(static_cast<float>(w), static_cast<float>(h));
  std::vector<ui::Command> commands = ui::drawKiosk(state, fonts_, type_, targets_);
  ImGui::Render();
  const auto t1 = Timer::now();
  // The page colour (ui::colour::kPage): the kiosk window draws no background of its own.
  SDL_SetRenderDrawColor(renderer_, (ui::colour::kPage >> IM_COL32_R_SHIFT) & 0xFF, (ui::colour::kPage >> IM_COL32_G_SHIFT) & 0xFF,
                         (ui::colour::kPage >> IM_COL32_B_SHIFT) & 0xFF, 255);
  SDL_RenderClear(renderer_);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  lastImGuiMs_ = std::chrono::duration<double, std::milli>(t1 - t0).count();
  lastRenderMs_ = std::chrono::duration<double, std::milli>(Timer::now() - t1).count();
  return commands;
}

bool KioskWindow::savePng(const std::filesystem::path& path) {
  int w, h;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  std::vector<unsigned char> pixels(static_cast<size_t>(w) * h * 4);
  if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, pixels.data(), w * 4) != 0) return false;
  return stbi_write_png(path.c_str(), w, h, 4, pixels.data(), w * 4) != 0;
}

bool KioskWindow::screenshot(KioskApp& app, const std::filesystem::path& path) {
  const ImVec2 away(-1000, -1000);  // no finger on the screen: nothing looks pressed
  for (int i = 0; i < 3; ++i) {
    frame(app, &away, false);
    if (i < 2) present();
  }
  const bool ok = savePng(path);
  present();
  return ok;
}

bool KioskWindow::tap(KioskApp& app, const std::string& label) {
  const ImVec2 away(-1000, -1000);
  // Lay out the current screen and register its targets; twice, because a window's first frame (a new page)
  // is laid out before ImGui has sized it, and a finger cannot land within a frame anyway.
  app.apply(frame(app, &away, false), Clock::now());
  app.apply(frame(app, &away, false), Clock::now());
  // A target scrolled out of view is dragged into view first, as a resident would.
  for (int attempt = 0; attempt < 8 && !targets_.centre(label); ++attempt) {
    const ui::TouchTargets::Target* t = targets_.find(label);
    if (!t) return false;
    int w, h;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    const float centreY = h * 0.45f, targetY = (t->min.y + t->max.y) / 2;
    const float distance = std::max(-h * 0.3f, std::min(h * 0.3f, centreY - targetY));
    ImVec2 p(w * 0.5f, centreY - distance / 2);
    // Start the drag on the page between tiles' gutter at the far right edge of the content.
    p.x = w - 60.0f;
    app.apply(frame(app, &p, true), Clock::now());
    for (int i = 1; i <= 8; ++i) {
      const ImVec2 q(p.x, p.y + distance * i / 8);
      app.apply(frame(app, &q, true), Clock::now());
    }
    const ImVec2 end(p.x, p.y + distance);
    // Hold still before lifting, as a resident placing the page: no fling, the page stays where it was put.
    for (int i = 0; i < 15; ++i) app.apply(frame(app, &end, true), Clock::now());
    app.apply(frame(app, &end, false), Clock::now());
    // Let the page finish gliding before looking again, as a resident waits for it to stop.
    for (int i = 0; i < 600; ++i) {
      const auto commands = frame(app, &away, false);
      app.apply(commands, Clock::now());
      if (std::none_of(commands.begin(), commands.end(),
                       [](const ui::Command& c) { return c.kind == ui::Command::Kind::Animating; }))
        break;
    }
  }
  const auto at = targets_.centre(label);
  if (!at) return false;
  // Press for one frame, release on the next: as a finger, never both in one frame.
  app.apply(frame(app, &*at, true), Clock::now());
  app.apply(frame(app, &*at, false), Clock::now());
  app.apply(frame(app, &away, false), Clock::now());  // the finger lifts: nothing stays hovered
  return true;
}

bool KioskWindow::drag(KioskApp& app, const std::string& label, const std::vector<ImVec2>& unitPoints) {
  const ImVec2 away(-1000, -1000);
  app.apply(frame(app, &away, false), Clock::now());
  const ui::TouchTargets::Target* t = targets_.find(label);
  if (!t || unitPoints.empty()) return false;
  const ImVec2 lo = t->min, hi = t->max;
  const auto at = [&](ImVec2 u) { return ImVec2(lo.x + u.x * (hi.x - lo.x), lo.y + u.y * (hi.y - lo.y)); };
  // The finger lands, then moves one point per frame (as a touch screen reports it), then lifts.
  ImVec2 p = at(unitPoints.front());
  app.apply(frame(app, &p, true), Clock::now());
  for (size_t i = 1; i < unitPoints.size(); ++i) {
    p = at(unitPoints[i]);
    app.apply(frame(app, &p, true), Clock::now());
  }
  app.apply(frame(app, &p, false), Clock::now());
  app.apply(frame(app, &away, false), Clock::now());
  return true;
}

}  // namespace minyi::app
