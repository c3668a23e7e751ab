// Unit tests of the expression evaluator: errors and limits, listings, host calls, dates, and rules we got wrong once.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>

#include "minyi/core/expression.h"

using minyi::core::EvalEnv;
using minyi::core::Expression;
using minyi::core::ExpressionError;
using minyi::core::Json;
namespace values = minyi::core::values;

namespace {

Json eval(const std::string& text, const Json& vals = Json::object()) {
  ExpressionError err;
  Expression e = Expression::parse(text, &err);
  INFO(text << " -> " << err.position << ": " << err.message);
  REQUIRE(!e.empty());
  EvalEnv env;
  env.values = &vals;
  return e.evaluate(env);
}

bool cond(const std::string& text, const Json& vals = Json::object()) {
  ExpressionError err;
  Expression e = Expression::parse(text, &err);
  INFO(text << " -> " << err.position << ": " << err.message);
  REQUIRE(!e.empty());
  EvalEnv env;
  env.values = &vals;
  return e.evaluateCondition(env);
}

ExpressionError parseError(const std::string& text) {
  ExpressionError err;
  Expression e = Expression::parse(text, &err);
  INFO(text);
  CHECK(e.empty());
  CHECK(!err.message.empty());
  return err;
}

std::chrono::system_clock::time_point localTime(int y, int mo, int d, int h = 0, int mi = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

Json evalAt(const std::string& text, std::chrono::system_clock::time_point now, const Json& vals = Json::object()) {
  Expression e = Expression::parse(text, nullptr);
  REQUIRE(!e.empty());
  EvalEnv env;
  env.values = &vals;
  env.now = now;
  return e.evaluate(env);
}

}  // namespace

TEST_CASE("parse errors say what was expected and where", "[expression]") {
  auto e1 = parseError("{a} = ");
  CHECK(e1.position == 6);
  CHECK_THAT(e1.message, Catch::Contains("expected a value after '='"));

  auto e2 = parseError("'unterminated");
  CHECK(e2.position == 0);
  CHECK_THAT(e2.message, Catch::Contains("not closed"));

  auto e3 = parseError("{a");
  CHECK(e3.position == 0);
  CHECK_THAT(e3.message, Catch::Contains("'{'"));

  auto e4 = parseError("1 +* 2");
  CHECK(e4.position == 3);
  CHECK_THAT(e4.message, Catch::Contains("after '+'"));
  CHECK_THAT(e4.message, Catch::Contains("'*'"));

  auto e5 = parseError("{a} {b}");
  CHECK(e5.position == 4);
  CHECK_THAT(e5.message, Catch::Contains("expected an operator"));

  CHECK(parseError("{a} = 1)").position == 7);
  CHECK(parseError("[1, 2").position == 5);
  CHECK(parseError("iif({a} 1)").position == 8);
  CHECK(parseError("{}").position == 0);
  CHECK(parseError("{a} = and").position == 6);
  CHECK(parseError("0x").position == 0);
  // A quote of the other kind inside a string must be escaped (SurveyJS refuses it too).
  CHECK(parseError("{a} = \"don't\"").position == 10);
  // Text that is not ASCII must be quoted; the message says so.
  CHECK_THAT(parseError("{a} = 是").message, Catch::Contains("quotes"));
  // Positions refer to the original text: the rewrites keep lengths (`equals` -> `equal `, `=>` -> `>=`).
  CHECK(parseError("{a} equals => 1").position == 11);
  // A quoted …InArray condition is parsed with the expression.
  auto e6 = parseError("sumInArray({a}, 'v', '{b} >')");
  CHECK(e6.position > 20);
  CHECK_THAT(e6.message, Catch::Contains("sumInArray"));
}

TEST_CASE("the error pointer may be null, and is reset on success", "[expression]") {
  CHECK(Expression::parse("1 +", nullptr).empty());
  ExpressionError err{3, "stale"};
  CHECK(!Expression::parse("1 + 1", &err).empty());
  CHECK(err.message.empty());
}

TEST_CASE("nesting and length limits give errors quickly, never a crash", "[expression][limits]") {
  auto start = std::chrono::steady_clock::now();
  for (const char* unit : {"(", "[", "!", "negate ", "iif(", "{\"a\":[", "-1 * ("}) {
    std::string text;
    int reps = 0;
    for (; reps < 10000 && text.size() < Expression::kMaxLength / 2; ++reps) text += unit;
    if (unit[0] == '{') {  // a deep but balanced JSON literal
      text += "1";
      for (int i = 0; i < reps; ++i) text += "]}";
    }
    ExpressionError err;
    INFO(unit);
    CHECK(Expression::parse(text, &err).empty());
    CHECK_THAT(err.message, Catch::Contains("deep"));
  }
  // Just inside the limit works.
  std::string ok = std::string(Expression::kMaxDepth, '(') + "1" + std::string(Expression::kMaxDepth, ')');
  CHECK(eval(ok) == 1);
  std::string tooDeep = std::string(Expression::kMaxDepth + 1, '(') + "1";
  CHECK(Expression::parse(tooDeep, nullptr).empty());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));

  ExpressionError err;
  std::string tooLong(Expression::kMaxLength + 1, ' ');
  CHECK(Expression::parse(tooLong, &err).empty());
  CHECK(err.position == Expression::kMaxLength);
  CHECK_THAT(err.message, Catch::Contains("too long"));

  // A long flat sum is not nesting: it parses and evaluates without deep recursion.
  std::string sum = "1";
  while (sum.size() + 2 <= Expression::kMaxLength) sum += "+1";
  CHECK(eval(sum) == static_cast<int>((sum.size() + 1) / 2));
}

