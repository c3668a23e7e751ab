// The real engines for input tests: librime deployed into a temp user-data folder of this test process
// (librime is one per process), zinnia with Debian's model, and the stroke fixtures of data/strokes.txt.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "minyi/input/handwriting.h"
#include "minyi/input/pinyin.h"

namespace minyi::input::testing {

inline std::filesystem::path tempUserDir() {
  static const std::filesystem::path p = [] {
    auto d = std::filesystem::temp_directory_path() / ("minyi-rime-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    return d;
  }();
  return p;
}

// The shared engine; a test that opens librime itself closes this one first (one per process).
inline std::unique_ptr<PinyinEngine>& pinyinHolder() {
  static std::unique_ptr<PinyinEngine> e;
  return e;
}

inline const PinyinEngine& pinyin() {
  auto& e = pinyinHolder();
  if (!e) {
    std::string err;
    e = PinyinEngine::open({tempUserDir().string()}, &err);
    if (!e) throw std::runtime_error("librime: " + err);
    // Closed before librime's own statics go at exit (they were made after this holder): an atexit
    // handler registered now runs before their destructors. Then the temp folder goes.
    static const bool closeAtExit = [] {
      return std::atexit([] {
        pinyinHolder().reset();
        std::error_code ec;
        std::filesystem::remove_all(tempUserDir(), ec);
      }) == 0;
    }();
    (void)closeAtExit;
  }
  return *e;
}

inline const HandwritingEngine& handwriting() {
  static std::unique_ptr<HandwritingEngine> e = [] {
    std::string err;
    auto engine = HandwritingEngine::open(kHandwritingModel, &err);
    if (!engine) throw std::runtime_error("zinnia: " + err);
    return engine;
  }();
  return *e;
}

// data/strokes.txt: character → its strokes.
inline std::map<std::string, std::vector<Stroke>> strokeFixtures() {
  std::map<std::string, std::vector<Stroke>> out;
  std::ifstream in(std::string(MINYI_TEST_DATA) + "/input/strokes.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string ch, tok;
    ls >> ch;
    std::vector<Stroke> strokes;
    Stroke cur;
    while (ls >> tok) {
      if (tok == "|") {
        if (!cur.empty()) strokes.push_back(cur);
        cur.clear();
        continue;
      }
      PenPoint p;
      std::sscanf(tok.c_str(), "%f,%f", &p.x, &p.y);
      cur.push_back(p);
    }
    if (!cur.empty()) strokes.push_back(cur);
    out[ch] = strokes;
  }
  return out;
}

// The finger moving through a stroke's points in small steps (about what a 60 Hz touch screen reports).
inline std::vector<PenPoint> fingerPath(const Stroke& s) {
  std::vector<PenPoint> out{s.front()};
  for (size_t i = 1; i < s.size(); ++i)
    for (int j = 1; j <= 10; ++j) {
      const float t = j / 10.0f;
      out.push_back({s[i - 1].x + (s[i].x - s[i - 1].x) * t, s[i - 1].y + (s[i].y - s[i - 1].y) * t});
    }
  return out;
}

}  // namespace minyi::input::testing
