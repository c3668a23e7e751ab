// Scripted fill: walks a session through its pages answering from a SurveyJS data object.
#include "minyi/core/scripted_fill.h"

#include <set>

namespace minyi::core {

namespace {

// Answers the visible questions of the current page; answering may reveal more, so repeat until stable.
void answerPage(Session& s, const Json& answers, std::set<std::string>& used, const FillObserver& observer) {
  for (int round = 0; round < 20; ++round) {
    bool changed = false;
    for (const Element* e : s.visibleElements()) {
      if (!e->isQuestion() || e->type == ElementType::Expression || !s.isEnabled(*e)) continue;
      const std::string key = e->valueKey();
      auto it = answers.find(key);
      bool touched = false;  // this question got its answer or comment in this round
      if (it != answers.end() && !used.count(key)) {
        used.insert(key);
        if (e->type == ElementType::PanelDynamic && it->is_array()) {
          while (s.panelCount(*e) < static_cast<int>(it->size()) && s.addPanel(*e)) {
          }
          for (size_t i = 0; i < it->size(); ++i) {
            const Json& panel = (*it)[i];
            if (!panel.is_object()) continue;
            const int index = static_cast<int>(i);
            for (const auto& t : e->elements) {
              if (auto v = panel.find(t->valueKey()); v != panel.end()) s.setValue(QuestionRef{t.get(), e, index}, *v);
              if (auto c = panel.find(t->commentKey()); c != panel.end() && c->is_string())
                s.setComment(QuestionRef{t.get(), e, index}, c->get<std::string>());
            }
          }
        } else {
          s.setValue(*e, *it);
        }
        touched = true;
      }
      auto c = answers.find(e->commentKey());
      if (c != answers.end() && !used.count(e->commentKey())) {
        used.insert(e->commentKey());
        s.setComment(QuestionRef{e}, c->is_string() ? c->get<std::string>() : c->dump());
        touched = true;
      }
      if (touched && observer) observer(s, e);
      changed |= touched;
    }
    if (!changed) break;
  }
}

}  // namespace

ScriptedFill fillFromAnswers(Session& s, const Json& answers, const FillObserver& observer) {
  ScriptedFill out;
  for (auto it = answers.begin(); it != answers.end(); ++it) {
    std::string key = it.key();
    const std::string suffix = "-Comment";
    if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
      key.resize(key.size() - suffix.size());
    if (!s.form().findQuestion(key)) out.unknownKeys.push_back(it.key());
  }
  if (!out.unknownKeys.empty()) return out;
  std::set<std::string> used;
  // Each step either moves forward or ends; the bound only guards against a form that loops via skip.
  for (size_t steps = 0; steps <= 4 * s.form().pages.size() + 4; ++steps) {
    if (observer) observer(s, nullptr);
    answerPage(s, answers, used, observer);
    NavResult r = s.isLastPage() ? s.complete() : s.next();
    if (r == NavResult::NoMove && !s.isLastPage()) r = s.complete();
    if (r == NavResult::Completed || r == NavResult::Invalid || r == NavResult::NoMove) {
      out.outcome = r;
      break;
    }
  }
  for (auto it = answers.begin(); it != answers.end(); ++it)
    if (!used.count(it.key())) out.unusedKeys.push_back(it.key());
  return out;
}

}  // namespace minyi::core
