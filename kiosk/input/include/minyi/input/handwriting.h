// Handwriting input on zinnia: strokes written with a finger on the pad, recognised after every stroke,
// candidates filtered by what the font can draw, look-alike components mapped to the characters meant.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "minyi/input/pinyin.h"  // CanDraw

namespace minyi::input {

// A point on the pad, in pad units: 0..1 across and down (the view scales; recognition is size-free).
struct PenPoint {
  float x = 0, y = 0;
};
using Stroke = std::vector<PenPoint>;

inline const char* kHandwritingModel = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";

// The zinnia recogniser with its model (memory-mapped, shared by all sessions; read-only after open).
class HandwritingEngine {
 public:
  static std::unique_ptr<HandwritingEngine> open(const std::string& modelPath, std::string* error);
  ~HandwritingEngine();
  HandwritingEngine(const HandwritingEngine&) = delete;
  HandwritingEngine& operator=(const HandwritingEngine&) = delete;
  double openMs() const { return openMs_; }
  // Raw zinnia results, best first (no mapping, no filtering).
  std::vector<std::string> recognize(const std::vector<Stroke>& strokes, size_t count) const;

 private:
  HandwritingEngine() = default;
  void* recognizer_ = nullptr;
  double openMs_ = 0;
};

// The character a look-alike stands for: zinnia's model holds components and radicals (囗 for 口, 丶 for
// 、) that a resident writing a character never means. Anything else maps to itself.
std::string lookAlike(const std::string& ch);

// One resident's writing on the pad.
class HandwritingSession {
 public:
  using Clock = std::chrono::steady_clock;
  // traditional: candidates converted to Traditional script (the model knows GB2312's Simplified characters).
  // pause: a stroke that begins this long after the last one ended starts the next character.
  HandwritingSession(const HandwritingEngine& engine, bool traditional, CanDraw canDraw,
                     std::chrono::milliseconds pause = std::chrono::milliseconds(1500));
  ~HandwritingSession();

  static constexpr size_t kCandidates = 10;

  // The finger: down, moves, up. penDown returns the text to commit when it starts a new character after a
  // pause (the previous character's best candidate), else "". Recognition runs at penUp.
  std::string penDown(PenPoint p, Clock::time_point now);
  void penMove(PenPoint p);
  void penUp(Clock::time_point now);
  bool writing() const { return !strokes_.empty() || !current_.empty(); }
  const std::vector<Stroke>& strokes() const { return strokes_; }
  const Stroke& current() const { return current_; }  // the stroke under the finger
  const std::vector<std::string>& candidates() const { return candidates_; }

  void undoStroke();
  void clear();
  std::string choose(size_t index);  // the candidate's text; the pad is cleared for the next character
  std::string commitFirst();         // the best candidate (or "" when none), pad cleared

 private:
  void recognize();
  const HandwritingEngine& engine_;
  bool traditional_;
  CanDraw canDraw_;
  std::chrono::milliseconds pause_;
  std::vector<Stroke> strokes_;
  Stroke current_;
  Clock::time_point lastUp_{};
  std::vector<std::string> candidates_;
};

}  // namespace minyi::input
