// The kiosk's fonts: the Noto Sans CJK SC subset read once, an atlas per text mode (normal / 长辈模式).
#pragma once
#include <imgui.h>

#include <string>
#include <vector>

#include "minyi/ui/theme.h"

namespace minyi::ui {

struct Fonts {
  ImFont* title = nullptr;
  ImFont* question = nullptr;
  ImFont* body = nullptr;
  ImFont* secondary = nullptr;
  ImFont* entry = nullptr;
  ImFont* ticket = nullptr;
};

class FontLibrary {
 public:
  // Reads the font file and its charset.txt (every character of the subset) once.
  bool load(const std::string& fontPath, const std::string& charsetPath, std::string* error);

  // (Re)builds the atlas: body and secondary sizes hold every character of the subset (input candidates
  // need them); the large sizes hold only `displayText` (forms and string tables) plus ASCII, so the
  // atlas stays small. FreeType builder, oversample 1, no power-of-two height.
  bool build(ImFontAtlas* atlas, const TypeScale& sizes, const std::string& displayText, Fonts* out,
             std::string* error);

  // True when every character of utf8 is in the subset (a candidate the font cannot draw is not offered).
  bool canDraw(const std::string& utf8) const;

 private:
  std::vector<unsigned char> bytes_;       // the font file, owned here: the atlas borrows it
  std::vector<ImWchar> fullRanges_;        // ranges of every character in charset.txt
  std::vector<bool> present_;              // BMP code point → in the subset
  ImVector<ImWchar> displayRanges_;        // kept alive while the atlas is built
};

}  // namespace minyi::ui
