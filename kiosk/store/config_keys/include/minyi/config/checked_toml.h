// TOML configuration read strictly, every problem named by its key: the one checker the kiosk's and the server's configuration use.
#pragma once
#include <toml++/toml.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minyi::config {

// A key a configuration may have, with what it is for (said when a required one is missing).
struct KeySpec {
  const char* table;
  const char* name;
  toml::node_type type;
  bool required;
  const char* what;
};

// "a string", "an integer", … for messages.
const char* typeName(toml::node_type t);

// Parses `text` as TOML and checks it against the keys: an unknown table or key is a problem (a misspelt
// optional key would otherwise be ignored silently), so is a missing required key or a value of another
// type (a whole number where a number with a fraction is asked is fine). Each problem is one sentence in
// `problems`; `unknownKeyWords(table, key)` may give better words for an unknown key than "unknown key".
// Returns the parsed table, also when it has problems; nullopt (with the line and column in `problems`)
// when the text is not TOML at all.
using UnknownKeyWords = std::function<std::optional<std::string>(const std::string& table, const std::string& key)>;
std::optional<toml::table> parseChecked(std::string_view text, const KeySpec* keys, size_t count,
                                        std::vector<std::string>& problems, const UnknownKeyWords& unknownKeyWords = {});
template <size_t N>
std::optional<toml::table> parseChecked(std::string_view text, const KeySpec (&keys)[N], std::vector<std::string>& problems,
                                        const UnknownKeyWords& unknownKeyWords = {}) {
  return parseChecked(text, keys, N, problems, unknownKeyWords);
}

}  // namespace minyi::config
