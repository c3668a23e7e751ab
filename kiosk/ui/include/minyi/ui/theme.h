// The kiosk's visual style (ui-style.md): colours with their contrast, type sizes for normal and 长辈模式.
#pragma once
#include <imgui.h>

#include <utility>
#include <vector>

namespace minyi::ui {

namespace colour {
constexpr ImU32 rgb(unsigned r, unsigned g, unsigned b) { return IM_COL32(r, g, b, 255); }
constexpr ImU32 kPage = rgb(0xF5, 0xF7, 0xFA);
constexpr ImU32 kCard = rgb(0xFF, 0xFF, 0xFF);
constexpr ImU32 kCardBorder = rgb(0xD0, 0xD7, 0xE2);
constexpr ImU32 kText = rgb(0x1A, 0x1A, 0x1A);           // 16.2:1 on page
constexpr ImU32 kSecondary = rgb(0x3D, 0x49, 0x57);      // 8.6:1 on page
constexpr ImU32 kPrimary = rgb(0x0B, 0x4F, 0x9C);        // white text 8.0:1
constexpr ImU32 kPrimaryPressed = rgb(0x08, 0x3A, 0x73);
constexpr ImU32 kSelectedLight = rgb(0xE6, 0xF0, 0xFA);  // with kPrimary border, kText 15.1:1
constexpr ImU32 kComplaint = rgb(0x9A, 0x1B, 0x1B);      // white text 8.3:1
constexpr ImU32 kSatisfied = rgb(0x14, 0x5A, 0x27);
constexpr ImU32 kBasicallySatisfied = rgb(0x0B, 0x5A, 0x5A);
constexpr ImU32 kUnsatisfied = rgb(0x7A, 0x42, 0x00);
constexpr ImU32 kVeryUnsatisfied = rgb(0x9A, 0x1B, 0x1B);
constexpr ImU32 kErrorText = rgb(0x9A, 0x1B, 0x1B);
constexpr ImU32 kErrorBack = rgb(0xFD, 0xEC, 0xEC);
constexpr ImU32 kNoticeText = rgb(0x5C, 0x3B, 0x00);
constexpr ImU32 kNoticeBack = rgb(0xFF, 0xF3, 0xD1);
constexpr ImU32 kWhite = rgb(0xFF, 0xFF, 0xFF);
constexpr ImU32 kPressedShade = IM_COL32(0, 0, 0, 40);  // darkens a tile the frame the finger lands
}  // namespace colour

// The panel the kiosk draws on: its pixels, the pixels the layout works in, and how big a pixel is.
// A 4K panel is laid out as 1080p with every layout pixel two device pixels (ratio 2): the same layouts, and
// a font atlas that fits a texture (GB2312 at 4K sizes would need some 300 MB of RGBA texture).
struct Panel {
  int deviceWidth = 1920, deviceHeight = 1080;
  int ratio = 1;                       // device pixels per layout pixel
  float width = 1920, height = 1080;   // layout pixels
  double mmPerPx = 0.25;               // millimetres per layout pixel
  const char* sizeFrom = "assumed";    // where the physical size came from: config, display or assumed
  bool portrait() const { return height > width; }
};

// The panel for a drawable of deviceW × deviceH pixels. Its physical size: `configuredInches` ([display]
// diagonal_inches) when set, else `reportedInches` (what the display says) when plausible (10–110"), else
// a pitch of 0.25 mm per pixel, that of the common kiosk panels (21.5" 1080p, 15.6" 1366×768). A smaller
// panel of many pixels (15" at 1080p) must be configured: its targets then grow to stay 15 mm.
Panel panelFor(int deviceW, int deviceH, double configuredInches = 0, double reportedInches = 0);

// The panels townships buy (docs/kiosk.md, "Panels"): landscape 1920×1080, 1366×768, 1280×1024, 1280×800,
// portrait 1080×1920 and 768×1366 (the 立式 kiosk), and 3840×2160. The layout test and the screenshot run
// walk them all.
const std::vector<std::pair<int, int>>& commonPanels();

// Type and spacing in layout pixels. The sizes of ui-style.md are for 1920×1080 and follow the panel's
// short side (portrait 1080×1920 reads like landscape 1080p); text never goes below 32 px (44 px in
// 长辈模式): on small panels margins and gaps shrink first, text and buttons do not. Touch targets are at
// least 72 px and at least 15 mm on the panel.
struct TypeScale {
  float title, question, body, secondary, entry, ticket;
  float margin, gap, target, primaryButton;
  float minTarget;  // nothing tappable is smaller: 72 px and 15 mm (keys on a narrow panel come down to it)
};

TypeScale typeScale(bool elderly, const Panel& panel);
// The smallest target that is 15 mm on this panel.
float minimumTarget(const Panel& panel);

// WCAG relative-luminance contrast ratio of two colours (for the theme test).
double contrastRatio(ImU32 a, ImU32 b);

// ImGui style: no rounding games, big paddings, the page colour, scrollbars hidden (drag scrolls).
void applyTheme(const TypeScale& t);

}  // namespace minyi::ui
