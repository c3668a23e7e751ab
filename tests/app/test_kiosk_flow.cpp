// The kiosk's flow as a library: typed commands in, a view model out, the real store underneath, no window.
#include <catch2/catch.hpp>

#include "../store/store_test_helpers.h"
#include "kiosk_app.h"
#include "minyi/core/json_input.h"
#include "minyi/core/scripted_fill.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/ticket.h"
#include "minyi/store/config.h"

using namespace minyi;
namespace command = minyi::ui::command;
using minyi::app::Clock;
using minyi::app::KioskApp;
using minyi::test::TempDir;

namespace {

// A kiosk with the shipped forms, its own database, sealing to a fresh server key, kiosk number 7.
struct Flow {
  TempDir dir;
  protocol::KeyPair server = protocol::generateKeyPair();
  std::unique_ptr<store::KioskStore> store;
  KioskApp app;

  Flow() {
    std::string err;
    REQUIRE(app.load(MINYI_ASSETS_DIR, std::string(MINYI_ASSETS_DIR) + "/forms", &err));
    store::StoreError se;
    store = store::KioskStore::open(dir.file("kiosk.db"), &se);
    REQUIRE(store);
    app.setServer(server.publicKey, "https://minyi.example.gov.cn/");
    app.setKioskNumber(7);
    app.attachStore(store.get(), Clock::now());
    REQUIRE(app.screen() == ui::Screen::Attract);
  }

  void apply(ui::Command c) { app.apply({std::move(c)}, Clock::now()); }

  // The shipped test complaint (e-bike charging from a window, 东联), filed as a resident would finish it.
  void fileComplaint() {
    std::string why;
    const auto answers = core::parseJsonText(
        *core::readTextFile(std::string(MINYI_TEST_DATA) + "/forms/answers/complaint-valid.json", &why, 1 << 20), &why);
    REQUIRE(answers);
    REQUIRE(app.startForm("complaint", Clock::now()));
    REQUIRE(core::fillFromAnswers(*app.session(), *answers).outcome == core::NavResult::Completed);
    apply(command::Submit{});
    REQUIRE(app.screen() == ui::Screen::ThankYou);
  }
};

}  // namespace

TEST_CASE("the complaint desk: one receipt holds the code, the QR link with its key, the category and the deadline in words",
          "[flow]") {
  Flow k;
  k.fileComplaint();
  const ui::ViewState v = k.app.view(1920, 1080);
  REQUIRE(v.receipt);
  const core::Receipt receipt = *v.receipt;  // plain data: a printer or a voice could take this copy
  CHECK(receipt.category == "电动车飞线充电");
  CHECK(receipt.deadline == "24 小时内");
  // The code is this kiosk's (number 7), checked by its own symbol, and it is the one the store keeps.
  const protocol::TicketCode checked = protocol::checkTicketCode(receipt.code);
  REQUIRE(checked.check == protocol::TicketCode::Check::Ok);
  auto ticket = k.store->ticket(checked.code);
  REQUIRE(ticket.ok());
  REQUIRE(ticket.value());
  CHECK(ticket.value()->category == "ebike_charging");
  // The link goes to the configured server with the code, and its key is the one sealed for the server.
  const std::string prefix = "https://minyi.example.gov.cn/t/" + checked.code + "?k=";
  REQUIRE(receipt.link.rfind(prefix, 0) == 0);
  const auto opened = protocol::openSealed(k.server, ticket.value()->keySealed);
  REQUIRE(opened);
  CHECK(*opened == receipt.link.substr(prefix.size()));
  // In 繁 the same complaint reads in the resident's script.
  k.apply(command::Finish{});
  k.apply(command::SetLocale{"zh-tw"});
  k.fileComplaint();
  CHECK(k.app.view(1920, 1080).receipt->category == "電動車飛線充電");
  CHECK(k.app.view(1920, 1080).receipt->deadline == "24 小時內");
  // The next resident never sees it.
  k.apply(command::Finish{});
  CHECK(k.app.view(1920, 1080).receipt == nullptr);
}

