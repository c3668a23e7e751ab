// The kiosk's fonts: the Noto Sans CJK SC subset read once, an atlas per text mode (normal / 长辈模式) and
// script (简/EN, or 繁 with the Traditional variants), cached on disk between starts.
#pragma once
#include <imgui.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "minyi/input/charset.h"
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
  // Where built atlases are kept between starts (empty: never cached). A missing, stale or damaged file
  // is only a normal build.
  void setCacheFolder(std::filesystem::path folder) { cacheFolder_ = std::move(folder); }

  // (Re)builds the atlas. The body size holds what input candidates and keys need: GB2312, Latin and every
  // character of `displayText` (forms and string tables), plus, when `traditional`, the subset's Traditional
  // variants (only 繁 typing produces them; they make the texture a third bigger). The large sizes hold only
  // `displayText` plus ASCII. FreeType builder, oversample 1, no power-of-two height.
  bool build(ImFontAtlas* atlas, const TypeScale& sizes, const std::string& displayText, bool traditional,
             Fonts* out, std::string* error);

  // True when the current atlas's body font can draw every character of utf8 (a candidate it cannot draw
  // is not offered). Before any build: the whole subset.
  bool canDraw(const std::string& utf8) const { return atlasChars_.containsAll(utf8); }
  const input::CharSet& subset() const { return subset_; }
  // How the last build went: from the cache or rasterised, and why the cache was not used or not written.
  bool lastBuildFromCache() const { return fromCache_; }
  const std::string& lastCacheNote() const { return cacheNote_; }

 private:
  std::vector<unsigned char> bytes_;   // the font file, owned here: the atlas borrows it
  uint64_t bytesHash_ = 0;
  input::CharSet subset_;              // every character of charset.txt
  input::CharSet atlasChars_;          // what the current atlas's body font holds
  std::vector<ImWchar> bodyRanges_;    // kept alive while the atlas exists (ImGui keeps the pointer)
  ImVector<ImWchar> displayRanges_;
  std::filesystem::path cacheFolder_;
  bool fromCache_ = false;
  std::string cacheNote_;
};

}  // namespace minyi::ui
