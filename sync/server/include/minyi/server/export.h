// Submissions as tables for people: one column per answer, labels in Chinese, CSV (UTF-8 with BOM) and XLSX.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/core/form.h"
#include "minyi/server/phone_mask.h"
#include "minyi/server/results.h"
#include "minyi/server/server_store.h"

namespace minyi::server {

// Spreadsheet programs run a cell that starts with = + - @ as a formula, also after leading spaces, tabs and
// line breaks, and some read the full-width ＝＋－＠ an input method types the same way: such text gets a
// leading apostrophe so it stays text (DESIGN.md §11, formula injection).
bool looksLikeFormula(std::string_view cell);
std::string neutralizeCell(std::string_view cell);

// One column of answers: a question, a matrix row, or the free text beside a choice ("其他" / comment).
struct AnswerColumn {
  enum class Kind { Value, MatrixCell, Comment };
  Kind kind = Kind::Value;
  const core::Element* element = nullptr;
  std::string key;  // the answers key (the matrix's for a cell, "<key>-Comment" for a comment)
  std::string row;  // the matrix row's value
  std::string header;
  bool phone = false;      // a telephone question (inputType tel): masked unless the reader may see it
  bool freeText = false;   // typed by the resident (text, comment, other): what the submissions list shows
  std::map<std::string, std::string> labels;  // answer value (compact JSON) → its words on the kiosk
  // The same for answers that are strings, by the string itself: an export looks up millions of answers,
  // and most are strings, so none has to be turned back into JSON text first.
  std::map<std::string, std::string, std::less<>> stringLabels;
};
std::vector<AnswerColumn> answerColumns(const core::Form& form, std::string_view locale, const ResultWords& words);
// The answer in words: choice texts for choices (several joined by 、), the yes/no labels, the text as typed.
std::string answerText(const AnswerColumn& column, const core::Json& answers, bool maskPhones);
// The same from the value under the column's key (null when the resident gave none): an export finds each
// row's values with one pass over its keys instead of one search per column.
std::string answerTextOf(const AnswerColumn& column, const core::Json* value, bool maskPhones);

// What an export looks like; exportOptions() fills the words from the staff's string table (staff_words.h).
struct ExportOptions {
  bool maskPhones = true;
  std::string locale = "zh-cn";
  ResultWords words;
  std::vector<std::string> fixedHeaders = {"id", "created (UTC+8)", "site", "device", "via", "flags"};
  std::string viaNetwork = "network", viaUsb = "usb";
  SiteScope scope;  // whose submissions: every site, or a handler's community
};
ExportOptions exportOptions();

// Streams the table (header first) of every stored submission of the form version, oldest first; returns the
// number of submissions. Cells come as they should be shown; the writers neutralise them.
int64_t exportRows(ServerStore& store, const StoredForm& form, const ExportOptions& options,
                   const std::function<void(const std::vector<std::string>& cells)>& row);

// Thrown out of an export whose reader stopped taking it (the browser went away mid-download).
struct ExportStopped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// CSV for Excel: UTF-8 with a byte order mark (so Excel reads Chinese), CRLF, RFC 4180 quoting. Handed to
// `write` in blocks of about 64 KB as the rows are read, so an export of any size is never whole in memory;
// `write` returning false ends it with ExportStopped.
int64_t exportCsv(ServerStore& store, const StoredForm& form, const ExportOptions& options,
                  const std::function<bool(std::string_view)>& write);
// The same, whole in `out` (tests, small tables).
int64_t exportCsv(ServerStore& store, const StoredForm& form, const ExportOptions& options, std::string& out);
// XLSX written with libxlsxwriter to `path`. Throws std::runtime_error with a sentence when it cannot.
int64_t exportXlsx(ServerStore& store, const StoredForm& form, const ExportOptions& options, const std::string& path);

}  // namespace minyi::server
