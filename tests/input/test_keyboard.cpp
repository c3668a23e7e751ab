// On-screen keyboard logic: layouts, the character limit, whole-character deletion, mode switches keep text.
#include <catch2/catch.hpp>

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