TEST_CASE("empty expressions", "[expression]") {
  Expression none;
  CHECK(none.empty());
  CHECK(none.evaluate(EvalEnv{}).is_null());
  CHECK(none.evaluateCondition(EvalEnv{}));
  ExpressionError err;
  Expression blank = Expression::parse("   ", &err);
  CHECK(blank.empty());
  CHECK(err.message.empty());
  CHECK(blank.evaluateCondition(EvalEnv{}));
  // No values at all (EvalEnv::values null) is an empty object.
  CHECK(Expression::parse("{a} empty", nullptr).evaluateCondition(EvalEnv{}));
}

TEST_CASE("variables() and functions() list what an expression reads and calls", "[expression]") {
  Expression e = Expression::parse(
      "iif({#a} > 1, sum({panel.q1}, {a}), {b[0]}) and age({Birth}) >= 18 or sumInArray({m}, 'x', '{y} > 1')", nullptr);
  REQUIRE(!e.empty());
  CHECK(e.variables() == std::vector<std::string>{"a", "panel.q1", "b[0]", "Birth", "m", "y"});
  CHECK(e.functions() == std::vector<std::string>{"iif", "sum", "age", "sumInArray"});
  CHECK(e.text() == "iif({#a} > 1, sum({panel.q1}, {a}), {b[0]}) and age({Birth}) >= 18 or sumInArray({m}, 'x', '{y} > 1')");
  Expression copy = e;  // shares the tree
  CHECK(copy.variables() == e.variables());
}

