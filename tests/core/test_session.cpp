// Form sessions: what a kiosk UI drives — visibility, validation, page flow, triggers and the results' shape.
#include <catch2/catch.hpp>

#include "test_helpers.h"

using namespace minyi::core;
using minyi::test::strings;

namespace {
// A clock the test moves by hand.
struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 56));
  Session::Clock fn() {
    return [this] { return now; };
  }
};
}  // namespace

TEST_CASE("visibleIf, enableIf and requiredIf follow the answers", "[session]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "boolean", "name": "anon", "defaultValue": true},
    {"type": "text", "name": "phone", "inputType": "tel", "visibleIf": "{anon} = false"},
    {"type": "boolean", "name": "consent", "visibleIf": "{phone} notempty", "requiredIf": "{phone} notempty"},
    {"type": "comment", "name": "note", "enableIf": "{anon} = false"}]}]})");
  Session s(*f, strings(), "zh-cn");
  const Element& phone = *f->findQuestion("phone");
  const Element& consent = *f->findQuestion("consent");
  const Element& note = *f->findQuestion("note");
  CHECK(s.value(*f->findQuestion("anon")) == true);
  CHECK_FALSE(s.isVisible(phone));
  CHECK_FALSE(s.isEnabled(note));
  s.setValueByName("anon", false);
  CHECK(s.isVisible(phone));
  CHECK(s.isEnabled(note));
  CHECK_FALSE(s.isVisible(consent));
  s.setValue(phone, "13812345678");
  CHECK(s.isVisible(consent));
  CHECK(s.isRequired(consent));
  CHECK(s.next() == NavResult::Invalid);
  REQUIRE(s.errors().size() == 1);
  CHECK(s.errors()[0].name == "consent");
  CHECK(s.errors()[0].message == "请回答这个问题。");
}

TEST_CASE("validation messages come in the session's language and switching keeps answers", "[session]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "text", "name": "age", "inputType": "number", "isRequired": true,
     "validators": [{"type": "numeric", "minValue": 18, "maxValue": 120}]}]}]})");
  Session s(*f, strings(), "zh-tw");
  CHECK(s.complete() == NavResult::Invalid);
  CHECK(s.errors()[0].message == "請回答這個問題。");
  s.setValueByName("age", "7");
  CHECK(s.value(*f->findQuestion("age")) == 7);  // number inputs store numbers
  s.setLocale("en");
  CHECK(s.complete() == NavResult::Invalid);
  CHECK(s.errors()[0].message == "The value cannot be less than 18.");
  CHECK(s.value(*f->findQuestion("age")) == 7);
  s.setValueByName("age", "abc");
  CHECK(s.complete() == NavResult::Invalid);
  CHECK(s.errors()[0].message == "Please enter a number.");
  s.setValueByName("age", 67);
  CHECK(s.complete() == NavResult::Completed);
  CHECK(minyi::test::sameJson(s.results(), Json{{"age", 67}}));
}

TEST_CASE("the validators: text, regex, email, expression, answercount", "[session][validators]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "text", "name": "phone", "validators": [{"type": "regex", "regex": "^1[3-9]\\d{9}$",
       "text": {"zh-cn": "请输入11位手机号码", "en": "Enter an 11-digit mobile number"}}]},
    {"type": "text", "name": "mail", "inputType": "email"},
    {"type": "text", "name": "mail2", "validators": [{"type": "email"}]},
    {"type": "comment", "name": "desc", "validators": [{"type": "text", "minLength": 5, "maxLength": 10}]},
    {"type": "text", "name": "nick", "validators": [{"type": "text", "allowDigits": false}]},
    {"type": "checkbox", "name": "areas", "choices": ["a", "b", "c"], "validators": [{"type": "answercount", "maxCount": 2}]},
    {"type": "text", "name": "x", "inputType": "number", "validators": [{"type": "expression", "expression": "{x} % 2 = 0"}]},
    {"type": "text", "name": "w", "validators": [{"type": "text", "minLength": 3, "notificationType": "warning"}]}]}]})");
  Session s(*f, strings(), "zh-cn");
  s.setValueByName("phone", "1381234567");
  s.setValueByName("mail", "not-an-email");
  s.setValueByName("mail2", "a@b.cn");
  s.setValueByName("desc", "太短");
  s.setValueByName("nick", "abc123");
  s.setValueByName("areas", Json::array({"a", "b", "c"}));
  s.setValueByName("x", 3);
  s.setValueByName("w", "a");
  CHECK(s.complete() == NavResult::Invalid);
  std::map<std::string, std::string> byName;
  for (const auto& e : s.errors()) byName[e.name] += e.message;
  CHECK(byName["phone"] == "请输入11位手机号码");
  CHECK(byName["mail"] == "请输入有效的电子邮箱地址。");
  CHECK(byName.count("mail2") == 0);
  CHECK(byName["desc"] == "请至少写 5 个字。");
  CHECK(byName["nick"] == "这里不能以数字结尾。");
  CHECK(byName["areas"] == "最多只能填写 2 项。");
  CHECK(byName["x"] == "这个回答不符合要求，请检查。");
  CHECK(byName["w"] == "请至少写 3 个字。");
  s.setValueByName("phone", "13812345678");
  s.setValueByName("mail", "resident@example.cn");
  s.setValueByName("desc", "楼道灯坏了");
  s.setValueByName("nick", "abc");
  s.setValueByName("areas", Json::array({"a", "c"}));
  s.setValueByName("x", 4);
  // Only the warning is left: it does not block.
  CHECK(s.complete() == NavResult::Completed);
}

