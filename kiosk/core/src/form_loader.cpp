// Form loading: SurveyJS JSON → Form, checking types, property values, expressions, names and references.
#include "minyi/core/form_loader.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "minyi/core/json_input.h"

namespace minyi::core {

bool LoadResult::ok() const {
  return form && std::none_of(diagnostics.begin(), diagnostics.end(),
                              [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::Error; });
}

namespace {

constexpr int kMaxElementDepth = 16;  // panels in panels; real forms use 2-3
constexpr size_t kMaxElements = 2000;  // questions and panels in one form; a kiosk form has a few dozen
constexpr size_t kMaxChoices = 2000;   // choices of one question (a year dropdown has ~100)

// "pages[0]" + "title" → "pages[0].title"; at the root just "title".
std::string at(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool hasCjk(const std::string& s) {
  // Any code point from U+2E80 up (CJK blocks start there): three-byte UTF-8 sequences from E2 BA 80.
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xE3 && c <= 0xEF) return true;
    if (c == 0xE2 && static_cast<unsigned char>(s[i + 1]) >= 0xBA) return true;
  }
  return false;
}

std::string sha256Hex(const std::string& text) {
  if (sodium_init() < 0) return {};
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char b : out) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

// Expressions and texts collected during loading, checked for references once all names are known.
struct ExprRef {
  std::string path;
  Expression expr;
  bool inTemplate = false;  // paneldynamic template or matrix cell: {panel.x}/{row.x} allowed
};
struct TextRef {
  std::string path;
  std::string text;
};

class Loader {
 public:
  std::vector<Diagnostic> diags;
  std::vector<ExprRef> exprs;
  std::vector<TextRef> texts;
  std::set<std::string> knownNames;  // lower-cased: question names, valueNames, variables
  int templateDepth = 0;
  size_t elementCount = 0;

  void error(const std::string& path, std::string msg) {
    diags.push_back({Diagnostic::Severity::Error, path, std::move(msg)});
  }
  void warning(const std::string& path, std::string msg) {
    diags.push_back({Diagnostic::Severity::Warning, path, std::move(msg)});
  }

  // The first present key among name and its aliases.
  static const Json* prop(const Json& o, std::initializer_list<const char*> names, std::string* used = nullptr) {
    for (const char* n : names) {
      auto it = o.find(n);
      if (it != o.end() && !it->is_null()) {
        if (used) *used = n;
        return &*it;
      }
    }
    return nullptr;
  }

  void getBool(const Json& o, std::initializer_list<const char*> names, bool& out, const std::string& path) {
    std::string key;
    const Json* v = prop(o, names, &key);
    if (!v) return;
    if (v->is_boolean()) out = v->get<bool>();
    else if (v->is_string() && (lower(v->get<std::string>()) == "true" || lower(v->get<std::string>()) == "false"))
      out = lower(v->get<std::string>()) == "true";
    else error(at(path, key), "expected true or false");
  }

  void getString(const Json& o, std::initializer_list<const char*> names, std::string& out, const std::string& path) {
    std::string key;
    const Json* v = prop(o, names, &key);
    if (!v) return;
    if (v->is_string()) out = v->get<std::string>();
    else error(at(path, key), "expected a text");
  }

  template <typename T>
  void getNumber(const Json& o, std::initializer_list<const char*> names, T& out, const std::string& path) {
    std::string key;
    const Json* v = prop(o, names, &key);
    if (!v) return;
    double d;
    if (v->is_number()) d = v->get<double>();
    else if (v->is_string()) {
      try {
        size_t used = 0;
        d = std::stod(v->get<std::string>(), &used);
        if (used != v->get<std::string>().size()) throw std::invalid_argument("trailing");
      } catch (...) {
        error(at(path, key), "expected a number");
        return;
      }
    } else {
      error(at(path, key), "expected a number");
      return;
    }
    if (!std::isfinite(d) || std::fabs(d) > 1e12) {
      error(at(path, key), "number out of range");
      return;
    }
    out = static_cast<T>(d);
  }

  template <typename T>
  void getOptNumber(const Json& o, std::initializer_list<const char*> names, std::optional<T>& out,
                    const std::string& path) {
    if (!prop(o, names)) return;
    T v{};
    size_t before = diags.size();
    getNumber(o, names, v, path);
    if (diags.size() == before) out = v;
  }

  // One of a fixed set of values (case-insensitive, stored lower-case).
  void getEnum(const Json& o, std::initializer_list<const char*> names, std::string& out,
               std::initializer_list<const char*> allowed, const std::string& path, const char* what = nullptr) {
    std::string key;
    const Json* v = prop(o, names, &key);
    if (!v) return;
    if (!v->is_string()) {
      error(at(path, key), "expected a text");
      return;
    }
    std::string s = lower(v->get<std::string>());
    for (const char* a : allowed) {
      if (s == lower(a)) {
        out = a;
        return;
      }
    }
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    error(at(path, key), std::string("unsupported ") + (what ? what : key.c_str()) + " \"" +
                                v->get<std::string>() + "\" (Minyi supports: " + list + ")");
  }

  void getLoc(const Json& o, std::initializer_list<const char*> names, LocString& out, const std::string& path) {
    std::string key;
    const Json* v = prop(o, names, &key);
    if (!v) return;
    if (!out.assign(*v)) {
      error(at(path, key), "expected a text or an object of language → text");
      return;
    }
    checkLoc(out, at(path, key));
  }

  void checkLoc(const LocString& s, const std::string& path) {
    bool zh = s.has("zh-cn") || s.has("zh");
    if (!zh) {
      auto d = s.texts().find("default");
      zh = d != s.texts().end() && (hasCjk(d->second) || d->second.empty());
    }
    if (!zh) warning(path, "no zh-cn text: residents reading Chinese will see the default or English text");
    for (const auto& [loc, text] : s.texts()) {
      if (text.find('{') != std::string::npos) texts.push_back({path + (loc == "default" ? "" : "." + loc), text});
    }
  }