TEST_CASE("host functions go through EvalEnv::hostFunction", "[expression]") {
  Expression e = Expression::parse("displayValue('q1') + '/' + getComment('q2')", nullptr);
  REQUIRE(!e.empty());
  std::vector<std::string> calls;
  EvalEnv env;
  env.hostFunction = [&](std::string_view name, const std::vector<Json>& args) -> std::optional<Json> {
    calls.push_back(std::string(name) + ":" + Json(args).dump());
    if (name == "displayValue") return Json("Beijing");
    return std::nullopt;
  };
  CHECK(e.evaluate(env) == "Beijing/");
  CHECK(calls == std::vector<std::string>{"displayValue:[\"q1\"]", "getComment:[\"q2\"]"});
  // Unset: null.
  CHECK(Expression::parse("displayValue('q1')", nullptr).evaluate(EvalEnv{}).is_null());
  // Case-insensitive name; the host sees the canonical spelling.
  calls.clear();
  Expression::parse("DISPLAYVALUE('q1')", nullptr).evaluate(env);
  CHECK(calls == std::vector<std::string>{"displayValue:[\"q1\"]"});
  // Unknown functions: the host may answer, else null.
  env.hostFunction = [](std::string_view name, const std::vector<Json>&) -> std::optional<Json> {
    if (name == "myFunc") return Json(42);
    return std::nullopt;
  };
  CHECK(Expression::parse("myFunc(1)", nullptr).evaluate(env) == 42);
  CHECK(Expression::parse("noSuchFunc(1)", nullptr).evaluate(env).is_null());
}

TEST_CASE("EvalEnv::now pins today(), age() and friends", "[expression][dates]") {
  auto now = localTime(2025, 6, 15, 14, 30);
  CHECK(evalAt("today()", now) == "2025-06-15");
  CHECK(evalAt("today(1)", now) == "2025-06-16");
  CHECK(evalAt("today(-15)", now) == "2025-05-31");
  CHECK(evalAt("currentDate()", now) == "2025-06-15T14:30:00");
  CHECK(evalAt("currentYear()", now) == 2025);
  CHECK(evalAt("year()", now) == 2025);
  CHECK(evalAt("month()", now) == 6);
  CHECK(evalAt("day()", now) == 15);
  CHECK(evalAt("age('2000-06-15')", now) == 25);
  CHECK(evalAt("age('2000-06-16')", now) == 24);
  CHECK(evalAt("age('2000-06-16', 'months')", now) == 299);
  CHECK(evalAt("age({b}) >= 18", now, {{"b", "2007-06-15"}}) == true);
  CHECK(evalAt("age({b}) >= 18", now, {{"b", "2007-06-16"}}) == false);
  CHECK(evalAt("age({b})", now).is_null());
  CHECK(evalAt("today() = '2025-06-15'", now) == true);
  CHECK(evalAt("dateDiff(today(), '2025-07-01')", now) == 16);
  // Unpinned: the system clock.
  Json y = eval("currentYear()");
  CHECK(y.get<int>() >= 2025);
}

TEST_CASE("date functions", "[expression][dates]") {
  CHECK(eval("dateAdd('2024-01-31', 1, 'months')") == "2024-03-02");  // JS Date overflow
  CHECK(eval("dateAdd('2024-02-28', 2)") == "2024-03-01");
  CHECK(eval("dateAdd('2024-02-28T10:00', 90, 'minutes')") == "2024-02-28T11:30:00");
  CHECK(eval("dateAdd('2024-02-28', 1, 'years')") == "2025-02-28");
  // dateDiff is b - a (signed), so a form can check an end date against a start date.
  CHECK(eval("dateDiff('2024-03-10', '2024-03-01')") == -9);
  CHECK(eval("dateDiff('2024-03-10', '2025-03-09', 'years')") == 0);
  CHECK(eval("dateDiff('2024-03-10', '2025-03-10', 'years')") == 1);
  CHECK(eval("dateDiff('2025-03-10', '2024-03-10', 'years')") == -1);
  CHECK(eval("diffDays('2024-03-10', '2024-03-01')") == 9);  // diffDays is a distance
  CHECK(eval("diffDays('2024-03-10', 'garbage')") == 0);
  CHECK(eval("dateDiff('2024-03-10', 'garbage')").is_null());
  CHECK(eval("getDate('2024-3-5')") == "2024-03-05");
  CHECK(eval("getDate('2024/03/05 08:07')") == "2024-03-05T08:07:00");
  CHECK(eval("getDate('not a date')").is_null());
  CHECK(eval("weekday('2025-06-15')") == 0);  // Sunday
  CHECK(eval("year({d})", {{"d", nullptr}}).is_null());
  CHECK(eval("getYear('2024-12-31T23:59:59')") == 2024);
  CHECK(eval("today(1) > today()") == true);
}

