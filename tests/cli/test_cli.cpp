// `minyi form check|eval|fill` as staff run them: output, exit codes, and hostile input.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "run_command.h"

namespace fs = std::filesystem;
using minyi::test::quote;
using minyi::test::Run;
using minyi::test::runCommand;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

Run runMinyi(const std::string& args) { return runCommand(MINYI_BIN, args); }

// A scratch file under the build's temp dir, removed at the end of the test.
struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& content, const std::string& name = "form.json") {
    path = fs::temp_directory_path() / ("minyi-cli-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove(path); }
};

const std::string kForms = std::string(MINYI_ASSETS_DIR) + "/forms";
const std::string kAnswers = std::string(MINYI_TEST_DATA) + "/forms/answers";

}  // namespace

TEST_CASE("form check passes every shipped form", "[cli]") {
  Run r = runMinyi("form check " + kForms + "/*.json");
  CHECK(r.status == 0);
  for (const char* f : {"opinion", "efficiency", "civilized-city", "complaint", "quick", "deputy-message"})
    CHECK_THAT(r.out, Contains("OK " + kForms + "/" + f + ".json"));
}

TEST_CASE("form check reports problems by JSON path and exits 1", "[cli]") {
  TempFile bad(R"({"pages": [{"elements": [
    {"type": "text", "name": "a", "visibleIf": "{a} = "},
    {"type": "radiogroup", "name": "a"},
    {"type": "file", "name": "f"}]}]})");
  TempFile good(R"({"elements": [{"type": "text", "name": "x", "title": "no Chinese here"}]})", "good.json");
  Run r = runMinyi("form check " + bad.path.string() + " " + good.path.string());
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Contains("error: pages[0].elements[0].visibleIf: bad expression at position"));
  CHECK_THAT(r.out, Contains("error: pages[0].elements[1].name: duplicate name \"a\""));
  CHECK_THAT(r.out, Contains("error: pages[0].elements[1].choices: a radiogroup question needs choices"));
  CHECK_THAT(r.out, Contains("error: pages[0].elements[2].type: unsupported question type \"file\""));
  CHECK_THAT(r.out, Contains("FAILED " + bad.path.string()));
  CHECK_THAT(r.out, Contains("good.json: warning: elements[0].title: no zh-cn text"));
  CHECK_THAT(r.out, Contains("OK " + good.path.string() + " (1 warning)"));
}

TEST_CASE("form check survives malformed, unreadable and absurd files", "[cli][hostile]") {
  TempFile malformed("{\"pages\": [", "malformed.json");
  TempFile deep(std::string(10000, '[') + std::string(10000, ']'), "deep.json");
  TempFile badUtf8("{\"title\": \"\xE6\x96\"}", "utf8.json");
  TempFile huge("{\"title\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"}", "huge.json");
  Run r = runMinyi("form check " + malformed.path.string() + " " + deep.path.string() + " " + badUtf8.path.string() +
                " " + huge.path.string() + " /nonexistent/form.json");
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Contains("malformed.json: error: (form): parse error"));
  CHECK_THAT(r.out, Contains("deep.json: error: (form): line 1, column 65: nesting deeper than 64 levels"));
  CHECK_THAT(r.out, Contains("utf8.json: error: (form): line 1, column 12: the text is not valid UTF-8"));
  CHECK_THAT(r.out, Contains("huge.json: error:"));
  CHECK_THAT(r.out, Contains("larger than"));
  CHECK_THAT(r.out, Contains("/nonexistent/form.json: error: /nonexistent/form.json: cannot open the file"));
}

TEST_CASE("form eval prints one line of JSON", "[cli]") {
  CHECK(runMinyi("form eval \"2 + 2 * 2\"").out == "6\n");
  CHECK(runMinyi("form eval \"{a} + ' ' + {b}\" --values '{\"a\": \"东湖\", \"b\": \"社区\"}'").out == "\"东湖 社区\"\n");
  CHECK(runMinyi("form eval \"{v} anyof ['a', 'b']\" --values '{\"v\": [\"b\"]}' --condition").out == "true\n");
  CHECK(runMinyi("form eval \"{missing} > 1\" --condition").out == "false\n");
  CHECK(runMinyi("form eval \"[1, 2] + [3]\"").out == "[1,2,3]\n");
}

