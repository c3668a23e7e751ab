// Sealing answers with their binding, and opening and checking them on the server.
#include "minyi/protocol/sealed_answers.h"

#include "minyi/core/json_input.h"

namespace minyi::protocol {

std::string sealAnswers(const PublicKey& to, const AnswersBinding& binding, const core::Json& answers) {
  core::Json sealed = {{"seal", kAnswersSealFormat},   {"id", binding.submissionId},
                       {"form", binding.formId},       {"version", binding.formVersion},
                       {"device", binding.deviceId},   {"answers", answers}};
  return seal(to, sealed.dump());
}

std::optional<OpenedAnswers> openAnswers(const KeyPair& keys, std::string_view sealed, size_t maxAnswersBytes,
                                         std::string* why) {
  auto fail = [why](std::string text) -> std::optional<OpenedAnswers> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  auto opened = openSealed(keys, sealed);
  if (!opened) return fail("the sealed answers do not open with this server's key (sealed to another server's key?)");
  // The binding adds a few hundred bytes around the answers.
  const size_t maxSealed = maxAnswersBytes + 4096;
  if (opened->size() > maxSealed)
    return fail("the opened answers are " + std::to_string(opened->size()) + " bytes, more than " +
                std::to_string(maxAnswersBytes / (1024 * 1024)) + " MB");
  core::JsonLimits limits;
  limits.maxBytes = maxSealed;
  limits.maxDepth = 33;  // the answers' 32 levels inside the binding's object
  std::string parseError;
  auto j = core::parseJsonText(*opened, &parseError, limits);
  if (!j) return fail("the opened answers are not JSON: " + parseError);
  auto text = [&](const char* key) {
    auto it = j->find(key);
    return it != j->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!j->is_object() || text("seal") != kAnswersSealFormat)
    return fail("the sealed answers carry no binding to their submission (sealed by a kiosk older than the "
                "server's protocol, or taken from elsewhere); update the kiosk's software");
  OpenedAnswers out;
  out.binding.submissionId = text("id");
  out.binding.formId = text("form");
  out.binding.deviceId = text("device");
  auto version = j->find("version");
  if (version == j->end() || !version->is_number_integer())
    return fail("the sealed answers' binding has no form version");
  out.binding.formVersion = version->get<int>();
  auto answers = j->find("answers");
  if (answers == j->end() || !answers->is_object()) return fail("the opened answers are not a JSON object");
  out.answers = std::move(*answers);
  out.text = out.answers.dump();
  if (out.text.size() > maxAnswersBytes)
    return fail("the opened answers are " + std::to_string(out.text.size()) + " bytes, more than " +
                std::to_string(maxAnswersBytes / (1024 * 1024)) + " MB");
  return out;
}

std::optional<std::string> bindingMismatch(const AnswersBinding& binding, const Envelope& envelope, const Sender& sender) {
  if (binding.submissionId != envelope.id)
    return "the sealed answers belong to submission " + binding.submissionId + ", not " + envelope.id +
           " (a replay under another id?)";
  if (binding.formId != envelope.formId || binding.formVersion != envelope.formVersion)
    return "the sealed answers belong to form " + binding.formId + " version " + std::to_string(binding.formVersion) +
           ", not " + envelope.formId + " version " + std::to_string(envelope.formVersion) + " (a replay under another form?)";
  if (binding.deviceId.empty() || binding.deviceId == sender.deviceId ||
      (!sender.kioskId.empty() && binding.deviceId == sender.kioskId))
    return std::nullopt;
  const std::string& who = sender.deviceId.empty() ? sender.kioskId : sender.deviceId;
  return "the sealed answers were sealed on kiosk " + binding.deviceId + ", not on " +
         (who.empty() ? std::string("a kiosk this server does not know") : who) + " (a replay from another kiosk?)";
}

}  // namespace minyi::protocol