  void getExpr(const Json& o, std::initializer_list<const char*> names, Expression& out, const std::string& path) {
    std::string key;
    const Json* v = prop(o, names, &key);
    if (!v) return;
    if (v->is_boolean()) {  // visibleIf: true is seen in the wild
      out = Expression::parse(v->get<bool>() ? "true" : "false", nullptr);
      return;
    }
    if (!v->is_string()) {
      error(at(path, key), "expected an expression text");
      return;
    }
    out = parseExpr(v->get<std::string>(), at(path, key));
  }

  Expression parseExpr(const std::string& text, const std::string& path) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return {};
    ExpressionError err;
    Expression e = Expression::parse(text, &err);
    if (e.empty()) {
      error(path, "bad expression at position " + std::to_string(err.position) + ": " + err.message + " in \"" +
                      (text.size() > 200 ? text.substr(0, 200) + "…" : text) + "\"");
      return {};
    }
    exprs.push_back({path, e, templateDepth > 0});
    return e;
  }

  std::vector<Choice> parseChoices(const Json& arr, const std::string& path) {
    std::vector<Choice> out;
    if (!arr.is_array()) {
      error(path, "expected a list of choices");
      return out;
    }
    if (arr.size() > kMaxChoices) {
      error(path, "more than " + std::to_string(kMaxChoices) + " choices");
      return out;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < arr.size(); ++i) {
      const Json& c = arr[i];
      const std::string p = path + "[" + std::to_string(i) + "]";
      Choice ch;
      if (c.is_string()) {
        const std::string s = c.get<std::string>();
        auto bar = s.find('|');
        if (bar == std::string::npos) ch.value = s;
        else {
          ch.value = s.substr(0, bar);
          ch.text = LocString(s.substr(bar + 1));
        }
      } else if (c.is_number() || c.is_boolean()) {
        ch.value = c;
      } else if (c.is_object()) {
        auto v = c.find("value");
        if (v == c.end() || v->is_null() || v->is_object() || v->is_array()) {
          error(p, "a choice object needs a \"value\" (text or number)");
          continue;
        }
        ch.value = *v;
        getLoc(c, {"text"}, ch.text, p);
        getExpr(c, {"visibleIf"}, ch.visibleIf, p);
        getExpr(c, {"enableIf"}, ch.enableIf, p);
        if (const Json* il = prop(c, {"imageLink"}); il && !ch.imageLink.assign(*il))
          error(at(p, "imageLink"), "expected a link or an object of language → link");  // a link: no language check
        getBool(c, {"isExclusive"}, ch.isExclusive, p);
      } else {
        error(p, "a choice must be a text, a number or an object with \"value\"");
        continue;
      }
      if (!ch.text.empty()) checkLoc(ch.text, p);
      const std::string key = ch.value.dump();
      if (!seen.insert(key).second) error(p, "duplicate choice value " + key);
      out.push_back(std::move(ch));
    }
    return out;
  }

  void parseValidators(const Json& o, Element& e, const std::string& path) {
    auto it = o.find("validators");
    if (it == o.end() || it->is_null()) return;
    if (!it->is_array()) {
      error(at(path, "validators"), "expected a list of validators");
      return;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& v = (*it)[i];
      const std::string p = at(path, "validators[") + std::to_string(i) + "]";
      if (!v.is_object()) {
        error(p, "expected a validator object");
        continue;
      }
      std::string type;
      getEnum(v, {"type"}, type, {"numeric", "text", "regex", "email", "expression", "answercount"}, p,
              "validator type");
      if (type.empty()) {
        if (!v.contains("type")) error(p, "a validator needs a \"type\"");
        continue;
      }
      Validator val;
      getLoc(v, {"text"}, val.text, p);
      std::string level = "error";
      getEnum(v, {"notificationType"}, level, {"error", "warning", "info"}, p);
      val.notification = level == "warning" ? Notification::Warning
                         : level == "info"  ? Notification::Info
                                            : Notification::Error;
      if (type == "numeric") {
        val.type = ValidatorType::Numeric;
        getOptNumber(v, {"minValue"}, val.minValue, p);
        getOptNumber(v, {"maxValue"}, val.maxValue, p);
      } else if (type == "text") {
        val.type = ValidatorType::Text;
        getNumber(v, {"minLength"}, val.minLength, p);
        getNumber(v, {"maxLength"}, val.maxLength, p);
        getBool(v, {"allowDigits"}, val.allowDigits, p);
      } else if (type == "regex") {
        val.type = ValidatorType::Regex;
        getString(v, {"regex"}, val.regex, p);
        getBool(v, {"caseInsensitive", "insensitive"}, val.caseInsensitive, p);
        if (val.regex.size() > 1000) {
          error(at(p, "regex"), "regular expression longer than 1000 characters");
          continue;
        }
        try {
          std::regex re(val.regex, std::regex::ECMAScript);
        } catch (const std::regex_error& ex) {
          error(at(p, "regex"), std::string("bad regular expression: ") + ex.what());
          continue;
        }
      } else if (type == "email") {
        val.type = ValidatorType::Email;
      } else if (type == "expression") {
        val.type = ValidatorType::Expression;
        getExpr(v, {"expression"}, val.expression, p);
        if (val.expression.empty() && !v.contains("expression")) error(p, "an expression validator needs \"expression\"");
      } else if (type == "answercount") {
        val.type = ValidatorType::AnswerCount;
        getOptNumber(v, {"minCount"}, val.minCount, p);
        getOptNumber(v, {"maxCount"}, val.maxCount, p);
      }
      e.validators.push_back(std::move(val));
    }
  }

