// The on-screen keyboards as drawn: keys in rows that keep every key a full touch target (narrow panels get
// the narrow arrangement), the pinyin candidate bar with its paging, the handwriting pad and its candidates.
//
// Index: geometry and narrowKeys (key sizes); keyRow; candidateBar (pinyin, with paging); writingPad (the
// finger's strokes as Pen commands); candidateGrid (handwriting); keyboardHeight; keyboardPanel (the whole).
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "draw.h"

namespace minyi::ui {

using core::Json;

namespace {

struct KeyboardGeometry {
  float x0, x1;  // the keys' left and right edges
  float pad;     // between keys
  float rowH;    // a row of keys
};

float rowUnits(const input::KeyRow& row) {
  float u = 0;
  for (const auto& k : row) u += k.width;
  return u;
}

// Margins and gaps shrink before a key would become narrower than a touch target.
KeyboardGeometry geometry(const Frame& f, float maxUnits) {
  KeyboardGeometry g{f.type.margin, f.width() - f.type.margin, f.type.gap * 0.5f, f.type.target};
  auto unit = [&] { return (g.x1 - g.x0 + g.pad) / maxUnits - g.pad; };
  if (unit() < f.type.minTarget) {
    g.pad = 3;
    g.x0 = 6;
    g.x1 = f.width() - 6;
  }
  return g;
}

// The narrow arrangement (no row wider than 10 keys) when the wide one would make a key narrower than a
// finger: portrait panels, and any panel configured small for its pixels.
bool narrowKeys(const Frame& f, const input::Keyboard& kb) {
  float units = 0;
  for (const auto& row : kb.keys(false)) units = std::max(units, rowUnits(row));
  const float pad = f.type.gap * 0.5f;
  return (f.width() - 2 * f.type.margin + pad) / units - pad < f.type.minTarget;
}

size_t rowsOnScreen(const Frame& f, const input::Keyboard& kb) {
  size_t rows = kb.keys(narrowKeys(f, kb)).size();
  if (kb.mode() == input::Mode::Pinyin) rows += 1;       // the candidate bar
  if (kb.mode() == input::Mode::Handwriting) rows += 2;  // two rows of candidates beside the pad
  return rows;
}

float noteHeight(const Frame& f) { return f.fonts.body->FontSize + f.type.gap * 0.5f; }

// The last `n` characters of a UTF-8 text, with … in front when there were more.
std::string lastCharacters(const std::string& text, int n) {
  size_t at = text.size();
  for (int count = 0; at > 0 && count < n;) {
    --at;
    if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80) ++count;
  }
  return at == 0 ? text : "…" + text.substr(at);
}

// Draws a row of keys from x0 to x1 at y, each k units wide.
void keyRow(Frame& f, const input::Keyboard& kb, const input::KeyRow& row, size_t r, float x0, float x1, float y, float rowH,
            float maxUnits, float pad) {
  const float unit = (x1 - x0 + pad) / maxUnits - pad;
  float rowWidth = -pad;  // a key k units wide also spans the k-1 gaps it covers
  for (const auto& k : row) rowWidth += k.width * unit + (k.width - 1) * pad + pad;
  float x = x0 + (x1 - x0 - rowWidth) / 2;
  const std::vector<std::string> cands = kb.candidates();
  for (size_t c = 0; c < row.size(); ++c) {
    const input::Key& k = row[c];
    const float w = k.width * unit + (k.width - 1) * pad;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    std::string label = k.label.rfind("kbd.", 0) == 0 ? f.s(k.label.c_str()) : k.label;
    // While a word is being composed, space takes its first candidate: the key says which, never silently.
    const bool takes = k.action == input::Key::Action::Space && kb.composing() && !cands.empty();
    if (takes) label = f.s("kbd.spaceTakes", {cands.front()});
    const std::string id = "key" + std::to_string(r) + "_" + std::to_string(c);
    const bool on = k.action == input::Key::Action::Shift && kb.shifted();
    const TileStyle style = k.action == input::Key::Action::Done ? TileStyle::Primary
                            : k.action == input::Key::Action::Clear ? TileStyle::Danger
                            : on || takes ? TileStyle::Selected
                                          : TileStyle::Key;
    f.keepFont = takes;  // a candidate may hold characters only the body font has
    if (tile(f, id.c_str(), label, ImVec2(w, rowH), style, f.fonts.body))
      f.emit(command::KeyPress{k.id()});
    f.keepFont = false;
    x += w + pad;
  }
}

// The candidate bar: ‹ prev, as many candidates as fit from the page start, next ›. Each candidate is a
// target labelled with its own text; CandidatePage "next:N" says how many were shown.
void candidateBar(Frame& f, const input::Keyboard& kb, const std::vector<std::string>& cands, float x0, float x1, float y, float h,
                  float pad) {
  const float navW = std::max(f.type.minTarget, std::max(tileWidth(f, f.s("kbd.prevPage"), f.fonts.body), tileWidth(f, f.s("kbd.nextPage"), f.fonts.body)));
  float x = x0 + navW + pad;
  const float right = x1 - navW - pad;
  size_t shown = 0;
  f.keepFont = true;  // candidates are drawn only in the body font, the one atlas that holds them all
  for (size_t i = kb.pageStart(); i < cands.size(); ++i) {
    // Room for the text and the tile's padding on both sides: a phrase never wraps onto two lines.
    const float w = std::max(f.type.minTarget, tileWidth(f, cands[i], f.fonts.body));
    if (x + w > right) break;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    const std::string id = "cand" + std::to_string(i);
    // The first candidate is what space and punctuation would take: shown as selected (border + fill).
    if (tile(f, id.c_str(), cands[i], ImVec2(w, h), i == 0 ? TileStyle::Selected : TileStyle::Key, f.fonts.body))
      f.emit(command::Candidate{i});
    x += w + pad;
    ++shown;
  }
  f.keepFont = false;
  const bool more = kb.pageStart() + shown < cands.size();
  if (kb.hasPrevPage()) {
    ImGui::SetCursorScreenPos(ImVec2(x0, y));
    if (tile(f, "candPrev", f.s("kbd.prevPage"), ImVec2(navW, h), TileStyle::Outline, f.fonts.body))
      f.emit(command::CandidatePage{command::CandidatePage::Way::Previous, 0});
  }
  if (more) {
    ImGui::SetCursorScreenPos(ImVec2(x1 - navW, y));
    if (tile(f, "candNext", f.s("kbd.nextPage"), ImVec2(navW, h), TileStyle::Outline, f.fonts.body))
      f.emit(command::CandidatePage{command::CandidatePage::Way::Next, shown});
  }
}

// The writing pad: a square with a 田 grid, the strokes so far, the one under the finger. The finger's
// path goes to the app as Pen commands (down / move / up) in pad units (0..1).
void writingPad(Frame& f, const input::Keyboard& kb, ImVec2 p, float side) {
  const ImVec2 q(p.x + side, p.y + side);
  ImGui::SetCursorScreenPos(p);
  ImGui::InvisibleButton("##pad", ImVec2(side, side));
  const int owner = f.targets.add(f.s("kbd.pad"), p, q);
  ImGuiIO& io = ImGui::GetIO();
  const auto unitPoint = [&](ImVec2 m) {
    return input::PenPoint{std::clamp((m.x - p.x) / side, 0.0f, 1.0f), std::clamp((m.y - p.y) / side, 0.0f, 1.0f)};
  };
  // Every place the finger passed since the last frame, not only where it is now: curves stay curves.
  const std::vector<ImVec2>& path = f.path.points;
  if (ImGui::IsItemActivated()) {
    f.emit(command::Pen{command::PenPhase::Down, unitPoint(path.empty() ? io.MousePos : path.front())});
    for (size_t i = 1; i < path.size(); ++i) f.emit(command::Pen{command::PenPhase::Move, unitPoint(path[i])});
  } else if (ImGui::IsItemActive()) {
    for (const ImVec2& m : path) f.emit(command::Pen{command::PenPhase::Move, unitPoint(m)});
  }
  if (ImGui::IsItemDeactivated()) f.emit(command::Pen{command::PenPhase::Up, unitPoint(io.MousePos)});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, q, colour::kCard, 6);
  dl->AddRect(p, q, colour::kPrimary, 6, 0, 3);
  // The 田 grid writing paper has: a guide for where a character sits, drawn light so strokes stand out.
  const ImU32 guide = colour::kCardBorder;
  for (float t = 0; t < side; t += 24) {
    dl->AddLine(ImVec2(p.x + t, p.y + side / 2), ImVec2(p.x + std::min(t + 12, side), p.y + side / 2), guide, 2);
    dl->AddLine(ImVec2(p.x + side / 2, p.y + t), ImVec2(p.x + side / 2, p.y + std::min(t + 12, side)), guide, 2);
  }
  const input::HandwritingSession* s = kb.pad();
  if (!s) return;
  const float thick = std::max(6.0f, side / 60);
  const auto draw = [&](const input::Stroke& st) {
    if (st.size() == 1) dl->AddCircleFilled(ImVec2(p.x + st[0].x * side, p.y + st[0].y * side), thick / 2, colour::kText);
    for (size_t i = 1; i < st.size(); ++i)
      dl->AddLine(ImVec2(p.x + st[i - 1].x * side, p.y + st[i - 1].y * side), ImVec2(p.x + st[i].x * side, p.y + st[i].y * side),
                  colour::kText, thick);
  };
  for (const auto& st : s->strokes()) draw(st);
  draw(s->current());
  if (!s->writing()) {
    const std::string hint = f.s("kbd.padHint");
    const float wrap = side - 16;
    const ImVec2 ts = measure(f, f.fonts.secondary, hint, wrap);
    drawText(f, f.fonts.secondary, ImVec2(p.x + (side - ts.x) / 2, q.y - ts.y - 12), colour::kSecondary, hint, wrap, owner);
  }
}

