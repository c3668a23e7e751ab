// The satisfaction scale the township's forms answer on, in one place: which answers count as satisfied in the
// 满意率, which are left out of its base, and which way a list of them runs (the kiosk colours faces and matrix
// columns from the unhappy end to the happy one). The kiosk's views and the server's results both ask here.
#pragma once
#include <vector>

#include "minyi/core/json.h"

namespace minyi::core::satisfaction {

enum class Side {
  Satisfied,  // very_satisfied, satisfied, basically_satisfied, good, fairly_good
  Excluded,   // dontknow: 不了解 counts neither way and is left out of the base
  Other,      // every other answer (unsatisfied, average, a number, …)
};

// Which side an answer's value is on (docs/dashboard.md, "满意率").
Side sideOf(const Json& value);

// Whether a scale (choices, rating values or matrix columns, in the form's order) starts at its satisfied end:
// 满意 / 基本满意 / 不满意 runs best first, 非常不满意 … 非常满意 worst first.
bool runsBestFirst(const std::vector<Json>& scale);

}  // namespace minyi::core::satisfaction
