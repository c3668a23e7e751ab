// Loading forms: what is supported loads, and everything else is reported with its JSON path.
#include <catch2/catch.hpp>

#include "test_helpers.h"

using namespace minyi::core;
using Catch::Matchers::Contains;
using minyi::test::problems;

TEST_CASE("the three choice forms and their aliases load", "[loader]") {
  auto f = minyi::test::form(R"({
    "pages": [{"name": "p1", "elements": [
      {"type": "radiogroup", "name": "q1", "hasOther": true, "otherText": {"zh-cn": "别的"},
       "choices": ["a", "b|乙", {"value": 3, "text": {"zh-cn": "三", "en": "three"}, "visibleIf": "{q2} = 1"}],
       "someFutureProperty": {"ignored": true}},
      {"type": "text", "name": "q2", "inputType": "number"}
    ]}]})");
  const Element* q1 = f->findQuestion("q1");
  REQUIRE(q1);
  REQUIRE(q1->choices.size() == 3);
  CHECK(q1->choices[0].value == "a");
  CHECK(q1->choices[0].text.empty());
  CHECK(q1->choices[1].value == "b");
  CHECK(q1->choices[1].text.get("zh-cn") == "乙");
  CHECK(q1->choices[2].value == 3);
  CHECK(q1->choices[2].text.get("en") == "three");
  CHECK_FALSE(q1->choices[2].visibleIf.empty());
  CHECK(q1->showOtherItem);
  CHECK(f->contentHash.size() == 64);
}

TEST_CASE("root elements and legacy questions make one page", "[loader]") {
  auto a = minyi::test::form(R"({"elements": [{"type": "comment", "name": "c"}]})");
  CHECK(a->pages.size() == 1);
  auto b = minyi::test::form(R"({"questions": [{"type": "boolean", "name": "b"}]})");
  CHECK(b->pages.size() == 1);
  CHECK(b->findQuestion("b")->type == ElementType::Boolean);
}

TEST_CASE("unsupported question types are errors with their path", "[loader]") {
  const auto p = problems(R"({"pages": [{"elements": [
    {"type": "text", "name": "ok"},
    {"type": "signaturepad", "name": "sig"}]}]})");
  CHECK_THAT(p, Contains("pages[0].elements[1].type: unsupported question type \"signaturepad\""));
}

TEST_CASE("unsupported property values are errors", "[loader]") {
  const auto p = problems(R"({"pages": [{"elements": [
    {"type": "text", "name": "a", "inputType": "color"},
    {"type": "rating", "name": "b", "rateType": "hearts"},
    {"type": "matrixdropdown", "name": "m", "rows": ["r"], "columns": [{"name": "c", "cellType": "signaturepad"}]}]}],
    "questionsOnPageMode": "questionPerPage"})");
  CHECK_THAT(p, Contains("pages[0].elements[0].inputType: unsupported inputType \"color\""));
  CHECK_THAT(p, Contains("pages[0].elements[1].rateType: unsupported rateType \"hearts\""));
  CHECK_THAT(p, Contains("pages[0].elements[2].columns[0].cellType"));
  CHECK_THAT(p, Contains("questionsOnPageMode"));
}

TEST_CASE("bad expressions are reported with their position", "[loader]") {
  const auto p = problems(R"({"pages": [{"elements": [
    {"type": "text", "name": "a"},
    {"type": "text", "name": "b", "visibleIf": "{a} = = 3"}]}]})");
  CHECK_THAT(p, Contains("pages[0].elements[1].visibleIf: bad expression at position"));
}

TEST_CASE("duplicate names are reported with both places", "[loader]") {
  const auto p = problems(R"({"pages": [
    {"name": "p", "elements": [{"type": "text", "name": "a"}]},
    {"name": "p", "elements": [{"type": "panel", "name": "x", "elements": [{"type": "comment", "name": "A"}]}]}]})");
  CHECK_THAT(p, Contains("pages[1].elements[0].elements[0].name: duplicate name \"A\" (also at pages[0].elements[0])"));
  CHECK_THAT(p, Contains("pages[1].name: duplicate page name"));
}

TEST_CASE("choice questions without choices are errors", "[loader]") {
  const auto p = problems(R"({"pages": [{"elements": [
    {"type": "radiogroup", "name": "a"},
    {"type": "checkbox", "name": "b", "choices": []},
    {"type": "dropdown", "name": "c", "choicesMin": 1, "choicesMax": 5},
    {"type": "matrix", "name": "m", "rows": ["r"]}]}]})");
  CHECK_THAT(p, Contains("pages[0].elements[0].choices: a radiogroup question needs choices"));
  CHECK_THAT(p, Contains("pages[0].elements[1].choices: a checkbox question needs choices"));
  CHECK_THAT(p, !Contains("pages[0].elements[2]"));  // generated numeric choices count
  CHECK_THAT(p, Contains("pages[0].elements[3].columns: a matrix needs columns"));
}

