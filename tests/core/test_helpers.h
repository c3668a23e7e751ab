// Shared helpers for form-engine tests: load a form from inline JSON, the real string tables.
#pragma once
#include <catch2/catch.hpp>

#include <string>

#include "minyi/core/form_loader.h"
#include "minyi/core/session.h"

namespace minyi::test {

inline const core::StringTable& strings() {
  static core::StringTable table = [] {
    core::StringTable t;
    const std::string err = t.loadFolder(std::string(MINYI_ASSETS_DIR) + "/strings");
    if (!err.empty()) FAIL("string tables: " << err);
    return t;
  }();
  return table;
}

// Loads a form that must be free of errors; the caller keeps the result alive.
inline std::unique_ptr<core::Form> form(const std::string& json) {
  auto r = core::loadFormText(json);
  for (const auto& d : r.diagnostics) {
    if (d.severity == core::Diagnostic::Severity::Error) FAIL("unexpected error at " << d.path << ": " << d.message);
  }
  REQUIRE(r.form);
  return std::move(r.form);
}

// The diagnostics of a form, as "path: message" lines, for REQUIRE_THAT(..., Contains(...)).
inline std::string problems(const std::string& json, core::Diagnostic::Severity level = core::Diagnostic::Severity::Error) {
  auto r = core::loadFormText(json);
  std::string out;
  for (const auto& d : r.diagnostics)
    if (d.severity == level) out += d.path + ": " + d.message + "\n";
  return out;
}

// JSON objects are unordered: compare without regard to key order (results keep the order answers came in).
inline bool sameJson(const core::Json& a, const core::Json& b) { return nlohmann::json(a) == nlohmann::json(b); }

}  // namespace minyi::test
