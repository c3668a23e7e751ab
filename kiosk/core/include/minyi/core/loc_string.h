// Localizable texts of a form ("default", "zh-cn", "zh-tw", "en", ...) and the lookup order of SurveyJS.
#pragma once
#include <map>
#include <string>

#include "minyi/core/json.h"

namespace minyi::core {

// Locale codes as forms write them: lower case, "zh-cn", "zh-tw", "en". Accepts "zh-CN", "zh_TW", "EN".
std::string normalizeLocale(std::string_view locale);

class LocString {
 public:
  LocString() = default;
  explicit LocString(std::string defaultText) { texts_["default"] = std::move(defaultText); }

  // From a form property: a string (the "default" text) or an object of locale → text.
  // Returns false (and stays empty) when the JSON is neither.
  bool assign(const Json& j);

  // surveyjs-subset.md §5: value[locale] → (locale empty or "en") value["en"] → value[root dialect] →
  // value["default"] → "".
  std::string get(std::string_view locale) const;
  bool empty() const { return texts_.empty(); }
  bool has(std::string_view locale) const { return texts_.count(std::string(locale)) > 0; }
  const std::map<std::string, std::string>& texts() const { return texts_; }

 private:
  std::map<std::string, std::string> texts_;
};

}  // namespace minyi::core
