// Opening the pinyin and handwriting engines, and the scratch folder of a run that keeps nothing.
#include "input_engines.h"

#include <unistd.h>

#include <iostream>

namespace minyi::app {

namespace fs = std::filesystem;

InputEngines::Scratch::~Scratch() {
  std::error_code ec;
  if (!path.empty()) fs::remove_all(path, ec);
}

InputEngines openInputEngines(const std::string& folder, const std::string& who, bool withHandwriting) {
  InputEngines e;
  std::string dir = folder;
  if (dir.empty()) {
    e.scratch.path = fs::temp_directory_path() / ("minyi-kiosk-rime-" + std::to_string(::getpid()));
    dir = e.scratch.path.string();
  }
  std::string err;
  input::PinyinOptions po;
  po.userDataDir = dir;
  e.pinyin = input::PinyinEngine::open(po, &err);
  if (!e.pinyin) std::cerr << who << ": pinyin input is not offered: " << err << "\n";
  if (!withHandwriting) return e;
  e.handwriting = input::HandwritingEngine::open(input::kHandwritingModel, &err);
  if (!e.handwriting) std::cerr << who << ": handwriting input is not offered: " << err << "\n";
  return e;
}

}  // namespace minyi::app
