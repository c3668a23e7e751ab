// Untrusted JSON input: size and depth limits checked before parsing, UTF-8 checked, errors as sentences.
#include "minyi/core/json_input.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace minyi::core {

size_t firstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

bool isValidUtf8(std::string_view s) { return firstInvalidUtf8(s) == std::string_view::npos; }

std::string_view utf8Prefix(std::string_view s, size_t maxBytes) {
  if (s.size() <= maxBytes) return s;
  size_t end = maxBytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // back to a character's start
  return s.substr(0, end);
}

namespace {
// Line and column (1-based) of a byte offset, for messages staff can find in an editor.
std::string where(std::string_view text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}
}  // namespace

std::optional<Json> parseJsonText(std::string_view text, std::string* error, const JsonLimits& limits) {
  auto fail = [&](std::string msg) -> std::optional<Json> {
    if (error) *error = std::move(msg);
    return std::nullopt;
  };
  if (text.size() > limits.maxBytes) {
    return fail("the JSON is " + std::to_string(text.size()) + " bytes; the limit is " +
                std::to_string(limits.maxBytes) + " bytes");
  }
  if (size_t bad = firstInvalidUtf8(text); bad != std::string_view::npos) {
    return fail(where(text, bad) + ": the text is not valid UTF-8 (save the file as UTF-8)");
  }
  // Depth scan without recursion: nlohmann's parser is iterative, but everything that walks the
  // result afterwards is not, so absurd nesting is refused here.
  int depth = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
      continue;
    }
    if (c == '"') inString = true;
    else if (c == '{' || c == '[') {
      if (++depth > limits.maxDepth) {
        return fail(where(text, i) + ": nesting deeper than " + std::to_string(limits.maxDepth) + " levels");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // parse_error for syntax, out_of_range for numbers like 1e400 (found by fuzz_form_loader).
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    std::string what = e.what();
    auto close = what.find("] ");
    return fail(close == std::string::npos ? what : what.substr(close + 2));
  }
}

bool replaceTextFile(const std::string& path, std::string_view text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

std::optional<std::string> readTextFile(const std::string& path, std::string* error, size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = path + ": cannot open the file";
    return std::nullopt;
  }
  std::string out;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    out.append(buf, static_cast<size_t>(in.gcount()));
    if (out.size() > maxBytes) {
      if (error) *error = path + ": the file is larger than " + std::to_string(maxBytes) + " bytes";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    if (error) *error = path + ": read error";
    return std::nullopt;
  }
  return out;
}

}  // namespace minyi::core
