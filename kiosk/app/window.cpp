// The kiosk's window: SDL + SDL_Renderer + ImGui set-up, the panel's geometry, frames, PNG capture, and the
// headless tests' taps, sent through SDL's event queue.
#include "window.h"

#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <iostream>

#include <malloc.h>

#include "minyi/core/json_input.h"
#include "minyi/core/script.h"

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
  if (canvas_) SDL_DestroyTexture(canvas_);
  if (renderer_) SDL_DestroyRenderer(renderer_);
  if (window_) SDL_DestroyWindow(window_);
  if (window_ || renderer_) SDL_Quit();
}

bool KioskWindow::open(const WindowOptions& o, std::string* error) {
  auto fail = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return false;
  };
  options_ = o;
  if (o.headless) setenv("SDL_VIDEODRIVER", "dummy", 1);
  // Touches arrive as SDL's finger events and are read as such (pointer.h): no mouse events made up from
  // them, which would be a second copy of every touch.
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
  // SIGTERM/SIGINT keep their default meaning (systemd and cage stop the kiosk); SDL would turn them into
  // SDL_QUIT, which kiosk mode ignores.
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  // Closing the window is only a request (kiosk mode ignores it), never SDL_QUIT: that is left to mean the
  // display is gone (the compositor died), when the kiosk must end so that its session starts again.
  SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
  auto t = Timer::now();
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER | SDL_INIT_EVENTS) != 0) return fail(std::string("SDL_Init: ") + SDL_GetError());
  timings_.sdlInit = msSince(t);
  t = Timer::now();
  Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
  int width = o.width, height = o.height;
  if (o.kioskMode) {
    flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
    // Made at the display's own size: on Wayland SDL otherwise keeps the size asked for (1920×1080) as the
    // window's and scales the real drawable up to it, so under cage at 1280×720 a third of the screen was
    // off the edge.
    SDL_DisplayMode mode;
    if (SDL_GetDesktopDisplayMode(0, &mode) == 0 && mode.w > 0 && mode.h > 0) {
      width = mode.w;
      height = mode.h;
    }
  }
  window_ = SDL_CreateWindow("民意 Minyi", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, width, height, flags);
  if (!window_) return fail(std::string("no window: ") + SDL_GetError());
  timings_.window = msSince(t);
  t = Timer::now();
  renderer_ = SDL_CreateRenderer(window_, -1, o.headless ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED);
  if (!renderer_) renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);  // software fallback
  if (!renderer_) return fail(std::string("no renderer: ") + SDL_GetError());
  timings_.renderer = msSince(t);
  // The display's own idea of its size, believed by ui::panelFor only when plausible.
  float ddpi = 0;
  const int display = SDL_GetWindowDisplayIndex(window_);
  if (!o.headless && display >= 0 && SDL_GetDisplayDPI(display, &ddpi, nullptr, nullptr) == 0 && ddpi > 0) {
    SDL_Rect bounds;
    if (SDL_GetDisplayBounds(display, &bounds) == 0) reportedInches_ = std::hypot(bounds.w, bounds.h) / ddpi;
  }
  t = Timer::now();
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing of a session is written to disk
  ImGui_ImplSDL2_InitForSDLRenderer(window_);
  ImGui_ImplSDLRenderer_Init(renderer_);
  if (o.kioskMode) {
    // A touch panel shows no arrow: the backend would show one again every frame unless told not to.
    io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
    SDL_ShowCursor(SDL_DISABLE);
  }
  imgui_ = true;
  timings_.imgui = msSince(t);
  t = Timer::now();
  std::string err;
  if (!fontLibrary_.load(o.fontsFolder + "/NotoSansCJKsc-Minyi.otf", o.fontsFolder + "/charset.txt", &err)) return fail(err);
  fontLibrary_.setCacheFolder(o.cacheFolder);
  timings_.fontLoad = msSince(t);
  displayText_ = o.displayText;
  updatePanel();
  return true;
}