  void parseElements(const Json& o, std::vector<std::unique_ptr<Element>>& out, Element* parent,
                     const std::string& path, int depth, std::initializer_list<const char*> keys) {
    std::string key;
    const Json* arr = prop(o, keys, &key);
    if (!arr) return;
    if (!arr->is_array()) {
      error(at(path, key), "expected a list of elements");
      return;
    }
    for (size_t i = 0; i < arr->size(); ++i) {
      auto e = parseElement((*arr)[i], parent, at(path, key) + "[" + std::to_string(i) + "]", depth + 1);
      if (e) out.push_back(std::move(e));
    }
  }

  void registerName(const Element& e) {
    if (!e.name.empty()) knownNames.insert(lower(e.name));
    if (!e.valueName.empty()) knownNames.insert(lower(e.valueName));
    if (!e.name.empty()) knownNames.insert(lower(e.valueKey() + "-Comment"));
  }

  std::unique_ptr<Element> parseElement(const Json& o, Element* parent, const std::string& path, int depth) {
    if (!o.is_object()) {
      error(path, "expected an element object");
      return nullptr;
    }
    if (depth > kMaxElementDepth) {
      error(path, "panels nested deeper than " + std::to_string(kMaxElementDepth) + " levels");
      return nullptr;
    }
    if (++elementCount > kMaxElements) {
      if (elementCount == kMaxElements + 1)
        error(path, "more than " + std::to_string(kMaxElements) + " questions and panels in one form");
      return nullptr;
    }
    std::string typeText;
    auto t = o.find("type");
    if (t == o.end() || !t->is_string()) {
      error(path, "an element needs a \"type\"");
      return nullptr;
    }
    typeText = lower(t->get<std::string>());
    auto type = typeFromName(typeText);
    if (!type) {
      error(at(path, "type"), "unsupported question type \"" + t->get<std::string>() +
                                "\" (Minyi supports: text, comment, radiogroup, checkbox, dropdown, tagbox, rating, "
                                "boolean, matrix, matrixdropdown, ranking, imagepicker, html, expression, "
                                "multipletext, paneldynamic, panel)");
      return nullptr;
    }
    auto e = std::make_unique<Element>();
    Element& q = *e;
    q.type = *type;
    q.parent = parent;
    q.jsonPath = path;
    getString(o, {"name"}, q.name, path);
    if (q.name.empty() && q.type != ElementType::Panel && q.type != ElementType::Html) {
      error(at(path, "name"), "a question needs a \"name\"");
    }
    getString(o, {"valueName"}, q.valueName, path);
    getLoc(o, {"title"}, q.title, path);
    getLoc(o, {"description"}, q.description, path);
    getBool(o, {"visible"}, q.visible, path);
    getBool(o, {"readOnly"}, q.readOnly, path);
    getExpr(o, {"visibleIf"}, q.visibleIf, path);
    getExpr(o, {"enableIf"}, q.enableIf, path);
    getExpr(o, {"requiredIf"}, q.requiredIf, path);
    getBool(o, {"isRequired"}, q.isRequired, path);
    getLoc(o, {"requiredErrorText"}, q.requiredErrorText, path);
    if (auto* dv = prop(o, {"defaultValue"})) q.defaultValue = *dv;
    getExpr(o, {"defaultValueExpression"}, q.defaultValueExpression, path);
    getExpr(o, {"setValueIf"}, q.setValueIf, path);
    getExpr(o, {"setValueExpression"}, q.setValueExpression, path);
    getExpr(o, {"resetValueIf"}, q.resetValueIf, path);
    getBool(o, {"showCommentArea", "hasComment"}, q.showCommentArea, path);
    getLoc(o, {"commentText"}, q.commentText, path);
    getLoc(o, {"commentPlaceholder", "commentPlaceHolder"}, q.commentPlaceholder, path);
    getEnum(o, {"clearIfInvisible"}, q.clearIfInvisible, {"default", "none", "onComplete", "onHidden", "onHiddenContainer"},
            path);
    if (q.isQuestion()) parseValidators(o, q, path);

    switch (q.type) {
      case ElementType::Panel:
        parseElements(o, q.elements, &q, path, depth, {"elements", "questions"});
        break;
      case ElementType::Text:
        getEnum(o, {"inputType"}, q.inputType, {"text", "number", "tel", "email", "date", "url"}, path, "inputType");
        [[fallthrough]];
      case ElementType::Comment:
        getLoc(o, {"placeholder", "placeHolder"}, q.placeholder, path);
        getNumber(o, {"maxLength"}, q.maxLength, path);
        getNumber(o, {"rows"}, q.rows, path);
        if (auto* v = prop(o, {"min"})) q.min = *v;
        if (auto* v = prop(o, {"max"})) q.max = *v;
        getLoc(o, {"minErrorText"}, q.minErrorText, path);
        getLoc(o, {"maxErrorText"}, q.maxErrorText, path);
        if (prop(o, {"minValueExpression", "maxValueExpression", "maskType"}))
          warning(path, "minValueExpression, maxValueExpression and maskType are not supported and are ignored");
        break;
      case ElementType::Rating: {
        getEnum(o, {"rateType"}, q.rateType, {"labels", "stars", "smileys"}, path, "rateType");
        getNumber(o, {"rateMin"}, q.rateMin, path);
        getNumber(o, {"rateMax"}, q.rateMax, path);
        getNumber(o, {"rateStep"}, q.rateStep, path);
        getNumber(o, {"rateCount"}, q.rateCount, path);
        if (auto* rv = prop(o, {"rateValues"})) q.rateValues = parseChoices(*rv, at(path, "rateValues"));
        getLoc(o, {"minRateDescription", "mininumRateDescription"}, q.minRateDescription, path);
        getLoc(o, {"maxRateDescription", "maximumRateDescription"}, q.maxRateDescription, path);
        if (q.rateValues.empty()) {
          if (q.rateStep <= 0) error(at(path, "rateStep"), "rateStep must be greater than 0");
          else if (q.rateMax < q.rateMin) error(at(path, "rateMax"), "rateMax is less than rateMin");
          else if ((q.rateMax - q.rateMin) / q.rateStep > 20)
            error(path, "more than 20 rating values do not fit a touch screen; use rateValues or a smaller range");
        }
        break;
      }
      case ElementType::Boolean:
        getLoc(o, {"labelTrue"}, q.labelTrue, path);
        getLoc(o, {"labelFalse"}, q.labelFalse, path);
        if (auto* v = prop(o, {"valueTrue"})) q.valueTrue = *v;
        if (auto* v = prop(o, {"valueFalse"})) q.valueFalse = *v;
        break;
      case ElementType::Matrix:
        parseMatrix(o, q, path);
        break;
      case ElementType::MatrixDropdown:
        parseMatrixDropdown(o, q, path, depth);
        break;
      case ElementType::Html:
        getLoc(o, {"html"}, q.html, path);
        break;
      case ElementType::Expression:
        getExpr(o, {"expression"}, q.expression, path);
        getEnum(o, {"displayStyle"}, q.displayStyle, {"none", "decimal", "currency", "percent", "date"}, path);
        getString(o, {"currency"}, q.currency, path);
        getNumber(o, {"precision"}, q.precision, path);
        getNumber(o, {"minimumFractionDigits"}, q.minimumFractionDigits, path);
        getNumber(o, {"maximumFractionDigits"}, q.maximumFractionDigits, path);
        getLoc(o, {"format"}, q.format, path);
        break;
      case ElementType::MultipleText:
        parseMultipleText(o, q, path);
        break;
      case ElementType::PanelDynamic:
        parsePanelDynamic(o, q, path, depth);
        break;
      case ElementType::Radiogroup:
      case ElementType::Checkbox:
      case ElementType::Dropdown:
      case ElementType::Tagbox:
      case ElementType::Ranking:
      case ElementType::ImagePicker:
        parseChoiceQuestion(o, q, path);
        break;
    }
    if (!q.name.empty() && templateDepth == 0) registerName(q);
    return e;
  }

