// A submission's sealed answers bound to their envelope: replayed under another id, form or kiosk they are refused.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "minyi/core/json.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"

namespace minyi::protocol {

// What the seal says the answers belong to. Sealed with them, so nobody without the server's secret key can
// change it; the server compares it with the envelope (which anyone on the path can rewrite).
struct AnswersBinding {
  std::string submissionId;  // the envelope's id (a UUID the kiosk made before sealing)
  std::string formId;
  int formVersion = 0;
  // The kiosk that sealed them: its own id (KioskStore::kioskId, kept across enrollments); from kiosks that
  // predate it, the server's device id, or empty when it sealed before it was enrolled.
  std::string deviceId;
};

// The sealed text: {"seal":"minyi-answers/1","id":…,"form":…,"version":…,"device":…,"answers":{…}}.
constexpr const char* kAnswersSealFormat = "minyi-answers/1";
std::string sealAnswers(const PublicKey& to, const AnswersBinding& binding, const core::Json& answers);

struct OpenedAnswers {
  AnswersBinding binding;
  core::Json answers;  // a JSON object
  std::string text;    // answers as compact JSON text, as stored
};
// Opens and reads sealed answers: nullopt with a sentence in `why` when they do not open with `keys`, are
// not JSON, are larger than `maxAnswersBytes` or deeper than 32 levels, or carry no binding.
std::optional<OpenedAnswers> openAnswers(const KeyPair& keys, std::string_view sealed, size_t maxAnswersBytes,
                                         std::string* why);
// Who sent a batch, as the server knows it: its device id (empty: a USB export of a kiosk the server never
// enrolled) and the kiosk's own id (said at enrollment, or named by a USB export's manifest; may be empty).
struct Sender {
  std::string deviceId;
  std::string kioskId;
};
// Why answers sealed with `binding` cannot travel in `envelope` sent by `sender`, or nothing when they can:
// the binding names the sender's own kiosk id (whichever enrollment it sends under) or its device id.
// Answers sealed with no kiosk named (by older kiosks before enrolment) may come from any kiosk: their id
// and form still bind them.
std::optional<std::string> bindingMismatch(const AnswersBinding& binding, const Envelope& envelope, const Sender& sender);

}  // namespace minyi::protocol
