// `minyi pin-hash`: the argon2id hash of an admin PIN, for the kiosk's config file.
#pragma once
#include <CLI/CLI.hpp>

namespace minyi::cli {
void addPinCommands(CLI::App& app, int& exitCode);
}  // namespace minyi::cli
