// librime behind PinyinEngine/PinyinSession: the kiosk's schemas (exact and fuzzy), written into its own
// user-data folder and deployed only when they change; OpenCC for Traditional output.
#include "minyi/input/pinyin.h"

#include <rime_api.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include "minyi/core/script.h"

namespace fs = std::filesystem;

namespace minyi::input {

namespace {

constexpr size_t kMaxCandidates = 60;  // enough for several pages of the candidate bar; deeper ones are noise

RimeApi* api() {
  static RimeApi* a = rime_get_api();
  return a;
}

// The spelling rules of Debian's pinyin_simp schema (abbreviations, common typos), after which the fuzzy
// schema adds its own. Fuzzy rules come first so that abbreviations are made from the fuzzy spellings too.
const char* kBaseAlgebra = R"(    - erase/^hm$/
    - erase/^m$/
    - erase/^n$/
    - erase/^ng$/
)";
const char* kFuzzyAlgebra = R"(    - derive/^([zcs])h/$1/
    - derive/^([zcs])([^h])/$1h$2/
    - derive/^n/l/
    - derive/^l/n/
    - derive/([ei])n$/$1ng/
    - derive/([ei])ng$/$1n/
    - derive/([^iu])an$/$1ang/
    - derive/([^iu])ang$/$1an/
    - derive/ian$/iang/
    - derive/iang$/ian/
    - derive/uan$/uang/
    - derive/uang$/uan/
)";
const char* kRestAlgebra = R"(    - abbrev/^([a-z]).+$/$1/
    - abbrev/^([zcs]h).+$/$1/
    - derive/^([nl])ue$/$1ve/
    - derive/^([jqxy])u/$1v/
    - derive/un$/uen/
    - derive/ui$/uei/
    - derive/iu$/iou/
)";

// A self-contained schema (Debian ships no default.yaml or symbols.yaml to import presets from). No user
// dictionary: nothing a resident types is learned, so nothing surfaces for the next one.
std::string schemaYaml(const std::string& id, bool fuzzy) {
  std::ostringstream s;
  s << "# Written by minyi-kiosk (kiosk/input/src/pinyin.cpp); edits are overwritten.\n"
    << "schema:\n  schema_id: " << id << "\n  name: " << id << "\n  version: '1'\n"
    << "switches:\n  - name: ascii_mode\n    reset: 0\n"
    << "engine:\n  processors: [speller, selector, navigator, express_editor]\n"
    << "  segmentors: [abc_segmentor, fallback_segmentor]\n  translators: [script_translator]\n"
    << "speller:\n  alphabet: zyxwvutsrqponmlkjihgfedcba\n  delimiter: \" '\"\n  algebra:\n"
    << kBaseAlgebra << (fuzzy ? kFuzzyAlgebra : "") << kRestAlgebra
    << "translator:\n  dictionary: pinyin_simp\n  prism: " << id << "\n  enable_user_dict: false\n"
    << "  preedit_format:\n    - xform/([nl])v/$1ü/\n    - xform/([nl])ue/$1üe/\n    - xform/([jqxy])v/$1u/\n"
    << "menu:\n  page_size: 10\n";
  return s.str();
}

const char* kDefaultYaml =
    "# Written by minyi-kiosk: the schemas librime deploys into the kiosk's own user-data folder.\n"
    "config_version: '1'\nschema_list:\n  - schema: minyi_pinyin\n  - schema: minyi_pinyin_fuzzy\n"
    "menu:\n  page_size: 10\n";

// Writes a file only when its content changed: librime redeploys when a file's time changes.
bool writeIfChanged(const fs::path& p, const std::string& content) {
  {
    std::ifstream in(p, std::ios::binary);
    if (in && std::string(std::istreambuf_iterator<char>(in), {}) == content) return true;
  }
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out);
}

bool g_open = false;  // librime is one per process

}  // namespace

