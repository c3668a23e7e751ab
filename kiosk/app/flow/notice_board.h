// The attract screen's notices carousel (整改情况公示, policy notices): what the server sent, in the resident's
// language, turning every 15 s; each turn back to the first rereads the store, so an expired notice goes away.
#pragma once
#include <vector>

#include "flow_context.h"
#include "minyi/ui/view_model.h"

namespace minyi::app {

class NoticeBoard {
 public:
  explicit NoticeBoard(const FlowContext& ctx) : ctx_(ctx) {}
  void load();           // from the store (the uploader says when the server sent new ones)
  void refresh();        // in the current language
  void next();           // a tap on the card
  void rewind() { index_ = 0; }
  // Turns the carousel while the attract screen shows. True when the card changed.
  bool tick();
  Clock::time_point nextTurn() const { return nextAt_; }
  bool turning() const { return shown_.size() > 1; }
  const std::vector<ui::NoticeView>& shown() const { return shown_; }
  int index() const { return index_; }

 private:
  const FlowContext& ctx_;
  std::vector<store::StoredNotice> stored_;
  std::vector<ui::NoticeView> shown_;  // in the current language
  int index_ = 0;
  Clock::time_point nextAt_{};
};

}  // namespace minyi::app
