// Keyboard layouts and key handling, and the Chinese modes' sessions; everything a touch keyboard does
// except drawing.
#include "minyi/input/keyboard.h"

#include <algorithm>

namespace minyi::input {

namespace {

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

Key insertKey(const std::string& s, float width = 1) { return Key{Key::Action::Insert, s, s, Mode::Latin, width}; }
Key actionKey(Key::Action a, const char* label, float width) { return Key{a, label, {}, Mode::Latin, width}; }

const char* modeName(Mode m) {
  return m == Mode::Digits ? "digits" : m == Mode::Latin ? "latin" : m == Mode::Pinyin ? "pinyin" : "handwriting";
}

// The bottom row: 清空 at the far left, away from 完成 at the far right (清空 next to 完成 was one slip from
// losing a whole complaint); between them the other offered modes and the space bar.
KeyRow bottomRow(Mode current, const std::vector<Mode>& modes, bool withSpace, bool latinSymbols, bool narrow) {
  KeyRow row;
  row.push_back(actionKey(Key::Action::Clear, "kbd.clear", 1.5f));
  for (Mode m : modes) {
    if (m == current) continue;
    row.push_back(Key{Key::Action::SwitchMode, std::string("kbd.mode.") + modeName(m), {}, m, 1.5f});
  }
  if (withSpace && latinSymbols && !narrow) {
    // The few symbols e-mail addresses and names need, beside the space bar.
    row.push_back(insertKey("@"));
    row.push_back(insertKey("."));
    row.push_back(actionKey(Key::Action::Space, "kbd.space", 3));
    row.push_back(insertKey("-"));
    row.push_back(insertKey("_"));
  } else if (withSpace) {
    row.push_back(actionKey(Key::Action::Space, "kbd.space", narrow ? 2 : 3));
  }
  row.push_back(actionKey(Key::Action::Done, "kbd.done", 2));
  return row;
}

}  // namespace

std::string Key::id() const {
  switch (action) {
    case Action::Insert: return "insert:" + insert;
    case Action::Backspace: return "backspace";
    case Action::Clear: return "clear";
    case Action::Space: return "space";
    case Action::Shift: return "shift";
    case Action::SwitchMode: return std::string("mode:") + modeName(mode);
    case Action::Done: return "done";
    case Action::UndoStroke: return "undo-stroke";
    case Action::ClearPad: return "clear-pad";
  }
  return {};
}

std::vector<KeyRow> layout(Mode mode, bool shifted, const std::vector<Mode>& modes, bool narrow) {
  std::vector<KeyRow> rows;
  if (mode == Mode::Digits) {
    // A phone pad: big keys, 1-2-3 on top as on phones.
    for (const char* r : {"123", "456", "789"}) {
      KeyRow row;
      for (const char* c = r; *c; ++c) row.push_back(insertKey(std::string(1, *c), 2));
      rows.push_back(row);
    }
    rows.push_back({insertKey("-", 2), insertKey("0", 2), actionKey(Key::Action::Backspace, "kbd.backspace", 2)});
    rows.push_back(bottomRow(mode, modes, false, false, narrow));
    return rows;
  }
  const char* letters[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
  if (mode == Mode::Pinyin) {
    // QWERTY in lower case (pinyin has no capitals) with the Chinese punctuation a complaint needs; the
    // candidate bar sits above these rows. Narrow: the punctuation gets a row of its own.
    const char* punct[3][4] = {{nullptr}, {"，", "。"}, {"？", "！", "、", "："}};
    for (int i = 0; i < 3; ++i) {
      KeyRow row;
      for (const char* c = letters[i]; *c; ++c) row.push_back(insertKey(std::string(1, *c)));
      if (!narrow)
        for (const char* p : punct[i])
          if (p) row.push_back(insertKey(p));
      if (!narrow && i == 0) row.push_back(actionKey(Key::Action::Backspace, "kbd.backspace", 1.5f));
      if (narrow && i == 2) row.push_back(actionKey(Key::Action::Backspace, "kbd.backspace", 2));
      rows.push_back(row);
    }
    if (narrow) {
      KeyRow row;
      for (const char* p : {"，", "。", "？", "！", "、", "："}) row.push_back(insertKey(p));
      rows.push_back(row);
    }
    rows.push_back(bottomRow(mode, modes, true, false, narrow));
    return rows;
  }
  if (mode == Mode::Handwriting) {
    // Beside the pad: punctuation, then undo-stroke, rewrite and delete; the candidates sit above them.
    KeyRow punct;
    for (const char* p : {"，", "。", "？", "！", "、", "："}) punct.push_back(insertKey(p));
    rows.push_back(punct);
    rows.push_back({actionKey(Key::Action::UndoStroke, "kbd.undoStroke", 2), actionKey(Key::Action::ClearPad, "kbd.clearPad", 2),
                    actionKey(Key::Action::Backspace, "kbd.backspace", 2)});
    rows.push_back(bottomRow(mode, modes, true, false, narrow));
    return rows;
  }
  // Latin: QWERTY, with digits on top and the two symbols a web address needs (staff type the server's
  // address when enrolling). Narrow: those symbols and the e-mail ones get a row of their own.
  rows.push_back({});
  for (const char* c = narrow ? "1234567890" : "1234567890:/"; *c; ++c) rows.back().push_back(insertKey(std::string(1, *c)));
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
  if (narrow) rows.push_back({insertKey(":"), insertKey("/"), insertKey("@"), insertKey("."), insertKey("-"), insertKey("_")});
  rows.push_back(bottomRow(mode, modes, true, true, narrow));
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

Keyboard::Keyboard(std::vector<Mode> modes, int maxChars, const Engines* engines) : buffer_({}, maxChars) {
  // A Chinese mode without its engine (not installed, failed to open) is not offered at all.
  for (Mode m : modes) {
    if (m == Mode::Pinyin && !(engines && engines->pinyin)) continue;
    if (m == Mode::Handwriting && !(engines && engines->handwriting)) continue;
    modes_.push_back(m);
  }
  if (modes_.empty()) modes_ = {Mode::Latin};
  mode_ = modes_.front();
  for (Mode m : modes_) {
    if (m == Mode::Pinyin) pinyin_ = engines->pinyin->newSession(engines->fuzzy, engines->traditional, engines->canDraw);
    if (m == Mode::Handwriting)
      pad_ = std::make_unique<HandwritingSession>(*engines->handwriting, engines->traditional, engines->canDraw);
  }
}

Keyboard::~Keyboard() = default;

std::vector<KeyRow> Keyboard::keys(bool narrow) const {
  std::vector<KeyRow> rows = layout(mode_, shifted_, modes_, narrow);
  for (KeyRow& row : rows)
    for (Key& k : row)
      if (k.action == Key::Action::Clear && canRestore()) k.label = "kbd.restore";
  return rows;
}

std::optional<Key> Keyboard::key(const std::string& id) const {
  for (bool narrow : {false, true})
    for (const KeyRow& row : keys(narrow))
      for (const Key& k : row)
        if (k.id() == id) return k;
  return std::nullopt;
}

bool Keyboard::composing() const {
  return (mode_ == Mode::Pinyin && pinyin_ && pinyin_->composing()) || (mode_ == Mode::Handwriting && pad_ && pad_->writing());
}

std::vector<std::string> Keyboard::candidates() const {
  std::vector<std::string> out;
  const std::vector<std::string>* all = mode_ == Mode::Pinyin && pinyin_ ? &pinyin_->candidates()
                                        : mode_ == Mode::Handwriting && pad_ ? &pad_->candidates() : nullptr;
  if (!all) return out;
  // Only what fits whole: a phrase cut at the length limit would be a different text.
  const int left = buffer_.remaining();
  for (const std::string& c : *all)
    if (left < 0 || TextBuffer(c).length() <= left) out.push_back(c);
  return out;
}

std::string Keyboard::preedit() const { return mode_ == Mode::Pinyin && pinyin_ ? pinyin_->preedit() : std::string(); }

void Keyboard::resetPaging() {
  pageStart_ = 0;
  pageStack_.clear();
}

void Keyboard::nextPage(size_t shown) {
  if (shown == 0 || pageStart_ + shown >= candidates().size()) return;
  pageStack_.push_back(pageStart_);
  pageStart_ += shown;
}

void Keyboard::prevPage() {
  if (pageStack_.empty()) return;
  pageStart_ = pageStack_.back();
  pageStack_.pop_back();
}

void Keyboard::insertCommitted(const std::string& text) {
  if (!text.empty()) buffer_.insert(text);
}

void Keyboard::choose(size_t index) {
  // The index is into what candidates() offers; map it back to the session's own list.
  const std::vector<std::string> offered = candidates();
  if (index >= offered.size()) return;
  if (mode_ == Mode::Pinyin && pinyin_) {
    const auto& all = pinyin_->candidates();
    const size_t i = static_cast<size_t>(std::find(all.begin(), all.end(), offered[index]) - all.begin());
    insertCommitted(pinyin_->choose(i));
  } else if (mode_ == Mode::Handwriting && pad_) {
    const auto& all = pad_->candidates();
    const size_t i = static_cast<size_t>(std::find(all.begin(), all.end(), offered[index]) - all.begin());
    insertCommitted(pad_->choose(i));
  }
  resetPaging();
}

void Keyboard::penDown(PenPoint p, Clock::time_point now) {
  if (mode_ != Mode::Handwriting || !pad_) return;
  insertCommitted(pad_->penDown(p, now));
  resetPaging();
}

void Keyboard::penMove(PenPoint p) {
  if (mode_ == Mode::Handwriting && pad_) pad_->penMove(p);
}

void Keyboard::penUp(Clock::time_point now) {
  if (mode_ != Mode::Handwriting || !pad_) return;
  pad_->penUp(now);
  resetPaging();
}

void Keyboard::commitComposition() {
  // Only what fits whole goes in; a composition with no fitting candidate is dropped.
  const std::vector<std::string> offered = candidates();
  if (mode_ == Mode::Pinyin && pinyin_ && pinyin_->composing()) {
    if (!offered.empty() && offered.front() == pinyin_->candidates().front()) insertCommitted(pinyin_->commitFirst());
    else pinyin_->clear();
  }
  if (mode_ == Mode::Handwriting && pad_ && pad_->writing()) {
    if (!offered.empty() && offered.front() == pad_->candidates().front()) insertCommitted(pad_->commitFirst());
    else pad_->clear();
  }
  resetPaging();
}

void Keyboard::setText(const std::string& text) {
  buffer_.clear();
  buffer_.insert(text);
}

bool Keyboard::press(const Key& key) {
  const bool composing = this->composing();
  // 清空 pressed again right away brings the text back; any other key makes the clearing final.
  const std::string cleared = std::move(cleared_);
  cleared_.clear();
  switch (key.action) {
    case Key::Action::Insert:
      if (mode_ == Mode::Pinyin && pinyin_ && key.insert.size() == 1 && key.insert[0] >= 'a' && key.insert[0] <= 'z') {
        // No more letters once the text is full: nothing they could become would fit.
        if (buffer_.remaining() != 0) pinyin_->key(key.insert[0]);
        resetPaging();
        return false;
      }
      commitComposition();  // punctuation after a word: the word first, as every phone keyboard does
      buffer_.insert(key.insert);
      if (shifted_) shifted_ = false;  // one capital, as phone keyboards do
      return false;
    case Key::Action::Space:
      if (composing) commitComposition();  // space takes the first candidate while composing
      else buffer_.insert(" ");
      return false;
    case Key::Action::Backspace:
      if (mode_ == Mode::Pinyin && pinyin_ && pinyin_->backspace()) {
        resetPaging();
        return false;
      }
      if (mode_ == Mode::Handwriting && pad_ && pad_->writing()) {
        pad_->undoStroke();  // while writing, delete takes back the last stroke, not a typed character
        resetPaging();
        return false;
      }
      buffer_.backspace();
      return false;
    case Key::Action::Clear:
      if (pinyin_) pinyin_->clear();
      if (pad_) pad_->clear();
      resetPaging();
      if (!cleared.empty() && buffer_.text().empty()) {
        buffer_.insert(cleared);
        return false;
      }
      cleared_ = buffer_.text();
      buffer_.clear();
      return false;
    case Key::Action::UndoStroke:
      if (pad_) pad_->undoStroke();
      resetPaging();
      return false;
    case Key::Action::ClearPad:
      if (pad_) pad_->clear();
      resetPaging();
      return false;
    case Key::Action::Shift: shifted_ = !shifted_; return false;
    case Key::Action::SwitchMode:
      commitComposition();  // what was being composed goes into the text, which stays
      if (std::find(modes_.begin(), modes_.end(), key.mode) != modes_.end()) mode_ = key.mode;
      shifted_ = false;
      resetPaging();
      return false;
    case Key::Action::Done:
      commitComposition();
      return true;
  }
  return false;
}

}  // namespace minyi::input
