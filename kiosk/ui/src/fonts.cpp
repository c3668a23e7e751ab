// Font atlas: one copy of the font bytes, FreeType rasterising, full ranges only where candidates appear.
#include "minyi/ui/fonts.h"

#include <imgui_freetype.h>

#include <fstream>
#include <iterator>

namespace minyi::ui {

namespace {

// Decodes UTF-8 into BMP code points (ImWchar is 16-bit in Debian's build); others are skipped.
std::vector<unsigned> codePoints(const std::string& s) {
  std::vector<unsigned> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    unsigned cp = 0;
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > s.size()) break;
    if (len == 1) cp = c;
    else {
      cp = c & (0x7F >> len);
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    out.push_back(cp);
  }
  return out;
}

}  // namespace

bool FontLibrary::load(const std::string& fontPath, const std::string& charsetPath, std::string* error) {
  std::ifstream font(fontPath, std::ios::binary);
  if (!font) {
    if (error) *error = "cannot open the font " + fontPath;
    return false;
  }
  bytes_.assign(std::istreambuf_iterator<char>(font), std::istreambuf_iterator<char>());
  std::ifstream cs(charsetPath, std::ios::binary);
  if (!cs) {
    if (error) *error = "cannot open " + charsetPath;
    return false;
  }
  const std::string charset((std::istreambuf_iterator<char>(cs)), std::istreambuf_iterator<char>());
  present_.assign(0x10000, false);
  for (unsigned cp : codePoints(charset))
    if (cp < 0x10000 && cp >= 0x20) present_[cp] = true;
  // Contiguous runs become ranges: [first, last] pairs, zero-terminated.
  fullRanges_.clear();
  for (unsigned cp = 0x20; cp < 0x10000; ++cp) {
    if (!present_[cp]) continue;
    unsigned end = cp;
    while (end + 1 < 0x10000 && present_[end + 1]) ++end;
    fullRanges_.push_back(static_cast<ImWchar>(cp));
    fullRanges_.push_back(static_cast<ImWchar>(end));
    cp = end;
  }
  fullRanges_.push_back(0);
  return true;
}

bool FontLibrary::canDraw(const std::string& utf8) const {
  for (unsigned cp : codePoints(utf8)) {
    if (cp == '\n') continue;
    if (cp >= present_.size() || !present_[cp]) return false;
  }
  return true;
}

bool FontLibrary::build(ImFontAtlas* atlas, const TypeScale& sizes, const std::string& displayText, Fonts* out,
                        std::string* error) {
  atlas->Clear();
  atlas->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  atlas->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight | ImFontAtlasFlags_NoMouseCursors;
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(atlas->GetGlyphRangesDefault());
  builder.AddText(displayText.c_str(), displayText.c_str() + displayText.size());
  builder.AddText("·…—“”、，。？！：；（）《》");
  displayRanges_.clear();
  builder.BuildRanges(&displayRanges_);

  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;  // one copy of the bytes for every size
  cfg.OversampleH = cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  auto add = [&](float px, const ImWchar* ranges) {
    return atlas->AddFontFromMemoryTTF(bytes_.data(), static_cast<int>(bytes_.size()), px, &cfg, ranges);
  };
  out->body = add(sizes.body, fullRanges_.data());
  out->secondary = add(sizes.secondary, displayRanges_.Data);
  out->question = add(sizes.question, displayRanges_.Data);
  out->title = add(sizes.title, displayRanges_.Data);
  out->entry = add(sizes.entry, displayRanges_.Data);
  out->ticket = add(sizes.ticket, atlas->GetGlyphRangesDefault());
  if (!out->body || !out->title || !atlas->Build()) {
    if (error) *error = "the font atlas could not be built";
    return false;
  }
  return true;
}

}  // namespace minyi::ui
