// What the benchmarks share: milliseconds of a duration, percentiles, a process's RSS, and the result line.
#pragma once
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace minyi::bench {

inline double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The q-quantile (0.5: median, 0.99: p99) of the samples; 0 when there are none.
inline double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

// VmRSS of a process in kB, from /proc; -1 when it cannot be read.
inline long rssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

// One result: the value, the baseline measured in the same run and their ratio, the budget and whether it is
// met (budget 0: none).
inline void line(const char* what, double value, const char* unit, double baseline, double budget) {
  char b[64] = "-";
  if (budget > 0) std::snprintf(b, sizeof b, "%.2f %s  %s", budget, unit, value <= budget ? "OK" : "OVER");
  std::printf("%-46s %9.2f %-3s  baseline %9.2f  ratio %6.2f  budget %s\n", what, value, unit, baseline,
              baseline > 0 ? value / baseline : 0.0, b);
}

}  // namespace minyi::bench