TEST_CASE("references to unknown questions are errors", "[loader]") {
  const auto p = problems(R"({"pages": [{"elements": [
    {"type": "text", "name": "age", "inputType": "number"},
    {"type": "text", "name": "b", "visibleIf": "{agee} > 60"},
    {"type": "text", "name": "c", "visibleIf": "{age} > 60 and {age-Comment} notempty"},
    {"type": "paneldynamic", "name": "kids", "templateElements": [
       {"type": "text", "name": "k", "visibleIf": "{panel.k2} = 1 and {age} > 1"},
       {"type": "text", "name": "k2"}]}]}],
    "triggers": [{"type": "skip", "expression": "{age} < 18", "gotoName": "nowhere"}],
    "calculatedValues": [{"name": "senior", "expression": "{age} >= 60"}],
    "completedHtmlOnCondition": [{"expression": "{senior} = true", "html": "谢谢"}]})");
  CHECK_THAT(p, Contains("pages[0].elements[1].visibleIf: refers to {agee}"));
  CHECK_THAT(p, !Contains("elements[2]"));
  CHECK_THAT(p, !Contains("templateElements"));
  CHECK_THAT(p, Contains("triggers[0].gotoName: refers to \"nowhere\""));
  CHECK_THAT(p, !Contains("completedHtmlOnCondition"));
}

TEST_CASE("texts without a Chinese version are warnings, not errors", "[loader]") {
  const std::string json = R"({"title": {"en": "Survey"}, "pages": [{"elements": [
    {"type": "text", "name": "a", "title": "Your name"},
    {"type": "text", "name": "b", "title": "您的姓名"},
    {"type": "text", "name": "c", "title": {"default": "Name", "zh-cn": "姓名"}}]}]})";
  const auto w = problems(json, Diagnostic::Severity::Warning);
  CHECK_THAT(w, Contains("title: no zh-cn text"));
  CHECK_THAT(w, Contains("pages[0].elements[0].title: no zh-cn text"));
  CHECK_THAT(w, !Contains("elements[1]"));
  CHECK_THAT(w, !Contains("elements[2]"));
  CHECK(problems(json).empty());
}

TEST_CASE("legacy triggers become expressions", "[loader]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [{"type": "text", "name": "q1"}, {"type": "text", "name": "q2"}]}],
    "triggers": [{"type": "completetrigger", "name": "q1", "operator": "equal", "value": "It's"}]})");
  REQUIRE(f->triggers.size() == 1);
  CHECK(f->triggers[0].type == TriggerType::Complete);
  CHECK(f->triggers[0].expression.text() == "{q1} equal 'It\\'s'");
}

TEST_CASE("hostile forms are refused cleanly", "[loader][hostile]") {
  CHECK_THAT(problems("[1, 2]"), Contains("a form is a JSON object"));
  CHECK_THAT(problems("{\"pages\": 5}"), Contains("pages: expected a list of pages"));
  CHECK_THAT(problems("{\"pages\": [{\"elements\": [{\"type\": 7}]}]}"), Contains("needs a \"type\""));
  CHECK_THAT(problems("{\"pages\": []}"), Contains("the form has no pages"));
  // Panels nested 25 deep: within the JSON nesting limit (64), beyond the form's (16).
  std::string deep = R"({"type": "text", "name": "leaf"})";
  for (int i = 0; i < 25; ++i) deep = R"({"type": "panel", "elements": [)" + deep + "]}";
  CHECK_THAT(problems(R"({"pages": [{"elements": [)" + deep + "]}]}"), Contains("nested deeper than"));
  // Absurd sizes that are still valid JSON: refused with a count, quickly.
  std::string many = R"({"pages": [{"elements": [)";
  for (int i = 0; i < 5000; ++i) many += std::string(i ? "," : "") + R"({"type": "text", "name": "q)" + std::to_string(i) + "\"}";
  CHECK_THAT(problems(many + "]}]}"), Contains("more than 2000 questions and panels in one form"));
  std::string choices = R"({"pages": [{"elements": [{"type": "dropdown", "name": "d", "choices": [)";
  for (int i = 0; i < 3000; ++i) choices += std::string(i ? "," : "") + std::to_string(i);
  CHECK_THAT(problems(choices + "]}]}]}"), Contains("more than 2000 choices"));
  // A regular expression that std::regex cannot compile.
  CHECK_THAT(problems(R"({"pages": [{"elements": [{"type": "text", "name": "t",
     "validators": [{"type": "regex", "regex": "(unclosed"}]}]}]})"),
             Contains("validators[0].regex: bad regular expression"));
  CHECK_THAT(problems("{\"pages\": [{\"elements\": [{\"type\": \"rating\", \"name\": \"r\", \"rateMax\": 1e300}]}]}"),
             Contains("rateMax: number out of range"));
}

TEST_CASE("complaint forms need categories with deadlines", "[loader]") {
  CHECK_THAT(problems(R"({"minyi": {"kind": "complaint"}, "pages": [{"elements": [{"type": "comment", "name": "d"}]}]})"),
             Contains("minyi.categories"));
  auto f = minyi::test::form(R"({"minyi": {"id": "c", "version": 3, "kind": "complaint", "idleSeconds": 90,
     "categories": [{"value": "fire", "text": {"zh-cn": "消防"}, "deadlineHours": 24}]},
     "pages": [{"elements": [{"type": "comment", "name": "d"}]}]})");
  CHECK(f->minyi.kind == "complaint");
  CHECK(f->minyi.version == 3);
  CHECK(f->minyi.idleSeconds == 90);
  REQUIRE(f->minyi.categories.size() == 1);
  CHECK(f->minyi.categories[0].deadlineHours == 24);
}