  void parseChoiceQuestion(const Json& o, Element& q, const std::string& path) {
    if (auto* c = prop(o, {"choices"})) q.choices = parseChoices(*c, at(path, "choices"));
    getEnum(o, {"choicesOrder"}, q.choicesOrder, {"none", "asc", "desc", "random"}, path);
    getBool(o, {"showOtherItem", "hasOther"}, q.showOtherItem, path);
    getLoc(o, {"otherText"}, q.otherText, path);
    getLoc(o, {"otherPlaceholder", "otherPlaceHolder"}, q.otherPlaceholder, path);
    getLoc(o, {"otherErrorText"}, q.otherErrorText, path);
    getBool(o, {"showNoneItem", "hasNone"}, q.showNoneItem, path);
    getLoc(o, {"noneText"}, q.noneText, path);
    getBool(o, {"showSelectAllItem", "hasSelectAll"}, q.showSelectAllItem, path);
    getLoc(o, {"selectAllText"}, q.selectAllText, path);
    getExpr(o, {"choicesVisibleIf"}, q.choicesVisibleIf, path);
    getExpr(o, {"choicesEnableIf"}, q.choicesEnableIf, path);
    getString(o, {"choicesFromQuestion"}, q.choicesFromQuestion, path);
    getEnum(o, {"choicesFromQuestionMode"}, q.choicesFromQuestionMode, {"all", "selected", "unselected"}, path);
    getBool(o, {"hideIfChoicesEmpty"}, q.hideIfChoicesEmpty, path);
    getNumber(o, {"colCount"}, q.colCount, path);
    getOptNumber(o, {"minSelectedChoices"}, q.minSelectedChoices, path);
    getOptNumber(o, {"maxSelectedChoices"}, q.maxSelectedChoices, path);
    getBool(o, {"multiSelect"}, q.multiSelect, path);
    getOptNumber(o, {"choicesMin"}, q.choicesMin, path);
    getOptNumber(o, {"choicesMax"}, q.choicesMax, path);
    getOptNumber(o, {"choicesStep"}, q.choicesStep, path);
    getLoc(o, {"placeholder", "optionsCaption"}, q.placeholder, path);
    if (q.type == ElementType::Dropdown && q.choicesMin && q.choicesMax) {
      const double step = q.choicesStep.value_or(1);
      if (step <= 0 || *q.choicesMax < *q.choicesMin || (*q.choicesMax - *q.choicesMin) / step > 1000) {
        error(path, "choicesMin/choicesMax/choicesStep make no usable list (at most 1000 values)");
      } else {
        std::vector<Choice> gen;
        for (double v = *q.choicesMin; v <= *q.choicesMax + 1e-9; v += step) {
          Choice c;
          c.value = std::floor(v) == v ? Json(static_cast<long long>(v)) : Json(v);
          gen.push_back(std::move(c));
        }
        // Generated values come first, then any listed choices (SurveyJS appends them the same way).
        gen.insert(gen.end(), std::make_move_iterator(q.choices.begin()), std::make_move_iterator(q.choices.end()));
        q.choices = std::move(gen);
      }
    }
    if (q.choices.empty() && q.choicesFromQuestion.empty()) {
      error(at(path, "choices"), std::string("a ") + typeName(q.type) + " question needs choices");
    }
    for (size_t i = 0; i < q.choices.size(); ++i) {
      const Json& v = q.choices[i].value;
      if (v.is_string() && ((q.showOtherItem && v == "other") || (q.showNoneItem && v == "none"))) {
        error(at(path, "choices[") + std::to_string(i) + "]",
              "choice value \"" + v.get<std::string>() + "\" clashes with the built-in " + v.get<std::string>() +
                  " item");
      }
    }
  }

