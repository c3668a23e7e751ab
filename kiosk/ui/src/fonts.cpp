// Font atlas: one copy of the font bytes, FreeType rasterising, full ranges only where candidates appear,
// and the on-disk cache that skips rasterising on later starts.
#include "minyi/ui/fonts.h"

#include <imgui_freetype.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "minyi/ui/atlas_cache.h"

namespace minyi::ui {

bool FontLibrary::load(const std::string& fontPath, const std::string& charsetPath, std::string* error) {
  std::ifstream font(fontPath, std::ios::binary);
  if (!font) {
    if (error) *error = "cannot open the font " + fontPath;
    return false;
  }
  bytes_.assign(std::istreambuf_iterator<char>(font), std::istreambuf_iterator<char>());
  bytesHash_ = hash64(bytes_.data(), bytes_.size());
  std::ifstream cs(charsetPath, std::ios::binary);
  if (!cs) {
    if (error) *error = "cannot open " + charsetPath;
    return false;
  }
  const std::string charset((std::istreambuf_iterator<char>(cs)), std::istreambuf_iterator<char>());
  subset_ = input::CharSet::fromUtf8(charset);
  atlasChars_ = subset_;
  return true;
}

bool FontLibrary::build(ImFontAtlas* atlas, const TypeScale& sizes, const std::string& displayText, bool traditional,
                        Fonts* out, std::string* error) {
  atlas->Clear();
  atlas->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  atlas->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight | ImFontAtlasFlags_NoMouseCursors;
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(atlas->GetGlyphRangesDefault());
  builder.AddText(displayText.c_str(), displayText.c_str() + displayText.size());
  builder.AddText("·…—“”、，。？！：；（）《》");
  displayRanges_.clear();
  builder.BuildRanges(&displayRanges_);
  atlasChars_ = subset_.forAtlas(traditional, displayText);
  const std::vector<uint16_t> body = atlasChars_.ranges();
  bodyRanges_.assign(body.begin(), body.end());

  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;  // one copy of the bytes for every size
  cfg.OversampleH = cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  auto add = [&](float px, const ImWchar* ranges) {
    return atlas->AddFontFromMemoryTTF(bytes_.data(), static_cast<int>(bytes_.size()), px, &cfg, ranges);
  };
  out->body = add(sizes.body, bodyRanges_.data());
  out->secondary = add(sizes.secondary, displayRanges_.Data);
  out->question = add(sizes.question, displayRanges_.Data);
  out->title = add(sizes.title, displayRanges_.Data);
  out->entry = add(sizes.entry, displayRanges_.Data);
  out->ticket = add(sizes.ticket, atlas->GetGlyphRangesDefault());
  if (!out->body || !out->title) {
    if (error) *error = "the font atlas could not be built";
    return false;
  }

  fromCache_ = false;
  cacheNote_.clear();
  const uint64_t key = atlasKey(*atlas, bytesHash_);
  // One file per body size and script, so switching 长辈模式 or 繁 back and forth finds its own atlas.
  const std::filesystem::path file =
      cacheFolder_.empty() ? std::filesystem::path()
                           : cacheFolder_ / ("atlas-" + std::to_string(std::lround(sizes.body)) +
                                             (traditional ? "-traditional" : "-simplified") + ".bin");
  if (!file.empty()) fromCache_ = loadAtlasCache(atlas, key, file, &cacheNote_);
  if (!fromCache_) {
    if (!atlas->Build()) {
      if (error) *error = "the font atlas could not be built";
      return false;
    }
    if (!file.empty()) {
      std::string why;
      if (!saveAtlasCache(*atlas, key, file, &why)) cacheNote_ = why;
    }
  }
  return true;
}

}  // namespace minyi::ui
