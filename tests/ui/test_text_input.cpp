// Headless UI tests of Chinese text input: a complaint description typed by tapping pinyin keys and
// candidates, and written by dragging strokes on the handwriting pad, stored exactly; the idle reset wipes
// what was being composed; the atlas decides which candidates are offered.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "../input/engines.h"
#include "kiosk_app.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/store/store.h"
#include "window.h"

namespace fs = std::filesystem;
using minyi::app::Clock;
using minyi::app::KioskApp;
using minyi::app::KioskWindow;
using minyi::core::Json;
using minyi::ui::Screen;

KioskWindow& window();  // test_kiosk_ui.cpp: one window for the whole run

namespace {

// A kiosk with both engines, a store in a temp folder and the window's atlas as the font filter.
struct InputKiosk {
  KioskApp app;
  fs::path dir;
  std::unique_ptr<minyi::store::KioskStore> store;
  minyi::protocol::KeyPair server = minyi::protocol::generateKeyPair();
  InputKiosk() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("minyi-input-ui-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir);
    std::string err;
    REQUIRE(app.load(MINYI_ASSETS_DIR, std::string(MINYI_ASSETS_DIR) + "/forms", &err));
    minyi::store::StoreError se;
    store = minyi::store::KioskStore::open((dir / "kiosk.db").string(), &se);
    REQUIRE(store);
    app.setServer(server.publicKey, "https://minyi.township.test");
    app.setKioskNumber(7);
    app.attachStore(store.get(), Clock::now());
    app.setInputEngines(&minyi::input::testing::pinyin(), &minyi::input::testing::handwriting(), true);
    app.setCanDraw([](const std::string& t) { return window().fontLibrary().canDraw(t); });
  }
  ~InputKiosk() { fs::remove_all(dir); }
  void tap(const std::string& label) {
    INFO("tap \"" << label << "\"");
    if (!window().tap(app, label)) {
      std::string labels;
      for (const auto& t : window().targets().all()) labels += " [" + t.label + "]";
      FAIL("no target \"" << label << "\" on this screen; there are:" << labels);
    }
  }
  void keys(const char* letters) {
    for (const char* c = letters; *c; ++c) tap(std::string(1, *c));
  }
  // Writes a fixture character on the pad, stroke by stroke, as a finger dragging.
  void write(const std::string& ch) {
    const auto fixtures = minyi::input::testing::strokeFixtures();
    REQUIRE(fixtures.count(ch));
    for (const auto& stroke : fixtures.at(ch)) {
      std::vector<ImVec2> points;
      const auto path = minyi::input::testing::fingerPath(stroke);
      for (size_t i = 0; i < path.size(); i += 2) points.emplace_back(path[i].x, path[i].y);
      points.emplace_back(path.back().x, path.back().y);
      REQUIRE(window().drag(app, app.locale() == "zh-tw" ? "手寫區" : "手写区", points));
    }
  }
  std::string description() const {
    const auto* s = app.view(1920, 1080).session;
    REQUIRE(s);
    const Json v = s->value(*s->form().findQuestion("description"));
    return v.is_string() ? v.get<std::string>() : std::string();
  }
};

}  // namespace

TEST_CASE("a complaint described with pinyin, handwriting, letters and digits is stored exactly", "[ui][keyboard][input]") {
  InputKiosk k;
  k.tap("我要投诉");
  k.tap("楼道灯不亮");
  k.tap("下一步");
  k.tap("东联社区");
  k.tap("下一步");
  k.tap("点这里输入:description");
  REQUIRE(k.app.keyboard());
  CHECK(k.app.keyboard()->mode() == minyi::input::Mode::Pinyin);  // pinyin first for Chinese text
  // Pinyin: letters, then the candidate on the bar; a phrase in one go.
  k.keys("loudaodeng");
  CHECK(k.app.keyboard()->preedit() == "lou dao deng");
  // Space would take the first candidate: the key says which, never silently (regression: 怀了 for huaile).
  {
    std::string labels;
    for (const auto& t : window().targets().all()) labels += "[" + t.label + "] ";
    INFO(labels);
    CHECK(window().targets().centre("选 " + k.app.keyboard()->candidates().front()));
  }
  k.tap("楼道");  // part of the letters: 灯 is still composed
  CHECK(k.app.keyboard()->preedit() == "楼道deng");
  // The preedit is drawn in the body font, the one that holds the characters it turns into (regression: ?le).
  bool preeditInBody = false;
  for (const auto& t : window().targets().texts())
    if (t.text == "楼道deng") preeditInBody = t.max.y - t.min.y == minyi::ui::typeScale(false, window().panel()).body;
  CHECK(preeditInBody);
  k.tap("灯");
  k.keys("buliang");
  k.tap("不亮");  // the second candidate: 不良 comes first
  k.tap("，");
  CHECK(k.description() == "楼道灯不亮，");
  // A look at the next page of candidates and back, then one of the first page.
  k.keys("dajia");
  k.tap("下一页");
  CHECK(k.app.keyboard()->pageStart() > 0);
  k.tap("上一页");
  CHECK(k.app.keyboard()->pageStart() == 0);
  k.tap("大家");
  // Handwriting: the text stays; 人 and 口 written stroke by stroke, chosen from the candidates.
  k.tap("手写");
  CHECK(k.app.keyboard()->mode() == minyi::input::Mode::Handwriting);
  k.write("十");
  CHECK(k.app.keyboard()->pad()->strokes().size() == 2);
  k.tap("撤销一笔");  // take back the 丨: the pad holds 一 again
  CHECK(k.app.keyboard()->pad()->strokes().size() == 1);
  k.tap("重写");
  CHECK_FALSE(k.app.keyboard()->pad()->writing());
  k.write("人");
  k.tap("人");
  k.write("口");
  k.tap("口");
  CHECK(k.description() == "楼道灯不亮，大家人口");
  k.tap("删除");
  k.tap("删除");
  k.tap("拼音");
  k.keys("haipa");
  k.tap("害怕");
  k.tap("。");
  // Letters and digits keep the text too.
  k.tap("ABC");
  k.tap("大写");
  k.tap("B");
  k.tap("123");
  k.tap("3");
  k.tap("完成");
  CHECK(k.description() == "楼道灯不亮，大家害怕。B3");
  k.tap("下一步");
  REQUIRE(k.app.session()->progress().page == 4);
  k.tap("核对并提交");
  REQUIRE(k.app.screen() == Screen::Review);
  k.tap("提交");
  auto pending = k.store->pending(10);
  REQUIRE(pending.ok());
  REQUIRE(pending.value().size() == 1);
  std::string why;
  auto plain = minyi::protocol::openAnswers(k.server, pending.value()[0].payload, 1024 * 1024, &why);
  INFO(why);
  REQUIRE(plain);
  CHECK(plain->answers.at("description") == "楼道灯不亮，大家害怕。B3");
}

