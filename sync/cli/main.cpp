// `minyi`: the staff and IT command line. Subcommands live in their own files; this wires them up.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "dashboard_commands.h"
#include "form_commands.h"
#include "pin_commands.h"
#include "server_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"minyi — staff and IT tools for the Minyi kiosks and the township server"};
  app.require_subcommand(1);
  int exitCode = 0;
  minyi::cli::addFormCommands(app, exitCode);
  minyi::cli::addPinCommands(app, exitCode);
  minyi::cli::addServerCommands(app, exitCode);  // after the form commands: it adds `form upload`
  minyi::cli::addDashboardCommands(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // Never a crash on bad input: anything unforeseen still ends with a sentence and a non-zero exit.
    std::cerr << "minyi: error: " << e.what() << "\n";
    return 3;
  }
  return exitCode;
}
