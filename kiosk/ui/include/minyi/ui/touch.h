// What one frame put on the screen, as the views laid it out: every tappable target (by label, so tests tap by
// label) and every piece of text, each with the area it is drawn in. Tests tap by it; the layout check reads
// it to find overlaps, clipping and things off the screen without looking at pixels.
#pragma once
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

namespace minyi::ui {

class TouchTargets {
 public:
  enum class Kind {
    Target,  // something a finger can tap
    Alias,   // a second name for the target just before it (same rectangle): for tests, not a new thing
    Hidden,  // the staff gesture's corner: no look, may lie under the header's text
  };
  struct Target {
    std::string label;
    ImVec2 min, max;
    bool visible = true;  // wholly inside the area it is drawn in (not scrolled away or under a bar)
    ImVec2 clipMin, clipMax;  // the area it is drawn in
    bool scrolls = false;     // that area scrolls vertically: partly out of it is "scrolled", not "clipped"
    Kind kind = Kind::Target;
  };
  struct Text {
    std::string text;
    ImVec2 min, max;
    ImVec2 clipMin, clipMax;
    bool scrolls = false;
    int owner = -1;  // the target this text is the label of (it must fit inside it), or -1
  };

  void beginFrame() {
    targets_.clear();
    texts_.clear();
    scrolling_ = 0;
  }
  // Registers a target; the current ImGui clip rectangle says whether it can be tapped now. Returns its index.
  int add(std::string label, ImVec2 min, ImVec2 max, Kind kind = Kind::Target);
  void addAlias(std::string label, ImVec2 min, ImVec2 max) { add(std::move(label), min, max, Kind::Alias); }
  // A text drawn at this rectangle (the size of its lines), the label of `owner` or free-standing.
  void addText(std::string text, ImVec2 min, ImVec2 max, int owner = -1);
  // Everything registered between these two is inside a vertically scrolling area.
  void beginScrolling() { ++scrolling_; }
  void endScrolling() { --scrolling_; }

  // Centre of the first visible target with this label.
  std::optional<ImVec2> centre(const std::string& label) const;
  // The first target with this label, visible or not (a test scrolls to it).
  const Target* find(const std::string& label) const;
  const std::vector<Target>& all() const { return targets_; }
  const std::vector<Text>& texts() const { return texts_; }
  int lastIndex() const { return static_cast<int>(targets_.size()) - 1; }

 private:
  std::vector<Target> targets_;
  std::vector<Text> texts_;
  int scrolling_ = 0;
};

// Problems of one frame's layout on a screen of this size, in words ("overlap: 提交 and 返回修改"):
// - a target or a text not wholly inside the screen, or, outside a scrolling area, not wholly inside the
//   area it is drawn in (clipped); in a scrolling area only its sides count, the page scrolls up and down;
// - two targets, two texts, or a text and a target it is not the label of, that overlap where both show;
// - a label that does not fit inside its target;
// - a target narrower or shorter than `minTarget` (a finger's width: 72 px and 15 mm, TypeScale::minTarget).
std::vector<std::string> layoutProblems(const TouchTargets& layout, float width, float height, float minTarget = 0);

}  // namespace minyi::ui
