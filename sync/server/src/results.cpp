// Counting answers at ingest and adding the counts up for the dashboard: weeks in China time, means, satisfaction.
#include "minyi/server/results.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <tuple>

#include "minyi/core/civil_date.h"
#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"
#include "minyi/core/satisfaction.h"

namespace minyi::server {

using core::civilFromDays;
using core::daysFromCivil;
using core::ElementType;
using core::Json;

namespace {

// Minutes since the epoch in China Standard Time, or nullopt for text that is not "YYYY-MM-DDTHH:MM...".
std::optional<int64_t> chinaMinutes(std::string_view iso) {
  if (iso.size() < 16 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' || iso[13] != ':') return std::nullopt;
  auto num = [&](size_t at, size_t len) -> int64_t {
    int64_t v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return -1;
      v = v * 10 + (iso[i] - '0');
    }
    return v;
  };
  const int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59) return std::nullopt;
  return daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 1440 + h * 60 + mi + kChinaOffset.count();
}

}  // namespace

std::string valueText(const Json& v) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return Json(static_cast<int64_t>(d)).dump();
  }
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {

std::string textOf(const core::LocString& s, std::string_view locale, const std::string& fallback) {
  return formText(s, locale, fallback);
}

void addChoices(CountedQuestion& q, const std::vector<core::Choice>& choices, std::string_view locale) {
  for (const core::Choice& c : choices) {
    q.values.push_back(valueText(c.value));
    q.labels.push_back(textOf(c.text, locale, c.value.is_string() ? c.value.get<std::string>() : valueText(c.value)));
  }
}

}  // namespace

std::string formText(const core::LocString& s, std::string_view locale, const std::string& fallback) {
  std::string t = s.get(locale);
  if (t.empty()) return fallback;
  for (size_t open = t.find('{'); open != std::string::npos; open = t.find('{', open)) {
    const size_t close = t.find('}', open);
    if (close == std::string::npos) break;
    t.replace(open, close - open + 1, "…");
  }
  return t;
}

std::string weekOf(std::string_view isoUtc) { return weekBefore(isoUtc, 0); }

std::optional<int64_t> epochMinutes(std::string_view isoUtc) {
  auto m = chinaMinutes(isoUtc);
  if (!m) return std::nullopt;
  return *m - kChinaOffset.count();
}

std::string weekBefore(std::string_view isoUtc, int weeks) {
  auto minutes = chinaMinutes(isoUtc);
  if (!minutes) return {};
  int64_t days = *minutes / 1440;
  // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
  const int64_t weekday = ((days + 3) % 7 + 7) % 7;
  days -= weekday + int64_t{7} * weeks;
  return civilFromDays(days);
}

std::string chinaTime(std::string_view isoUtc) {
  auto minutes = chinaMinutes(isoUtc);
  if (!minutes) return std::string(isoUtc);
  char buf[32];
  std::snprintf(buf, sizeof buf, " %02d:%02d", static_cast<int>(*minutes % 1440 / 60), static_cast<int>(*minutes % 60));
  return civilFromDays(*minutes / 1440) + buf;
}

int CountedQuestion::indexOf(const std::string& value) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] == value) return static_cast<int>(i);
  return -1;
}