  void parseMatrix(const Json& o, Element& q, const std::string& path) {
    if (auto* r = prop(o, {"rows"})) q.rows_ = parseChoices(*r, at(path, "rows"));
    if (auto* c = prop(o, {"columns"})) q.columns_ = parseChoices(*c, at(path, "columns"));
    getEnum(o, {"cellType"}, q.cellType, {"radio"}, path, "matrix cellType");
    getBool(o, {"eachRowRequired", "isAllRowRequired"}, q.eachRowRequired, path);
    getBool(o, {"eachRowUnique"}, q.eachRowUnique, path);
    getExpr(o, {"rowsVisibleIf"}, q.rowsVisibleIf, path);
    getExpr(o, {"columnsVisibleIf"}, q.columnsVisibleIf, path);
    if (q.rows_.empty()) error(at(path, "rows"), "a matrix needs rows");
    if (q.columns_.empty()) error(at(path, "columns"), "a matrix needs columns");
  }

  void parseMatrixDropdown(const Json& o, Element& q, const std::string& path, int depth) {
    if (auto* r = prop(o, {"rows"})) q.rows_ = parseChoices(*r, at(path, "rows"));
    q.cellType = "dropdown";
    static const std::initializer_list<const char*> cellTypes = {"dropdown", "radiogroup", "checkbox", "text",
                                                                 "comment",  "boolean",    "rating"};
    getEnum(o, {"cellType"}, q.cellType, cellTypes, path, "matrix cellType");
    std::vector<Choice> defaultChoices;
    if (auto* c = prop(o, {"choices"})) defaultChoices = parseChoices(*c, at(path, "choices"));
    if (q.rows_.empty()) error(at(path, "rows"), "a matrixdropdown needs rows");
    const Json* cols = prop(o, {"columns"});
    if (!cols || !cols->is_array() || cols->empty()) {
      error(at(path, "columns"), "a matrixdropdown needs columns");
      return;
    }
    std::set<std::string> names;
    ++templateDepth;
    for (size_t i = 0; i < cols->size(); ++i) {
      const Json& c = (*cols)[i];
      const std::string p = at(path, "columns[") + std::to_string(i) + "]";
      if (!c.is_object()) {
        error(p, "expected a column object");
        continue;
      }
      std::string cellType = "default";
      getEnum(c, {"cellType"}, cellType, {"default", "dropdown", "radiogroup", "checkbox", "text", "comment", "boolean", "rating"},
              p, "column cellType");
      if (cellType == "default") cellType = q.cellType;
      Json cellJson = c;
      cellJson["type"] = cellType;
      if (!cellJson.contains("choices") && !defaultChoices.empty() &&
          (cellType == "dropdown" || cellType == "radiogroup" || cellType == "checkbox")) {
        cellJson["choices"] = o.at("choices");
      }
      MatrixColumn col;
      col.cell = parseElement(cellJson, &q, p, depth + 1);
      if (!col.cell) continue;
      col.name = col.cell->name;
      col.title = col.cell->title;
      if (!col.name.empty() && !names.insert(col.name).second) error(at(p, "name"), "duplicate column name \"" + col.name + "\"");
      q.matrixColumns.push_back(std::move(col));
    }
    --templateDepth;
  }

  void parseMultipleText(const Json& o, Element& q, const std::string& path) {
    const Json* items = prop(o, {"items"});
    if (!items || !items->is_array() || items->empty()) {
      error(at(path, "items"), "a multipletext question needs items");
      return;
    }
    std::set<std::string> names;
    ++templateDepth;
    for (size_t i = 0; i < items->size(); ++i) {
      const Json& it = (*items)[i];
      const std::string p = at(path, "items[") + std::to_string(i) + "]";
      if (!it.is_object()) {
        error(p, "expected an item object");
        continue;
      }
      Json itemJson = it;
      itemJson["type"] = "text";
      auto item = parseElement(itemJson, &q, p, 0);
      if (!item) continue;
      if (!item->name.empty() && !names.insert(item->name).second) error(at(p, "name"), "duplicate item name \"" + item->name + "\"");
      q.elements.push_back(std::move(item));
    }
    --templateDepth;
    getNumber(o, {"colCount"}, q.colCount, path);
  }

  void parsePanelDynamic(const Json& o, Element& q, const std::string& path, int depth) {
    if (templateDepth > 0) {
      error(path, "a paneldynamic inside a paneldynamic or matrix is not supported");
      return;
    }
    ++templateDepth;
    parseElements(o, q.elements, &q, path, depth, {"templateElements", "questions"});
    --templateDepth;
    if (q.elements.empty()) error(at(path, "templateElements"), "a paneldynamic needs templateElements");
    std::set<std::string> names;
    for (const Element* e : [&] {
           std::vector<const Element*> all;
           std::vector<const std::vector<std::unique_ptr<Element>>*> stack{&q.elements};
           while (!stack.empty()) {
             auto* v = stack.back();
             stack.pop_back();
             for (const auto& c : *v) {
               all.push_back(c.get());
               if (c->type == ElementType::Panel) stack.push_back(&c->elements);
             }
           }
           return all;
         }()) {
      if (e->isQuestion() && !e->name.empty() && !names.insert(e->name).second)
        error(at(e->jsonPath, "name"), "duplicate name \"" + e->name + "\" in the panel template");
    }
    getLoc(o, {"templateTitle"}, q.templateTitle, path);
    getLoc(o, {"templateDescription"}, q.templateDescription, path);
    getLoc(o, {"addPanelText", "panelAddText"}, q.addPanelText, path);
    getLoc(o, {"removePanelText", "panelRemoveText"}, q.removePanelText, path);
    getLoc(o, {"noEntriesText"}, q.noEntriesText, path);
    getNumber(o, {"panelCount"}, q.panelCount, path);
    getNumber(o, {"minPanelCount"}, q.minPanelCount, path);
    getNumber(o, {"maxPanelCount"}, q.maxPanelCount, path);
    getBool(o, {"allowAddPanel"}, q.allowAddPanel, path);
    getBool(o, {"allowRemovePanel"}, q.allowRemovePanel, path);
    getExpr(o, {"templateVisibleIf"}, q.templateVisibleIf, path);
    if (q.maxPanelCount > 100) error(at(path, "maxPanelCount"), "at most 100 panels");
    if (q.minPanelCount < 0 || q.maxPanelCount < q.minPanelCount) error(path, "minPanelCount/maxPanelCount make no sense");
    q.panelCount = std::clamp(q.panelCount, q.minPanelCount, std::max(q.minPanelCount, q.maxPanelCount));
  }