TEST_CASE("the idle reset wipes the text and what was being composed, and the next resident starts clean", "[ui][keyboard][input]") {
  InputKiosk k;
  k.app.setResidentDefaults("zh-cn", false, 60);
  // A resident in 繁 and 长辈模式 who writes by hand.
  k.tap("繁");
  k.tap("長輩模式");
  REQUIRE(k.app.locale() == "zh-tw");
  REQUIRE(k.app.elderly());
  k.tap("我要投訴");
  k.tap("樓道燈不亮");
  k.tap("下一步");
  k.tap("東聯社區");
  k.tap("點這裡輸入:location");
  k.tap("手寫");
  k.tap("完成");
  k.tap("下一步");
  k.tap("點這裡輸入:description");
  CHECK(k.app.keyboard()->mode() == minyi::input::Mode::Handwriting);  // the mode chosen before comes first
  k.tap("拼音");
  k.keys("shequ");
  k.tap("社區");
  k.keys("tousu");
  k.tap("手寫");
  CHECK(k.description() == "社區投訴");  // the mode switch took the composition's first candidate
  k.write("口");
  CHECK(k.app.keyboard()->pad()->writing());
  const auto t0 = Clock::now();
  k.app.noteActivity(t0);
  k.app.tick(t0 + std::chrono::hours(2));  // no touch for longer than any form's idle time: 还在吗？
  REQUIRE(k.app.idlePrompt());
  // The veil: the page under 还在吗？ is not drawn at all, so nothing typed can be read through it.
  window().pump(k.app, 2);
  for (const auto& t : window().targets().all()) CHECK(t.label.find("description") == std::string::npos);
  CHECK(window().targets().centre("繼續"));
  CHECK(window().memory().remembers("社區投訴"));  // the views keep wrapped lines of what is on screen ...
  k.app.tick(t0 + std::chrono::hours(2) + std::chrono::seconds(21));  // and no 继续
  CHECK(k.app.screen() == Screen::Attract);
  CHECK(k.app.keyboard() == nullptr);
  window().pump(k.app, 1);
  CHECK_FALSE(window().memory().remembers("社區投訴"));  // ... and forget them when the visit ends
  // The next resident: the configured language and text size, pinyin first again, nothing typed.
  CHECK(k.app.locale() == "zh-cn");
  CHECK_FALSE(k.app.elderly());
  k.app.noteActivity(Clock::now());
  k.tap("我要投诉");
  k.tap("楼道灯不亮");
  k.tap("下一步");
  k.tap("东联社区");
  k.tap("下一步");
  k.tap("点这里输入:description");
  REQUIRE(k.app.keyboard());
  CHECK(k.app.keyboard()->mode() == minyi::input::Mode::Pinyin);
  CHECK(k.description().empty());
  CHECK(k.app.keyboard()->preedit().empty());
  CHECK(k.app.keyboard()->candidates().empty());
}

TEST_CASE("fuzzy pinyin switched off in the config, and 繁 candidates when the UI is 繁", "[ui][keyboard][input]") {
  InputKiosk k;
  k.app.setInputEngines(&minyi::input::testing::pinyin(), &minyi::input::testing::handwriting(), false);
  k.tap("我要投诉");
  k.tap("楼道灯不亮");
  k.tap("下一步");
  k.tap("东联社区");
  k.tap("下一步");
  k.tap("点这里输入:description");
  k.keys("zongguo");
  REQUIRE(!k.app.keyboard()->candidates().empty());
  CHECK(k.app.keyboard()->candidates().front() != "中国");
  k.tap("清空");
  k.tap("完成");
  // 繁: the same kiosk, fuzzy on again, the keyboard opened after the switch.
  k.app.setInputEngines(&minyi::input::testing::pinyin(), &minyi::input::testing::handwriting(), true);
  k.app.setLocale("zh-tw");
  k.tap("點這裡輸入:description");
  k.keys("zongguo");
  REQUIRE(!k.app.keyboard()->candidates().empty());
  CHECK(k.app.keyboard()->candidates().front() == "中國");
  k.tap("中國");
  k.tap("完成");
  CHECK(k.description() == "中國");
}
