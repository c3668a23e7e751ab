// The kiosk's screens: attract, form list, form pages with a touch widget per question type, review, thank-you.
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <optional>
#include <cfloat>
#include <unordered_map>
#include <cmath>
#include <cstring>
#include <regex>

#include "minyi/ui/theme.h"
#include "minyi/ui/qr.h"
#include "minyi/ui/text_wrap.h"
#include "minyi/ui/view.h"

namespace minyi::ui {

using core::ChoiceView;
using core::Element;
using core::ElementType;
using core::Json;
using core::QuestionRef;

namespace {

// Per-frame drawing context: fonts, sizes, targets, the commands produced.
struct Frame {
  const ViewState& state;
  const Fonts& fonts;
  const TypeScale& type;
  TouchTargets& targets;
  const PointerPath& path;
  std::vector<Command> commands;
  bool suppressClicks = false;  // the finger dragged the page: its release is not a tap

  std::string s(const char* key, const std::vector<std::string>& args = {}) const {
    return state.strings ? state.strings->get(state.locale, key, args) : key;
  }
  void emit(Command::Kind kind, std::string text = {}) { commands.push_back(Command{kind, std::move(text), {}, {}}); }
  void setValue(const QuestionRef& q, Json v) { commands.push_back(Command{Command::Kind::SetValue, {}, q, std::move(v)}); }
};

// A scrolling area's id, new for every visit and form session: each starts at the top.
std::string childId(const Frame& f, const char* name) { return std::string(name) + "#" + std::to_string(f.state.sessionSerial); }

enum class TileStyle { Card, Primary, Complaint, Outline, Selected, Key };

// A tile: the whole rectangle is the target; pressed darkens at once, acts on release; selected tiles get
// a thicker border and a check mark, so colour is never the only signal.
bool tile(Frame& f, const char* id, const std::string& label, ImVec2 size, TileStyle style, ImFont* font,
          ImU32 fillOverride = 0, bool check = false, const std::string& hint = {}) {
  ImGui::PushID(id);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton("##tile", size) && !f.suppressClicks;
  const bool pressed = ImGui::IsItemActive();
  ImGui::PopID();
  const ImVec2 q(p.x + size.x, p.y + size.y);
  f.targets.add(label, p, q);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float rounding = f.type.gap * 0.5f;
  ImU32 fill = colour::kCard, text = colour::kText, border = colour::kCardBorder;
  float borderWidth = 2;
  switch (style) {
    case TileStyle::Primary: fill = colour::kPrimary; text = colour::kWhite; border = fill; break;
    case TileStyle::Complaint: fill = colour::kComplaint; text = colour::kWhite; border = fill; break;
    case TileStyle::Outline: border = colour::kPrimary; text = colour::kPrimary; borderWidth = 3; break;
    case TileStyle::Selected: fill = colour::kSelectedLight; border = colour::kPrimary; borderWidth = 5; break;
    case TileStyle::Card:
    case TileStyle::Key: break;
  }
  if (fillOverride) {
    fill = fillOverride;
    text = colour::kWhite;
    if (style != TileStyle::Selected) border = fill;
  }
  dl->AddRectFilled(p, q, fill, rounding);
  if (pressed) dl->AddRectFilled(p, q, colour::kPressedShade, rounding);
  dl->AddRect(p, q, border, rounding, 0, borderWidth);
  float textLeft = p.x + f.type.gap;
  if (check) {
    // A drawn check mark: the font subset need not hold ✓.
    const float h = size.y, cx = p.x + f.type.gap + h * 0.2f, cy = p.y + h * 0.5f, r = std::min(h * 0.22f, 28.0f);
    dl->AddCircleFilled(ImVec2(cx, cy), r, colour::kPrimary);
    dl->PathLineTo(ImVec2(cx - r * 0.5f, cy));
    dl->PathLineTo(ImVec2(cx - r * 0.1f, cy + r * 0.4f));
    dl->PathLineTo(ImVec2(cx + r * 0.55f, cy - r * 0.45f));
    dl->PathStroke(colour::kWhite, 0, r * 0.28f);
    textLeft = cx + r + f.type.gap * 0.6f;
  }
  ImGui::PushFont(font);
  const float wrap = q.x - textLeft - f.type.gap;
  ImVec2 ts = ImGui::CalcTextSize(label.c_str(), nullptr, false, wrap);
  float hintH = 0;
  if (!hint.empty()) {
    ImGui::PushFont(f.fonts.secondary);
    hintH = ImGui::CalcTextSize(hint.c_str(), nullptr, false, wrap).y;
    ImGui::PopFont();
  }
  const bool centred = style == TileStyle::Primary || style == TileStyle::Complaint || style == TileStyle::Outline ||
                       style == TileStyle::Key || (fillOverride && hint.empty());
  float tx = centred && !check ? p.x + (size.x - ts.x) / 2 : textLeft;
  float ty = p.y + (size.y - ts.y - (hintH ? hintH + 8 : 0)) / 2;
  dl->AddText(font, font->FontSize, ImVec2(tx, ty), text, label.c_str(), nullptr, wrap);
  ImGui::PopFont();
  if (!hint.empty()) {
    dl->AddText(f.fonts.secondary, f.fonts.secondary->FontSize, ImVec2(tx, ty + ts.y + 8),
                fillOverride || style == TileStyle::Primary || style == TileStyle::Complaint ? colour::kWhite
                                                                                             : colour::kSecondary,
                hint.c_str(), nullptr, wrap);
  }
  return clicked;
}

// Wrapped text in a font and colour, advancing the cursor.
// Wrapped text with the Chinese line-breaking rule (text_wrap.h). The breaks of a paragraph are kept between
// frames: a page redraws the same paragraphs many times.
const std::string& wrapped(ImFont* font, const std::string& s, float width) {
  static std::unordered_map<std::string, std::string> cache;
  std::string key = std::to_string(reinterpret_cast<uintptr_t>(font)) + "|" + std::to_string(static_cast<int>(width)) + "|" + s;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() > 1024) cache.clear();  // a long day of different notices and answers: start over
  std::string lines = wrapText(s, width, [font](std::string_view piece) {
    return font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.0f, piece.data(), piece.data() + piece.size()).x;
  });
  return cache.emplace(std::move(key), std::move(lines)).first->second;
}

void text(Frame& f, ImFont* font, const std::string& s, ImU32 col = colour::kText, float wrapWidth = 0) {
  if (s.empty()) return;
  ImGui::PushFont(font);
  ImGui::PushStyleColor(ImGuiCol_Text, col);
  if (wrapWidth > 0) {
    ImGui::PushTextWrapPos(-1.0f);  // our breaks only: ImGui's own would break before a comma
    ImGui::TextUnformatted(wrapped(font, s, wrapWidth).c_str());
  } else {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(s.c_str());
  }
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::PopFont();
  (void)f;
}

// The html question and thank-you texts: tags become line breaks, entities their characters.
std::string plainText(const std::string& html) {
  static const std::regex breaks(R"(<\s*(br|/p|/h[1-6]|/li|/div)\s*/?>)", std::regex::icase);
  static const std::regex tags(R"(<[^>]*>)");
  std::string s = std::regex_replace(html, breaks, "\n");
  s = std::regex_replace(s, tags, "");
  for (auto [from, to] : {std::pair<const char*, const char*>{"&nbsp;", " "}, {"&lt;", "<"}, {"&gt;", ">"},
                          {"&quot;", "\""}, {"&amp;", "&"}}) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + 1)) s.replace(pos, strlen(from), to);
  }
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A face for the quick rating and smiley ratings: mouth curve from -1 (sad) to +1 (happy).
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

// Colour and mood of a satisfaction value, by its position on the scale (worst first or best first).
std::pair<ImU32, float> moodOf(size_t index, size_t count, bool bestFirst) {
  static const ImU32 palette[] = {colour::kVeryUnsatisfied, colour::kUnsatisfied, colour::kBasicallySatisfied,
                                  colour::kSatisfied};
  const float t = count > 1 ? static_cast<float>(bestFirst ? count - 1 - index : index) / (count - 1) : 1.0f;
  const size_t slot = static_cast<size_t>(std::lround(t * 3));
  return {palette[std::min<size_t>(slot, 3)], t * 2 - 1};
}

