// `minyi export|user|demo`: the dashboard's command-line side (exports, staff accounts, a demo data folder).
#pragma once
#include <CLI/CLI.hpp>

namespace minyi::cli {
void addDashboardCommands(CLI::App& app, int& exitCode);
}  // namespace minyi::cli