TEST_CASE("查询进度 through typed commands: the code typed on the keyboard finds the ticket filed here", "[flow]") {
  Flow k;
  k.fileComplaint();
  const std::string code = k.app.view(1920, 1080).receipt->code;
  k.apply(command::Finish{});
  k.apply(command::OpenLookup{});
  REQUIRE(k.app.screen() == ui::Screen::Lookup);
  REQUIRE(k.app.view(1920, 1080).lookup->editing);  // the keyboard opens on the code at once
  k.app.typeText(code);
  CHECK(k.app.view(1920, 1080).lookup->typed == code);
  k.apply(command::LookupSubmit{});
  const ui::LookupView& found = *k.app.view(1920, 1080).lookup;
  CHECK_FALSE(found.editing);
  REQUIRE(found.result == ui::LookupView::Result::Found);
  CHECK(found.code == code);
  CHECK_FALSE(found.canRate);  // 回访 only once the ticket is resolved
  // One symbol wrong is told apart from a code nobody made.
  k.apply(command::LookupField{});
  k.app.backspace();
  k.app.typeText(code.back() == '0' ? "1" : "0");
  k.apply(command::LookupSubmit{});
  CHECK(k.app.view(1920, 1080).lookup->result == ui::LookupView::Result::Mistyped);
  // Going home forgets the code for the next resident.
  k.apply(command::Home{});
  CHECK(k.app.view(1920, 1080).lookup->typed.empty());
}

TEST_CASE("the staff panel through typed commands: five corner taps, a wrong PIN, the right one, the panel's rows", "[flow]") {
  Flow k;
  k.app.setAdmin(*store::hashPin("2468"), k.dir.file("usb"), "donghu-1");
  for (int i = 0; i < 4; ++i) k.apply(command::AdminCorner{});
  CHECK(k.app.screen() == ui::Screen::Attract);
  k.apply(command::AdminCorner{});
  REQUIRE(k.app.screen() == ui::Screen::AdminPin);
  auto enter = [&](const std::string& pin) {
    k.app.typeText(pin);
    k.apply(command::KeyPress{"done"});
  };
  enter("1111");
  CHECK(k.app.screen() == ui::Screen::AdminPin);
  CHECK(k.app.view(1920, 1080).pinMessage == k.app.view(1920, 1080).strings->get("zh-cn", "admin.pinWrong"));
  enter("2468");
  REQUIRE(k.app.screen() == ui::Screen::Admin);
  const ui::AdminInfo& info = *k.app.view(1920, 1080).admin;
  bool site = false;
  for (const auto& [key, value] : info.rows) site = site || (key == "admin.site" && value.find("(donghu-1)") != std::string::npos);
  CHECK(site);
  k.apply(command::AdminCancel{});
  CHECK(k.app.screen() == ui::Screen::Attract);
  auto log = k.store->recentAudit(10);
  REQUIRE(log.ok());
  std::vector<std::string> actions;
  for (const auto& e : log.value()) actions.push_back(e.action);
  CHECK(std::count(actions.begin(), actions.end(), "pin_failed") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "login") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "logout") == 1);
}

