// `minyi form check|eval|fill`: checking, evaluating and test-filling SurveyJS forms.
#pragma once
#include <CLI/CLI.hpp>

namespace minyi::cli {
// Registers the `form` subcommand; the chosen command's exit status goes to exitCode.
void addFormCommands(CLI::App& app, int& exitCode);
}  // namespace minyi::cli
