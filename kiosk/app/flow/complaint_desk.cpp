// Filing a complaint: ticket code, access key, QR link and the receipt's words.
#include "complaint_desk.h"

#include "minyi/protocol/codes.h"
#include "minyi/protocol/ticket.h"

namespace minyi::app {

store::Result<core::Receipt> ComplaintDesk::file(const store::NewSubmission& complaint, const core::Form& form,
                                                 const std::string& category, const protocol::PublicKey& key) const {
  // The code is made here with no network; the access key for the QR link goes to the server sealed like the
  // answers, so nobody reading the kiosk's disk can open the ticket page.
  const std::string accessKey = protocol::newTicketAccessKey();
  auto made = ctx_.store->commitComplaint(
      complaint, store::NewTicket{static_cast<uint32_t>(ctx_.kioskNumber()), category, protocol::seal(key, accessKey)});
  if (!made.ok()) return made.error();
  core::Receipt receipt;
  receipt.code = protocol::groupCode(made.value().code);
  receipt.link = protocol::ticketLink(ctx_.serverUrl(), made.value().code, accessKey);
  describe(form, category, &receipt);
  return receipt;
}

void ComplaintDesk::describe(const core::Form& form, const std::string& category, core::Receipt* receipt) const {
  const core::StringTable& strings = ctx_.strings;
  const std::string& locale = ctx_.locale;
  for (const core::TicketCategory& c : form.minyi.categories) {
    if (c.value != category) continue;
    receipt->category = c.text.get(locale);
    if (c.deadlineHours) receipt->deadline = strings.get(locale, "receipt.hours", {std::to_string(*c.deadlineHours)});
    else if (c.deadlineWorkingDays)
      receipt->deadline = strings.get(locale, "receipt.workingDays", {std::to_string(*c.deadlineWorkingDays)});
    else if (c.deadlineDays) receipt->deadline = strings.get(locale, "receipt.days", {std::to_string(*c.deadlineDays)});
  }
}

}  // namespace minyi::app
