// A resident's pass through one form: answers, visibility, validation, page flow, triggers and results.
// The kiosk UI drives it and holds no form logic of its own.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "minyi/core/form.h"
#include "minyi/core/strings.h"

namespace minyi::core {

// Addresses a question's value: a top-level question, or one inside a dynamic panel.
struct QuestionRef {
  const Element* element = nullptr;
  const Element* dynamicPanel = nullptr;  // the paneldynamic holding element, or null
  int panelIndex = -1;                    // which panel of it
  bool operator==(const QuestionRef& o) const {
    return element == o.element && dynamicPanel == o.dynamicPanel && panelIndex == o.panelIndex;
  }
};

// One validation message for a question, already in the session's language.
struct ValidationError {
  QuestionRef question;
  std::string name;     // "q1", or "pd[1].q1", "matrix.row.col" for cells
  std::string message;
  Notification level = Notification::Error;  // warnings and info do not block
};

// A choice as the resident sees it now: visible ones only, ordered, with its text in the session's language.
struct ChoiceView {
  Json value;
  std::string text;
  bool enabled = true;
  bool isOther = false, isNone = false, isSelectAll = false, isExclusive = false;
  std::string imageLink;
};

struct Progress {
  int page = 0, pageCount = 0;          // 1-based current visible page, visible pages
  int answered = 0, questions = 0;      // answered visible questions, visible questions
  double fraction = 0;                  // by the form's progressBarType
};

enum class NavResult {
  Moved,        // went to another page
  Invalid,      // the page has errors; see errors()
  Completed,    // the form is complete; see results()
  NoMove,       // nothing to go to (first page on back, last page on next)
};

class Session {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // The form and strings must outlive the session. locale: "zh-cn", "zh-tw" or "en".
  Session(const Form& form, const StringTable& strings, std::string locale, Clock clock = {});

  const Form& form() const { return form_; }

  // Language: switching keeps every answer.
  const std::string& locale() const { return locale_; }
  void setLocale(std::string locale);
  // A form text in the session's language with {name} placeholders replaced by display values.
  std::string text(const LocString& s) const;
  // Title shown for an element (title, else name), piped.
  std::string title(const Element& e) const;

  // Pages. Indexes are into form().pages; only visible pages are ever current.
  int currentPageIndex() const { return current_; }
  const Page& currentPage() const { return form_.pages[current_]; }
  std::vector<int> visiblePages() const;
  bool isFirstPage() const;
  bool isLastPage() const;
  // True when Next should read "提交" because a complete trigger fired on the current answers.
  bool completeOnNext() const;

  // The page's visible elements in order, depth-first (panels before their children).
  std::vector<const Element*> visibleElements(int pageIndex) const;
  std::vector<const Element*> visibleElements() const { return visibleElements(current_); }

  bool isVisible(const Element& e, int panelIndex = -1) const;
  bool isEnabled(const Element& e, int panelIndex = -1) const;
  bool isRequired(const Element& e, int panelIndex = -1) const;
  bool isPageVisible(int pageIndex) const;
  std::vector<ChoiceView> choices(const QuestionRef& q) const;
  std::vector<ChoiceView> choices(const Element& e) const { return choices(QuestionRef{&e}); }
  // Choice lists of matrices (rows; columns of a matrix; choices of a matrixdropdown cell).
  std::vector<ChoiceView> matrixRows(const Element& e) const;
  std::vector<ChoiceView> matrixColumns(const Element& e) const;
  std::vector<ChoiceView> cellChoices(const Element& matrix, const MatrixColumn& column) const;
  // Rating scale items (generated from rateMin..rateMax or the rateValues).
  std::vector<ChoiceView> rateItems(const Element& e) const;

  // Answers. Setting recomputes expressions, calculated values, visibility and runs triggers.
  Json value(const QuestionRef& q) const;
  Json value(const Element& e) const { return value(QuestionRef{&e}); }
  void setValue(const QuestionRef& q, Json v);
  void setValue(const Element& e, Json v) { setValue(QuestionRef{&e}, std::move(v)); }
  // Convenience for tests and the command line: by question name (top level); false if there is none.
  bool setValueByName(const std::string& name, Json v);
  void clearValue(const QuestionRef& q) { setValue(q, Json()); }
  // The "other" text or the comment area text (<name>-Comment).
  std::string comment(const QuestionRef& q) const;
  void setComment(const QuestionRef& q, std::string text);
  // The answer as the resident reads it: choice texts in the session's language, "是/否", matrix rows as
  // "row: column; ...". For the review screen, piping and transcripts.
  std::string displayValue(const QuestionRef& q) const;
  std::string displayValue(const Element& e) const { return displayValue(QuestionRef{&e}); }
  // Matrix cells.
  void setMatrixCell(const Element& matrix, const Json& row, const std::string& column, Json v);
  Json matrixCell(const Element& matrix, const Json& row, const std::string& column) const;
  // Dynamic panels.
  int panelCount(const Element& paneldynamic) const;
  bool addPanel(const Element& paneldynamic);
  bool removePanel(const Element& paneldynamic, int index);
  // A variable (setvalue trigger with isVariable, calculated values); null if unset.
  Json variable(const std::string& name) const;

