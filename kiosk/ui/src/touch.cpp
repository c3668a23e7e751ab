// A frame's layout record (targets and texts with the areas they are drawn in) and the check that reads it.
#include "minyi/ui/touch.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace minyi::ui {

namespace {

struct Rect {
  ImVec2 min, max;
  float w() const { return max.x - min.x; }
  float h() const { return max.y - min.y; }
  bool empty() const { return w() <= 0 || h() <= 0; }
};

Rect intersect(const Rect& a, const Rect& b) {
  return {ImVec2(std::max(a.min.x, b.min.x), std::max(a.min.y, b.min.y)), ImVec2(std::min(a.max.x, b.max.x), std::min(a.max.y, b.max.y))};
}

// Inside, allowing a pixel for rounding.
bool inside(const Rect& inner, const Rect& outer) {
  return inner.min.x >= outer.min.x - 1 && inner.min.y >= outer.min.y - 1 && inner.max.x <= outer.max.x + 1 &&
         inner.max.y <= outer.max.y + 1;
}
bool insideAcross(const Rect& inner, const Rect& outer) { return inner.min.x >= outer.min.x - 1 && inner.max.x <= outer.max.x + 1; }

// Two things overlap when they share more than a sliver (a pixel of anti-aliasing at a shared edge is fine).
bool overlaps(const Rect& a, const Rect& b) {
  const Rect i = intersect(a, b);
  return i.w() > 1.5f && i.h() > 1.5f;
}

std::string where(const Rect& r) {
  char buf[96];
  std::snprintf(buf, sizeof buf, " at %.0f,%.0f-%.0f,%.0f", r.min.x, r.min.y, r.max.x, r.max.y);
  return buf;
}

struct Item {
  std::string name;
  Rect rect, clip;
  bool scrolls;
  bool isText;
  int owner;   // texts: their target
  int target;  // targets: their index
};

}  // namespace

int TouchTargets::add(std::string label, ImVec2 min, ImVec2 max, Kind kind) {
  Target t{std::move(label), min, max, true, ImVec2(-1e9f, -1e9f), ImVec2(1e9f, 1e9f), scrolling_ > 0, kind};
  if (ImGui::GetCurrentContext() && ImGui::GetCurrentWindowRead()) {
    t.clipMin = ImGui::GetWindowDrawList()->GetClipRectMin();
    t.clipMax = ImGui::GetWindowDrawList()->GetClipRectMax();
    t.visible = min.x >= t.clipMin.x - 1 && min.y >= t.clipMin.y - 1 && max.x <= t.clipMax.x + 1 && max.y <= t.clipMax.y + 1;
  }
  targets_.push_back(std::move(t));
  return lastIndex();
}

void TouchTargets::addText(std::string text, ImVec2 min, ImVec2 max, int owner) {
  Text t{std::move(text), min, max, ImVec2(-1e9f, -1e9f), ImVec2(1e9f, 1e9f), scrolling_ > 0, owner};
  if (ImGui::GetCurrentContext() && ImGui::GetCurrentWindowRead()) {
    t.clipMin = ImGui::GetWindowDrawList()->GetClipRectMin();
    t.clipMax = ImGui::GetWindowDrawList()->GetClipRectMax();
  }
  texts_.push_back(std::move(t));
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

std::vector<std::string> layoutProblems(const TouchTargets& layout, float width, float height, float minTarget) {
  std::vector<std::string> problems;
  for (const auto& t : layout.all())
    if (t.kind == TouchTargets::Kind::Target && (t.max.x - t.min.x < minTarget - 0.5f || t.max.y - t.min.y < minTarget - 0.5f))
      problems.push_back("too small for a finger: target \"" + t.label + "\"" + where(Rect{t.min, t.max}) + " (at least " +
                         std::to_string(static_cast<int>(std::ceil(minTarget))) + " px)");
  const Rect screen{ImVec2(0, 0), ImVec2(width, height)};
  std::vector<Item> items;
  for (size_t i = 0; i < layout.all().size(); ++i) {
    const auto& t = layout.all()[i];
    if (t.kind != TouchTargets::Kind::Target) continue;
    items.push_back({"target \"" + t.label + "\"", {t.min, t.max}, {t.clipMin, t.clipMax}, t.scrolls, false, -1, static_cast<int>(i)});
  }
  for (const auto& t : layout.texts()) {
    std::string shown = t.text.substr(0, 60);
    for (char& c : shown)
      if (c == '\n') c = ' ';
    items.push_back({"text \"" + shown + "\"", {t.min, t.max}, {t.clipMin, t.clipMax}, t.scrolls, true, t.owner, -1});
  }
  // Where each thing can be seen: inside its area and, all of it that shows, inside the screen.
  std::vector<Rect> shown(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    shown[i] = intersect(it.rect, it.clip);
    if (it.rect.empty()) continue;
    if (!inside(intersect(it.clip, screen), screen) || (!shown[i].empty() && !inside(shown[i], screen)) ||
        (!it.scrolls && !inside(it.rect, screen)))
      problems.push_back("off the screen: " + it.name + where(it.rect));
    else if (!it.scrolls && !inside(it.rect, it.clip))
      problems.push_back("clipped: " + it.name + where(it.rect) + " in its area" + where(it.clip));
    else if (it.scrolls && !insideAcross(it.rect, it.clip))
      problems.push_back("cut at the side: " + it.name + where(it.rect) + " in its area" + where(it.clip));
    if (it.isText && it.owner >= 0) {
      // A label in a scrolling area (a card's long text) must fit across its target; what scrolls out of
      // the target's height is scrolled, not lost.
      const auto& owner = layout.all()[static_cast<size_t>(it.owner)];
      const Rect ownerRect{owner.min, owner.max};
      if (it.scrolls ? !insideAcross(it.rect, ownerRect) || (!shown[i].empty() && !inside(shown[i], ownerRect)) : !inside(it.rect, ownerRect))
        problems.push_back("does not fit its target \"" + owner.label + "\"" + where(Rect{owner.min, owner.max}) + ": " + it.name +
                           where(it.rect));
    }
  }
  for (size_t i = 0; i < items.size(); ++i)
    for (size_t j = i + 1; j < items.size(); ++j) {
      if (shown[i].empty() || shown[j].empty() || !overlaps(shown[i], shown[j])) continue;
      const Item &a = items[i], &b = items[j];
      // A label on its own target is where it belongs.
      if (a.isText && !b.isText && a.owner == b.target) continue;
      if (b.isText && !a.isText && b.owner == a.target) continue;
      problems.push_back("overlap: " + a.name + where(a.rect) + " and " + b.name + where(b.rect));
    }
  return problems;
}

}  // namespace minyi::ui