TEST_CASE("empty values are never validated, only required", "[session][validators]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "text", "name": "t", "validators": [{"type": "regex", "regex": "^x$"}, {"type": "numeric"}]}]}]})");
  Session s(*f, strings(), "zh-cn");
  CHECK(s.complete() == NavResult::Completed);
  CHECK(minyi::test::sameJson(s.results(), Json::object()));
}

TEST_CASE("very long text answers are refused before any regex runs", "[session][hostile]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "comment", "name": "c", "validators": [{"type": "regex", "regex": "(a|b)*c"}]}]}]})");
  Session s(*f, strings(), "en");
  s.setValueByName("c", std::string(1'000'000, 'a'));
  CHECK(s.complete() == NavResult::Invalid);
  CHECK(s.errors()[0].message == "Please write no more than 5000 characters.");
}

TEST_CASE("next and back skip invisible pages, progress counts visible pages", "[session][navigation]") {
  auto f = minyi::test::form(R"({"pages": [
    {"name": "who", "elements": [{"type": "radiogroup", "name": "role", "choices": ["resident", "business"], "isRequired": true}]},
    {"name": "biz", "visibleIf": "{role} = 'business'", "elements": [{"type": "text", "name": "company"}]},
    {"name": "end", "elements": [{"type": "comment", "name": "c"}]}]})");
  FakeClock clock;
  Session s(*f, strings(), "zh-cn", clock.fn());
  CHECK(s.isFirstPage());
  CHECK(s.progress().pageCount == 2);
  CHECK(s.next() == NavResult::Invalid);
  s.setValueByName("role", "resident");
  CHECK(s.next() == NavResult::Moved);
  CHECK(s.currentPage().name == "end");
  CHECK(s.isLastPage());
  CHECK(s.progress().page == 2);
  CHECK(s.back() == NavResult::Moved);
  CHECK(s.goToPage(1) == NavResult::NoMove);  // the business page is hidden
  CHECK(s.goToPage(2) == NavResult::Moved);
  CHECK(s.goToPage(0) == NavResult::Moved);
  s.setValueByName("role", "business");
  CHECK(s.progress().pageCount == 3);
  CHECK(s.next() == NavResult::Moved);
  CHECK(s.currentPage().name == "biz");
  CHECK(s.next() == NavResult::Moved);
  CHECK(s.next() == NavResult::NoMove);  // last page: complete() finishes
  clock.now += std::chrono::seconds(95);
  CHECK(s.elapsedSeconds() == Approx(95));
  CHECK(s.complete() == NavResult::Completed);
  CHECK(s.progress().fraction == 1);
  CHECK(s.isCompleted());
  s.setValueByName("c", "too late");  // a finished session takes no more answers
  CHECK(s.results().count("c") == 0);
}