TEST_CASE("form eval rejects bad expressions and values with a message", "[cli][hostile]") {
  Run bad = runMinyi("form eval \"1 +* 2\"");
  CHECK(bad.status == 2);
  CHECK_THAT(bad.out, Contains("bad expression at position"));
  Run values = runMinyi("form eval \"{a}\" --values '{\"a\": '");
  CHECK(values.status == 2);
  CHECK_THAT(values.out, Contains("--values is not valid JSON"));
  Run notObject = runMinyi("form eval \"{a}\" --values '[1]'");
  CHECK(notObject.status == 2);
  Run deep = runMinyi("form eval " + quote(std::string(10000, '(') + "1"));
  CHECK(deep.status == 2);
  CHECK_THAT(deep.out, Contains("bad expression"));
  TempFile big("{\"a\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"}", "values.json");
  Run huge = runMinyi("form eval \"{a}\" --values @" + big.path.string());
  CHECK(huge.status == 2);
  CHECK_THAT(huge.out, Contains("larger than"));
}

TEST_CASE("form fill prints the results of a valid fill", "[cli]") {
  Run r = runMinyi("form fill " + kForms + "/civilized-city.json --answers @" + kAnswers + "/civilized-city-valid.json");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, StartsWith("{"));
  CHECK_THAT(r.out, Contains("\"community\""));
}

TEST_CASE("form fill prints the errors per page and exits 1", "[cli]") {
  Run zh = runMinyi("form fill " + kForms + "/complaint.json --answers @" + kAnswers + "/complaint-invalid.json");
  CHECK(zh.status == 1);
  CHECK_THAT(zh.out, Contains("has errors:"));
  Run en = runMinyi("form fill " + kForms + "/complaint.json --locale en --answers @" + kAnswers + "/complaint-invalid.json");
  CHECK(en.status == 1);
  CHECK_THAT(en.out, Contains("Please"));
  Run typo = runMinyi("form fill " + kForms + "/quick.json --answers '{\"no_such_question\": 1}'");
  CHECK(typo.status == 1);
  CHECK_THAT(typo.out, Contains("answers name questions this form does not have: no_such_question"));
}

TEST_CASE("form fill refuses a broken form or broken answers", "[cli][hostile]") {
  TempFile broken("{\"pages\": 3}");
  Run r = runMinyi("form fill " + broken.path.string() + " --answers '{}'");
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains("does not pass `minyi form check`"));
  Run a = runMinyi("form fill " + kForms + "/quick.json --answers 'not json'");
  CHECK(a.status == 2);
  Run loc = runMinyi("form fill " + kForms + "/quick.json --answers '{}' --locale fr");
  CHECK(loc.status == 2);
}

TEST_CASE("form fill --trace shows each page and answer in the chosen language", "[cli]") {
  Run r = runMinyi("form fill " + kForms + "/civilized-city.json --locale zh-tw --trace --answers @" + kAnswers +
                "/civilized-city-valid.json");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("— 第 1 頁，共 4 頁"));
  CHECK_THAT(r.out, Contains(" → "));
}

TEST_CASE("pin-hash reads the PIN from standard input and prints an argon2id hash", "[cli]") {
  TempFile pin("2468\n", "pin.txt"), notDigits("abc\n", "notpin.txt");
  Run ok = runMinyi("pin-hash < " + pin.path.string());
  CHECK(ok.status == 0);
  CHECK_THAT(ok.out, StartsWith("$argon2id$"));
  Run bad = runMinyi("pin-hash < " + notDigits.path.string());
  CHECK(bad.status == 2);
  CHECK_THAT(bad.out, Contains("error"));
}