std::vector<CountedQuestion> countedQuestions(const core::Form& form, std::string_view locale, const ResultWords& words) {
  std::vector<CountedQuestion> out;
  for (const core::Element* e : form.allElements()) {
    if (!e->isQuestion() || e->isNestedValue()) continue;
    CountedQuestion q;
    q.name = e->valueKey();
    q.key = q.name;
    q.title = textOf(e->title, locale, e->name);
    switch (e->type) {
      case ElementType::Radiogroup:
      case ElementType::Dropdown:
      case ElementType::Checkbox:
      case ElementType::Tagbox:
      case ElementType::ImagePicker: {
        const bool multiple = e->type == ElementType::Checkbox || e->type == ElementType::Tagbox ||
                              (e->type == ElementType::ImagePicker && e->multiSelect);
        q.kind = multiple ? CountedQuestion::Kind::Multiple : CountedQuestion::Kind::Single;
        addChoices(q, e->choices, locale);
        if (e->type == ElementType::Dropdown && e->choices.empty() && e->choicesMin && e->choicesMax && e->choicesStep &&
            *e->choicesStep > 0) {
          for (double v = *e->choicesMin; v <= *e->choicesMax + 1e-9 && q.values.size() < 1000; v += *e->choicesStep) {
            q.values.push_back(valueText(Json(v)));
            q.labels.push_back(q.values.back());
          }
        }
        if (e->showOtherItem) {
          q.values.push_back("\"other\"");
          q.labels.push_back(textOf(e->otherText, locale, words.other));
        }
        if (e->showNoneItem) {
          q.values.push_back("\"none\"");
          q.labels.push_back(textOf(e->noneText, locale, words.none));
        }
        break;
      }
      case ElementType::Rating:
        q.kind = CountedQuestion::Kind::Rating;
        if (!e->rateValues.empty()) {
          addChoices(q, e->rateValues, locale);
        } else if (e->rateStep > 0) {
          q.numeric = true;
          q.rateMin = e->rateMin;
          q.rateMax = e->rateMax;
          for (double v = e->rateMin; v <= e->rateMax + 1e-9 && q.values.size() < 100; v += e->rateStep) {
            q.values.push_back(valueText(Json(std::round(v * 1e6) / 1e6)));
            q.labels.push_back(q.values.back());
          }
        }
        break;
      case ElementType::Boolean:
        q.kind = CountedQuestion::Kind::Boolean;
        q.values = {valueText(e->valueTrue.is_null() ? Json(true) : e->valueTrue),
                    valueText(e->valueFalse.is_null() ? Json(false) : e->valueFalse)};
        q.labels = {textOf(e->labelTrue, locale, words.yes), textOf(e->labelFalse, locale, words.no)};
        break;
      case ElementType::Matrix:
        for (const core::Choice& row : e->rows_) {
          CountedQuestion r;
          r.kind = CountedQuestion::Kind::MatrixRow;
          r.name = q.name;
          r.title = q.title;
          const std::string rowValue = row.value.is_string() ? row.value.get<std::string>() : valueText(row.value);
          r.key = q.name + "." + rowValue;
          r.rowTitle = textOf(row.text, locale, rowValue);
          addChoices(r, e->columns_, locale);
          out.push_back(std::move(r));
        }
        continue;
      case ElementType::Panel:
      case ElementType::Text:
      case ElementType::Comment:
      case ElementType::MatrixDropdown:
      case ElementType::Ranking:
      case ElementType::Html:
      case ElementType::Expression:
      case ElementType::MultipleText:
      case ElementType::PanelDynamic:
        continue;  // text, comments and composite questions are read in the submissions list, not counted
    }
    if (!q.values.empty()) out.push_back(std::move(q));
  }
  return out;
}

std::shared_ptr<const LoadedForm> FormCache::get(const StoredForm& stored) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = forms_.find(stored.hash);
    if (it != forms_.end()) return it->second;
  }
  // Loaded outside the lock: two threads may both load a new form once, and both results are equal.
  auto result = core::loadFormText(stored.json, stored.id);
  if (!result.ok()) return nullptr;
  auto loaded = std::make_shared<LoadedForm>();
  loaded->form = std::move(result.form);
  loaded->text = stored.json;
  // Keys and values do not depend on the locale; labels of this copy are zh-CN, the dashboard's language.
  loaded->counted = countedQuestions(*loaded->form, "zh-cn");
  std::lock_guard<std::mutex> lock(mutex_);
  return forms_.emplace(stored.hash, std::move(loaded)).first->second;
}

FormCache& formCache() {
  static FormCache cache;
  return cache;
}

std::vector<Tally> tallyAnswers(const LoadedForm& form, const Json& answers) {
  std::vector<Tally> out;
  if (!answers.is_object()) return out;
  for (const CountedQuestion& q : form.counted) {
    auto it = answers.find(q.name);
    if (it == answers.end()) continue;
    const Json* v = &*it;
    if (q.kind == CountedQuestion::Kind::MatrixRow) {
      if (!v->is_object()) continue;
      auto cell = v->find(q.key.substr(q.name.size() + 1));
      if (cell == v->end()) continue;
      v = &*cell;
    }
    if (q.kind == CountedQuestion::Kind::Multiple) {
      if (!v->is_array()) continue;
      std::set<std::string> seen;  // a value listed twice is one answer
      for (const Json& item : *v) {
        std::string text = valueText(item);
        if (q.indexOf(text) >= 0 && seen.insert(text).second) out.push_back({q.key, std::move(text)});
      }
      continue;
    }
    std::string text = valueText(*v);
    if (q.indexOf(text) >= 0) out.push_back({q.key, std::move(text)});
  }
  return out;
}

