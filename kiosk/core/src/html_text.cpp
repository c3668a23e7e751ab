// HTML to plain text with its strong runs: a small tag scanner, no regular expressions (linear on any input).
#include "minyi/core/html_text.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace minyi::core {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void appendUtf8(std::string& out, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The entity at html[i] ('&'): its text and length, or nothing when it is not one we know.
bool entity(const std::string& html, size_t i, std::string* text, size_t* length) {
  static const std::pair<const char*, const char*> named[] = {{"&nbsp;", " "}, {"&lt;", "<"},  {"&gt;", ">"},
                                                              {"&quot;", "\""}, {"&amp;", "&"}, {"&#39;", "'"}};
  for (const auto& [from, to] : named)
    if (html.compare(i, std::strlen(from), from) == 0) {
      *text = to;
      *length = std::strlen(from);
      return true;
    }
  if (html.compare(i, 2, "&#") != 0) return false;
  const size_t semi = html.find(';', i);
  if (semi == std::string::npos || semi - i > 10) return false;
  const bool hex = i + 2 < html.size() && (html[i + 2] == 'x' || html[i + 2] == 'X');
  const std::string digits = html.substr(i + (hex ? 3 : 2), semi - i - (hex ? 3 : 2));
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [&](char c) { return hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c)); }))
    return false;
  text->clear();
  appendUtf8(*text, std::stoul(digits, nullptr, hex ? 16 : 10));
  *length = semi - i + 1;
  return true;
}

}  // namespace

RichText richText(const std::string& html) {
  RichText out;
  int strong = 0;
  auto add = [&](const std::string& s) {
    out.text += s;
    out.strong.insert(out.strong.end(), s.size(), strong > 0);
  };
  auto lineBreak = [&] {
    if (!out.text.empty() && out.text.back() != '\n') add("\n");
  };
  for (size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<') {
      const size_t end = html.find('>', i);
      if (end == std::string::npos) {  // not a tag: a lone '<' is text
        add("<");
        ++i;
        continue;
      }
      std::string tag = lower(html.substr(i + 1, end - i - 1));
      const bool closing = !tag.empty() && tag[0] == '/';
      if (closing) tag.erase(0, 1);
      const size_t nameEnd = tag.find_first_of(" \t\n/");
      const std::string name = tag.substr(0, nameEnd);
      const bool heading = name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
      if (name == "b" || name == "strong" || heading) strong = std::max(0, strong + (closing ? -1 : 1));
      if (name == "br" || ((name == "p" || name == "div" || name == "li" || heading) && closing)) lineBreak();
      if ((name == "p" || name == "div" || name == "li" || heading) && !closing) lineBreak();
      i = end + 1;
      continue;
    }
    if (c == '&') {
      std::string text;
      size_t length = 0;
      if (entity(html, i, &text, &length)) {
        add(text);
        i += length;
        continue;
      }
    }
    add(std::string(1, c));
    ++i;
  }
  while (!out.text.empty() && (out.text.back() == '\n' || out.text.back() == ' ')) {
    out.text.pop_back();
    out.strong.pop_back();
  }
  return out;
}

std::string plainText(const std::string& html) { return richText(html).text; }

}  // namespace minyi::core
