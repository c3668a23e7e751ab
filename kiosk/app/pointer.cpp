// The pointer from SDL's mouse and finger events, queued so that every press and release gets a frame.
#include "pointer.h"

namespace minyi::app {

void Pointer::setGeometry(float windowW, float windowH, float canvasW, float canvasH) {
  if (windowW > 0 && windowH > 0) {
    sx_ = canvasW / windowW;
    sy_ = canvasH / windowH;
  }
  canvasW_ = canvasW;
  canvasH_ = canvasH;
}

PointerPoint Pointer::fromWindow(float x, float y) const { return {x * sx_, y * sy_}; }
PointerPoint Pointer::fromNormalised(float x, float y) const { return {x * canvasW_, y * canvasH_}; }

void Pointer::move(PointerPoint p) {
  if (queue_.empty()) queue_.push_back(PointerFrame{p, current_.down, {}});
  PointerFrame& tail = queue_.back();
  tail.pos = p;
  tail.path.push_back(p);
}

void Pointer::press(PointerPoint p, bool down) {
  const bool wasDown = queue_.empty() ? current_.down : queue_.back().down;
  if (wasDown == down) return move(p);  // a repeated press or release changes nothing but the place
  queue_.push_back(PointerFrame{p, down, {p}});
}

bool Pointer::handle(const SDL_Event& e) {
  switch (e.type) {
    case SDL_MOUSEMOTION:
      if (e.motion.which == SDL_TOUCH_MOUSEID) return true;  // made up from a finger: the finger events count
      lastWasTouch_ = false;
      move(fromWindow(static_cast<float>(e.motion.x), static_cast<float>(e.motion.y)));
      return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
      if (e.button.which == SDL_TOUCH_MOUSEID) return true;
      if (e.button.button != SDL_BUTTON_LEFT) return true;  // one finger: other buttons mean nothing here
      lastWasTouch_ = false;
      press(fromWindow(static_cast<float>(e.button.x), static_cast<float>(e.button.y)), e.type == SDL_MOUSEBUTTONDOWN);
      return true;
    case SDL_FINGERDOWN:
      if (fingerDown_) return true;  // a second finger or a palm while the first is down
      fingerDown_ = true;
      finger_ = e.tfinger.fingerId;
      lastWasTouch_ = true;
      press(fromNormalised(e.tfinger.x, e.tfinger.y), true);
      return true;
    case SDL_FINGERMOTION:
      if (!fingerDown_ || e.tfinger.fingerId != finger_) return true;
      move(fromNormalised(e.tfinger.x, e.tfinger.y));
      return true;
    case SDL_FINGERUP:
      if (!fingerDown_ || e.tfinger.fingerId != finger_) return true;
      fingerDown_ = false;
      press(fromNormalised(e.tfinger.x, e.tfinger.y), false);
      return true;
    case SDL_MOUSEWHEEL:
      return true;  // no wheel on a kiosk; ignored rather than scrolling by surprise
    default:
      return false;
  }
}

PointerFrame Pointer::nextFrame() {
  if (!queue_.empty()) {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    return current_;
  }
  // Nothing new: the finger stays where it was, or, lifted from a touch screen, is nowhere.
  if (!current_.down && lastWasTouch_) current_.pos = PointerFrame{}.pos;
  current_.path.clear();
  return current_;
}

}  // namespace minyi::app
