// Headless UI tests: a resident's taps on the real screens, checked against what the kiosk hands on.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <iostream>
#include <iterator>

#include "kiosk_app.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/ticket.h"
#include "minyi/core/scripted_fill.h"
#include "minyi/store/config.h"
#include "minyi/store/store.h"
#include "window.h"

namespace fs = std::filesystem;
using minyi::app::Clock;
using minyi::app::KioskApp;
using minyi::app::KioskWindow;
using minyi::core::Json;
using minyi::ui::Screen;

namespace {

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

// One window for the whole test run (SDL allows one video init per process comfortably); test_text_input.cpp
// uses it too.
KioskWindow& window() {
  static KioskWindow w;
  static bool opened = [] {
    minyi::app::WindowOptions o;
    o.fontsFolder = MINYI_FONTS_DIR;
    o.headless = true;
    o.displayText = minyi::app::collectDisplayText({std::string(MINYI_ASSETS_DIR) + "/forms", std::string(MINYI_ASSETS_DIR) + "/strings"});
    std::string err;
    const bool ok = w.open(o, &err);
    if (!ok) FAIL("window: " << err);
    return ok;
  }();
  REQUIRE(opened);
  return w;
}

namespace {

// A temp folder for one test's database, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("minyi-ui-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

struct Kiosk {
  KioskApp app;
  TempDir dir;
  std::unique_ptr<minyi::store::KioskStore> store;
  minyi::protocol::KeyPair server = minyi::protocol::generateKeyPair();  // what a township server would hold
  explicit Kiosk(minyi::store::OpenOptions options = {}) {
    std::string err;
    REQUIRE(app.load(MINYI_ASSETS_DIR, std::string(MINYI_ASSETS_DIR) + "/forms", &err));
    REQUIRE(app.problems().empty());
    minyi::store::StoreError se;
    store = minyi::store::KioskStore::open((dir.path / "kiosk.db").string(), &se, options);
    REQUIRE(store);
    app.setServer(server.publicKey, "https://minyi.township.test");
    app.setKioskNumber(7);
    app.attachStore(store.get(), Clock::now());
  }
  // A stored submission opened with the server's key as the server opens it: the answers as JSON, bound to
  // the submission's own id and form.
  Json opened(const minyi::store::Submission& s) {
    std::string why;
    auto plain = minyi::protocol::openAnswers(server, s.payload, 1024 * 1024, &why);
    INFO(why);
    REQUIRE(plain);
    CHECK(plain->binding.submissionId == s.id);
    CHECK(plain->binding.formId == s.formId);
    CHECK(plain->binding.formVersion == s.formVersion);
    return plain->answers;
  }
  // What the store holds, oldest first: the payloads opened as the server would.
  std::vector<Json> stored() {
    auto pending = store->pending(100000);
    REQUIRE(pending.ok());
    std::vector<Json> out;
    for (const auto& s : pending.value()) out.push_back(opened(s));
    return out;
  }
  void tap(const std::string& label, bool touch = false) {
    INFO("tap \"" << label << "\"");
    bool found = window().tap(app, label, touch);
    if (!found) {
      std::string labels;
      for (const auto& t : window().targets().all()) labels += " [" + t.label + "]";
      FAIL("no target \"" << label << "\" on this screen; there are:" << labels);
    }
  }
  void type(const std::string& field, const std::string& text) {
    tap("点这里输入:" + field);
    app.typeText(text);
  }
};

}  // namespace

namespace {
// The civilized-city form's long matrix page (page 2), laid out: the page the scrolling tests drag.
void openMatrixPage(Kiosk& k) {
  REQUIRE(k.app.startForm("civilized-city", Clock::now()));
  k.app.session()->goToPage(1);
  window().pump(k.app, 2);
}
}  // namespace

TEST_CASE("one tap on a quick-rating face is one submission", "[ui]") {
  Kiosk k;
  k.tap("非常满意");
  REQUIRE(k.stored().size() == 1);
  CHECK(k.stored()[0] == Json{{"satisfaction", "very_satisfied"}});
  CHECK(k.app.screen() == Screen::Attract);
  CHECK(k.app.completed().empty());  // with a store, answers are kept only in the database
  CHECK(k.store->pending(1).value()[0].flags.empty());
}

TEST_CASE("asleep outside opening hours the screen is dark with nothing to press, and a finger's tap only wakes it", "[ui]") {
  Kiosk k;
  k.app.setOpeningHours(minyi::core::OpeningHours{8 * 60, 18 * 60}, [] { return 22 * 60; });
  auto& w = window();
  w.pump(k.app, 2);
  std::optional<ImVec2> formList;  // where 填写问卷 is when awake
  for (const auto& t : w.targets().all())
    if (t.label == "填写问卷") formList = ImVec2((t.min.x + t.max.x) / 2, (t.min.y + t.max.y) / 2);
  REQUIRE(formList);
  const auto now = Clock::now();
  k.app.noteActivity(now - std::chrono::minutes(5));
  REQUIRE(k.app.tick(now));
  REQUIRE(k.app.asleep());
  w.pump(k.app, 2);
  CHECK(w.targets().all().empty());  // nothing drawn, nothing to press
  const char* shots = std::getenv("MINYI_SCREENSHOTS");
  if (shots) w.screenshot(k.app, fs::path(shots) / "asleep.png");
  // The tap lands where 填写问卷 is when awake: it wakes the kiosk and does nothing else.
  w.swipe(k.app, *formList, *formList, 1, 1, true);
  w.pump(k.app, 3);
  CHECK_FALSE(k.app.asleep());
  CHECK(k.app.screen() == Screen::Attract);
  CHECK_FALSE(w.targets().all().empty());
  k.tap("填写问卷");
  w.pump(k.app, 2);
  CHECK(k.app.screen() == Screen::FormList);  // awake, the start screen works as ever
}

TEST_CASE("a burst of quick-rating taps is kept but flagged as misuse", "[ui]") {
  Kiosk k;
  for (int i = 0; i < 6; ++i) k.tap("非常不满意");
  auto pending = k.store->pending(100);
  REQUIRE(pending.ok());
  REQUIRE(pending.value().size() == 6);  // nothing dropped
  int flagged = 0;
  for (const auto& s : pending.value())
    flagged += std::count(s.flags.begin(), s.flags.end(), "misuse");
  CHECK(flagged == 3);  // from the fourth tap within ten seconds on
}

TEST_CASE("storage that cannot keep a submission pauses the kiosk instead of thanking", "[ui][hostile]") {
  // A database capped just above its own size: the first commit finds the disk \"full\".
  minyi::store::OpenOptions tiny;
  tiny.maxDatabaseBytes = 96 * 1024;
  Kiosk k(tiny);
  if (k.app.outOfService()) {
    SUCCEED("already paused at start: " << k.app.outOfServiceReason());
  } else {
    k.tap("我要投诉");
    k.tap("楼道灯不亮");
    k.app.session()->setValueByName("community", "donghu");
    k.app.session()->setValueByName("description", std::string(3000, 'x'));
    k.app.session()->setValueByName("anonymous", true);
    for (int i = 0; i < 3; ++i) k.tap("下一步");
    k.tap("核对并提交");
    k.tap("提交");
    CHECK(k.app.screen() != Screen::ThankYou);
  }
  REQUIRE(k.app.outOfService());
  CHECK_FALSE(k.app.outOfServiceReason().empty());
  CHECK(k.app.session() == nullptr);
  CHECK(window().targets().find("暂停服务") == nullptr);  // a notice, not something to tap
  CHECK_FALSE(window().tap(k.app, "填写问卷"));            // no entries while paused
}

TEST_CASE("a resident completes the civilized-city form by taps and typing", "[ui]") {
  Kiosk k;
  k.tap("填写问卷");
  CHECK(k.app.screen() == Screen::FormList);
  k.tap("创建文明城市居民满意度调查");
  REQUIRE(k.app.screen() == Screen::FormPage);
  // Next without an answer: the page stays, with the message beside the question.
  k.tap("下一步");
  CHECK(k.app.session()->progress().page == 1);
  REQUIRE_FALSE(k.app.session()->errors().empty());
  CHECK(k.app.session()->errors()[0].message == "请回答这个问题。");
  k.tap("东湖社区");
  k.tap("下一步");
  CHECK(k.app.session()->progress().page == 2);
  for (const char* row : {"环境卫生（垃圾清运、卫生死角）", "绿化（绿化带修剪、杂草清理）", "消防通道和停车", "志愿服务"})
    k.tap(std::string(row) + "/满意");
  k.tap("楼道灯/不满意");
  k.type("unsatisfied_detail", "3号楼楼道灯坏了");
  k.tap("完成");  // close the keyboard
  k.tap("上一步");
  CHECK(k.app.session()->progress().page == 1);
  k.tap("下一步");
  k.tap("下一步");
  CHECK(k.app.session()->progress().page == 3);
  k.tap("楼道灯不亮");
  k.tap("乱停车、占用消防通道");
  k.tap("其他（请注明）");
  k.type("priorities-Comment", "早市菜叶没人扫");
  k.tap("完成");  // close the keyboard
  k.tap("下一步");
  CHECK(k.app.session()->progress().page == 4);
  k.tap("知道");
  k.tap("参加过");
  k.type("suggestions", "多组织清洁活动");
  k.tap("完成");  // close the keyboard
  k.tap("核对并提交");
  REQUIRE(k.app.screen() == Screen::Review);
  k.tap("提交");
  REQUIRE(k.app.screen() == Screen::ThankYou);
  const Json expected = Json::parse(R"({
    "community": "donghu",
    "satisfaction": {"sanitation": "satisfied", "greening": "satisfied", "fire_lanes_parking": "satisfied",
                     "volunteer_service": "satisfied", "hallway_lights": "unsatisfied"},
    "unsatisfied_detail": "3号楼楼道灯坏了",
    "priorities": ["dark_hallways", "blocked_fire_lanes", "other"],
    "priorities-Comment": "早市菜叶没人扫",
    "awareness": "aware",
    "volunteered": true,
    "suggestions": "多组织清洁活动"})");
  // Durably stored before the thank-you screen appeared.
  const auto stored = k.stored();
  REQUIRE(stored.size() == 1);
  CHECK(nlohmann::json(stored[0]) == nlohmann::json(expected));
  k.tap("完成");
  CHECK(k.app.screen() == Screen::Attract);
  CHECK(k.app.session() == nullptr);  // nothing of this resident is left for the next
}