  void parseTriggers(const Json& root, Form& f) {
    auto it = root.find("triggers");
    if (it == root.end() || it->is_null()) return;
    if (!it->is_array()) {
      error("triggers", "expected a list of triggers");
      return;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const Json& t = (*it)[i];
      const std::string p = "triggers[" + std::to_string(i) + "]";
      if (!t.is_object() || !t.contains("type") || !t["type"].is_string()) {
        error(p, "a trigger needs a \"type\"");
        continue;
      }
      std::string type = lower(t["type"].get<std::string>());
      if (type.size() > 7 && type.compare(type.size() - 7, 7, "trigger") == 0) type.resize(type.size() - 7);
      Trigger tr;
      tr.jsonPath = p;
      if (type == "complete") tr.type = TriggerType::Complete;
      else if (type == "setvalue") tr.type = TriggerType::SetValue;
      else if (type == "copyvalue") tr.type = TriggerType::CopyValue;
      else if (type == "runexpression") tr.type = TriggerType::RunExpression;
      else if (type == "skip") tr.type = TriggerType::Skip;
      else {
        error(at(p, "type"), "unsupported trigger type \"" + t["type"].get<std::string>() +
                               "\" (Minyi supports: complete, setvalue, copyvalue, runexpression, skip)");
        continue;
      }
      if (t.contains("expression")) {
        getExpr(t, {"expression"}, tr.expression, p);
      } else if (t.contains("name") && t["name"].is_string()) {
        tr.expression = parseExpr(legacyExpression(t, p), p);
      }
      if (tr.expression.empty()) {
        error(p, "a trigger needs an \"expression\"");
        continue;
      }
      getString(t, {"setToName"}, tr.setToName, p);
      getString(t, {"fromName"}, tr.fromName, p);
      getString(t, {"gotoName"}, tr.gotoName, p);
      if (auto* v = prop(t, {"setValue"})) tr.setValue = *v;
      getBool(t, {"isVariable"}, tr.isVariable, p);
      getExpr(t, {"runExpression"}, tr.runExpression, p);
      if ((tr.type == TriggerType::SetValue || tr.type == TriggerType::CopyValue) && tr.setToName.empty())
        error(p, "this trigger needs \"setToName\"");
      if (tr.type == TriggerType::CopyValue && tr.fromName.empty()) error(p, "a copyvalue trigger needs \"fromName\"");
      if (tr.type == TriggerType::Skip && tr.gotoName.empty()) error(p, "a skip trigger needs \"gotoName\"");
      if (tr.isVariable && !tr.setToName.empty()) knownNames.insert(lower(tr.setToName));
      f.triggers.push_back(std::move(tr));
    }
  }

  // {name, operator, value} → "{name} operator value" (surveyjs-subset.md §8).
  std::string legacyExpression(const Json& t, const std::string& p) {
    std::string op = "equal";
    getEnum(t, {"operator"}, op,
            {"empty", "notempty", "equal", "notequal", "contains", "notcontains", "greater", "less", "greaterorequal",
             "lessorequal"},
            p, "operator");
    std::string expr = "{" + t["name"].get<std::string>() + "} " + op;
    if (op != "empty" && op != "notempty") {
      const Json v = t.contains("value") ? t["value"] : Json();
      if (v.is_string()) {
        std::string s;
        for (char c : v.get<std::string>()) {
          if (c == '\'' || c == '\\') s += '\\';
          s += c;
        }
        expr += " '" + s + "'";
      } else {
        expr += " " + (v.is_null() ? std::string("undefined") : v.dump());
      }
    }
    return expr;
  }

  void parseMinyi(const Json& root, Form& f, const std::string& fallbackId) {
    f.minyi.id = fallbackId;
    auto it = root.find("minyi");
    if (it == root.end()) return;
    if (!it->is_object()) {
      error("minyi", "expected an object of Minyi settings");
      return;
    }
    const Json& m = *it;
    getString(m, {"id"}, f.minyi.id, "minyi");
    getNumber(m, {"version"}, f.minyi.version, "minyi");
    getEnum(m, {"kind"}, f.minyi.kind, {"survey", "complaint", "quick"}, "minyi", "form kind");
    getNumber(m, {"idleSeconds"}, f.minyi.idleSeconds, "minyi");
    getBool(m, {"keepPartial"}, f.minyi.keepPartial, "minyi");
    if (prop(m, {"idleSeconds"}) && (f.minyi.idleSeconds < 20 || f.minyi.idleSeconds > 3600))
      error("minyi.idleSeconds", "idleSeconds must be between 20 and 3600");
    if (auto* cats = prop(m, {"categories"})) {
      if (!cats->is_array()) error("minyi.categories", "expected a list of categories");
      else
        for (size_t i = 0; i < cats->size(); ++i) {
          const Json& c = (*cats)[i];
          const std::string p = "minyi.categories[" + std::to_string(i) + "]";
          if (!c.is_object() || !c.contains("value")) {
            error(p, "a category needs a \"value\"");
            continue;
          }
          TicketCategory tc;
          getString(c, {"value"}, tc.value, p);
          getLoc(c, {"text"}, tc.text, p);
          getOptNumber(c, {"deadlineHours"}, tc.deadlineHours, p);
          getOptNumber(c, {"deadlineWorkingDays"}, tc.deadlineWorkingDays, p);
          getOptNumber(c, {"deadlineDays"}, tc.deadlineDays, p);
          f.minyi.categories.push_back(std::move(tc));
        }
    }
    if (f.minyi.kind == "complaint" && f.minyi.categories.empty())
      error("minyi.categories", "a complaint form needs ticket categories with their handling deadlines");
  }

