// A complaint's ticket, made in one place: the access key (sealed so only the server can read it back), the code
// (numbered by the store inside the complaint's own transaction, so a crash never hands one out twice), the link
// its QR code carries, and the receipt with the category and the deadline in the resident's words.
#pragma once
#include <string>

#include "flow_context.h"
#include "minyi/core/form.h"
#include "minyi/core/receipt.h"
#include "minyi/store/store.h"

namespace minyi::app {

class ComplaintDesk {
 public:
  explicit ComplaintDesk(const FlowContext& ctx) : ctx_(ctx) {}
  // Stores `complaint` (its answers already sealed to `key`) with a new ticket for this kiosk, in one
  // transaction, and returns what the resident leaves with. `category` is the complaint's category value.
  store::Result<core::Receipt> file(const store::NewSubmission& complaint, const core::Form& form,
                                    const std::string& category, const protocol::PublicKey& key) const;
 private:
  // The category and the promised handling time of a complaint on this form, in the resident's language.
  void describe(const core::Form& form, const std::string& category, core::Receipt* receipt) const;
  const FlowContext& ctx_;
};

}  // namespace minyi::app
