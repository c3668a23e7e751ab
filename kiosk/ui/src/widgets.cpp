// The kiosk's drawing primitives: text that records where it went, tiles whose words always fit, scrolling
// areas with a cue, the header, the bottom bar, the language toggles, dialogs and the drawn pictures.
//
// Index (in file order, one section each):
//   memory                   ViewMemory: wrapped paragraphs kept per visit
//   text                     measure, drawText, text, richText
//   tiles                    tileHeight/tileWidth, tile (every button), fieldBox (a field the keyboard types into)
//   scrolling areas          dragScroll, beginScrollArea/endScrollArea with the "more below" cue
//   header, bars, dialogs    header, adminCorner, bottomBar, languageBar, dialog
//   pictures                 face, moodOf, bestFirst (the satisfaction scale: core/satisfaction.h), star
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "draw.h"
#include "minyi/core/satisfaction.h"
#include "minyi/ui/text_wrap.h"

namespace minyi::ui {

// ---------------------------------------------------------------- memory

const std::string& ViewMemory::wrapped(ImFont* font, const std::string& text, float width) {
  // The font's size is in the key: a rebuilt atlas (长辈模式, another panel) may put a font of another size
  // at the same address.
  std::string key = std::to_string(reinterpret_cast<uintptr_t>(font)) + "|" + std::to_string(font->FontSize) + "|" +
                    std::to_string(static_cast<int>(width)) + "|" + text;
  auto it = lines_.find(key);
  if (it != lines_.end()) return it->second;
  if (lines_.size() > 2048) lines_.clear();  // a long visit of many different answers: start over
  std::string lines = wrapText(text, width, [font](std::string_view piece) {
    return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, piece.data(), piece.data() + piece.size()).x;
  });
  return lines_.emplace(std::move(key), std::move(lines)).first->second;
}

bool ViewMemory::remembers(std::string_view words) const {
  for (const auto& [key, lines] : lines_)
    if (key.find(words) != std::string::npos) return true;
  return false;
}

void ViewMemory::startVisit(int serial) {
  if (serial == serial_) return;
  serial_ = serial;
  lines_.clear();
}

// ---------------------------------------------------------------- text

namespace {
const std::string& linesOf(Frame& f, ImFont* font, const std::string& text, float width) {
  static const std::string none;
  if (width <= 0) return text;
  return text.empty() ? none : f.memory.wrapped(font, text, width);
}
ImVec2 sizeOf(ImFont* font, const std::string& lines) {
  if (lines.empty()) return ImVec2(0, 0);
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, lines.data(), lines.data() + lines.size());
}
}  // namespace

ImVec2 measure(Frame& f, ImFont* font, const std::string& text, float width) { return sizeOf(font, linesOf(f, font, text, width)); }

ImVec2 drawText(Frame& f, ImFont* font, ImVec2 pos, ImU32 col, const std::string& text, float width, int owner, bool centred) {
  if (text.empty()) return ImVec2(0, 0);
  const std::string& lines = linesOf(f, font, text, width);
  const ImVec2 size = sizeOf(font, lines);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (!centred || lines.find('\n') == std::string::npos) {
    dl->AddText(font, font->FontSize, pos, col, lines.data(), lines.data() + lines.size());
  } else {
    float y = pos.y;
    for (size_t start = 0; start <= lines.size();) {
      size_t end = lines.find('\n', start);
      if (end == std::string::npos) end = lines.size();
      const float w = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, lines.data() + start, lines.data() + end).x;
      dl->AddText(font, font->FontSize, ImVec2(pos.x + (size.x - w) / 2, y), col, lines.data() + start, lines.data() + end);
      y += font->FontSize;
      start = end + 1;
    }
  }
  f.targets.addText(text, pos, ImVec2(pos.x + size.x, pos.y + size.y), owner >= 0 ? owner : f.textOwner);
  return size;
}

void text(Frame& f, ImFont* font, const std::string& s, ImU32 col, float width) {
  if (s.empty()) return;
  const ImVec2 size = drawText(f, font, ImGui::GetCursorScreenPos(), col, s, width);
  ImGui::Dummy(size);
}

