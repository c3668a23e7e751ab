// Made-up but realistic answers for demonstrations and benchmarks: the shipped forms filled the way residents fill them.
#pragma once
#include <random>
#include <string>

#include "minyi/core/form.h"

namespace minyi::server {

// What one site's residents lean towards: 0 (mostly dissatisfied) to 1 (mostly satisfied).
struct DemoLean {
  double satisfied = 0.7;
  std::string community;  // the site's community id, answered to "which community" questions; empty: any
};

// Answers to every question a resident would see: choices weighted by the lean, a few free-text comments in the
// township's own words, a phone number only with consent. The same generator and seed give the same answers.
core::Json demoAnswers(const core::Form& form, std::mt19937& rng, const DemoLean& lean);

}  // namespace minyi::server
