// Theme: type sizes, ImGui style and the contrast formula the colour test uses.
#include "minyi/ui/theme.h"

#include <algorithm>
#include <cmath>

namespace minyi::ui {

TypeScale typeScale(bool elderly, float windowHeight) {
  const float s = std::max(0.5f, windowHeight / 1080.0f);
  TypeScale t{};
  t.title = (elderly ? 80 : 64) * s;
  t.question = (elderly ? 56 : 44) * s;
  t.body = (elderly ? 48 : 36) * s;
  t.secondary = (elderly ? 40 : 30) * s;
  t.entry = (elderly ? 64 : 56) * s;
  t.ticket = 96 * s;
  t.margin = 48 * s;
  t.gap = 24 * s;
  t.target = std::max(72.0f, (elderly ? 104 : 88) * s);  // never below 72 px, whatever the window
  t.primaryButton = std::max(96.0f, 112 * s);
  return t;
}

namespace {
double channel(unsigned v) {
  const double c = v / 255.0;
  return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double luminance(ImU32 c) {
  const unsigned r = (c >> IM_COL32_R_SHIFT) & 0xFF, g = (c >> IM_COL32_G_SHIFT) & 0xFF, b = (c >> IM_COL32_B_SHIFT) & 0xFF;
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}
}  // namespace

double contrastRatio(ImU32 a, ImU32 b) {
  double la = luminance(a), lb = luminance(b);
  if (la < lb) std::swap(la, lb);
  return (la + 0.05) / (lb + 0.05);
}

void applyTheme(const TypeScale& t) {
  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  style.WindowPadding = ImVec2(0, 0);
  style.WindowBorderSize = 0;
  style.WindowRounding = 0;
  style.FramePadding = ImVec2(t.gap * 0.75f, t.gap * 0.5f);
  style.ItemSpacing = ImVec2(t.gap, t.gap);
  style.ScrollbarSize = 0;  // residents drag the page; a thin bar is only a trap for fingers
  style.TouchExtraPadding = ImVec2(4, 4);
  style.AntiAliasedFill = true;
  ImVec4* c = style.Colors;
  c[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(colour::kPage);
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(colour::kText);
  c[ImGuiCol_TextDisabled] = ImGui::ColorConvertU32ToFloat4(colour::kSecondary);
  c[ImGuiCol_FrameBg] = ImGui::ColorConvertU32ToFloat4(colour::kCard);
  c[ImGuiCol_Border] = ImGui::ColorConvertU32ToFloat4(colour::kCardBorder);
}

}  // namespace minyi::ui
