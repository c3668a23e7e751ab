// Ingest: the checks every submission passes (form, seal, answers) before one transaction stores the batch.
#include "minyi/server/ingest.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "minyi/core/json_input.h"
#include "minyi/protocol/times.h"
#include "minyi/server/results.h"

namespace minyi::server {

std::string submissionDigest(const protocol::Envelope& e) {
  std::vector<std::string> flags = e.flags;
  std::sort(flags.begin(), flags.end());
  // A JSON array keeps every field's boundaries: no two different envelopes give the same text.
  const core::Json fields = {e.id,        e.formId,    e.formVersion, e.formHash,
                             e.kind,      e.createdAt, flags,         protocol::sha256Hex(e.sealed)};
  return protocol::sha256Hex(fields.dump());
}

namespace {

// Why a submission cannot be accepted, or nothing when it can; the opened answers go to `answers`.
std::optional<std::string> check(const protocol::Envelope& e, const std::optional<StoredForm>& form,
                                 const protocol::KeyPair& keys, std::string& answers, core::Json& parsed) {
  const std::string formName = "form " + e.formId + " version " + std::to_string(e.formVersion);
  if (!form) return formName + " is not on this server (staff upload it with `minyi form upload`)";
  if (form->hash != e.formHash)
    return formName + " on this server has other content (content hash " + form->hash.substr(0, 12) + "…, the "
           "kiosk's is " + e.formHash.substr(0, 12) + "…)";
  if (form->kind != e.kind) return formName + " is a " + form->kind + " form, not a " + e.kind + " form";
  auto opened = protocol::openSealed(keys, e.sealed);
  if (!opened) return "the sealed answers do not open with this server's key (sealed to another server's key?)";
  if (opened->size() > kMaxAnswersBytes)
    return "the opened answers are " + std::to_string(opened->size()) + " bytes, more than 1 MB";
  core::JsonLimits limits;
  limits.maxBytes = kMaxAnswersBytes;
  limits.maxDepth = 32;
  std::string why;
  auto j = core::parseJsonText(*opened, &why, limits);
  if (!j) return "the opened answers are not JSON: " + why;
  if (!j->is_object()) return "the opened answers are not a JSON object";
  answers = std::move(*opened);
  parsed = std::move(*j);
  return std::nullopt;
}

}  // namespace

protocol::BatchReply ingestBatch(ServerStore& store, const protocol::KeyPair& keys,
                                 const std::vector<protocol::Envelope>& batch, const Origin& origin,
                                 const std::optional<Contact>& contact) {
  const std::string now = protocol::isoUtc(std::chrono::system_clock::now());
  protocol::BatchReply reply;
  reply.results.resize(batch.size());
  std::vector<IncomingSubmission> accepted;
  std::vector<size_t> acceptedAt;  // index in `batch` of each accepted submission
  std::map<std::pair<std::string, int>, std::optional<StoredForm>> forms;  // a batch names few forms
  for (size_t i = 0; i < batch.size(); ++i) {
    const protocol::Envelope& e = batch[i];
    reply.results[i].id = e.id;
    auto key = std::make_pair(e.formId, e.formVersion);
    auto found = forms.find(key);
    if (found == forms.end()) found = forms.emplace(key, store.form(e.formId, e.formVersion)).first;
    std::string answers;
    core::Json parsed;
    if (auto why = check(e, found->second, keys, answers, parsed)) {
      reply.results[i].outcome = protocol::Outcome::Rejected;
      reply.results[i].reason = *why;
      continue;
    }
    // The answers are counted for the dashboard as they are stored (results.h). A stored form always loads
    // (it was checked at upload); should it not, the submission is still kept, only not counted.
    std::vector<Tally> tallies;
    if (auto loaded = formCache().get(*found->second)) tallies = tallyAnswers(*loaded, parsed);
    accepted.push_back({e, submissionDigest(e), std::move(answers), origin.deviceId, origin.siteId, origin.via, now,
                        weekOf(e.createdAt), std::move(tallies)});
    acceptedAt.push_back(i);
  }
  if (accepted.empty() && !contact) return reply;
  const std::vector<protocol::Outcome> outcomes = store.ingest(accepted, contact);
  for (size_t k = 0; k < outcomes.size(); ++k) {
    protocol::ItemResult& r = reply.results[acceptedAt[k]];
    r.outcome = outcomes[k];
    if (r.outcome == protocol::Outcome::Conflict)
      r.reason = "the server already holds a different submission with this id";
  }
  return reply;
}

}  // namespace minyi::server
