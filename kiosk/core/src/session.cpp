// Form session: answers, visibility, choices, triggers, page flow, progress and results of one resident's fill.
#include "minyi/core/session.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <regex>
#include <set>

namespace minyi::core {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool insideTemplate(const Element& e) { return e.dynamicPanel() != nullptr; }

Json numberJson(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return Json(static_cast<long long>(v));
  return Json(v);
}

bool containsValue(const Json& arr, const Json& v) {
  if (!arr.is_array()) return values::equal(arr, v);
  return std::any_of(arr.begin(), arr.end(), [&](const Json& x) { return values::equal(x, v); });
}

bool isOtherValue(const Json& v) { return v.is_string() && v.get<std::string>() == "other"; }

// The first segment of a variable path: "panel.q1" → "panel", "a[0]" → "a", "#q" → "q".
std::string rootName(std::string v) {
  if (!v.empty() && v[0] == '#') v.erase(0, 1);
  return lower(v);
}

constexpr size_t kMaxAnswerChars = 5000;  // longer text answers are refused before any regex runs

size_t utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string numberText(double v) { return values::toDisplayString(numberJson(v)); }

}  // namespace

Session::Session(const Form& form, const StringTable& strings, std::string locale, Clock clock)
    : form_(form), strings_(strings), locale_(normalizeLocale(locale)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  started_ = clock_();
  orderSeed_ = static_cast<unsigned>(started_.time_since_epoch().count() & 0xffffffff);
  for (const Element* e : form_.allElements()) {
    if (e->type == ElementType::PanelDynamic) panelCounts_[e] = e->panelCount;
  }
  applyDefaults();
  recompute("");
  const auto pages = visiblePages();
  current_ = pages.empty() ? 0 : pages.front();
  refreshPageNumbers();
}

void Session::setLocale(std::string locale) {
  locale_ = normalizeLocale(locale);
  scopeDirty_ = true;
}

std::string Session::msg(const std::string& key, const std::vector<std::string>& args) const {
  return strings_.get(locale_, key, args);
}

// ---------------------------------------------------------------- evaluation

const Json& Session::scope() const {
  if (scopeDirty_) {
    scope_ = data_;
    for (auto it = variables_.begin(); it != variables_.end(); ++it) scope_[it.key()] = it.value();
    scope_["locale"] = locale_;
    scope_["pageno"] = pageNo_;
    scope_["pagecount"] = pageCount_;
    scopeDirty_ = false;
  }
  return scope_;
}

Json Session::run(const Expression& e, bool asCondition, const QuestionRef* q, const Json* row, const Json* item) const {
  if (e.empty()) return asCondition ? Json(true) : Json();
  const Json* values = &scope();
  Json local;  // only built when there is context to add
  const bool inPanel = q && q->dynamicPanel && q->panelIndex >= 0;
  if (inPanel || row || item) {
    local = scope();
    if (inPanel) {
      const Json& arr = data_.contains(q->dynamicPanel->valueKey()) ? data_[q->dynamicPanel->valueKey()] : Json();
      auto at = [&](int i) { return arr.is_array() && i >= 0 && i < static_cast<int>(arr.size()) ? arr[i] : Json::object(); };
      local["panel"] = at(q->panelIndex);
      local["panelIndex"] = q->panelIndex;
      local["prevPanel"] = at(q->panelIndex - 1);
    }
    if (row) local["row"] = *row;
    if (item) local["item"] = *item;
    values = &local;
  }
  EvalEnv env;
  env.values = values;
  env.now = clock_();
  env.hostFunction = [this](std::string_view name, const std::vector<Json>& args) -> std::optional<Json> {
    const std::string n = lower(std::string(name));
    const std::string arg0 = !args.empty() && args[0].is_string() ? args[0].get<std::string>() : std::string();
    const Element* target = arg0.empty() ? nullptr : form_.findQuestion(arg0);
    if (n == "displayvalue") return target ? Json(displayValueOf(*target, value(*target))) : Json();
    if (n == "getcomment") {
      auto it = data_.find(arg0 + "-Comment");
      return it != data_.end() ? *it : Json();
    }
    if (n == "propertyvalue") {
      if (!target || args.size() < 2 || !args[1].is_string()) return Json();
      const std::string prop = args[1].get<std::string>();
      if (prop == "name") return Json(target->name);
      if (prop == "title") return Json(title(*target));
      if (prop == "isRequired") return Json(isRequired(*target));
      if (prop == "visible") return Json(isVisible(*target));
      if (prop == "readOnly") return Json(!isEnabled(*target));
      if (prop == "inputType") return Json(target->inputType);
      return Json();
    }
    if (n == "iscontainerready") {
      for (const Page& p : form_.pages) {
        if (p.name == arg0) return Json(true);  // pages hold no unanswered-required state of their own here
      }
      for (const Element* e : form_.allElements()) {
        if (e->name != arg0 || e->type != ElementType::Panel) continue;
        std::vector<ValidationError> errs;
        validateElement(*e, -1, nullptr, errs);
        return Json(std::none_of(errs.begin(), errs.end(), [](const ValidationError& x) { return x.level == Notification::Error; }));
      }
      return Json(false);
    }
    if (n == "isdisplaymode") return Json(form_.readOnly);
    return std::nullopt;
  };
  return asCondition ? Json(e.evaluateCondition(env)) : e.evaluate(env);
}

Json Session::evaluate(const Expression& e, const QuestionRef* q, const Json* row, const Json* item) const {
  return run(e, false, q, row, item);
}

bool Session::condition(const Expression& e, const QuestionRef* q, const Json* row, const Json* item) const {
  return run(e, true, q, row, item).get<bool>();
}

bool Session::dependsOn(const Expression& e, const std::string& key) const {
  if (key.empty()) return true;
  const std::string k = lower(key);
  for (const std::string& v : e.variables()) {
    std::string r = rootName(v);
    if (r == k || r.rfind(k + ".", 0) == 0 || r.rfind(k + "[", 0) == 0) return true;
    if (r.rfind("panel", 0) == 0 || r.rfind("row", 0) == 0) return true;  // context reads: assume dependent
  }
  // Functions such as displayValue('q') read values by name.
  return !e.functions().empty();
}

// ---------------------------------------------------------------- values

