// Simplified → Traditional through OpenCC's s2tw, opened once per process and shared under a lock.
#include "minyi/core/script.h"

#include <opencc.h>

#include <mutex>

namespace minyi::core {

namespace {

struct Converter {
  std::mutex mutex;  // OpenCC's C handle is not documented as safe across threads
  opencc_t handle = reinterpret_cast<opencc_t>(-1);
  Converter() { handle = opencc_open("s2tw.json"); }
  ~Converter() {
    if (ok()) opencc_close(handle);
  }
  bool ok() const { return handle != reinterpret_cast<opencc_t>(-1); }
};

Converter& converter() {
  static Converter c;
  return c;
}

}  // namespace

bool traditionalAvailable() { return converter().ok(); }

std::string toTraditional(std::string_view simplified) {
  Converter& c = converter();
  if (!c.ok() || simplified.empty()) return std::string(simplified);
  std::lock_guard<std::mutex> lock(c.mutex);
  char* out = opencc_convert_utf8(c.handle, simplified.data(), simplified.size());
  if (!out) return std::string(simplified);
  std::string converted(out);
  opencc_convert_utf8_free(out);
  return converted;
}

std::string simplifiedFor(std::string_view simplified, std::string_view locale) {
  return locale == "zh-tw" ? toTraditional(simplified) : std::string(simplified);
}

}  // namespace minyi::core
