// The kiosk's screens as thin views: they read a plain ViewState (and the form session) and return Commands
// (both in view_model.h, which needs no ImGui).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "minyi/ui/fonts.h"
#include "minyi/ui/touch.h"
#include "minyi/ui/view_model.h"

namespace minyi::ui {

// What the views keep between frames: where the lines of a paragraph break (a page draws the same paragraphs
// many times). It holds residents' text, so it is forgotten whenever the visit changes (ViewState::sessionSerial).
class ViewMemory {
 public:
  // `text` with line breaks for `width` in `font` (the Chinese line-breaking rule, text_wrap.h).
  const std::string& wrapped(ImFont* font, const std::string& text, float width);
  void startVisit(int serial);  // a new serial forgets everything
  size_t size() const { return lines_.size(); }
  // Whether any remembered paragraph holds these words (the reset test: nothing of the last resident).
  bool remembers(std::string_view words) const;
  // One-shot scrolls already done (ViewState::revealErrors, ViewState::editSerial).
  int revealedErrors = 0, shownEditing = 0;

 private:
  int serial_ = -1;
  std::unordered_map<std::string, std::string> lines_;
};

// What the finger did since the last frame beyond ImGui's io: every place it passed through, in order (the
// writing pad keeps a stroke's curve however far apart frames are).
struct PointerPath {
  std::vector<ImVec2> points;
};

// Draws the whole frame (one full-screen window) and returns what the resident did.
std::vector<Command> drawKiosk(const ViewState& state, const Fonts& fonts, const TypeScale& type,
                               TouchTargets& targets, ViewMemory& memory, const PointerPath& path = {});

}  // namespace minyi::ui
