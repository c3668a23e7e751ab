// The on-screen keyboard while something is typed: one keyboard at a time, what it is for, and where its text
// goes after every key, candidate or stroke. The form's fields, 查询进度's code, the enrollment form and the PIN
// pad each open it with their own sink.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minyi/input/keyboard.h"
#include "minyi/ui/view_model.h"

namespace minyi::app {

class Typing {
 public:
  using Clock = input::Keyboard::Clock;
  using Sink = std::function<void(const std::string& text)>;

  // Chinese input for text questions and comments (pinyin, handwriting); either may be null (that mode is not
  // offered). canDraw tells whether the font atlas can draw a candidate.
  void setEngines(const input::PinyinEngine* pinyin, const input::HandwritingEngine* handwriting, bool fuzzyPinyin);
  void setCanDraw(input::CanDraw canDraw) { canDraw_ = std::move(canDraw); }

  // Opens a keyboard with these modes showing `text`; `sink` hears the text after every change, `closed` when
  // the keyboard goes (for any reason). With `chinese`, the pinyin and handwriting modes get fresh engine
  // sessions: nothing from the last resident, Traditional candidates when `traditional`.
  void open(std::vector<input::Mode> modes, int maxChars, const std::string& text, Sink sink,
            std::function<void()> closed = {}, bool chinese = false, bool traditional = false);
  // Drops the keyboard and anything still being composed (the idle reset wipes it).
  void close();
  // What is being composed (pinyin letters, a character on the pad) goes into the text, as on 完成.
  void commit();
  bool isOpen() const { return keyboard_ != nullptr; }
  const input::Keyboard* keyboard() const { return keyboard_.get(); }
  input::Keyboard* keyboard() { return keyboard_.get(); }
  std::string text() const { return keyboard_ ? keyboard_->buffer().text() : std::string(); }
  void clearText();

  // The resident's keys. press() returns the key pressed (none when the id is not on this keyboard) and
  // whether it was 完成.
  struct Pressed {
    input::Key key;
    bool done = false;
  };
  std::optional<Pressed> press(const std::string& keyId);
  void choose(size_t candidate);
  void page(const ui::command::CandidatePage& c);
  void pen(const ui::command::Pen& c, Clock::time_point now);
  // Typed text from a physical keyboard, and its backspace.
  void type(const std::string& utf8);
  void backspace();

 private:
  void changed() const;
  std::unique_ptr<input::Keyboard> keyboard_;
  Sink sink_;
  std::function<void()> closed_;
  const input::PinyinEngine* pinyin_ = nullptr;
  const input::HandwritingEngine* handwriting_ = nullptr;
  bool fuzzyPinyin_ = true;
  input::CanDraw canDraw_;
};

}  // namespace minyi::app