bool KioskWindow::setCanvas(int width, int height, std::string* error) {
  if (canvas_) {
    SDL_SetRenderTarget(renderer_, nullptr);
    SDL_DestroyTexture(canvas_);
    canvas_ = nullptr;
  }
  canvasW_ = canvasH_ = 0;
  if (width > 0 && height > 0) {
    canvas_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_TARGET, width, height);
    if (!canvas_ || SDL_SetRenderTarget(renderer_, canvas_) != 0) {
      if (error) *error = std::string("no canvas of ") + std::to_string(width) + "x" + std::to_string(height) + ": " + SDL_GetError();
      if (canvas_) SDL_DestroyTexture(canvas_);
      canvas_ = nullptr;
      return false;
    }
    canvasW_ = width;
    canvasH_ = height;
  }
  updatePanel();
  return true;
}

void KioskWindow::setDiagonalInches(double inches) {
  options_.diagonalInches = inches;
  panel_.width = 0;  // computed again on the next frame
  updatePanel();
}

// The panel from the drawable's real size (never a default: under cage or on a 1280×720 screen the window
// is what the compositor made it), and the pointer's mapping from window to layout pixels.
void KioskWindow::updatePanel() {
  int dw = canvasW_, dh = canvasH_, ww = canvasW_, wh = canvasH_;
  if (!canvas_) {
    SDL_GetRendererOutputSize(renderer_, &dw, &dh);
    SDL_GetWindowSize(window_, &ww, &wh);
  }
  if (dw != panel_.deviceWidth || dh != panel_.deviceHeight || panel_.width <= 0)
    panel_ = ui::panelFor(dw, dh, options_.diagonalInches, reportedInches_);
  shownWidth_ = dw;
  shownHeight_ = dh;
  pointer_.setGeometry(static_cast<float>(ww), static_cast<float>(wh), panel_.width, panel_.height);
}

std::string KioskWindow::screenSize() const {
  const int w = shownWidth_, h = shownHeight_;
  return w > 0 && h > 0 ? std::to_string(w) + "x" + std::to_string(h) : std::string();
}

bool KioskWindow::rebuildFonts(bool elderly, bool traditional, const ui::TypeScale& type, std::string* error) {
  type_ = type;
  auto t = Timer::now();
  if (!fontLibrary_.build(ImGui::GetIO().Fonts, type_, displayText_, traditional, &fonts_, error)) return false;
  timings_.fontBuild = msSince(t);
  timings_.fontsFromCache = fontLibrary_.lastBuildFromCache();
  t = Timer::now();
  ImGui_ImplSDLRenderer_DestroyFontsTexture();
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  timings_.textureUpload = msSince(t);
  // Glyphs sit on whole pixels at scale 1 (PixelSnapH, ImGui floors text positions), so nearest sampling
  // gives the same pixels as linear (checked on every screenshot under GL) and is cheaper for llvmpipe. On a
  // panel drawn at ratio 2 the glyphs are magnified, and linear sampling keeps their edges smooth.
  fontsLinear_ = panel_.ratio > 1;
  SDL_SetTextureScaleMode(static_cast<SDL_Texture*>(ImGui::GetIO().Fonts->TexID),
                          fontsLinear_ ? SDL_ScaleModeLinear : SDL_ScaleModeNearest);
  // The texture now holds the glyphs: drop ImGui's CPU copies (alpha + RGBA, tens of MB for the full subset).
  ImGui::GetIO().Fonts->ClearTexData();
  // Those copies and FreeType's scratch buffers were freed into the heap, where glibc keeps them (tens of MB
  // of RSS for a kiosk that never needs them again until the next rebuild): hand them back to the system.
  malloc_trim(0);
  ui::applyTheme(type_);
  fontsElderly_ = elderly;
  fontsTraditional_ = traditional;
  fontsBody_ = type_.body;
  return true;
}