bool bestFirst(const std::vector<ChoiceView>& items) {
  return !items.empty() && items.front().value.is_string() && items.front().value.get<std::string>().find("very_satisfied") == 0;
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

// ---------------------------------------------------------------- question widgets

// A multi-select answer with `choice` added, or removed when it was there (tap to pick, tap again to undo).
Json toggled(const Json& value, const Json& choice) {
  Json next = value.is_array() ? value : Json::array();
  auto it = std::find_if(next.begin(), next.end(), [&](const Json& v) { return core::values::equal(v, choice); });
  if (it != next.end()) next.erase(it);
  else next.push_back(choice);
  return next;
}

bool isSelected(const Json& value, const Json& choice) {
  if (value.is_array()) return std::any_of(value.begin(), value.end(), [&](const Json& v) { return core::values::equal(v, choice); });
  return !value.is_null() && core::values::equal(value, choice);
}

void textField(Frame& f, const QuestionRef& q, const std::string& id, const std::string& current,
               const std::string& placeholder, bool comment, bool isComment);

void choiceTiles(Frame& f, const QuestionRef& q, const std::vector<ChoiceView>& choices, bool multi, float width) {
  const core::Session& s = *f.state.session;
  const Json value = s.value(q);
  const int columns = choices.size() > 6 ? 2 : 1;
  const float w = (width - (columns - 1) * f.type.gap) / columns;
  int col = 0;
  for (size_t i = 0; i < choices.size(); ++i) {
    const ChoiceView& c = choices[i];
    const bool selected = isSelected(value, c.value) || (c.isSelectAll && value.is_array() && value.size() + 3 >= choices.size());
    if (col > 0) ImGui::SameLine();
    const std::string id = "c" + std::to_string(i);
    const bool tapped = tile(f, id.c_str(), c.text, ImVec2(w, f.type.target), selected ? TileStyle::Selected : TileStyle::Card,
                             f.fonts.body, 0, selected);
    // Also "question/choice", so a test can tell apart two questions that offer the same words.
    f.targets.add(q.element->name + "/" + c.text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    if (tapped && c.enabled) {
      if (!multi) {
        f.setValue(q, c.value);
      } else if (c.isSelectAll) {
        Json all = Json::array();
        for (const ChoiceView& o : choices)
          if (!o.isSelectAll && !o.isNone && !o.isOther) all.push_back(o.value);
        f.setValue(q, all);
      } else {
        f.setValue(q, toggled(value, c.value));
      }
    }
    col = (col + 1) % columns;
    if (c.isOther && selected) {
      const Element& e = *q.element;
      textField(f, q, "other", s.comment(q), e.otherPlaceholder.empty() ? f.s("field.tapToType") : s.text(e.otherPlaceholder),
                true, false);
      col = 0;
    }
  }
}

// A box the on-screen keyboard types into (the app owns the text): registered as `targetLabel`, drawn with a
// caret while `editing`. Returns true when tapped.
bool fieldBox(Frame& f, const std::string& id, const std::string& targetLabel, const std::string& current,
              const std::string& placeholder, bool editing, float height) {
  const float width = ImGui::GetContentRegionAvail().x;
  ImGui::PushID(id.c_str());
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const bool tapped = ImGui::InvisibleButton("##field", ImVec2(width, height)) && !f.suppressClicks;
  ImGui::PopID();
  f.targets.add(targetLabel, p, ImVec2(p.x + width, p.y + height));
  if (editing && !f.targets.all().back().visible) ImGui::SetScrollHereY(0.3f);  // keep the field above the keyboard
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 q2(p.x + width, p.y + height);
  dl->AddRectFilled(p, q2, colour::kCard, 6);
  dl->AddRect(p, q2, editing ? colour::kPrimary : colour::kCardBorder, 6, 0, editing ? 5.0f : 2.0f);
  const bool empty = current.empty();
  const std::string shown = empty ? placeholder : current;
  ImGui::PushFont(f.fonts.body);
  const ImVec2 tp(p.x + f.type.gap * 0.6f, p.y + f.type.gap * 0.5f);
  dl->AddText(f.fonts.body, f.fonts.body->FontSize, tp, empty ? colour::kSecondary : colour::kText, shown.c_str(),
              nullptr, width - f.type.gap * 1.2f);
  if (editing) {
    // Caret after the text.
    const ImVec2 ts = empty ? ImVec2(0, f.fonts.body->FontSize)
                            : ImGui::CalcTextSize(current.c_str(), nullptr, false, width - f.type.gap * 1.2f);
    const float lastLine = empty ? 0 : ts.y - f.fonts.body->FontSize;
    const float lastWidth = empty ? 0 : ImGui::CalcTextSize(current.substr(current.rfind('\n') == std::string::npos ? 0 : current.rfind('\n') + 1).c_str()).x;
    const float cx = tp.x + std::min(lastWidth, width - f.type.gap * 1.2f) + 2;
    dl->AddLine(ImVec2(cx, tp.y + lastLine), ImVec2(cx, tp.y + lastLine + f.fonts.body->FontSize), colour::kPrimary, 3);
  }
  ImGui::PopFont();
  return tapped;
}

void textField(Frame& f, const QuestionRef& q, const std::string& id, const std::string& current,
               const std::string& placeholder, bool comment, bool isComment) {
  const bool editing = f.state.editing == q.element && f.state.editingComment == comment;
  const float height = isComment ? f.type.target * 2.2f : f.type.target;
  if (fieldBox(f, id, f.s("field.tapToType") + ":" + q.element->name + (comment ? "-Comment" : ""), current, placeholder,
               editing, height))
    f.commands.push_back(Command{Command::Kind::EditText, comment ? "comment" : "value", q, {}});
}

void questionBody(Frame& f, const QuestionRef& q, float width);

void ratingRow(Frame& f, const QuestionRef& q, const std::vector<ChoiceView>& items, const std::string& rateType,
               float width) {
  const Json value = f.state.session->value(q);
  const size_t n = std::max<size_t>(1, items.size());
  const float w = std::min((width - (n - 1) * f.type.gap) / n, f.type.target * 3.2f);
  const float h = rateType == "labels" ? f.type.target : f.type.target * 2.0f;
  const bool best = bestFirst(items);
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) ImGui::SameLine();
    const ChoiceView& c = items[i];
    const bool selected = isSelected(value, c.value);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const std::string id = "r" + std::to_string(i);
    if (rateType == "labels") {
      if (tile(f, id.c_str(), c.text, ImVec2(w, h), selected ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0,
               selected))
        f.setValue(q, c.value);
      f.targets.add(q.element->name + "/" + c.text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
      continue;
    }
    // Stars and faces carry their word under the picture.
    if (tile(f, id.c_str(), "", ImVec2(w, h), selected ? TileStyle::Selected : TileStyle::Card, f.fonts.body))
      f.setValue(q, c.value);
    f.targets.add(c.text, p, ImVec2(p.x + w, p.y + h));
    f.targets.add(q.element->name + "/" + c.text, p, ImVec2(p.x + w, p.y + h));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float r = std::min(w, h) * 0.26f;
    const ImVec2 centre(p.x + w / 2, p.y + h * 0.38f);
    if (rateType == "stars") {
      // Stars fill up to the chosen one.
      size_t selectedIndex = items.size();
      for (size_t k = 0; k < items.size(); ++k)
        if (isSelected(value, items[k].value)) selectedIndex = k;
      const bool filled = selectedIndex < items.size() && i <= selectedIndex;
      star(dl, centre, r, filled);
    } else {
      auto [col, mood] = moodOf(i, items.size(), best);
      face(dl, centre, r, mood, col);
    }
    ImGui::PushFont(f.fonts.secondary);
    const ImVec2 ts = ImGui::CalcTextSize(c.text.c_str());
    dl->AddText(ImVec2(p.x + (w - ts.x) / 2, p.y + h * 0.72f), colour::kText, c.text.c_str());
    ImGui::PopFont();
  }
}

void booleanButtons(Frame& f, const QuestionRef& q, float width) {
  const Element& e = *q.element;
  const core::Session& s = *f.state.session;
  const Json value = s.value(q);
  const Json yes = e.valueTrue.is_null() ? Json(true) : e.valueTrue;
  const Json no = e.valueFalse.is_null() ? Json(false) : e.valueFalse;
  const std::string yesText = e.labelTrue.empty() ? f.s("boolean.true") : s.text(e.labelTrue);
  const std::string noText = e.labelFalse.empty() ? f.s("boolean.false") : s.text(e.labelFalse);
  const float w = (width - f.type.gap) / 2;
  const bool isYes = !value.is_null() && core::values::equal(value, yes);
  const bool isNo = !value.is_null() && core::values::equal(value, no);
  if (tile(f, "yes", yesText, ImVec2(w, f.type.target), isYes ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, isYes))
    f.setValue(q, true);
  f.targets.add(e.name + "/" + yesText, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  ImGui::SameLine();
  if (tile(f, "no", noText, ImVec2(w, f.type.target), isNo ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, isNo))
    f.setValue(q, false);
  f.targets.add(e.name + "/" + noText, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

void matrixRows(Frame& f, const Element& e, float width) {
  const core::Session& s = *f.state.session;
  const auto rows = s.matrixRows(e);
  const auto cols = s.matrixColumns(e);
  for (size_t r = 0; r < rows.size(); ++r) {
    ImGui::PushID(static_cast<int>(r));
    text(f, f.fonts.body, rows[r].text, colour::kText, width);
    const Json current = s.matrixCell(e, rows[r].value, "");
    const float w = (width - (cols.size() - 1) * f.type.gap) / std::max<size_t>(1, cols.size());
    for (size_t c = 0; c < cols.size(); ++c) {
      if (c) ImGui::SameLine();
      const bool selected = !current.is_null() && core::values::equal(current, cols[c].value);
      const std::string id = "m" + std::to_string(c);
      const size_t n = cols.size();
      ImU32 fill = 0;
      if (selected) fill = moodOf(c, n, n >= 2 && cols.front().value.is_string() &&
                                            cols.front().value.get<std::string>().rfind("satisfied", 0) == 0).first;
      const bool tapped = tile(f, id.c_str(), cols[c].text, ImVec2(w, f.type.target),
                               selected ? TileStyle::Selected : TileStyle::Card, f.fonts.body, fill, selected);
      f.targets.add(rows[r].text + "/" + cols[c].text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
      if (tapped) {
        Json obj = s.value(e).is_object() ? s.value(e) : Json::object();
        obj[core::values::toDisplayString(rows[r].value)] = cols[c].value;
        f.setValue(QuestionRef{&e}, obj);
      }
    }
    ImGui::PopID();
  }
}

void matrixDropdown(Frame& f, const Element& e, float width) {
  const core::Session& s = *f.state.session;
  for (const ChoiceView& row : s.matrixRows(e)) {
    ImGui::PushID(core::values::toDisplayString(row.value).c_str());
    text(f, f.fonts.question, row.text, colour::kText, width);
    const std::string rowKey = core::values::toDisplayString(row.value);
    for (const core::MatrixColumn& col : e.matrixColumns) {
      ImGui::PushID(col.name.c_str());
      text(f, f.fonts.body, col.title.empty() ? col.name : s.text(col.title), colour::kSecondary, width);
      const Json current = s.matrixCell(e, row.value, col.name);
      auto setCell = [&](Json v) {
        Json obj = s.value(e).is_object() ? s.value(e) : Json::object();
        Json& cell = obj[rowKey];
        if (!cell.is_object()) cell = Json::object();
        if (core::values::isEmpty(v)) cell.erase(col.name);
        else cell[col.name] = std::move(v);
        f.setValue(QuestionRef{&e}, obj);
      };
      const Element& cell = *col.cell;
      if (cell.type == ElementType::Boolean) {
        const float w = (width - f.type.gap) / 2;
        const bool yes = current.is_boolean() && current.get<bool>(), no = current.is_boolean() && !current.get<bool>();
        if (tile(f, "y", f.s("boolean.true"), ImVec2(w, f.type.target), yes ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, yes))
          setCell(true);
        ImGui::SameLine();
        if (tile(f, "n", f.s("boolean.false"), ImVec2(w, f.type.target), no ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, no))
          setCell(false);
      } else if (cell.type == ElementType::Text || cell.type == ElementType::Comment) {
        text(f, f.fonts.body, current.is_null() ? std::string() : core::values::toDisplayString(current), colour::kText, width);
      } else {
        const auto items = s.cellChoices(e, col);
        const bool multi = cell.type == ElementType::Checkbox || cell.type == ElementType::Tagbox;
        const int perRow = std::max(1, std::min<int>(static_cast<int>(items.size()), 5));
        const float w = (width - (perRow - 1) * f.type.gap) / perRow;
        for (size_t i = 0; i < items.size(); ++i) {
          if (i % perRow) ImGui::SameLine();
          const bool selected = isSelected(current, items[i].value);
          const std::string id = "i" + std::to_string(i);
          if (tile(f, id.c_str(), items[i].text, ImVec2(w, f.type.target), selected ? TileStyle::Selected : TileStyle::Card,
                   f.fonts.body, 0, selected)) {
            if (!multi) setCell(items[i].value);
            else setCell(toggled(current, items[i].value));
          }
        }
      }
      ImGui::PopID();
    }
    ImGui::PopID();
  }
}

void rankingTiles(Frame& f, const QuestionRef& q, float width) {
  const core::Session& s = *f.state.session;
  const auto choices = s.choices(q);
  const Json value = s.value(q).is_array() ? s.value(q) : Json::array();
  text(f, f.fonts.secondary, f.s("ranking.hint"), colour::kSecondary, width);
  for (size_t i = 0; i < choices.size(); ++i) {
    int rank = 0;
    for (size_t k = 0; k < value.size(); ++k)
      if (core::values::equal(value[k], choices[i].value)) rank = static_cast<int>(k) + 1;
    const std::string label = rank ? std::to_string(rank) + ".  " + choices[i].text : choices[i].text;
    const std::string id = "k" + std::to_string(i);
    if (tile(f, id.c_str(), label, ImVec2(width, f.type.target), rank ? TileStyle::Selected : TileStyle::Card, f.fonts.body)) {
      Json next = value;
      if (rank) next.erase(next.begin() + (rank - 1));
      else next.push_back(choices[i].value);
      f.setValue(q, next);
    }
    f.targets.add(choices[i].text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  }
}

void errorsFor(Frame& f, const QuestionRef& q, float width) {
  for (const auto& err : f.state.session->errorsFor(q)) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::PushFont(f.fonts.body);
    const std::string msg = "！ " + err.message;
    const ImVec2 ts = ImGui::CalcTextSize(msg.c_str(), nullptr, false, width - f.type.gap * 2);
    ImGui::PopFont();
    const ImVec2 q2(p.x + width, p.y + ts.y + f.type.gap);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, q2, colour::kErrorBack, 6);
    dl->AddRectFilled(p, ImVec2(p.x + 8, q2.y), colour::kErrorText);
    dl->AddText(f.fonts.body, f.fonts.body->FontSize, ImVec2(p.x + f.type.gap, p.y + f.type.gap / 2), colour::kErrorText,
                msg.c_str(), nullptr, width - f.type.gap * 2);
    ImGui::Dummy(ImVec2(width, ts.y + f.type.gap));
  }
}

void questionBody(Frame& f, const QuestionRef& q, float width) {
  const Element& e = *q.element;
  const core::Session& s = *f.state.session;
  switch (e.type) {
    case ElementType::Radiogroup:
    case ElementType::Dropdown:
      choiceTiles(f, q, s.choices(q), false, width);
      break;
    case ElementType::ImagePicker:
      choiceTiles(f, q, s.choices(q), e.multiSelect, width);
      break;
    case ElementType::Checkbox:
    case ElementType::Tagbox:
      choiceTiles(f, q, s.choices(q), true, width);
      break;
    case ElementType::Rating:
      ratingRow(f, q, s.rateItems(e), e.rateType, width);
      if (!e.minRateDescription.empty() || !e.maxRateDescription.empty())
        text(f, f.fonts.secondary, s.text(e.minRateDescription) + "  …  " + s.text(e.maxRateDescription), colour::kSecondary, width);
      break;
    case ElementType::Boolean:
      booleanButtons(f, q, width);
      break;
    case ElementType::Matrix:
      matrixRows(f, e, width);
      break;
    case ElementType::MatrixDropdown:
      matrixDropdown(f, e, width);
      break;
    case ElementType::Ranking:
      rankingTiles(f, q, width);
      break;
    case ElementType::Text:
    case ElementType::Comment: {
      const Json v = s.value(q);
      textField(f, q, "text", v.is_null() ? std::string() : core::values::toDisplayString(v),
                e.placeholder.empty() ? f.s("field.tapToType") : s.text(e.placeholder), false, e.type == ElementType::Comment);
      break;
    }
    case ElementType::Expression:
      text(f, f.fonts.question, s.displayValue(q), colour::kText, width);
      break;
    case ElementType::Html:
      text(f, f.fonts.body, plainText(s.text(e.html)), colour::kText, width);
      break;
    case ElementType::MultipleText:
      for (const auto& item : e.elements) {
        ImGui::PushID(item->name.c_str());
        text(f, f.fonts.body, s.title(*item), colour::kSecondary, width);
        const QuestionRef iq{item.get(), q.dynamicPanel, q.panelIndex};
        const Json v = s.value(iq);
        textField(f, iq, "item", v.is_null() ? std::string() : core::values::toDisplayString(v),
                  item->placeholder.empty() ? f.s("field.tapToType") : s.text(item->placeholder), false, false);
        ImGui::PopID();
      }
      break;
    case ElementType::PanelDynamic: {
      const int n = s.panelCount(e);
      for (int i = 0; i < n; ++i) {
        ImGui::PushID(i);
        text(f, f.fonts.question, f.s("panel.item", {std::to_string(i + 1)}), colour::kPrimary, width);
        for (const auto& t : e.elements) {
          if (!s.isVisible(*t, i)) continue;
          ImGui::PushID(t->name.c_str());
          text(f, f.fonts.body, s.title(*t), colour::kText, width);
          const QuestionRef tq{t.get(), &e, i};
          errorsFor(f, tq, width);
          questionBody(f, tq, width);
          ImGui::PopID();
        }
        if (e.allowRemovePanel && n > e.minPanelCount &&
            tile(f, "remove", e.removePanelText.empty() ? f.s("panel.remove") : s.text(e.removePanelText),
                 ImVec2(width * 0.4f, f.type.target), TileStyle::Outline, f.fonts.body))
          f.commands.push_back(Command{Command::Kind::SetValue, "removePanel:" + std::to_string(i), q, {}});
        ImGui::PopID();
      }
      if (n == 0) text(f, f.fonts.body, e.noEntriesText.empty() ? f.s("panel.noEntries") : s.text(e.noEntriesText), colour::kSecondary, width);
      if (e.allowAddPanel && n < e.maxPanelCount &&
          tile(f, "add", e.addPanelText.empty() ? f.s("panel.add") : s.text(e.addPanelText), ImVec2(width * 0.4f, f.type.target),
               TileStyle::Outline, f.fonts.body))
        f.commands.push_back(Command{Command::Kind::SetValue, "addPanel", q, {}});
      break;
    }
    case ElementType::Panel:
      break;
  }
  if (e.showCommentArea && e.type != ElementType::Text && e.type != ElementType::Comment) {
    text(f, f.fonts.secondary, e.commentText.empty() ? f.s("field.comment") : s.text(e.commentText), colour::kSecondary, width);
    textField(f, q, "comment", s.comment(q), e.commentPlaceholder.empty() ? f.s("field.tapToType") : s.text(e.commentPlaceholder),
              true, true);
  }
}

// The on-screen keyboard: the bottom ~45 % of the screen, big keys, the characters left.
// The bottom ~45 % of the screen, taller if that is what it takes to keep every key ≥ the touch target.
// Pinyin has a candidate bar above its keys; handwriting takes more of the screen for its writing pad.
float keyboardHeight(const Frame& f) {
  if (!f.state.keyboard) return 0;
  const float pad = f.type.gap * 0.5f;
  const input::Mode mode = f.state.keyboard->mode();
  size_t rows = f.state.keyboard->keys().size();
  if (mode == input::Mode::Pinyin) rows += 1;
  if (mode == input::Mode::Handwriting) rows += 2;  // two rows of candidates beside the pad
  const float needed = rows * (f.type.target + pad) + f.fonts.secondary->FontSize + 3 * pad;
  const float least = mode == input::Mode::Handwriting ? 0.55f : 0.45f;
  return std::min(f.state.height * 0.7f, std::max(f.state.height * least, needed));
}

namespace {

// Draws a row of keys from x0 to x1 at y, each k units wide; KeyPress carries "row,column" of kb.keys().
void keyRow(Frame& f, const input::Keyboard& kb, const std::vector<input::KeyRow>& rows, size_t r, float x0, float x1,
            float y, float rowH, float maxUnits) {
  const float pad = f.type.gap * 0.5f;
  // Every unit carries one gap: k units wide = k keys and k-1 gaps.
  const float unit = (x1 - x0 + pad) / maxUnits - pad;
  float rowWidth = -pad;  // a key k units wide also spans the k-1 gaps it covers
  for (const auto& k : rows[r]) rowWidth += k.width * unit + (k.width - 1) * pad + pad;
  float x = x0 + (x1 - x0 - rowWidth) / 2;
  for (size_t c = 0; c < rows[r].size(); ++c) {
    const input::Key& k = rows[r][c];
    const float w = k.width * unit + (k.width - 1) * pad;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    const std::string label = k.label.rfind("kbd.", 0) == 0 ? f.s(k.label.c_str()) : k.label;
    const std::string id = "key" + std::to_string(r) + "_" + std::to_string(c);
    const bool on = k.action == input::Key::Action::Shift && kb.shifted();
    const TileStyle style = k.action == input::Key::Action::Done ? TileStyle::Primary : on ? TileStyle::Selected : TileStyle::Key;
    if (tile(f, id.c_str(), label, ImVec2(w, rowH), style, f.fonts.body))
      f.commands.push_back(Command{Command::Kind::KeyPress, std::to_string(r) + "," + std::to_string(c), {}, {}});
    x += w + pad;
  }
}

float rowUnits(const input::KeyRow& row) {
  float u = 0;
  for (const auto& k : row) u += k.width;
  return u;
}

// The candidate bar: ‹ prev, as many candidates as fit from the page start, next ›. Each candidate is a
// target labelled with its own text; CandidatePage "next:N" says how many were shown.
void candidateBar(Frame& f, const input::Keyboard& kb, const std::vector<std::string>& cands, float x0, float x1,
                  float y, float h) {
  const float pad = f.type.gap * 0.5f;
  const float navW = f.type.target * 1.6f;
  ImGui::PushFont(f.fonts.body);
  float x = x0 + navW + pad;
  const float right = x1 - navW - pad;
  size_t shown = 0;
  for (size_t i = kb.pageStart(); i < cands.size(); ++i) {
    // Room for the text and the tile's padding on both sides: a phrase never wraps onto two lines.
    const float w = std::max(f.type.target * 1.1f, ImGui::CalcTextSize(cands[i].c_str()).x + f.type.gap * 3);
    if (x + w > right) break;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    const std::string id = "cand" + std::to_string(i);
    // The first candidate is what space and punctuation would take: shown as selected (border + fill).
    if (tile(f, id.c_str(), cands[i], ImVec2(w, h), i == 0 ? TileStyle::Selected : TileStyle::Key, f.fonts.body))
      f.commands.push_back(Command{Command::Kind::Candidate, std::to_string(i), {}, {}});
    x += w + pad;
    ++shown;
  }
  ImGui::PopFont();
  const bool more = kb.pageStart() + shown < cands.size();
  ImGui::SetCursorScreenPos(ImVec2(x0, y));
  if (kb.hasPrevPage()) {
    if (tile(f, "candPrev", f.s("kbd.prevPage"), ImVec2(navW, h), TileStyle::Outline, f.fonts.body))
      f.commands.push_back(Command{Command::Kind::CandidatePage, "prev", {}, {}});
  }
  ImGui::SetCursorScreenPos(ImVec2(x1 - navW, y));
  if (more) {
    if (tile(f, "candNext", f.s("kbd.nextPage"), ImVec2(navW, h), TileStyle::Outline, f.fonts.body))
      f.commands.push_back(Command{Command::Kind::CandidatePage, "next:" + std::to_string(shown), {}, {}});
  }
}

// The writing pad: a square with a 田 grid, the strokes so far, the one under the finger. The finger's
// path goes to the app as Pen commands (down / move / up) in pad units (0..1).
void writingPad(Frame& f, const input::Keyboard& kb, ImVec2 p, float side) {
  const ImVec2 q(p.x + side, p.y + side);
  ImGui::SetCursorScreenPos(p);
  ImGui::InvisibleButton("##pad", ImVec2(side, side));
  f.targets.add(f.s("kbd.pad"), p, q);
  ImGuiIO& io = ImGui::GetIO();
  const auto unitPoint = [&](ImVec2 m) {
    return Json::array({std::clamp((m.x - p.x) / side, 0.0f, 1.0f), std::clamp((m.y - p.y) / side, 0.0f, 1.0f)});
  };
  // Every place the finger passed since the last frame, not only where it is now: curves stay curves.
  const std::vector<ImVec2>& path = f.path.points;
  if (ImGui::IsItemActivated()) {
    f.commands.push_back(Command{Command::Kind::Pen, "down", {}, unitPoint(path.empty() ? io.MousePos : path.front())});
    for (size_t i = 1; i < path.size(); ++i) f.commands.push_back(Command{Command::Kind::Pen, "move", {}, unitPoint(path[i])});
  } else if (ImGui::IsItemActive()) {
    for (const ImVec2& m : path) f.commands.push_back(Command{Command::Kind::Pen, "move", {}, unitPoint(m)});
  }
  if (ImGui::IsItemDeactivated()) f.commands.push_back(Command{Command::Kind::Pen, "up", {}, unitPoint(io.MousePos)});
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
    ImGui::PushFont(f.fonts.secondary);
    const ImVec2 ts = ImGui::CalcTextSize(hint.c_str());
    ImGui::PopFont();
    dl->AddText(f.fonts.secondary, f.fonts.secondary->FontSize, ImVec2(p.x + (side - ts.x) / 2, q.y - ts.y - 16),
                colour::kSecondary, hint.c_str());
  }
}

// Handwriting candidates: a grid beside the pad (2 rows), best first; no paging, 10 at most. In the body
// font: the only size whose atlas holds every character a candidate can be (the larger sizes hold the
// forms' and strings' characters only).
void candidateGrid(Frame& f, const std::vector<std::string>& cands, float x0, float x1, float y, float rowH) {
  const float pad = f.type.gap * 0.5f;
  const int columns = 5;
  const float w = (x1 - x0 - pad * (columns - 1)) / columns;
  for (size_t i = 0; i < cands.size() && i < 2 * columns; ++i) {
    ImGui::SetCursorScreenPos(ImVec2(x0 + (i % columns) * (w + pad), y + (i / columns) * (rowH + pad)));
    const std::string id = "cand" + std::to_string(i);
    if (tile(f, id.c_str(), cands[i], ImVec2(w, rowH), i == 0 ? TileStyle::Selected : TileStyle::Key, f.fonts.body))
      f.commands.push_back(Command{Command::Kind::Candidate, std::to_string(i), {}, {}});
  }
}

}  // namespace

void keyboardPanel(Frame& f) {
  const input::Keyboard& kb = *f.state.keyboard;
  const float h = keyboardHeight(f), top = f.state.height - h;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(0, top), ImVec2(f.state.width, f.state.height), colour::kCardBorder);
  const float pad = f.type.gap * 0.5f;
  const int left = f.state.screen == Screen::AdminPin ? -1 : kb.buffer().remaining();  // a PIN has no "left"
  float y = top + pad;
  const std::string preedit = kb.preedit();
  if (left >= 0 || !preedit.empty()) {
    float x = f.type.margin;
    if (left >= 0) {
      const std::string note = left == 0 ? f.s("kbd.full") : f.s("kbd.remaining", {std::to_string(left)});
      dl->AddText(f.fonts.secondary, f.fonts.secondary->FontSize, ImVec2(x, y), left == 0 ? colour::kErrorText : colour::kText,
                  note.c_str());
      ImGui::PushFont(f.fonts.secondary);
      x += ImGui::CalcTextSize(note.c_str()).x + f.type.gap * 2;
      ImGui::PopFont();
    }
    if (!preedit.empty()) {
      // The letters being composed, boxed and underlined like an input method's preedit.
      ImGui::PushFont(f.fonts.secondary);
      const ImVec2 ts = ImGui::CalcTextSize(preedit.c_str());
      ImGui::PopFont();
      dl->AddRectFilled(ImVec2(x - 8, y - 4), ImVec2(x + ts.x + 8, y + ts.y + 4), colour::kCard, 4);
      dl->AddText(f.fonts.secondary, f.fonts.secondary->FontSize, ImVec2(x, y), colour::kPrimary, preedit.c_str());
      dl->AddLine(ImVec2(x, y + ts.y + 2), ImVec2(x + ts.x, y + ts.y + 2), colour::kPrimary, 2);
    }
    y += f.fonts.secondary->FontSize + pad;
  }
  const auto rows = kb.keys();
  const float x0 = f.type.margin, x1 = f.state.width - f.type.margin;
  if (kb.mode() == input::Mode::Handwriting) {
    // Pad on the left, as big as the panel allows; candidates and the pad's keys on the right; the
    // mode/space/clear/done row across the bottom.
    const size_t rightRows = rows.size() - 1 + 2;
    const float rowH = std::max(f.type.target, (f.state.height - y - pad) / (rightRows + 1) - pad);
    const float bottomY = f.state.height - pad - rowH;
    const float side = std::min(bottomY - pad - y, (x1 - x0) * 0.45f);
    writingPad(f, kb, ImVec2(x0, y), side);
    const float rx0 = x0 + side + f.type.gap;
    candidateGrid(f, kb.candidates(), rx0, x1, y, rowH);
    float ry = y + 2 * (rowH + pad);
    float maxUnits = 0;
    for (size_t r = 0; r + 1 < rows.size(); ++r) maxUnits = std::max(maxUnits, rowUnits(rows[r]));
    for (size_t r = 0; r + 1 < rows.size(); ++r) {
      keyRow(f, kb, rows, r, rx0, x1, ry, rowH, maxUnits);
      ry += rowH + pad;
    }
    keyRow(f, kb, rows, rows.size() - 1, x0, x1, bottomY, rowH, std::max(rowUnits(rows.back()), 12.0f));
    return;
  }
  const size_t barRows = kb.mode() == input::Mode::Pinyin ? 1 : 0;
  const float rowH = (f.state.height - y - pad) / (rows.size() + barRows) - pad;
  if (barRows) {
    candidateBar(f, kb, kb.candidates(), x0, x1, y, rowH);
    y += rowH + pad;
  }
  float maxUnits = 0;
  for (const auto& row : rows) maxUnits = std::max(maxUnits, rowUnits(row));
  for (size_t r = 0; r < rows.size(); ++r) {
    keyRow(f, kb, rows, r, x0, x1, y, rowH, maxUnits);
    y += rowH + pad;
  }
}

// What the bottom of a screen holds below its scrolling body: the keyboard while one is open, else the bar.
float bottomReserve(const Frame& f) {
  return f.state.keyboard ? keyboardHeight(f) + f.type.gap : f.type.primaryButton + f.type.margin * 1.5f;
}

// A button of the bottom bar: its id for taps, its words, what tapping it does.
struct BarButton {
  const char* id;
  std::string label;
  Command::Kind command;
};

// The bottom bar: going back (outlined) at the left, going on (filled) at the right; either may be absent.
void bottomBar(Frame& f, const std::optional<BarButton>& left, const std::optional<BarButton>& right) {
  const float width = f.state.width - 2 * f.type.margin;
  const float y = f.state.height - f.type.margin - f.type.primaryButton;
  const float bw = width * 0.3f;
  if (left) {
    ImGui::SetCursorPos(ImVec2(f.type.margin, y));
    if (tile(f, left->id, left->label, ImVec2(bw, f.type.primaryButton), TileStyle::Outline, f.fonts.body))
      f.emit(left->command);
  }
  if (right) {
    ImGui::SetCursorPos(ImVec2(f.state.width - f.type.margin - bw, y));
    if (tile(f, right->id, right->label, ImVec2(bw, f.type.primaryButton), TileStyle::Primary, f.fonts.body))
      f.emit(right->command);
  }
}

// ---------------------------------------------------------------- screens

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
    if (std::fabs(velocity) > 30.0f) f.emit(Command::Kind::Animating);  // the loop keeps drawing frames
  } else if (io.MouseDown[0] && !ImGui::IsMouseDragging(0, 12.0f)) {
    velocity = 0;  // a finger on the glass stops the glide
  }
  store->SetFloat(velocityId, velocity);
  const ImVec2 total = ImGui::GetMouseDragDelta(0, 0.0f);
  if (std::fabs(total.y) > 12.0f || std::fabs(total.x) > 24.0f) f.suppressClicks = true;
}

