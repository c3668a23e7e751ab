// The keyboard in use and where its text goes: every change reaches the sink of whoever opened it.
#include "typing.h"

namespace minyi::app {

void Typing::setEngines(const input::PinyinEngine* pinyin, const input::HandwritingEngine* handwriting, bool fuzzyPinyin) {
  pinyin_ = pinyin;
  handwriting_ = handwriting;
  fuzzyPinyin_ = fuzzyPinyin;
}

void Typing::open(std::vector<input::Mode> modes, int maxChars, const std::string& text, Sink sink,
                  std::function<void()> closed, bool chinese, bool traditional) {
  close();  // the previous field's sessions end before the next ones begin
  input::Engines engines;
  engines.pinyin = pinyin_;
  engines.handwriting = handwriting_;
  engines.fuzzy = fuzzyPinyin_;
  engines.traditional = traditional;
  engines.canDraw = canDraw_;
  keyboard_ = std::make_unique<input::Keyboard>(std::move(modes), maxChars, chinese ? &engines : nullptr);
  keyboard_->setText(text);
  sink_ = std::move(sink);
  closed_ = std::move(closed);
}

void Typing::close() {
  keyboard_.reset();
  sink_ = nullptr;
  if (auto closed = std::move(closed_)) {
    closed_ = nullptr;
    closed();
  }
}

void Typing::commit() {
  if (!keyboard_) return;
  keyboard_->commitComposition();
  changed();
}

void Typing::clearText() {
  if (keyboard_) keyboard_->buffer().clear();
}

void Typing::changed() const {
  if (keyboard_ && sink_) sink_(keyboard_->buffer().text());
}

std::optional<Typing::Pressed> Typing::press(const std::string& keyId) {
  if (!keyboard_) return std::nullopt;
  const std::optional<input::Key> key = keyboard_->key(keyId);
  if (!key) return std::nullopt;
  Pressed p{*key, keyboard_->press(*key)};
  changed();
  return p;
}

void Typing::choose(size_t candidate) {
  if (!keyboard_) return;
  keyboard_->choose(candidate);
  changed();
}

void Typing::page(const ui::command::CandidatePage& c) {
  if (!keyboard_) return;
  if (c.way == ui::command::CandidatePage::Way::Previous) keyboard_->prevPage();
  else keyboard_->nextPage(c.shown);
}

void Typing::pen(const ui::command::Pen& c, Clock::time_point now) {
  if (!keyboard_) return;
  switch (c.phase) {
    case ui::command::PenPhase::Down: keyboard_->penDown(c.at, now); break;
    case ui::command::PenPhase::Move: keyboard_->penMove(c.at); break;
    case ui::command::PenPhase::Up:
      keyboard_->penMove(c.at);
      keyboard_->penUp(now);
      break;
  }
  changed();  // a pause-started character may have committed the one before
}

void Typing::type(const std::string& utf8) {
  if (!keyboard_) return;
  keyboard_->buffer().insert(utf8);
  changed();
}

void Typing::backspace() {
  if (!keyboard_) return;
  keyboard_->buffer().backspace();
  changed();
}

}  // namespace minyi::app