TEST_CASE("typed commands: a dynamic panel is added and the right one removed by its index", "[flow]") {
  Flow k;
  std::string err;
  REQUIRE(k.app.addForms(std::string(MINYI_SOURCE_DIR) + "/deploy/demo/showcase", &err));
  // The showcase form has a paneldynamic; find it on its page.
  REQUIRE(k.app.startForm("all-question-types", Clock::now()));
  core::Session& s = *k.app.session();
  const core::Element* panel = nullptr;
  for (const core::Element* e : s.form().allElements())
    if (e->type == core::ElementType::PanelDynamic && !panel) panel = e;
  REQUIRE(panel);
  REQUIRE(!panel->elements.empty());
  const core::QuestionRef ref{panel};
  const int before = s.panelCount(*panel);
  k.apply(command::AddPanel{ref});
  k.apply(command::AddPanel{ref});
  REQUIRE(s.panelCount(*panel) == before + 2);
  // An answer in each new panel, so the removal can be seen to take the right one.
  const core::Element& field = *panel->elements.front();
  s.setValue(core::QuestionRef{&field, panel, before}, "41");
  s.setValue(core::QuestionRef{&field, panel, before + 1}, "67");
  // Regression: typing into a field of a dynamic panel filled the first panel's field, whichever was tapped.
  k.apply(command::EditText{core::QuestionRef{&field, panel, before + 1}, command::TextPart::Value});
  CHECK(k.app.view(1920, 1080).editing == &field);
  CHECK(k.app.view(1920, 1080).editingPanel == before + 1);
  k.app.backspace();
  k.app.backspace();
  k.app.typeText("68");
  k.apply(command::KeyPress{"done"});
  CHECK(core::values::toDisplayString(s.value(core::QuestionRef{&field, panel, before + 1})) == "68");
  CHECK(core::values::toDisplayString(s.value(core::QuestionRef{&field, panel, before})) == "41");
  s.setValue(core::QuestionRef{&field, panel, before + 1}, "67");
  k.apply(command::RemovePanel{ref, before});
  REQUIRE(s.panelCount(*panel) == before + 1);
  CHECK(core::values::toDisplayString(s.value(core::QuestionRef{&field, panel, before})) == "67");
}

TEST_CASE("outside opening hours the start screen goes dark once untouched, a touch wakes it, opening time too", "[flow]") {
  Flow f;
  int minute = 20 * 60;  // 20:00, after closing
  f.app.setResidentDefaults("zh-cn", false, 60);
  f.app.setOpeningHours(core::OpeningHours{8 * 60, 18 * 60}, [&] { return minute; });
  auto t = Clock::now();
  f.app.noteActivity(t);
  CHECK_FALSE(f.app.tick(t + std::chrono::seconds(30)));  // someone was just here
  CHECK_FALSE(f.app.asleep());
  CHECK(f.app.msUntilNextTimer(t + std::chrono::seconds(30)) <= 30000);  // the loop wakes up to darken it
  CHECK(f.app.betweenResidents());
  CHECK(f.app.tick(t + std::chrono::seconds(61)));
  CHECK(f.app.asleep());
  CHECK(f.app.betweenResidents());
  CHECK(f.app.view(1920, 1080).asleep);
  // Asleep, nothing but the waking touch counts: a stray command does not start a form.
  t += std::chrono::seconds(120);
  f.app.apply({command::OpenFormList{}}, t);
  CHECK(f.app.screen() == ui::Screen::Attract);
  CHECK(f.app.asleep());
  f.app.apply({command::Wake{}}, t);
  CHECK_FALSE(f.app.asleep());
  CHECK_FALSE(f.app.view(1920, 1080).asleep);
  // A resident who starts a form after closing is never cut off: only the start screen goes dark.
  f.app.apply({command::OpenFormList{}}, t);
  REQUIRE(f.app.startForm("quick", t));
  CHECK_FALSE(f.app.betweenResidents());  // the night update waits for this resident
  f.app.tick(t + std::chrono::seconds(65));
  CHECK_FALSE(f.app.asleep());
  f.app.apply({command::Home{}}, t + std::chrono::seconds(70));
  CHECK(f.app.tick(t + std::chrono::seconds(131)));
  CHECK(f.app.asleep());
  // Opening time wakes it by itself.
  minute = 8 * 60;
  CHECK(f.app.tick(t + std::chrono::seconds(200)));
  CHECK_FALSE(f.app.asleep());
  // Within opening hours it never sleeps, and without opening hours neither.
  CHECK_FALSE(f.app.tick(t + std::chrono::hours(3)));
  CHECK_FALSE(f.app.asleep());
  minute = 23 * 60;
  f.app.setOpeningHours(std::nullopt);
  f.app.tick(t + std::chrono::hours(4));
  CHECK_FALSE(f.app.asleep());
}