  // Every {x} in expressions and texts must name something that exists.
  void checkReferences(const Form& f) {
    static const std::set<std::string> builtins = {"pageno", "pagecount", "correctanswers", "incorrectanswers",
                                                   "questioncount", "locale"};
    static const std::set<std::string> contextVars = {"row", "panel", "prevpanel", "parentpanel", "rowindex",
                                                      "panelindex", "item", "visiblerowindex", "rowname",
                                                      "rowvalue", "visiblepanelindex"};
    auto known = [&](const std::string& varIn) {
      std::string var = lower(varIn);
      if (!var.empty() && var[0] == '#') var.erase(0, 1);
      if (var.empty() || var[0] == '$') return true;
      if (knownNames.count(var) || builtins.count(var) || contextVars.count(var)) return true;
      // Longest prefix up to '.' or '[' that is a known name (a.b.c may be key "a.b" + path "c").
      for (size_t i = var.size(); i > 0; --i) {
        if (var[i - 1] != '.' && var[i - 1] != '[') continue;
        std::string head = var.substr(0, i - 1);
        if (knownNames.count(head) || builtins.count(head) || contextVars.count(head)) return true;
      }
      return false;
    };
    std::set<std::string> functionsKnown;
    for (const auto& fn : values::builtinFunctionNames()) functionsKnown.insert(lower(fn));
    for (const ExprRef& r : exprs) {
      for (const std::string& v : r.expr.variables()) {
        if (!known(v)) error(r.path, "refers to {" + v + "}, which is not a question, panel value or variable of this form");
      }
      for (const std::string& fn : r.expr.functions()) {
        if (!functionsKnown.count(lower(fn))) warning(r.path, "unknown function " + fn + "() evaluates to null");
      }
    }
    for (const TextRef& t : texts) {
      size_t pos = 0;
      while ((pos = t.text.find('{', pos)) != std::string::npos) {
        size_t end = t.text.find('}', pos);
        if (end == std::string::npos) break;
        std::string name = t.text.substr(pos + 1, end - pos - 1);
        if (!name.empty() && name.find_first_of(" :\"'") == std::string::npos && !known(name))
          warning(t.path, "text refers to {" + name + "}, which is not a question or variable of this form; it shows as empty");
        pos = end + 1;
      }
    }
    auto checkName = [&](const std::string& name, const std::string& path) {
      if (!name.empty() && !knownNames.count(lower(name))) error(path, "refers to \"" + name + "\", which is not a question of this form");
    };
    for (const Trigger& t : f.triggers) {
      if (!t.isVariable) checkName(t.setToName, at(t.jsonPath, "setToName"));
      checkName(t.fromName, at(t.jsonPath, "fromName"));
      checkName(t.gotoName, at(t.jsonPath, "gotoName"));
    }
    for (const Element* e : f.allElements()) {
      if (!e->choicesFromQuestion.empty()) {
        const Element* src = f.findQuestion(e->choicesFromQuestion);
        if (!src) checkName(e->choicesFromQuestion, at(e->jsonPath, "choicesFromQuestion"));
        else if (!src->isChoiceQuestion()) error(at(e->jsonPath, "choicesFromQuestion"), "\"" + src->name + "\" has no choices to copy");
      }
    }
  }

  void checkDuplicateNames(const Form& f) {
    std::map<std::string, std::string> seen;  // lower-cased name → path
    for (const Element* e : f.allElements()) {
      if (e->isNestedValue() || e->name.empty()) continue;
      auto [it, fresh] = seen.emplace(lower(e->name), e->jsonPath);
      if (!fresh) error(at(e->jsonPath, "name"), "duplicate name \"" + e->name + "\" (also at " + it->second + ")");
    }
    std::set<std::string> pages;
    for (const Page& p : f.pages) {
      if (!p.name.empty() && !pages.insert(lower(p.name)).second) error(at(p.jsonPath, "name"), "duplicate page name \"" + p.name + "\"");
    }
  }

