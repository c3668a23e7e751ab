// Form model helpers: type names and walking the element tree.
#include "minyi/core/form.h"

#include <array>
#include <utility>

namespace minyi::core {

namespace {
constexpr std::array<std::pair<ElementType, const char*>, 17> kTypes{{
    {ElementType::Panel, "panel"},
    {ElementType::Text, "text"},
    {ElementType::Comment, "comment"},
    {ElementType::Radiogroup, "radiogroup"},
    {ElementType::Checkbox, "checkbox"},
    {ElementType::Dropdown, "dropdown"},
    {ElementType::Tagbox, "tagbox"},
    {ElementType::Rating, "rating"},
    {ElementType::Boolean, "boolean"},
    {ElementType::Matrix, "matrix"},
    {ElementType::MatrixDropdown, "matrixdropdown"},
    {ElementType::Ranking, "ranking"},
    {ElementType::ImagePicker, "imagepicker"},
    {ElementType::Html, "html"},
    {ElementType::Expression, "expression"},
    {ElementType::MultipleText, "multipletext"},
    {ElementType::PanelDynamic, "paneldynamic"},
}};

void collect(const std::vector<std::unique_ptr<Element>>& elements, std::vector<const Element*>& out) {
  for (const auto& e : elements) {
    out.push_back(e.get());
    collect(e->elements, out);
  }
}

bool contains(const Element* outer, const Element* e) {
  for (const Element* p = e; p; p = p->parent) {
    if (p == outer) return true;
  }
  return false;
}
}  // namespace

const char* typeName(ElementType t) {
  for (const auto& [type, name] : kTypes) {
    if (type == t) return name;
  }
  return "?";
}

std::optional<ElementType> typeFromName(std::string_view name) {
  for (const auto& [type, n] : kTypes) {
    if (name == n) return type;
  }
  return std::nullopt;
}

bool Element::isChoiceQuestion() const {
  switch (type) {
    case ElementType::Radiogroup:
    case ElementType::Checkbox:
    case ElementType::Dropdown:
    case ElementType::Tagbox:
    case ElementType::Ranking:
    case ElementType::ImagePicker:
      return true;
    case ElementType::Panel:
    case ElementType::Text:
    case ElementType::Comment:
    case ElementType::Rating:
    case ElementType::Boolean:
    case ElementType::Matrix:
    case ElementType::MatrixDropdown:
    case ElementType::Html:
    case ElementType::Expression:
    case ElementType::MultipleText:
    case ElementType::PanelDynamic:
      return false;
  }
  return false;  // not reached: every type has its case (no default, so a new type is a compile error above)
}

const Element* Element::dynamicPanel() const {
  for (const Element* p = parent; p; p = p->parent)
    if (p->type == ElementType::PanelDynamic) return p;
  return nullptr;
}

bool Element::isNestedValue() const {
  for (const Element* p = parent; p; p = p->parent)
    if (p->type == ElementType::PanelDynamic || p->type == ElementType::MultipleText) return true;
  return false;
}

std::vector<const Element*> Form::allElements() const {
  std::vector<const Element*> out;
  for (const Page& p : pages) collect(p.elements, out);
  return out;
}

const Element* Form::findQuestion(std::string_view name) const {
  for (const Element* e : allElements()) {
    // Template questions and multipletext items live inside their container's value.
    if (e->isNestedValue() || !e->isQuestion()) continue;
    if (e->name == name || (!e->valueName.empty() && e->valueName == name)) return e;
  }
  return nullptr;
}

int Form::pageOf(const Element* e) const {
  for (size_t i = 0; i < pages.size(); ++i) {
    for (const auto& top : pages[i].elements) {
      if (contains(top.get(), e)) return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace minyi::core