std::vector<ui::Command> KioskWindow::frame(KioskApp& app, bool render) {
  updatePanel();
  // 繁 brings its Traditional variants into the atlas; 简 and EN leave them out (a smaller texture).
  const bool traditional = app.locale() == "zh-tw";
  const ui::TypeScale type = ui::typeScale(app.elderly(), panel_);
  // A site name enrollment brought (a kiosk configured without [site]) may have characters the atlas lacks.
  const bool newSite = app.siteName() != fontsSiteName_ && displayText_.find(app.siteName()) == std::string::npos;
  if (newSite) displayText_ += app.siteName() + core::toTraditional(app.siteName());
  fontsSiteName_ = app.siteName();
  if (newSite || app.elderly() != fontsElderly_ || traditional != fontsTraditional_ || type.body != fontsBody_ || !fonts_.body ||
      (panel_.ratio > 1) != fontsLinear_) {
    std::string err;
    if (!rebuildFonts(app.elderly(), traditional, type, &err)) std::cerr << "minyi-kiosk: " << err << "\n";
  }
  type_ = type;  // spacing may change with the panel while the font sizes stay
  const auto t0 = Timer::now();
  ImGui_ImplSDLRenderer_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  // The backend sized the frame from the window and read the mouse from SDL's global state; both are
  // replaced: the layout is in the panel's layout pixels, and the pointer comes from the events.
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(panel_.width, panel_.height);
  io.DisplayFramebufferScale = ImVec2(1, 1);
  const PointerFrame input = pointer_.nextFrame();
  if (getenv("MINYI_DEBUG_POINTER")) fprintf(stderr, "frame pos %.0f,%.0f down %d path %zu\n", input.pos.x, input.pos.y, input.down, input.path.size());
  io.MousePos = ImVec2(input.pos.x, input.pos.y);
  io.MouseDown[0] = input.down;
  io.MouseDown[1] = io.MouseDown[2] = false;
  ImGui::NewFrame();
  ui::PointerPath path;
  for (const PointerPoint& p : input.path) path.points.emplace_back(p.x, p.y);
  const ui::ViewState state = app.view(panel_.width, panel_.height);
  std::vector<ui::Command> commands = ui::drawKiosk(state, fonts_, type_, targets_, memory_, path);
  ImGui::Render();
  const auto t1 = Timer::now();
  if (render) {
    SDL_RenderSetScale(renderer_, static_cast<float>(panel_.ratio), static_cast<float>(panel_.ratio));
    // The page colour (ui::colour::kPage): the kiosk window draws no background of its own. Black while asleep.
    const ImU32 clear = state.asleep ? IM_COL32(0, 0, 0, 255) : ui::colour::kPage;
    SDL_SetRenderDrawColor(renderer_, (clear >> IM_COL32_R_SHIFT) & 0xFF, (clear >> IM_COL32_G_SHIFT) & 0xFF,
                           (clear >> IM_COL32_B_SHIFT) & 0xFF, 255);
    SDL_RenderClear(renderer_);
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  }
  ++frames_;
  lastImGuiMs_ = std::chrono::duration<double, std::milli>(t1 - t0).count();
  lastRenderMs_ = std::chrono::duration<double, std::milli>(Timer::now() - t1).count();
  return commands;
}

KioskWindow::Outcome KioskWindow::dispatch(const SDL_Event& e, KioskApp& app) {
  const auto now = Clock::now();
  if (e.type == SDL_QUIT) return Outcome::DisplayGone;
  if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE) return Outcome::CloseRequested;
  if (pointer_.handle(e)) {
    // A finger on the glass, or one moving on it, is a resident still there.
    if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_FINGERDOWN || e.type == SDL_FINGERMOTION ||
        (e.type == SDL_MOUSEMOTION && e.motion.state != 0))
      app.noteActivity(now);
    return Outcome::None;
  }
  ImGui_ImplSDL2_ProcessEvent(&e);  // keys and focus: ImGui draws no text fields of its own here
  if (e.type == SDL_KEYDOWN || e.type == SDL_TEXTINPUT) app.noteActivity(now);
  if (e.type == SDL_TEXTINPUT) app.typeText(e.text.text);
  else if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_BACKSPACE) app.backspace();
  return Outcome::None;
}

bool KioskWindow::savePng(const std::filesystem::path& path) {
  const int w = panel_.deviceWidth, h = panel_.deviceHeight;
  std::vector<unsigned char> pixels(static_cast<size_t>(w) * h * 4);
  if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, pixels.data(), w * 4) != 0) return false;
  return stbi_write_png(path.c_str(), w, h, 4, pixels.data(), w * 4) != 0;
}