  std::unique_ptr<Form> load(const Json& root, const std::string& fallbackId) {
    if (!root.is_object()) {
      error("", "a form is a JSON object with \"pages\"");
      return nullptr;
    }
    auto f = std::make_unique<Form>();
    f->contentHash = sha256Hex(root.dump());
    parseMinyi(root, *f, fallbackId);
    getLoc(root, {"title"}, f->title, "");
    getLoc(root, {"description"}, f->description, "");
    getLoc(root, {"completedHtml"}, f->completedHtml, "");
    getLoc(root, {"completedBeforeHtml"}, f->completedBeforeHtml, "");
    getLoc(root, {"pagePrevText"}, f->pagePrevText, "");
    getLoc(root, {"pageNextText"}, f->pageNextText, "");
    getLoc(root, {"completeText"}, f->completeText, "");
    getString(root, {"locale"}, f->locale, "");
    getEnum(root, {"clearInvisibleValues"}, f->clearInvisibleValues, {"none", "onComplete", "onHidden", "onHiddenContainer"}, "");
    getEnum(root, {"checkErrorsMode"}, f->checkErrorsMode, {"onNextPage", "onValueChanged", "onComplete"}, "");
    getEnum(root, {"progressBarType"}, f->progressBarType, {"pages", "questions", "requiredQuestions", "buttons"}, "");
    if (const Json* sp = prop(root, {"showProgressBar"})) {
      if (sp->is_boolean()) f->showProgressBar = sp->get<bool>();
      else if (sp->is_string()) f->showProgressBar = lower(sp->get<std::string>()) != "off";
      else error("showProgressBar", "expected true/false or a position");
    }
    getBool(root, {"showPrevButton"}, f->showPrevButton, "");
    getBool(root, {"autoAdvanceEnabled", "goNextPageAutomatic"}, f->autoAdvance, "");
    getBool(root, {"autoAdvanceAllowComplete", "allowCompleteSurveyAutomatic"}, f->autoAdvanceAllowComplete, "");
    getBool(root, {"storeOthersAsComment"}, f->storeOthersAsComment, "");
    getNumber(root, {"maxTextLength"}, f->maxTextLength, "");
    getNumber(root, {"maxCommentLength", "maxOthersLength"}, f->maxCommentLength, "");
    getBool(root, {"readOnly"}, f->readOnly, "");
    if (const Json* mode = prop(root, {"mode"}); mode && mode->is_string() && lower(mode->get<std::string>()) == "display")
      f->readOnly = true;
    std::string qpm = "standard";
    getEnum(root, {"questionsOnPageMode"}, qpm, {"standard"}, "", "questionsOnPageMode");
    bool startPage = false;
    getBool(root, {"firstPageIsStartPage", "firstPageIsStarted"}, startPage, "");
    if (startPage) error("firstPageIsStartPage", "a start page is not supported: the kiosk has its own start screen");
    for (const char* k : {"timeLimit", "maxTimeToFinish", "timeLimitPerPage", "maxTimeToFinishPage"})
      if (prop(root, {k})) warning(k, "time limits are not supported; the kiosk's idle timeout applies instead");

    if (auto* cv = prop(root, {"calculatedValues"})) {
      if (!cv->is_array()) error("calculatedValues", "expected a list");
      else
        for (size_t i = 0; i < cv->size(); ++i) {
          const Json& c = (*cv)[i];
          const std::string p = "calculatedValues[" + std::to_string(i) + "]";
          CalculatedValue v;
          if (!c.is_object()) {
            error(p, "expected an object with name and expression");
            continue;
          }
          getString(c, {"name"}, v.name, p);
          getExpr(c, {"expression"}, v.expression, p);
          getBool(c, {"includeIntoResult"}, v.includeIntoResult, p);
          if (v.name.empty()) error(at(p, "name"), "a calculated value needs a name");
          else knownNames.insert(lower(v.name));
          f->calculatedValues.push_back(std::move(v));
        }
    }

    // Pages: "pages", or root "elements"/"questions" as one implicit page.
    if (const Json* pages = prop(root, {"pages"})) {
      if (!pages->is_array()) error("pages", "expected a list of pages");
      else
        for (size_t i = 0; i < pages->size(); ++i) {
          const Json& pj = (*pages)[i];
          const std::string p = "pages[" + std::to_string(i) + "]";
          if (!pj.is_object()) {
            error(p, "expected a page object");
            continue;
          }
          Page page;
          page.jsonPath = p;
          getString(pj, {"name"}, page.name, p);
          getLoc(pj, {"title"}, page.title, p);
          getLoc(pj, {"description"}, page.description, p);
          getLoc(pj, {"navigationTitle"}, page.navigationTitle, p);
          getBool(pj, {"visible"}, page.visible, p);
          getBool(pj, {"readOnly"}, page.readOnly, p);
          getExpr(pj, {"visibleIf"}, page.visibleIf, p);
          getExpr(pj, {"enableIf"}, page.enableIf, p);
          if (prop(pj, {"timeLimit", "maxTimeToFinish"}))
            warning(at(p, "timeLimit"), "time limits are not supported; the kiosk's idle timeout applies instead");
          std::string order = "initial";
          getEnum(pj, {"questionOrder", "questionsOrder"}, order, {"initial", "default"}, p, "questionOrder");
          parseElements(pj, page.elements, nullptr, p, 0, {"elements", "questions"});
          f->pages.push_back(std::move(page));
        }
    } else if (prop(root, {"elements", "questions"})) {
      Page page;
      page.jsonPath = "";
      parseElements(root, page.elements, nullptr, "", 0, {"elements", "questions"});
      f->pages.push_back(std::move(page));
    }
    if (f->pages.empty()) error("pages", "the form has no pages");
    else {
      bool anyQuestion = false;
      for (const Element* e : f->allElements()) anyQuestion |= e->isQuestion();
      if (!anyQuestion) error("pages", "the form has no questions");
    }

    parseTriggers(root, *f);
    if (auto* ch = prop(root, {"completedHtmlOnCondition"})) {
      if (!ch->is_array()) error("completedHtmlOnCondition", "expected a list");
      else
        for (size_t i = 0; i < ch->size(); ++i) {
          const std::string p = "completedHtmlOnCondition[" + std::to_string(i) + "]";
          const Json& c = (*ch)[i];
          if (!c.is_object()) {
            error(p, "expected an object with expression and html");
            continue;
          }
          CompletedHtmlOnCondition cc;
          getExpr(c, {"expression"}, cc.expression, p);
          getLoc(c, {"html"}, cc.html, p);
          f->completedHtmlOnCondition.push_back(std::move(cc));
        }
    }
    checkDuplicateNames(*f);
    checkReferences(*f);
    return f;
  }
};

}  // namespace

LoadResult loadForm(const Json& json, const std::string& fallbackId) {
  Loader l;
  LoadResult r;
  r.form = l.load(json, fallbackId);
  r.diagnostics = std::move(l.diags);
  return r;
}

LoadResult loadFormText(std::string_view jsonText, const std::string& fallbackId) {
  std::string err;
  auto json = parseJsonText(jsonText, &err);
  if (!json) {
    LoadResult r;
    r.diagnostics.push_back({Diagnostic::Severity::Error, "", err});
    return r;
  }
  return loadForm(*json, fallbackId);
}

}  // namespace minyi::core