// Handwriting candidates: a grid beside the pad (2 rows), best first; no paging. In the body font: the only
// size whose atlas holds every character a candidate can be.
void candidateGrid(Frame& f, const std::vector<std::string>& cands, float x0, float x1, float y, float rowH, float pad, int columns) {
  const float w = (x1 - x0 - pad * (columns - 1)) / columns;
  f.keepFont = true;
  for (size_t i = 0; i < cands.size() && i < static_cast<size_t>(2 * columns); ++i) {
    ImGui::SetCursorScreenPos(ImVec2(x0 + (i % columns) * (w + pad), y + (i / columns) * (rowH + pad)));
    const std::string id = "cand" + std::to_string(i);
    if (tile(f, id.c_str(), cands[i], ImVec2(w, rowH), i == 0 ? TileStyle::Selected : TileStyle::Key, f.fonts.body))
      f.emit(command::Candidate{i});
  }
  f.keepFont = false;
}

}  // namespace

// The bottom part of the screen: ~45 % of it, or what it takes for every row of keys to be a full touch
// target (taller on small panels); handwriting takes more for its pad.
float keyboardHeight(Frame& f) {
  if (!f.state.keyboard) return 0;
  const input::Keyboard& kb = *f.state.keyboard;
  const float pad = f.type.gap * 0.5f;
  const float rows = static_cast<float>(rowsOnScreen(f, kb));
  const float needed = rows * (f.type.target + pad) + noteHeight(f) + 2 * pad;
  const float least = rows * (f.type.minTarget + pad) + noteHeight(f) + 2 * pad;
  const float share = kb.mode() == input::Mode::Handwriting ? 0.55f : 0.45f;
  return std::max(least, std::min(f.height() * 0.7f, std::max(f.height() * share, needed)));
}

