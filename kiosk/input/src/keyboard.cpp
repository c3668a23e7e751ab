// Keyboard layouts and key handling; everything a touch keyboard does except drawing.
#include "minyi/input/keyboard.h"

#include <algorithm>

namespace minyi::input {

namespace {

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

Key insertKey(const std::string& s, float width = 1) { return Key{Key::Action::Insert, s, s, Mode::Latin, width}; }
Key actionKey(Key::Action a, const char* label, float width) { return Key{a, label, {}, Mode::Latin, width}; }

// The bottom row: mode switches for the other offered modes, space, backspace, done.
// Five rows at most, so that keys stay at least 72 px high in the bottom part of a 1080p screen.
KeyRow bottomRow(Mode current, const std::vector<Mode>& modes, bool withSpace) {
  KeyRow row;
  for (Mode m : modes) {
    if (m == current) continue;
    const char* label = m == Mode::Digits ? "kbd.mode.digits" : m == Mode::Latin ? "kbd.mode.latin"
                        : m == Mode::Pinyin ? "kbd.mode.pinyin" : "kbd.mode.handwriting";
    row.push_back(Key{Key::Action::SwitchMode, label, {}, m, 1.5f});
  }
  if (withSpace) {
    // The few symbols e-mail addresses and names need, beside the space bar.
    row.push_back(insertKey("@"));
    row.push_back(insertKey("."));
    row.push_back(actionKey(Key::Action::Space, "kbd.space", 3));
    row.push_back(insertKey("-"));
    row.push_back(insertKey("_"));
  }
  row.push_back(actionKey(Key::Action::Clear, "kbd.clear", 1.5f));
  row.push_back(actionKey(Key::Action::Done, "kbd.done", 2));
  return row;
}

}  // namespace

std::vector<KeyRow> layout(Mode mode, bool shifted, const std::vector<Mode>& modes) {
  std::vector<KeyRow> rows;
  if (mode == Mode::Digits) {
    // A phone pad: big keys, 1-2-3 on top as on phones.
    for (const char* r : {"123", "456", "789"}) {
      KeyRow row;
      for (const char* c = r; *c; ++c) row.push_back(insertKey(std::string(1, *c), 2));
      rows.push_back(row);
    }
    rows.push_back({insertKey("-", 2), insertKey("0", 2), actionKey(Key::Action::Backspace, "kbd.backspace", 2)});
    rows.push_back(bottomRow(mode, modes, false));
    return rows;
  }
  // Latin (and, until issue #6 adds candidates, the letter keys of pinyin): QWERTY.
  const char* letters[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
  rows.push_back({});
  // Digits, then the two symbols a web address needs (staff type the server's address when enrolling).
  for (const char* c = "1234567890:/"; *c; ++c) rows.back().push_back(insertKey(std::string(1, *c)));
  for (int i = 0; i < 3; ++i) {
    KeyRow row;
    if (i == 2) row.push_back(actionKey(Key::Action::Shift, "kbd.shift", 1.5f));
    for (const char* c = letters[i]; *c; ++c) {
      const char ch = shifted ? static_cast<char>(*c - 'a' + 'A') : *c;
      row.push_back(insertKey(std::string(1, ch)));
    }
    if (i == 2) row.push_back(actionKey(Key::Action::Backspace, "kbd.backspace", 1.5f));
    rows.push_back(row);
  }
  rows.push_back(bottomRow(mode, modes, true));
  return rows;
}

TextBuffer::TextBuffer(std::string text, int maxChars) : maxChars_(maxChars) { insert(text); }

int TextBuffer::length() const {
  return static_cast<int>(std::count_if(text_.begin(), text_.end(), [](char c) { return !isContinuation(static_cast<unsigned char>(c)); }));
}

int TextBuffer::remaining() const { return maxChars_ < 0 ? -1 : std::max(0, maxChars_ - length()); }

bool TextBuffer::insert(const std::string& utf8) {
  int room = maxChars_ < 0 ? 1 << 30 : maxChars_ - length();
  size_t i = 0;
  while (i < utf8.size() && room > 0) {
    size_t end = i + 1;
    while (end < utf8.size() && isContinuation(static_cast<unsigned char>(utf8[end]))) ++end;
    text_.append(utf8, i, end - i);
    i = end;
    --room;
  }
  return i >= utf8.size();
}

void TextBuffer::backspace() {
  if (text_.empty()) return;
  size_t cut = text_.size() - 1;
  while (cut > 0 && isContinuation(static_cast<unsigned char>(text_[cut]))) --cut;
  text_.erase(cut);
}

void TextBuffer::clear() { text_.clear(); }

Keyboard::Keyboard(std::vector<Mode> modes, int maxChars)
    : modes_(modes.empty() ? std::vector<Mode>{Mode::Latin} : std::move(modes)), mode_(modes_.front()), buffer_({}, maxChars) {}

void Keyboard::setText(const std::string& text) {
  buffer_.clear();
  buffer_.insert(text);
}

bool Keyboard::press(const Key& key) {
  switch (key.action) {
    case Key::Action::Insert:
      buffer_.insert(key.insert);
      if (shifted_) shifted_ = false;  // one capital, as phone keyboards do
      return false;
    case Key::Action::Space: buffer_.insert(" "); return false;
    case Key::Action::Backspace: buffer_.backspace(); return false;
    case Key::Action::Clear: buffer_.clear(); return false;
    case Key::Action::Shift: shifted_ = !shifted_; return false;
    case Key::Action::SwitchMode:
      if (std::find(modes_.begin(), modes_.end(), key.mode) != modes_.end()) mode_ = key.mode;  // the text stays
      shifted_ = false;
      return false;
    case Key::Action::Done: return true;
  }
  return false;
}

}  // namespace minyi::input