TEST_CASE("skip and complete triggers", "[session][triggers]") {
  auto f = minyi::test::form(R"({"pages": [
    {"elements": [{"type": "boolean", "name": "used"}]},
    {"elements": [{"type": "rating", "name": "r"}]},
    {"elements": [{"type": "comment", "name": "why"}]}],
    "triggers": [
      {"type": "complete", "expression": "{used} = false"},
      {"type": "skip", "expression": "{r} <= 2", "gotoName": "why"}]})");
  {
    Session s(*f, strings(), "zh-cn");
    s.setValueByName("used", false);
    CHECK(s.completeOnNext());
    CHECK(s.next() == NavResult::Completed);
    CHECK(minyi::test::sameJson(s.results(), Json{{"used", false}}));
  }
  {
    Session s(*f, strings(), "zh-cn");
    s.setValueByName("used", true);
    CHECK_FALSE(s.completeOnNext());
    CHECK(s.next() == NavResult::Moved);
    s.setValueByName("r", 1);  // skip jumps at once
    CHECK(s.currentPageIndex() == 2);
  }
}

TEST_CASE("setvalue, copyvalue, runexpression triggers and calculated values", "[session][triggers]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "text", "name": "a", "inputType": "number"},
    {"type": "text", "name": "b"},
    {"type": "text", "name": "c"},
    {"type": "expression", "name": "double", "expression": "{a} * 2"}]}],
    "calculatedValues": [{"name": "big", "expression": "{a} > 10", "includeIntoResult": true},
                         {"name": "hidden", "expression": "1"}],
    "triggers": [
      {"type": "setvalue", "expression": "{a} > 100", "setToName": "b", "setValue": "huge"},
      {"type": "copyvalue", "expression": "{b} notempty", "fromName": "b", "setToName": "c"},
      {"type": "setvalue", "expression": "{a} = 1", "setToName": "flag", "setValue": "one", "isVariable": true}]})");
  Session s(*f, strings(), "zh-cn");
  s.setValueByName("a", 1);
  CHECK(s.variable("flag") == "one");
  CHECK(s.value(*f->findQuestion("double")) == 2);
  s.setValueByName("a", 200);
  CHECK(s.value(*f->findQuestion("b")) == "huge");
  CHECK(s.value(*f->findQuestion("c")) == "huge");
  CHECK(s.complete() == NavResult::Completed);
  CHECK(minyi::test::sameJson(s.results(), Json{{"a", 200}, {"double", 400}, {"b", "huge"}, {"c", "huge"}, {"big", true}}));
}

TEST_CASE("results take SurveyJS's data shapes", "[session][results]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "radiogroup", "name": "who", "showOtherItem": true, "choices": ["resident", "cadre"]},
    {"type": "checkbox", "name": "seen", "showOtherItem": true, "showNoneItem": true, "choices": [1, 2, 3]},
    {"type": "rating", "name": "score", "showCommentArea": true},
    {"type": "ranking", "name": "order", "choices": ["x", "y", "z"]},
    {"type": "matrix", "name": "areas", "rows": ["hygiene", "green"], "columns": ["good", "bad"]},
    {"type": "matrixdropdown", "name": "md", "rows": ["r1"], "choices": [1, 2],
     "columns": [{"name": "c1"}, {"name": "c2", "cellType": "text"}, {"name": "c3", "cellType": "boolean"}]},
    {"type": "multipletext", "name": "contact", "items": [{"name": "name"}, {"name": "phone", "inputType": "tel"}]},
    {"type": "paneldynamic", "name": "kids", "templateElements": [{"type": "text", "name": "age", "inputType": "number"}]},
    {"type": "boolean", "name": "agree", "valueTrue": "yes", "valueFalse": "no"},
    {"type": "imagepicker", "name": "pic", "multiSelect": true, "choices": [{"value": "lion", "imageLink": "l.png"}, "cat"]}
  ]}]})");
  Session s(*f, strings(), "zh-cn");
  s.setValueByName("who", "other");
  s.setComment(QuestionRef{f->findQuestion("who")}, "退休教师");
  s.setValueByName("seen", Json::array({1, 3, "other"}));
  s.setComment(QuestionRef{f->findQuestion("seen")}, "乱停车");
  s.setValueByName("score", 4);
  s.setComment(QuestionRef{f->findQuestion("score")}, "还可以");
  s.setValueByName("order", Json::array({"z", "x", "y"}));
  const Element& areas = *f->findQuestion("areas");
  s.setMatrixCell(areas, "hygiene", "", "good");
  const Element& md = *f->findQuestion("md");
  s.setMatrixCell(md, "r1", "c1", 2);
  s.setMatrixCell(md, "r1", "c2", "ok");
  s.setMatrixCell(md, "r1", "c3", false);
  const Element& contact = *f->findQuestion("contact");
  s.setValue(QuestionRef{contact.elements[0].get()}, "王");
  const Element& kids = *f->findQuestion("kids");
  REQUIRE(s.addPanel(kids));
  REQUIRE(s.addPanel(kids));
  s.setValue(QuestionRef{kids.elements[0].get(), &kids, 1}, "9");
  s.setValueByName("agree", true);
  s.setValueByName("pic", Json::array({"cat"}));
  REQUIRE(s.complete() == NavResult::Completed);
  const Json expected = Json::parse(R"({
    "who": "other", "who-Comment": "退休教师",
    "seen": [1, 3, "other"], "seen-Comment": "乱停车",
    "score": 4, "score-Comment": "还可以",
    "order": ["z", "x", "y"],
    "areas": {"hygiene": "good"},
    "md": {"r1": {"c1": 2, "c2": "ok", "c3": false}},
    "contact": {"name": "王"},
    "kids": [{}, {"age": 9}],
    "agree": "yes",
    "pic": ["cat"]})");
  CHECK(minyi::test::sameJson(s.results(), expected));
}

