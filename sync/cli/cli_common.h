// What the `minyi` commands share: exit codes, the error line, the time now, running against a data folder.
#pragma once
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <string>

#include "minyi/protocol/times.h"
#include "minyi/server/server_store.h"

namespace minyi::cli {

// Exit codes: 0 done, 1 done but with problems staff must look at (or refused), 2 the input was unusable.
enum Exit { kOk = 0, kProblems = 1, kBadInput = 2 };

inline std::string now() { return protocol::isoUtc(std::chrono::system_clock::now()); }

inline int fail(const std::string& message, int code = kBadInput) {
  std::cerr << "minyi: error: " << message << "\n";
  return code;
}

// Runs a command against the data folder's store; a database failure ends it with its sentence.
template <typename F>
int withStore(const std::string& dataDir, F&& f) {
  try {
    auto store = server::openDataFolder(dataDir);
    return f(*store);
  } catch (const server::StoreError& e) {
    return fail(e.what());
  }
}

// Who did it, for the audit log: the command line runs as a Unix user, not a dashboard account.
inline std::string cliActor() {
  const passwd* pw = ::getpwuid(::geteuid());
  return std::string("cli:") + (pw && pw->pw_name ? pw->pw_name : std::to_string(::geteuid()));
}

inline void audit(server::ServerStore& store, const std::string& action, const std::string& target, const std::string& detail) {
  store.addAudit({0, now(), cliActor(), action, target, detail, ""});
}

}  // namespace minyi::cli
