// The form model: a SurveyJS-subset form after loading (pages, panels, questions, choices, triggers).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minyi/core/expression.h"
#include "minyi/core/json.h"
#include "minyi/core/loc_string.h"

namespace minyi::core {

enum class ElementType {
  Panel,
  Text,
  Comment,
  Radiogroup,
  Checkbox,
  Dropdown,
  Tagbox,
  Rating,
  Boolean,
  Matrix,
  MatrixDropdown,
  Ranking,
  ImagePicker,
  Html,
  Expression,
  MultipleText,
  PanelDynamic,
};

// The SurveyJS type name ("radiogroup") and back; nullopt for a type Minyi does not support.
const char* typeName(ElementType t);
std::optional<ElementType> typeFromName(std::string_view name);

// A choice (itemvalue): "v", "v|text" or {value, text, visibleIf, enableIf, imageLink, isExclusive}.
struct Choice {
  Json value;
  LocString text;  // empty → String(value)
  Expression visibleIf;
  Expression enableIf;
  LocString imageLink;
  bool isExclusive = false;
};

enum class ValidatorType { Numeric, Text, Regex, Email, Expression, AnswerCount };
enum class Notification { Error, Warning, Info };

struct Validator {
  ValidatorType type = ValidatorType::Numeric;
  LocString text;  // custom message; empty → the string table's
  Notification notification = Notification::Error;
  std::optional<double> minValue, maxValue;  // numeric
  int minLength = 0, maxLength = 0;          // text (0 = off)
  bool allowDigits = true;                   // text
  std::string regex;                         // regex (ECMAScript syntax, checked at load)
  bool caseInsensitive = false;
  Expression expression;                     // expression
  std::optional<int> minCount, maxCount;     // answercount
};

struct Element;

// A column of a matrixdropdown: a cell question template plus column settings.
struct MatrixColumn {
  std::string name;
  LocString title;
  std::unique_ptr<Element> cell;  // the cell question (type from cellType), its name = column name
  int totalType = 0;              // unused by the kiosk; kept for completeness of the results
};

// A page, panel or question. One struct for all types: most properties are shared and a form is small.
struct Element {
  ElementType type = ElementType::Text;
  std::string name;
  std::string valueName;  // store under another key
  std::string jsonPath;   // where it came from, for messages ("pages[1].elements[0]")
  LocString title, description;
  bool visible = true;
  bool readOnly = false;
  Expression visibleIf, enableIf, requiredIf;
  bool isRequired = false;
  LocString requiredErrorText;
  Json defaultValue;  // null = none
  Expression defaultValueExpression;
  Expression setValueIf, setValueExpression, resetValueIf;
  std::vector<Validator> validators;
  bool showCommentArea = false;
  LocString commentText, commentPlaceholder;
  std::string clearIfInvisible = "default";

  // text / comment
  std::string inputType = "text";
  LocString placeholder;
  int maxLength = -1;
  Json min, max;  // numbers or date strings for inputType number/date
  LocString minErrorText, maxErrorText;
  int rows = 4;

  // choice questions (radiogroup, checkbox, dropdown, tagbox, ranking, imagepicker)
  std::vector<Choice> choices;
  std::string choicesOrder = "none";
  bool showOtherItem = false, showNoneItem = false, showSelectAllItem = false;
  LocString otherText, otherPlaceholder, otherErrorText, noneText, selectAllText;
  Expression choicesVisibleIf, choicesEnableIf;
  std::string choicesFromQuestion, choicesFromQuestionMode = "all";
  bool hideIfChoicesEmpty = false;
  int colCount = 1;
  std::optional<int> minSelectedChoices, maxSelectedChoices;
  bool multiSelect = false;  // imagepicker
  std::optional<double> choicesMin, choicesMax, choicesStep;  // dropdown auto numeric choices

  // rating
  std::string rateType = "labels";
  double rateMin = 1, rateMax = 5, rateStep = 1;
  int rateCount = 5;
  std::vector<Choice> rateValues;
  LocString minRateDescription, maxRateDescription;

  // boolean
  LocString labelTrue, labelFalse;
  Json valueTrue, valueFalse;  // null = true/false

