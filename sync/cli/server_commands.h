// `minyi keygen|site|device|form upload|notice|import`: the township server's data, for staff and IT.
#pragma once
#include <CLI/CLI.hpp>

namespace minyi::cli {
// Registers the server's commands; `form upload` joins the `form` command, so addFormCommands runs first.
void addServerCommands(CLI::App& app, int& exitCode);
}  // namespace minyi::cli
