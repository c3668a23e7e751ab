// wrapText: tokens that may not be split (a Latin word, a CJK character with the punctuation glued to it),
// laid out greedily line by line.
#include "minyi/ui/text_wrap.h"

#include <vector>

namespace minyi::ui {

namespace {

size_t charLength(unsigned char c) { return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1; }

// Punctuation that may not begin a line (closing marks, commas, stops) or end one (opening marks).
bool noLineStart(std::string_view c) {
  static const char* marks[] = {"，", "。", "、", "；", "：", "！", "？", "）", "」", "』", "》", "〉", "”", "’", "…",
                                "—", "·", ",", ".", ";", ":", "!", "?", ")", "]", "}", "%"};
  for (const char* m : marks)
    if (c == m) return true;
  return false;
}
bool noLineEnd(std::string_view c) {
  static const char* marks[] = {"（", "「", "『", "《", "〈", "“", "‘", "(", "[", "{"};
  for (const char* m : marks)
    if (c == m) return true;
  return false;
}
bool isLatinWordChar(std::string_view c) {
  if (c.size() != 1) return false;
  const char ch = c[0];
  return ch != ' ' && ch != '\n' && ch != '\t';
}

}  // namespace

std::string wrapText(std::string_view text, float width, const std::function<float(std::string_view)>& measure) {
  // Split into characters first.
  std::vector<std::string_view> chars;
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::min(charLength(static_cast<unsigned char>(text[i])), text.size() - i);
    chars.push_back(text.substr(i, n));
    i += n;
  }
  // Tokens: a run of Latin non-space characters is one token; every other character is its own token;
  // spaces and newlines are tokens of their own. Then glue: a no-line-start mark joins the token before it,
  // a no-line-end mark joins the token after it.
  std::vector<std::string> tokens;
  bool glueNext = false;
  for (size_t i = 0; i < chars.size(); ++i) {
    std::string_view c = chars[i];
    std::string token(c);
    if (isLatinWordChar(c) && !noLineStart(c) && !noLineEnd(c))
      while (i + 1 < chars.size() && isLatinWordChar(chars[i + 1]) && !noLineEnd(chars[i + 1])) token += chars[++i];
    const bool isSpace = token == " " || token == "\n";
    if (!tokens.empty() && !isSpace && (glueNext || noLineStart(c)) && tokens.back() != "\n" && tokens.back() != " ")
      tokens.back() += token;
    else
      tokens.push_back(token);
    glueNext = noLineEnd(c);
  }
  std::string out;
  float lineWidth = 0;
  bool lineEmpty = true;
  for (const std::string& t : tokens) {
    if (t == "\n") {
      out += '\n';
      lineWidth = 0;
      lineEmpty = true;
      continue;
    }
    if (t == " " && lineEmpty) continue;  // no space at a line's start
    const float w = measure(t);
    if (!lineEmpty && lineWidth + w > width) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += '\n';
      lineWidth = 0;
      lineEmpty = true;
      if (t == " ") continue;
    }
    out += t;
    lineWidth += w;
    lineEmpty = false;
  }
  return out;
}

}  // namespace minyi::ui
