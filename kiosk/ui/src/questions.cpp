// A touch widget for every question type: choice tiles, ratings with faces or stars, yes/no, matrices,
// ranking, text fields the on-screen keyboard types into, dynamic panels. Rows of tiles are as tall as their
// longest words, and break into more rows before a tile would be narrower than a touch target.
//
// Index: setValue and perRow (helpers); textField; choiceTiles (radiogroup, dropdown, checkbox, tagbox, imagepicker);
// pictureRating and ratingRow (rating); booleanButtons; tileRows, matrixRows (matrix), matrixDropdown;
// rankingTiles; panelButton; errorsFor; questionBody (the switch over every ElementType, dynamic panels).
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "draw.h"

namespace minyi::ui {

using core::ChoiceView;
using core::Element;
using core::ElementType;
using core::Json;
using core::QuestionRef;

namespace {

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

void setValue(Frame& f, const QuestionRef& q, Json v) { f.emit(command::SetValue{q, std::move(v)}); }

// How many tiles of a row of `count` fit across `width`, each at least `least` wide.
int perRow(const Frame& f, size_t count, float width, float least) {
  const int fit = std::max(1, static_cast<int>((width + f.type.gap) / (least + f.type.gap)));
  return std::max(1, std::min(static_cast<int>(count), fit));
}
float tileW(const Frame& f, float width, int columns) { return (width - (columns - 1) * f.type.gap) / columns; }

void textField(Frame& f, const QuestionRef& q, const std::string& id, const std::string& current, const std::string& placeholder,
               bool comment, bool isComment) {
  const bool editing = f.state.editing == q.element && f.state.editingPanel == q.panelIndex && f.state.editingComment == comment;
  // A comment box invites a few lines; while the keyboard is up it is only as tall as its text needs, so
  // the question's title and what is typed both fit in the space above the keys.
  const float height = isComment && !editing ? f.type.target * 2.2f : f.type.target;
  if (fieldBox(f, id, f.s("field.tapToType") + ":" + q.element->name + (comment ? "-Comment" : ""), current, placeholder,
               editing, height))
    f.emit(command::EditText{q, comment ? command::TextPart::Comment : command::TextPart::Value});
}

void choiceTiles(Frame& f, const QuestionRef& q, const std::vector<ChoiceView>& choices, bool multi, float width) {
  const core::Session& s = *f.state.session;
  const Json value = s.value(q);
  const int columns = choices.size() > 6 && !f.narrow() ? 2 : 1;
  const float w = tileW(f, width, columns);
  for (size_t row = 0; row < choices.size(); row += columns) {
    // A row is as tall as its longest words (with room for the check mark a chosen tile shows).
    float h = 0;
    for (size_t i = row; i < std::min(choices.size(), row + columns); ++i)
      h = std::max(h, tileHeight(f, choices[i].text, w, f.fonts.body, true));
    bool otherOpen = false;
    for (size_t i = row; i < std::min(choices.size(), row + columns); ++i) {
      const ChoiceView& c = choices[i];
      const bool selected = isSelected(value, c.value) || (c.isSelectAll && value.is_array() && value.size() + 3 >= choices.size());
      if (i > row) ImGui::SameLine(0, f.type.gap);
      const std::string id = "c" + std::to_string(i);
      const bool tapped = tile(f, id.c_str(), c.text, ImVec2(w, h), selected ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, selected);
      // Also "question/choice", so a test can tell apart two questions that offer the same words.
      f.targets.addAlias(q.element->name + "/" + c.text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
      if (tapped && c.enabled) {
        if (!multi) {
          setValue(f, q, c.value);
        } else if (c.isSelectAll) {
          Json all = Json::array();
          for (const ChoiceView& o : choices)
            if (!o.isSelectAll && !o.isNone && !o.isOther) all.push_back(o.value);
          setValue(f, q, all);
        } else {
          setValue(f, q, toggled(value, c.value));
        }
      }
      otherOpen = otherOpen || (c.isOther && selected);
    }
    if (otherOpen) {
      const Element& e = *q.element;
      textField(f, q, "other", s.comment(q), e.otherPlaceholder.empty() ? f.s("field.tapToType") : s.text(e.otherPlaceholder), true, false);
    }
  }
}

// Faces or stars with their word under the picture; a row breaks before a tile gets narrower than a target.
void pictureRating(Frame& f, const QuestionRef& q, const std::vector<ChoiceView>& items, bool stars, float width) {
  const Json value = f.state.session->value(q);
  const int columns = perRow(f, items.size(), width, f.type.target * 1.2f);
  const float w = std::min(tileW(f, width, columns), f.type.target * 3.2f);
  const float pad = std::max(6.0f, f.type.gap * 0.4f), wrap = w - 2 * pad;
  const float r = std::min(w * 0.3f, f.type.target * 0.45f);
  float wordsH = 0;
  for (const ChoiceView& c : items) wordsH = std::max(wordsH, measure(f, f.fonts.secondary, c.text, wrap).y);
  const float h = std::max(f.type.target * 2.0f, pad * 3 + 2 * r + wordsH);
  const bool best = bestFirst(items);
  size_t selectedIndex = items.size();
  for (size_t k = 0; k < items.size(); ++k)
    if (isSelected(value, items[k].value)) selectedIndex = k;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i % columns) ImGui::SameLine(0, f.type.gap);
    const ChoiceView& c = items[i];
    const bool selected = i == selectedIndex;
    ImGui::PushID(static_cast<int>(i));
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const bool tapped = ImGui::InvisibleButton("##rate", ImVec2(w, h)) && !f.suppressClicks;
    const bool pressed = ImGui::IsItemActive();
    ImGui::PopID();
    const ImVec2 qd(p.x + w, p.y + h);
    const int owner = f.targets.add(c.text, p, qd);
    f.targets.addAlias(q.element->name + "/" + c.text, p, qd);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float rounding = f.type.gap * 0.5f;
    dl->AddRectFilled(p, qd, selected ? colour::kSelectedLight : colour::kCard, rounding);
    if (pressed) dl->AddRectFilled(p, qd, colour::kPressedShade, rounding);
    dl->AddRect(p, qd, selected ? colour::kPrimary : colour::kCardBorder, rounding, 0, selected ? 5.0f : 2.0f);
    const ImVec2 centre(p.x + w / 2, p.y + pad + r);
    if (stars) {
      star(dl, centre, r, selectedIndex < items.size() && i <= selectedIndex);  // stars fill up to the chosen one
    } else {
      auto [col, mood] = moodOf(i, items.size(), best);
      face(dl, centre, r, mood, col);
    }
    const ImVec2 ws = measure(f, f.fonts.secondary, c.text, wrap);
    drawText(f, f.fonts.secondary, ImVec2(p.x + (w - ws.x) / 2, p.y + pad * 2 + 2 * r), colour::kText, c.text, wrap, owner, true);
    if (tapped) setValue(f, q, c.value);
  }
}

void ratingRow(Frame& f, const QuestionRef& q, const std::vector<ChoiceView>& items, const std::string& rateType, float width) {
  if (rateType != "labels") return pictureRating(f, q, items, rateType == "stars", width);
  const Json value = f.state.session->value(q);
  const int columns = perRow(f, items.size(), width, f.type.target * 1.2f);
  const float w = std::min(tileW(f, width, columns), f.type.target * 3.2f);
  for (size_t row = 0; row < items.size(); row += columns) {
    float h = 0;
    for (size_t i = row; i < std::min(items.size(), row + columns); ++i) h = std::max(h, tileHeight(f, items[i].text, w, f.fonts.body, true));
    for (size_t i = row; i < std::min(items.size(), row + columns); ++i) {
      if (i > row) ImGui::SameLine(0, f.type.gap);
      const bool selected = isSelected(value, items[i].value);
      const std::string id = "r" + std::to_string(i);
      if (tile(f, id.c_str(), items[i].text, ImVec2(w, h), selected ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, selected))
        setValue(f, q, items[i].value);
      f.targets.addAlias(q.element->name + "/" + items[i].text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
    }
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
  const float h = std::max(tileHeight(f, yesText, w, f.fonts.body, true), tileHeight(f, noText, w, f.fonts.body, true));
  const bool isYes = !value.is_null() && core::values::equal(value, yes);
  const bool isNo = !value.is_null() && core::values::equal(value, no);
  if (tile(f, "yes", yesText, ImVec2(w, h), isYes ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, isYes)) setValue(f, q, true);
  f.targets.addAlias(e.name + "/" + yesText, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  ImGui::SameLine(0, f.type.gap);
  if (tile(f, "no", noText, ImVec2(w, h), isNo ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, isNo)) setValue(f, q, false);
  f.targets.addAlias(e.name + "/" + noText, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
}

// Tiles for one row of a matrix: as many across as fit, each as tall as the longest words among them.
template <typename Draw>
void tileRows(Frame& f, const std::vector<std::string>& labels, float width, Draw draw) {
  const int columns = perRow(f, labels.size(), width, f.type.target * 1.3f);
  const float w = tileW(f, width, columns);
  for (size_t row = 0; row < labels.size(); row += columns) {
    float h = 0;
    for (size_t i = row; i < std::min(labels.size(), row + columns); ++i) h = std::max(h, tileHeight(f, labels[i], w, f.fonts.body, true));
    for (size_t i = row; i < std::min(labels.size(), row + columns); ++i) {
      if (i > row) ImGui::SameLine(0, f.type.gap);
      draw(i, ImVec2(w, h));
    }
  }
}

void matrixRows(Frame& f, const Element& e, float width) {
  const core::Session& s = *f.state.session;
  const auto rows = s.matrixRows(e);
  const auto cols = s.matrixColumns(e);
  std::vector<std::string> labels;
  for (const auto& c : cols) labels.push_back(c.text);
  const bool satisfaction = cols.size() >= 2 && bestFirst(cols);
  for (size_t r = 0; r < rows.size(); ++r) {
    ImGui::PushID(static_cast<int>(r));
    text(f, f.fonts.body, rows[r].text, colour::kText, width);
    const Json current = s.matrixCell(e, rows[r].value, "");
    tileRows(f, labels, width, [&](size_t c, ImVec2 size) {
      const bool selected = !current.is_null() && core::values::equal(current, cols[c].value);
      const std::string id = "m" + std::to_string(c);
      const ImU32 fill = selected ? moodOf(c, cols.size(), satisfaction).first : 0;
      const bool tapped = tile(f, id.c_str(), cols[c].text, size, selected ? TileStyle::Selected : TileStyle::Card, f.fonts.body, fill, selected);
      f.targets.addAlias(rows[r].text + "/" + cols[c].text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
      if (tapped) {
        Json obj = s.value(e).is_object() ? s.value(e) : Json::object();
        obj[core::values::toDisplayString(rows[r].value)] = cols[c].value;
        setValue(f, QuestionRef{&e}, obj);
      }
    });
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
        setValue(f, QuestionRef{&e}, obj);
      };
      const Element& cell = *col.cell;
      if (cell.type == ElementType::Boolean) {
        const std::vector<std::string> labels = {f.s("boolean.true"), f.s("boolean.false")};
        tileRows(f, labels, width, [&](size_t i, ImVec2 size) {
          const bool on = current.is_boolean() && current.get<bool>() == (i == 0);
          if (tile(f, i == 0 ? "y" : "n", labels[i], size, on ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, on)) setCell(i == 0);
        });
      } else if (cell.type == ElementType::Text || cell.type == ElementType::Comment) {
        text(f, f.fonts.body, current.is_null() ? std::string() : core::values::toDisplayString(current), colour::kText, width);
      } else {
        const auto items = s.cellChoices(e, col);
        const bool multi = cell.type == ElementType::Checkbox || cell.type == ElementType::Tagbox;
        std::vector<std::string> labels;
        for (const auto& it : items) labels.push_back(it.text);
        tileRows(f, labels, width, [&](size_t i, ImVec2 size) {
          const bool selected = isSelected(current, items[i].value);
          const std::string id = "i" + std::to_string(i);
          if (tile(f, id.c_str(), items[i].text, size, selected ? TileStyle::Selected : TileStyle::Card, f.fonts.body, 0, selected)) {
            if (!multi) setCell(items[i].value);
            else setCell(toggled(current, items[i].value));
          }
        });
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
    if (tile(f, id.c_str(), label, ImVec2(width, 0), rank ? TileStyle::Selected : TileStyle::Card, f.fonts.body)) {
      Json next = value;
      if (rank) next.erase(next.begin() + (rank - 1));
      else next.push_back(choices[i].value);
      setValue(f, q, next);
    }
    f.targets.addAlias(choices[i].text, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  }
}

// A button of a dynamic panel, as wide as its words need (at least 40 % of the row).
bool panelButton(Frame& f, const char* id, const std::string& label, float width) {
  return tile(f, id, label, ImVec2(std::min(width, std::max(width * 0.4f, tileWidth(f, label, f.fonts.body))), 0), TileStyle::Outline,
              f.fonts.body);
}

}  // namespace

void errorsFor(Frame& f, const QuestionRef& q, float width) {
  for (const auto& err : f.state.session->errorsFor(q)) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const std::string msg = "！ " + err.message;
    const ImVec2 ts = measure(f, f.fonts.body, msg, width - f.type.gap * 2);
    const ImVec2 q2(p.x + width, p.y + ts.y + f.type.gap);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, q2, colour::kErrorBack, 6);
    dl->AddRectFilled(p, ImVec2(p.x + 8, q2.y), colour::kErrorText);
    drawText(f, f.fonts.body, ImVec2(p.x + f.type.gap, p.y + f.type.gap / 2), colour::kErrorText, msg, width - f.type.gap * 2);
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
      richText(f, f.fonts.body, core::richText(s.text(e.html)), colour::kText, width);
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
            panelButton(f, "remove", e.removePanelText.empty() ? f.s("panel.remove") : s.text(e.removePanelText), width))
          f.emit(command::RemovePanel{q, i});
        ImGui::PopID();
      }
      if (n == 0) text(f, f.fonts.body, e.noEntriesText.empty() ? f.s("panel.noEntries") : s.text(e.noEntriesText), colour::kSecondary, width);
      if (e.allowAddPanel && n < e.maxPanelCount &&
          panelButton(f, "add", e.addPanelText.empty() ? f.s("panel.add") : s.text(e.addPanelText), width))
        f.emit(command::AddPanel{q});
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

}  // namespace minyi::ui
