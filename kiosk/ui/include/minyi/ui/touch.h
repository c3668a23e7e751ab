// Touch targets: every tappable thing registers its label and rectangle each frame, so tests tap by label.
#pragma once
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

namespace minyi::ui {

class TouchTargets {
 public:
  struct Target {
    std::string label;
    ImVec2 min, max;
    bool visible = true;  // wholly inside the area it is drawn in (not scrolled away or under a bar)
  };
  void beginFrame() { targets_.clear(); }
  // Registers a target; the current ImGui clip rectangle says whether it can be tapped now.
  void add(std::string label, ImVec2 min, ImVec2 max);
  // Centre of the first visible target with this label.
  std::optional<ImVec2> centre(const std::string& label) const;
  // The first target with this label, visible or not (a test scrolls to it).
  const Target* find(const std::string& label) const;
  const std::vector<Target>& all() const { return targets_; }

 private:
  std::vector<Target> targets_;
};

}  // namespace minyi::ui
