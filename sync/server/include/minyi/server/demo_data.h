// Made-up but realistic answers for demonstrations and benchmarks: the shipped forms filled the way residents fill them.
#pragma once
#include <chrono>
#include <random>
#include <string>

#include "minyi/core/form.h"
#include "minyi/server/server_store.h"
#include "minyi/server/tickets.h"

namespace minyi::server {

// What one site's residents lean towards: 0 (mostly dissatisfied) to 1 (mostly satisfied).
struct DemoLean {
  double satisfied = 0.7;
  std::string community;  // the site's community id, answered to "which community" questions; empty: any
};

// Answers to every question a resident would see: choices weighted by the lean, a few free-text comments in the
// township's own words, a phone number only with consent. The same generator and seed give the same answers.
core::Json demoAnswers(const core::Form& form, std::mt19937& rng, const DemoLean& lean);

// What staff would have done by `now` with the stored demo complaints: most assigned within hours, handled,
// resolved with a public reply (about one in five after the deadline), rated by the resident (one in ten not
// satisfied, which reopens it), a few rejected with a reason, the youngest still open and some overdue. Each
// step is a real transition (applyTicketChange) with its history line, dated when it would have happened.
// Returns how many tickets it changed.
int demoHandleTickets(ServerStore& store, std::mt19937& rng, const TicketPolicy& policy,
                      std::chrono::system_clock::time_point now);

}  // namespace minyi::server