void header(Frame& f, const std::string& left, const std::string& right) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float h = f.type.title * 1.6f;
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(f.state.width, h), colour::kPrimary);
  dl->AddText(f.fonts.question, f.fonts.question->FontSize, ImVec2(f.type.margin, (h - f.fonts.question->FontSize) / 2),
              colour::kWhite, left.c_str());
  ImGui::PushFont(f.fonts.body);
  const ImVec2 ts = ImGui::CalcTextSize(right.c_str());
  ImGui::PopFont();
  dl->AddText(f.fonts.body, f.fonts.body->FontSize, ImVec2(f.state.width - f.type.margin - ts.x, (h - ts.y) / 2),
              colour::kWhite, right.c_str());
  ImGui::SetCursorPos(ImVec2(f.type.margin, h + f.type.gap));
}

void languageBar(Frame& f, bool withElderly = true) {
  const float w = f.type.target * 1.4f;
  const float y = f.state.height - f.type.margin - f.type.target;
  ImGui::SetCursorPos(ImVec2(f.type.margin, y));
  for (const auto& [loc, key] : {std::pair<const char*, const char*>{"zh-cn", "lang.zhcn"}, {"zh-tw", "lang.zhtw"}, {"en", "lang.en"}}) {
    const bool on = f.state.locale == loc;
    if (tile(f, loc, f.s(key), ImVec2(w, f.type.target), on ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, false))
      f.emit(Command::Kind::SetLocale, loc);
    ImGui::SameLine();
  }
  if (!withElderly) return;
  const std::string elder = f.s("elderly");
  ImGui::PushFont(f.fonts.body);
  const float ew = ImGui::CalcTextSize(elder.c_str()).x + f.type.target * 1.2f;
  ImGui::PopFont();
  ImGui::SetCursorPos(ImVec2(f.state.width - f.type.margin - ew, y));
  if (tile(f, "elderly", elder, ImVec2(ew, f.type.target), f.state.elderly ? TileStyle::Selected : TileStyle::Card,
           f.fonts.body, 0, f.state.elderly))
    f.emit(Command::Kind::ToggleElderly);
}