  // matrix / matrixdropdown
  std::vector<Choice> rows_, columns_;  // matrix rows and (single-select) columns
  std::string cellType = "radio";
  bool eachRowRequired = false, eachRowUnique = false;
  Expression rowsVisibleIf, columnsVisibleIf;
  std::vector<MatrixColumn> matrixColumns;  // matrixdropdown

  // html / expression
  LocString html;
  Expression expression;
  std::string displayStyle = "none", currency = "USD";
  int precision = -1, minimumFractionDigits = -1, maximumFractionDigits = -1;
  LocString format;

  // panel (elements), multipletext (items, each a text question), paneldynamic (template)
  std::vector<std::unique_ptr<Element>> elements;
  LocString templateTitle, templateDescription, addPanelText, removePanelText, noEntriesText;
  int panelCount = 0, minPanelCount = 0, maxPanelCount = 100;
  bool allowAddPanel = true, allowRemovePanel = true;
  Expression templateVisibleIf;

  Element* parent = nullptr;  // panel, paneldynamic or multipletext holding this element; null on a page

  bool isQuestion() const { return type != ElementType::Panel && type != ElementType::Html; }
  bool hasValue() const { return isQuestion(); }
  bool isChoiceQuestion() const;
  const std::string& valueKey() const { return valueName.empty() ? name : valueName; }
  // The paneldynamic whose template holds this element, or null (templates do not nest: the loader refuses).
  const Element* dynamicPanel() const;
  // True when the value lives inside a container's value (a paneldynamic template or a multipletext item)
  // rather than under its own key in the results.
  bool isNestedValue() const;
  std::string commentKey() const { return valueKey() + "-Comment"; }
};

struct Page {
  std::string name;
  std::string jsonPath;
  LocString title, description, navigationTitle;
  bool visible = true;
  bool readOnly = false;
  Expression visibleIf, enableIf;
  std::vector<std::unique_ptr<Element>> elements;
};

enum class TriggerType { Complete, SetValue, CopyValue, RunExpression, Skip };

struct Trigger {
  TriggerType type = TriggerType::Complete;
  Expression expression;
  std::string setToName, fromName, gotoName;
  Json setValue;
  bool isVariable = false;
  Expression runExpression;
  std::string jsonPath;
};

struct CalculatedValue {
  std::string name;
  Expression expression;
  bool includeIntoResult = false;
};

struct CompletedHtmlOnCondition {
  Expression expression;
  LocString html;
};

// A ticket category of a complaint form with its handling deadline (DESIGN.md §9).
struct TicketCategory {
  std::string value;
  LocString text;
  std::optional<int> deadlineHours, deadlineWorkingDays, deadlineDays;
};

// Minyi's own settings under "minyi" in the form JSON.
struct MinyiSettings {
  std::string id;
  int version = 1;
  std::string kind = "survey";  // survey | complaint | quick
  int idleSeconds = 0;  // 0: not set by the form; the kiosk's own [kiosk] idle_seconds applies
  bool keepPartial = false;
  std::vector<TicketCategory> categories;
};

struct Form {
  MinyiSettings minyi;
  std::string contentHash;  // SHA-256 of the canonical JSON text, hex: results never mix versions
  LocString title, description, completedHtml, completedBeforeHtml;
  LocString pagePrevText, pageNextText, completeText;
  std::vector<CompletedHtmlOnCondition> completedHtmlOnCondition;
  std::string locale;
  std::vector<Page> pages;
  std::vector<Trigger> triggers;
  std::vector<CalculatedValue> calculatedValues;
  std::string clearInvisibleValues = "onComplete";
  std::string checkErrorsMode = "onNextPage";
  std::string progressBarType = "pages";
  bool showProgressBar = false;
  bool showPrevButton = true;
  bool autoAdvance = false;          // go to the next page as soon as the page's questions are answered
  bool autoAdvanceAllowComplete = false;  // ... and complete from the last page
  bool storeOthersAsComment = true;
  int maxTextLength = 0, maxCommentLength = 0;
  bool readOnly = false;

  // Every element in document order (pages, then nested panels; paneldynamic templates and
  // multipletext items included, after their container).
  std::vector<const Element*> allElements() const;
  // The question (not template/item) with this name or valueName, or null.
  const Element* findQuestion(std::string_view name) const;
  // Index of the page that holds the element (templates map to their container's page); -1 if none.
  int pageOf(const Element* e) const;
};

}  // namespace minyi::core
