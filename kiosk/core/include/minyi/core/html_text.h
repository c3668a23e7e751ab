// The HTML a form may hold (html questions, completedHtml) as plain text with its emphasis: what a kiosk or a
// printer draws, where no browser is.
#pragma once
#include <string>
#include <vector>

namespace minyi::core {

struct RichText {
  std::string text;           // tags gone, entities decoded, block ends and <br> as line breaks
  std::vector<bool> strong;   // per byte of text: inside <b> or <strong>
};

// <p>, <div>, <li>, headings and <br> become line breaks; <b>/<strong> (and headings) mark their text
// strong; every other tag goes; &nbsp; &lt; &gt; &quot; &amp; &#NNN; and &#xHH; become their characters.
RichText richText(const std::string& html);
// The same without the emphasis.
std::string plainText(const std::string& html);

}  // namespace minyi::core