TEST_CASE("switching language mid-form keeps the answers", "[ui]") {
  Kiosk k;
  k.tap("我要投诉");
  REQUIRE(k.app.screen() == Screen::FormPage);
  k.tap("楼道灯不亮");
  k.app.setLocale("zh-tw");
  k.tap("下一步");
  CHECK(k.app.session()->progress().page == 2);
  CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("category")) == "hallway_lights");
  k.tap("東湖社區");  // the page is now in Traditional script
  CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("community")) == "donghu");
}

TEST_CASE("a drag on the page scrolls and is not a tap, by mouse and by touch", "[ui]") {
  for (bool touch : {false, true}) {
    INFO((touch ? "finger events" : "mouse events"));
    Kiosk k;
    openMatrixPage(k);
    auto& w = window();
    // A tile of the matrix in view, in the lower half of the screen.
    std::string label;
    for (const auto& t : w.targets().all())
      if (t.visible && t.label.find("/满意") != std::string::npos && t.min.y > w.panel().height / 2) {
        label = t.label;
        break;
      }
    REQUIRE(!label.empty());
    const auto start = w.targets().centre(label);
    // Press on it, move 200 px up in ten steps, hold, release: the page moved, nothing was chosen.
    w.swipe(k.app, *start, ImVec2(start->x, start->y - 200), 10, 10, touch);
    w.pump(k.app, 2);
    CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("satisfaction")).is_null());
    const auto after = w.targets().find(label);
    REQUIRE(after);
    CHECK((after->min.y + after->max.y) / 2 == Approx(start->y - 200).margin(2));
  }
}

TEST_CASE("a press and its release queued between two frames are still a tap", "[ui]") {
  // A quick finger on a slow frame: both events wait in SDL's queue; each gets its own frame.
  for (bool touch : {false, true}) {
    INFO((touch ? "finger events" : "mouse events"));
    Kiosk k;
    k.tap("我要投诉", touch);
    CHECK(k.app.screen() == Screen::FormPage);
    k.tap("楼道灯不亮", touch);
    CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("category")) == "hallway_lights");
  }
}