TEST_CASE("text rewrites happen before parsing, even inside quotes", "[expression][regression]") {
  // SurveyJS replaces these everywhere; a form that compares with such text must expect it.
  CHECK(eval("'a=>b'") == "a>=b");
  CHECK(eval("'x<>y'") == "x!=y");
  CHECK(eval("'equals'") == "equal ");
  CHECK(cond("{a} notequals 1", {{"a", 2}}));
  CHECK(cond("{a} => 2", {{"a", 2}}));
  CHECK(cond("{a} =< 2", {{"a", 2}}));
}

TEST_CASE("numbers", "[expression][regression]") {
  CHECK(eval("2 + 2 * 2").dump() == "6");  // whole numbers are JSON integers
  CHECK(eval("7 / 2").dump() == "3.5");
  CHECK(eval("0.1 + 0.2") == 0.3);
  CHECK(eval("1.1 * 3") == 3.3);
  CHECK(eval("1 / 0").is_null());
  CHECK(eval("5 % 0").is_null());
  CHECK(eval("{a} / {b}", {{"a", 1}, {"b", "0"}}).is_null());
  CHECK(eval("2 ^ 10") == 1024);
  CHECK(eval("2 power 3 ^ 2") == 64);  // left-associative
  CHECK(eval("10 - 2 - 3") == 5);
  CHECK(eval("-5 + 2") == -3);
  CHECK(eval("2 -1") == 1);
  CHECK(eval("0x1F") == 31);
  CHECK(eval("'a' - 1").is_null());  // NaN has no JSON form
  CHECK(eval("{x} + {y}").dump() == "0");  // empty operands become 0
  // JS number formatting when concatenating.
  CHECK(parseError("1e21").position == 1);  // no exponent form in the grammar
  CHECK(eval("0.000001 + 'x'") == "0.000001x");
  CHECK(eval("{a} + 'x'", {{"a", 1e-7}}) == "1e-7x");
  CHECK(eval("{a} + 'x'", {{"a", 1e21}}) == "1e+21x");
  CHECK(eval("{a} + 'x'", {{"a", 123456789012.5}}) == "123456789012.5x");
  CHECK(eval("{a} + 1", {{"a", 1.5e-7}}) == Approx(1.00000015).epsilon(1e-12));
}

TEST_CASE("variable values are converted as SurveyJS does", "[expression][regression]") {
  CHECK(eval("{a}", {{"a", "12"}}) == 12);
  CHECK(eval("{a}", {{"a", "007"}}) == "007");  // codes with a leading zero stay text
  CHECK(eval("{a}", {{"a", "0.5"}}) == 0.5);
  CHECK(eval("{a}", {{"a", "0"}}) == 0);
  CHECK(eval("{a}", {{"a", "1,5"}}) == 1.5);  // a single ',' is a decimal point
  CHECK(eval("{a}", {{"a", "1,000,000"}}) == "1,000,000");
  CHECK(eval("{a}", {{"a", "0x10"}}) == 16);
  CHECK(eval("{a}", {{"a", "TRUE"}}) == true);
  CHECK(eval("{a}", {{"a", "123456789012345"}}) == 123456789012345LL);
  CHECK(eval("{a}", {{"a", "1234567890123456"}}) == "1234567890123456");  // 16 digits: an id, not a number
  CHECK(eval("{#a}", {{"a", "12"}}) == "12");
  CHECK(eval("{a}", {{"a", " 12 "}}) == 12);
  CHECK(eval("{a}", {{"a", "12abc"}}) == "12abc");
  CHECK(eval("'12'") == "12");  // quoted constants keep their type
}

