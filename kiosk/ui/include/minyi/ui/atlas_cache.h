// A built ImGui font atlas saved to disk and restored on the next start without FreeType rasterising: the
// fonts' metrics and glyphs, the alpha-8 pixels and the atlas's UVs. No window needed.
#pragma once
#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace minyi::ui {

// A fast 64-bit hash (not cryptographic): the cache key and the file's checksum.
uint64_t hash64(const void* data, size_t size, uint64_t seed = 0x9E3779B97F4A7C15ull);

// The key of an atlas whose fonts were added but not built: the font bytes' hash, each font's size, ranges
// and options, the atlas flags and padding, and the ImGui, FreeType and file-format versions.
uint64_t atlasKey(const ImFontAtlas& atlas, uint64_t fontBytesHash);

// Writes the built atlas (alpha-8 pixels still present: before ClearTexData) to `file`, through a temporary
// file and a rename so a crash never leaves half a cache.
bool saveAtlasCache(const ImFontAtlas& atlas, uint64_t key, const std::filesystem::path& file, std::string* error);

// Restores an atlas whose fonts were added with the same configs as when the cache was saved, but not built.
// False when the file is missing, has another key, is truncated or corrupt; the atlas is then untouched and
// the caller builds it normally.
bool loadAtlasCache(ImFontAtlas* atlas, uint64_t key, const std::filesystem::path& file, std::string* error);

}  // namespace minyi::ui
