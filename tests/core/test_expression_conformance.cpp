// Runs the SurveyJS expression conformance cases (tests/data/surveyjs-expressions.json) against our evaluator.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

#include "minyi/core/expression.h"

using minyi::core::EvalEnv;
using minyi::core::Expression;
using minyi::core::ExpressionError;
using minyi::core::Json;

namespace {

// Numbers anywhere in the value compare with a tolerance (0.45 from a division need not be bit-exact).
bool sameValue(const Json& expected, const Json& actual) {
  if (expected.is_number() && actual.is_number()) {
    double a = expected.get<double>(), b = actual.get<double>();
    return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
  }
  if (expected.type() != actual.type()) return false;
  if (expected.is_array()) {
    if (expected.size() != actual.size()) return false;
    for (size_t i = 0; i < expected.size(); ++i)
      if (!sameValue(expected[i], actual[i])) return false;
    return true;
  }
  if (expected.is_object()) {
    if (expected.size() != actual.size()) return false;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      auto o = actual.find(it.key());
      if (o == actual.end() || !sameValue(it.value(), *o)) return false;
    }
    return true;
  }
  return expected == actual;
}

// A fixed "now" (local 2025-06-15 12:00): the age() cases hold for 2018-2037, this keeps them reproducible.
std::chrono::system_clock::time_point pinnedNow() {
  std::tm tm{};
  tm.tm_year = 2025 - 1900;
  tm.tm_mon = 5;
  tm.tm_mday = 15;
  tm.tm_hour = 12;
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

}  // namespace

TEST_CASE("SurveyJS expression conformance cases", "[expression][conformance]") {
  std::ifstream in(MINYI_TEST_DATA "/surveyjs-expressions.json");
  REQUIRE(in.good());
  Json cases = Json::parse(in);
  REQUIRE(cases.is_array());
  REQUIRE(cases.size() == 312);

  int failures = 0;
  std::ostringstream report;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Json& c = cases[i];
    const std::string mode = c.at("mode").get<std::string>();
    const std::string text = c.at("expr").get<std::string>();
    const Json values = c.value("values", Json::object());
    const Json& expected = c.at("expected");

    ExpressionError err;
    Expression e = Expression::parse(text, &err);
    EvalEnv env;
    env.now = pinnedNow();
    if (mode != "parse") env.values = &values;  // "parse" cases run with no variables at all

    Json actual;
    std::string problem;
    if (e.empty()) {
      problem = "parse error at " + std::to_string(err.position) + ": " + err.message;
    } else if (mode == "condition") {
      actual = e.evaluateCondition(env);
    } else if (mode == "parse" || mode == "expression") {
      actual = e.evaluate(env);
    } else {
      problem = "unknown mode " + mode;
    }
    if (problem.empty() && sameValue(expected, actual)) continue;

    ++failures;
    report << "#" << i << " [" << mode << "] " << c.value("source", "") << "\n"
           << "  expr:     " << text << "\n"
           << "  values:   " << values.dump() << "\n"
           << "  expected: " << expected.dump() << "\n"
           << "  actual:   " << (problem.empty() ? actual.dump() : problem) << "\n";
  }
  INFO(report.str());
  CHECK(failures == 0);
  REQUIRE(failures == 0);
}
