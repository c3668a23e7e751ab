// libFuzzer target: the form loader and a session over whatever it accepts must never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "minyi/core/form_loader.h"
#include "minyi/core/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace minyi::core;
  const std::string text(reinterpret_cast<const char*>(data), size);
  LoadResult r = loadFormText(text);
  if (!r.ok()) return 0;
  static const StringTable strings;  // empty: messages fall back to their keys
  Session s(*r.form, strings, "zh-cn");
  // Answer every visible question with a few shapes of value, then try to finish.
  const Json samples[] = {Json("other"), Json(3), Json::array({"a", 1}), Json(true), Json::object({{"r", "c"}})};
  for (int step = 0; step < 8 && !s.isCompleted(); ++step) {
    int k = step;
    for (const Element* e : s.visibleElements()) {
      if (!e->isQuestion()) continue;
      s.setValue(*e, samples[k++ % 5]);
      (void)s.choices(*e);
      (void)s.title(*e);
      if (e->type == ElementType::PanelDynamic) s.addPanel(*e);
    }
    (void)s.progress();
    if (s.next() != NavResult::Moved) s.complete();
  }
  (void)s.results();
  (void)s.completedHtml();
  return 0;
}
