// UI string tables: loading assets/strings/*.json and looking up localized messages with arguments.
#include "minyi/core/strings.h"

#include "minyi/core/json_input.h"
#include "minyi/core/loc_string.h"

namespace minyi::core {

std::string StringTable::loadLocale(const std::string& locale, const std::string& jsonText) {
  std::string err;
  auto j = parseJsonText(jsonText, &err);
  if (!j) return "string table " + locale + ": " + err;
  if (!j->is_object()) return "string table " + locale + ": expected a JSON object of key → text";
  auto& table = tables_[normalizeLocale(locale)];
  for (auto it = j->begin(); it != j->end(); ++it) {
    if (!it.value().is_string()) return "string table " + locale + ": \"" + it.key() + "\" is not a string";
    table[it.key()] = it.value().get<std::string>();
  }
  return {};
}

std::string StringTable::loadFolder(const std::string& folder) {
  for (const char* locale : {"zh-CN", "zh-TW", "en"}) {
    std::string err;
    auto text = readTextFile(folder + "/" + locale + ".json", &err, 1 << 20);
    if (!text) return err;
    err = loadLocale(locale, *text);
    if (!err.empty()) return err;
  }
  return {};
}

bool StringTable::has(std::string_view locale, const std::string& key) const {
  auto t = tables_.find(normalizeLocale(locale));
  return t != tables_.end() && t->second.count(key) > 0;
}

std::string StringTable::get(std::string_view locale, const std::string& key,
                             const std::vector<std::string>& args) const {
  std::string text = key;
  for (const std::string& loc : {normalizeLocale(locale), std::string("zh-cn")}) {
    auto t = tables_.find(loc);
    if (t == tables_.end()) continue;
    auto s = t->second.find(key);
    if (s != t->second.end()) {
      text = s->second;
      break;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string ph = "{" + std::to_string(i) + "}";
    for (size_t pos = text.find(ph); pos != std::string::npos; pos = text.find(ph, pos + args[i].size())) {
      text.replace(pos, ph.size(), args[i]);
    }
  }
  return text;
}

std::vector<std::string> StringTable::locales() const {
  std::vector<std::string> out;
  for (const auto& [loc, _] : tables_) out.push_back(loc);
  return out;
}

std::vector<std::string> StringTable::missingKeys(std::string_view locale, std::string_view reference) const {
  std::vector<std::string> out;
  auto ref = tables_.find(normalizeLocale(reference));
  if (ref == tables_.end()) return out;
  for (const auto& [key, _] : ref->second) {
    if (!has(locale, key)) out.push_back(key);
  }
  return out;
}

}  // namespace minyi::core
