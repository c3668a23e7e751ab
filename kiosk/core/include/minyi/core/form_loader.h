// Loading a form from SurveyJS JSON, with every problem reported by its JSON path (for `minyi form check`).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "minyi/core/form.h"

namespace minyi::core {

struct Diagnostic {
  enum class Severity { Error, Warning };
  Severity severity = Severity::Error;
  std::string path;     // JSON path, e.g. "pages[0].elements[2].visibleIf"
  std::string message;  // for staff, in English
};

struct LoadResult {
  std::unique_ptr<Form> form;  // null when the JSON could not be read at all
  std::vector<Diagnostic> diagnostics;
  bool ok() const;  // a form and no Error diagnostics
};

// Parses and checks form JSON text. fallbackId names the form when it has no "minyi.id" (e.g. the file stem).
LoadResult loadFormText(std::string_view jsonText, const std::string& fallbackId = "form");
// The same from an already parsed JSON value.
LoadResult loadForm(const Json& json, const std::string& fallbackId = "form");

}  // namespace minyi::core