TEST_CASE("variable lookup", "[expression][regression]") {
  Json v = {{"Q1", 1},
            {"a.b", 2},
            {"a", {{"b", 3}, {"c", {{"d", 4}}}}},
            {"arr", {10, 20, 30}},
            {"rows", Json::array({{{"x", 1}}, {{"x", 2}}})},
            {"s", "你好"}};
  CHECK(eval("{q1}", v) == 1);  // keys are case-insensitive
  CHECK(eval("{a.b}", v) == 2);  // the longest literal key wins
  CHECK(eval("{a.c.d}", v) == 4);
  CHECK(eval("{A.C.D}", v) == 4);
  CHECK(eval("{arr[1]}", v) == 20);
  CHECK(eval("{arr[-1]}", v) == 30);
  CHECK(eval("{arr[3]}", v).is_null());
  CHECK(eval("{rows[1].x}", v) == 2);
  CHECK(eval("{arr.length}", v) == 3);
  CHECK(eval("{s.length}", v) == 2);
  CHECK(eval("{nothing.length}", v) == 0);
  CHECK(eval("{nothing}", v).is_null());
  CHECK(eval("{ q1 }", v) == 1);
}

TEST_CASE("grammar details", "[expression][regression]") {
  CHECK(eval("{a} = abc", {{"a", "ABC"}}) == true);  // bare words are strings; '=' ignores case
  CHECK(eval("{\"k\": {\"n\": [1, 2]}}") == Json{{"k", {{"n", {1, 2}}}}});  // nested JSON literal
  CHECK(eval("{\"k\": 1} = {a}", {{"a", {{"k", 1}}}}) == true);
  CHECK(eval("!{a} and {b}", {{"a", false}, {"b", 5}}) == 5);  // '!' takes a factor; && returns an operand
  CHECK(eval("negate {a}", {{"a", 0}}) == true);
  CHECK(eval("!!'x'") == true);
  CHECK(eval("1 < 2 < 3") == true);  // chained: (1 < 2) < 3
  CHECK(eval("3 > 2 > 1") == false);  // (3 > 2) > 1 is true > 1
  CHECK(eval("TRUE and False") == false);
  CHECK(eval("NULL") == "NULL");  // null/undefined are case-sensitive
  CHECK(eval("undefined").is_null());
  CHECK(eval("{a} contains", {{"a", "x"}}) == false);  // right operand optional
  CHECK(eval("{a} *= 'b'", {{"a", "abc"}}) == true);
  CHECK(eval("2 * 3 contains 6") == 0);  // contains binds tighter: 2 * (3 contains 6) = 2 * false
  CHECK(eval("sum(1, 2") == 3);  // missing ')' at the end is accepted
  CHECK(eval("iif(({a} > 1, 'x', 'y')", {{"a", 2}}) == "x");
  CHECK(eval("sum (1, 2)") == 3);
  CHECK(eval("'it\\'s' + \"\\\"\"") == "it's\"");
  CHECK(eval("'C:\\temp'") == "C:\\temp");  // other backslashes stay
  CHECK(eval("'' empty") == true);
  CHECK(eval("{a} notempty", {{"a", Json::object({{"x", ""}})}}) == false);  // an object of empties is empty
  CHECK(cond("{a}　=　1", {{"a", 1}}));  // ideographic spaces are whitespace
}

