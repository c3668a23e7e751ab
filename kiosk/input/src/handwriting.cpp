// zinnia behind HandwritingEngine/HandwritingSession: strokes to candidates, look-alike mapping, the
// font filter, OpenCC for 繁, and continuous writing (a pause or a choice starts the next character).
#include "minyi/input/handwriting.h"

#include <zinnia.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "minyi/core/script.h"

namespace minyi::input {

namespace {

// zinnia's features are size-free; this is the canvas the pad's 0..1 coordinates are scaled onto.
constexpr int kCanvas = 1000;
// Raw results asked of zinnia: more than shown, as mapping merges some and the font filter drops some.
constexpr size_t kRawResults = 30;

}  // namespace

std::unique_ptr<HandwritingEngine> HandwritingEngine::open(const std::string& modelPath, std::string* error) {
  const auto t0 = std::chrono::steady_clock::now();
  zinnia_recognizer_t* r = zinnia_recognizer_new();
  if (!r || !zinnia_recognizer_open(r, modelPath.c_str())) {
    if (error) *error = "cannot open the handwriting model " + modelPath + " (install tegaki-zinnia-simplified-chinese)";
    if (r) zinnia_recognizer_destroy(r);
    return nullptr;
  }
  std::unique_ptr<HandwritingEngine> e(new HandwritingEngine);
  e->recognizer_ = r;
  e->openMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return e;
}

HandwritingEngine::~HandwritingEngine() {
  if (recognizer_) zinnia_recognizer_destroy(static_cast<zinnia_recognizer_t*>(recognizer_));
}

std::vector<std::string> HandwritingEngine::recognize(const std::vector<Stroke>& strokes, size_t count) const {
  std::vector<std::string> out;
  if (strokes.empty()) return out;
  zinnia_character_t* c = zinnia_character_new();
  zinnia_character_set_width(c, kCanvas);
  zinnia_character_set_height(c, kCanvas);
  for (size_t i = 0; i < strokes.size(); ++i) {
    const Stroke& s = strokes[i];
    // A tap is a dot stroke (、 丶): zinnia needs two points to see a stroke at all.
    const size_t n = s.size();
    for (size_t j = 0; j < std::max<size_t>(n, 2); ++j) {
      const PenPoint& p = s[std::min(j, n - 1)];
      const int x = std::clamp(static_cast<int>(std::lround(p.x * kCanvas)), 0, kCanvas);
      const int y = std::clamp(static_cast<int>(std::lround(p.y * kCanvas)), 0, kCanvas);
      zinnia_character_add(c, i, x + (j >= n ? 1 : 0), y);
    }
  }
  zinnia_result_t* r = zinnia_recognizer_classify(static_cast<zinnia_recognizer_t*>(recognizer_), c, count);
  if (r) {
    for (size_t i = 0; i < zinnia_result_size(r); ++i) out.emplace_back(zinnia_result_value(r, i));
    zinnia_result_destroy(r);
  }
  zinnia_character_destroy(c);
  return out;
}

std::string lookAlike(const std::string& ch) {
  // Components and radicals in the model that stand for a character a resident means (the model was
  // trained on them as separate entries, so a well-written 口 often comes back as 囗).
  static const std::pair<const char*, const char*> kMap[] = {
      {"囗", "口"}, {"丶", "、"}, {"乚", "乙"}, {"乛", "乙"}, {"亻", "人"}, {"氵", "水"},
      {"讠", "言"}, {"忄", "心"}, {"扌", "手"},
  };
  for (const auto& [from, to] : kMap)
    if (ch == from) return to;
  return ch;
}

HandwritingSession::HandwritingSession(const HandwritingEngine& engine, bool traditional, CanDraw canDraw,
                                       std::chrono::milliseconds pause)
    : engine_(engine), traditional_(traditional), canDraw_(std::move(canDraw)), pause_(pause) {}

HandwritingSession::~HandwritingSession() = default;

std::string HandwritingSession::penDown(PenPoint p, Clock::time_point now) {
  std::string committed;
  // Continuous writing: after a pause the last character is taken as written and the next one begins.
  if (!strokes_.empty() && now - lastUp_ >= pause_) committed = commitFirst();
  current_.assign(1, p);
  return committed;
}

void HandwritingSession::penMove(PenPoint p) {
  if (current_.empty()) return;
  const PenPoint& last = current_.back();
  // Points closer than ~0.4 % of the pad add nothing but work for the recogniser.
  if (std::hypot(p.x - last.x, p.y - last.y) < 0.004f) return;
  current_.push_back(p);
}

void HandwritingSession::penUp(Clock::time_point now) {
  if (current_.empty()) return;
  strokes_.push_back(std::move(current_));
  current_.clear();
  lastUp_ = now;
  recognize();
}

void HandwritingSession::recognize() {
  candidates_.clear();
  for (const std::string& raw : engine_.recognize(strokes_, kRawResults)) {
    const std::string text = traditional_ ? core::toTraditional(lookAlike(raw)) : lookAlike(raw);
    if (canDraw_ && !canDraw_(text)) continue;  // the font cannot draw it: not offered
    if (std::find(candidates_.begin(), candidates_.end(), text) != candidates_.end()) continue;
    candidates_.push_back(text);
    if (candidates_.size() == kCandidates) break;
  }
}

void HandwritingSession::undoStroke() {
  if (strokes_.empty()) return;
  strokes_.pop_back();
  if (strokes_.empty()) candidates_.clear();
  else recognize();
}

void HandwritingSession::clear() {
  strokes_.clear();
  current_.clear();
  candidates_.clear();
}

std::string HandwritingSession::choose(size_t index) {
  if (index >= candidates_.size()) return {};
  std::string text = candidates_[index];
  clear();
  return text;
}

std::string HandwritingSession::commitFirst() { return candidates_.empty() ? (clear(), std::string()) : choose(0); }

}  // namespace minyi::input
