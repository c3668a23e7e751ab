// `minyi form check|eval|fill`: checking, evaluating and test-filling SurveyJS forms from the command line.
#include "form_commands.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/core/scripted_fill.h"
#include "minyi/core/session.h"

namespace minyi::cli {

using core::Json;

namespace {

constexpr size_t kMaxFormBytes = 4 * 1024 * 1024;

// Exit codes (cli_common.h): 0 fine, 1 the form or answers have problems, 2 the input could not be used at all.

std::string dumpLine(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// JSON given inline, or "@path" to read it from a file.
std::optional<Json> jsonArgument(const std::string& arg, const char* what) {
  std::string err;
  std::optional<std::string> text = arg;
  if (!arg.empty() && arg[0] == '@') {
    text = core::readTextFile(arg.substr(1), &err, kMaxFormBytes);
    if (!text) {
      std::cerr << "minyi: error: " << what << ": " << err << "\n";
      return std::nullopt;
    }
  }
  auto j = core::parseJsonText(*text, &err);
  if (!j) {
    std::cerr << "minyi: error: " << what << " is not valid JSON: " << err << "\n";
    return std::nullopt;
  }
  if (!j->is_object()) {
    std::cerr << "minyi: error: " << what << " must be a JSON object of name → value\n";
    return std::nullopt;
  }
  return j;
}

std::string assetsDir() {
  if (const char* env = std::getenv("MINYI_ASSETS")) return env;
  return MINYI_ASSETS_DIR;
}

}  // namespace

std::unique_ptr<core::Form> loadFormFile(const std::string& file, bool printWarnings, std::string* textOut) {
  std::string err;
  auto text = core::readTextFile(file, &err, kMaxFormBytes);
  if (!text) {
    std::cerr << "minyi: error: " << err << "\n";
    return nullptr;
  }
  auto result = core::loadFormText(*text, std::filesystem::path(file).stem().string());
  for (const auto& d : result.diagnostics) {
    const bool isError = d.severity == core::Diagnostic::Severity::Error;
    if (!isError && !printWarnings) continue;
    std::cerr << file << ": " << (isError ? "error" : "warning") << ": " << (d.path.empty() ? "(form)" : d.path) << ": "
              << d.message << "\n";
  }
  if (!result.ok()) return nullptr;
  if (textOut) *textOut = std::move(*text);
  return std::move(result.form);
}

namespace {

int runCheck(const std::vector<std::string>& files) {
  int status = kOk;
  for (const std::string& file : files) {
    std::string err;
    auto text = core::readTextFile(file, &err, kMaxFormBytes);
    if (!text) {
      std::cout << file << ": error: " << err << "\n";
      status = kProblems;
      continue;
    }
    auto result = core::loadFormText(*text, std::filesystem::path(file).stem().string());
    int errors = 0, warnings = 0;
    for (const auto& d : result.diagnostics) {
      const bool isError = d.severity == core::Diagnostic::Severity::Error;
      (isError ? errors : warnings)++;
      std::cout << file << ": " << (isError ? "error" : "warning") << ": " << (d.path.empty() ? "(form)" : d.path)
                << ": " << d.message << "\n";
    }
    if (errors == 0 && result.form) {
      std::cout << "OK " << file;
      if (warnings) std::cout << " (" << warnings << " warning" << (warnings > 1 ? "s" : "") << ")";
      std::cout << "\n";
    } else {
      std::cout << "FAILED " << file << " (" << errors << " error" << (errors == 1 ? "" : "s") << ")\n";
      status = kProblems;
    }
  }
  return status;
}

int runEval(const std::string& expr, const std::string& valuesArg, bool asCondition) {
  Json values = Json::object();
  if (!valuesArg.empty()) {
    auto v = jsonArgument(valuesArg, "--values");
    if (!v) return kBadInput;
    values = std::move(*v);
  }
  if (!core::isValidUtf8(expr)) {
    std::cerr << "minyi: error: the expression is not valid UTF-8\n";
    return kBadInput;
  }
  core::ExpressionError err;
  core::Expression e = core::Expression::parse(expr, &err);
  if (e.empty() && expr.find_first_not_of(" \t\r\n") != std::string::npos) {
    std::cerr << "minyi: error: bad expression at position " << err.position << ": " << err.message << "\n";
    return kBadInput;
  }
  core::EvalEnv env;
  env.values = &values;
  if (asCondition) std::cout << (e.evaluateCondition(env) ? "true" : "false") << "\n";
  else std::cout << dumpLine(e.evaluate(env)) << "\n";
  return kOk;
}

int runFill(const std::string& file, const std::string& answersArg, const std::string& locale, bool trace) {
  auto answers = jsonArgument(answersArg, "--answers");
  if (!answers) return kBadInput;
  auto form = loadFormFile(file, false);
  if (!form) {
    std::cerr << "minyi: error: " << file << " does not pass `minyi form check`\n";
    return kBadInput;
  }
  core::StringTable strings;
  if (std::string err = strings.loadFolder(assetsDir() + "/strings"); !err.empty()) {
    std::cerr << "minyi: error: UI strings: " << err << " (set MINYI_ASSETS to the assets folder)\n";
    return kBadInput;
  }
  core::Session s(*form, strings, locale);
  // --trace: what a resident would see and tap, page by page, on stderr (stdout stays the results JSON).
  core::FillObserver observer;
  if (trace) {
    observer = [&strings, &locale](const core::Session& session, const core::Element* q) {
      if (!q) {
        const auto p = session.progress();
        std::cerr << "— " << strings.get(locale, "form.progress", {std::to_string(p.page), std::to_string(p.pageCount)});
        const std::string title = session.text(session.currentPage().title);
        std::cerr << (title.empty() ? "" : "  " + title) << "\n";
      } else {
        std::cerr << "  " << session.title(*q) << " → " << session.displayValue(*q) << "\n";
      }
    };
  }
  const core::ScriptedFill fill = core::fillFromAnswers(s, *answers, observer);
  if (!fill.unknownKeys.empty()) {
    // Most likely typos in the answers: say so rather than silently drop them.
    std::cout << "answers name questions this form does not have:";
    for (const auto& k : fill.unknownKeys) std::cout << " " << k;
    std::cout << "\n";
    return kProblems;
  }
  if (fill.outcome == core::NavResult::Completed) {
    for (const auto& k : fill.unusedKeys)
      std::cerr << "note: \"" << k << "\" was not asked (its question was not shown) and is not in the results\n";
    if (trace) std::cerr << "— " << s.completedHtml() << "\n";
    std::cout << s.results().dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    return kOk;
  }
  if (fill.outcome == core::NavResult::Invalid) {
    const core::Page& page = s.currentPage();
    const auto progress = s.progress();
    std::cout << "page " << progress.page << " of " << progress.pageCount;
    if (!page.name.empty()) std::cout << " (" << page.name << ")";
    std::cout << " has errors:\n";
    for (const auto& e : s.errors())
      std::cout << "  " << e.name << ": " << e.message << (e.level == core::Notification::Error ? "" : " [warning]") << "\n";
    return kProblems;
  }
  std::cout << "the form could not be completed (no page to go on to)\n";
  return kProblems;
}

}  // namespace

void addFormCommands(CLI::App& app, int& exitCode) {
  CLI::App* form = app.add_subcommand("form", "check, evaluate and test-fill SurveyJS forms");
  form->require_subcommand(1);

  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* check = form->add_subcommand("check", "check form files; prints OK <file> or each problem with its JSON path");
  check->add_option("files", *files, "form JSON files")->required();
  check->callback([files, &exitCode] { exitCode = runCheck(*files); });

  auto expr = std::make_shared<std::string>();
  auto values = std::make_shared<std::string>();
  auto condition = std::make_shared<bool>(false);
  CLI::App* eval = form->add_subcommand("eval", "evaluate an expression; prints the result as one line of JSON");
  eval->add_option("expression", *expr, "SurveyJS expression, e.g. \"{age} >= 60\"")->required();
  eval->add_option("--values", *values, "JSON object of values, or @file");
  eval->add_flag("--condition", *condition, "evaluate as a condition (true/false, as SurveyJS's ConditionRunner)");
  eval->callback([=, &exitCode] { exitCode = runEval(*expr, *values, *condition); });

  auto fillFile = std::make_shared<std::string>();
  auto answers = std::make_shared<std::string>();
  auto locale = std::make_shared<std::string>("zh-cn");
  CLI::App* fill = form->add_subcommand("fill", "fill a form with answers page by page; prints the results or the errors");
  fill->add_option("file", *fillFile, "form JSON file")->required();
  fill->add_option("--answers", *answers, "JSON object of answers (SurveyJS data shape), or @file")->required();
  fill->add_option("--locale", *locale, "zh-cn, zh-tw or en (for messages)")
      ->check(CLI::IsMember({"zh-cn", "zh-tw", "en", "zh-CN", "zh-TW"}));
  auto trace = std::make_shared<bool>(false);
  fill->add_flag("--trace", *trace, "print each page and answer as a resident would see them (on stderr)");
  fill->callback([=, &exitCode] { exitCode = runFill(*fillFile, *answers, *locale, *trace); });
}

}  // namespace minyi::cli
