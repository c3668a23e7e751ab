// 查询进度 and 回访: the code a resident types, what this kiosk or the server knows of its ticket, in words, and the
// rating a resident gives a resolved ticket.
#pragma once
#include <string>

#include "flow_context.h"
#include "typing.h"
#include "minyi/ui/view_model.h"

namespace minyi::app {

class LookupDesk {
 public:
  LookupDesk(FlowContext& ctx, Typing& typing) : ctx_(ctx), typing_(typing) {}
  // The 查询进度 screen with the keyboard open on the code.
  void open();
  void editCode();  // a tap on the code field
  void lookUp();    // 查询, or 完成 on the keyboard
  // 回访 on a resolved ticket found here. Returns what stopped the store keeping it (then the kiosk pauses).
  std::string rate(ui::command::TicketRating rating);
  // The uploader's news: the server's answer about a code made at another kiosk, or fresher tickets. True when
  // the screen changed.
  bool takeLiveAnswer();
  bool ticketsChanged();
  void forget() { view_ = {}; }  // the next resident never sees the code looked up
  const ui::LookupView& view() const { return view_; }

 private:
  void find();  // looks the typed code up again (fresher news, after a rating)
  void showTicket(const store::Ticket& t, const std::string& note);
  FlowContext& ctx_;
  Typing& typing_;
  ui::LookupView view_;
};

}  // namespace minyi::app
