// The satisfaction scale's words: the values the shipped forms and the seed reports use for each side.
#include "minyi/core/satisfaction.h"

#include <array>
#include <string_view>

namespace minyi::core::satisfaction {

Side sideOf(const Json& value) {
  if (!value.is_string()) return Side::Other;
  const std::string& v = value.get_ref<const std::string&>();
  static constexpr std::array<std::string_view, 5> kSatisfied = {"very_satisfied", "satisfied", "basically_satisfied",
                                                                  "good", "fairly_good"};
  for (std::string_view s : kSatisfied)
    if (v == s) return Side::Satisfied;
  return v == "dontknow" ? Side::Excluded : Side::Other;
}

bool runsBestFirst(const std::vector<Json>& scale) {
  return !scale.empty() && sideOf(scale.front()) == Side::Satisfied;
}

}  // namespace minyi::core::satisfaction
