// The tour of every screen, for the screenshot run and the layout test: the app driven by its own commands.
#include "tour.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "minyi/core/json_input.h"
#include "minyi/core/scripted_fill.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/ticket.h"
#include "minyi/store/config.h"
#include "minyi/store/store.h"

namespace minyi::app {

namespace fs = std::filesystem;
using ui::Command;
namespace command = ui::command;

void pressKey(KioskApp& app, const std::string& label, Clock::time_point now) {
  if (!app.keyboard()) return;
  for (const auto& row : app.keyboard()->keys())
    for (const auto& key : row)
      if (key.label == label) {
        app.apply({command::KeyPress{key.id()}}, now);
        return;
      }
}

namespace {

// Taps the candidate with this text on the keyboard's bar, if it is offered.
void chooseCandidate(KioskApp& app, const std::string& text, Clock::time_point now) {
  if (!app.keyboard()) return;
  const auto c = app.keyboard()->candidates();
  const auto it = std::find(c.begin(), c.end(), text);
  if (it != c.end()) app.apply({command::Candidate{static_cast<size_t>(it - c.begin())}}, now);
}

// A finger writing 中 on the handwriting pad (its four strokes, in pad units), for the pictures.
void writeZhong(KioskApp& app, Clock::time_point now) {
  const std::vector<std::vector<std::pair<float, float>>> strokes = {
      {{0.20f, 0.30f}, {0.20f, 0.70f}}, {{0.20f, 0.30f}, {0.80f, 0.30f}, {0.80f, 0.70f}},
      {{0.20f, 0.68f}, {0.80f, 0.68f}}, {{0.50f, 0.05f}, {0.50f, 0.95f}}};
  for (const auto& st : strokes) {
    auto pen = [&](command::PenPhase phase, std::pair<float, float> p) {
      app.apply({command::Pen{phase, input::PenPoint{p.first, p.second}}}, now);
    };
    pen(command::PenPhase::Down, st.front());
    for (size_t i = 1; i < st.size(); ++i)
      for (int j = 1; j <= 8; ++j) {
        const float t = j / 8.0f;
        pen(command::PenPhase::Move, {st[i - 1].first + (st[i].first - st[i - 1].first) * t, st[i - 1].second + (st[i].second - st[i - 1].second) * t});
      }
    pen(command::PenPhase::Up, st.back());
  }
}

const char* kLocales[] = {"zh-cn", "zh-tw", "en"};

std::string suffixOf(const std::string& locale, bool elderly) { return "-" + locale + (elderly ? "-elderly" : ""); }

}  // namespace

void tour(KioskApp& app, const std::function<void(const std::string&)>& at, const TourOptions& options) {
  const auto now = Clock::now();
  auto go = [&](Command c) { app.apply({std::move(c)}, now); };
  for (const char* locale : kLocales) {
    for (bool elderly : {false, true}) {
      app.setLocale(locale);
      app.setElderly(elderly);
      const std::string suffix = suffixOf(locale, elderly);
      go(command::Home{});
      at("attract" + suffix);
      go(command::OpenFormList{});
      at("formlist" + suffix);
      for (const ui::FormEntry& e : app.view(1920, 1080).forms) {
        if (e.kind == "quick") continue;
        app.startForm(e.id, now);
        core::Session& s = *app.session();
        for (int page : s.visiblePages()) {
          s.goToPage(page);
          at("form-" + e.id + "-p" + std::to_string(page + 1) + suffix);
        }
        // 下一步 on the blank first page: its messages, the first of them brought into view.
        s.goToPage(s.visiblePages().front());
        go(command::Next{});
        at("form-" + e.id + "-errors" + suffix);
        go(command::Home{});
      }
      // The keyboards: pinyin, handwriting and letters for a description, the digit pad for a phone number.
      app.startForm("complaint", now);
      core::Session& c = *app.session();
      for (const char* name : {"description", "phone"}) {
        const core::Element* q = c.form().findQuestion(name);
        if (!q) continue;
        c.goToPage(c.form().pageOf(q));
        if (std::string(name) == "phone") c.setValueByName("anonymous", false);
        app.apply({command::EditText{core::QuestionRef{q}, command::TextPart::Value}}, now);
        if (std::string(name) == "phone") {
          app.typeText("138");
          at(std::string("keyboard-") + name + suffix);
          continue;
        }
        // Pinyin: words chosen from the bar, the next one still being composed with its candidates.
        const bool tw = std::string(locale) == "zh-tw";
        for (const char* k = "loudaodeng"; *k; ++k) pressKey(app, std::string(1, *k), now);
        chooseCandidate(app, tw ? "樓道" : "楼道", now);
        chooseCandidate(app, tw ? "燈" : "灯", now);
        for (const char* k = "buliang"; *k; ++k) pressKey(app, std::string(1, *k), now);
        at(std::string("keyboard-pinyin") + suffix);
        // Handwriting: 不亮 goes in, then 中 on the pad with its candidates.
        chooseCandidate(app, "不亮", now);
        pressKey(app, "kbd.mode.handwriting", now);
        writeZhong(app, now);
        at(std::string("keyboard-handwriting") + suffix);
        pressKey(app, "kbd.mode.latin", now);
        pressKey(app, "kbd.clear", now);
        app.typeText("Lou dao deng");
        at(std::string("keyboard-") + name + suffix);
      }
      // Leaving a form with answers asks first; walking away asks 还在吗？ (the page is not drawn under it).
      go(command::LeaveForm{});
      at("leave-confirm" + suffix);
      go(command::LeaveCancelled{});
      app.tick(now + std::chrono::hours(1));
      at("idle" + suffix);
      go(command::StillHere{});
      go(command::Home{});
      app.startForm("quick", now);
      app.showThankYou(now);  // a full countdown on the picture
      at("thankyou" + suffix);
      // This resident leaves (the thank-you runs out): the next starts clean, pinyin first again.
      app.tick(now + std::chrono::minutes(1));
    }
  }
  // The parts that need a store, over a scratch database (PIN 0000 for the pictures only).
  const fs::path db = fs::temp_directory_path() / ("minyi-tour-" + std::to_string(::getpid()) + ".db");
  store::StoreError se;
  auto store = store::KioskStore::open(db.string(), &se);
  auto hash = store::hashPin("0000");
  if (store && hash) {
    app.setServer(protocol::generateKeyPair().publicKey, "https://minyi.example.gov.cn");  // a scratch key
    // The demo notices, as a server would send them, for the attract screen's carousel.
    std::string why;
    if (!options.noticesFile.empty()) {
      if (auto text = core::readTextFile(options.noticesFile, &why, 1 << 20))
        if (auto reply = protocol::parseNoticesReply(*text, &why)) {
          std::vector<store::StoredNotice> kept;
          for (const auto& n : reply->notices) kept.push_back({n.id, n.title.dump(), n.body.dump(), n.publishedAt, n.until});
          store->replaceNotices(kept);
        }
      if (!why.empty()) std::cerr << "minyi-kiosk: demo notices: " << why << "\n";
    }
    app.setKioskNumber(7);  // complaints need a number for their ticket codes
    app.attachStore(store.get(), now);
    for (const char* locale : kLocales)
      for (bool elderly : {false, true}) {
        app.setLocale(locale);
        app.setElderly(elderly);
        at("attract-notices" + suffixOf(locale, elderly));
      }
    // A complaint's review and receipt: ticket code, QR code, category and promised handling time.
    std::string lastCode;
    const auto answers = core::Json::parse(
        R"({"category":"hallway_lights","community":"donghu","location":"3号楼2单元","description":"楼道灯坏了一个多月。","anonymous":true})");
    for (const char* locale : kLocales)
      for (bool elderly : {false, true}) {
        app.setLocale(locale);
        app.setElderly(elderly);
        if (!app.startForm("complaint", now)) break;
        core::fillFromAnswers(*app.session(), answers);
        go(command::ToReview{});
        at("review" + suffixOf(locale, elderly));
        go(command::Submit{});
        at("receipt" + suffixOf(locale, elderly));
        if (const core::Receipt* r = app.view(1920, 1080).receipt) lastCode = r->code;
        go(command::Finish{});
      }
    // 查询进度 for that complaint, with news from the server, for a mistyped code and for one nobody made.
    const auto bare = protocol::checkTicketCode(lastCode).code;
    store->updateTickets({{bare, "resolved", "2026-11-28T10:00:00Z", "楼道灯已全部更换，感谢您的反映。",
                           R"([{"status":"received","at":"2026-11-27T08:00:00Z"},{"status":"assigned","at":"2026-11-27T09:10:00Z"},)"
                           R"({"status":"resolved","at":"2026-11-28T03:30:00Z"}])"}});
    for (const char* locale : kLocales)
      for (bool elderly : {false, true}) {
        app.setLocale(locale);
        app.setElderly(elderly);
        const std::string suffix = suffixOf(locale, elderly);
        go(command::Home{});
        go(command::OpenLookup{});
        at("lookup-keyboard" + suffix);
        app.typeText(lastCode);
        go(command::LookupSubmit{});
        at("lookup-found" + suffix);
        std::string typo = lastCode;
        typo[1] = typo[1] == '0' ? '1' : '0';
        go(command::Home{});
        go(command::OpenLookup{});
        app.typeText(typo);
        go(command::LookupSubmit{});
        at("lookup-mistyped" + suffix);
        go(command::Home{});
        go(command::OpenLookup{});
        app.typeText(protocol::makeTicketCode(4000, 77));  // a well-formed code no kiosk made
        go(command::LookupSubmit{});
        at("lookup-unknown" + suffix);
        go(command::Home{});
      }
    app.setElderly(false);
    if (options.staffScreens) {
      app.setAdmin(*hash, (fs::temp_directory_path() / "minyi-screenshot-usb").string(), "donghu-dqfwzx");
      // One submission the server refused, so the panel offers to send it again.
      if (auto waiting = store->pending(1); waiting.ok() && !waiting.value().empty())
        store->markRejected(waiting.value()[0].id, "HTTP 400 (not the Minyi server's reply: 400 Bad Request nginx)");
      for (const char* locale : {"zh-cn", "en"}) {
        app.setLocale(locale);
        for (int i = 0; i < 5; ++i) go(command::AdminCorner{});
        pressKey(app, "1", now);  // a wrong PIN, shown as one dot
        at(std::string("admin-pin-") + locale);
        pressKey(app, "kbd.clear", now);
        for (int i = 0; i < 4; ++i) pressKey(app, "0", now);
        pressKey(app, "kbd.done", now);
        at(std::string("admin-") + locale);
        // The enrollment form, with the keyboard open on the code.
        go(command::AdminEnroll{});
        at(std::string("admin-enroll-") + locale);
        go(command::EnrollField{command::EnrollInput::Code});
        app.typeText("K3M9Q-2XH7R");
        at(std::string("admin-enroll-keyboard-") + locale);
        go(command::AdminCancel{});
        go(command::AdminCancel{});
      }
    }
    // 暂停服务: the kiosk cannot keep what residents give (only the language still changes). The store
    // works, so the next health check ends it: the tour leaves the app as it found it, ready for another.
    app.setElderly(false);
    app.pause("screenshot");
    for (const char* locale : kLocales) {
      app.setLocale(locale);
      at(std::string("paused-") + locale);
    }
    app.setLocale(kLocales[0]);
    app.tick(now + std::chrono::minutes(1));
    app.attachStore(nullptr, now);
  }
  store.reset();
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix, ec);
}

}  // namespace minyi::app