void richText(Frame& f, ImFont* font, const core::RichText& rich, ImU32 col, float width) {
  if (rich.text.empty()) return;
  const std::string& lines = linesOf(f, font, rich.text, width);
  // The wrapped text is the original with line breaks put in and spaces at the breaks left out: walk both
  // to know which of its bytes are strong.
  std::vector<bool> strong(lines.size(), false);
  for (size_t i = 0, j = 0; j < lines.size(); ++j) {
    if (i < rich.text.size() && lines[j] == rich.text[i]) {
      strong[j] = rich.strong[i++];
      continue;
    }
    while (i < rich.text.size() && rich.text[i] == ' ' && lines[j] != ' ') ++i;
    if (i < rich.text.size() && lines[j] == rich.text[i]) strong[j] = rich.strong[i++];
    else if (j > 0) strong[j] = strong[j - 1];  // an inserted break belongs to what it follows
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float y = origin.y;
  size_t start = 0;
  while (start <= lines.size()) {
    size_t end = lines.find('\n', start);
    if (end == std::string::npos) end = lines.size();
    float x = origin.x;
    for (size_t a = start; a < end;) {
      size_t b = a;
      while (b < end && strong[b] == strong[a]) ++b;
      const char* s = lines.data() + a;
      const char* e = lines.data() + b;
      dl->AddText(font, font->FontSize, ImVec2(x, y), col, s, e);
      // Strong: drawn a second time a pixel to the right, as bold (the font subset has one weight).
      if (strong[a]) {
        dl->AddText(font, font->FontSize, ImVec2(x + std::max(1.0f, font->FontSize / 36), y), col, s, e);
      }
      x += font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, s, e).x;
      a = b;
    }
    y += font->FontSize;
    if (end == lines.size()) break;
    start = end + 1;
  }
  const ImVec2 size = sizeOf(font, lines);
  f.targets.addText(rich.text, origin, ImVec2(origin.x + size.x, origin.y + size.y), f.textOwner);
  ImGui::Dummy(size);
}

ImFont* fittingFont(Frame& f, const std::string& text, float width, std::initializer_list<ImFont*> fonts, float height) {
  ImFont* last = nullptr;
  for (ImFont* font : fonts) {
    last = font;
    const ImVec2 size = measure(f, font, text, width);
    if (size.x <= width + 0.5f && (height <= 0 || size.y <= height + 0.5f)) return font;
  }
  return last;
}

// ---------------------------------------------------------------- tiles

namespace {
float padX(const Frame& f, float width) { return std::clamp(width * 0.08f, 6.0f, f.type.gap); }
float padY(const Frame& f) { return std::max(6.0f, f.type.gap * 0.4f); }
float checkWidth(const Frame& f, float height) {
  const float r = std::min(height * 0.22f, 28.0f);
  return f.type.gap * 0.6f + r * 2.4f;
}
// The font a tile's words are drawn in: its own, or the secondary one when a word would not fit across
// (or, given a height, the lines would not fit down). A button's or key's few words stay on one line when
// the smaller font keeps them there (撤销一笔, not 撤销一 / 笔); a choice's words wrap in the big font.
ImFont* labelFont(Frame& f, const std::string& label, float wrap, ImFont* font, float height = 0, bool oneLine = false) {
  if (label.empty() || f.keepFont) return font;
  if (oneLine)
    for (ImFont* candidate : {font, f.fonts.secondary})
      if (measure(f, candidate, label).x <= wrap + 0.5f) return candidate;
  return fittingFont(f, label, wrap, {font, f.fonts.secondary}, height);
}
}  // namespace

float tileHeight(Frame& f, const std::string& label, float width, ImFont* font, bool check, const std::string& hint) {
  const float wrap = width - 2 * padX(f, width) - (check ? checkWidth(f, f.type.target) : 0);
  float h = measure(f, labelFont(f, label, wrap, font), label, wrap).y;
  if (!hint.empty()) h += 8 + measure(f, labelFont(f, hint, wrap, f.fonts.secondary), hint, wrap).y;
  return std::max(f.type.target, h + 2 * padY(f));
}