std::unique_ptr<PinyinEngine> PinyinEngine::open(const PinyinOptions& o, std::string* error) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!fs::exists(fs::path(o.sharedDataDir) / "pinyin_simp.dict.yaml")) {
    if (error) *error = "no pinyin dictionary in " + o.sharedDataDir + " (install rime-data-pinyin-simp)";
    return nullptr;
  }
  std::error_code ec;
  fs::create_directories(o.userDataDir, ec);
  const fs::path dir(o.userDataDir);
  if (ec || !writeIfChanged(dir / "default.yaml", kDefaultYaml) ||
      !writeIfChanged(dir / "minyi_pinyin.schema.yaml", schemaYaml("minyi_pinyin", false)) ||
      !writeIfChanged(dir / "minyi_pinyin_fuzzy.schema.yaml", schemaYaml("minyi_pinyin_fuzzy", true))) {
    if (error) *error = "cannot write the pinyin schemas into " + o.userDataDir;
    return nullptr;
  }
  if (g_open) {  // checked after the folders, so that what is wrong with them is said first
    if (error) *error = "librime is already open in this process";
    return nullptr;
  }
  RIME_STRUCT(RimeTraits, traits);
  traits.shared_data_dir = o.sharedDataDir.c_str();
  traits.user_data_dir = o.userDataDir.c_str();
  traits.distribution_name = "Minyi";
  traits.distribution_code_name = "minyi";
  traits.distribution_version = "1";
  traits.app_name = "rime.minyi";
  traits.min_log_level = 3;  // FATAL only: a kiosk has nobody to read librime's chatter
  traits.log_dir = "";       // and no log files in the kiosk's folders
  static bool setUp = false;  // glog may be set up once per process
  if (!setUp) {
    api()->setup(&traits);
    setUp = true;
  }
  api()->initialize(&traits);
  std::unique_ptr<PinyinEngine> e(new PinyinEngine);
  g_open = true;
  // false: no full check — only when a schema or dictionary file changed does it deploy (first start, an
  // upgrade of rime-data); every other start takes well under a millisecond.
  if (api()->start_maintenance(False)) {
    api()->join_maintenance_thread();
    e->deploy_.deployed = true;
  }
  if (!fs::exists(dir / "build" / "minyi_pinyin_fuzzy.prism.bin") || !fs::exists(dir / "build" / "minyi_pinyin.prism.bin")) {
    if (error) *error = "librime could not deploy the pinyin schemas into " + o.userDataDir;
    return nullptr;  // the destructor finalises librime
  }
  e->deploy_.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return e;
}

PinyinEngine::~PinyinEngine() {
  api()->finalize();
  g_open = false;
}

std::unique_ptr<PinyinSession> PinyinEngine::newSession(bool fuzzy, bool traditional, CanDraw canDraw) const {
  std::unique_ptr<PinyinSession> s(new PinyinSession);
  s->id_ = api()->create_session();
  if (!s->id_) return nullptr;
  api()->select_schema(s->id_, fuzzy ? "minyi_pinyin_fuzzy" : "minyi_pinyin");
  s->traditional_ = traditional;
  s->canDraw_ = std::move(canDraw);
  return s;
}

PinyinSession::~PinyinSession() {
  if (id_) api()->destroy_session(id_);
}

std::string PinyinSession::convert(const std::string& s) const { return traditional_ ? core::toTraditional(s) : s; }

void PinyinSession::refresh() {
  preedit_.clear();
  shown_.clear();
  rimeIndex_.clear();
  RIME_STRUCT(RimeContext, ctx);
  if (api()->get_context(id_, &ctx)) {
    if (ctx.composition.preedit) preedit_ = convert(ctx.composition.preedit);
    api()->free_context(&ctx);
  }
  if (preedit_.empty()) return;
  RimeCandidateListIterator it = {};
  if (!api()->candidate_list_begin(id_, &it)) return;
  size_t seen = 0;
  while (api()->candidate_list_next(&it) && seen < kMaxCandidates) {
    ++seen;
    const std::string text = convert(it.candidate.text ? it.candidate.text : "");
    // One rule for every input mode: a candidate the kiosk cannot draw is not offered.
    if (text.empty() || (canDraw_ && !canDraw_(text))) continue;
    shown_.push_back(text);
    rimeIndex_.push_back(static_cast<size_t>(it.index));
  }
  api()->candidate_list_end(&it);
}

std::string PinyinSession::takeCommit() {
  RIME_STRUCT(RimeCommit, commit);
  std::string text;
  if (api()->get_commit(id_, &commit)) {
    if (commit.text) text = commit.text;
    api()->free_commit(&commit);
  }
  return convert(text);
}

void PinyinSession::key(char letter) {
  if (letter < 'a' || letter > 'z') return;
  api()->process_key(id_, letter, 0);
  refresh();
}

bool PinyinSession::backspace() {
  if (!composing()) return false;
  api()->process_key(id_, 0xff08 /* XK_BackSpace */, 0);
  refresh();
  return true;
}

void PinyinSession::clear() {
  api()->clear_composition(id_);
  refresh();
}

std::string PinyinSession::choose(size_t index) {
  if (index >= rimeIndex_.size()) return {};
  api()->select_candidate(id_, rimeIndex_[index]);
  const std::string text = takeCommit();
  refresh();
  return text;
}

std::string PinyinSession::commitFirst() {
  std::string text;
  // Choose the first drawable candidate until the whole input is committed (a sentence may take several).
  for (int guard = 0; composing() && guard < 32; ++guard) {
    if (shown_.empty()) {
      clear();  // nothing drawable for these letters: they go, rather than letters nobody can read
      break;
    }
    text += choose(0);
  }
  return text;
}

}  // namespace minyi::input
