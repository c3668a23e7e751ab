// `minyi pin-hash`: reads a PIN from standard input (never from the command line, which shells remember)
// and prints its argon2id hash for [admin] pin_hash in the kiosk's TOML config.
#include "pin_commands.h"

#include <iostream>
#include <string>

#include "minyi/store/config.h"

namespace minyi::cli {

void addPinCommands(CLI::App& app, int& exitCode) {
  CLI::App* cmd = app.add_subcommand("pin-hash", "print the argon2id hash of an admin PIN read from standard input");
  cmd->callback([&exitCode] {
    std::string pin;
    std::getline(std::cin, pin);
    while (!pin.empty() && (pin.back() == '\r' || pin.back() == ' ')) pin.pop_back();
    std::string err;
    auto hash = store::hashPin(pin, &err);
    if (!hash) {
      std::cerr << "minyi: error: " << err << "\n";
      exitCode = 2;
      return;
    }
    std::cout << *hash << "\n";
    exitCode = 0;
  });
}

}  // namespace minyi::cli