float tileWidth(Frame& f, const std::string& label, ImFont* font) {
  return std::ceil(measure(f, font, label).x + 2 * f.type.gap + 2);
}

bool tile(Frame& f, const char* id, const std::string& label, ImVec2 size, TileStyle style, ImFont* font, ImU32 fillOverride,
          bool check, const std::string& hint) {
  if (size.y <= 0) size.y = tileHeight(f, label, size.x, font, check, hint);
  ImGui::PushID(id);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton("##tile", size) && !f.suppressClicks;
  const bool pressed = ImGui::IsItemActive();
  ImGui::PopID();
  const ImVec2 q(p.x + size.x, p.y + size.y);
  const int owner = f.targets.add(label, p, q);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float rounding = f.type.gap * 0.5f;
  ImU32 fill = colour::kCard, textCol = colour::kText, border = colour::kCardBorder;
  float borderWidth = 2;
  switch (style) {
    case TileStyle::Primary: fill = colour::kPrimary; textCol = colour::kWhite; border = fill; break;
    case TileStyle::Complaint: fill = colour::kComplaint; textCol = colour::kWhite; border = fill; break;
    case TileStyle::Outline: border = colour::kPrimary; textCol = colour::kPrimary; borderWidth = 3; break;
    case TileStyle::Danger: border = colour::kComplaint; textCol = colour::kComplaint; borderWidth = 3; break;
    case TileStyle::Selected: fill = colour::kSelectedLight; border = colour::kPrimary; borderWidth = 5; break;
    case TileStyle::Card:
    case TileStyle::Key: break;
  }
  if (fillOverride) {
    fill = fillOverride;
    textCol = colour::kWhite;
    if (style != TileStyle::Selected) border = fill;
  }
  dl->AddRectFilled(p, q, fill, rounding);
  if (pressed) dl->AddRectFilled(p, q, colour::kPressedShade, rounding);
  dl->AddRect(p, q, border, rounding, 0, borderWidth);
  const float px = padX(f, size.x);
  float textLeft = p.x + px;
  if (check) {
    // A drawn check mark: the font subset need not hold ✓.
    const float h = std::min(size.y, f.type.target), cx = p.x + f.type.gap * 0.6f + h * 0.22f, cy = p.y + size.y * 0.5f;
    const float r = std::min(h * 0.22f, 28.0f);
    dl->AddCircleFilled(ImVec2(cx, cy), r, colour::kPrimary);
    dl->PathLineTo(ImVec2(cx - r * 0.5f, cy));
    dl->PathLineTo(ImVec2(cx - r * 0.1f, cy + r * 0.4f));
    dl->PathLineTo(ImVec2(cx + r * 0.55f, cy - r * 0.45f));
    dl->PathStroke(colour::kWhite, 0, r * 0.28f);
    textLeft = p.x + checkWidth(f, h);
  }
  const float wrap = q.x - textLeft - px;
  ImFont* hf = hint.empty() ? nullptr : labelFont(f, hint, wrap, f.fonts.secondary);
  const float hintH = hf ? measure(f, hf, hint, wrap).y + 8 : 0;
  const bool choice = style == TileStyle::Card || (style == TileStyle::Selected && check);
  ImFont* lf = labelFont(f, label, wrap, font, size.y - 2 * padY(f) - hintH, !choice && hint.empty());
  const ImVec2 ts = measure(f, lf, label, wrap);
  const ImVec2 hs = hf ? measure(f, hf, hint, wrap) : ImVec2(0, 0);
  const bool centred = style == TileStyle::Primary || style == TileStyle::Complaint || style == TileStyle::Outline ||
                       style == TileStyle::Danger || style == TileStyle::Key || (style == TileStyle::Selected && !check) ||
                       (fillOverride && hint.empty());
  const float tx = centred && !check ? p.x + (size.x - ts.x) / 2 : textLeft;
  const float ty = p.y + (size.y - ts.y - (hf ? hs.y + 8 : 0)) / 2;
  drawText(f, lf, ImVec2(tx, ty), textCol, label, wrap, owner, centred && !check);
  if (hf) {
    const bool onFill = fillOverride || style == TileStyle::Primary || style == TileStyle::Complaint;
    const float hx = centred && !check ? p.x + (size.x - hs.x) / 2 : textLeft;
    drawText(f, hf, ImVec2(hx, ty + ts.y + 8), onFill ? colour::kWhite : colour::kSecondary, hint, wrap, owner, centred && !check);
  }
  return clicked;
}

