// SurveyJS expressions: parse once, evaluate many times against a form session's values (surveyjs-subset.md §9).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/core/json.h"

namespace minyi::core {

// Where a parse failed: byte offset into the original text (before SurveyJS's text rewrites) and a message.
struct ExpressionError {
  size_t position = 0;
  std::string message;
};

// What an expression can see while it runs.
struct EvalEnv {
  // An object holding every name the expression may read: question values (by valueName || name),
  // variables, calculated values and context objects such as "row", "panel", "item". May be null (= empty).
  const Json* values = nullptr;
  // Functions that need the session (displayValue, getComment, propertyValue, isContainerReady,
  // isDisplayMode). Return nullopt when the name is not one of them.
  std::function<std::optional<Json>(std::string_view name, const std::vector<Json>& args)> hostFunction;
  // "Now" for today(), age(), currentDate() ...; unset = the system clock. Tests pin it.
  std::optional<std::chrono::system_clock::time_point> now;
};

namespace detail {
struct Node;
}

// A parsed expression. Cheap to copy (shares its immutable tree).
class Expression {
 public:
  Expression() = default;  // empty: evaluates to null, condition is true (SurveyJS: an empty visibleIf is ignored)

  // Parses SurveyJS expression text. Limits: text length ≤ kMaxLength bytes, nesting ≤ kMaxDepth;
  // beyond that it is an error, never a crash.
  static Expression parse(std::string_view text, ExpressionError* error);
  static constexpr size_t kMaxLength = 64 * 1024;
  static constexpr int kMaxDepth = 128;

  bool empty() const { return !root_; }
  const std::string& text() const { return text_; }

  // ExpressionRunner semantics: the raw result value.
  Json evaluate(const EvalEnv& env) const;
  // ConditionRunner semantics: (raw == true) with JavaScript loose equality. An empty expression is true.
  bool evaluateCondition(const EvalEnv& env) const;

  // Every variable name read ({name} with any '#' prefix removed, paths as written, e.g. "panel.q1", "a.b").
  std::vector<std::string> variables() const;
  // Every function name called.
  std::vector<std::string> functions() const;

 private:
  std::shared_ptr<const detail::Node> root_;
  std::string text_;
};

// JavaScript-like helpers shared with validation and the session (SurveyJS Helpers semantics).
namespace values {
// SurveyJS Helpers.isValueEmpty: undefined, null, "", [], object whose values are all empty.
bool isEmpty(const Json& v);
// SurveyJS Helpers.checkIfValuesEqual as used by the '=' operator (after conversion of variable values).
bool equal(const Json& a, const Json& b);
// JavaScript String(v) for display and concatenation ("1, 2" for arrays, "true", numbers without ".0").
std::string toDisplayString(const Json& v);
// JavaScript truthiness (Boolean(v)).
bool truthy(const Json& v);
// Number conversion as SurveyJS does for variable values; nullopt when not numeric.
std::optional<double> toNumber(const Json& v);
// Names of the functions the evaluator knows (for `minyi form check`).
const std::vector<std::string>& builtinFunctionNames();
}  // namespace values

}  // namespace minyi::core