bool KioskWindow::writeAutomation(const std::filesystem::path& path, const KioskApp& app) {
  int ww = 0, wh = 0, wx = 0, wy = 0;
  SDL_GetWindowSize(window_, &ww, &wh);
  SDL_GetWindowPosition(window_, &wx, &wy);
  const float sx = ww / panel_.width, sy = wh / panel_.height;
  auto rect = [&](ImVec2 a, ImVec2 b) {
    return core::Json::array({std::lround(a.x * sx), std::lround(a.y * sy), std::lround(b.x * sx), std::lround(b.y * sy)});
  };
  const ui::ViewState v = app.view(panel_.width, panel_.height);
  core::Json j;
  j["frame"] = frames_;
  j["screen"] = ui::screenName(v.screen);
  j["locale"] = v.locale;
  j["elderly"] = v.elderly;
  j["idle_prompt"] = v.idlePrompt;
  j["asleep"] = v.asleep;
  j["idle_seconds_left"] = v.idleSecondsLeft;
  j["thank_you_seconds"] = v.thankYouSeconds;
  j["clock"] = v.dateTime;
  j["panel"] = {{"device", {panel_.deviceWidth, panel_.deviceHeight}}, {"layout", {panel_.width, panel_.height}}, {"ratio", panel_.ratio}};
  j["window"] = {{"position", {wx, wy}}, {"size", {ww, wh}}};
  if (v.keyboard) {
    const input::Mode m = v.keyboard->mode();
    j["keyboard"] = {{"mode", m == input::Mode::Pinyin ? "pinyin" : m == input::Mode::Handwriting ? "handwriting" : m == input::Mode::Latin ? "latin" : "digits"},
                     {"candidates", v.keyboard->candidates()},
                     {"text", v.keyboard->buffer().text()},
                     // Strokes finished on the pad: a test sees its stroke was taken before it reads candidates.
                     {"strokes", v.keyboard->pad() ? v.keyboard->pad()->strokes().size() : 0}};
  }
  core::Json targets = core::Json::array(), texts = core::Json::array();
  for (const auto& t : targets_.all())
    targets.push_back({{"label", t.label}, {"rect", rect(t.min, t.max)}, {"visible", t.visible}});
  for (const auto& t : targets_.texts()) texts.push_back({{"text", t.text}, {"rect", rect(t.min, t.max)}});
  j["targets"] = std::move(targets);
  j["texts"] = std::move(texts);
  return core::replaceTextFile(path.string(), j.dump());
}

bool KioskWindow::screenshot(KioskApp& app, const std::filesystem::path& path) {
  for (int i = 0; i < 3; ++i) {
    frame(app);
    if (i < 2 && !canvas_) present();
  }
  const bool ok = savePng(path);
  if (!canvas_) present();
  return ok;
}

void KioskWindow::pump(KioskApp& app, int frames) {
  for (int i = 0; i < frames; ++i) {
    SDL_Event e;
    while (SDL_PollEvent(&e)) dispatch(e, app);
    app.apply(frame(app), Clock::now());
  }
}

void KioskWindow::settle(KioskApp& app) {
  do pump(app, 1);
  while (pointer_.pending());
  pump(app, 1);  // the screen the last event led to, laid out: its targets are the ones a test looks for next
}

void KioskWindow::pushPointer(Uint32 type, ImVec2 at, bool touch) {
  // Events carry window (mouse) or normalised window (finger) coordinates: from layout pixels through device
  // pixels, as the display server would send them.
  int ww = canvasW_, wh = canvasH_;
  if (!canvas_) SDL_GetWindowSize(window_, &ww, &wh);
  const float wx = at.x / panel_.width * ww, wy = at.y / panel_.height * wh;
  SDL_Event e{};
  e.type = type;
  if (touch) {
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = 1;
    e.tfinger.x = at.x / panel_.width;
    e.tfinger.y = at.y / panel_.height;
    e.tfinger.pressure = type == SDL_FINGERUP ? 0.0f : 1.0f;
    e.tfinger.windowID = SDL_GetWindowID(window_);
  } else if (type == SDL_MOUSEMOTION) {
    e.motion.windowID = SDL_GetWindowID(window_);
    e.motion.x = static_cast<Sint32>(std::lround(wx));
    e.motion.y = static_cast<Sint32>(std::lround(wy));
  } else {
    e.button.windowID = SDL_GetWindowID(window_);
    e.button.button = SDL_BUTTON_LEFT;
    e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    e.button.clicks = 1;
    e.button.x = static_cast<Sint32>(std::lround(wx));
    e.button.y = static_cast<Sint32>(std::lround(wy));
  }
  SDL_PushEvent(&e);
}

