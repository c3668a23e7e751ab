// The township's shipped forms: each loads without errors, speaks all three languages, and fills as expected.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "minyi/core/json_input.h"
#include "minyi/core/scripted_fill.h"
#include "test_helpers.h"

using namespace minyi::core;
namespace fs = std::filesystem;

namespace {

const fs::path kForms = fs::path(MINYI_ASSETS_DIR) / "forms";
const fs::path kAnswers = fs::path(MINYI_TEST_DATA) / "forms" / "answers";

Json readJson(const fs::path& p) {
  std::string err;
  auto text = readTextFile(p.string(), &err, 4 << 20);
  REQUIRE(text);
  auto j = parseJsonText(*text, &err);
  INFO(p.string() << ": " << err);
  REQUIRE(j);
  return *j;
}

std::vector<fs::path> shippedForms() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kForms))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Every localizable property in the raw JSON, wherever it sits.
void collectTexts(const Json& j, const std::string& path, std::vector<std::pair<std::string, Json>>& out) {
  static const std::set<std::string> locProps = {
      "title", "description", "text", "html", "otherText", "otherPlaceholder", "otherErrorText", "noneText",
      "labelTrue", "labelFalse", "completedHtml", "placeholder", "minRateDescription", "maxRateDescription",
      "requiredErrorText", "commentText", "commentPlaceholder", "completeText", "pageNextText", "pagePrevText"};
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string p = path + "." + it.key();
      if (locProps.count(it.key()) && (it->is_string() || it->is_object())) out.emplace_back(p, *it);
      else collectTexts(*it, p, out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) collectTexts(j[i], path + "[" + std::to_string(i) + "]", out);
  }
}

}  // namespace

TEST_CASE("the six township forms are shipped", "[forms]") {
  std::set<std::string> names;
  for (const auto& p : shippedForms()) names.insert(p.stem().string());
  CHECK(names == std::set<std::string>{"civilized-city", "complaint", "deputy-message", "efficiency", "opinion", "quick"});
}

TEST_CASE("every shipped form loads without errors or warnings", "[forms]") {
  for (const auto& p : shippedForms()) {
    std::string err;
    auto text = readTextFile(p.string(), &err, 4 << 20);
    REQUIRE(text);
    auto r = loadFormText(*text, p.stem().string());
    for (const auto& d : r.diagnostics) FAIL_CHECK(p.filename().string() << ": " << d.path << ": " << d.message);
    CHECK(r.ok());
    CHECK(r.form->minyi.id == p.stem().string());
  }
}

TEST_CASE("every text of every shipped form has zh-cn, zh-tw and en", "[forms]") {
  for (const auto& p : shippedForms()) {
    std::vector<std::pair<std::string, Json>> texts;
    collectTexts(readJson(p), "", texts);
    CHECK(texts.size() > 5);
    for (const auto& [path, t] : texts) {
      INFO(p.filename().string() << path);
      REQUIRE(t.is_object());
      for (const char* loc : {"zh-cn", "zh-tw", "en"}) {
        CHECK(t.contains(loc));
        if (t.contains(loc)) CHECK_FALSE(t[loc].get<std::string>().empty());
      }
    }
  }
}

TEST_CASE("the kinds of the shipped forms", "[forms]") {
  auto load = [](const char* name) {
    std::string err;
    auto text = readTextFile((kForms / name).string(), &err, 4 << 20);
    auto r = loadFormText(*text, fs::path(name).stem().string());
    REQUIRE(r.ok());
    return std::move(r.form);
  };
  auto complaint = load("complaint.json");
  CHECK(complaint->minyi.kind == "complaint");
  CHECK(complaint->minyi.categories.size() >= 5);
  for (const auto& c : complaint->minyi.categories)
    CHECK((c.deadlineHours || c.deadlineDays || c.deadlineWorkingDays));
  auto quick = load("quick.json");
  CHECK(quick->minyi.kind == "quick");
  Session s(*quick, minyi::test::strings(), "zh-cn");
  const auto visible = s.visibleElements();
  REQUIRE(visible.size() == 1);
  CHECK(visible[0]->type == ElementType::Rating);
  CHECK(s.rateItems(*visible[0]).size() == 4);  // four faces, no neutral
}

TEST_CASE("valid answers fill every shipped form, in each language", "[forms]") {
  for (const auto& p : shippedForms()) {
    const fs::path answersFile = kAnswers / (p.stem().string() + "-valid.json");
    REQUIRE(fs::exists(answersFile));
    const Json answers = readJson(answersFile);
    std::string err;
    auto r = loadFormText(*readTextFile(p.string(), &err, 4 << 20), p.stem().string());
    REQUIRE(r.ok());
    for (const char* locale : {"zh-cn", "zh-tw", "en"}) {
      INFO(p.filename().string() << " in " << locale);
      Session s(*r.form, minyi::test::strings(), locale);
      const ScriptedFill fill = fillFromAnswers(s, answers);
      CHECK(fill.unknownKeys.empty());
      for (const auto& e : s.errors()) FAIL_CHECK(e.name << ": " << e.message);
      REQUIRE(fill.outcome == NavResult::Completed);
      CHECK(fill.unusedKeys.empty());
      CHECK(minyi::test::sameJson(s.results(), answers));
    }
  }
}

TEST_CASE("invalid answers are stopped with the right questions named", "[forms]") {
  struct Case {
    const char* form;
    std::vector<std::string> names;
  };
  for (const Case& c : {Case{"complaint", {"description", "phone", "consent"}}, Case{"opinion", {"identity", "area_forestry"}}}) {
    const Json answers = readJson(kAnswers / (std::string(c.form) + "-invalid.json"));
    std::string err;
    auto r = loadFormText(*readTextFile((kForms / (std::string(c.form) + ".json")).string(), &err, 4 << 20), c.form);
    REQUIRE(r.ok());
    Session s(*r.form, minyi::test::strings(), "zh-cn");
    const ScriptedFill fill = fillFromAnswers(s, answers);
    INFO(c.form);
    CHECK(fill.outcome == NavResult::Invalid);
    CHECK_FALSE(s.errors().empty());
    CHECK_FALSE(s.isCompleted());
    // The fill stops at the first page with errors: every error there is one the fixture breaks on purpose.
    for (const auto& e : s.errors())
      CHECK(std::find(c.names.begin(), c.names.end(), e.name) != c.names.end());
  }
}