// The hidden staff gesture: five quick taps on the top-left corner. No look, no hint.
void adminCorner(Frame& f) {
  const ImVec2 keep = ImGui::GetCursorPos();
  ImGui::SetCursorPos(ImVec2(0, 0));
  const float side = f.type.title * 1.6f;
  if (ImGui::InvisibleButton("##corner", ImVec2(side, side)) && !f.suppressClicks) f.emit(Command::Kind::AdminCorner);
  f.targets.add("__admin_corner", ImVec2(0, 0), ImVec2(side, side));
  ImGui::SetCursorPos(keep);
}

void attractScreen(Frame& f) {
  header(f, f.state.siteName, f.state.dateTime);
  adminCorner(f);
  const float top = ImGui::GetCursorPosY() + f.type.gap;
  const float bottom = f.state.height - f.type.margin - f.type.target - f.type.gap * 2;
  const float quickH = f.state.quickForm ? f.type.target * 2.6f + f.type.gap : 0;
  const float leftW = (f.state.width - 2 * f.type.margin) * 0.4f;
  const float rightX = f.type.margin + leftW + f.type.gap * 2;
  const float rightW = f.state.width - f.type.margin - rightX;
  // The left card: the notices carousel (整改情况公示, policy notices) under the welcome, or the welcome
  // text alone when the server has sent no notices. A tap on the card shows the next notice.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 cardMin(f.type.margin, top), cardMax(f.type.margin + leftW, bottom - quickH);
  dl->AddRectFilled(cardMin, cardMax, colour::kCard, 12);
  dl->AddRect(cardMin, cardMax, colour::kCardBorder, 12, 0, 2);
  const float innerW = leftW - f.type.gap * 3;
  const float innerH = cardMax.y - cardMin.y - f.type.gap * 3;
  auto height = [&](ImFont* font, const std::string& t) {
    ImGui::PushFont(font);
    const float h = t.empty() ? 0 : ImGui::CalcTextSize(t.c_str(), nullptr, false, innerW).y;
    ImGui::PopFont();
    return h;
  };
  const ImVec2 inner(cardMin.x + f.type.gap * 1.5f, cardMin.y + f.type.gap * 1.5f);
  if (f.state.notices.empty()) {
    // The welcome must stay inside its card: in 长辈模式 on a small screen it steps down a size.
    const std::string intro = f.s("attract.intro");
    const float fixedH = height(f.fonts.title, f.s("attract.welcome")) + f.type.gap;
    ImFont* introFont = fixedH + height(f.fonts.body, intro) <= innerH ? f.fonts.body : f.fonts.secondary;
    ImGui::SetCursorScreenPos(inner);
    ImGui::PushClipRect(cardMin, cardMax, true);
    ImGui::BeginGroup();
    text(f, f.fonts.title, f.s("attract.welcome"), colour::kPrimary, innerW);
    ImGui::Dummy(ImVec2(1, f.type.gap));
    text(f, introFont, intro, colour::kText, innerW);
    ImGui::EndGroup();
    ImGui::PopClipRect();
  } else {
    // A notice's words come from the server at run time, so they are drawn only in the body font, whose
    // atlas holds the whole font subset (the other sizes hold only the shipped texts' characters).
    const size_t n = f.state.notices.size();
    const ui::NoticeView& notice = f.state.notices[std::min<size_t>(f.state.noticeIndex, n - 1)];
    const std::string head = f.s("attract.notices") + "  ·  " + notice.date;
    const float headH = height(f.fonts.secondary, head) + f.type.gap * 0.5f;
    // The foot says where in the carousel we are and, when the text is longer than the card, that a drag
    // shows the rest (nothing is cut off without saying so).
    auto footFor = [&](bool longText) {
      std::string foot = n > 1 ? f.s("attract.noticeNext", {std::to_string(f.state.noticeIndex + 1), std::to_string(n)}) : "";
      if (longText) foot += (foot.empty() ? "" : "\n") + f.s("attract.noticeScroll");
      return foot;
    };
    const float textH = height(f.fonts.body, notice.title) + ImGui::GetStyle().ItemSpacing.y + height(f.fonts.body, notice.body);
    const std::string shortFoot = footFor(false);
    const bool longText = textH > innerH - headH - (shortFoot.empty() ? 0 : height(f.fonts.secondary, shortFoot) + f.type.gap * 0.5f);
    const std::string footer = footFor(longText);
    const float footH = footer.empty() ? 0 : height(f.fonts.secondary, footer) + f.type.gap * 0.5f;
    ImGui::SetCursorScreenPos(inner);
    text(f, f.fonts.secondary, head, colour::kSecondary, innerW);
    // Title and text scroll inside the card when long (drag); a tap shows the next notice.
    ImGui::SetCursorScreenPos(ImVec2(inner.x, inner.y + headH));
    ImGui::BeginChild(childId(f, "notice").c_str(), ImVec2(innerW, innerH - headH - footH), false, ImGuiWindowFlags_NoScrollbar);
    dragScroll(f);
    text(f, f.fonts.body, notice.title, colour::kPrimary, innerW);
    text(f, f.fonts.body, notice.body, colour::kText, innerW);
    if (n > 1 && ImGui::IsWindowHovered() && ImGui::IsMouseReleased(0) && !f.suppressClicks) f.emit(Command::Kind::NextNotice);
    ImGui::EndChild();
    f.targets.add("notice", cardMin, cardMax);
    if (!footer.empty()) {
      ImGui::SetCursorScreenPos(ImVec2(inner.x, cardMax.y - f.type.gap * 1.5f - footH + f.type.gap * 0.5f));
      text(f, f.fonts.secondary, footer, colour::kSecondary, innerW);
    }
  }
  // Entry tiles.
  // Three big entries: 填写问卷, 我要投诉 (when this kiosk can give tickets), 查询进度.
  const auto complaint = std::find_if(f.state.forms.begin(), f.state.forms.end(), [](const FormEntry& e) { return e.kind == "complaint"; });
  const bool withComplaint = complaint != f.state.forms.end();
  const int entries = withComplaint ? 3 : 2;
  const float tileH = std::min((bottom - quickH - top - (entries - 1) * f.type.gap) / entries, f.type.target * 3.0f);
  float y = top;
  ImGui::SetCursorScreenPos(ImVec2(rightX, y));
  if (tile(f, "survey", f.s("entry.survey"), ImVec2(rightW, tileH), TileStyle::Primary, f.fonts.entry, 0, false,
           f.s("entry.surveyHint")))
    f.emit(Command::Kind::OpenFormList);
  y += tileH + f.type.gap;
  if (withComplaint) {
    ImGui::SetCursorScreenPos(ImVec2(rightX, y));
    if (tile(f, "complaint", f.s("entry.complaint"), ImVec2(rightW, tileH), TileStyle::Complaint, f.fonts.entry, 0, false,
             f.s("entry.complaintHint")))
      f.emit(Command::Kind::StartForm, complaint->id);
    y += tileH + f.type.gap;
  }
  ImGui::SetCursorScreenPos(ImVec2(rightX, y));
  if (tile(f, "lookup", f.s("entry.lookup"), ImVec2(rightW, tileH), TileStyle::Card, f.fonts.entry, 0, false,
           f.s("entry.lookupHint")))
    f.emit(Command::Kind::OpenLookup);
  // Quick rating faces across the bottom.
  if (f.state.quickForm && f.state.session == nullptr) {
    const float y = bottom - quickH + f.type.gap;
    ImGui::SetCursorScreenPos(ImVec2(f.type.margin, y));
    const std::string prompt = f.state.quickThanks.empty() ? f.state.quickForm->title : f.state.quickThanks;
    text(f, f.fonts.question, prompt, f.state.quickThanks.empty() ? colour::kText : colour::kSatisfied);
    const float promptW = leftW;
    const auto& items = f.state.quickChoices;
    const int n = static_cast<int>(items.size());
    const float faceW = (f.state.width - 2 * f.type.margin - promptW - (n - 1) * f.type.gap) / std::max(1, n);
    const bool best = bestFirst(items);
    for (int i = 0; i < n; ++i) {
      const ImVec2 p(f.type.margin + promptW + i * (faceW + f.type.gap), y);
      ImGui::SetCursorScreenPos(p);
      const std::string& word = items[i].text;
      ImGui::PushID(i);
      const bool tapped = ImGui::InvisibleButton("##face", ImVec2(faceW, quickH - f.type.gap)) && !f.suppressClicks;
      const bool pressed = ImGui::IsItemActive();
      ImGui::PopID();
      f.targets.add(word, p, ImVec2(p.x + faceW, p.y + quickH - f.type.gap));
      auto [col, mood] = moodOf(static_cast<size_t>(i), items.size(), best);
      const float r = (quickH - f.type.gap) * 0.3f;
      face(dl, ImVec2(p.x + faceW / 2, p.y + r + 6), pressed ? r * 0.92f : r, mood, col);
      ImGui::PushFont(f.fonts.body);
      const ImVec2 ts = ImGui::CalcTextSize(word.c_str());
      ImGui::PopFont();
      dl->AddText(f.fonts.body, f.fonts.body->FontSize, ImVec2(p.x + (faceW - ts.x) / 2, p.y + 2 * r + 14), colour::kText,
                  word.c_str());
      if (tapped) f.commands.push_back(Command{Command::Kind::QuickRate, f.state.quickForm->id, {}, items[i].value});
    }
  }
  languageBar(f);
}