TEST_CASE("a second finger while the first is down changes nothing", "[ui]") {
  Kiosk k;
  k.tap("我要投诉");
  auto& w = window();
  w.pump(k.app, 1);
  const auto tile = w.targets().centre("楼道灯不亮");
  REQUIRE(tile);
  // The first finger rests on empty space at the right; a second lands on a tile and lifts.
  SDL_Event e{};
  e.type = SDL_FINGERDOWN;
  e.tfinger.fingerId = 1;
  e.tfinger.x = 0.99f;
  e.tfinger.y = 0.5f;
  SDL_PushEvent(&e);
  w.pump(k.app, 2);
  e.tfinger.fingerId = 2;
  e.tfinger.x = tile->x / w.panel().width;
  e.tfinger.y = tile->y / w.panel().height;
  SDL_PushEvent(&e);
  e.type = SDL_FINGERUP;
  SDL_PushEvent(&e);
  w.pump(k.app, 3);
  e.tfinger.fingerId = 1;
  e.tfinger.x = 0.99f;
  e.tfinger.y = 0.5f;
  SDL_PushEvent(&e);
  w.pump(k.app, 3);
  CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("category")).is_null());
}

TEST_CASE("idle: 还在吗？ after the form's idle time, 继续 keeps the answers, silence clears them", "[ui]") {
  Kiosk k;
  k.tap("我要投诉");
  k.tap("楼道灯不亮");
  const auto idle = std::chrono::seconds(k.app.session()->form().minyi.idleSeconds);
  const auto t0 = Clock::now();
  k.app.tick(t0 + idle - std::chrono::seconds(2));
  CHECK_FALSE(k.app.idlePrompt());
  k.app.tick(t0 + idle + std::chrono::seconds(1));
  REQUIRE(k.app.idlePrompt());
  CHECK_FALSE(window().tap(k.app, "私搭乱建"));  // only 继续 can be tapped under the prompt
  k.tap("继续");
  CHECK_FALSE(k.app.idlePrompt());
  CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("category")) == "hallway_lights");
  const auto t1 = Clock::now();
  k.app.tick(t1 + idle + std::chrono::seconds(1));
  REQUIRE(k.app.idlePrompt());
  k.app.tick(t1 + idle + std::chrono::seconds(22));
  CHECK_FALSE(k.app.idlePrompt());
  CHECK(k.app.screen() == Screen::Attract);
  CHECK(k.app.session() == nullptr);  // the next resident sees nothing of this one
}

TEST_CASE("the kiosk idle_seconds applies wherever a form sets none, and a form's own wins", "[ui]") {
  Kiosk k;
  k.app.setResidentDefaults("zh-cn", false, 20);
  TempDir extra;
  std::ofstream(extra.path / "short.json") << R"({"title": "简短问卷", "minyi": {"id": "short", "kind": "survey"},
    "pages": [{"elements": [{"type": "radiogroup", "name": "community", "choices": ["donghu", "huayuan"]}]}]})";
  std::string err;
  REQUIRE(k.app.addForms(extra.path.string(), &err));
  auto walkAway = [&](int seconds) {
    const auto t0 = Clock::now();
    k.app.noteActivity(t0);
    k.app.tick(t0 + std::chrono::seconds(seconds) - std::chrono::milliseconds(500));
    const bool before = k.app.idlePrompt();
    k.app.tick(t0 + std::chrono::seconds(seconds));
    return !before && k.app.idlePrompt();
  };
  k.tap("填写问卷");
  CHECK(walkAway(20));  // the form list: the kiosk's 20 s
  k.tap("继续");
  k.tap("简短问卷");
  REQUIRE(k.app.screen() == Screen::FormPage);
  CHECK(walkAway(20));  // a form without its own idleSeconds
  k.tap("继续");
  REQUIRE(k.app.startForm("complaint", Clock::now()));
  CHECK(walkAway(90));  // the complaint form asks for 90 s: typing takes time
  k.tap("继续");
  REQUIRE(k.app.startForm("civilized-city", Clock::now()));
  CHECK(walkAway(60));
}

namespace {
// The text drawn with exactly these words this frame, if any.
const minyi::ui::TouchTargets::Text* drawnText(const std::string& words) {
  for (const auto& t : window().targets().texts())
    if (t.text == words) return &t;
  return nullptr;
}
}  // namespace

TEST_CASE("a page one resident scrolled starts at the top for the next", "[ui]") {
  Kiosk k;
  auto firstRowY = [&] {
    window().pump(k.app, 2);
    const auto* t = window().targets().find("环境卫生（垃圾清运、卫生死角）/满意");
    REQUIRE(t);
    return t->min.y;
  };
  openMatrixPage(k);
  const float top = firstRowY();
  window().swipe(k.app, ImVec2(window().panel().width * 0.97f, 800), ImVec2(window().panel().width * 0.97f, 500), 10, 10);
  REQUIRE(firstRowY() < top - 100);
  const auto t0 = Clock::now();
  k.app.noteActivity(t0);
  k.app.tick(t0 + std::chrono::hours(1));
  k.app.tick(t0 + std::chrono::hours(1) + std::chrono::seconds(21));  // walked away
  REQUIRE(k.app.screen() == Screen::Attract);
  openMatrixPage(k);
  CHECK(firstRowY() == top);
}

TEST_CASE("返回首页 on a form asks first when answers would be lost, and only then", "[ui]") {
  Kiosk k;
  k.tap("我要投诉");
  k.tap("返回首页");  // nothing answered yet: straight back
  CHECK(k.app.screen() == Screen::Attract);
  k.tap("我要投诉");
  k.tap("楼道灯不亮");
  k.tap("下一步");
  k.tap("返回首页");
  CHECK(k.app.screen() == Screen::FormPage);
  CHECK(k.app.view(1920, 1080).confirmLeave);
  CHECK(drawnText("要离开这份问卷吗？"));
  CHECK_FALSE(window().targets().centre("东湖社区"));  // the page is not drawn under the question
  k.tap("继续填写");
  CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("category")) == "hallway_lights");
  k.tap("返回首页");
  k.tap("离开，回首页");
  CHECK(k.app.screen() == Screen::Attract);
  CHECK(k.app.session() == nullptr);
  CHECK(k.stored().empty());
}

