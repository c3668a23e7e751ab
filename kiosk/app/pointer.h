// The resident's finger (or a mouse) as the kiosk sees it: built from SDL's pointer and touch events only.
// SDL_GetGlobalMouseState, which ImGui's SDL backend polls, can stay at the press point on X11 while the
// finger drags; the events carry the moving position, so they are the only source used here.
#pragma once
#include <SDL.h>

#include <cfloat>
#include <deque>
#include <vector>

namespace minyi::app {

struct PointerPoint {
  float x = 0, y = 0;
};

// What one frame sees: where the finger is, whether it is down, and every position it passed through since
// the previous frame (a stroke on the writing pad keeps its curve however slowly frames come).
struct PointerFrame {
  PointerPoint pos{-FLT_MAX, -FLT_MAX};  // nowhere (ImGui: no position): nothing under a lifted finger stays hovered
  bool down = false;
  std::vector<PointerPoint> path;
};

class Pointer {
 public:
  // Window coordinates (mouse events) and the canvas the views lay out on (logical pixels): both are needed
  // because a HiDPI or scaled output makes them differ. Finger events come normalised (0..1) to the window.
  void setGeometry(float windowW, float windowH, float canvasW, float canvasH);

  // Takes one SDL event; true when it was a pointer or touch event (the caller need not look further).
  // Mouse events SDL makes up from touches are ignored: the finger events themselves are used, the first
  // finger down being the pointer until it lifts (a second finger, a palm, is ignored).
  bool handle(const SDL_Event& e);

  // The state for the next frame. A press and its release that arrived between two frames are given to two
  // frames, so a quick tap is never lost; pending() says more frames are needed to deliver what is queued.
  PointerFrame nextFrame();
  bool pending() const { return !queue_.empty(); }

  // A lifted finger leaves nothing hovered: true once the last input was a touch (not a mouse).
  bool lastWasTouch() const { return lastWasTouch_; }

 private:
  PointerPoint fromWindow(float x, float y) const;
  PointerPoint fromNormalised(float x, float y) const;
  void move(PointerPoint p);
  void press(PointerPoint p, bool down);

  float sx_ = 1, sy_ = 1;                // window → canvas
  float canvasW_ = 1920, canvasH_ = 1080;
  PointerFrame current_;                 // what the last frame saw
  std::deque<PointerFrame> queue_;       // states not yet seen by a frame, oldest first
  SDL_FingerID finger_ = 0;
  bool fingerDown_ = false;
  bool lastWasTouch_ = false;
};

}  // namespace minyi::app
