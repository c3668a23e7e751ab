// Theme: type sizes, ImGui style and the contrast formula the colour test uses.
#include "minyi/ui/theme.h"

#include <algorithm>
#include <cmath>

namespace minyi::ui {

Panel panelFor(int deviceW, int deviceH, double configuredInches, double reportedInches) {
  Panel p;
  p.deviceWidth = std::max(1, deviceW);
  p.deviceHeight = std::max(1, deviceH);
  p.ratio = std::min(p.deviceWidth, p.deviceHeight) >= 2000 ? 2 : 1;
  p.width = static_cast<float>(p.deviceWidth) / p.ratio;
  p.height = static_cast<float>(p.deviceHeight) / p.ratio;
  const double diagonalPx = std::hypot(static_cast<double>(p.width), static_cast<double>(p.height));
  p.mmPerPx = 0.25;  // the pitch of the common kiosk panels: 21.5" at 1920×1080, 15.6" at 1366×768
  if (configuredInches > 0) {
    p.mmPerPx = configuredInches * 25.4 / diagonalPx;
    p.sizeFrom = "config";
  } else if (reportedInches >= 10 && reportedInches <= 110) {
    p.mmPerPx = reportedInches * 25.4 / diagonalPx;
    p.sizeFrom = "display";
  }
  return p;
}

const std::vector<std::pair<int, int>>& commonPanels() {
  static const std::vector<std::pair<int, int>> panels = {{1920, 1080}, {1366, 768}, {1280, 1024}, {1280, 800},
                                                          {1080, 1920}, {768, 1366},  {3840, 2160}};
  return panels;
}

float minimumTarget(const Panel& panel) { return static_cast<float>(std::ceil(15.0 / panel.mmPerPx)); }

TypeScale typeScale(bool elderly, const Panel& panel) {
  const float s = std::min(panel.width, panel.height) / 1080.0f;  // spacing follows the short side
  const float t = std::max(s, elderly ? 44.0f / 48.0f : 32.0f / 36.0f);  // text only down to 32 / 44 px
  TypeScale ts{};
  ts.title = (elderly ? 80 : 64) * t;
  ts.question = (elderly ? 56 : 44) * t;
  ts.body = (elderly ? 48 : 36) * t;
  ts.secondary = (elderly ? 40 : 30) * t;
  ts.entry = (elderly ? 64 : 56) * t;
  ts.ticket = 96 * t;
  ts.margin = std::max(16.0f, 48 * s);
  ts.gap = std::max(12.0f, 24 * s);
  ts.minTarget = std::max(72.0f, minimumTarget(panel));
  ts.target = std::max(ts.minTarget, (elderly ? 104 : 88) * t);
  ts.primaryButton = std::max({96.0f, ts.target, 112 * t});
  return ts;
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