TEST_CASE("a long page says there is more below until the resident has scrolled to its end", "[ui]") {
  Kiosk k;
  k.app.setElderly(true);
  openMatrixPage(k);
  window().pump(k.app, 1);
  REQUIRE(drawnText("向上滑动，下面还有"));
  for (int i = 0; i < 10 && drawnText("向上滑动，下面还有"); ++i)
    window().swipe(k.app, ImVec2(window().panel().width * 0.97f, 800), ImVec2(window().panel().width * 0.97f, 300), 10, 10);
  window().pump(k.app, 2);
  CHECK_FALSE(drawnText("向上滑动，下面还有"));
  k.app.setElderly(false);
}

TEST_CASE("opening the keyboard brings the whole question into view, title first, and hides the placeholder", "[ui]") {
  Kiosk k;
  k.tap("我要投诉");
  k.tap("楼道灯不亮");
  k.tap("下一步");
  k.tap("东湖社区");
  k.tap("下一步");
  CHECK(drawnText("最多 500 字"));  // the placeholder of the empty description
  k.tap("点这里输入:description");
  REQUIRE(k.app.keyboard());
  window().pump(k.app, 2);
  const auto* title = drawnText("请描述问题的具体情况（必答）");
  REQUIRE(title);
  CHECK(title->min.y >= title->clipMin.y);  // not cut at the top of the page
  CHECK(title->max.y <= title->clipMax.y);
  const auto* field = window().targets().find("点这里输入:description");
  REQUIRE(field);
  CHECK(field->visible);
  CHECK_FALSE(drawnText("最多 500 字"));  // while typing there is a caret, not a prompt
}

TEST_CASE("the site's name reads in Traditional characters in 繁", "[ui]") {
  Kiosk k;
  k.app.setSiteName("东湖社区党群服务中心");
  k.tap("繁");
  auto shown = [] {
    for (const auto& t : window().targets().texts())
      if (t.text == "東湖社區黨群服務中心") return true;
    return false;
  };
  CHECK(shown());
  k.tap("简");
  CHECK_FALSE(shown());
}

TEST_CASE("the start screen left in another language or 长辈模式 goes back to the defaults", "[ui]") {
  Kiosk k;
  k.app.setResidentDefaults("zh-cn", false, 30);
  k.tap("EN");
  k.tap("Large text");
  REQUIRE(k.app.locale() == "en");
  REQUIRE(k.app.elderly());
  const auto t0 = Clock::now();
  k.app.noteActivity(t0);
  CHECK(k.app.msUntilNextTimer(t0) <= 30000);  // the loop wakes for it
  k.app.tick(t0 + std::chrono::seconds(29));
  CHECK(k.app.locale() == "en");
  k.app.tick(t0 + std::chrono::seconds(30));
  CHECK(k.app.locale() == "zh-cn");
  CHECK_FALSE(k.app.elderly());
  CHECK(k.app.screen() == Screen::Attract);
  CHECK_FALSE(k.app.idlePrompt());  // nothing to lose here: no question asked
}

TEST_CASE("a complaint with a phone number typed on the on-screen keypad", "[ui][keyboard]") {
  Kiosk k;
  k.tap("我要投诉");
  k.tap("电动车飞线充电");
  k.tap("下一步");
  k.tap("东联社区");
  k.type("location", "5号楼车棚旁");
  k.tap("完成");  // the keyboard's Done closes it and brings back 下一步
  k.tap("下一步");
  k.type("description", "有住户拉电线给电动车充电。");
  k.tap("完成");
  k.tap("下一步");
  REQUIRE(k.app.session()->progress().page == 4);
  k.tap("留电话，方便联系");
  k.tap("点这里输入:phone");
  // A phone question offers the digit pad only; twelve taps, eleven digits fit.
  for (const char* d : {"1", "3", "8", "0", "0", "1", "3", "8", "0", "0", "0", "5"}) k.tap(d);
  CHECK_FALSE(window().targets().centre("q"));
  k.tap("删除");
  k.tap("0");
  k.tap("完成");
  CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("phone")) == "13800138000");
  k.tap("同意");
  k.tap("核对并提交");
  REQUIRE(k.app.screen() == Screen::Review);
  k.tap("提交");
  REQUIRE(k.stored().size() == 1);
  const Json expected = Json::parse(R"({"category": "ebike_charging", "community": "donglian", "location": "5号楼车棚旁",
    "description": "有住户拉电线给电动车充电。", "anonymous": false, "phone": "13800138000", "consent": true})");
  CHECK(nlohmann::json(k.stored()[0]) == nlohmann::json(expected));
  // On disk the answers are sealed: a copied kiosk database gives up neither the phone number nor the text.
  const std::string raw = k.store->pending(1).value()[0].payload;
  CHECK(raw.find("13800138000") == std::string::npos);
  CHECK(raw.find("电动车") == std::string::npos);
  CHECK(raw.find("ebike") == std::string::npos);
}

