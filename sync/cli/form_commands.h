// `minyi form check|eval|fill`: checking, evaluating and test-filling SurveyJS forms.
#pragma once
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "minyi/core/form.h"

namespace minyi::cli {
// Registers the `form` subcommand; the chosen command's exit status goes to exitCode.
void addFormCommands(CLI::App& app, int& exitCode);
// Loads and checks a form file with the engine, printing each problem (warnings too when asked) to stderr.
// Null when the form has errors or cannot be read; `text` receives the file's text when given.
std::unique_ptr<core::Form> loadFormFile(const std::string& file, bool printWarnings, std::string* text = nullptr);
}  // namespace minyi::cli
