// The UI string tables (assets/strings/<locale>.json): every message the engine shows a resident.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "minyi/core/json.h"

namespace minyi::core {

class StringTable {
 public:
  // Loads zh-CN.json, zh-TW.json and en.json from a folder. Returns an error text, empty on success.
  std::string loadFolder(const std::string& folder);
  // Adds one locale from JSON text ({"key": "text", ...}); error text or "".
  std::string loadLocale(const std::string& locale, const std::string& jsonText);

  // The text for key in locale (zh-cn, zh-tw, en; any case), falling back to zh-cn, then the key itself
  // so a missing string is visible rather than blank. "{0}", "{1}" ... are replaced by args.
  std::string get(std::string_view locale, const std::string& key, const std::vector<std::string>& args = {}) const;
  bool has(std::string_view locale, const std::string& key) const;
  std::vector<std::string> locales() const;
  // Keys present in one locale but missing in another (for the string-table test).
  std::vector<std::string> missingKeys(std::string_view locale, std::string_view reference) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> tables_;  // normalized locale → key → text
};

}  // namespace minyi::core