void KioskWindow::swipe(KioskApp& app, ImVec2 from, ImVec2 to, int steps, int hold, bool touch) {
  if (!touch) pushPointer(SDL_MOUSEMOTION, from, false);
  pushPointer(touch ? SDL_FINGERDOWN : SDL_MOUSEBUTTONDOWN, from, touch);
  do pump(app, 1);
  while (pointer_.pending());  // the press has its frame before the finger moves
  for (int i = 1; i <= steps; ++i) {
    const ImVec2 p(from.x + (to.x - from.x) * i / steps, from.y + (to.y - from.y) * i / steps);
    pushPointer(touch ? SDL_FINGERMOTION : SDL_MOUSEMOTION, p, touch);
    pump(app, 1);
  }
  pump(app, hold);
  pushPointer(touch ? SDL_FINGERUP : SDL_MOUSEBUTTONUP, to, touch);
  pump(app, 1);
}

bool KioskWindow::tap(KioskApp& app, const std::string& label, bool touch) {
  // Lay out the current screen and register its targets; twice, because a window's first frame (a new page)
  // is laid out before ImGui has sized it, and a finger cannot land within a frame anyway.
  pump(app, 2);
  // A target scrolled out of view is dragged into view first, as a resident would.
  for (int attempt = 0; attempt < 8 && !targets_.centre(label); ++attempt) {
    const ui::TouchTargets::Target* t = targets_.find(label);
    if (!t) return false;
    const float h = panel_.height, centreY = h * 0.45f, targetY = (t->min.y + t->max.y) / 2;
    const float distance = std::max(-h * 0.3f, std::min(h * 0.3f, centreY - targetY));
    // Start the drag in the gutter at the far right edge of the content, between tiles.
    const ImVec2 from(panel_.width - 60.0f * panel_.width / 1920.0f, centreY - distance / 2);
    // Hold still before lifting, as a resident placing the page: no fling, the page stays where it was put.
    swipe(app, from, ImVec2(from.x, from.y + distance), 8, 15, touch);
    // Let the page finish gliding before looking again, as a resident waits for it to stop.
    for (int i = 0; i < 600; ++i) {
      const auto commands = frame(app);
      app.apply(commands, Clock::now());
      if (std::none_of(commands.begin(), commands.end(),
                       [](const ui::Command& c) { return std::holds_alternative<ui::command::Animating>(c); }))
        break;
    }
  }
  const auto at = targets_.centre(label);
  if (!at) return false;
  // Down and up queued together: the pointer gives each its own frame, as it must for a quick real tap.
  if (!touch) pushPointer(SDL_MOUSEMOTION, *at, false);
  pushPointer(touch ? SDL_FINGERDOWN : SDL_MOUSEBUTTONDOWN, *at, touch);
  pushPointer(touch ? SDL_FINGERUP : SDL_MOUSEBUTTONUP, *at, touch);
  settle(app);
  return true;
}

bool KioskWindow::drag(KioskApp& app, const std::string& label, const std::vector<ImVec2>& unitPoints, bool touch) {
  pump(app, 1);
  const ui::TouchTargets::Target* t = targets_.find(label);
  if (!t || unitPoints.empty()) return false;
  const ImVec2 lo = t->min, hi = t->max;
  const auto at = [&](ImVec2 u) { return ImVec2(lo.x + u.x * (hi.x - lo.x), lo.y + u.y * (hi.y - lo.y)); };
  // The finger lands, then moves: several motion events per frame (a touch panel reports faster than a
  // software-rendered frame), then lifts.
  if (!touch) pushPointer(SDL_MOUSEMOTION, at(unitPoints.front()), false);
  pushPointer(touch ? SDL_FINGERDOWN : SDL_MOUSEBUTTONDOWN, at(unitPoints.front()), touch);
  do pump(app, 1);
  while (pointer_.pending());
  for (size_t i = 1; i < unitPoints.size(); ++i) {
    pushPointer(touch ? SDL_FINGERMOTION : SDL_MOUSEMOTION, at(unitPoints[i]), touch);
    if (i % 3 == 0) pump(app, 1);
  }
  pushPointer(touch ? SDL_FINGERUP : SDL_MOUSEBUTTONUP, at(unitPoints.back()), touch);
  settle(app);
  return true;
}

}  // namespace minyi::app