bool fieldBox(Frame& f, const std::string& id, const std::string& targetLabel, const std::string& current,
              const std::string& placeholder, bool editing, float height) {
  const float width = ImGui::GetContentRegionAvail().x;
  const float inner = width - f.type.gap * 1.2f;
  // A long text makes the box grow: what was typed is always all there to read.
  const bool empty = current.empty();
  // While typing, the placeholder gives way to the caret: it is not an answer.
  const std::string shown = empty ? (editing ? std::string() : placeholder) : current;
  const ImVec2 ts = measure(f, f.fonts.body, shown.empty() ? std::string(" ") : shown, inner);
  height = std::max(height, ts.y + f.type.gap);
  ImGui::PushID(id.c_str());
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const bool tapped = ImGui::InvisibleButton("##field", ImVec2(width, height)) && !f.suppressClicks;
  ImGui::PopID();
  const int owner = f.targets.add(targetLabel, p, ImVec2(p.x + width, p.y + height));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 q2(p.x + width, p.y + height);
  dl->AddRectFilled(p, q2, colour::kCard, 6);
  dl->AddRect(p, q2, editing ? colour::kPrimary : colour::kCardBorder, 6, 0, editing ? 5.0f : 2.0f);
  const ImVec2 tp(p.x + f.type.gap * 0.6f, p.y + f.type.gap * 0.5f);
  drawText(f, f.fonts.body, tp, empty ? colour::kSecondary : colour::kText, shown, inner, owner);
  if (editing) {
    // The caret after the last character of the last line.
    const std::string& lines = empty ? std::string() : f.memory.wrapped(f.fonts.body, current, inner);
    const size_t nl = lines.rfind('\n');
    const std::string last = nl == std::string::npos ? lines : lines.substr(nl + 1);
    const float lastLine = empty ? 0 : ts.y - f.fonts.body->FontSize;
    const float cx = tp.x + std::min(sizeOf(f.fonts.body, last).x, inner) + 2;
    dl->AddLine(ImVec2(cx, tp.y + lastLine), ImVec2(cx, tp.y + lastLine + f.fonts.body->FontSize), colour::kPrimary, 3);
  }
  return tapped;
}

// ---------------------------------------------------------------- scrolling areas

// Drag on empty space (or anywhere) scrolls the current window; a drag cancels the tap it started as.
void dragScroll(Frame& f) {
  ImGuiIO& io = ImGui::GetIO();
  // The page's fling speed (px/s) lives in the window's own storage: views keep no state of their own.
  ImGuiStorage* store = ImGui::GetStateStorage();
  const ImGuiID velocityId = ImGui::GetID("##fling");
  float velocity = store->GetFloat(velocityId, 0.0f);
  const float dt = std::clamp(io.DeltaTime, 1.0f / 240.0f, 1.0f / 20.0f);  // a frame after a long sleep is not a jump
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && ImGui::IsMouseDragging(0, 12.0f)) {
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
    velocity = 0.7f * velocity + 0.3f * (-io.MouseDelta.y / dt);  // smoothed finger speed
  } else if (!io.MouseDown[0] && std::fabs(velocity) > 30.0f) {
    // Inertia after the finger lifts: keep gliding, slowing down, until the page stops or hits an end.
    const float before = ImGui::GetScrollY();
    ImGui::SetScrollY(std::clamp(before + velocity * dt, 0.0f, ImGui::GetScrollMaxY()));
    velocity *= std::exp(-4.0f * dt);
    if ((before <= 0 && velocity < 0) || (before >= ImGui::GetScrollMaxY() && velocity > 0)) velocity = 0;
    if (std::fabs(velocity) > 30.0f) f.emit(command::Animating{});  // the loop keeps drawing frames
  } else if (io.MouseDown[0] && !ImGui::IsMouseDragging(0, 12.0f)) {
    velocity = 0;  // a finger on the glass stops the glide
  }
  store->SetFloat(velocityId, velocity);
  const ImVec2 total = ImGui::GetMouseDragDelta(0, 0.0f);
  if (std::fabs(total.y) > 12.0f || std::fabs(total.x) > 24.0f) f.suppressClicks = true;
}

