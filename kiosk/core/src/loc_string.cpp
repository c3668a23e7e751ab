// Localizable strings: assignment from form JSON and SurveyJS's locale fallback order.
#include "minyi/core/loc_string.h"

#include <algorithm>
#include <cctype>

namespace minyi::core {

std::string normalizeLocale(std::string_view locale) {
  std::string out(locale);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '_') c = '-';
  }
  return out;
}

bool LocString::assign(const Json& j) {
  texts_.clear();
  if (j.is_string()) {
    texts_["default"] = j.get<std::string>();
    return true;
  }
  if (j.is_number() || j.is_boolean()) {  // SurveyJS shows String(value)
    texts_["default"] = j.dump();
    return true;
  }
  if (!j.is_object()) return false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) continue;
    std::string key = it.key() == "default" ? "default" : normalizeLocale(it.key());
    texts_[key] = it.value().get<std::string>();
  }
  return true;
}

std::string LocString::get(std::string_view localeIn) const {
  if (texts_.empty()) return {};
  const std::string locale = normalizeLocale(localeIn);
  auto find = [&](const std::string& key) -> const std::string* {
    auto it = texts_.find(key);
    return it != texts_.end() && !it->second.empty() ? &it->second : nullptr;
  };
  if (!locale.empty()) {
    if (auto* s = find(locale)) return *s;
  }
  if (locale.empty() || locale == "en") {
    if (auto* s = find("en")) return *s;
  }
  auto dash = locale.find('-');
  if (dash != std::string::npos) {
    if (auto* s = find(locale.substr(0, dash))) return *s;
  }
  if (auto* s = find("default")) return *s;
  return {};
}

}  // namespace minyi::core