TEST_CASE("equality and comparison", "[expression][regression]") {
  CHECK(cond("{a} = 'undefined'"));
  CHECK(cond("{a} = ''"));
  CHECK(cond("{a} = []"));
  CHECK_FALSE(cond("{a} = 0"));
  CHECK(cond("{a} = [3, 1, 2]", {{"a", {1, 2, 3}}}));
  CHECK_FALSE(cond("{a} = [1, 1, 2]", {{"a", {1, 2, 2}}}));
  CHECK(cond("{a} = ' Yes '", {{"a", "yes"}}));
  CHECK(cond("{a} = 1", {{"a", "1.0"}}));
  CHECK(cond("{a} = 2", {{"a", Json::array({2})}}) == false);
  CHECK(cond("{a} <= {b}"));
  CHECK_FALSE(cond("{a} < 1"));
  CHECK(cond("'b' > 'a'"));
  CHECK(cond("'10' > 9"));
  CHECK(cond("{a} != 1", {{"a", 2}}));
  CHECK(cond("'1'"));        // condition: raw == true, so "1" == true
  CHECK_FALSE(cond("'true'"));  // "true" == true is false in JavaScript
  CHECK_FALSE(cond("2"));
  CHECK(cond("[1]"));
}

TEST_CASE("contains, anyof, allof, noneof", "[expression][regression]") {
  Json v = {{"arr", {"a", "b", 3}}, {"s", "Hello World"}};
  CHECK(cond("{s} contains 'WORLD'", v));
  CHECK(cond("{s} notcontains 'x'", v));
  CHECK(cond("{arr} contains '3'", v));
  CHECK(cond("{arr} contains ['a', 3]", v));
  CHECK_FALSE(cond("{arr} contains ['a', 'z']", v));
  CHECK(cond("{arr} notcontains ['a', 'z']", v));
  CHECK(cond("{none} notcontains 'x'", v));
  CHECK_FALSE(cond("{none} notcontains ''", v));
  CHECK(cond("{arr} anyof ['z', 'b']", v));
  CHECK(cond("{arr} allof ['a', 'b']", v));
  CHECK_FALSE(cond("{arr} allof ['a', 'z']", v));
  CHECK(cond("{arr} noneof ['x', 'y']", v));
  CHECK(cond("{none} anyof []", v));
  CHECK(cond("{arr} anyof {none}", v));
}

TEST_CASE("arithmetic on arrays and strings", "[expression][regression]") {
  CHECK(eval("{a} + 1", {{"a", {1, "x", 2.5}}}) == 4.5);
  CHECK(eval("'<' + {a}", {{"a", {1, 2}}}) == "<1, 2");
  CHECK(eval("{a} + {b}", {{"a", "1"}, {"b", "x"}}) == "1x");
  CHECK(eval("{#a} + 1", {{"a", "1"}}) == "11");
  CHECK(eval("true + 1") == 2);
  // An empty string next to an array stays text (it does not become []): SurveyJS gives "1, 2".
  CHECK(eval("{a} + ''", {{"a", {1, 2}}}) == "1, 2");
  CHECK(eval("{e} + {a}", {{"a", {1, 2}}}) == Json{1, 2});
  CHECK(eval("'' + 1") == 1);  // next to a number an empty operand is 0
}

TEST_CASE("date-only values ignore the time of day, even where midnight does not exist", "[expression][dates]") {
  // Havana starts DST at midnight: mktime turns 2024-03-10 00:00 into 01:00. Without tzdata this runs in UTC.
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "America/Havana", 1);
  tzset();
  CHECK(eval("dateDiff('2024-03-10', '2025-03-10', 'years')") == 1);
  CHECK(eval("getDate('2024-03-10')") == "2024-03-10");
  CHECK(eval("dateAdd('2024-03-09', 1)") == "2024-03-10");
  CHECK(evalAt("today()", localTime(2024, 3, 10, 12)) == "2024-03-10");
  CHECK(evalAt("age('2000-03-10')", localTime(2024, 3, 10, 12)) == 24);
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
}

