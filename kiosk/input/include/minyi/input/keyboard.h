// On-screen keyboards as pure logic: layouts, an app-owned text buffer with a length limit, key presses,
// and the Chinese modes' candidates (pinyin on librime, handwriting on zinnia) with their paging.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minyi/input/handwriting.h"
#include "minyi/input/pinyin.h"

namespace minyi::input {

enum class Mode { Digits, Latin, Pinyin, Handwriting };

struct Key {
  // UndoStroke and ClearPad act on the handwriting pad; Clear empties the whole text.
  enum class Action { Insert, Backspace, Clear, Space, Shift, SwitchMode, Done, UndoStroke, ClearPad };
  Action action = Action::Insert;
  std::string label;    // what the key shows (string-table key for actions, the character otherwise)
  std::string insert;   // Insert: the text it types
  Mode mode = Mode::Latin;  // SwitchMode: the mode it switches to
  float width = 1;      // in key units
  // What the key is, whatever row it sits in and whatever it shows: "insert:a", "done", "mode:pinyin".
  std::string id() const;
};

using KeyRow = std::vector<Key>;

// The keys of a mode: rows top to bottom. Latin has a shifted variant. `narrow`: for a panel about 768 px
// across (portrait), no row is wider than 10 keys, so every key stays a full touch target; the same keys in
// more rows.
std::vector<KeyRow> layout(Mode mode, bool shifted, const std::vector<Mode>& modes, bool narrow = false);

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

// What the Chinese modes run on. A null engine leaves its mode out of what a keyboard offers.
struct Engines {
  const PinyinEngine* pinyin = nullptr;
  const HandwritingEngine* handwriting = nullptr;
  bool fuzzy = true;         // [input] fuzzy_pinyin
  bool traditional = false;  // the UI is 繁: candidates in Traditional script
  CanDraw canDraw;           // the font atlas can draw a text (FontLibrary::canDraw)
};

// A keyboard bound to a buffer: mode, shift, and what a key press does.
class Keyboard {
 public:
  using Clock = std::chrono::steady_clock;
  // modes: the modes offered (a phone question offers only Digits), the first one shown first. Pinyin and
  // Handwriting need `engines` (read here only: the sessions are made now); without them they are left out.
  Keyboard(std::vector<Mode> modes, int maxChars, const Engines* engines = nullptr);
  ~Keyboard();
  Mode mode() const { return mode_; }
  bool shifted() const { return shifted_; }
  const std::vector<Mode>& modes() const { return modes_; }
  TextBuffer& buffer() { return buffer_; }
  const TextBuffer& buffer() const { return buffer_; }
  std::vector<KeyRow> keys(bool narrow = false) const;
  // The key with this id in the current mode, in either arrangement (the view chooses wide or narrow).
  std::optional<Key> key(const std::string& id) const;
  // Returns true when the key was Done (the view closes the keyboard).
  bool press(const Key& key);
  // Just after 清空 the same key brings the text back (it shows kbd.restore), until another key is pressed.
  bool canRestore() const { return !cleared_.empty(); }
  // Pinyin or handwriting has something on the way: space takes the first candidate (the key says which).
  bool composing() const;
  void setText(const std::string& text);

  // Chinese modes. The candidates of the current mode that can be inserted whole (drawable, and no longer
  // than the characters left), and what is being composed: pinyin letters, or the pad's strokes.
  std::vector<std::string> candidates() const;
  std::string preedit() const;  // pinyin: "wo yao tou su"; empty otherwise
  const HandwritingSession* pad() const { return pad_.get(); }
  // Paging of the candidate bar: the view shows as many as fit from pageStart() and says how many it showed.
  size_t pageStart() const { return pageStart_; }
  bool hasPrevPage() const { return !pageStack_.empty(); }
  void nextPage(size_t shown);
  void prevPage();
  void choose(size_t index);  // index into candidates()
  // The finger on the handwriting pad, in pad units (0..1).
  void penDown(PenPoint p, Clock::time_point now);
  void penMove(PenPoint p);
  void penUp(Clock::time_point now);
  // Commits what is being composed (best candidate): before 完成, a mode switch, or the keyboard closing.
  void commitComposition();

 private:
  void resetPaging();
  void insertCommitted(const std::string& text);
  std::vector<Mode> modes_;
  Mode mode_;
  bool shifted_ = false;
  TextBuffer buffer_;
  std::string cleared_;  // what 清空 took, until another key is pressed
  std::unique_ptr<PinyinSession> pinyin_;     // this resident's; gone with the keyboard
  std::unique_ptr<HandwritingSession> pad_;
  size_t pageStart_ = 0;
  std::vector<size_t> pageStack_;
};

}  // namespace minyi::input
