// Running a command line in a shell for tests: its exit status and everything it printed.
#pragma once
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace minyi::test {

struct Run {
  int status = -1;
  std::string out;  // stdout and stderr together
};

// One shell word, whatever the text holds.
inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `binary args` through the shell; status is 128 + the signal when the program died of one.
inline Run runCommand(const std::string& binary, const std::string& args) {
  Run r;
  const std::string cmd = binary + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

}  // namespace minyi::test
