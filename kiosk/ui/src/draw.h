// Inside kiosk/ui: the per-frame drawing context and the primitives every screen is built from (tiles, text
// that records where it went, scrolling areas with their cue, the header and the bottom bar).
#pragma once
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "minyi/core/html_text.h"
#include "minyi/ui/theme.h"
#include "minyi/ui/view.h"

namespace minyi::ui {

// Per-frame drawing context: what to draw, with what, and what was touched.
struct Frame {
  const ViewState& state;
  const Fonts& fonts;
  const TypeScale& type;
  TouchTargets& targets;
  ViewMemory& memory;
  const PointerPath& path;
  std::vector<Command> commands;
  bool suppressClicks = false;  // the finger dragged the page: its release is not a tap
  bool keepFont = false;        // tile labels stay in their font: candidates are only in the body atlas
  int textOwner = -1;           // texts drawn now are the label of this target (a card that is tapped whole)

  std::string s(const char* key, const std::vector<std::string>& args = {}) const {
    return state.strings ? state.strings->get(state.locale, key, args) : key;
  }
  void emit(Command c) { commands.push_back(std::move(c)); }
  float width() const { return state.width; }
  float height() const { return state.height; }
  bool portrait() const { return state.height > state.width; }
  // The narrowest layouts (768 px across): fewer columns, tighter keyboards.
  bool narrow() const { return state.width < 900; }
};

// ---- text
// The size of `text` in `font` wrapped to `width` by the Chinese line-breaking rule (0: no wrapping).
ImVec2 measure(Frame& f, ImFont* font, const std::string& text, float width = 0);
// Draws `text` at `pos` wrapped to `width` (0: as is) and records it (as the label of target `owner`);
// `centred`: each line centred in the block rather than starting at its left. Returns its size.
ImVec2 drawText(Frame& f, ImFont* font, ImVec2 pos, ImU32 col, const std::string& text, float width = 0, int owner = -1,
                bool centred = false);
// Text in the flow of the current window (advances the cursor), wrapped to `width`.
void text(Frame& f, ImFont* font, const std::string& s, ImU32 col = colour::kText, float width = 0);
// Form HTML in the flow: plain text with its strong parts drawn bold.
void richText(Frame& f, ImFont* font, const core::RichText& rich, ImU32 col, float width);
// The first of these fonts in which every line of `text` fits `width` (and, when given, all its lines fit
// `height`); the last one when none does.
ImFont* fittingFont(Frame& f, const std::string& text, float width, std::initializer_list<ImFont*> fonts, float height = 0);

// ---- tiles
enum class TileStyle { Card, Primary, Complaint, Outline, Danger, Selected, Key };
// A tile: the whole rectangle is the target; pressed darkens at once, acts on release; selected tiles get
// a thicker border and a check mark, so colour is never the only signal. Its label (and hint) wraps inside
// it, stepping down to the secondary font when a word would not fit. size.y == 0: as tall as its words
// need, at least a touch target. Returns true when tapped.
bool tile(Frame& f, const char* id, const std::string& label, ImVec2 size, TileStyle style, ImFont* font,
          ImU32 fillOverride = 0, bool check = false, const std::string& hint = {});
// The height a tile of this width needs for its words (at least a touch target).
float tileHeight(Frame& f, const std::string& label, float width, ImFont* font, bool check = false, const std::string& hint = {});
// The width a one-line tile needs for its words.
float tileWidth(Frame& f, const std::string& label, ImFont* font);

// A box the on-screen keyboard types into (the app owns the text): registered as `targetLabel`, drawn with a
// caret while `editing`. Returns true when tapped.
bool fieldBox(Frame& f, const std::string& id, const std::string& targetLabel, const std::string& current,
              const std::string& placeholder, bool editing, float height);

// ---- areas
// A scrolling area of this size at the cursor: dragged by the finger, gliding on after a fling, starting
// at the top for every resident, with a cue at the bottom (and top) edge while there is more to see.
void beginScrollArea(Frame& f, const char* name, ImVec2 size);
void endScrollArea(Frame& f);
// Keeps the area's gliding and drag state; call inside any scrolling child.
void dragScroll(Frame& f);

// The blue band at the top: `left` (site name or form title) and `right` (clock or progress), side by side
// when they fit, else one under the other. Returns the band's height; the cursor is put below it.
float header(Frame& f, const std::string& left, const std::string& right, float progress = -1);
// The hidden staff gesture: five quick taps on the top-left corner. No look, no hint.
void adminCorner(Frame& f);

// A button of the bottom bar: its id for taps, its words, what tapping it does.
struct BarButton {
  const char* id;
  std::string label;
  Command command;
  TileStyle style = TileStyle::Outline;
};
// The bottom bar: going back (outlined) at the left, a middle one, going on (filled) at the right; any may
// be absent. Buttons grow for their words and the bar takes two rows when they do not fit in one.
void bottomBar(Frame& f, const std::optional<BarButton>& left, const std::optional<BarButton>& middle,
               const std::optional<BarButton>& right);
// The height bottomBar() takes with these buttons, margins included.
float bottomBarHeight(Frame& f, const std::optional<BarButton>& left, const std::optional<BarButton>& middle,
                      const std::optional<BarButton>& right);
// The 简 / 繁 / EN toggles and 长辈模式 along the bottom; the height they take, margins included.
void languageBar(Frame& f, bool withElderly = true);
float languageBarHeight(Frame& f);
// A modal card over everything (the page under it is not drawn): title, body, one or two buttons.
void dialog(Frame& f, const std::string& title, const std::string& body, const BarButton& primary,
            const std::optional<BarButton>& secondary);

// ---- pictures
// A face for the quick rating and smiley ratings: mouth curve from -1 (sad) to +1 (happy).
void face(ImDrawList* dl, ImVec2 c, float r, float mood, ImU32 col);
// Colour and mood of a satisfaction value, by its position on the scale (worst first or best first).
std::pair<ImU32, float> moodOf(size_t index, size_t count, bool bestFirst);
// Whether these choices run from the satisfied end (core/satisfaction.h decides, as for the server's 满意率).
bool bestFirst(const std::vector<core::ChoiceView>& items);
void star(ImDrawList* dl, ImVec2 c, float r, bool filled);

// ---- parts of screens in their own files
void questionBody(Frame& f, const core::QuestionRef& q, float width);
void errorsFor(Frame& f, const core::QuestionRef& q, float width);
float keyboardHeight(Frame& f);
void keyboardPanel(Frame& f);

}  // namespace minyi::ui
