// Touch target lookup for tests and accessibility tools.
#include "minyi/ui/touch.h"

#include <imgui_internal.h>

namespace minyi::ui {

void TouchTargets::add(std::string label, ImVec2 min, ImVec2 max) {
  bool visible = true;
  if (ImGui::GetCurrentContext() && ImGui::GetCurrentWindowRead()) {
    const ImVec2 cmin = ImGui::GetWindowDrawList()->GetClipRectMin(), cmax = ImGui::GetWindowDrawList()->GetClipRectMax();
    visible = min.x >= cmin.x - 1 && min.y >= cmin.y - 1 && max.x <= cmax.x + 1 && max.y <= cmax.y + 1;
  }
  targets_.push_back({std::move(label), min, max, visible});
}

std::optional<ImVec2> TouchTargets::centre(const std::string& label) const {
  for (const Target& t : targets_) {
    if (t.label == label && t.visible) return ImVec2((t.min.x + t.max.x) / 2, (t.min.y + t.max.y) / 2);
  }
  return std::nullopt;
}

const TouchTargets::Target* TouchTargets::find(const std::string& label) const {
  for (const Target& t : targets_)
    if (t.label == label) return &t;
  return nullptr;
}

}  // namespace minyi::ui
