// The kiosk's visual style (ui-style.md): colours with their contrast, type sizes for normal and 长辈模式.
#pragma once
#include <imgui.h>

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

// Pixel sizes at 1920×1080; scale() multiplies by window height / 1080.
struct TypeScale {
  float title, question, body, secondary, entry, ticket;
  float margin, gap, target, primaryButton;
};

TypeScale typeScale(bool elderly, float windowHeight);

// WCAG relative-luminance contrast ratio of two colours (for the theme test).
double contrastRatio(ImU32 a, ImU32 b);

// ImGui style: no rounding games, big paddings, the page colour, scrollbars hidden (drag scrolls).
void applyTheme(const TypeScale& t);

}  // namespace minyi::ui