std::optional<double> QuestionResult::satisfactionRate() const {
  if (!hasSatisfaction || satisfactionBase <= 0) return std::nullopt;
  return static_cast<double>(satisfied) / static_cast<double>(satisfactionBase);
}

FormResults computeResults(const std::vector<CountedQuestion>& counted, const std::vector<TallyRow>& rows) {
  FormResults out;
  std::map<std::string, size_t> byKey;
  out.questions.reserve(counted.size());
  for (const CountedQuestion& q : counted) {
    QuestionResult r;
    r.question = &q;
    for (size_t i = 0; i < q.values.size(); ++i) {
      ValueCount v{q.values[i], q.labels[i], 0, false, false};
      if (q.numeric) {
        v.satisfied = std::stod(q.values[i]) > (q.rateMin + q.rateMax) / 2;
      } else if (q.kind != CountedQuestion::Kind::Boolean) {
        const auto side = core::satisfaction::sideOf(core::Json::parse(v.value, nullptr, false));
        v.satisfied = side == core::satisfaction::Side::Satisfied;
        v.excluded = side == core::satisfaction::Side::Excluded;
      }
      r.values.push_back(std::move(v));
    }
    // A rate needs something to be satisfied with and something not to be.
    const bool any = std::any_of(r.values.begin(), r.values.end(), [](const ValueCount& v) { return v.satisfied; });
    const bool other = std::any_of(r.values.begin(), r.values.end(),
                                   [](const ValueCount& v) { return !v.satisfied && !v.excluded; });
    r.hasSatisfaction = q.kind != CountedQuestion::Kind::Multiple && q.kind != CountedQuestion::Kind::Boolean && any && other;
    byKey[q.key] = out.questions.size();
    out.questions.push_back(std::move(r));
  }
  for (const TallyRow& row : rows) {
    if (row.question == kSubmissionTally) {
      out.submissions += row.count;
      continue;
    }
    auto it = byKey.find(row.question);
    if (it == byKey.end()) continue;
    QuestionResult& r = out.questions[it->second];
    const int i = r.question->indexOf(row.value);
    if (i >= 0) r.values[static_cast<size_t>(i)].count += row.count;
  }
  for (QuestionResult& r : out.questions) {
    double sum = 0;
    for (const ValueCount& v : r.values) {
      r.answers += v.count;
      if (r.question->numeric) sum += std::stod(v.value) * static_cast<double>(v.count);
      if (v.satisfied) r.satisfied += v.count;
      if (!v.excluded) r.satisfactionBase += v.count;
    }
    r.base = r.question->kind == CountedQuestion::Kind::Multiple ? out.submissions : r.answers;
    if (r.question->numeric && r.answers > 0) r.mean = sum / static_cast<double>(r.answers);
  }
  return out;
}

std::vector<std::string> reconcileTallies(ServerStore& store) {
  std::vector<std::string> recounted;
  std::map<std::pair<std::string, int>, int64_t> tallied;
  TallyQuery all;
  all.submissionsOnly = true;
  for (const TallyRow& r : store.tallies(all)) tallied[{r.formId, r.formVersion}] += r.count;
  for (const auto& [form, count] : store.submissionCountsByForm()) {
    if (tallied[form] == count) continue;
    auto stored = store.form(form.first, form.second);
    if (!stored) continue;
    auto loaded = formCache().get(*stored);
    std::map<std::tuple<std::string, std::string, std::string, std::string>, int64_t> counts;
    store.forEachSubmission(form.first, form.second, SiteScope::everySite(), [&](const SubmissionRow& s) {
      const std::string week = weekOf(s.createdAt);
      ++counts[{kSubmissionTally, "", s.siteId, week}];
      if (!loaded) return;
      std::string why;
      auto answers = core::parseJsonText(s.answersJson, &why);
      if (!answers) return;
      for (const Tally& t : tallyAnswers(*loaded, *answers)) ++counts[{t.question, t.value, s.siteId, week}];
    });
    std::vector<TallyRow> rows;
    rows.reserve(counts.size());
    for (const auto& [k, n] : counts)
      rows.push_back({form.first, form.second, std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), n});
    store.replaceTallies(form.first, form.second, rows);
    recounted.push_back(form.first + " version " + std::to_string(form.second));
  }
  return recounted;
}

}  // namespace minyi::server