namespace {
float cueHeight(const Frame& f) { return f.fonts.secondary->FontSize + 8; }

// A chevron pointing down (or up) at c: the cue's picture, drawn (the subset need not hold arrows).
void chevron(ImDrawList* dl, ImVec2 c, float size, bool down, ImU32 col) {
  const float d = down ? 1.0f : -1.0f;
  dl->PathLineTo(ImVec2(c.x - size, c.y - d * size * 0.5f));
  dl->PathLineTo(ImVec2(c.x, c.y + d * size * 0.5f));
  dl->PathLineTo(ImVec2(c.x + size, c.y - d * size * 0.5f));
  dl->PathStroke(col, 0, std::max(2.0f, size * 0.3f));
}
}  // namespace

void beginScrollArea(Frame& f, const char* name, ImVec2 size) {
  // A new id for every visit and form session: each starts at the top.
  const std::string id = std::string(name) + "#" + std::to_string(f.state.sessionSerial);
  ImGui::BeginChild(id.c_str(), ImVec2(size.x, std::max(1.0f, size.y - cueHeight(f))), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  f.targets.beginScrolling();
}

void endScrollArea(Frame& f) {
  f.targets.endScrolling();
  const float y = ImGui::GetScrollY(), maxY = ImGui::GetScrollMaxY();
  const ImVec2 min = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  ImGui::EndChild();
  if (maxY <= 1) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Where the page is: a thin bar along the right edge, in the margin (a picture, not something to drag).
  const float x = min.x + size.x + std::min(f.type.margin * 0.4f, 14.0f), thumb = std::max(size.y * size.y / (size.y + maxY), 40.0f);
  const float top = min.y + (size.y - thumb) * (y / maxY);
  dl->AddRectFilled(ImVec2(x, min.y), ImVec2(x + 6, min.y + size.y), IM_COL32(0xD0, 0xD7, 0xE2, 255), 3);
  dl->AddRectFilled(ImVec2(x, top), ImVec2(x + 6, top + thumb), colour::kSecondary, 3);
  // Below the area, in its own strip: there is more further down (words, not colour alone).
  if (y < maxY - 1) {
    const std::string cue = f.s("scroll.more");
    const ImVec2 ts = measure(f, f.fonts.secondary, cue);
    const float cy = min.y + size.y + 4, cx = min.x + (size.x - ts.x) / 2;
    const float chev = f.fonts.secondary->FontSize * 0.35f;
    chevron(dl, ImVec2(cx - chev * 2.5f, cy + ts.y / 2), chev, true, colour::kSecondary);
    chevron(dl, ImVec2(cx + ts.x + chev * 2.5f, cy + ts.y / 2), chev, true, colour::kSecondary);
    drawText(f, f.fonts.secondary, ImVec2(cx, cy), colour::kSecondary, cue);
  }
}

// ---------------------------------------------------------------- header, bars, dialogs

float header(Frame& f, const std::string& left, const std::string& right, float progress) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float m = f.type.margin, g = f.type.gap, pad = std::max(10.0f, g * 0.6f);
  const float barW = progress >= 0 ? std::max(f.width() * 0.12f, 100.0f) : 0;
  const ImVec2 rs = measure(f, f.fonts.body, right);
  const float rightW = rs.x + (barW > 0 ? barW + g : 0);
  const float full = f.width() - 2 * m;
  const float beside = full - (rightW > 0 ? rightW + 2 * g : 0);
  const bool oneRow = beside >= f.width() * 0.45f;
  const float leftWrap = oneRow ? beside : full;
  const ImVec2 ls = measure(f, f.fonts.question, left, leftWrap);
  const float rowH = std::max(f.fonts.question->FontSize, f.fonts.body->FontSize);
  const float contentH = oneRow ? std::max(ls.y, rowH) : ls.y + g * 0.5f + std::max(rs.y, f.fonts.body->FontSize);
  const float h = std::max(contentH + 2 * pad, f.type.question * 1.9f);
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(f.width(), h), colour::kPrimary);
  const float leftY = oneRow ? (h - ls.y) / 2 : pad;
  drawText(f, f.fonts.question, ImVec2(m, leftY), colour::kWhite, left, leftWrap);
  if (rightW > 0) {
    const float ry = oneRow ? (h - rs.y) / 2 : pad + ls.y + g * 0.5f;
    const float rx = oneRow ? f.width() - m - rightW : m;
    drawText(f, f.fonts.body, ImVec2(rx, ry), colour::kWhite, right);
    if (barW > 0) {
      const float bx = rx + rs.x + g, by = ry + rs.y / 2 - 8;
      dl->AddRectFilled(ImVec2(bx, by), ImVec2(bx + barW, by + 16), IM_COL32(255, 255, 255, 90), 8);
      dl->AddRectFilled(ImVec2(bx, by), ImVec2(bx + barW * std::clamp(progress, 0.0f, 1.0f), by + 16), colour::kWhite, 8);
    }
  }
  ImGui::SetCursorPos(ImVec2(m, h + g));
  return h;
}

