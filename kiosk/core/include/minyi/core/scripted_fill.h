// Filling a session from a SurveyJS answers object page by page, as a resident would (CLI `form fill`, tests).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "minyi/core/session.h"

namespace minyi::core {

struct ScriptedFill {
  NavResult outcome = NavResult::NoMove;  // Completed, or Invalid (the session stays on the failing page)
  std::vector<std::string> unknownKeys;   // answer keys that name no question of the form (nothing is filled)
  std::vector<std::string> unusedKeys;    // answers whose question was never shown
};

// Told of each step: a page reached (question null), then each question answered on it.
using FillObserver = std::function<void(const Session&, const Element* question)>;

// Answers each visible question of each page in turn, then goes on with next()/complete().
ScriptedFill fillFromAnswers(Session& session, const Json& answers, const FillObserver& observer = {});

}  // namespace minyi::core