TEST_CASE("none and exclusive choices clear the others", "[session]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "checkbox", "name": "seen", "showNoneItem": true, "choices": ["a", "b", {"value": "dk", "isExclusive": true}]}]}]})");
  Session s(*f, strings(), "zh-cn");
  const Element& q = *f->findQuestion("seen");
  s.setValue(q, Json::array({"a", "b", "none"}));
  CHECK(s.value(q) == Json::array({"none"}));
  s.setValue(q, Json::array({"none", "a"}));
  CHECK(s.value(q) == Json::array({"a"}));
  s.setValue(q, Json::array({"a", "dk"}));
  CHECK(s.value(q) == Json::array({"dk"}));
}

TEST_CASE("'other' needs its text", "[session]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "radiogroup", "name": "who", "hasOther": true, "choices": ["a"]}]}]})");
  Session s(*f, strings(), "en");
  s.setValueByName("who", "other");
  CHECK(s.complete() == NavResult::Invalid);
  CHECK(s.errors()[0].message == "You chose \"Other\": please write what you mean.");
  s.setComment(QuestionRef{f->findQuestion("who")}, "neighbour");
  CHECK(s.complete() == NavResult::Completed);
}

TEST_CASE("storeOthersAsComment false puts the text in the value", "[session][results]") {
  auto f = minyi::test::form(R"({"storeOthersAsComment": false, "pages": [{"elements": [
    {"type": "radiogroup", "name": "who", "hasOther": true, "choices": ["a"]}]}]})");
  Session s(*f, strings(), "en");
  s.setValueByName("who", "other");
  s.setComment(QuestionRef{f->findQuestion("who")}, "neighbour");
  REQUIRE(s.complete() == NavResult::Completed);
  CHECK(minyi::test::sameJson(s.results(), Json{{"who", "neighbour"}}));
}

TEST_CASE("choicesVisibleIf, choice visibleIf and choicesFromQuestion", "[session][choices]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "checkbox", "name": "areas", "choices": ["hygiene", "green", "lights"]},
    {"type": "radiogroup", "name": "worst", "choicesFromQuestion": "areas", "choicesFromQuestionMode": "selected"},
    {"type": "radiogroup", "name": "c", "choices": [1, 2, 3, 4], "choicesVisibleIf": "{item} > 2"},
    {"type": "radiogroup", "name": "d", "choices": [{"value": "x", "visibleIf": "{c} = 3"}, "y"]}]}]})");
  Session s(*f, strings(), "zh-cn");
  auto values = [&](const char* name) {
    Json out = Json::array();
    for (const auto& c : s.choices(*f->findQuestion(name))) out.push_back(c.value);
    return out;
  };
  CHECK(values("worst") == Json::array());
  s.setValueByName("areas", Json::array({"lights", "hygiene"}));
  CHECK(values("worst") == Json::array({"hygiene", "lights"}));
  CHECK(values("c") == Json::array({3, 4}));
  CHECK(values("d") == Json::array({"y"}));
  s.setValueByName("c", 3);
  CHECK(values("d") == Json::array({"x", "y"}));
}

