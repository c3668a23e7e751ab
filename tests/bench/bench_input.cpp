// Chinese input engines against DESIGN.md §10: librime's first deploy and later starts, zinnia's model open,
// per-keystroke and per-stroke latency (p50/p99) beside the bare engine calls measured in the same run, and
// the RSS they add, with the real minyi-kiosk's RSS (engines open) beside it.
#include <rime_api.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "minyi/input/charset.h"
#include "minyi/input/handwriting.h"
#include "minyi/input/pinyin.h"

namespace fs = std::filesystem;
using minyi::bench::line;
using minyi::bench::ms;
using minyi::bench::percentile;
using minyi::bench::rssKb;
using namespace minyi::input;
using Timer = std::chrono::steady_clock;

namespace {

// What the kiosk's atlas holds, roughly: GB2312 and ASCII (the filter's cost is the decoding and lookup).
bool drawable(const std::string& s) {
  for (char32_t c : decodeUtf8(s))
    if (c >= 0x80 && !isGb2312(c)) return false;
  return true;
}

const char* kWords[] = {"shequ", "tousu", "woyaotousu", "loudaodeng", "huaile", "dianti", "wuye", "laji",
                        "zhongguo", "xiaofangtongdao", "tingchewei", "zaoyin", "renmin", "fuwu", "manyi"};

// Strokes of 中 and 大 (tests/data/input/strokes.txt), with the finger's intermediate points.
std::vector<std::vector<Stroke>> characters() {
  const std::vector<std::vector<std::vector<std::pair<float, float>>>> raw = {
      {{{0.20f, 0.30f}, {0.20f, 0.70f}}, {{0.20f, 0.30f}, {0.80f, 0.30f}, {0.80f, 0.70f}}, {{0.20f, 0.68f}, {0.80f, 0.68f}},
       {{0.50f, 0.05f}, {0.50f, 0.95f}}},
      {{{0.15f, 0.35f}, {0.85f, 0.35f}}, {{0.50f, 0.10f}, {0.45f, 0.60f}, {0.15f, 0.90f}},
       {{0.52f, 0.50f}, {0.65f, 0.70f}, {0.90f, 0.90f}}}};
  std::vector<std::vector<Stroke>> out;
  for (const auto& ch : raw) {
    std::vector<Stroke> strokes;
    for (const auto& st : ch) {
      Stroke s{{st[0].first, st[0].second}};
      for (size_t i = 1; i < st.size(); ++i)
        for (int j = 1; j <= 10; ++j) {
          const float t = j / 10.0f;
          s.push_back({st[i - 1].first + (st[i].first - st[i - 1].first) * t, st[i - 1].second + (st[i].second - st[i - 1].second) * t});
        }
      strokes.push_back(s);
    }
    out.push_back(strokes);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 20;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(1, std::atoi(argv[i + 1]));
  const fs::path dir = fs::temp_directory_path() / ("minyi-bench-input-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const long rss0 = rssKb(getpid());
  std::printf("Chinese input engines (librime %s, zinnia), %d rounds\n", "1.8", rounds);

  // Start-up: the first deploy (install), then the start every later boot makes, 5 times (median).
  std::string err;
  double firstDeploy = 0;
  {
    auto e = PinyinEngine::open({(dir / "rime").string()}, &err);
    if (!e || !e->deploy().deployed) {
      std::fprintf(stderr, "bench_input: librime: %s\n", err.c_str());
      return 1;
    }
    firstDeploy = e->deploy().ms;
  }
  std::vector<double> later;
  for (int i = 0; i < 5; ++i) {
    auto e = PinyinEngine::open({(dir / "rime").string()}, &err);
    later.push_back(e->deploy().ms);
  }
  std::vector<double> hwOpen;
  for (int i = 0; i < 5; ++i) hwOpen.push_back(HandwritingEngine::open(kHandwritingModel, &err)->openMs());
  line("librime first deploy (at install)", firstDeploy, "ms", percentile(later, 0.5), 0);
  // Budgets: the kiosk's whole start to first frame (§10, 400 ms) for the engines' part of it; one frame at
  // 60 Hz (16 ms) for a key or a stroke, so that the next frame already shows the candidates.
  line("librime later start (p50 of 5)", percentile(later, 0.5), "ms", 0, 400);
  line("zinnia model open (p50 of 5)", percentile(hwOpen, 0.5), "ms", 0, 400);

  auto pinyin = PinyinEngine::open({(dir / "rime").string()}, &err);
  auto hw = HandwritingEngine::open(kHandwritingModel, &err);
  const long rssOpen = rssKb(getpid());

  // Per keystroke: our session (librime + every candidate listed, converted, filtered) against librime's
  // own process_key + get_context on a bare session of the same schema (the baseline).
  std::vector<double> ours, bare, oursTw;
  RimeApi* api = rime_get_api();
  for (int r = 0; r < rounds; ++r)
    for (const char* w : kWords) {
      auto s = pinyin->newSession(true, false, drawable);
      auto t = pinyin->newSession(true, true, drawable);
      const RimeSessionId b = api->create_session();
      api->select_schema(b, "minyi_pinyin_fuzzy");
      for (const char* c = w; *c; ++c) {
        auto t0 = Timer::now();
        s->key(*c);
        ours.push_back(ms(Timer::now() - t0));
        t0 = Timer::now();
        t->key(*c);
        oursTw.push_back(ms(Timer::now() - t0));
        t0 = Timer::now();
        api->process_key(b, *c, 0);
        RIME_STRUCT(RimeContext, ctx);
        api->get_context(b, &ctx);
        api->free_context(&ctx);
        bare.push_back(ms(Timer::now() - t0));
      }
      api->destroy_session(b);
    }
  line("pinyin keystroke p50", percentile(ours, 0.5), "ms", percentile(bare, 0.5), 0);
  line("pinyin keystroke p99", percentile(ours, 0.99), "ms", percentile(bare, 0.99), 16);
  line("pinyin keystroke, 繁 output (OpenCC) p50", percentile(oursTw, 0.5), "ms", percentile(bare, 0.5), 0);
  line("pinyin keystroke, 繁 output (OpenCC) p99", percentile(oursTw, 0.99), "ms", percentile(bare, 0.99), 16);

  // Per stroke: the session's recognition at pen-up (zinnia + look-alikes + filter) against zinnia's own
  // classify of the same strokes for 10 results.
  std::vector<double> stroke, rawStroke;
  const auto chars = characters();
  for (int r = 0; r < rounds * 5; ++r)
    for (const auto& ch : chars) {
      HandwritingSession s(*hw, false, drawable);
      const auto now = HandwritingSession::Clock::now();
      for (size_t i = 0; i < ch.size(); ++i) {
        s.penDown(ch[i].front(), now);
        for (size_t j = 1; j < ch[i].size(); ++j) s.penMove(ch[i][j]);
        auto t0 = Timer::now();
        s.penUp(now);
        stroke.push_back(ms(Timer::now() - t0));
        const std::vector<Stroke> sofar(ch.begin(), ch.begin() + static_cast<long>(i) + 1);
        t0 = Timer::now();
        const auto raw = hw->recognize(sofar, 10);
        rawStroke.push_back(ms(Timer::now() - t0));
      }
    }
  line("handwriting stroke p50", percentile(stroke, 0.5), "ms", percentile(rawStroke, 0.5), 0);
  line("handwriting stroke p99", percentile(stroke, 0.99), "ms", percentile(rawStroke, 0.99), 16);

  // Memory: what the engines add to a process, opened and then in use (dictionary and model pages touched).
  const long rssUsed = rssKb(getpid());
  std::printf("%-46s %9.1f MB (before %.1f, opened %.1f, in use %.1f)\n", "RSS the engines add in use",
              (rssUsed - rss0) / 1024.0, rss0 / 1024.0, rssOpen / 1024.0, rssUsed / 1024.0);

#ifdef MINYI_KIOSK_BIN
  // The real kiosk with both engines open, on its start screen (headless: dummy video, software renderer).
  const fs::path db = dir / "kiosk.db";
  const pid_t child = fork();
  if (child == 0) {
    execl(MINYI_KIOSK_BIN, MINYI_KIOSK_BIN, "--headless", "--database", db.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  sleep(4);
  const long kiosk = rssKb(child);
  kill(child, SIGTERM);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const double total = (kiosk + (rssUsed - rssOpen)) / 1024.0;
  // Headless: dummy video driver and SDL's software renderer, no GL driver (bench_kiosk measures under Xvfb).
  line("minyi-kiosk RSS, engines open (start screen)", kiosk / 1024.0, "MB", 0, 150);
  line("  + a resident typing and writing (estimate)", total, "MB", kiosk / 1024.0, 150);
#endif
  fs::remove_all(dir);
  return 0;
}
