// The font atlas cache: ImGui 1.86 cannot load a prebuilt atlas, so the built fonts are rebuilt from saved
// glyphs (ImFontGlyph as is, then BuildLookupTable) and the saved alpha-8 texture.
#include "minyi/ui/atlas_cache.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace minyi::ui {

namespace {

constexpr char kMagic[8] = {'M', 'I', 'N', 'Y', 'I', 'A', 'T', 'L'};
constexpr uint32_t kFormat = 1;  // bump when the layout below changes
constexpr int kLines = IM_DRAWLIST_TEX_LINES_WIDTH_MAX + 1;
static_assert(std::is_trivially_copyable<ImFontGlyph>::value, "glyphs are saved as bytes");

struct Header {
  char magic[8];
  uint32_t format;
  uint32_t glyphSize;
  uint64_t key;
  int32_t width, height;
  ImVec2 whitePixel;
  ImVec4 lines[kLines];
  uint32_t fonts;
  uint32_t pad;
};
struct FontHeader {
  float size, ascent, descent;
  uint32_t glyphs;
  int32_t surface;
  uint32_t pad;
};

void put(std::vector<unsigned char>& out, const void* p, size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  out.insert(out.end(), b, b + n);
}

// Reads n bytes at *pos when they are there.
bool take(const std::vector<unsigned char>& in, size_t end, size_t* pos, void* p, size_t n) {
  if (n > end - *pos) return false;
  std::memcpy(p, in.data() + *pos, n);
  *pos += n;
  return true;
}

bool fail(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
  return false;
}

}  // namespace

uint64_t hash64(const void* data, size_t size, uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  auto mix = [&](uint64_t w) {
    h ^= w;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  };
  for (; size >= 8; size -= 8, p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    mix(w);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, size);
  mix(tail ^ (static_cast<uint64_t>(size) << 56));
  return h;
}

uint64_t atlasKey(const ImFontAtlas& atlas, uint64_t fontBytesHash) {
  uint64_t h = hash64(&fontBytesHash, sizeof fontBytesHash);
  const int versions[] = {IMGUI_VERSION_NUM, FREETYPE_MAJOR, FREETYPE_MINOR, FREETYPE_PATCH, static_cast<int>(kFormat),
                          static_cast<int>(sizeof(ImFontGlyph)), static_cast<int>(sizeof(ImWchar)), kLines,
                          atlas.Flags, atlas.TexGlyphPadding, atlas.TexDesiredWidth, atlas.ConfigData.Size};
  h = hash64(versions, sizeof versions, h);
  for (const ImFontConfig& c : atlas.ConfigData) {
    const float f[] = {c.SizePixels, c.GlyphExtraSpacing.x, c.GlyphExtraSpacing.y, c.GlyphOffset.x, c.GlyphOffset.y,
                       c.GlyphMinAdvanceX, c.GlyphMaxAdvanceX, c.RasterizerMultiply};
    const int i[] = {c.FontNo, c.OversampleH, c.OversampleV, c.PixelSnapH, c.MergeMode, static_cast<int>(c.FontBuilderFlags),
                     c.EllipsisChar, c.FontDataSize};
    h = hash64(f, sizeof f, h);
    h = hash64(i, sizeof i, h);
    size_t n = 0;
    if (c.GlyphRanges)
      while (c.GlyphRanges[n]) ++n;
    if (n) h = hash64(c.GlyphRanges, n * sizeof(ImWchar), h);
  }
  return h;
}

bool saveAtlasCache(const ImFontAtlas& atlas, uint64_t key, const std::filesystem::path& file, std::string* error) {
  if (!atlas.TexPixelsAlpha8 || atlas.TexWidth <= 0 || atlas.TexHeight <= 0)
    return fail(error, "the atlas has no alpha-8 pixels to save");
  std::vector<unsigned char> out;
  const size_t pixels = static_cast<size_t>(atlas.TexWidth) * atlas.TexHeight;
  out.reserve(pixels + 1024 * 1024);
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format = kFormat;
  h.glyphSize = sizeof(ImFontGlyph);
  h.key = key;
  h.width = atlas.TexWidth;
  h.height = atlas.TexHeight;
  h.whitePixel = atlas.TexUvWhitePixel;
  for (int i = 0; i < kLines; ++i) h.lines[i] = atlas.TexUvLines[i];
  h.fonts = static_cast<uint32_t>(atlas.Fonts.Size);
  put(out, &h, sizeof h);
  for (const ImFont* f : atlas.Fonts) {
    FontHeader fh{f->FontSize, f->Ascent, f->Descent, static_cast<uint32_t>(f->Glyphs.Size), f->MetricsTotalSurface, 0};
    put(out, &fh, sizeof fh);
    put(out, f->Glyphs.Data, sizeof(ImFontGlyph) * f->Glyphs.Size);
  }
  put(out, atlas.TexPixelsAlpha8, pixels);
  const uint64_t sum = hash64(out.data(), out.size());
  put(out, &sum, sizeof sum);

  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  const std::filesystem::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
    if (!o.flush()) {
      std::filesystem::remove(tmp, ec);
      return fail(error, "cannot write " + tmp.string());
    }
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return fail(error, "cannot rename the atlas cache to " + file.string());
  }
  return true;
}