void adminCorner(Frame& f) {
  const ImVec2 keep = ImGui::GetCursorPos();
  ImGui::SetCursorPos(ImVec2(0, 0));
  const float side = std::max(f.type.target, f.type.question * 1.9f);
  if (ImGui::InvisibleButton("##corner", ImVec2(side, side)) && !f.suppressClicks) f.emit(command::AdminCorner{});
  f.targets.add("__admin_corner", ImVec2(0, 0), ImVec2(side, side), TouchTargets::Kind::Hidden);
  ImGui::SetCursorPos(keep);
}

namespace {
struct BarLayout {
  int rows = 0;
  float height = 0;
  float widths[3] = {0, 0, 0};
};

BarLayout layoutBar(Frame& f, const std::optional<BarButton>* buttons) {
  BarLayout l;
  const float full = f.width() - 2 * f.type.margin, g = f.type.gap;
  int n = 0;
  float need = 0;
  for (int i = 0; i < 3; ++i)
    if (buttons[i]) {
      ++n;
      l.widths[i] = std::max(std::min(full * 0.3f, (full - 2 * g) / 3), tileWidth(f, buttons[i]->label, f.fonts.body));
      need += l.widths[i];
    }
  l.rows = n == 0 ? 0 : need + (n - 1) * g <= full ? 1 : 2;
  if (l.rows == 2) {
    // The way on (right) takes the whole bottom row; the others share the row above.
    const int above = (buttons[0] ? 1 : 0) + (buttons[1] ? 1 : 0);
    for (int i = 0; i < 2; ++i)
      if (buttons[i]) l.widths[i] = above == 2 ? (full - g) / 2 : full;
    if (buttons[2]) l.widths[2] = full;
    if (!buttons[2] || above == 0) l.rows = 1;
  }
  l.height = l.rows == 0 ? 0 : l.rows * f.type.primaryButton + (l.rows - 1) * g + f.type.margin;
  return l;
}
}  // namespace

float bottomBarHeight(Frame& f, const std::optional<BarButton>& left, const std::optional<BarButton>& middle,
                      const std::optional<BarButton>& right) {
  const std::optional<BarButton> buttons[3] = {left, middle, right};
  return layoutBar(f, buttons).height;
}