  // Validation of the current page (or one page); also stored for errors().
  std::vector<ValidationError> validatePage(int pageIndex);
  std::vector<ValidationError> validateCurrentPage() { return validatePage(current_); }
  const std::vector<ValidationError>& errors() const { return errors_; }
  std::vector<ValidationError> errorsFor(const QuestionRef& q) const;

  // Navigation. next() validates the page (errors block), runs complete triggers, moves to the next
  // visible page; complete() validates and finishes (only from the last page or after a complete trigger).
  NavResult next();
  NavResult back();
  // Jumps to a visible page (the review screen's "change this answer"); NoMove if it is not visible.
  NavResult goToPage(int pageIndex);
  NavResult complete();
  bool isCompleted() const { return completed_; }
  // autoAdvanceEnabled: true when every visible question of the page is a one-tap kind (choice, rating,
  // boolean, matrix) and answered, so the UI may go on (next(), or complete() when allowed) without a button.
  bool readyToAutoAdvance() const;

  Progress progress() const;
  double elapsedSeconds() const;

  // The results in SurveyJS's data shape (surveyjs-subset.md §10).
  Json results() const;
  // The thank-you text: the first completedHtmlOnCondition whose expression holds, else completedHtml.
  std::string completedHtml() const;

 private:
  // Runs an expression (or a condition) with the session's values plus context ("panel", "row", "item") for this one call.
  Json run(const Expression& e, bool asCondition, const QuestionRef* q, const Json* row, const Json* item) const;
  Json evaluate(const Expression& e, const QuestionRef* q, const Json* row = nullptr, const Json* item = nullptr) const;
  bool condition(const Expression& e, const QuestionRef* q, const Json* row = nullptr,
                 const Json* item = nullptr) const;
  const Json& scope() const;
  bool dependsOn(const Expression& e, const std::string& key) const;
  Json containerValue(const QuestionRef& q) const;
  void storeValue(const QuestionRef& q, Json v);
  bool isAnswered(const Element& e, int panelIndex, const Element* dp) const;
  std::vector<ChoiceView> filterChoices(const std::vector<Choice>& list, const Element& e, const QuestionRef* ctx,
                                        const Expression* listVisibleIf) const;
  void recompute(const std::string& changedKey);
  void runValueTriggers(const std::string& changedKey);
  void applyDefaults();
  void clearHidden();
  std::string displayValueOf(const Element& e, const Json& v) const;
  void validateElement(const Element& e, int panelIndex, const Element* dynamicPanel,
                       std::vector<ValidationError>& out) const;
  void validateValue(const Element& e, const Json& v, const std::string& label, const QuestionRef& ref,
                     std::vector<ValidationError>& out) const;
  std::string msg(const std::string& key, const std::vector<std::string>& args = {}) const;
  int nextVisiblePage(int from, int step) const;
  NavResult moveTo(int page);  // -1: NoMove
  bool anyCompleteTrigger() const;
  void finish();

  const Form& form_;
  const StringTable& strings_;
  std::string locale_;
  Clock clock_;
  std::chrono::system_clock::time_point started_;
  Json data_ = Json::object();
  Json variables_ = Json::object();
  int current_ = 0;
  bool completed_ = false;
  int recomputeDepth_ = 0;
  unsigned orderSeed_ = 0;                       // stable random choice order within one session
  std::map<const Element*, int> panelCounts_;    // dynamic panels shown, even before any is answered
  mutable Json scope_;                           // data + variables + built-ins, rebuilt when dirty
  mutable bool scopeDirty_ = true;
  int pageNo_ = 1, pageCount_ = 1;              // {pageno}/{pagecount}, refreshed after changes and moves
  void refreshPageNumbers();
  std::vector<ValidationError> errors_;
};

}  // namespace minyi::core
