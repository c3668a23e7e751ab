// Font subset and atlas tests without a window: which characters each script's atlas holds, and the atlas
// cache (round trip identical to a build; missing, stale, truncated or corrupt files fall back to a build).
#include <catch2/catch.hpp>
#include <imgui.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "minyi/input/charset.h"
#include "minyi/ui/atlas_cache.h"
#include "minyi/ui/fonts.h"

namespace fs = std::filesystem;
using minyi::input::CharSet;

namespace {

const char* kFont = MINYI_FONTS_DIR "/NotoSansCJKsc-Minyi.otf";
const char* kCharset = MINYI_FONTS_DIR "/charset.txt";
// A text shown on screen with one Traditional-only character (們) and ASCII.
const std::string kShown = "我們的社區 Our community 1234";

struct ImGuiScope {
  ImGuiScope() { ImGui::CreateContext(); }
  ~ImGuiScope() { ImGui::DestroyContext(); }
};

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("minyi-fonts-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

minyi::ui::FontLibrary library(const fs::path& cache = {}) {
  minyi::ui::FontLibrary lib;
  std::string err;
  REQUIRE(lib.load(kFont, kCharset, &err));
  lib.setCacheFolder(cache);
  return lib;
}

void requireSameAtlas(const ImFontAtlas& a, const ImFontAtlas& b) {
  REQUIRE(a.TexWidth == b.TexWidth);
  REQUIRE(a.TexHeight == b.TexHeight);
  REQUIRE(a.TexUvWhitePixel.x == b.TexUvWhitePixel.x);
  REQUIRE(a.TexUvWhitePixel.y == b.TexUvWhitePixel.y);
  REQUIRE(std::memcmp(a.TexUvLines, b.TexUvLines, sizeof a.TexUvLines) == 0);
  REQUIRE(a.TexPixelsAlpha8);
  REQUIRE(b.TexPixelsAlpha8);
  REQUIRE(std::memcmp(a.TexPixelsAlpha8, b.TexPixelsAlpha8, static_cast<size_t>(a.TexWidth) * a.TexHeight) == 0);
  REQUIRE(a.Fonts.Size == b.Fonts.Size);
  for (int i = 0; i < a.Fonts.Size; ++i) {
    const ImFont& x = *a.Fonts[i];
    const ImFont& y = *b.Fonts[i];
    CHECK(x.FontSize == y.FontSize);
    CHECK(x.Ascent == y.Ascent);
    CHECK(x.Descent == y.Descent);
    CHECK(x.FallbackChar == y.FallbackChar);
    CHECK(x.FallbackAdvanceX == y.FallbackAdvanceX);
    CHECK(x.EllipsisChar == y.EllipsisChar);
    CHECK(y.ContainerAtlas == &b);
    REQUIRE(x.Glyphs.Size == y.Glyphs.Size);
    REQUIRE(std::memcmp(x.Glyphs.Data, y.Glyphs.Data, sizeof(ImFontGlyph) * x.Glyphs.Size) == 0);
    REQUIRE(x.IndexLookup.Size == y.IndexLookup.Size);
    CHECK(std::memcmp(x.IndexLookup.Data, y.IndexLookup.Data, sizeof(ImWchar) * x.IndexLookup.Size) == 0);
    CHECK(std::memcmp(x.IndexAdvanceX.Data, y.IndexAdvanceX.Data, sizeof(float) * x.IndexAdvanceX.Size) == 0);
    // The restored font measures text as the built one does.
    const char* text = "东湖社区 民意 Minyi 123";
    CHECK(x.CalcTextSizeA(x.FontSize, 1e9f, 0, text).x == y.CalcTextSizeA(y.FontSize, 1e9f, 0, text).x);
  }
}

}  // namespace

TEST_CASE("charset: UTF-8 decoding and GB2312 membership") {
  CHECK(minyi::input::decodeUtf8("a们€") == std::vector<char32_t>{U'a', U'们', U'€'});
  CHECK(minyi::input::decodeUtf8("ab\xE4\xBB").size() == 2);  // a truncated sequence ends the text
  REQUIRE(minyi::input::gb2312Known());
  CHECK(minyi::input::isGb2312(U'们'));
  CHECK(minyi::input::isGb2312(U'。'));
  CHECK_FALSE(minyi::input::isGb2312(U'們'));
  CHECK_FALSE(minyi::input::isGb2312(U'丟'));
  CHECK_FALSE(minyi::input::isGb2312(U'A'));  // ASCII is single-byte, not part of the double-byte set
}

TEST_CASE("charset: the 简 atlas leaves out only Traditional variants that nothing displays") {
  std::ifstream in(kCharset, std::ios::binary);
  const CharSet subset = CharSet::fromUtf8(std::string(std::istreambuf_iterator<char>(in), {}));
  const CharSet simplified = subset.forAtlas(false, kShown);
  const CharSet traditional = subset.forAtlas(true, kShown);
  CHECK(traditional.size() == subset.size());
  CHECK(simplified.size() < subset.size());
  CHECK(simplified.size() > 7400);  // GB2312 + Latin at least
  CHECK(simplified.containsAll("们的社区 ABCxyz 0123 ，。？！"));
  CHECK(simplified.contains(U'們'));  // displayed: kept
  CHECK_FALSE(simplified.contains(U'丟'));  // a Traditional variant nothing displays
  CHECK(traditional.contains(U'丟'));
  for (unsigned cp = 0x20; cp < 0x10000; ++cp)
    if (subset.contains(cp) && (minyi::input::isGb2312(cp) || cp < 0x3000)) REQUIRE(simplified.contains(cp));
  // Ranges are the set, run by run, zero-terminated.
  const std::vector<uint16_t> r = simplified.ranges();
  REQUIRE(r.back() == 0);
  size_t n = 0;
  for (size_t i = 0; i + 1 < r.size(); i += 2) n += r[i + 1] - r[i] + 1u;
  CHECK(n == simplified.size());
}

TEST_CASE("fonts: canDraw follows the atlas of the current script") {
  ImGuiScope imgui;
  minyi::ui::FontLibrary lib = library();
  CHECK(lib.canDraw("丟"));  // before any build: the whole subset
  ImFontAtlas atlas;
  minyi::ui::Fonts fonts;
  std::string err;
  const minyi::ui::TypeScale sizes = minyi::ui::typeScale(false, minyi::ui::panelFor(1920, 1080));
  REQUIRE(lib.build(&atlas, sizes, kShown, false, &fonts, &err));
  CHECK(lib.canDraw("我们的社区\n投诉 ABC"));
  CHECK(lib.canDraw("們"));
  CHECK_FALSE(lib.canDraw("丟"));
  CHECK_FALSE(lib.canDraw("😀"));
  CHECK(fonts.body->FindGlyphNoFallback(U'们'));
  CHECK_FALSE(fonts.body->FindGlyphNoFallback(U'丟'));
  const int simplifiedHeight = atlas.TexHeight;

  REQUIRE(lib.build(&atlas, sizes, kShown, true, &fonts, &err));
  CHECK(lib.canDraw("丟"));
  CHECK(fonts.body->FindGlyphNoFallback(U'丟'));
  CHECK(atlas.TexHeight > simplifiedHeight);
}

TEST_CASE("atlas cache: a restored atlas is the built one, glyph for glyph and pixel for pixel") {
  ImGuiScope imgui;
  TempDir dir;
  const minyi::ui::TypeScale sizes = minyi::ui::typeScale(false, minyi::ui::panelFor(1920, 1080));
  std::string err;
  ImFontAtlas built, restored;
  minyi::ui::Fonts f1, f2;
  minyi::ui::FontLibrary a = library(dir.path);
  REQUIRE(a.build(&built, sizes, kShown, false, &f1, &err));
  CHECK_FALSE(a.lastBuildFromCache());
  INFO(a.lastCacheNote());
  minyi::ui::FontLibrary b = library(dir.path);
  REQUIRE(b.build(&restored, sizes, kShown, false, &f2, &err));
  REQUIRE(b.lastBuildFromCache());
  CHECK(restored.IsBuilt());
  requireSameAtlas(built, restored);
  CHECK(f2.body->ContainerAtlas == &restored);
  CHECK(f2.body->FindGlyphNoFallback(U'们'));
}

TEST_CASE("atlas cache: a missing, stale, truncated or corrupt cache falls back to a build") {
  ImGuiScope imgui;
  TempDir dir;
  const minyi::ui::TypeScale sizes = minyi::ui::typeScale(false, minyi::ui::panelFor(1920, 1080));
  std::string err;
  ImFontAtlas reference;
  minyi::ui::Fonts fonts;
  {
    minyi::ui::FontLibrary plain = library();  // no cache at all
    REQUIRE(plain.build(&reference, sizes, kShown, false, &fonts, &err));
  }
  minyi::ui::FontLibrary lib = library(dir.path);
  ImFontAtlas atlas;
  REQUIRE(lib.build(&atlas, sizes, kShown, false, &fonts, &err));  // missing: built and written
  CHECK_FALSE(lib.lastBuildFromCache());
  fs::path file;
  for (const auto& e : fs::directory_iterator(dir.path)) file = e.path();
  REQUIRE(fs::exists(file));
  const auto size = fs::file_size(file);

  auto rebuild = [&](const char* what) {
    INFO(what);
    ImFontAtlas again;
    minyi::ui::FontLibrary fresh = library(dir.path);
    REQUIRE(fresh.build(&again, sizes, kShown, false, &fonts, &err));
    CHECK_FALSE(fresh.lastBuildFromCache());
    CHECK_FALSE(fresh.lastCacheNote().empty());
    requireSameAtlas(reference, again);
    CHECK(fs::file_size(file) == size);  // and written again whole
  };
  SECTION("corrupt: one byte of the pixels flipped") {
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(size / 2));
    char c = 0;
    io.read(&c, 1);
    c ^= 0x5A;
    io.seekp(static_cast<std::streamoff>(size / 2));
    io.write(&c, 1);
    io.close();
    rebuild("corrupt");
  }
  SECTION("truncated") {
    fs::resize_file(file, size - 1000);
    rebuild("truncated");
  }
  SECTION("garbage") {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "not an atlas";
    rebuild("garbage");
  }
  SECTION("stale: saved for other ranges under the same name") {
    ImFontAtlas other;
    minyi::ui::FontLibrary lib2 = library(dir.path);
    REQUIRE(lib2.build(&other, sizes, kShown + " 投诉进度", false, &fonts, &err));  // overwrites the file
    CHECK_FALSE(lib2.lastBuildFromCache());
    ImFontAtlas again;
    minyi::ui::FontLibrary fresh = library(dir.path);
    REQUIRE(fresh.build(&again, sizes, kShown, false, &fonts, &err));
    CHECK_FALSE(fresh.lastBuildFromCache());
    CHECK(fresh.lastCacheNote().find("stale") != std::string::npos);
    requireSameAtlas(reference, again);
  }
}