TEST_CASE("clearInvisibleValues onHidden clears as questions hide, onComplete at the end", "[session]") {
  const std::string body = R"("pages": [{"elements": [
    {"type": "boolean", "name": "anon"},
    {"type": "text", "name": "phone", "visibleIf": "{anon} = false"}]}]})";
  auto hidden = minyi::test::form(R"({"clearInvisibleValues": "onHidden", )" + body);
  Session a(*hidden, strings(), "zh-cn");
  a.setValueByName("anon", false);
  a.setValueByName("phone", "13812345678");
  a.setValueByName("anon", true);
  CHECK(a.value(*hidden->findQuestion("phone")).is_null());
  auto complete = minyi::test::form(R"({)" + body);
  Session b(*complete, strings(), "zh-cn");
  b.setValueByName("anon", false);
  b.setValueByName("phone", "13812345678");
  b.setValueByName("anon", true);
  CHECK(b.value(*complete->findQuestion("phone")) == "13812345678");  // kept while filling
  REQUIRE(b.complete() == NavResult::Completed);
  CHECK(minyi::test::sameJson(b.results(), Json{{"anon", true}}));  // gone from the results
}

TEST_CASE("title piping and completedHtml on condition", "[session][texts]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "radiogroup", "name": "community", "choices": [{"value": "donghu", "text": {"zh-cn": "东湖社区", "en": "Donghu"}}]},
    {"type": "comment", "name": "c", "title": {"zh-cn": "您对{community}有什么建议？", "en": "Suggestions for {community}?"}}]}],
    "completedHtml": {"zh-cn": "谢谢！", "en": "Thanks!"},
    "completedHtmlOnCondition": [{"expression": "{c} notempty", "html": {"zh-cn": "已收到您对{community}的建议。"}}]})");
  Session s(*f, strings(), "zh-cn");
  s.setValueByName("community", "donghu");
  const Element& c = *f->findQuestion("c");
  CHECK(s.title(c) == "您对东湖社区有什么建议？");
  s.setLocale("en");
  CHECK(s.title(c) == "Suggestions for Donghu?");
  CHECK(s.completedHtml() == "Thanks!");
  s.setLocale("zh-cn");
  s.setValueByName("c", "多装路灯");
  CHECK(s.completedHtml() == "已收到您对东湖社区的建议。");
}

TEST_CASE("matrix eachRowRequired and matrixdropdown required cells", "[session][matrix]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "matrix", "name": "m", "eachRowRequired": true, "rows": ["a", "b"], "columns": [1, 2]},
    {"type": "matrixdropdown", "name": "md", "rows": ["r1", "r2"],
     "columns": [{"name": "score", "cellType": "rating", "isRequired": true}]}]}]})");
  Session s(*f, strings(), "zh-cn");
  s.setMatrixCell(*f->findQuestion("m"), "a", "", 1);
  s.setMatrixCell(*f->findQuestion("md"), "r1", "score", 5);
  CHECK(s.complete() == NavResult::Invalid);
  std::vector<std::string> names;
  for (const auto& e : s.errors()) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"m", "md.r2.score"});
  CHECK(s.errors()[0].message == "请每一行都作答。");
}

TEST_CASE("dynamic panels: add, remove, limits, per-panel conditions", "[session][paneldynamic]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "paneldynamic", "name": "p", "minPanelCount": 1, "maxPanelCount": 2, "templateElements": [
      {"type": "boolean", "name": "has"},
      {"type": "text", "name": "what", "visibleIf": "{panel.has} = true", "isRequired": true}]}]}]})");
  Session s(*f, strings(), "zh-cn");
  const Element& p = *f->findQuestion("p");
  const Element& has = *p.elements[0];
  const Element& what = *p.elements[1];
  CHECK(s.panelCount(p) == 1);
  CHECK(s.addPanel(p));
  CHECK_FALSE(s.addPanel(p));  // max 2
  s.setValue(QuestionRef{&has, &p, 1}, true);
  CHECK_FALSE(s.isVisible(what, 0));
  CHECK(s.isVisible(what, 1));
  CHECK(s.complete() == NavResult::Invalid);
  REQUIRE(s.errors().size() == 1);
  CHECK(s.errors()[0].name == "p[1].what");
  CHECK(s.removePanel(p, 1));
  CHECK_FALSE(s.removePanel(p, 0));  // min 1
  CHECK(s.complete() == NavResult::Completed);
}