void formListScreen(Frame& f) {
  header(f, f.s("formlist.title"), f.state.dateTime);
  const float width = f.state.width - 2 * f.type.margin;
  const float listH = f.state.height - ImGui::GetCursorPosY() - f.type.primaryButton - f.type.margin * 2;
  ImGui::BeginChild(childId(f, "forms").c_str(), ImVec2(width, listH), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  int n = 0;
  for (const FormEntry& e : f.state.forms) {
    if (e.kind != "survey") continue;
    ImGui::PushID(e.id.c_str());
    if (tile(f, "form", e.title, ImVec2(width, f.type.target * 1.8f), TileStyle::Card, f.fonts.question, 0, false, e.description))
      f.emit(Command::Kind::StartForm, e.id);
    ImGui::PopID();
    ++n;
  }
  if (n == 0) text(f, f.fonts.body, f.s("formlist.empty"), colour::kSecondary, width);
  ImGui::EndChild();
  ImGui::SetCursorPos(ImVec2(f.type.margin, f.state.height - f.type.margin - f.type.primaryButton));
  if (tile(f, "home", f.s("nav.home"), ImVec2(width * 0.3f, f.type.primaryButton), TileStyle::Outline, f.fonts.body))
    f.emit(Command::Kind::Home);
}

void progressBar(Frame& f, float y) {
  const core::Session& s = *f.state.session;
  const core::Progress p = s.progress();
  const std::string label = f.s("form.progress", {std::to_string(p.page), std::to_string(p.pageCount)});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::PushFont(f.fonts.secondary);
  const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
  ImGui::PopFont();
  const float barW = f.state.width * 0.25f, x = f.state.width - f.type.margin - barW;
  dl->AddText(f.fonts.secondary, f.fonts.secondary->FontSize, ImVec2(x - ts.x - f.type.gap, y), colour::kWhite, label.c_str());
  const float by = y + ts.y / 2 - 8;
  dl->AddRectFilled(ImVec2(x, by), ImVec2(x + barW, by + 16), IM_COL32(255, 255, 255, 90), 8);
  const float frac = p.pageCount ? static_cast<float>(p.page) / p.pageCount : 0;
  dl->AddRectFilled(ImVec2(x, by), ImVec2(x + barW * frac, by + 16), colour::kWhite, 8);
}

void formPageScreen(Frame& f) {
  const core::Session& s = *f.state.session;
  header(f, s.text(s.form().title), "");
  progressBar(f, (f.type.title * 1.6f - f.fonts.secondary->FontSize) / 2);
  const float width = f.state.width - 2 * f.type.margin;
  const float bottom = bottomReserve(f);
  const float bodyH = f.state.height - ImGui::GetCursorPosY() - bottom;
  // One child per page of this resident's session: each page starts at its top, returns to where it was left
  // on 上一步, and the next resident never inherits a scroll position.
  const std::string pageId = "page:" + std::to_string(f.state.sessionSerial) + ":" + std::to_string(s.currentPageIndex());
  ImGui::BeginChild(pageId.c_str(), ImVec2(width, bodyH), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  const std::string pageTitle = s.text(s.currentPage().title);
  if (!pageTitle.empty()) text(f, f.fonts.question, pageTitle, colour::kPrimary, width);
  for (const Element* e : s.visibleElements()) {
    ImGui::PushID(e);
    if (e->type == ElementType::Panel) {
      text(f, f.fonts.question, s.title(*e), colour::kPrimary, width);
      ImGui::PopID();
      continue;
    }
    if (e->type != ElementType::Html) {
      std::string title = s.title(*e);
      if (s.isRequired(*e)) title += f.s("field.required");
      text(f, f.fonts.question, title, colour::kText, width);
      text(f, f.fonts.secondary, s.text(e->description), colour::kSecondary, width);
    }
    // The message goes right under the title, where the eye is, not below a long list of choices.
    errorsFor(f, QuestionRef{e}, width);
    const bool enabled = s.isEnabled(*e);
    if (!enabled) ImGui::BeginDisabled();
    questionBody(f, QuestionRef{e}, width);
    if (!enabled) ImGui::EndDisabled();
    ImGui::Dummy(ImVec2(width, f.type.gap));
    ImGui::PopID();
  }
  ImGui::Dummy(ImVec2(width, f.type.target));  // room to scroll the last question above the buttons
  ImGui::EndChild();
  if (f.state.keyboard) {
    keyboardPanel(f);  // the keyboard replaces the bottom bar; 完成 closes it
    return;
  }
  // 上一步 (or 退出 on the first page) left, 下一步 / 检查答案 right.
  const bool last = s.isLastPage() || s.completeOnNext();
  bottomBar(f,
            s.isFirstPage() ? BarButton{"exit", f.s("nav.exit"), Command::Kind::Home}
                            : BarButton{"back", f.s("nav.prev"), Command::Kind::Back},
            BarButton{"next", f.s(last ? "nav.review" : "nav.next"), last ? Command::Kind::ToReview : Command::Kind::Next});
}

void reviewScreen(Frame& f) {
  const core::Session& s = *f.state.session;
  header(f, f.s("review.title"), s.text(s.form().title));
  const float width = f.state.width - 2 * f.type.margin;
  const float bodyH = f.state.height - ImGui::GetCursorPosY() - bottomReserve(f);
  ImGui::BeginChild(childId(f, "review").c_str(), ImVec2(width, bodyH), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  for (int page : s.visiblePages()) {
    for (const Element* e : s.visibleElements(page)) {
      if (!e->isQuestion() || e->type == ElementType::Html) continue;
      text(f, f.fonts.secondary, s.title(*e), colour::kSecondary, width);
      const std::string answer = s.displayValue(*e);
      text(f, f.fonts.body, answer.empty() ? f.s("review.unanswered") : answer, colour::kText, width);
      ImGui::Dummy(ImVec2(width, f.type.gap * 0.5f));
    }
  }
  ImGui::EndChild();
  bottomBar(f, BarButton{"edit", f.s("review.edit"), Command::Kind::BackToForm},
            BarButton{"submit", f.s("nav.complete"), Command::Kind::Submit});
}

// The PIN pad: digits shown as dots, the message after a wrong PIN or while locked, 取消.
void adminPinScreen(Frame& f) {
  header(f, f.s("admin.pinTitle"), f.state.dateTime);
  const float width = f.state.width - 2 * f.type.margin;
  const size_t typed = f.state.keyboard ? f.state.keyboard->buffer().text().size() : 0;
  // One drawn dot per digit (the PIN itself is never shown).
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float r = f.type.body * 0.3f;
  for (size_t i = 0; i < typed; ++i)
    ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(p.x + r + i * r * 3.5f, p.y + f.type.title / 2), r, colour::kText);
  ImGui::Dummy(ImVec2(width * 0.5f, f.type.title));
  if (!f.state.pinMessage.empty()) text(f, f.fonts.body, f.state.pinMessage, colour::kErrorText, width);
  ImGui::SetCursorPos(ImVec2(f.state.width - f.type.margin - width * 0.25f, f.type.title * 1.6f + f.type.gap));
  if (tile(f, "cancel", f.s("admin.cancel"), ImVec2(width * 0.25f, f.type.target), TileStyle::Outline, f.fonts.body))
    f.emit(Command::Kind::AdminCancel);
  if (f.state.keyboard) keyboardPanel(f);
}

void adminScreen(Frame& f) {
  header(f, f.s("admin.title"), f.state.dateTime);
  const float width = f.state.width - 2 * f.type.margin;
  const float bodyH = f.state.height - ImGui::GetCursorPosY() - f.type.primaryButton - f.type.margin * 1.5f;
  ImGui::BeginChild(childId(f, "admin").c_str(), ImVec2(width, bodyH), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  if (f.state.admin) {
    for (const auto& [key, value] : f.state.admin->rows) {
      text(f, f.fonts.secondary, f.s(key.c_str()), colour::kSecondary, width);
      text(f, f.fonts.body, value, colour::kText, width);
    }
    text(f, f.fonts.secondary, f.s("admin.forms"), colour::kSecondary, width);
    for (const std::string& form : f.state.admin->forms) text(f, f.fonts.body, form, colour::kText, width);
    if (!f.state.admin->message.empty()) {
      ImGui::Dummy(ImVec2(1, f.type.gap));
      text(f, f.fonts.body, f.state.admin->message, colour::kNoticeText, width);
    }
  }
  ImGui::EndChild();
  const float y = f.state.height - f.type.margin - f.type.primaryButton;
  // Every action in one bar that never scrolls away: back, sync now, enroll, export, exit.
  const float bw = (width - 4 * f.type.gap) / 5;
  ImGui::SetCursorPos(ImVec2(f.type.margin, y));
  if (tile(f, "back", f.s("admin.back"), ImVec2(bw, f.type.primaryButton), TileStyle::Outline, f.fonts.body))
    f.emit(Command::Kind::AdminCancel);
  ImGui::SameLine(0, f.type.gap);
  if (tile(f, "sync-now", f.s("admin.syncNow"), ImVec2(bw, f.type.primaryButton), TileStyle::Outline, f.fonts.body))
    f.emit(Command::Kind::AdminSyncNow);
  ImGui::SameLine(0, f.type.gap);
  if (tile(f, "enroll", f.s("admin.enroll"), ImVec2(bw, f.type.primaryButton), TileStyle::Outline, f.fonts.body))
    f.emit(Command::Kind::AdminEnroll);
  ImGui::SameLine(0, f.type.gap);
  if (tile(f, "export", f.s("admin.export"), ImVec2(bw, f.type.primaryButton), TileStyle::Primary, f.fonts.body))
    f.emit(Command::Kind::AdminExport);
  ImGui::SameLine(0, f.type.gap);
  if (tile(f, "exit", f.s("admin.exit"), ImVec2(bw, f.type.primaryButton), TileStyle::Complaint, f.fonts.body))
    f.emit(Command::Kind::AdminExit);
}

// 查询进度: type the ticket code, see its handling as the server last reported it.
void lookupScreen(Frame& f) {
  header(f, f.s("lookup.title"), f.state.dateTime);
  const ui::LookupView& l = *f.state.lookup;
  const float width = f.state.width - 2 * f.type.margin;
  const float bottom = bottomReserve(f);
  ImGui::BeginChild(childId(f, "lookup").c_str(), ImVec2(width, f.state.height - ImGui::GetCursorPosY() - bottom), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  using R = ui::LookupView::Result;
  // Once a ticket is found the field itself shows the code; the page's height goes to the answer.
  if (l.result != R::Found) text(f, f.fonts.question, f.s("lookup.prompt"), colour::kText, width);
  if (fieldBox(f, "code", f.s("lookup.prompt"), l.typed, f.s("enroll.tap"), l.editing, f.type.target))
    f.emit(Command::Kind::LookupField);
  ImGui::Dummy(ImVec2(1, f.type.gap));
  if (l.result == R::Malformed || l.result == R::Mistyped || l.result == R::Unknown || l.result == R::Asking ||
      l.result == R::Unreachable) {
    const char* key = l.result == R::Malformed     ? "lookup.malformed"
                      : l.result == R::Mistyped    ? "lookup.mistyped"
                      : l.result == R::Asking      ? "lookup.asking"
                      : l.result == R::Unreachable ? "lookup.unreachable"
                      : l.asked.empty()            ? "lookup.unknown"
                                                   : "lookup.unknownAnywhere";
    const bool typo = l.result == R::Malformed || l.result == R::Mistyped;
    text(f, f.fonts.body, f.s(key), typo ? colour::kErrorText : colour::kText, width);
  } else if (l.result == R::Found) {
    // Label and value on one line, labels in a column: the reply and the rating stay in view without scrolling.
    const float labelW = width * 0.2f;
    const float x0 = ImGui::GetCursorPosX();
    auto line = [&](const std::string& label, const std::string& value) {
      const float y = ImGui::GetCursorPosY();
      // The label sits on the value's first line: nudged down by the difference of the two fonts' heights.
      ImGui::SetCursorPos(ImVec2(x0, y + (f.fonts.body->FontSize - f.fonts.secondary->FontSize) * 0.6f));
      text(f, f.fonts.secondary, label, colour::kSecondary, labelW - f.type.gap);
      const float afterLabel = ImGui::GetCursorPosY();
      ImGui::SetCursorPos(ImVec2(x0 + labelW, y));
      text(f, f.fonts.body, value, colour::kText, width - labelW);  // a reply comes from the server: body font only
      ImGui::SetCursorPos(ImVec2(x0, std::max(ImGui::GetCursorPosY(), afterLabel)));
    };
    for (size_t i = 0; i < l.rows.size() && i < l.rateAfterRows; ++i) line(l.rows[i].first, l.rows[i].second);
    if (l.canRate) {
      // 回访: three big choices, the words on them (colour is not the only signal).
      ImGui::Dummy(ImVec2(1, f.type.gap));
      text(f, f.fonts.question, f.s("lookup.rateAsk"), colour::kText, width);
      const float w = (width - 2 * f.type.gap) / 3;
      int i = 0;
      for (const char* rating : {"satisfied", "basic", "unsatisfied"}) {
        if (i++ > 0) ImGui::SameLine(0, f.type.gap);
        if (tile(f, rating, f.s((std::string("rating.") + rating).c_str()), ImVec2(w, f.type.target * 1.2f), TileStyle::Card,
                 f.fonts.body))
          f.emit(Command::Kind::RateTicket, rating);
      }
    }
    if (!l.thanks.empty()) text(f, f.fonts.body, l.thanks, colour::kSatisfied, width);
    if (l.canRate) ImGui::Dummy(ImVec2(1, f.type.gap * 0.5f));
    for (size_t i = l.rateAfterRows; i < l.rows.size(); ++i) line(l.rows[i].first, l.rows[i].second);
    ImGui::Dummy(ImVec2(1, f.type.gap * 0.5f));
    for (size_t i = 0; i < l.timeline.size(); ++i) line(i == 0 ? f.s("lookup.timeline") : std::string(" "), l.timeline[i]);
    ImGui::Dummy(ImVec2(1, f.type.gap * 0.5f));
    text(f, f.fonts.secondary, l.note, colour::kSecondary, width);
  }
  ImGui::EndChild();
  if (f.state.keyboard) {
    keyboardPanel(f);
    return;
  }
  bottomBar(f, BarButton{"home", f.s("lookup.back"), Command::Kind::Home},
            BarButton{"search", f.s("lookup.search"), Command::Kind::LookupSubmit});
}

// Enrollment: the server's address and the one-time code, typed on the keyboard; 登记 sends them.
void adminEnrollScreen(Frame& f) {
  header(f, f.s("enroll.title"), f.state.dateTime);
  const ui::EnrollView& e = *f.state.enroll;
  const float width = f.state.width - 2 * f.type.margin;
  const float bottom = bottomReserve(f);
  ImGui::BeginChild(childId(f, "enroll").c_str(), ImVec2(width, f.state.height - ImGui::GetCursorPosY() - bottom), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  text(f, f.fonts.secondary, f.s("enroll.url"), colour::kSecondary, width);
  if (fieldBox(f, "url", f.s("enroll.url"), e.url, f.s("enroll.tap"), e.editing == 1, f.type.target))
    f.emit(Command::Kind::EnrollField, "url");
  ImGui::Dummy(ImVec2(1, f.type.gap));
  text(f, f.fonts.secondary, f.s("enroll.code"), colour::kSecondary, width);
  if (fieldBox(f, "code", f.s("enroll.code"), e.code, f.s("enroll.tap"), e.editing == 2, f.type.target))
    f.emit(Command::Kind::EnrollField, "code");
  if (!e.message.empty()) {
    ImGui::Dummy(ImVec2(1, f.type.gap));
    text(f, f.fonts.body, e.message, e.failed ? colour::kErrorText : colour::kText, width);
  }
  ImGui::EndChild();
  if (f.state.keyboard) {
    keyboardPanel(f);
    return;
  }
  std::optional<BarButton> submit;  // not while the server is being asked
  if (!e.busy) submit = BarButton{"submit", f.s("enroll.submit"), Command::Kind::EnrollSubmit};
  bottomBar(f, BarButton{"back", f.s("admin.back"), Command::Kind::AdminCancel}, submit);
}

// 暂停服务: the kiosk cannot keep what residents give it. No detail for residents; the admin panel has it.
void outOfServiceScreen(Frame& f) {
  header(f, f.state.siteName, f.state.dateTime);
  adminCorner(f);  // staff must reach the panel to see why
  const float width = f.state.width * 0.7f;
  ImGui::SetCursorPos(ImVec2((f.state.width - width) / 2, f.state.height * 0.3f));
  ImGui::BeginGroup();
  text(f, f.fonts.title, f.s("paused.title"), colour::kErrorText, width);
  ImGui::Dummy(ImVec2(1, f.type.gap));
  text(f, f.fonts.body, f.s("paused.body"), colour::kText, width);
  ImGui::EndGroup();
  languageBar(f, false);
}

// A complaint's receipt: the ticket code big enough to read from a step back, the QR link for a phone, the
// category and its promised handling time, and how to follow up.
void receiptScreen(Frame& f) {
  const ui::TicketReceipt& r = *f.state.receipt;
  header(f, f.state.siteName, f.state.dateTime);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float top = f.type.title * 1.6f + f.type.gap * 2;
  const float bottomBar = f.type.primaryButton + f.type.margin * 2;
  const float qrSide = std::min(f.state.height - top - bottomBar - f.type.body * 2.5f, f.state.width * 0.32f);
  const float leftW = f.state.width - 3 * f.type.margin - qrSide;
  // Left: the code, then what happens next (a drag scrolls it when 长辈模式 makes it long).
  ImGui::SetCursorPos(ImVec2(f.type.margin, top));
  ImGui::BeginChild(childId(f, "receipt").c_str(), ImVec2(leftW, f.state.height - top - bottomBar), false, ImGuiWindowFlags_NoScrollbar);
  dragScroll(f);
  text(f, f.fonts.secondary, f.s("receipt.codeLabel"), colour::kSecondary, leftW);
  text(f, f.fonts.ticket, r.code, colour::kPrimary, leftW);
  f.targets.add("ticket:" + r.code, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  ImGui::Dummy(ImVec2(1, f.type.gap));
  text(f, f.fonts.body, plainText(f.state.thankYouText), colour::kText, leftW);
  ImGui::Dummy(ImVec2(1, f.type.gap));
  if (!r.category.empty()) {
    text(f, f.fonts.secondary, f.s("receipt.category"), colour::kSecondary, leftW);
    text(f, f.fonts.body, r.category, colour::kText, leftW);
  }
  if (!r.deadline.empty()) {
    text(f, f.fonts.secondary, f.s("receipt.deadline"), colour::kSecondary, leftW);
    text(f, f.fonts.body, r.deadline, colour::kText, leftW);
  }
  ImGui::Dummy(ImVec2(1, f.type.gap * 0.5f));
  text(f, f.fonts.body, f.s("receipt.howTo"), colour::kText, leftW);
  ImGui::EndChild();
  // Right: the QR code on white with its quiet zone (4 modules), and a caption.
  if (auto qr = makeQr(r.link)) {
    const float x0 = f.state.width - f.type.margin - qrSide, y0 = top;
    const int modules = qr->size + 8;
    const float m = std::floor(qrSide / modules);  // whole pixels per module: crisp edges for phone cameras
    const float side = m * modules;
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x0 + side, y0 + side), colour::kWhite);
    dl->AddRect(ImVec2(x0, y0), ImVec2(x0 + side, y0 + side), colour::kCardBorder, 0, 0, 2);
    for (int y = 0; y < qr->size; ++y)
      for (int x = 0; x < qr->size; ++x)
        if (qr->at(x, y)) {
          const ImVec2 a(x0 + (x + 4) * m, y0 + (y + 4) * m);
          dl->AddRectFilled(a, ImVec2(a.x + m, a.y + m), IM_COL32(0, 0, 0, 255));
        }
    f.targets.add("qr", ImVec2(x0, y0), ImVec2(x0 + side, y0 + side));
    ImGui::PushFont(f.fonts.body);
    const std::string caption = f.s("receipt.scan");
    const float cw = ImGui::CalcTextSize(caption.c_str()).x;
    ImGui::PopFont();
    dl->AddText(f.fonts.body, f.fonts.body->FontSize, ImVec2(x0 + (side - cw) / 2, y0 + side + f.type.gap * 0.5f),
                colour::kText, caption.c_str());
  }
  // Bottom: the countdown and 完成.
  const float bw = f.state.width * 0.25f;
  const float y = f.state.height - f.type.margin - f.type.primaryButton;
  ImGui::SetCursorPos(ImVec2(f.type.margin, y + (f.type.primaryButton - f.type.body) / 2));
  text(f, f.fonts.body, f.s("thanks.return", {std::to_string(f.state.thankYouSeconds)}), colour::kSecondary);
  ImGui::SetCursorPos(ImVec2(f.state.width - f.type.margin - bw, y));
  if (tile(f, "done", f.s("thanks.done"), ImVec2(bw, f.type.primaryButton), TileStyle::Primary, f.fonts.body))
    f.emit(Command::Kind::Finish);
}

void thankYouScreen(Frame& f) {
  if (f.state.receipt) return receiptScreen(f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 c(f.state.width / 2, f.state.height * 0.28f);
  const float r = f.state.height * 0.09f;
  dl->AddCircleFilled(c, r, colour::kSatisfied, 48);
  dl->PathLineTo(ImVec2(c.x - r * 0.45f, c.y));
  dl->PathLineTo(ImVec2(c.x - r * 0.1f, c.y + r * 0.35f));
  dl->PathLineTo(ImVec2(c.x + r * 0.5f, c.y - r * 0.35f));
  dl->PathStroke(colour::kWhite, 0, r * 0.16f);
  const float width = f.state.width * 0.7f;
  ImGui::SetCursorPos(ImVec2((f.state.width - width) / 2, c.y + r + f.type.gap * 2));
  ImGui::BeginGroup();
  text(f, f.fonts.title, plainText(f.state.thankYouText), colour::kText, width);
  ImGui::Dummy(ImVec2(1, f.type.gap));
  text(f, f.fonts.body, f.s("thanks.return", {std::to_string(f.state.thankYouSeconds)}), colour::kSecondary, width);
  ImGui::EndGroup();
  const float bw = f.state.width * 0.25f;
  ImGui::SetCursorPos(ImVec2((f.state.width - bw) / 2, f.state.height - f.type.margin - f.type.primaryButton));
  if (tile(f, "done", f.s("thanks.done"), ImVec2(bw, f.type.primaryButton), TileStyle::Primary, f.fonts.body))
    f.emit(Command::Kind::Finish);
}

// 还在吗？: the only thing on the screen, with a countdown and one big 继续.
void idleOverlay(Frame& f) {
  const float w = std::min(f.state.width - 2 * f.type.margin, std::max(f.state.width * 0.6f, f.type.target * 8)), h = f.state.height * 0.55f;
  const ImVec2 p((f.state.width - w) / 2, (f.state.height - h) / 2);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + w, p.y + h), colour::kCard, 16);
  dl->AddRect(p, ImVec2(p.x + w, p.y + h), colour::kCardBorder, 16, 0, 2);
  ImGui::SetCursorScreenPos(ImVec2(p.x + f.type.margin, p.y + f.type.margin));
  ImGui::BeginGroup();
  text(f, f.fonts.title, f.s("idle.title"), colour::kText, w - 2 * f.type.margin);
  ImGui::Dummy(ImVec2(1, f.type.gap));
  text(f, f.fonts.body, f.s("idle.body", {std::to_string(f.state.idleSecondsLeft)}), colour::kSecondary, w - 2 * f.type.margin);
  ImGui::EndGroup();
  ImGui::SetCursorScreenPos(ImVec2(p.x + f.type.margin, p.y + h - f.type.margin - f.type.primaryButton * 1.2f));
  if (tile(f, "still-here", f.s("idle.continue"), ImVec2(w - 2 * f.type.margin, f.type.primaryButton * 1.2f),
           TileStyle::Primary, f.fonts.entry))
    f.emit(Command::Kind::StillHere);
}

}  // namespace

std::vector<Command> drawKiosk(const ViewState& state, const Fonts& fonts, const TypeScale& type, TouchTargets& targets,
                               const PointerPath& path) {
  Frame f{state, fonts, type, targets, path, {}, false};
  targets.beginFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(state.width, state.height));
  // No background: the renderer's clear already paints the page colour, and under llvmpipe one more
  // full-screen textured, blended quad costs ~7 ms of a 1080p frame.
  ImGui::Begin("kiosk", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse |
                   ImGuiWindowFlags_NoBackground);
  ImGui::PushFont(fonts.body);
  const ImVec2 drag = ImGui::GetMouseDragDelta(0, 0.0f);
  f.suppressClicks = std::fabs(drag.y) > 12.0f || std::fabs(drag.x) > 24.0f;
  if (state.idlePrompt) {
    // 还在吗？ covers the whole screen and the page under it is not drawn at all: whoever walks up to the
    // kiosk while the countdown runs sees nothing of what the last resident typed. 继续 brings it back.
    idleOverlay(f);
  } else {
    switch (state.screen) {
      case Screen::Attract: attractScreen(f); break;
      case Screen::FormList: formListScreen(f); break;
      case Screen::FormPage: if (state.session) formPageScreen(f); break;
      case Screen::Review: if (state.session) reviewScreen(f); break;
      case Screen::ThankYou: thankYouScreen(f); break;
      case Screen::OutOfService: outOfServiceScreen(f); break;
      case Screen::AdminPin: adminPinScreen(f); break;
      case Screen::Admin: adminScreen(f); break;
      case Screen::AdminEnroll: if (state.enroll) adminEnrollScreen(f); break;
      case Screen::Lookup: if (state.lookup) lookupScreen(f); break;
    }
  }
  ImGui::PopFont();
  ImGui::End();
  return std::move(f.commands);
}

}  // namespace minyi::ui