void bottomBar(Frame& f, const std::optional<BarButton>& left, const std::optional<BarButton>& middle,
               const std::optional<BarButton>& right) {
  const std::optional<BarButton> buttons[3] = {left, middle, right};
  const BarLayout l = layoutBar(f, buttons);
  const float m = f.type.margin, g = f.type.gap, P = f.type.primaryButton;
  const float bottomY = f.height() - m - P;
  auto place = [&](int i, float x, float y) {
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    const BarButton& b = *buttons[i];
    const TileStyle style = i == 2 && b.style == TileStyle::Outline ? TileStyle::Primary : b.style;
    if (tile(f, b.id, b.label, ImVec2(l.widths[i], P), style, f.fonts.body)) f.emit(b.command);
  };
  if (l.rows <= 1) {
    if (left) place(0, m, bottomY);
    if (middle) place(1, left ? (f.width() - l.widths[1]) / 2 : m, bottomY);
    if (right) place(2, f.width() - m - l.widths[2], bottomY);
    return;
  }
  const float aboveY = bottomY - g - P;
  if (left) place(0, m, aboveY);
  if (middle) place(1, left ? m + l.widths[0] + g : m, aboveY);
  place(2, m, bottomY);
}

namespace {
// Wide enough for its word and, when chosen, the check mark beside it.
float languageToggleWidth(Frame& f) {
  float w = f.type.target * 1.4f;
  for (const char* key : {"lang.zhcn", "lang.zhtw", "lang.en"})
    w = std::max(w, tileWidth(f, f.s(key), f.fonts.body) + checkWidth(f, f.type.target));
  return w;
}
}  // namespace

float languageBarHeight(Frame& f) {
  const float full = f.width() - 2 * f.type.margin;
  const float need = 3 * languageToggleWidth(f) + 3 * f.type.gap + tileWidth(f, f.s("elderly"), f.fonts.body) + checkWidth(f, f.type.target);
  return (need <= full ? 1 : 2) * (f.type.target + f.type.gap) - f.type.gap + f.type.margin;
}

void languageBar(Frame& f, bool withElderly) {
  const float w = languageToggleWidth(f), T = f.type.target, m = f.type.margin, g = f.type.gap;
  const std::string elder = f.s("elderly");
  const float ew = tileWidth(f, elder, f.fonts.body) + checkWidth(f, T);
  const bool twoRows = withElderly && 3 * w + 3 * g + ew > f.width() - 2 * m;
  const float y = f.height() - m - T;
  ImGui::SetCursorScreenPos(ImVec2(m, twoRows ? y - g - T : y));
  for (const auto& [loc, key] : {std::pair<const char*, const char*>{"zh-cn", "lang.zhcn"}, {"zh-tw", "lang.zhtw"}, {"en", "lang.en"}}) {
    const bool on = f.state.locale == loc;
    if (tile(f, loc, f.s(key), ImVec2(w, T), on ? TileStyle::Selected : TileStyle::Key, f.fonts.body, 0, on))
      f.emit(command::SetLocale{loc});
    ImGui::SameLine(0, g);
  }
  if (!withElderly) return;
  ImGui::SetCursorScreenPos(ImVec2(twoRows ? m : f.width() - m - ew, y));
  if (tile(f, "elderly", elder, ImVec2(twoRows ? f.width() - 2 * m : ew, T), f.state.elderly ? TileStyle::Selected : TileStyle::Key,
           f.fonts.body, 0, f.state.elderly))
    f.emit(command::ToggleElderly{});
}

