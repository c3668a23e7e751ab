// Parsing untrusted JSON text (forms, answers, values) with limits: size, nesting depth, UTF-8.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "minyi/core/json.h"

namespace minyi::core {

struct JsonLimits {
  size_t maxBytes = 4 * 1024 * 1024;  // a form is a few tens of KB; 4 MB is generous
  int maxDepth = 64;                  // real forms nest 5-10 levels
};

// Parses text as JSON. On failure returns nullopt and sets error to a sentence for staff
// ("line 3, column 7: ..."). Never throws, never recurses on the input's nesting.
std::optional<Json> parseJsonText(std::string_view text, std::string* error, const JsonLimits& limits = {});

// Reads a whole file with a size limit; nullopt and an error sentence when unreadable or too big.
std::optional<std::string> readTextFile(const std::string& path, std::string* error, size_t maxBytes);
// Writes a whole file through a temporary one and a rename, so a reader (another process polling it) sees the
// old text or the new, never part of it. False when it could not.
bool replaceTextFile(const std::string& path, std::string_view text);

// True when s is valid UTF-8; firstInvalidUtf8 gives the offset of the first bad byte (npos if none).
bool isValidUtf8(std::string_view s);
size_t firstInvalidUtf8(std::string_view s);
// The longest start of `s` of at most `maxBytes` that ends between characters (never inside one).
std::string_view utf8Prefix(std::string_view s, size_t maxBytes);

}  // namespace minyi::core