bool loadAtlasCache(ImFontAtlas* atlas, uint64_t key, const std::filesystem::path& file, std::string* error) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return fail(error, "no atlas cache at " + file.string());
  const std::streamoff size = in.tellg();
  if (size < static_cast<std::streamoff>(sizeof(Header) + sizeof(uint64_t))) return fail(error, "the atlas cache is truncated");
  std::vector<unsigned char> data(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(data.data()), size)) return fail(error, "cannot read " + file.string());

  // Everything is checked before the atlas is touched.
  const size_t end = data.size() - sizeof(uint64_t);
  size_t pos = 0;
  Header h{};
  take(data, end, &pos, &h, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.format != kFormat || h.glyphSize != sizeof(ImFontGlyph))
    return fail(error, "not an atlas cache of this version");
  if (h.key != key) return fail(error, "the atlas cache is stale (fonts, sizes or ranges changed)");
  if (h.fonts != static_cast<uint32_t>(atlas->Fonts.Size) || atlas->Fonts.Size != atlas->ConfigData.Size)
    return fail(error, "the atlas cache holds another set of fonts");
  uint64_t sum = 0;
  std::memcpy(&sum, data.data() + end, sizeof sum);
  if (hash64(data.data(), end) != sum) return fail(error, "the atlas cache is corrupt (checksum)");
  if (h.width <= 0 || h.height <= 0 || h.width > 16384 || h.height > 16384)
    return fail(error, "the atlas cache has an impossible texture size");
  std::vector<FontHeader> fonts(h.fonts);
  std::vector<size_t> glyphAt(h.fonts);
  for (uint32_t i = 0; i < h.fonts; ++i) {
    if (!take(data, end, &pos, &fonts[i], sizeof(FontHeader))) return fail(error, "the atlas cache is truncated");
    const size_t bytes = sizeof(ImFontGlyph) * static_cast<size_t>(fonts[i].glyphs);
    if (fonts[i].glyphs > 0x20000 || bytes > end - pos) return fail(error, "the atlas cache is truncated");
    glyphAt[i] = pos;
    pos += bytes;
  }
  const size_t pixels = static_cast<size_t>(h.width) * static_cast<size_t>(h.height);
  if (end - pos != pixels) return fail(error, "the atlas cache is truncated");

  atlas->ClearTexData();
  atlas->TexWidth = h.width;
  atlas->TexHeight = h.height;
  atlas->TexUvScale = ImVec2(1.0f / h.width, 1.0f / h.height);
  atlas->TexUvWhitePixel = h.whitePixel;
  for (int i = 0; i < kLines; ++i) atlas->TexUvLines[i] = h.lines[i];
  atlas->TexPixelsAlpha8 = static_cast<unsigned char*>(IM_ALLOC(pixels));
  std::memcpy(atlas->TexPixelsAlpha8, data.data() + pos, pixels);
  atlas->TexPixelsUseColors = false;
  for (uint32_t i = 0; i < h.fonts; ++i) {
    // What ImFontAtlasBuildSetupFont and the builder leave in a font, then the lookup tables from the glyphs.
    ImFont* f = atlas->Fonts[static_cast<int>(i)];
    f->ClearOutputData();
    f->FontSize = fonts[i].size;
    f->Ascent = fonts[i].ascent;
    f->Descent = fonts[i].descent;
    f->ConfigData = &atlas->ConfigData[static_cast<int>(i)];
    f->ConfigDataCount = 1;
    f->ContainerAtlas = atlas;
    f->MetricsTotalSurface = fonts[i].surface;
    f->Glyphs.resize(static_cast<int>(fonts[i].glyphs));
    if (fonts[i].glyphs) std::memcpy(f->Glyphs.Data, data.data() + glyphAt[i], sizeof(ImFontGlyph) * fonts[i].glyphs);
    f->BuildLookupTable();
  }
  atlas->TexReady = true;
  return true;
}

}  // namespace minyi::ui
