// The one JSON value type of the form engine: forms, answers and expression values are all nlohmann JSON.
#pragma once
#include <nlohmann/json.hpp>

namespace minyi::core {
// Ordered, so that results and diagnostics keep the order the form and the resident gave.
using Json = nlohmann::ordered_json;
}  // namespace minyi::core
