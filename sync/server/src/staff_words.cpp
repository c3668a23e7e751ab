// The staff's string table, read once from the copies built into the program.
#include "minyi/server/staff_words.h"

#include <stdexcept>

#include "minyi/core/json_input.h"
#include "staff_words_assets.h"

namespace minyi::server {

void Strings::load(std::string_view json) {
  std::string why;
  auto j = core::parseJsonText(json, &why);
  if (!j || !j->is_object()) throw std::runtime_error("the dashboard's string table is not a JSON object: " + why);
  for (const auto& [k, v] : j->items())
    if (v.is_string()) texts_[k] = v.get<std::string>();
}

std::string Strings::get(const std::string& key) const {
  auto it = texts_.find(key);
  return it == texts_.end() ? "[[" + key + "]]" : it->second;
}

std::string Strings::format(const std::string& key, const std::vector<std::string>& args) const {
  std::string text = get(key);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string mark = "{" + std::to_string(i) + "}";
    for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at + args[i].size()))
      text.replace(at, mark.size(), args[i]);
  }
  return text;
}

const Strings& strings() {
  static const Strings table = [] {
    Strings s;
    s.load(words::dashboard());
    s.load(words::tickets());  // the ticket pages' own entries (assets/dashboard/tickets.zh-CN.json)
    return s;
  }();
  return table;
}

}  // namespace minyi::server