Json Session::containerValue(const QuestionRef& q) const {
  const Element& e = *q.element;
  if (e.parent && e.parent->type == ElementType::MultipleText) {
    return value(QuestionRef{e.parent, q.dynamicPanel, q.panelIndex});
  }
  if (q.dynamicPanel && q.panelIndex >= 0) {
    auto it = data_.find(q.dynamicPanel->valueKey());
    if (it == data_.end() || !it->is_array() || q.panelIndex >= static_cast<int>(it->size())) return Json::object();
    return (*it)[q.panelIndex];
  }
  return data_;
}

Json Session::value(const QuestionRef& q) const {
  if (!q.element) return Json();
  const Element& e = *q.element;
  const Json c = containerValue(q);
  const std::string key = e.parent && e.parent->type == ElementType::MultipleText ? e.name : e.valueKey();
  if (!c.is_object()) return Json();
  auto it = c.find(key);
  return it == c.end() ? Json() : *it;
}

// Puts a value (or removes it when empty) at the question's place, creating containers as needed.
void Session::storeValue(const QuestionRef& q, Json v) {
  const Element& e = *q.element;
  const bool empty = values::isEmpty(v);
  if (e.parent && e.parent->type == ElementType::MultipleText) {
    QuestionRef parent{e.parent, q.dynamicPanel, q.panelIndex};
    Json obj = value(parent);
    if (!obj.is_object()) obj = Json::object();
    if (empty) obj.erase(e.name);
    else obj[e.name] = std::move(v);
    storeValue(parent, std::move(obj));
    return;
  }
  if (q.dynamicPanel && q.panelIndex >= 0) {
    Json& arr = data_[q.dynamicPanel->valueKey()];
    if (!arr.is_array()) arr = Json::array();
    while (static_cast<int>(arr.size()) <= q.panelIndex) arr.push_back(Json::object());
    Json& obj = arr[q.panelIndex];
    if (!obj.is_object()) obj = Json::object();
    if (empty) obj.erase(e.valueKey());
    else obj[e.valueKey()] = std::move(v);
    if (values::isEmpty(arr)) data_.erase(q.dynamicPanel->valueKey());
  } else if (empty) {
    data_.erase(e.valueKey());
  } else {
    data_[e.valueKey()] = std::move(v);
  }
  scopeDirty_ = true;
}

void Session::setValue(const QuestionRef& q, Json v) {
  if (!q.element || completed_) return;
  const Element& e = *q.element;
  // Normalise what the UI hands over into SurveyJS's stored shapes.
  if (e.type == ElementType::Text && (e.inputType == "number") && v.is_string()) {
    if (auto n = values::toNumber(v)) v = numberJson(*n);
  }
  if (e.type == ElementType::Boolean && v.is_boolean()) {
    if (v.get<bool>() && !e.valueTrue.is_null()) v = e.valueTrue;
    else if (!v.get<bool>() && !e.valueFalse.is_null()) v = e.valueFalse;
  }
  if ((e.type == ElementType::Checkbox || e.type == ElementType::Tagbox) && !v.is_null() && !v.is_array()) {
    v = Json::array({v});
  }
  if (e.type == ElementType::Checkbox && v.is_array() && v.size() > 1) {
    // Picking "none" or an exclusive item clears the others; picking another item clears "none".
    const Json& last = v.back();
    bool lastExclusive = last == "none";
    for (const Choice& c : e.choices)
      if (c.isExclusive && values::equal(c.value, last)) lastExclusive = true;
    if (lastExclusive) v = Json::array({last});
    else {
      Json kept = Json::array();
      for (const Json& x : v) {
        bool exclusive = x == "none";
        for (const Choice& c : e.choices)
          if (c.isExclusive && values::equal(c.value, x)) exclusive = true;
        if (!exclusive) kept.push_back(x);
      }
      v = std::move(kept);
    }
  }
  storeValue(q, v);
  // Leaving "other" clears its text, as SurveyJS does.
  if (e.isChoiceQuestion() && e.showOtherItem && !containsValue(v, Json("other")) && !e.showCommentArea) {
    if (!q.dynamicPanel) data_.erase(e.commentKey());
  }
  recompute(q.dynamicPanel ? q.dynamicPanel->valueKey() : e.valueKey());
  if (form_.checkErrorsMode == "onValueChanged" && !errors_.empty()) {
    errors_.erase(std::remove_if(errors_.begin(), errors_.end(), [&](const ValidationError& x) { return x.question == q; }),
                  errors_.end());
  }
}

bool Session::setValueByName(const std::string& name, Json v) {
  const Element* e = form_.findQuestion(name);
  if (!e) return false;
  setValue(*e, std::move(v));
  return true;
}

