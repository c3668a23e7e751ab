// Results of a form from its answer counts: which answers are counted, weeks, means and satisfaction rates (docs/dashboard.md).
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/core/form.h"
#include "minyi/server/server_store.h"

namespace minyi::server {

// China Standard Time is UTC+8 all year (no daylight saving): the township's clock for weeks, days and hours.
constexpr std::chrono::minutes kChinaOffset{8 * 60};

// The week a submission counts in: the Monday (YYYY-MM-DD) of its created_at in China Standard Time
// (UTC+8, the township's clock), so a Sunday evening belongs to the week staff think it does. Empty for a
// time that is not ISO-8601.
std::string weekOf(std::string_view isoUtc);
// The Monday `weeks` weeks before the week of `isoUtc` (0: that week).
std::string weekBefore(std::string_view isoUtc, int weeks);
// Whole minutes since 1970 of an ISO-8601 UTC time; nullopt for other text.
std::optional<int64_t> epochMinutes(std::string_view isoUtc);
// "2026-11-27T08:00:00.123Z" → "2026-11-27 16:00" in China Standard Time, for people.
std::string chinaTime(std::string_view isoUtc);

// An answer value as counted and compared: compact JSON, whole numbers without a fraction ("5", not "5.0").
std::string valueText(const core::Json& v);

// A form text in the locale as results and exports show it; the kiosk fills {placeholders} with earlier
// answers, which differ from one resident to the next, so here they read "…". `fallback` when empty.
std::string formText(const core::LocString& text, std::string_view locale, const std::string& fallback);

// Words the results need that a form does not carry (the dashboard's string table gives them).
struct ResultWords {
  std::string other = "其他", none = "无", yes = "是", no = "否";
};

// One question, or one row of a matrix, whose answers are counted: its key in the tallies and its answers
// in the form's order.
struct CountedQuestion {
  enum class Kind { Single, Multiple, Rating, Boolean, MatrixRow };
  Kind kind = Kind::Single;
  std::string key;       // the answers key; "matrix.row" for a matrix row
  std::string name;      // the question's answers key (the matrix for a row)
  std::string title;     // the question's title in the locale
  std::string rowTitle;  // the matrix row's text; empty otherwise
  std::vector<std::string> values;  // the answers counted, as compact JSON text
  std::vector<std::string> labels;  // what each looks like on the kiosk, in the locale
  bool numeric = false;             // a rating of numbers: it has a mean
  double rateMin = 1, rateMax = 5;
  int indexOf(const std::string& value) const;  // -1 for an answer the form does not offer
};

// A form loaded with the engine for counting and labelling, once per content hash.
struct LoadedForm {
  std::unique_ptr<core::Form> form;
  std::string text;
  std::vector<CountedQuestion> counted;
};
// Parses forms once and keeps them by content hash (equal hash, equal text): ingest and the dashboard share
// one, so a single-submission request does not load its form again.
class FormCache {
 public:
  // Null when the text does not load with the engine (it was checked at upload, so only a damaged database).
  std::shared_ptr<const LoadedForm> get(const StoredForm& form);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const LoadedForm>> forms_;
};
FormCache& formCache();  // the process's

// What makes a result row: the counted questions of a form, with labels in `locale`.
std::vector<CountedQuestion> countedQuestions(const core::Form& form, std::string_view locale,
                                              const ResultWords& words = {});
// The tallies of one submission's answers: only answers the form offers are counted (a made-up value from a
// broken kiosk is kept in the submission but cannot grow the counts table), each at most once.
std::vector<Tally> tallyAnswers(const LoadedForm& form, const core::Json& answers);

struct ValueCount {
  std::string value;  // JSON text
  std::string label;
  int64_t count = 0;
  bool satisfied = false;  // counts towards the satisfaction rate
  bool excluded = false;   // left out of its base
};
struct QuestionResult {
  const CountedQuestion* question = nullptr;
  std::vector<ValueCount> values;  // the form's answers in order, each present even at 0
  int64_t answers = 0;             // Σ counts (for Multiple, selections, not people)
  int64_t base = 0;                // what percentages are of: answers, or submissions for Multiple
  std::optional<double> mean;      // numeric ratings
  bool hasSatisfaction = false;
  int64_t satisfied = 0, satisfactionBase = 0;
  std::optional<double> satisfactionRate() const;  // nullopt when it has none or nobody answered
};
struct FormResults {
  int64_t submissions = 0;
  std::vector<QuestionResult> questions;  // in the form's order
};
// Adds up tally rows (any mix of sites and weeks) for the counted questions.
FormResults computeResults(const std::vector<CountedQuestion>& counted, const std::vector<TallyRow>& rows);

// After an upgrade from a version without counts, or anything else that left the counts of a form version
// out of step with its submissions, counts them again from the stored answers. Run before serving.
// Returns the form versions that were counted again.
std::vector<std::string> reconcileTallies(ServerStore& store);

}  // namespace minyi::server