// Decodes the QR code in a PNG with zbarimg (zbar-tools): what a resident's phone would read.
std::string scanQr(const fs::path& png) {
  const std::string command = "zbarimg --raw -q '" + png.string() + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST_CASE("a complaint leaves with a receipt: ticket code, a QR code a phone reads back to the exact link, the deadline",
          "[ui][tickets]") {
  Kiosk k;
  k.tap("我要投诉");
  k.tap("楼道灯不亮");
  k.tap("下一步");
  k.tap("东湖社区");
  k.type("location", "3号楼2单元");
  k.tap("完成");
  k.tap("下一步");
  k.type("description", "楼道灯坏了一个多月。");
  k.tap("完成");
  k.tap("下一步");
  k.tap("匿名");
  k.tap("核对并提交");
  REQUIRE(k.app.screen() == Screen::Review);
  k.tap("提交");
  REQUIRE(k.app.screen() == Screen::ThankYou);
  const auto v = k.app.view(1920, 1080);
  REQUIRE(v.receipt);
  const std::string code = v.receipt->code;
  CHECK(code.size() == 11);
  CHECK(v.receipt->category == "楼道灯不亮");
  CHECK(v.receipt->deadline == "7 天内");
  // The code is on the screen in big type, and the QR code decodes to the exact link.
  CHECK(window().targets().centre("ticket:" + code));
  TempDir shots;
  const fs::path png = shots.path / "receipt.png";
  REQUIRE(window().screenshot(k.app, png));
  const std::string link = v.receipt->link;
  CHECK(link.rfind("https://minyi.township.test/t/" + code.substr(0, 5) + code.substr(6) + "?k=", 0) == 0);
  CHECK(scanQr(png) == link);
  // The ticket is kept with its submission; the access key is nowhere on the kiosk's disk in the clear.
  auto stored = k.store->pending(10).value();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].ticketCode == code.substr(0, 5) + code.substr(6));
  const std::string accessKey = link.substr(link.find("?k=") + 3);
  CHECK(*minyi::protocol::openSealed(k.server, stored[0].ticketKeySealed) == accessKey);
  std::ifstream db(k.dir.path / "kiosk.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
  std::ifstream wal(k.dir.path / "kiosk.db-wal", std::ios::binary);
  const std::string walBytes((std::istreambuf_iterator<char>(wal)), std::istreambuf_iterator<char>());
  CHECK(bytes.find(accessKey) == std::string::npos);
  CHECK(walBytes.find(accessKey) == std::string::npos);
  // It stays until 完成, however long copying the code takes; only walking away ends it, through 还在吗？,
  // and then the next resident gets a clean start screen.
  const int idle = k.app.session()->form().minyi.idleSeconds;  // the complaint form asks for 90 s
  const auto t0 = Clock::now();
  k.app.noteActivity(t0);  // the resident's last touch
  k.app.tick(t0 + std::chrono::seconds(idle - 1));
  CHECK(k.app.screen() == Screen::ThankYou);
  CHECK_FALSE(k.app.idlePrompt());
  k.app.tick(t0 + std::chrono::seconds(idle + 1));
  CHECK(k.app.screen() == Screen::ThankYou);
  REQUIRE(k.app.idlePrompt());
  k.tap("继续");
  CHECK(k.app.screen() == Screen::ThankYou);
  CHECK(k.app.view(1920, 1080).receipt);
  const auto t1 = Clock::now();
  k.app.tick(t1 + std::chrono::seconds(idle + 1));
  k.app.tick(t1 + std::chrono::seconds(idle + 1 + 21));
  CHECK(k.app.screen() == Screen::Attract);
  CHECK_FALSE(k.app.view(1920, 1080).receipt);
}

