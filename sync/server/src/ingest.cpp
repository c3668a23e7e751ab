// Ingest: the checks every submission passes (form, seal, answers) before one transaction stores the batch.
#include "minyi/server/ingest.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "minyi/protocol/codes.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "minyi/server/results.h"

namespace minyi::server {

std::string submissionDigest(const protocol::Envelope& e) {
  std::vector<std::string> flags = e.flags;
  std::sort(flags.begin(), flags.end());
  // A JSON array keeps every field's boundaries: no two different envelopes give the same text.
  core::Json fields = {e.id,        e.formId,    e.formVersion, e.formHash,
                       e.kind,      e.createdAt, flags,         protocol::sha256Hex(e.sealed)};
  // A complaint's ticket is part of its content. Only then: the digests of every other submission, stored
  // before tickets existed, stay what they were.
  if (!e.ticketCode.empty() || !e.ticketKeySealed.empty()) {
    fields.push_back(e.ticketCode);
    fields.push_back(protocol::sha256Hex(e.ticketKeySealed));
  }
  return protocol::sha256Hex(fields.dump());
}

namespace {

// Why a submission cannot be accepted, or nothing when it can; the opened answers go to `answers`.
std::optional<std::string> check(const protocol::Envelope& e, const std::optional<StoredForm>& form,
                                 const protocol::KeyPair& keys, const Origin& origin, std::string& answers,
                                 core::Json& parsed) {
  const std::string formName = "form " + e.formId + " version " + std::to_string(e.formVersion);
  if (!form) return formName + " is not on this server (staff upload it with `minyi form upload`)";
  if (form->hash != e.formHash)
    return formName + " on this server has other content (content hash " + form->hash.substr(0, 12) + "…, the "
           "kiosk's is " + e.formHash.substr(0, 12) + "…)";
  if (form->kind != e.kind) return formName + " is a " + form->kind + " form, not a " + e.kind + " form";
  std::string why;
  auto opened = protocol::openAnswers(keys, e.sealed, kMaxAnswersBytes, &why);
  if (!opened) return why;
  // The envelope travels in the clear: only what was sealed with the answers says where they belong.
  if (auto mismatch = protocol::bindingMismatch(opened->binding, e, {origin.deviceId, origin.kioskId})) return mismatch;
  answers = std::move(opened->text);
  parsed = std::move(opened->answers);
  return std::nullopt;
}

// The access key of a complaint's QR link, opened: at least 64 bits of Crockford symbols (the kiosk makes 80).
std::optional<std::string> openTicketKey(const protocol::Envelope& e, const protocol::KeyPair& keys, std::string& key) {
  auto opened = protocol::openSealed(keys, e.ticketKeySealed);
  if (!opened) return std::string("the ticket's sealed access key does not open with this server's key");
  auto symbols = protocol::normalizeCrockford(*opened);
  if (!symbols || *symbols != *opened || symbols->size() < 13 || symbols->size() > 64)
    return std::string("the ticket's access key is not 13 to 64 Crockford symbols (at least 64 bits)");
  key = std::move(*symbols);
  return std::nullopt;
}

// A text answer, or empty.
std::string answerString(const core::Json& answers, const char* key) {
  auto it = answers.find(key);
  return it != answers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const TicketPolicy& defaultPolicy() {
  static const TicketPolicy policy;  // weekends only, the forms' deadlines, else 7 days
  return policy;
}

// Why a ticket code cannot be this kiosk's, or nothing when it can. Each kiosk makes codes from its own
// number (given by the server when the device was added): a code with another kiosk's number, or with
// kiosk 0 or serial 0 (no kiosk makes them), would take a code the genuine kiosk may still send.
class TicketOwnership {
 public:
  TicketOwnership(ServerStore& store, const Origin& origin) : store_(store), origin_(origin) {}

  std::optional<std::string> refuse(const std::string& code) {
    const auto made = protocol::ticketOrigin(code);
    if (!made) return "the ticket code " + code + " is not a well-formed code";
    if (made->kioskNumber == 0 || made->serial == 0)
      return "the ticket code " + code + " has kiosk " + std::to_string(made->kioskNumber) + " serial " +
             std::to_string(made->serial) + ", which no kiosk makes";
    load();
    const int number = static_cast<int>(made->kioskNumber);
    if (ownNumber_ > 0 && number != ownNumber_)
      return "the ticket code " + code + " is kiosk " + std::to_string(number) + "'s, not this kiosk's (" +
             std::to_string(ownNumber_) + "): check [site] kiosk_number in this kiosk's kiosk.toml, or enroll it again";
    if (ownNumber_ == 0) {  // a USB export of a kiosk the server does not know: no code of a known kiosk
      auto holder = holders_.find(number);
      if (holder != holders_.end() && holder->second != origin_.deviceId)
        return "the ticket code " + code + " is kiosk " + std::to_string(number) + "'s (" + holder->second +
               "), and this export is not from that kiosk";
    }
    return std::nullopt;
  }

 private:
  void load() {
    if (loaded_) return;
    loaded_ = true;
    if (!origin_.deviceId.empty())
      if (auto self = store_.device(origin_.deviceId)) ownNumber_ = self->kioskNumber;
    if (ownNumber_ == 0)
      for (const Device& d : store_.devices())
        if (d.kioskNumber > 0) holders_[d.kioskNumber] = d.id;
  }
  ServerStore& store_;
  const Origin& origin_;
  bool loaded_ = false;
  int ownNumber_ = 0;
  std::map<int, std::string> holders_;
};

}  // namespace

std::string filedAt(const std::string& kioskTime, const std::string& now) {
  const auto kiosk = parseIsoUtc(kioskTime), server = parseIsoUtc(now);
  if (!kiosk || !server) return now;
  if (*kiosk > *server + protocol::kClockTolerance || *kiosk < *server - kOldestPlausible) return now;
  return kioskTime;
}

protocol::BatchReply ingestBatch(ServerStore& store, const protocol::KeyPair& keys,
                                 const std::vector<protocol::Envelope>& batch, const Origin& origin,
                                 const std::optional<Contact>& contact, const TicketPolicy* policy) {
  const std::string now = protocol::isoUtc(std::chrono::system_clock::now());
  const TicketPolicy& rules = policy ? *policy : defaultPolicy();
  // Where a complaint belongs: the community the resident chose, else the site's. Read once per batch.
  std::optional<std::set<std::string>> communities;
  std::optional<std::string> siteCommunity;
  protocol::BatchReply reply;
  reply.results.resize(batch.size());
  std::vector<IncomingSubmission> accepted;
  std::vector<size_t> acceptedAt;  // index in `batch` of each accepted submission
  std::map<std::pair<std::string, int>, std::optional<StoredForm>> forms;  // a batch names few forms
  TicketOwnership ownership(store, origin);
  for (size_t i = 0; i < batch.size(); ++i) {
    const protocol::Envelope& e = batch[i];
    reply.results[i].id = e.id;
    auto key = std::make_pair(e.formId, e.formVersion);
    auto found = forms.find(key);
    if (found == forms.end()) found = forms.emplace(key, store.form(e.formId, e.formVersion)).first;
    std::string answers;
    core::Json parsed;
    if (auto why = check(e, found->second, keys, origin, answers, parsed)) {
      reply.results[i].outcome = protocol::Outcome::Rejected;
      reply.results[i].reason = *why;
      continue;
    }
    // The answers are counted for the dashboard as they are stored (results.h). A stored form always loads
    // (it was checked at upload); should it not, the submission is still kept, only not counted.
    std::vector<Tally> tallies;
    auto loaded = formCache().get(*found->second);
    if (loaded) tallies = tallyAnswers(*loaded, parsed);
    // When it counts as filed (its week, a complaint's deadline): the kiosk's time unless that is implausible.
    const std::string filed = filedAt(e.createdAt, now);
    std::optional<Ticket> ticket;
    if (!e.ticketCode.empty()) {
      std::string key;
      if (auto why = ownership.refuse(e.ticketCode)) {
        reply.results[i].outcome = protocol::Outcome::Rejected;
        reply.results[i].reason = *why;
        continue;
      }
      if (auto why = openTicketKey(e, keys, key)) {
        reply.results[i].outcome = protocol::Outcome::Rejected;
        reply.results[i].reason = *why;
        continue;
      }
      if (!communities) {
        communities.emplace();
        for (const Community& c : store.communities()) communities->insert(c.id);
        auto site = store.site(origin.siteId);
        siteCommunity = site ? site->communityId : std::string();
      }
      Ticket t;
      t.code = e.ticketCode;
      t.keyHash = protocol::sha256Hex(key);
      t.submissionId = e.id;
      t.deviceId = origin.deviceId;
      t.siteId = origin.siteId;
      const std::string chosen = answerString(parsed, "community");
      t.communityId = communities->count(chosen) ? chosen : *siteCommunity;
      t.category = answerString(parsed, "category");
      if (t.category.empty() || t.category.size() > 64) t.category = "other";
      t.createdAt = filed;
      t.receivedAt = now;
      // The clock starts when the resident filed it (the receipt promised the time from then); a kiosk clock
      // ahead of the server's cannot push the deadline out.
      const Deadline d = rules.deadlineFor(t.category, loaded ? loaded->form.get() : nullptr);
      t.deadline = d.text();
      t.dueAt = dueAt(std::min(filed, now), d, rules.calendar);
      t.updatedAt = now;
      ticket = std::move(t);
    }
    accepted.push_back({e, submissionDigest(e), std::move(answers), origin.deviceId, origin.siteId, origin.via, now,
                        weekOf(filed), std::move(tallies), std::move(ticket)});
    acceptedAt.push_back(i);
  }
  std::optional<Contact> seen = contact;
  if (seen)
    for (const protocol::ItemResult& r : reply.results)
      if (r.outcome == protocol::Outcome::Rejected) seen->refusal = r.reason;
  if (accepted.empty() && !seen) return reply;
  const std::vector<protocol::Outcome> outcomes = store.ingest(accepted, seen);
  for (size_t k = 0; k < outcomes.size(); ++k) {
    protocol::ItemResult& r = reply.results[acceptedAt[k]];
    r.outcome = outcomes[k];
    if (r.outcome != protocol::Outcome::Conflict) continue;
    r.reason = "the server already holds a different submission with this id";
    const protocol::Envelope& e = batch[acceptedAt[k]];
    if (!e.ticketCode.empty())
      if (auto held = store.ticket(e.ticketCode); held && held->submissionId != e.id)
        r.reason = "the ticket code " + e.ticketCode + " belongs to another submission";
  }
  return reply;
}

}  // namespace minyi::server