TEST_CASE("aggregate functions", "[expression]") {
  CHECK(eval("sum()") == 0);
  CHECK(eval("sum(1, [2, [3, '4']], 'x', null)") == 10);
  CHECK(eval("min()").is_null());
  CHECK(eval("avg()") == 0);
  CHECK(eval("count(1, null, [2, null], '')") == 3);
  CHECK(eval("round(2.5)") == 3);
  CHECK(eval("round(1234.5678, -2)") == 1200);
  CHECK(eval("round('abc')").is_null());
  CHECK(eval("trunc(0.29, 2)") == 0.29);
  CHECK(eval("iif({a}, 'y')", {{"a", false}}).is_null());
  CHECK(eval("substring('你好世界', 1, 3)") == "好世");
  CHECK(eval("substring('abcdef', 4, 1)") == "bcd");
  CHECK(eval("substring('abcdef', -3)") == "abcdef");
  CHECK(eval("substring('abcdef', 2)") == "cdef");
  auto names = values::builtinFunctionNames();
  CHECK(std::find(names.begin(), names.end(), "sumInArray") != names.end());
  CHECK(std::find(names.begin(), names.end(), "displayValue") != names.end());
}

TEST_CASE("…InArray: returnProp, conditions and row scope", "[expression][regression]") {
  Json v = {{"m", Json::array({{{"p", 3}, {"n", "C"}, {"ok", true}},
                               {{"p", 1}, {"n", "A"}, {"ok", false}},
                               {{"p", 2}, {"n", "B"}, {"ok", true}}})},
            {"limit", 2}};
  CHECK(eval("minInArray({m}, 'p', 'n')", v) == "A");  // a plain 3rd string is the column to return
  CHECK(eval("minInArray({m}, 'p', '{ok} = true')", v) == 2);  // with {…} it is a condition
  CHECK(eval("minInArray({m}, 'p', 'n', {ok})", v) == "B");
  CHECK(eval("sumInArray({m}, 'p', {p} >= {limit})", v) == 5);  // rows see the outer values too
  CHECK(eval("countInArray({m}, 'p', '')", v) == 3);  // a blank condition keeps every row
  CHECK(eval("avgInArray({m}, 'p')", v) == 2);
  CHECK(eval("maxInArray({m}, 'P')", v) == 3);  // column names are case-insensitive
  CHECK(eval("sumInArray({nothing}, 'p')", v) == 0);
  CHECK(eval("minInArray({nothing}, 'p')", v).is_null());
  CHECK(eval("sumInArray({m})", v).is_null());
}

TEST_CASE("values:: helpers", "[expression][values]") {
  CHECK(values::isEmpty(Json()));
  CHECK(values::isEmpty(""));
  CHECK(values::isEmpty(Json::array()));
  CHECK(values::isEmpty(Json::object()));
  CHECK_FALSE(values::isEmpty(0));
  CHECK_FALSE(values::isEmpty(false));
  CHECK_FALSE(values::isEmpty(" "));
  CHECK(values::equal(1, "1"));
  CHECK(values::equal(true, "True"));
  CHECK(values::equal(Json(), ""));
  CHECK_FALSE(values::equal("00", "000"));
  CHECK(values::equal(0, "000"));
  CHECK(values::toDisplayString(Json{1, 2.5, "x"}) == "1, 2.5, x");
  CHECK(values::toDisplayString(3.0) == "3");
  CHECK(values::toDisplayString(true) == "true");
  CHECK(values::toDisplayString(Json()) == "");
  CHECK(values::truthy(Json::array()));
  CHECK_FALSE(values::truthy(""));
  CHECK_FALSE(values::truthy(0.0));
  CHECK(values::toNumber("1,5") == 1.5);
  CHECK(values::toNumber(" 42 ") == 42);
  CHECK(values::toNumber("0x1f") == 31);
  CHECK_FALSE(values::toNumber("abc"));
  CHECK_FALSE(values::toNumber(""));
  CHECK_FALSE(values::toNumber(true));
  CHECK_FALSE(values::toNumber("Infinity"));
  CHECK_FALSE(values::toNumber("12345678901234567"));
}
