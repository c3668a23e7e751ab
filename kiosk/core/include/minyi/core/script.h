// Simplified → Traditional Chinese for text written in Simplified at run time (staff replies, notices), via OpenCC.
#pragma once
#include <string>
#include <string_view>

namespace minyi::core {

// `simplified` in Traditional characters (OpenCC's s2tw: characters and phrases, e.g. 发现 → 發現, 头发 → 頭髮,
// with the forms Taiwan and Hong Kong print and our zh-TW tables use: 群 not 羣, 裡 not 裏). Every character it
// gives is in the kiosk's font (fonts/README.md: OpenCC's STCharacters plus TWVariants).
// Latin letters, digits and punctuation stay as they are. When OpenCC or its data cannot be opened the text
// comes back unchanged (a Traditional reader still reads Simplified) and traditionalAvailable() says false.
std::string toTraditional(std::string_view simplified);
bool traditionalAvailable();

// Text written in Simplified (a staff reply, a community's name, a notice) for a reader of `locale`
// (zh-cn, zh-tw, en): in Traditional characters for zh-tw, as it is for everyone else.
std::string simplifiedFor(std::string_view simplified, std::string_view locale);

}  // namespace minyi::core