void keyboardPanel(Frame& f) {
  const input::Keyboard& kb = *f.state.keyboard;
  const float h = keyboardHeight(f), top = f.height() - h;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(0, top), ImVec2(f.width(), f.height()), colour::kCardBorder);
  const bool narrow = narrowKeys(f, kb);
  const auto rows = kb.keys(narrow);
  float maxUnits = 0;
  for (const auto& row : rows) maxUnits = std::max(maxUnits, rowUnits(row));
  const KeyboardGeometry g = geometry(f, kb.mode() == input::Mode::Handwriting ? std::max(rowUnits(rows.back()), 12.0f) : maxUnits);
  const float pad = g.pad;
  const int left = f.state.screen == Screen::AdminPin ? -1 : kb.buffer().remaining();  // a PIN has no "left"
  float y = top + pad;
  // The characters left, then the letters being composed (boxed and underlined like an input method's
  // preedit), in the body font: pinyin turns into characters only that atlas holds (坏le, not ?le).
  {
    float x = g.x0;
    if (left >= 0) {
      const std::string note = left == 0 ? f.s("kbd.full") : f.s("kbd.remaining", {std::to_string(left)});
      const ImVec2 ns = drawText(f, f.fonts.secondary, ImVec2(x, y + (f.fonts.body->FontSize - f.fonts.secondary->FontSize) / 2),
                                 left == 0 ? colour::kErrorText : colour::kText, note);
      x += ns.x + f.type.gap * 2;
    }
    // The end of what was typed, right above the keys: on a short panel the field itself may be scrolled
    // above the keyboard's reach of the eye (never for a PIN, which is shown only as dots).
    if (left >= 0 && !kb.buffer().text().empty()) {
      const std::string tail = lastCharacters(kb.buffer().text(), 24);
      const ImVec2 ts = measure(f, f.fonts.body, tail);
      if (x + ts.x + f.type.gap < g.x1 * 0.7f) {
        drawText(f, f.fonts.body, ImVec2(x, y), colour::kText, tail);
        x += ts.x + 4;
      }
    }
    const std::string preedit = kb.preedit();
    if (!preedit.empty()) {
      const ImVec2 ts = measure(f, f.fonts.body, preedit);
      dl->AddRectFilled(ImVec2(x - 8, y - 2), ImVec2(x + ts.x + 8, y + ts.y + 2), colour::kCard, 4);
      drawText(f, f.fonts.body, ImVec2(x, y), colour::kPrimary, preedit);
      dl->AddLine(ImVec2(x, y + ts.y), ImVec2(x + ts.x, y + ts.y), colour::kPrimary, 2);
    }
    y += noteHeight(f);
  }
  const float rowH = std::max(f.type.minTarget, (f.height() - y - pad) / static_cast<float>(rowsOnScreen(f, kb)) - pad);
  if (kb.mode() == input::Mode::Handwriting) {
    // Pad on the left, as big as the panel allows; candidates and the pad's keys on the right; punctuation
    // (narrow: under the pad) and the mode/space/clear/done row across the bottom.
    const size_t below = narrow ? 2 : 1;
    const size_t besides = rows.size() - below;  // key rows beside the pad, under two rows of candidates
    const float bottomY = f.height() - pad - below * (rowH + pad) + pad;
    const float side = std::min(bottomY - pad - y, (g.x1 - g.x0) * 0.45f);
    writingPad(f, kb, ImVec2(g.x0, y), side);
    const float rx0 = g.x0 + side + f.type.gap;
    candidateGrid(f, kb.candidates(), rx0, g.x1, y, rowH, pad, narrow ? 4 : 5);
    float ry = y + 2 * (rowH + pad);
    const size_t first = narrow ? 1 : 0;  // narrow: the punctuation row goes under the pad
    float sideUnits = 0;
    for (size_t r = first; r < first + besides; ++r) sideUnits = std::max(sideUnits, rowUnits(rows[r]));
    for (size_t r = first; r < first + besides; ++r) {
      keyRow(f, kb, rows[r], r, rx0, g.x1, ry, rowH, sideUnits, pad);
      ry += rowH + pad;
    }
    float by = bottomY;
    if (narrow) {
      keyRow(f, kb, rows[0], 0, g.x0, g.x1, by, rowH, std::max(rowUnits(rows[0]), 8.0f), pad);
      by += rowH + pad;
    }
    keyRow(f, kb, rows.back(), rows.size() - 1, g.x0, g.x1, by, rowH, std::max(rowUnits(rows.back()), narrow ? 10.0f : 12.0f), pad);
    return;
  }
  if (kb.mode() == input::Mode::Pinyin) {
    candidateBar(f, kb, kb.candidates(), g.x0, g.x1, y, rowH, pad);
    y += rowH + pad;
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    keyRow(f, kb, rows[r], r, g.x0, g.x1, y, rowH, maxUnits, pad);
    y += rowH + pad;
  }
}

}  // namespace minyi::ui