TEST_CASE("查询进度: a typo is told apart from an unknown code, and a known one shows its handling", "[ui][tickets]") {
  Kiosk k;
  // A complaint filed here a moment ago.
  REQUIRE(k.app.startForm("complaint", Clock::now()));
  minyi::core::fillFromAnswers(*k.app.session(), Json::parse(R"({"category":"fire_lane","community":"huayuan",
    "location":"东门","description":"消防通道被车堵住了。","anonymous":true})"));
  k.app.apply({minyi::ui::command::Submit{}}, Clock::now());
  const std::string code = k.app.view(1920, 1080).receipt->code;
  k.tap("完成");
  REQUIRE(k.app.screen() == Screen::Attract);
  k.tap("查询进度");
  REQUIRE(k.app.screen() == Screen::Lookup);
  REQUIRE(k.app.view(1920, 1080).keyboard);  // the keyboard is up at once
  auto typeCode = [&](const std::string& typed) {
    k.tap("清空");
    for (char c : typed) {
      const std::string key(1, static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      if (c == '-') k.tap("-");
      else k.tap(key);
    }
    k.tap("完成");  // the keyboard's Done looks it up
  };
  using R = minyi::ui::LookupView::Result;
  typeCode("12345");
  CHECK(k.app.view(1920, 1080).lookup->result == R::Malformed);
  std::string typo = code;
  typo[2] = typo[2] == '1' ? '2' : '1';
  k.tap("请输入受理编号（回执上的 10 位字母和数字）");
  typeCode(typo);
  CHECK(k.app.view(1920, 1080).lookup->result == R::Mistyped);
  k.tap("请输入受理编号（回执上的 10 位字母和数字）");
  typeCode(minyi::protocol::makeTicketCode(99, 5));  // a real code, but not one of this kiosk's
  CHECK(k.app.view(1920, 1080).lookup->result == R::Unknown);
  k.tap("请输入受理编号（回执上的 10 位字母和数字）");
  typeCode(code);
  auto l = k.app.view(1920, 1080).lookup;
  REQUIRE(l->result == R::Found);
  CHECK(l->code == code);
  CHECK(l->rows[0].second == "已受理");
  CHECK(l->note == "服务器还没有传回这份投诉的办理情况（可能还在上传），请稍后再查。");
  // The server's news arrives: the same lookup shows the reply and the history.
  const std::string bare = code.substr(0, 5) + code.substr(6);
  REQUIRE(k.store->updateTickets({{bare, "resolved", "2026-11-28T10:00:00Z", "车辆已挪走，已设禁停标志。",
                                   R"([{"status":"received","at":"2026-11-27T08:00:00Z"},{"status":"resolved","at":"2026-11-27T15:00:00Z"}])"}}).ok());
  k.tap("查询");
  l = k.app.view(1920, 1080).lookup;
  CHECK(l->rows[0].second == "已办结");
  CHECK(std::any_of(l->rows.begin(), l->rows.end(), [](const auto& r) { return r.second == "车辆已挪走，已设禁停标志。"; }));
  CHECK(l->timeline.size() == 2);
  // 回访: a resolved ticket asks how it went; the rating is kept for the uploader, and asked only once.
  REQUIRE(l->canRate);
  k.tap("不满意");
  l = k.app.view(1920, 1080).lookup;
  CHECK_FALSE(l->canRate);
  CHECK(l->thanks == "谢谢您的评价！选择“不满意”的，工作人员会重新办理。");
  CHECK(std::any_of(l->rows.begin(), l->rows.end(), [](const auto& r) { return r.second == "不满意（正在上传）"; }));
  auto ratings = k.store->pendingRatings(10).value();
  REQUIRE(ratings.size() == 1);
  CHECK(ratings[0].code == bare);
  CHECK(ratings[0].rating == "unsatisfied");
  // A deadline at 24:00 China time reads as that day's 24:00, not the next day's 00:00 (regression).
  const char* tz = std::getenv("TZ");
  const std::string oldTz = tz ? tz : "";
  setenv("TZ", "Asia/Shanghai", 1);
  tzset();
  REQUIRE(k.store->updateTickets({{bare, "in_progress", "2026-12-09T16:00:00Z", "", R"([{"status":"received","at":"2026-11-27T08:00:00Z"}])"}}).ok());
  k.tap("查询");
  l = k.app.view(1920, 1080).lookup;
  CHECK(std::any_of(l->rows.begin(), l->rows.end(), [](const auto& r) { return r.second == "2026-12-09 24:00"; }));
  CHECK(std::any_of(l->timeline.begin(), l->timeline.end(), [](const auto& t) { return t.rfind("2026-11-27 16:00", 0) == 0; }));
  if (tz) setenv("TZ", oldTz.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  // Leaving (or walking away) wipes the code: the next resident sees nothing of it.
  k.tap("返回首页");
  CHECK(k.app.view(1920, 1080).lookup->typed.empty());
}

TEST_CASE("a kiosk with no number for ticket codes offers no complaint entry", "[ui][tickets]") {
  Kiosk k;
  k.app.setKioskNumber(0);
  auto v = k.app.view(1920, 1080);
  CHECK(std::none_of(v.forms.begin(), v.forms.end(), [](const minyi::ui::FormEntry& e) { return e.kind == "complaint"; }));
  // Enrollment hands one out.
  REQUIRE(k.store->setSetting(minyi::sync::keys::kKioskNumber, "12").ok());
  v = k.app.view(1920, 1080);
  CHECK(std::any_of(v.forms.begin(), v.forms.end(), [](const minyi::ui::FormEntry& e) { return e.kind == "complaint"; }));
}

TEST_CASE("a kiosk without the server's key pauses instead of taking answers it cannot seal", "[ui][hostile]") {
  KioskApp app;
  std::string err;
  REQUIRE(app.load(MINYI_ASSETS_DIR, std::string(MINYI_ASSETS_DIR) + "/forms", &err));
  TempDir dir;
  minyi::store::StoreError se;
  auto store = minyi::store::KioskStore::open((dir.path / "kiosk.db").string(), &se);
  REQUIRE(store);
  const auto t0 = Clock::now();
  app.attachStore(store.get(), t0);
  CHECK(app.screen() == Screen::OutOfService);
  CHECK_THAT(app.outOfServiceReason(), Catch::Contains("public_key"));
  // Enrollment leaves the server's key in the store; the kiosk opens again on its next check.
  const auto server = minyi::protocol::generateKeyPair();
  REQUIRE(store->setSetting(minyi::sync::keys::kPublicKey, minyi::protocol::encodeKey(server.publicKey)).ok());
  app.tick(t0 + std::chrono::seconds(31));
  CHECK(app.screen() == Screen::Attract);
}

TEST_CASE("notices from the server turn in the attract screen's carousel, in the resident's language", "[ui][notices]") {
  Kiosk k;
  const minyi::store::StoredNotice fix{"fix-1", R"({"zh-cn":"整改情况公示","zh-tw":"整改情況公示","en":"What was fixed"})",
                                       R"({"zh-cn":"东湖社区5号楼楼道灯已修复。","zh-tw":"東湖社區5號樓樓道燈已修復。","en":"Hallway lights fixed."})",
                                       "2026-11-20T02:00:00Z", ""};
  const minyi::store::StoredNotice meeting{"meet-1", R"({"zh-cn":"居民议事会"})", R"({"zh-cn":"本周六上午九点在党群服务中心。"})",
                                           "2026-11-25T02:00:00Z", ""};
  REQUIRE(k.store->replaceNotices({fix, meeting}).ok());
  k.app.attachStore(k.store.get(), Clock::now());  // as on start-up: the kept notices are read
  auto v = k.app.view(1920, 1080);
  REQUIRE(v.notices.size() == 2);
  CHECK(v.notices[v.noticeIndex].title == "居民议事会");  // newest first
  k.tap("notice");
  v = k.app.view(1920, 1080);
  CHECK(v.notices[v.noticeIndex].title == "整改情况公示");
  CHECK(v.notices[v.noticeIndex].date == "2026-11-20");
  k.app.setLocale("zh-tw");
  v = k.app.view(1920, 1080);
  CHECK(v.notices[v.noticeIndex].body == "東湖社區5號樓樓道燈已修復。");
  // No Traditional text: the Simplified one in Traditional characters (OpenCC), not nothing.
  CHECK(v.notices[1 - v.noticeIndex].title == "居民議事會");
  CHECK(v.notices[1 - v.noticeIndex].body == "本週六上午九點在黨群服務中心。");
  // The carousel turns by itself (the loop is woken for it, and only on the attract screen).
  const auto t0 = Clock::now();
  CHECK(k.app.msUntilNextTimer(t0) <= 15000);
  const int before = k.app.view(1920, 1080).noticeIndex;
  k.app.tick(t0 + std::chrono::seconds(16));
  CHECK(k.app.view(1920, 1080).noticeIndex != before);
}

TEST_CASE("when the disk fills during the day, the kiosk pauses and every earlier submission is kept", "[ui][hostile]") {
  minyi::store::OpenOptions capped;
  capped.maxDatabaseBytes = 200 * 1024;
  Kiosk k(capped);
  REQUIRE_FALSE(k.app.outOfService());
  int accepted = 0;
  for (int i = 0; i < 5000 && !k.app.outOfService(); ++i) {
    // One quick rating at a time, a minute apart (no burst flags), straight through the flow.
    const auto when = Clock::now() + std::chrono::minutes(i);
    k.app.apply({minyi::ui::command::QuickRate{"quick", Json("satisfied")}}, when);
    if (!k.app.outOfService()) ++accepted;
  }
  REQUIRE(k.app.outOfService());
  CHECK(accepted > 10);
  CHECK(static_cast<int>(k.stored().size()) == accepted);  // all acknowledged ones are there
}

namespace {
// Staff's PIN 2468 on this kiosk, exports going to `usb` (argon2id is slow: the hash is made once).
void giveAdminPin(Kiosk& k, const TempDir& usb) {
  static const auto hash = minyi::store::hashPin("2468");
  REQUIRE(hash);
  k.app.setAdmin(*hash, usb.path.string(), "donghu-dqfwzx");
}
// The staff gesture and the PIN, as staff tap them: the admin panel opens.
void openAdminPanel(Kiosk& k) {
  for (int i = 0; i < 5; ++i) k.tap("__admin_corner");
  for (const char* d : {"2", "4", "6", "8"}) k.tap(d);
  k.tap("完成");
  REQUIRE(k.app.screen() == Screen::Admin);
}
}  // namespace

TEST_CASE("admin: five corner taps and the PIN open the panel, wrong PINs lock the pad", "[ui][admin]") {
  Kiosk k;
  TempDir usb;
  giveAdminPin(k, usb);
  k.tap("非常满意");  // something in the outbox to export
  for (int i = 0; i < 4; ++i) k.tap("__admin_corner");
  CHECK(k.app.screen() == Screen::Attract);  // four taps are not the gesture
  k.tap("__admin_corner");
  REQUIRE(k.app.screen() == Screen::AdminPin);
  // Five wrong PINs lock the pad.
  for (int i = 0; i < 5; ++i) {
    for (const char* d : {"1", "1", "1", "1"}) k.tap(d);
    k.tap("完成");
  }
  CHECK(k.app.view(1920, 1080).pinMessage.find("已锁定") != std::string::npos);
  for (const char* d : {"2", "4", "6", "8"}) k.tap(d);
  k.tap("完成");
  CHECK(k.app.screen() == Screen::AdminPin);  // even the right PIN waits for the lock to pass
  k.tap("取消");
  CHECK(k.app.screen() == Screen::Attract);

  Kiosk fresh;
  giveAdminPin(fresh, usb);
  fresh.tap("非常满意");
  openAdminPanel(fresh);
  const auto* info = fresh.app.view(1920, 1080).admin;
  REQUIRE(info);
  std::string all;
  for (const auto& [key, value] : info->rows) all += key + "=" + value + "\n";
  CHECK_THAT(all, Catch::Matchers::Contains("admin.outbox=待上传 1 份"));
  CHECK_THAT(all, Catch::Matchers::Contains("admin.device=kiosk-"));
  CHECK(info->forms.size() == 6);
  fresh.tap("导出到U盘");
  int files = 0;
  std::string manifest;
  for (const auto& e : fs::directory_iterator(usb.path)) {
    files += e.path().string().find("minyi-export-") != std::string::npos;
    if (e.path().string().find(".manifest.json") != std::string::npos) manifest = readAll(e.path());
  }
  CHECK(files == 2);  // data and manifest
  // The manifest names this kiosk as the panel does (regression: its device_id was empty).
  const std::string device = all.substr(all.find("admin.device=") + 13, all.find('\n', all.find("admin.device=")) - all.find("admin.device=") - 13);
  CHECK(Json::parse(manifest).at("device_id") == device);
  CHECK_THAT(fresh.app.view(1920, 1080).admin->message, Catch::Matchers::Contains("已导出 1 份"));
  // The confirmation is on screen where staff look, not below the fold (regression).
  bool shown = false;
  for (const auto& t : window().targets().texts())
    if (t.text.find("已导出 1 份") != std::string::npos) shown = t.max.y <= window().panel().height && t.min.y >= 0;
  CHECK(shown);
  fresh.tap("退出程序");
  CHECK(fresh.app.exitRequested());
  auto audit = fresh.store->recentAudit(10);
  REQUIRE(audit.ok());
  std::string actions;
  for (const auto& a : audit.value()) actions += a.action + " ";
  CHECK_THAT(actions, Catch::Matchers::Contains("exit"));
  CHECK_THAT(actions, Catch::Matchers::Contains("export"));
  CHECK_THAT(actions, Catch::Matchers::Contains("login"));
}

TEST_CASE("admin: refused submissions are sent again with one tap, and the USB export carries them marked", "[ui][admin]") {
  Kiosk k;
  TempDir usb;
  giveAdminPin(k, usb);
  k.tap("非常满意");
  k.tap("满意");
  const auto pending = k.store->pending(10).value();
  REQUIRE(pending.size() == 2);
  REQUIRE(k.store->markRejected(pending[0].id, "HTTP 400 (a proxy)").ok());
  openAdminPanel(k);
  CHECK(k.app.view(1920, 1080).admin->unsettled == 1);
  // The export takes the refused one too, with its state.
  k.tap("导出到U盘");
  std::string data;
  for (const auto& e : fs::directory_iterator(usb.path))
    if (e.path().extension() == ".jsonl") data = readAll(e.path());
  CHECK_THAT(data, Catch::Matchers::Contains("\"state\":\"rejected\""));
  CHECK_THAT(data, Catch::Matchers::Contains("\"state\":\"pending\""));
  k.tap("重新发送有问题的 1 份提交");
  CHECK(k.store->pending(10).value().size() == 2);
  CHECK(k.app.view(1920, 1080).admin->unsettled == 0);
  CHECK_THAT(k.app.view(1920, 1080).admin->message, Catch::Matchers::Contains("已把 1 份"));
  window().pump(k.app, 2);
  CHECK_FALSE(window().targets().find("重新发送有问题的 1 份提交"));  // nothing left to send again
}

namespace {

std::string choiceText(const std::vector<minyi::core::ChoiceView>& list, const Json& v) {
  for (const auto& c : list)
    if (minyi::core::values::equal(c.value, v)) return c.text;
  FAIL("no choice with value " << v.dump());
  return {};
}

// A resident answering a whole form by taps and typing, from a SurveyJS answers object: each value becomes
// the tap on the tile that shows it, each text is typed on the on-screen keyboard.
void fillByTaps(Kiosk& k, const Json& answers) {
  using minyi::core::ElementType;
  std::set<std::string> done;
  for (int page = 0; page < 20 && k.app.screen() == Screen::FormPage; ++page) {
    for (int round = 0; round < 10; ++round) {
      bool changed = false;
      auto& s = *k.app.session();
      for (const minyi::core::Element* e : s.visibleElements()) {
        if (!e->isQuestion()) continue;
        const std::string key = e->valueKey();
        const std::string name = e->name;
        if (answers.contains(key) && !done.count(key)) {
          done.insert(key);
          changed = true;
          const Json& v = answers[key];
          switch (e->type) {
            case ElementType::Radiogroup:
            case ElementType::Dropdown:
            {
              k.tap(name + "/" + choiceText(s.choices(*e), v));
              CHECK(k.app.session()->value(*e) == v);
              break;
            }
            case ElementType::Checkbox:
            case ElementType::Tagbox:
              for (const Json& x : v) k.tap(name + "/" + choiceText(k.app.session()->choices(*e), x));
              break;
            case ElementType::Rating:
              k.tap(name + "/" + choiceText(s.rateItems(*e), v));
              break;
            case ElementType::Boolean: {
              const bool yes = v.is_boolean() ? v.get<bool>() : minyi::core::values::equal(v, e->valueTrue);
              const auto& label = yes ? e->labelTrue : e->labelFalse;
              k.tap(name + "/" + (label.empty() ? std::string(yes ? "是" : "否") : s.text(label)));
              break;
            }
            case ElementType::Matrix:
              for (auto it = v.begin(); it != v.end(); ++it)
                k.tap(choiceText(s.matrixRows(*e), Json(it.key())) + "/" + choiceText(s.matrixColumns(*e), it.value()));
              break;
            case ElementType::Text:
            case ElementType::Comment:
              k.type(name, minyi::core::values::toDisplayString(v));
              k.tap("完成");
              break;
            default:
              FAIL("no tap driver for " << minyi::core::typeName(e->type));
          }
        }
        const std::string ckey = e->commentKey();
        if (answers.contains(ckey) && !done.count(ckey) && k.app.session()) {
          done.insert(ckey);
          changed = true;
          k.type(name + "-Comment", answers[ckey].get<std::string>());
          k.tap("完成");
        }
        if (changed) break;  // visibility may have changed: look at the page again
      }
      if (!changed) break;
    }
    auto& s = *k.app.session();
    if (s.isLastPage() || s.completeOnNext()) {
      k.tap("核对并提交");
      break;
    }
    const int before = s.currentPageIndex();
    k.tap("下一步");
    if (k.app.session()->currentPageIndex() == before) {
      for (const auto& err : k.app.session()->errors()) FAIL_CHECK(err.name << ": " << err.message);
      FAIL("stuck on a page");
    }
  }
  REQUIRE(k.app.screen() == Screen::Review);
  k.tap("提交");
  REQUIRE(k.app.screen() == Screen::ThankYou);
}

}  // namespace

TEST_CASE("every shipped form is completed by taps and typing and stored exactly", "[ui][forms]") {
  for (const char* name : {"opinion", "efficiency", "civilized-city", "complaint", "deputy-message"}) {
    INFO(name);
    Kiosk k;
    const Json answers = Json::parse(readAll(fs::path(MINYI_TEST_DATA) / "forms" / "answers" / (std::string(name) + "-valid.json")));
    REQUIRE(k.app.startForm(name, Clock::now()));
    fillByTaps(k, answers);
    const auto stored = k.stored();
    REQUIRE(stored.size() == 1);
    CHECK(nlohmann::json(stored[0]) == nlohmann::json(answers));
  }
}

TEST_CASE("a fling keeps the page gliding after the finger lifts, then it stops", "[ui]") {
  for (bool touch : {false, true}) {
    INFO((touch ? "finger events" : "mouse events"));
    Kiosk k;
    openMatrixPage(k);
    auto& w = window();
    const auto* first = w.targets().find("志愿服务/满意");
    REQUIRE(first);
    const float y0 = first->min.y;
    // A quick upward swipe: 4 frames of 25 px, then lift at once.
    w.swipe(k.app, ImVec2(w.panel().width / 2, 800), ImVec2(w.panel().width / 2, 700), 4, 0, touch);
    const float atLift = w.targets().find("志愿服务/满意")->min.y;
    bool animating = true;
    int frames = 0;
    for (; frames < 600 && animating; ++frames) {
      const auto commands = w.frame(k.app);
      animating = std::any_of(commands.begin(), commands.end(),
                              [](const minyi::ui::Command& c) { return std::holds_alternative<minyi::ui::command::Animating>(c); });
      k.app.apply(commands, Clock::now());
    }
    const float atRest = w.targets().find("志愿服务/满意")->min.y;
    CHECK(atLift < y0);          // the drag moved the page
    CHECK(atRest < atLift);      // and it glided on after the finger lifted
    CHECK_FALSE(animating);      // then stopped (or reached the end)
    CHECK(frames < 600);
    CHECK(k.app.session()->value(*k.app.session()->form().findQuestion("satisfaction")).is_null());  // no tap
  }
}

TEST_CASE("idle on a keepPartial form stores what was answered, flagged partial", "[ui]") {
  Kiosk k;
  TempDir extra;
  std::ofstream(extra.path / "partial.json") << R"({"title": "部分保存", "minyi": {"id": "partial", "kind": "survey", "keepPartial": true},
    "pages": [{"elements": [{"type": "radiogroup", "name": "community", "choices": ["donghu", "huayuan"]},
                            {"type": "comment", "name": "why", "isRequired": true}]}]})";
  std::string err;
  REQUIRE(k.app.addForms(extra.path.string(), &err));
  REQUIRE(k.app.startForm("partial", Clock::now()));
  k.tap("community/donghu");
  const auto t0 = Clock::now();
  k.app.tick(t0 + std::chrono::seconds(61));
  REQUIRE(k.app.idlePrompt());
  k.app.tick(t0 + std::chrono::seconds(61 + 21));
  CHECK(k.app.screen() == Screen::Attract);
  auto pending = k.store->pending(10);
  REQUIRE(pending.ok());
  REQUIRE(pending.value().size() == 1);
  CHECK(k.opened(pending.value()[0]) == Json{{"community", "donghu"}});
  CHECK(pending.value()[0].flags == std::vector<std::string>{"partial"});
}

TEST_CASE("kiosk: the 繁 atlas adds the Traditional variants, and canDraw follows it", "[ui]") {
  KioskApp app;
  std::string err;
  REQUIRE(app.load(MINYI_ASSETS_DIR, std::string(MINYI_ASSETS_DIR) + "/forms", &err));
  KioskWindow& w = window();
  app.setLocale("zh-cn");
  w.frame(app);
  CHECK(w.fontLibrary().canDraw("我们的社区"));
  CHECK(w.fontLibrary().canDraw("們"));  // in the zh-TW string table: every atlas holds it
  CHECK_FALSE(w.fontLibrary().canDraw("丟"));  // a Traditional variant only 繁 typing produces
  app.setLocale("zh-tw");
  w.frame(app);
  CHECK(w.fontLibrary().canDraw("丟"));
  app.setLocale("en");
  w.frame(app);
  CHECK_FALSE(w.fontLibrary().canDraw("丟"));
  CHECK(w.fontLibrary().canDraw("Hello, 你好"));
  w.present();
}
