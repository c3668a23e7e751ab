// On-screen keyboards as pure logic: layouts, an app-owned text buffer with a length limit, key presses.
// Pinyin and handwriting (issue #6) are further Modes with their own candidate source; the buffer and the
// key model stay the same.
#pragma once
#include <string>
#include <vector>

namespace minyi::input {

enum class Mode { Digits, Latin, Pinyin, Handwriting };

struct Key {
  enum class Action { Insert, Backspace, Clear, Space, Shift, SwitchMode, Done };
  Action action = Action::Insert;
  std::string label;    // what the key shows (string-table key for actions, the character otherwise)
  std::string insert;   // Insert: the text it types
  Mode mode = Mode::Latin;  // SwitchMode: the mode it switches to
  float width = 1;      // in key units
};

using KeyRow = std::vector<Key>;

// The keys of a mode: rows top to bottom. Latin has a shifted variant.
std::vector<KeyRow> layout(Mode mode, bool shifted, const std::vector<Mode>& modes);

// Text a resident is typing, owned by the app (never by a widget), measured in characters, not bytes.
class TextBuffer {
 public:
  explicit TextBuffer(std::string text = {}, int maxChars = -1);
  const std::string& text() const { return text_; }
  int length() const;          // characters (code points)
  int remaining() const;       // -1 when unlimited
  // Appends what fits; false when something had to be cut (the view says 已达字数上限).
  bool insert(const std::string& utf8);
  void backspace();            // one whole character
  void clear();

 private:
  std::string text_;
  int maxChars_;
};

// A keyboard bound to a buffer: mode, shift, and what a key press does.
class Keyboard {
 public:
  // modes: the modes offered (a phone question offers only Digits).
  Keyboard(std::vector<Mode> modes, int maxChars);
  Mode mode() const { return mode_; }
  bool shifted() const { return shifted_; }
  const std::vector<Mode>& modes() const { return modes_; }
  TextBuffer& buffer() { return buffer_; }
  const TextBuffer& buffer() const { return buffer_; }
  std::vector<KeyRow> keys() const { return layout(mode_, shifted_, modes_); }
  // Returns true when the key was Done (the view closes the keyboard).
  bool press(const Key& key);
  void setText(const std::string& text);

 private:
  std::vector<Mode> modes_;
  Mode mode_;
  bool shifted_ = false;
  TextBuffer buffer_;
};

}  // namespace minyi::input
