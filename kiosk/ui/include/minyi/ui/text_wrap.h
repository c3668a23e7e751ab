// Line breaking for Chinese and English text: breaks between CJK characters or at spaces, never puts closing
// punctuation at a line's start or opening punctuation at a line's end (the Chinese rule, 避头尾).
#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace minyi::ui {

// `text` with '\n' inserted where lines must break to fit `width`; `measure` gives a piece's drawn width.
// Existing '\n' are kept. A single unbreakable piece wider than `width` gets a line of its own.
std::string wrapText(std::string_view text, float width, const std::function<float(std::string_view)>& measure);

}  // namespace minyi::ui
