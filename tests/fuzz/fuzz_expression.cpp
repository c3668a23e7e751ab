// libFuzzer target: any bytes as an expression; when they parse, evaluate them as an expression and as a condition.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "minyi/core/expression.h"

using minyi::core::EvalEnv;
using minyi::core::Expression;
using minyi::core::ExpressionError;
using minyi::core::Json;

// nlohmann's own UTF-8 check, so "valid" means exactly what dump() accepts.
static bool validUtf8(std::string_view s) {
  try {
    (void)Json(std::string(s)).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Every kind of value the evaluator meets: numbers, numeric and boolean text, arrays, matrix rows, dates, nesting.
  static const Json values = Json::parse(R"({
    "a": 1, "b": "2", "c": 0.5, "s": "Abc", "z": "007", "h": "0x1F", "t": "true", "big": "12345678901234567",
    "arr": [1, "2", 3.5, null], "strs": ["a", "b"], "empty": "", "nul": null, "obj": {},
    "rows": [{"p": 1, "n": "x", "ok": true}, {"p": "2", "n": "y", "ok": false}],
    "m": {"r1": {"c": 1}, "r2": {"c": "abc"}},
    "d": "2020-02-29", "dt": "2021-03-10T05:00:00", "a.b": 5,
    "panel": {"q1": [1, {"y": [true, "x"]}]}
  })");
  static const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1750000000));

  std::string_view text(reinterpret_cast<const char*>(data), size);
  ExpressionError err;
  Expression e = Expression::parse(text, &err);
  if (e.empty()) {
    // A failed parse must say where; a blank text is the one empty expression without an error.
    if (err.position > size) std::abort();
    return 0;
  }
  if (!err.message.empty()) std::abort();

  EvalEnv env;
  env.values = &values;
  env.now = now;
  env.hostFunction = [](std::string_view name, const std::vector<Json>& args) -> std::optional<Json> {
    if (name == "displayValue") return args.empty() ? Json() : args[0];
    return std::nullopt;
  };
  Json r = e.evaluate(env);
  // From valid UTF-8 the results must be valid UTF-8 too (strict dump throws otherwise); bytes that were never
  // UTF-8 can only come back as they went in.
  (void)r.dump(-1, ' ', false, validUtf8(text) ? Json::error_handler_t::strict : Json::error_handler_t::replace);
  (void)e.evaluateCondition(env);
  (void)e.variables();
  (void)e.functions();
  return 0;
}