void dialog(Frame& f, const std::string& title, const std::string& body, const BarButton& primary,
            const std::optional<BarButton>& secondary) {
  const float m = f.type.margin, g = f.type.gap, P = f.type.primaryButton;
  const float w = std::min(f.width() - 2 * m, std::max(f.width() * 0.6f, f.type.target * 8));
  const float inner = w - 2 * m;
  const ImVec2 ts = measure(f, f.fonts.title, title, inner), bs = measure(f, f.fonts.body, body, inner);
  // Two buttons side by side when their words fit, else one above the other; the way back is the big one.
  const bool stacked = secondary && tileWidth(f, primary.label, f.fonts.entry) + tileWidth(f, secondary->label, f.fonts.body) + g > inner;
  const float buttonsH = secondary && stacked ? P * 1.2f + g + P : P * 1.2f;
  const float h = std::min(f.height() - 2 * m, m + ts.y + g + bs.y + 2 * g + buttonsH + m);
  const ImVec2 p((f.width() - w) / 2, (f.height() - h) / 2);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), colour::kCard, 16);
  dl->AddRect(p, ImVec2(p.x + w, p.y + h), colour::kCardBorder, 16, 0, 2);
  drawText(f, f.fonts.title, ImVec2(p.x + m, p.y + m), colour::kText, title, inner);
  drawText(f, f.fonts.body, ImVec2(p.x + m, p.y + m + ts.y + g), colour::kSecondary, body, inner);
  const float by = p.y + h - m - buttonsH;
  if (secondary && !stacked) {
    const float sw = tileWidth(f, secondary->label, f.fonts.body);
    ImGui::SetCursorScreenPos(ImVec2(p.x + m, by));
    if (tile(f, secondary->id, secondary->label, ImVec2(sw, P * 1.2f), secondary->style, f.fonts.body)) f.emit(secondary->command);
    ImGui::SetCursorScreenPos(ImVec2(p.x + m + sw + g, by));
    if (tile(f, primary.id, primary.label, ImVec2(inner - sw - g, P * 1.2f), primary.style, f.fonts.entry)) f.emit(primary.command);
    return;
  }
  ImGui::SetCursorScreenPos(ImVec2(p.x + m, by));
  if (tile(f, primary.id, primary.label, ImVec2(inner, P * 1.2f), primary.style, f.fonts.entry)) f.emit(primary.command);
  if (secondary) {
    ImGui::SetCursorScreenPos(ImVec2(p.x + m, by + P * 1.2f + g));
    if (tile(f, secondary->id, secondary->label, ImVec2(inner, P), secondary->style, f.fonts.body)) f.emit(secondary->command);
  }
}

// ---------------------------------------------------------------- pictures

void face(ImDrawList* dl, ImVec2 c, float r, float mood, ImU32 col) {
  dl->AddCircleFilled(c, r, col, 48);
  const float eye = r * 0.11f;
  dl->AddCircleFilled(ImVec2(c.x - r * 0.35f, c.y - r * 0.22f), eye, colour::kWhite);
  dl->AddCircleFilled(ImVec2(c.x + r * 0.35f, c.y - r * 0.22f), eye, colour::kWhite);
  const float my = c.y + r * 0.35f, w = r * 0.45f, bend = mood * r * 0.28f;
  for (int i = 0; i <= 16; ++i) {
    const float t = i / 16.0f * 2 - 1;  // -1..1
    dl->PathLineTo(ImVec2(c.x + t * w, my + bend * (1 - t * t) - bend * 0.3f));  // happy: the middle dips (y grows down)
  }
  dl->PathStroke(colour::kWhite, 0, r * 0.1f);
}

std::pair<ImU32, float> moodOf(size_t index, size_t count, bool bestFirst) {
  static const ImU32 palette[] = {colour::kVeryUnsatisfied, colour::kUnsatisfied, colour::kBasicallySatisfied,
                                  colour::kSatisfied};
  const float t = count > 1 ? static_cast<float>(bestFirst ? count - 1 - index : index) / (count - 1) : 1.0f;
  const size_t slot = static_cast<size_t>(std::lround(t * 3));
  return {palette[std::min<size_t>(slot, 3)], t * 2 - 1};
}

bool bestFirst(const std::vector<core::ChoiceView>& items) {
  std::vector<core::Json> scale;
  scale.reserve(items.size());
  for (const core::ChoiceView& c : items) scale.push_back(c.value);
  return core::satisfaction::runsBestFirst(scale);
}

void star(ImDrawList* dl, ImVec2 c, float r, bool filled) {
  ImVec2 pts[10];
  for (int i = 0; i < 10; ++i) {
    const float a = -IM_PI / 2 + i * IM_PI / 5, rr = i % 2 ? r * 0.45f : r;
    pts[i] = ImVec2(c.x + std::cos(a) * rr, c.y + std::sin(a) * rr);
  }
  if (filled) dl->AddConvexPolyFilled(pts, 10, colour::kPrimary);  // concave, but ImGui fills it acceptably
  dl->AddPolyline(pts, 10, colour::kPrimary, ImDrawFlags_Closed, 3);
}

}  // namespace minyi::ui
