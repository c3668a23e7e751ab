// Private to expression.cpp and expression_functions.cpp: the expression tree, the evaluator's scopes, JS number helpers.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/core/expression.h"

namespace minyi::core {
namespace detail {

enum class Op : uint8_t {
  Or, And,
  Eq, Ne, Lt, Gt, Le, Ge,
  Add, Sub, Mul, Div, Mod, Pow,
  Contains, NotContains, AnyOf, AllOf, NoneOf,
};

// One node of the immutable tree. A run of same-precedence binary operators is one Chain node
// (kids[0] ops[0] kids[1] ops[1] ...), so long sums do not make a deep tree.
struct Node {
  enum class Kind : uint8_t { Const, Var, Array, Call, Not, Empty, NotEmpty, Chain };
  Kind kind = Kind::Const;
  size_t pos = 0;                            // byte offset in the text, for messages
  Json value;                                // Const
  std::string name;                          // Var: path as written (no '#'); Call: name as written
  bool convert = true;                       // Var: false for {#name}
  int builtin = -1;                          // Call: index into the builtin table, -1 = unknown
  std::vector<std::unique_ptr<Node>> kids;   // operands; a Chain's missing right operand (`{a} contains`) is null
  std::vector<Op> ops;                       // Chain
  std::unique_ptr<Node> rowCondition;        // Call to an ...InArray function whose condition is a quoted string
  int rowConditionArg = -1;                  // which argument is the per-row condition (quoted or operand)
};

// Variable lookup goes innermost first: a row of sumInArray(), then the expression's values.
struct Scope {
  const Json* values = nullptr;
  const Scope* outer = nullptr;
};

class Evaluator;

// A function call's arguments, evaluated on first use (the per-row condition of ...InArray is never evaluated
// in the caller's scope).
class CallArgs {
 public:
  CallArgs(const Evaluator& ev, const Node& call, const Scope& scope);
  size_t size() const { return call_.kids.size(); }
  const Json& operator[](size_t i) const;
  std::vector<Json> all() const;
  // The row condition (if the call has one) evaluated with `row` as the innermost scope; true when there is none.
  bool rowPasses(const Json& row) const;
  int rowConditionArg() const { return call_.rowConditionArg; }
  const EvalEnv& env() const;
  std::chrono::system_clock::time_point now() const;
  const std::string& name() const { return call_.name; }

 private:
  const Evaluator& ev_;
  const Node& call_;
  const Scope& scope_;
  mutable std::vector<std::optional<Json>> cache_;
};

class Evaluator {
 public:
  explicit Evaluator(const EvalEnv& env) : env_(env) {}
  Json eval(const Node& n, const Scope& scope) const;
  const EvalEnv& env() const { return env_; }

 private:
  Json evalChain(const Node& n, const Scope& scope) const;
  const EvalEnv& env_;
};

// Builtins (expression_functions.cpp).
using BuiltinFn = Json (*)(const CallArgs& args, std::string_view canonicalName);
int findBuiltin(std::string_view name);  // case-insensitive; -1 when unknown
Json callBuiltin(int index, const CallArgs& args);
// Which argument of a call is its per-row condition (…InArray functions), or -1. `isPlainString(i)` tells whether
// argument i is a quoted/bare string constant without '{' (then the 3rd argument of min/maxInArray is a returnProp).
int inArrayConditionArg(int builtin, size_t argCount, bool thirdIsPlainString);
bool isInArrayBuiltin(int builtin);

// JavaScript number and value helpers shared by both files.
Json makeNumber(double d);                     // whole numbers become JSON integers; NaN becomes null
std::string jsNumberToString(double d);        // Number.prototype.toString()
double jsToNumber(const Json& v);              // JS Number(v); NaN when not numeric (null -> 0)
std::optional<double> jsStringToNumber(std::string_view s);  // JS StringToNumber; nullopt for NaN
double jsToFixed(double d, int digits);        // parseFloat(d.toFixed(digits))
int countDecimals(double d);                   // digits after the point in the JS string form
double correctAfterPlusMinus(double a, double b, double res);
double correctAfterMultiply(double a, double b, double res);
bool iequals(std::string_view a, std::string_view b);
std::string toLower(std::string_view s);
bool conditionTrue(const Json& raw);           // raw == true, JS loose equality
// A variable's value after SurveyJS's conversion ("true" -> true, "12" -> 12, "012" stays a string ...).
Json convertVariableValue(const Json& v);

}  // namespace detail
}  // namespace minyi::core
