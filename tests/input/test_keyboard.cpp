// On-screen keyboard logic: layouts, the character limit, whole-character deletion, mode switches keep text.
#include <catch2/catch.hpp>

#include <set>

#include "minyi/input/keyboard.h"

using namespace minyi::input;

namespace {
const Key* find(const Keyboard& k, const std::string& label) {
  static std::vector<KeyRow> rows;
  rows = k.keys();
  for (const KeyRow& r : rows)
    for (const Key& key : r)
      if (key.label == label) return &key;
  return nullptr;
}
void press(Keyboard& k, const std::string& label) {
  const Key* key = find(k, label);
  INFO("key " << label);
  REQUIRE(key);
  const Key copy = *key;
  k.press(copy);
}
}  // namespace

TEST_CASE("a phone pad types digits and offers only what the question allows", "[input]") {
  Keyboard k({Mode::Digits}, 11);
  for (const char* d : {"1", "3", "8", "0", "0", "1", "3", "8", "0", "0", "0", "9"}) press(k, d);
  CHECK(k.buffer().text() == "13800138000");  // the 12th digit does not fit
  CHECK(k.buffer().remaining() == 0);
  press(k, "kbd.backspace");
  CHECK(k.buffer().text() == "1380013800");
  CHECK(find(k, "kbd.mode.latin") == nullptr);
  CHECK(find(k, "q") == nullptr);
}

TEST_CASE("Latin: shift gives one capital, switching modes keeps the text", "[input]") {
  Keyboard k({Mode::Latin, Mode::Digits}, -1);
  press(k, "kbd.shift");
  press(k, "W");
  press(k, "a");
  press(k, "n");
  press(k, "g");
  CHECK(k.buffer().text() == "Wang");
  press(k, "kbd.mode.digits");
  CHECK(k.mode() == Mode::Digits);
  press(k, "7");
  CHECK(k.buffer().text() == "Wang7");
  press(k, "kbd.mode.latin");
  press(k, "kbd.space");
  press(k, "kbd.clear");
  CHECK(k.buffer().text().empty());
  const Key* done = find(k, "kbd.done");
  REQUIRE(done);
  CHECK(k.press(*done));
}

TEST_CASE("the buffer counts and deletes whole characters", "[input]") {
  TextBuffer b("楼道灯", 5);
  CHECK(b.length() == 3);
  CHECK(b.remaining() == 2);
  CHECK_FALSE(b.insert("坏了很久"));  // only two fit
  CHECK(b.text() == "楼道灯坏了");
  b.backspace();
  CHECK(b.text() == "楼道灯坏");
  TextBuffer unlimited;
  CHECK(unlimited.remaining() == -1);
  unlimited.backspace();  // nothing to delete is fine
  CHECK(unlimited.text().empty());
}

TEST_CASE("清空 is undone by the same key right away, and only right away", "[input]") {
  Keyboard k({Mode::Latin, Mode::Digits}, -1);
  for (const char* c : {"l", "o", "u"}) press(k, c);
  press(k, "kbd.clear");
  CHECK(k.buffer().text().empty());
  CHECK(k.canRestore());
  CHECK(find(k, "kbd.clear") == nullptr);  // the key now says 恢复
  press(k, "kbd.restore");
  CHECK(k.buffer().text() == "lou");
  CHECK_FALSE(k.canRestore());
  press(k, "kbd.clear");
  press(k, "d");  // typing on makes the clearing final
  CHECK_FALSE(k.canRestore());
  press(k, "kbd.clear");
  CHECK(k.buffer().text().empty());
}

TEST_CASE("清空 sits at the far left of the bottom row, 完成 at the far right", "[input]") {
  for (Mode mode : {Mode::Latin, Mode::Digits})
    for (bool narrow : {false, true}) {
      const auto rows = layout(mode, false, {Mode::Latin, Mode::Digits}, narrow);
      CHECK(rows.back().front().action == Key::Action::Clear);
      CHECK(rows.back().back().action == Key::Action::Done);
    }
}

TEST_CASE("the narrow arrangement has every key of the wide one and no row wider than 10 keys", "[input]") {
  const std::vector<Mode> all = {Mode::Pinyin, Mode::Handwriting, Mode::Latin, Mode::Digits};
  for (Mode mode : all)
    for (bool shifted : {false, true}) {
      INFO("mode " << static_cast<int>(mode) << (shifted ? " shifted" : ""));
      std::multiset<std::string> wide, narrow;
      for (const auto& row : layout(mode, shifted, all, false))
        for (const auto& key : row) wide.insert(key.id());
      for (const auto& row : layout(mode, shifted, all, true)) {
        float units = 0;
        for (const auto& key : row) {
          narrow.insert(key.id());
          units += key.width;
        }
        CHECK(units <= 10.0f);
      }
      CHECK(wide == narrow);
    }
}

TEST_CASE("a key is found by its id in either arrangement, an unknown id finds nothing", "[input]") {
  Keyboard k({Mode::Latin, Mode::Digits}, -1);
  REQUIRE(k.key("insert:q"));
  CHECK(k.key("insert:q")->insert == "q");
  CHECK(k.key("insert::")->insert == ":");  // a row of its own when narrow, beside the digits when wide
  CHECK(k.key("done")->action == Key::Action::Done);
  CHECK(k.key("mode:digits")->mode == Mode::Digits);
  CHECK_FALSE(k.key("mode:pinyin"));  // not offered here
  CHECK_FALSE(k.key("insert:中"));
  CHECK_FALSE(k.key(""));
  CHECK_FALSE(k.key("0,0"));  // the old row,column form means nothing
}
