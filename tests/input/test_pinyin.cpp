// Pinyin on the real librime: first candidates, phrases, fuzzy on and off, 繁 output, no learning between
// residents, the font filter, deployment once per user-data folder.
#include <catch2/catch.hpp>

#include "engines.h"
#include "minyi/input/keyboard.h"

using namespace minyi::input;
using minyi::input::testing::pinyin;

namespace {
std::vector<std::string> typed(const char* letters, bool fuzzy = true, bool traditional = false, CanDraw canDraw = nullptr) {
  auto s = pinyin().newSession(fuzzy, traditional, std::move(canDraw));
  REQUIRE(s);
  for (const char* c = letters; *c; ++c) s->key(*c);
  return s->candidates();
}
std::string first(const char* letters, bool fuzzy = true, bool traditional = false) {
  const auto c = typed(letters, fuzzy, traditional);
  REQUIRE(!c.empty());
  return c.front();
}
}  // namespace

TEST_CASE("pinyin: words and phrases come first", "[input][pinyin]") {
  for (bool fuzzy : {false, true}) {
    INFO("fuzzy " << fuzzy);
    CHECK(first("shequ", fuzzy) == "社区");
    CHECK(first("tousu", fuzzy) == "投诉");
    CHECK(first("woyaotousu", fuzzy) == "我要投诉");
  }
}

TEST_CASE("pinyin: fuzzy spellings for dialect speakers, and only when switched on", "[input][pinyin]") {
  CHECK(first("zongguo") == "中国");   // z for zh
  CHECK(first("sequ") == "社区");      // s for sh
  CHECK(first("lihao") == "你好");     // l for n
  CHECK(first("xinqin") == "心情");    // in for ing
  CHECK(first("renmin") == "人民");    // the exact spelling still wins where there is one
  CHECK(first("zongguo", false) != "中国");
  const auto exact = typed("zongguo", false);
  CHECK(std::find(exact.begin(), exact.end(), "中国") == exact.end());
}

TEST_CASE("pinyin: Traditional output when the UI is 繁", "[input][pinyin]") {
  CHECK(first("shequ", true, true) == "社區");
  CHECK(first("tousu", true, true) == "投訴");
  CHECK(first("woyaotousu", true, true) == "我要投訴");
}

TEST_CASE("pinyin: a phrase chosen in parts, preedit, backspace", "[input][pinyin]") {
  auto s = pinyin().newSession(true, false, nullptr);
  for (const char* c = "woyaotousu"; *c; ++c) s->key(*c);
  CHECK(s->preedit() == "wo yao tou su");
  const auto& c = s->candidates();
  const size_t woyao = static_cast<size_t>(std::find(c.begin(), c.end(), "我要") - c.begin());
  REQUIRE(woyao < c.size());
  CHECK(s->choose(woyao).empty());  // tousu is still being composed
  CHECK(s->composing());
  REQUIRE(!s->candidates().empty());
  CHECK(s->candidates().front() == "投诉");
  CHECK(s->choose(0) == "我要投诉");
  CHECK_FALSE(s->composing());
  s->key('a');
  CHECK(s->backspace());
  CHECK_FALSE(s->composing());
  CHECK_FALSE(s->backspace());  // nothing composed: the keyboard deletes a typed character instead
}

TEST_CASE("pinyin: nothing one resident chooses is learned for the next", "[input][pinyin]") {
  const auto before = typed("shequ");
  // The last two-character word of the list: a whole-input choice a learning engine would move up.
  std::string rare;
  for (size_t i = 1; i < before.size(); ++i)
    if (TextBuffer(before[i]).length() == 2) rare = before[i];
  REQUIRE(!rare.empty());
  INFO("rare: " << rare);
  {
    // Resident 1 chooses the rare candidate several times, as a learning engine would promote.
    auto s = pinyin().newSession(true, false, nullptr);
    for (int i = 0; i < 5; ++i) {
      for (const char* c = "shequ"; *c; ++c) s->key(*c);
      const auto& c = s->candidates();
      const size_t at = static_cast<size_t>(std::find(c.begin(), c.end(), rare) - c.begin());
      REQUIRE(at < c.size());
      CHECK(s->choose(at) == rare);
    }
  }
  // Resident 2: the same list, the rare word where it was.
  CHECK(typed("shequ") == before);
  const auto sentence = typed("shequtousu");
  REQUIRE(!sentence.empty());
  CHECK(sentence.front() == "社区投诉");
}

TEST_CASE("pinyin: a candidate the font cannot draw is not offered", "[input][pinyin]") {
  // A font without 区: 社区 and every other candidate with 区 must go; the rest stay in order.
  const CanDraw noQu = [](const std::string& s) { return s.find("区") == std::string::npos; };
  const auto all = typed("shequ"), drawable = typed("shequ", true, false, noQu);
  REQUIRE(!drawable.empty());
  CHECK(drawable.front() != "社区");
  for (const auto& c : drawable) CHECK(c.find("区") == std::string::npos);
  std::vector<std::string> expected;
  for (const auto& c : all)
    if (noQu(c)) expected.push_back(c);
  CHECK(std::equal(drawable.begin(), drawable.end(), expected.begin(), expected.begin() + std::min(expected.size(), drawable.size())));
}

