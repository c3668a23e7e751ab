// One ingest path for every way submissions arrive: POST /api/v1/submissions and `minyi import` of a USB export.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/server/server_store.h"

namespace minyi::server {

// Where a batch came from: the kiosk that sent it, the site it stands at, and how it travelled.
struct Origin {
  std::string deviceId;  // empty for a USB export of a kiosk the server never enrolled
  std::string siteId;
  std::string via;  // "network" or "usb"
  // The kiosk's own id: the one it said at enrollment, or a USB export's manifest's (may be empty).
  std::string kioskId;
};

// A kiosk's clock counts as wrong when it is ahead of the server's by more than protocol::kClockTolerance, or
// when it dates a submission more than kOldestPlausible back (a kiosk at 1970 after a dead RTC battery).
constexpr std::chrono::hours kOldestPlausible{24 * 400};
// When a submission counts as filed, for its week and a complaint's deadline: the kiosk's time, or the
// server's receive time `now` when the kiosk's clock is implausible (the kiosk's time is still stored as sent).
std::string filedAt(const std::string& kioskTime, const std::string& now);

// The opened answers of one submission are at most this big (docs/protocol.md, "Submissions").
constexpr size_t kMaxAnswersBytes = 1024 * 1024;

// SHA-256 over the envelope fields and the sealed bytes, as compared for duplicate vs conflict. Flags are a
// set: their order does not change the digest.
std::string submissionDigest(const protocol::Envelope& e);

// Checks each submission (its form (id, version, hash) and kind are on the server, its sealed bytes open
// with the server's key pair, the answers are a JSON object of at most 1 MB) and stores those that pass in
// one transaction. Every id gets exactly one result, in the order sent. Throws StoreError when the database
// fails: then nothing of the batch was stored.
// A complaint's ticket (issue #5) is made with it: its access key must open with the server's key (else
// rejected); only the key's hash is kept; the community is the answer `community` when it names one of the
// township's, else the site's; the category is the answer `category`; the deadline follows `policy` (the
// weekends-only calendar and 7-day default when null).
protocol::BatchReply ingestBatch(ServerStore& store, const protocol::KeyPair& keys,
                                 const std::vector<protocol::Envelope>& batch, const Origin& origin,
                                 const std::optional<Contact>& contact = std::nullopt,
                                 const TicketPolicy* policy = nullptr);

}  // namespace minyi::server
