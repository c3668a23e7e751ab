// The strict TOML checker shared by the kiosk's and the server's configuration (see checked_toml.h).
#include "minyi/config/checked_toml.h"

#include <algorithm>

namespace minyi::config {

const char* typeName(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number with a fraction";
    case toml::node_type::boolean: return "true/false";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    case toml::node_type::none: return "nothing";
  }
  return "nothing";
}

std::optional<toml::table> parseChecked(std::string_view text, const KeySpec* keys, size_t count,
                                        std::vector<std::string>& problems, const UnknownKeyWords& unknownKeyWords) {
  const KeySpec* end = keys + count;
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    problems.push_back("line " + std::to_string(where.line) + ", column " + std::to_string(where.column) +
                       ": not valid TOML: " + std::string(e.description()));
    return std::nullopt;
  }
  // The tables, in the order the keys name them, for the message about an unknown one.
  std::string tables;
  for (const KeySpec* k = keys; k != end; ++k) {
    const bool seen = std::any_of(keys, k, [&](const KeySpec& before) { return std::string_view(before.table) == k->table; });
    if (!seen) tables += (tables.empty() ? "" : ", ") + std::string(k->table);
  }
  for (const auto& [tableKey, tableNode] : root) {
    const std::string t(tableKey.str());
    if (std::none_of(keys, end, [&](const KeySpec& k) { return t == k.table; })) {
      problems.push_back(t + ": unknown key (the tables are " + tables + ")");
      continue;
    }
    const toml::table* tbl = tableNode.as_table();
    if (!tbl) {
      problems.push_back(t + ": must be a table ([" + t + "]), not " + typeName(tableNode.type()));
      continue;
    }
    for (const auto& [key, node] : *tbl) {
      const std::string k(key.str());
      if (std::any_of(keys, end, [&](const KeySpec& s) { return t == s.table && k == s.name; })) continue;
      std::optional<std::string> words = unknownKeyWords ? unknownKeyWords(t, k) : std::nullopt;
      problems.push_back(words ? *words : t + "." + k + ": unknown key");
    }
  }
  for (const KeySpec* spec = keys; spec != end; ++spec) {
    const std::string name = std::string(spec->table) + "." + spec->name;
    const toml::node* node = root.at_path(name).node();
    if (!node) {
      if (spec->required) problems.push_back(name + ": missing (" + spec->what + ")");
      continue;
    }
    const bool wholeNumberForFloat = spec->type == toml::node_type::floating_point && node->type() == toml::node_type::integer;
    if (node->type() != spec->type && !wholeNumberForFloat)
      problems.push_back(name + ": must be " + typeName(spec->type) + ", not " + typeName(node->type()));
  }
  return root;
}

}  // namespace minyi::config
