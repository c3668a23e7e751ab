// The Chinese input engines a kiosk offers: librime (pinyin) with the kiosk's own user-data folder, and zinnia
// (handwriting) with Debian's model. Either failing leaves only its mode out; letters and digits always work.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "minyi/input/handwriting.h"
#include "minyi/input/pinyin.h"

namespace minyi::app {

struct InputEngines {
  // Declared first, so it is removed after librime has closed: a scratch folder for a run without one of its
  // own (the screenshot tool), empty otherwise.
  struct Scratch {
    std::filesystem::path path;
    Scratch() = default;
    Scratch(Scratch&& other) noexcept : path(std::move(other.path)) { other.path.clear(); }
    Scratch& operator=(Scratch&&) = delete;
    Scratch(const Scratch&) = delete;
    ~Scratch();
  } scratch;
  std::unique_ptr<input::PinyinEngine> pinyin;
  std::unique_ptr<input::HandwritingEngine> handwriting;
};

// Opens the engines (handwriting only `withHandwriting`); `folder` is librime's user-data folder (empty: a
// scratch folder removed at the end). What cannot be opened is said on stderr, prefixed with `who`.
InputEngines openInputEngines(const std::string& folder, const std::string& who, bool withHandwriting = true);

}  // namespace minyi::app
