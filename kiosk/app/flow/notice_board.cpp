// Notices from the store, in the resident's language, and the carousel's turns.
#include "notice_board.h"

#include "minyi/core/json_input.h"
#include "minyi/core/script.h"

namespace minyi::app {

namespace {
constexpr auto kNoticeTime = std::chrono::seconds(15);  // a notice stays this long in the carousel

// The text for `locale` from {"zh-cn": ..., "zh-tw": ..., "en": ...}, else Simplified (in Traditional
// characters for a 繁 reader: the font holds the Traditional counterparts of GB2312), else any.
std::string localText(const std::string& json, const std::string& locale) {
  auto j = core::parseJsonText(json, nullptr);
  if (!j || !j->is_object()) return {};
  for (const std::string& key : {locale, std::string("zh-cn"), std::string("default")})
    if (auto it = j->find(key); it != j->end() && it->is_string())
      return key == locale ? it->get<std::string>() : core::simplifiedFor(it->get<std::string>(), locale);
  for (auto& [k, v] : j->items())
    if (v.is_string()) return v.get<std::string>();
  return {};
}
}  // namespace

void NoticeBoard::load() {
  stored_.clear();
  if (ctx_.store)
    if (auto n = ctx_.store->notices(std::chrono::system_clock::now()); n.ok()) stored_ = std::move(n.value());
  refresh();
}

void NoticeBoard::refresh() {
  shown_.clear();
  for (const store::StoredNotice& n : stored_) {
    ui::NoticeView v{localText(n.title, ctx_.locale), localText(n.body, ctx_.locale), n.publishedAt.substr(0, 10)};
    if (!v.title.empty() || !v.body.empty()) shown_.push_back(std::move(v));
  }
  if (index_ >= static_cast<int>(shown_.size())) index_ = 0;
}

void NoticeBoard::next() {
  if (!shown_.empty()) index_ = (index_ + 1) % static_cast<int>(shown_.size());
  nextAt_ = ctx_.now + kNoticeTime;
}

bool NoticeBoard::tick() {
  if (ctx_.screen != ui::Screen::Attract || !turning() || ctx_.now < nextAt_) return false;
  bool changed = false;
  if (nextAt_ != Clock::time_point{}) {
    index_ = (index_ + 1) % static_cast<int>(shown_.size());
    if (index_ == 0) load();
    changed = true;
  }
  nextAt_ = ctx_.now + kNoticeTime;
  return changed;
}

}  // namespace minyi::app