std::string Session::comment(const QuestionRef& q) const {
  if (!q.element) return {};
  const std::string key = q.element->commentKey();
  const Json c = containerValue(q);
  auto it = c.is_object() ? c.find(key) : c.end();
  return c.is_object() && it != c.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void Session::setComment(const QuestionRef& q, std::string text) {
  if (!q.element || completed_) return;
  Json* obj = &data_;
  if (q.dynamicPanel && q.panelIndex >= 0) {
    Json& arr = data_[q.dynamicPanel->valueKey()];
    if (!arr.is_array()) arr = Json::array();
    while (static_cast<int>(arr.size()) <= q.panelIndex) arr.push_back(Json::object());
    obj = &arr[q.panelIndex];
  }
  if (text.empty()) obj->erase(q.element->commentKey());
  else (*obj)[q.element->commentKey()] = std::move(text);
  if (q.dynamicPanel && values::isEmpty(data_[q.dynamicPanel->valueKey()])) data_.erase(q.dynamicPanel->valueKey());
  scopeDirty_ = true;
  recompute(q.element->commentKey());
}

void Session::setMatrixCell(const Element& matrix, const Json& row, const std::string& column, Json v) {
  Json obj = value(matrix);
  if (!obj.is_object()) obj = Json::object();
  const std::string rowKey = row.is_string() ? row.get<std::string>() : row.dump();
  if (matrix.type == ElementType::Matrix) {
    if (values::isEmpty(v)) obj.erase(rowKey);
    else obj[rowKey] = std::move(v);
  } else {
    Json& r = obj[rowKey];
    if (!r.is_object()) r = Json::object();
    if (values::isEmpty(v)) r.erase(column);
    else r[column] = std::move(v);
    if (r.empty()) obj.erase(rowKey);
  }
  setValue(matrix, std::move(obj));
}

Json Session::matrixCell(const Element& matrix, const Json& row, const std::string& column) const {
  const Json obj = value(matrix);
  const std::string rowKey = row.is_string() ? row.get<std::string>() : row.dump();
  if (!obj.is_object() || !obj.contains(rowKey)) return Json();
  const Json& r = obj[rowKey];
  if (matrix.type == ElementType::Matrix) return r;
  return r.is_object() && r.contains(column) ? r[column] : Json();
}

int Session::panelCount(const Element& pd) const {
  auto it = panelCounts_.find(&pd);
  int n = it == panelCounts_.end() ? 0 : it->second;
  auto v = data_.find(pd.valueKey());
  if (v != data_.end() && v->is_array()) n = std::max(n, static_cast<int>(v->size()));
  return n;
}

bool Session::addPanel(const Element& pd) {
  if (completed_ || !pd.allowAddPanel || panelCount(pd) >= pd.maxPanelCount) return false;
  const int index = panelCount(pd);
  panelCounts_[&pd] = index + 1;
  // Template defaults for the new panel.
  std::function<void(const std::vector<std::unique_ptr<Element>>&)> defaults = [&](const auto& elements) {
    for (const auto& e : elements) {
      if (!e->defaultValue.is_null()) storeValue(QuestionRef{e.get(), &pd, index}, e->defaultValue);
      defaults(e->elements);
    }
  };
  defaults(pd.elements);
  scopeDirty_ = true;
  recompute(pd.valueKey());
  return true;
}

bool Session::removePanel(const Element& pd, int index) {
  const int n = panelCount(pd);
  if (completed_ || !pd.allowRemovePanel || index < 0 || index >= n || n <= pd.minPanelCount) return false;
  auto v = data_.find(pd.valueKey());
  if (v != data_.end() && v->is_array() && index < static_cast<int>(v->size())) {
    v->erase(v->begin() + index);
    if (values::isEmpty(*v)) data_.erase(v);
  }
  panelCounts_[&pd] = n - 1;
  scopeDirty_ = true;
  recompute(pd.valueKey());
  return true;
}

Json Session::variable(const std::string& name) const {
  auto it = variables_.find(name);
  return it == variables_.end() ? Json() : *it;
}

// ---------------------------------------------------------------- derived values and triggers

void Session::applyDefaults() {
  for (const Element* e : form_.allElements()) {
    if (!e->isQuestion() || e->isNestedValue()) continue;
    if (!e->defaultValue.is_null()) storeValue(QuestionRef{e}, e->defaultValue);
    else if (!e->defaultValueExpression.empty()) storeValue(QuestionRef{e}, evaluate(e->defaultValueExpression, nullptr));
  }
}

void Session::refreshPageNumbers() {
  const auto pages = visiblePages();
  pageCount_ = static_cast<int>(pages.size());
  auto it = std::find(pages.begin(), pages.end(), current_);
  pageNo_ = it == pages.end() ? 1 : static_cast<int>(it - pages.begin()) + 1;
  scopeDirty_ = true;
}

void Session::recompute(const std::string& changedKey) {
  if (recomputeDepth_ > 8) return;  // triggers that feed each other stop here instead of looping
  ++recomputeDepth_;
  // Calculated values and expression questions may depend on each other: settle in a few passes.
  for (int pass = 0; pass < 3; ++pass) {
    bool changed = false;
    for (const CalculatedValue& cv : form_.calculatedValues) {
      Json v = evaluate(cv.expression, nullptr);
      if (variable(cv.name) != v) {
        variables_[cv.name] = v;
        scopeDirty_ = true;
        changed = true;
      }
    }
    for (const Element* e : form_.allElements()) {
      if (e->type != ElementType::Expression) continue;
      // In a dynamic panel template, once per panel with {panel.x} bound to that panel.
      const Element* dp = e->dynamicPanel();
      const int panels = dp ? panelCount(*dp) : 1;
      for (int i = 0; i < panels; ++i) {
        const QuestionRef ref{e, dp, dp ? i : -1};
        Json v = evaluate(e->expression, dp ? &ref : nullptr);
        const Json old = value(ref);
        if (old != v && !(values::isEmpty(v) && old.is_null())) {
          storeValue(ref, v);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  // setValueIf / resetValueIf react to the answers they read.
  for (const Element* e : form_.allElements()) {
    if (!e->isQuestion() || insideTemplate(*e) || changedKey == e->valueKey()) continue;
    if (!e->resetValueIf.empty() && dependsOn(e->resetValueIf, changedKey) && condition(e->resetValueIf, nullptr)) {
      if (!value(*e).is_null()) storeValue(QuestionRef{e}, Json());
    }
    if (!e->setValueIf.empty() && dependsOn(e->setValueIf, changedKey) && condition(e->setValueIf, nullptr)) {
      Json v = e->setValueExpression.empty() ? Json() : evaluate(e->setValueExpression, nullptr);
      if (value(*e) != v) storeValue(QuestionRef{e}, v);
    }
  }
  runValueTriggers(changedKey);
  if (form_.clearInvisibleValues == "onHidden" || form_.clearInvisibleValues == "onHiddenContainer") clearHidden();
  else {
    for (const Element* e : form_.allElements()) {
      if (e->clearIfInvisible != "onHidden" || insideTemplate(*e) || !e->isQuestion()) continue;
      if (!isVisible(*e) && !value(*e).is_null()) storeValue(QuestionRef{e}, Json());
    }
  }
  refreshPageNumbers();
  --recomputeDepth_;
}

void Session::runValueTriggers(const std::string& changedKey) {
  if (changedKey.empty()) return;  // triggers react to a resident's change, not to the start of a session
  for (const Trigger& t : form_.triggers) {
    if (t.type == TriggerType::Complete || !dependsOn(t.expression, changedKey)) continue;
    if (!condition(t.expression, nullptr)) continue;
    switch (t.type) {
      case TriggerType::SetValue:
        if (t.isVariable) {
          variables_[t.setToName] = t.setValue;
          scopeDirty_ = true;
        } else if (const Element* q = form_.findQuestion(t.setToName)) {
          if (value(*q) != t.setValue) setValue(*q, t.setValue);
        }
        break;
      case TriggerType::CopyValue:
        if (const Element* q = form_.findQuestion(t.setToName)) {
          const Element* from = form_.findQuestion(t.fromName);
          Json v = from ? value(*from) : variable(t.fromName);
          if (value(*q) != v) setValue(*q, v);
        }
        break;
      case TriggerType::RunExpression: {
        Json v = evaluate(t.runExpression, nullptr);
        if (!t.setToName.empty()) {
          if (const Element* q = form_.findQuestion(t.setToName)) {
            if (value(*q) != v) setValue(*q, v);
          } else {
            variables_[t.setToName] = v;
            scopeDirty_ = true;
          }
        }
        break;
      }
      case TriggerType::Skip:
        if (const Element* q = form_.findQuestion(t.gotoName)) {
          const int page = form_.pageOf(q);
          if (page >= 0 && isPageVisible(page)) current_ = page;
        }
        break;
      case TriggerType::Complete:
        break;
    }
  }
}

void Session::clearHidden() {
  for (const Element* e : form_.allElements()) {
    if (!e->isQuestion() || insideTemplate(*e) || e->clearIfInvisible == "none") continue;
    if (e->parent && e->parent->type == ElementType::MultipleText) continue;
    if (e->type == ElementType::Expression) continue;
    const int page = form_.pageOf(e);
    const bool hidden = !isVisible(*e) || (page >= 0 && !isPageVisible(page));
    if (hidden && !value(*e).is_null()) {
      storeValue(QuestionRef{e}, Json());
      data_.erase(e->commentKey());
    }
  }
}

bool Session::anyCompleteTrigger() const {
  for (const Trigger& t : form_.triggers)
    if (t.type == TriggerType::Complete && condition(t.expression, nullptr)) return true;
  return false;
}

bool Session::completeOnNext() const { return !completed_ && anyCompleteTrigger(); }

// ---------------------------------------------------------------- state of elements

bool Session::isVisible(const Element& e, int panelIndex) const {
  const Element* dp = e.dynamicPanel();
  QuestionRef ref{&e, dp, panelIndex};
  if (!e.visible) return false;
  if (!condition(e.visibleIf, dp ? &ref : nullptr)) return false;
  if (e.isChoiceQuestion() && e.hideIfChoicesEmpty && choices(ref).empty()) return false;
  if (e.parent) {
    if (e.parent->type == ElementType::PanelDynamic) {
      if (!isVisible(*e.parent)) return false;
      if (!e.parent->templateVisibleIf.empty() && !condition(e.parent->templateVisibleIf, &ref)) return false;
    } else if (!isVisible(*e.parent, panelIndex)) {
      return false;
    }
  }
  return true;
}

bool Session::isEnabled(const Element& e, int panelIndex) const {
  if (form_.readOnly || e.readOnly || completed_) return false;
  const Element* dp = e.dynamicPanel();
  QuestionRef ref{&e, dp, panelIndex};
  if (!condition(e.enableIf, dp ? &ref : nullptr)) return false;
  if (e.parent) return isEnabled(*e.parent, e.parent->type == ElementType::PanelDynamic ? -1 : panelIndex);
  const int page = form_.pageOf(&e);
  if (page >= 0) {
    const Page& p = form_.pages[page];
    if (p.readOnly || !condition(p.enableIf, nullptr)) return false;
  }
  return true;
}

bool Session::isRequired(const Element& e, int panelIndex) const {
  if (e.isRequired) return true;
  if (e.requiredIf.empty()) return false;
  const Element* dp = e.dynamicPanel();
  QuestionRef ref{&e, dp, panelIndex};
  return condition(e.requiredIf, dp ? &ref : nullptr);
}

bool Session::isPageVisible(int i) const {
  if (i < 0 || i >= static_cast<int>(form_.pages.size())) return false;
  const Page& p = form_.pages[i];
  if (!p.visible || !condition(p.visibleIf, nullptr)) return false;
  return std::any_of(p.elements.begin(), p.elements.end(), [&](const auto& e) { return isVisible(*e); });
}

std::vector<int> Session::visiblePages() const {
  std::vector<int> out;
  for (int i = 0; i < static_cast<int>(form_.pages.size()); ++i)
    if (isPageVisible(i)) out.push_back(i);
  return out;
}

int Session::nextVisiblePage(int from, int step) const {
  for (int i = from + step; i >= 0 && i < static_cast<int>(form_.pages.size()); i += step)
    if (isPageVisible(i)) return i;
  return -1;
}

bool Session::isFirstPage() const { return nextVisiblePage(current_, -1) < 0; }
bool Session::isLastPage() const { return nextVisiblePage(current_, +1) < 0; }

std::vector<const Element*> Session::visibleElements(int pageIndex) const {
  std::vector<const Element*> out;
  if (pageIndex < 0 || pageIndex >= static_cast<int>(form_.pages.size())) return out;
  std::function<void(const std::vector<std::unique_ptr<Element>>&)> walk = [&](const auto& elements) {
    for (const auto& e : elements) {
      if (!isVisible(*e)) continue;
      out.push_back(e.get());
      if (e->type == ElementType::Panel) walk(e->elements);
    }
  };
  walk(form_.pages[pageIndex].elements);
  return out;
}

// ---------------------------------------------------------------- choices

std::vector<ChoiceView> Session::filterChoices(const std::vector<Choice>& list, const Element& e, const QuestionRef* ctx,
                                               const Expression* listVisibleIf) const {
  std::vector<ChoiceView> out;
  for (const Choice& c : list) {
    if (!condition(c.visibleIf, ctx, nullptr, &c.value)) continue;
    if (listVisibleIf && !listVisibleIf->empty() && !condition(*listVisibleIf, ctx, nullptr, &c.value)) continue;
    ChoiceView v;
    v.value = c.value;
    v.text = c.text.empty() ? values::toDisplayString(c.value) : text(c.text);
    v.enabled = condition(c.enableIf, ctx, nullptr, &c.value) &&
                (&list != &e.choices || condition(e.choicesEnableIf, ctx, nullptr, &c.value));
    v.isExclusive = c.isExclusive;
    v.imageLink = c.imageLink.get(locale_);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<ChoiceView> Session::choices(const QuestionRef& q) const {
  std::vector<ChoiceView> out;
  if (!q.element) return out;
  const Element& e = *q.element;
  const QuestionRef* ctx = q.dynamicPanel ? &q : nullptr;
  if (!e.choicesFromQuestion.empty()) {
    if (const Element* src = form_.findQuestion(e.choicesFromQuestion)) {
      const Json selected = value(*src);
      for (ChoiceView c : choices(*src)) {
        if (c.isOther || c.isNone || c.isSelectAll) continue;
        const bool isSel = containsValue(selected, c.value);
        if (e.choicesFromQuestionMode == "selected" && !isSel) continue;
        if (e.choicesFromQuestionMode == "unselected" && isSel) continue;
        if (!e.choicesVisibleIf.empty() && !condition(e.choicesVisibleIf, ctx, nullptr, &c.value)) continue;
        out.push_back(std::move(c));
      }
    }
  }
  auto own = filterChoices(e.choices, e, ctx, &e.choicesVisibleIf);
  out.insert(out.end(), own.begin(), own.end());
  if (e.choicesOrder == "asc" || e.choicesOrder == "desc") {
    std::stable_sort(out.begin(), out.end(), [&](const ChoiceView& a, const ChoiceView& b) {
      return e.choicesOrder == "asc" ? a.text < b.text : a.text > b.text;
    });
  } else if (e.choicesOrder == "random") {
    // Stable within the session (the list must not reshuffle under the resident's finger).
    auto key = [&](const ChoiceView& c) { return std::hash<std::string>()(c.value.dump()) ^ (orderSeed_ * 2654435761u); };
    std::stable_sort(out.begin(), out.end(), [&](const ChoiceView& a, const ChoiceView& b) { return key(a) < key(b); });
  }
  if (e.type == ElementType::Checkbox && e.showSelectAllItem) {
    ChoiceView all;
    all.text = e.selectAllText.empty() ? msg("choice.selectAll") : text(e.selectAllText);
    all.isSelectAll = true;
    out.insert(out.begin(), std::move(all));
  }
  if (e.showNoneItem) {
    ChoiceView none;
    none.value = "none";
    none.text = e.noneText.empty() ? msg("choice.none") : text(e.noneText);
    none.isNone = none.isExclusive = true;
    out.push_back(std::move(none));
  }
  if (e.showOtherItem) {
    ChoiceView other;
    other.value = "other";
    other.text = e.otherText.empty() ? msg("choice.other") : text(e.otherText);
    other.isOther = true;
    out.push_back(std::move(other));
  }
  return out;
}

std::vector<ChoiceView> Session::matrixRows(const Element& e) const {
  return filterChoices(e.rows_, e, nullptr, &e.rowsVisibleIf);
}

std::vector<ChoiceView> Session::matrixColumns(const Element& e) const {
  return filterChoices(e.columns_, e, nullptr, &e.columnsVisibleIf);
}

std::vector<ChoiceView> Session::cellChoices(const Element& matrix, const MatrixColumn& column) const {
  (void)matrix;
  if (!column.cell) return {};
  if (column.cell->type == ElementType::Rating) return rateItems(*column.cell);
  return choices(QuestionRef{column.cell.get()});
}

std::vector<ChoiceView> Session::rateItems(const Element& e) const {
  if (!e.rateValues.empty()) return filterChoices(e.rateValues, e, nullptr, nullptr);
  std::vector<ChoiceView> out;
  if (e.rateStep <= 0) return out;
  for (double v = e.rateMin; v <= e.rateMax + 1e-9 && out.size() < 100; v += e.rateStep) {
    ChoiceView c;
    c.value = numberJson(std::round(v * 1e6) / 1e6);
    c.text = values::toDisplayString(c.value);
    out.push_back(std::move(c));
  }
  return out;
}

// ---------------------------------------------------------------- texts

std::string Session::displayValue(const QuestionRef& q) const {
  if (!q.element) return {};
  const Element& e = *q.element;
  const Json v = value(q);
  if (values::isEmpty(v)) return {};
  auto textIn = [](const std::vector<ChoiceView>& list, const Json& x) {
    for (const ChoiceView& c : list)
      if (values::equal(c.value, x)) return c.text;
    return values::toDisplayString(x);
  };
  std::string out;
  auto part = [&](const std::string& label, const std::string& text) {
    if (text.empty()) return;
    out += (out.empty() ? "" : "; ") + label + ": " + text;
  };
  switch (e.type) {
    case ElementType::Matrix:
      for (const ChoiceView& r : matrixRows(e)) {
        const std::string key = values::toDisplayString(r.value);
        if (v.contains(key)) part(r.text, textIn(matrixColumns(e), v[key]));
      }
      return out;
    case ElementType::MatrixDropdown:
      for (const ChoiceView& r : matrixRows(e)) {
        const std::string key = values::toDisplayString(r.value);
        if (!v.contains(key) || !v[key].is_object()) continue;
        std::string cells;
        for (const MatrixColumn& c : e.matrixColumns) {
          if (!v[key].contains(c.name)) continue;
          cells += (cells.empty() ? "" : ", ") + (c.title.empty() ? c.name : text(c.title)) + " " +
                   displayValueOf(*c.cell, v[key][c.name]);
        }
        part(r.text, cells);
      }
      return out;
    case ElementType::MultipleText:
      for (const auto& item : e.elements)
        if (v.contains(item->name)) part(title(*item), values::toDisplayString(v[item->name]));
      return out;
    case ElementType::PanelDynamic:
      for (int i = 0; i < panelCount(e); ++i) {
        std::string panel;
        for (const auto& t : e.elements) {
          if (!t->isQuestion()) continue;
          const std::string d = displayValue(QuestionRef{t.get(), &e, i});
          if (!d.empty()) panel += (panel.empty() ? "" : ", ") + title(*t) + " " + d;
        }
        part(std::to_string(i + 1), panel);
      }
      return out;
    case ElementType::Panel:
    case ElementType::Text:
    case ElementType::Comment:
    case ElementType::Radiogroup:
    case ElementType::Checkbox:
    case ElementType::Dropdown:
    case ElementType::Tagbox:
    case ElementType::Rating:
    case ElementType::Boolean:
    case ElementType::Ranking:
    case ElementType::ImagePicker:
    case ElementType::Html:
    case ElementType::Expression: {
      std::string d = displayValueOf(e, v);
      const std::string c = comment(q);
      if (e.showCommentArea && !c.empty()) d += (d.empty() ? "" : " — ") + c;
      return d;
    }
  }
  return {};  // not reached: every type has its case (no default, so a new type is a compile error above)
}

std::string Session::displayValueOf(const Element& e, const Json& v) const {
  if (values::isEmpty(v)) return {};
  auto textOf = [&](const Json& x) -> std::string {
    std::vector<ChoiceView> list;
    if (e.isChoiceQuestion()) list = choices(e);
    else if (e.type == ElementType::Rating) list = rateItems(e);
    for (const ChoiceView& c : list)
      if (values::equal(c.value, x)) return isOtherValue(x) && !comment(QuestionRef{&e}).empty() ? comment(QuestionRef{&e}) : c.text;
    return values::toDisplayString(x);
  };
  if (e.type == ElementType::Boolean) {
    const bool yes = e.valueTrue.is_null() ? values::truthy(v) : values::equal(v, e.valueTrue);
    if (yes) return e.labelTrue.empty() ? msg("boolean.true") : text(e.labelTrue);
    return e.labelFalse.empty() ? msg("boolean.false") : text(e.labelFalse);
  }
  if (v.is_array()) {
    std::string out;
    for (const Json& x : v) out += (out.empty() ? "" : ", ") + textOf(x);
    return out;
  }
  return textOf(v);
}

std::string Session::text(const LocString& s) const {
  std::string raw = s.get(locale_);
  if (raw.find('{') == std::string::npos) return raw;
  std::string out;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t open = raw.find('{', pos);
    size_t close = open == std::string::npos ? open : raw.find('}', open);
    if (open == std::string::npos || close == std::string::npos) {
      out += raw.substr(pos);
      break;
    }
    out += raw.substr(pos, open - pos);
    const std::string name = raw.substr(open + 1, close - open - 1);
    if (const Element* q = form_.findQuestion(name)) {
      out += displayValueOf(*q, value(*q));
    } else {
      Expression ex = Expression::parse("{" + name + "}", nullptr);
      out += ex.empty() ? raw.substr(open, close - open + 1) : values::toDisplayString(evaluate(ex, nullptr));
    }
    pos = close + 1;
  }
  return out;
}

std::string Session::title(const Element& e) const { return e.title.empty() ? e.name : text(e.title); }

// ---------------------------------------------------------------- validation

bool Session::isAnswered(const Element& e, int panelIndex, const Element* dp) const {
  if (e.type == ElementType::Panel) {
    return std::any_of(e.elements.begin(), e.elements.end(),
                       [&](const auto& c) { return isAnswered(*c, panelIndex, dp); });
  }
  if (e.type == ElementType::PanelDynamic) return !values::isEmpty(value(e));
  return e.isQuestion() && !values::isEmpty(value(QuestionRef{&e, dp, panelIndex}));
}

void Session::validateValue(const Element& e, const Json& v, const std::string& label, const QuestionRef& ref,
                            std::vector<ValidationError>& out) const {
  auto add = [&](std::string message, Notification level = Notification::Error) {
    out.push_back({ref, label, std::move(message), level});
  };
  if (values::isEmpty(v)) return;
  // Built-in checks of the question type.
  if (v.is_string()) {
    const size_t len = utf8Length(v.get<std::string>());
    size_t limit = e.maxLength > 0 ? static_cast<size_t>(e.maxLength) : 0;
    if (limit == 0 && e.type == ElementType::Text && form_.maxTextLength > 0) limit = form_.maxTextLength;
    if (limit == 0 && e.type == ElementType::Comment && form_.maxCommentLength > 0) limit = form_.maxCommentLength;
    if (limit == 0 || limit > kMaxAnswerChars) limit = kMaxAnswerChars;
    if (len > limit) {
      add(msg("validation.maxLength", {std::to_string(limit)}));
      return;  // nothing else runs on text this long
    }
  }
  if (e.type == ElementType::Text) {
    if (e.inputType == "number") {
      auto n = values::toNumber(v);
      if (!n || v.is_boolean()) {
        add(msg("validation.numeric"));
        return;
      }
      if (auto lo = values::toNumber(e.min); lo && *n < *lo)
        add(e.minErrorText.empty() ? msg("validation.minValue", {numberText(*lo)}) : text(e.minErrorText));
      if (auto hi = values::toNumber(e.max); hi && *n > *hi)
        add(e.maxErrorText.empty() ? msg("validation.maxValue", {numberText(*hi)}) : text(e.maxErrorText));
    } else if (e.inputType == "date") {
      static const std::regex date(R"(^\d{4}-\d{2}-\d{2}$)");
      const std::string s = v.is_string() ? v.get<std::string>() : std::string();
      int y = 0, m = 0, d = 0;
      bool ok = std::regex_match(s, date) && std::sscanf(s.c_str(), "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12 &&
                d >= 1 && d <= 31;
      if (ok) {
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        ok = d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
      }
      if (!ok) {
        add(msg("validation.date"));
        return;
      }
      if (e.min.is_string() && s < e.min.get<std::string>())
        add(e.minErrorText.empty() ? msg("validation.minValue", {e.min.get<std::string>()}) : text(e.minErrorText));
      if (e.max.is_string() && s > e.max.get<std::string>())
        add(e.maxErrorText.empty() ? msg("validation.maxValue", {e.max.get<std::string>()}) : text(e.maxErrorText));
    }
  }
  if ((e.type == ElementType::Checkbox || e.type == ElementType::Tagbox) && v.is_array()) {
    const int n = static_cast<int>(v.size());
    if (e.minSelectedChoices && n < *e.minSelectedChoices && !(n == 1 && v[0] == "none"))
      add(msg("validation.minSelected", {std::to_string(*e.minSelectedChoices)}));
    if (e.maxSelectedChoices && *e.maxSelectedChoices > 0 && n > *e.maxSelectedChoices)
      add(msg("validation.maxSelected", {std::to_string(*e.maxSelectedChoices)}));
  }
  static const std::regex emailRe(
      R"(^(([^<>()\[\]\.,;:\s@"]+(\.[^<>()\[\]\.,;:\s@"]+)*)|(".+"))@(([^<>()=\[\]\.,;:\s@"]+\.)+[^<>()=\[\]\.,;:\s@"]{2,})$)",
      std::regex::ECMAScript | std::regex::icase);
  auto emailOk = [&](const Json& x) { return x.is_string() && std::regex_match(x.get<std::string>(), emailRe); };
  if (e.type == ElementType::Text && e.inputType == "email" && !emailOk(v)) add(msg("validation.email"));

  for (const Validator& val : e.validators) {
    auto fail = [&](const std::string& key, const std::vector<std::string>& args = {}) {
      add(val.text.empty() ? msg(key, args) : text(val.text), val.notification);
    };
    switch (val.type) {
      case ValidatorType::Numeric: {
        auto n = values::toNumber(v);
        if (!n || v.is_boolean() || v.is_array()) fail("validation.numeric");
        else if (val.minValue && *n < *val.minValue) fail("validation.minValue", {numberText(*val.minValue)});
        else if (val.maxValue && *n > *val.maxValue) fail("validation.maxValue", {numberText(*val.maxValue)});
        break;
      }
      case ValidatorType::Text: {
        const std::string s = v.is_string() ? v.get<std::string>() : values::toDisplayString(v);
        const int len = static_cast<int>(utf8Length(s));
        if (val.minLength > 0 && len < val.minLength) fail("validation.minLength", {std::to_string(val.minLength)});
        else if (val.maxLength > 0 && len > val.maxLength) fail("validation.maxLength", {std::to_string(val.maxLength)});
        else if (!val.allowDigits && !s.empty() && std::isdigit(static_cast<unsigned char>(s.back())))
          fail("validation.noDigits");
        break;
      }
      case ValidatorType::Regex: {
        auto flags = std::regex::ECMAScript | (val.caseInsensitive ? std::regex::icase : std::regex::ECMAScript);
        std::regex re;
        try {
          re = std::regex(val.regex, flags);
        } catch (const std::regex_error&) {
          break;  // reported by the loader
        }
        auto ok = [&](const Json& x) {
          const std::string s = x.is_string() ? x.get<std::string>() : values::toDisplayString(x);
          return std::regex_search(s, re);
        };
        bool good = v.is_array() ? std::all_of(v.begin(), v.end(), ok) : ok(v);
        if (!good) fail("validation.regex");
        break;
      }
      case ValidatorType::Email: {
        bool good = v.is_array() ? std::all_of(v.begin(), v.end(), emailOk) : emailOk(v);
        if (!good) fail("validation.email");
        break;
      }
      case ValidatorType::Expression:
        if (!condition(val.expression, ref.dynamicPanel ? &ref : nullptr)) fail("validation.expression");
        break;
      case ValidatorType::AnswerCount: {
        const int n = v.is_array() ? static_cast<int>(v.size()) : 1;
        if (val.minCount && n < *val.minCount) fail("validation.minCount", {std::to_string(*val.minCount)});
        else if (val.maxCount && n > *val.maxCount) fail("validation.maxCount", {std::to_string(*val.maxCount)});
        break;
      }
    }
  }
}

void Session::validateElement(const Element& e, int panelIndex, const Element* dp,
                              std::vector<ValidationError>& out) const {
  if (!isVisible(e, panelIndex)) return;
  const QuestionRef ref{&e, dp, panelIndex};
  std::string label = e.name;
  if (dp) label = dp->name + "[" + std::to_string(panelIndex) + "]." + e.name;
  auto add = [&](std::string message) { out.push_back({ref, label, std::move(message), Notification::Error}); };
  if (e.type == ElementType::Panel) {
    if (isRequired(e, panelIndex) && !isAnswered(e, panelIndex, dp)) add(msg("validation.panelRequired"));
    for (const auto& c : e.elements) validateElement(*c, panelIndex, dp, out);
    return;
  }
  if (!e.isQuestion() || e.type == ElementType::Expression || !isEnabled(e, panelIndex)) return;
  const Json v = value(ref);
  if (isRequired(e, panelIndex) && values::isEmpty(v)) {
    add(e.requiredErrorText.empty() ? msg("validation.required") : text(e.requiredErrorText));
    return;
  }
  if (e.isChoiceQuestion() && e.showOtherItem && containsValue(v, Json("other")) && comment(ref).empty()) {
    add(e.otherErrorText.empty() ? msg("validation.otherRequired") : text(e.otherErrorText));
  }
  switch (e.type) {
    case ElementType::Matrix: {
      const Json obj = v.is_object() ? v : Json::object();
      const auto rows = matrixRows(e);
      if (e.eachRowRequired) {
        for (const ChoiceView& r : rows)
          if (!obj.contains(values::toDisplayString(r.value))) {
            add(msg("validation.eachRowRequired"));
            break;
          }
      }
      if (e.eachRowUnique) {
        std::set<std::string> seen;
        for (auto it = obj.begin(); it != obj.end(); ++it)
          if (!seen.insert(it.value().dump()).second) {
            add(msg("validation.eachRowUnique"));
            break;
          }
      }
      break;
    }
    case ElementType::MatrixDropdown: {
      const Json obj = v.is_object() ? v : Json::object();
      for (const ChoiceView& r : matrixRows(e)) {
        const std::string rowKey = values::toDisplayString(r.value);
        const Json row = obj.contains(rowKey) && obj[rowKey].is_object() ? obj[rowKey] : Json::object();
        for (const MatrixColumn& col : e.matrixColumns) {
          const Element& cell = *col.cell;
          if (!condition(cell.visibleIf, nullptr, &row)) continue;
          const Json cv = row.contains(col.name) ? row[col.name] : Json();
          const std::string cellLabel = e.name + "." + rowKey + "." + col.name;
          const bool required = cell.isRequired || (!cell.requiredIf.empty() && condition(cell.requiredIf, nullptr, &row));
          if (required && values::isEmpty(cv)) {
            out.push_back({ref, cellLabel, cell.requiredErrorText.empty() ? msg("validation.required") : text(cell.requiredErrorText),
                           Notification::Error});
            continue;
          }
          validateValue(cell, cv, cellLabel, ref, out);
        }
      }
      break;
    }
    case ElementType::MultipleText:
      for (const auto& item : e.elements) {
        const Json iv = v.is_object() && v.contains(item->name) ? v[item->name] : Json();
        const std::string itemLabel = label + "." + item->name;
        if (isRequired(*item, panelIndex) && values::isEmpty(iv)) {
          out.push_back({QuestionRef{item.get(), dp, panelIndex}, itemLabel,
                         item->requiredErrorText.empty() ? msg("validation.required") : text(item->requiredErrorText),
                         Notification::Error});
          continue;
        }
        validateValue(*item, iv, itemLabel, QuestionRef{item.get(), dp, panelIndex}, out);
      }
      break;
    case ElementType::PanelDynamic: {
      const int n = panelCount(e);
      if (n < e.minPanelCount) add(msg("validation.minPanelCount", {std::to_string(e.minPanelCount)}));
      for (int i = 0; i < n; ++i)
        for (const auto& c : e.elements) validateElement(*c, i, &e, out);
      break;
    }
    case ElementType::Panel:
    case ElementType::Text:
    case ElementType::Comment:
    case ElementType::Radiogroup:
    case ElementType::Checkbox:
    case ElementType::Dropdown:
    case ElementType::Tagbox:
    case ElementType::Rating:
    case ElementType::Boolean:
    case ElementType::Ranking:
    case ElementType::ImagePicker:
    case ElementType::Html:
    case ElementType::Expression:
      break;
  }
  validateValue(e, v, label, ref, out);
}

std::vector<ValidationError> Session::validatePage(int pageIndex) {
  std::vector<ValidationError> out;
  if (pageIndex >= 0 && pageIndex < static_cast<int>(form_.pages.size())) {
    for (const auto& e : form_.pages[pageIndex].elements) validateElement(*e, -1, nullptr, out);
  }
  errors_ = out;
  return out;
}

std::vector<ValidationError> Session::errorsFor(const QuestionRef& q) const {
  std::vector<ValidationError> out;
  for (const ValidationError& e : errors_)
    if (e.question == q) out.push_back(e);
  return out;
}

// ---------------------------------------------------------------- navigation

namespace {
bool blocking(const std::vector<ValidationError>& errs) {
  return std::any_of(errs.begin(), errs.end(), [](const ValidationError& e) { return e.level == Notification::Error; });
}
}  // namespace

NavResult Session::next() {
  if (completed_) return NavResult::NoMove;
  if (blocking(validatePage(current_))) return NavResult::Invalid;
  if (anyCompleteTrigger()) {
    finish();
    return NavResult::Completed;
  }
  return moveTo(nextVisiblePage(current_, +1));
}

NavResult Session::back() {
  if (completed_) return NavResult::NoMove;
  return moveTo(nextVisiblePage(current_, -1));
}

NavResult Session::goToPage(int pageIndex) {
  if (completed_ || !isPageVisible(pageIndex)) return NavResult::NoMove;
  return moveTo(pageIndex);
}

NavResult Session::moveTo(int page) {
  if (page < 0) return NavResult::NoMove;
  current_ = page;
  errors_.clear();
  refreshPageNumbers();
  return NavResult::Moved;
}

NavResult Session::complete() {
  if (completed_) return NavResult::Completed;
  if (blocking(validatePage(current_))) return NavResult::Invalid;
  if (!isLastPage() && !anyCompleteTrigger()) return NavResult::NoMove;
  finish();
  return NavResult::Completed;
}

bool Session::readyToAutoAdvance() const {
  if (!form_.autoAdvance || completed_) return false;
  if (isLastPage() && !form_.autoAdvanceAllowComplete) return false;
  bool any = false;
  for (const Element* e : visibleElements()) {
    if (!e->isQuestion() || e->type == ElementType::Expression) continue;
    switch (e->type) {
      case ElementType::Radiogroup:
      case ElementType::Dropdown:
      case ElementType::Rating:
      case ElementType::Boolean:
      case ElementType::Matrix:
        break;
      case ElementType::ImagePicker:
        if (e->multiSelect) return false;
        break;
      case ElementType::Panel:
      case ElementType::Text:
      case ElementType::Comment:
      case ElementType::Checkbox:
      case ElementType::Tagbox:
      case ElementType::MatrixDropdown:
      case ElementType::Ranking:
      case ElementType::Html:
      case ElementType::Expression:
      case ElementType::MultipleText:
      case ElementType::PanelDynamic:
        return false;  // typing or several picks: the resident says when they are done
    }
    const Json v = value(*e);
    if (values::isEmpty(v)) return false;
    if (e->type == ElementType::Matrix && v.size() < matrixRows(*e).size()) return false;
    if (isOtherValue(v) && comment(QuestionRef{e}).empty()) return false;
    any = true;
  }
  return any;
}

void Session::finish() {
  if (form_.clearInvisibleValues != "none") clearHidden();
  completed_ = true;
  errors_.clear();
}

Progress Session::progress() const {
  Progress p;
  const auto pages = visiblePages();
  p.pageCount = static_cast<int>(pages.size());
  auto it = std::find(pages.begin(), pages.end(), current_);
  p.page = it == pages.end() ? 1 : static_cast<int>(it - pages.begin()) + 1;
  const bool requiredOnly = form_.progressBarType == "requiredQuestions";
  for (int page : pages) {
    for (const Element* e : visibleElements(page)) {
      if (!e->isQuestion() || e->type == ElementType::Expression) continue;
      if (requiredOnly && !isRequired(*e)) continue;
      ++p.questions;
      if (!values::isEmpty(value(*e))) ++p.answered;
    }
  }
  if (completed_) p.fraction = 1;
  else if (form_.progressBarType == "questions" || requiredOnly)
    p.fraction = p.questions ? static_cast<double>(p.answered) / p.questions : 0;
  else
    p.fraction = p.pageCount ? static_cast<double>(p.page - 1) / p.pageCount : 0;
  return p;
}

double Session::elapsedSeconds() const {
  return std::chrono::duration<double>(clock_() - started_).count();
}

// ---------------------------------------------------------------- results

Json Session::results() const {
  Json out = Json::object();
  for (auto it = data_.begin(); it != data_.end(); ++it) {
    if (values::isEmpty(it.value())) continue;
    out[it.key()] = it.value();
  }
  if (!form_.storeOthersAsComment) {
    for (const Element* e : form_.allElements()) {
      if (!e->isChoiceQuestion() || !e->showOtherItem || insideTemplate(*e)) continue;
      auto v = out.find(e->valueKey());
      auto c = out.find(e->commentKey());
      if (v == out.end() || c == out.end()) continue;
      const Json text = *c;
      if (v->is_array()) {
        for (Json& x : *v)
          if (isOtherValue(x)) x = text;
      } else if (isOtherValue(*v)) {
        *v = text;
      }
      if (!e->showCommentArea) out.erase(e->commentKey());
    }
  }
  for (const CalculatedValue& cv : form_.calculatedValues) {
    if (!cv.includeIntoResult) continue;
    Json v = variable(cv.name);
    if (!values::isEmpty(v)) out[cv.name] = v;
  }
  return out;
}

std::string Session::completedHtml() const {
  for (const CompletedHtmlOnCondition& c : form_.completedHtmlOnCondition)
    if (condition(c.expression, nullptr)) return text(c.html);
  if (!form_.completedHtml.empty()) return text(form_.completedHtml);
  return msg("form.completed");
}

}  // namespace minyi::core