TEST_CASE("rating items: generated, stepped and rateValues", "[session]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "rating", "name": "a"},
    {"type": "rating", "name": "b", "rateMin": 0, "rateMax": 10, "rateStep": 5},
    {"type": "rating", "name": "c", "rateType": "smileys", "rateValues": [
       {"value": "very_satisfied", "text": {"zh-cn": "非常满意"}}, "satisfied", "unsatisfied", "very_unsatisfied"]}]}]})");
  Session s(*f, strings(), "zh-cn");
  auto vals = [&](const char* n) {
    Json out = Json::array();
    for (const auto& c : s.rateItems(*f->findQuestion(n))) out.push_back(c.value);
    return out;
  };
  CHECK(vals("a") == Json::array({1, 2, 3, 4, 5}));
  CHECK(vals("b") == Json::array({0, 5, 10}));
  CHECK(vals("c").size() == 4);
  CHECK(s.rateItems(*f->findQuestion("c"))[0].text == "非常满意");
}

TEST_CASE("progress by questions", "[session]") {
  auto f = minyi::test::form(R"({"progressBarType": "questions", "pages": [{"elements": [
    {"type": "text", "name": "a"}, {"type": "text", "name": "b"}, {"type": "html", "name": "h", "html": "x"}]}]})");
  Session s(*f, strings(), "zh-cn");
  CHECK(s.progress().questions == 2);
  s.setValueByName("a", "x");
  CHECK(s.progress().answered == 1);
  CHECK(s.progress().fraction == Approx(0.5));
}

TEST_CASE("auto-advance once every one-tap question is answered", "[session]") {
  auto f = minyi::test::form(R"({"autoAdvanceEnabled": true, "pages": [
    {"elements": [{"type": "rating", "name": "r"}, {"type": "boolean", "name": "b"}]},
    {"elements": [{"type": "comment", "name": "c"}]}]})");
  Session s(*f, strings(), "zh-cn");
  CHECK_FALSE(s.readyToAutoAdvance());
  s.setValueByName("r", 5);
  CHECK_FALSE(s.readyToAutoAdvance());
  s.setValueByName("b", false);
  CHECK(s.readyToAutoAdvance());
  REQUIRE(s.next() == NavResult::Moved);
  s.setValueByName("c", "x");
  CHECK_FALSE(s.readyToAutoAdvance());  // text is never auto-advanced, nor completed without allow-complete
}

TEST_CASE("display values read as the resident sees them", "[session][texts]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "matrix", "name": "m", "rows": [{"value": "hygiene", "text": {"zh-cn": "环境卫生", "en": "Hygiene"}}],
     "columns": [{"value": "ok", "text": {"zh-cn": "满意", "en": "Satisfied"}}]},
    {"type": "boolean", "name": "b"},
    {"type": "checkbox", "name": "c", "hasOther": true, "choices": [{"value": "x", "text": {"zh-cn": "甲"}}]},
    {"type": "multipletext", "name": "mt", "items": [{"name": "n", "title": {"zh-cn": "姓名"}}]}]}]})");
  Session s(*f, strings(), "zh-cn");
  s.setMatrixCell(*f->findQuestion("m"), "hygiene", "", "ok");
  s.setValueByName("b", false);
  s.setValueByName("c", Json::array({"x", "other"}));
  s.setComment(QuestionRef{f->findQuestion("c")}, "乱停车");
  s.setValueByName("mt", Json{{"n", "王"}});
  CHECK(s.displayValue(*f->findQuestion("m")) == "环境卫生: 满意");
  CHECK(s.displayValue(*f->findQuestion("b")) == "否");
  CHECK(s.displayValue(*f->findQuestion("c")) == "甲, 乱停车");
  CHECK(s.displayValue(*f->findQuestion("mt")) == "姓名: 王");
  s.setLocale("en");
  CHECK(s.displayValue(*f->findQuestion("m")) == "Hygiene: Satisfied");
  CHECK(s.displayValue(*f->findQuestion("b")) == "No");
}

TEST_CASE("expression questions inside dynamic panels compute per panel", "[session][paneldynamic]") {
  auto f = minyi::test::form(R"({"pages": [{"elements": [
    {"type": "paneldynamic", "name": "rooms", "panelCount": 2, "templateElements": [
      {"type": "text", "name": "w", "inputType": "number"},
      {"type": "expression", "name": "double", "expression": "{panel.w} * 2"}]}]}]})");
  Session s(*f, strings(), "zh-cn");
  const Element& rooms = *f->findQuestion("rooms");
  s.setValue(QuestionRef{rooms.elements[0].get(), &rooms, 1}, 21);
  CHECK(s.value(QuestionRef{rooms.elements[1].get(), &rooms, 1}) == 42);
  CHECK(s.value(QuestionRef{rooms.elements[1].get(), &rooms, 0}) == 0);  // empty * 2 = 0, as SurveyJS
}