TEST_CASE("pinyin: the kiosk's user-data folder is deployed once, later starts are quick", "[input][pinyin]") {
  const auto dir = std::filesystem::temp_directory_path() / ("minyi-rime-deploy-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string err;
  minyi::input::testing::pinyinHolder().reset();  // librime is one per process: this test opens its own
  {
    auto e = PinyinEngine::open({dir.string()}, &err);
    REQUIRE(e);
    CHECK(e->deploy().deployed);
    CHECK(std::filesystem::exists(dir / "build" / "minyi_pinyin_fuzzy.prism.bin"));
    CHECK_FALSE(std::filesystem::exists(dir / "minyi_pinyin_fuzzy.userdb"));  // no user dictionary
  }
  {
    auto e = PinyinEngine::open({dir.string()}, &err);
    REQUIRE(e);
    CHECK_FALSE(e->deploy().deployed);  // nothing changed: no deployment
    auto s = e->newSession(true, false, nullptr);
    for (const char* c = "tousu"; *c; ++c) s->key(*c);
    REQUIRE(!s->candidates().empty());
    CHECK(s->candidates().front() == "投诉");
    CHECK(PinyinEngine::open({dir.string()}, &err) == nullptr);  // one per process
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("keyboard: pinyin keys, candidates, paging, punctuation, the length limit", "[input][pinyin]") {
  Engines engines;
  engines.pinyin = &pinyin();
  Keyboard k({Mode::Pinyin, Mode::Handwriting, Mode::Latin, Mode::Digits}, 6, &engines);
  CHECK(k.mode() == Mode::Pinyin);
  CHECK(k.modes().size() == 3);  // no handwriting engine: no handwriting mode
  const auto pressLabel = [&](const std::string& label) {
    for (const auto& row : k.keys())
      for (const auto& key : row)
        if (key.label == label) return k.press(key);
    FAIL("no key " << label);
    return false;
  };
  for (const char* c = "tousu"; *c; ++c) pressLabel(std::string(1, *c));
  CHECK(k.preedit() == "tou su");
  REQUIRE(k.candidates().size() > 8);
  k.nextPage(8);
  CHECK(k.pageStart() == 8);
  CHECK(k.hasPrevPage());
  k.prevPage();
  CHECK(k.pageStart() == 0);
  k.choose(0);
  CHECK(k.buffer().text() == "投诉");
  pressLabel("，");
  for (const char* c = "woyaotousu"; *c; ++c) pressLabel(std::string(1, *c));
  // Three characters left: 我要投诉 (four) is not offered; nothing is ever cut in half.
  for (const auto& c : k.candidates()) CHECK(TextBuffer(c).length() <= 3);
  pressLabel("kbd.space");  // the first candidate that fits
  CHECK(k.buffer().length() <= 6);
  CHECK(k.buffer().text().rfind("投诉，", 0) == 0);
  // Switching modes keeps the text; Latin types after it.
  pressLabel("kbd.mode.latin");
  CHECK(k.mode() == Mode::Latin);
  CHECK(k.buffer().text().rfind("投诉，", 0) == 0);
}

TEST_CASE("pinyin and handwriting that cannot start say why, and the keyboard offers the modes that work",
          "[input][pinyin][handwriting]") {
  std::string err;
  // rime-data-pinyin-simp missing.
  CHECK_FALSE(PinyinEngine::open({minyi::input::testing::tempUserDir().string(), "/nonexistent/rime-data"}, &err));
  CHECK(err.find("install rime-data-pinyin-simp") != std::string::npos);
  // The kiosk's folder cannot be written (a file stands where the folder should be).
  const auto blocked = std::filesystem::temp_directory_path() / ("minyi-rime-blocked-" + std::to_string(::getpid()));
  { std::ofstream(blocked) << "not a folder"; }
  err.clear();
  CHECK_FALSE(PinyinEngine::open({(blocked / "rime").string()}, &err));
  CHECK(err.find("cannot write the pinyin schemas") != std::string::npos);
  std::filesystem::remove(blocked);
  // tegaki-zinnia-simplified-chinese missing.
  err.clear();
  CHECK_FALSE(HandwritingEngine::open("/nonexistent/handwriting-zh_CN.model", &err));
  CHECK(err.find("install tegaki-zinnia-simplified-chinese") != std::string::npos);
  // Without the engines a text question still gets a keyboard: letters and digits, the text typed kept.
  Engines none;
  Keyboard k({Mode::Pinyin, Mode::Handwriting, Mode::Latin, Mode::Digits}, 50, &none);
  CHECK(k.modes() == std::vector<Mode>{Mode::Latin, Mode::Digits});
  CHECK(k.mode() == Mode::Latin);
  // With pinyin only, handwriting is simply not offered.
  Engines pinyinOnly;
  pinyinOnly.pinyin = &pinyin();
  Keyboard p({Mode::Pinyin, Mode::Handwriting, Mode::Latin, Mode::Digits}, 50, &pinyinOnly);
  CHECK(p.modes() == std::vector<Mode>{Mode::Pinyin, Mode::Latin, Mode::Digits});
}
