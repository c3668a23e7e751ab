// Exports of submissions: answer columns with Chinese labels, formula neutralising, CSV with BOM, XLSX (libxlsxwriter).
#include "minyi/server/export.h"
#include "minyi/server/staff_words.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "minyi/core/form_loader.h"
#include "minyi/core/json_input.h"

namespace minyi::server {

using core::ElementType;
using core::Json;

bool looksLikeFormula(std::string_view cell) {
  if (cell.empty()) return false;
  const char c = cell[0];
  if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' || c == '\n') return true;
  size_t i = 0;
  for (;;) {  // spaces first (ASCII or full-width), then what they hide
    if (i < cell.size() && cell[i] == ' ') ++i;
    else if (cell.substr(i, 3) == "\xE3\x80\x80") i += 3;
    else break;
  }
  if (i > 0 && i < cell.size() && std::string_view("=+-@\t\r\n").find(cell[i]) != std::string_view::npos) return true;
  for (std::string_view wide : {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"})  // ＝＋－＠
    if (cell.substr(i, 3) == wide) return true;
  return false;
}

std::string neutralizeCell(std::string_view cell) {
  if (!looksLikeFormula(cell)) return std::string(cell);
  return "'" + std::string(cell);
}

namespace {

std::string textOf(const core::LocString& s, std::string_view locale, const std::string& fallback) {
  return formText(s, locale, fallback);
}

void addLabels(std::map<std::string, std::string>& labels, const std::vector<core::Choice>& choices,
               std::string_view locale) {
  for (const core::Choice& c : choices) {
    const std::string v = valueText(c.value);
    labels[v] = textOf(c.text, locale, c.value.is_string() ? c.value.get<std::string>() : v);
  }
}

std::string plain(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return valueText(v);
}

}  // namespace

std::vector<AnswerColumn> answerColumns(const core::Form& form, std::string_view locale, const ResultWords& words) {
  std::vector<AnswerColumn> out;
  for (const core::Element* e : form.allElements()) {
    if (!e->hasValue() || e->isNestedValue()) continue;
    const std::string title = textOf(e->title, locale, e->name);
    AnswerColumn c;
    c.element = e;
    c.key = e->valueKey();
    c.header = title;
    switch (e->type) {
      case ElementType::Text:
      case ElementType::Comment:
        c.freeText = true;
        c.phone = e->inputType == "tel";
        break;
      case ElementType::Radiogroup:
      case ElementType::Dropdown:
      case ElementType::Checkbox:
      case ElementType::Tagbox:
      case ElementType::ImagePicker:
        addLabels(c.labels, e->choices, locale);
        if (e->showOtherItem) c.labels["\"other\""] = textOf(e->otherText, locale, words.other);
        if (e->showNoneItem) c.labels["\"none\""] = textOf(e->noneText, locale, words.none);
        break;
      case ElementType::Rating: addLabels(c.labels, e->rateValues, locale); break;
      case ElementType::Boolean:
        c.labels[valueText(e->valueTrue.is_null() ? Json(true) : e->valueTrue)] = textOf(e->labelTrue, locale, words.yes);
        c.labels[valueText(e->valueFalse.is_null() ? Json(false) : e->valueFalse)] = textOf(e->labelFalse, locale, words.no);
        break;
      case ElementType::Matrix:
        for (const core::Choice& row : e->rows_) {
          AnswerColumn cell;
          cell.kind = AnswerColumn::Kind::MatrixCell;
          cell.element = e;
          cell.key = c.key;
          cell.row = row.value.is_string() ? row.value.get<std::string>() : valueText(row.value);
          cell.header = title + "：" + textOf(row.text, locale, cell.row);
          addLabels(cell.labels, e->columns_, locale);
          for (const core::Choice& col : e->columns_)
            if (col.value.is_string()) cell.stringLabels[col.value.get<std::string>()] = cell.labels[valueText(col.value)];
          out.push_back(std::move(cell));
        }
        continue;
      case ElementType::Panel:
      case ElementType::MatrixDropdown:
      case ElementType::Ranking:
      case ElementType::Html:
      case ElementType::Expression:
      case ElementType::MultipleText:
      case ElementType::PanelDynamic: break;  // expressions and composite questions: their value as compact JSON
    }
    for (const auto& [value, label] : c.labels)
      if (value.size() >= 2 && value.front() == '"') {
        std::string why;
        if (auto s = core::parseJsonText(value, &why); s && s->is_string()) c.stringLabels[s->get<std::string>()] = label;
      }
    out.push_back(c);
    // The words typed beside a choice ("其他（请注明）") or in a comment area come right after the answer.
    if (e->showOtherItem || e->showCommentArea) {
      AnswerColumn comment;
      comment.kind = AnswerColumn::Kind::Comment;
      comment.element = e;
      comment.key = e->commentKey();
      comment.header = title + "（" + textOf(e->showCommentArea ? e->commentText : e->otherText, locale, words.other) + "）";
      comment.freeText = true;
      out.push_back(std::move(comment));
    }
  }
  return out;
}

namespace {
// A cell as a reader who may not see phone numbers gets it: the phone answer masked, and any number inside
// what the resident typed (a complaint, an 其他 text).
std::string shownTo(const AnswerColumn& column, std::string text, bool maskPhones) {
  if (!maskPhones) return text;
  if (column.phone) return maskPhone(text);
  if (column.freeText) return maskPhoneNumbers(text);
  return text;
}
}  // namespace

std::string answerText(const AnswerColumn& column, const Json& answers, bool maskPhones) {
  if (!answers.is_object()) return {};
  auto it = answers.find(column.key);
  return answerTextOf(column, it == answers.end() ? nullptr : &*it, maskPhones);
}

std::string answerTextOf(const AnswerColumn& column, const Json* v, bool maskPhones) {
  if (!v) return {};
  if (column.kind == AnswerColumn::Kind::MatrixCell) {
    if (!v->is_object()) return {};
    auto cell = v->find(column.row);
    if (cell == v->end()) return {};
    v = &*cell;
  }
  auto label = [&](const Json& x) -> std::string {
    if (x.is_string()) {
      auto found = column.stringLabels.find(x.get_ref<const std::string&>());
      return found != column.stringLabels.end() ? found->second : x.get<std::string>();
    }
    if (!column.labels.empty()) {
      auto found = column.labels.find(valueText(x));
      if (found != column.labels.end()) return found->second;
    }
    return plain(x);
  };
  std::string text;
  if (v->is_array() && !column.labels.empty()) {
    for (const Json& item : *v) {
      if (!text.empty()) text += "、";
      text += label(item);
    }
  } else {
    text = label(*v);
  }
  return shownTo(column, std::move(text), maskPhones);
}

namespace {

// Fills the answer cells of one row straight from the answers text, without building a JSON tree: an export
// reads every stored submission, and the tree's allocations cost more than the parse. Plain answers (a value,
// a list of values, a grid's rows of values) are handled here; anything else makes the reader give up, and
// that row is read through a JSON tree instead.
class RowReader final : public core::Json::json_sax_t {
 public:
  RowReader(const std::vector<AnswerColumn>& columns,
            const std::unordered_map<std::string, std::vector<size_t>>& columnsOf, bool maskPhones)
      : columns_(columns), columnsOf_(columnsOf), mask_(maskPhones) {}

  // Reads `text` into cells[first..]; false when the row needs the JSON tree.
  bool read(const std::string& text, std::vector<std::string>& cells, size_t first) {
    cells_ = &cells;
    first_ = first;
    depth_ = 0;
    cols_ = nullptr;
    inArray_ = false;
    failed_ = false;
    const bool ok = core::Json::sax_parse(text, this, nlohmann::detail::input_format_t::json, false);
    return ok && !failed_;
  }

  bool null() override { return scalar("null", nullptr); }
  bool boolean(bool v) override { return scalar(v ? "true" : "false", nullptr); }
  bool number_integer(number_integer_t v) override { return scalar(std::to_string(v), nullptr); }
  bool number_unsigned(number_unsigned_t v) override { return scalar(std::to_string(v), nullptr); }
  bool number_float(number_float_t v, const string_t&) override { return scalar(valueText(Json(v)), nullptr); }
  bool string(string_t& v) override { return scalar({}, &v); }
  bool binary(binary_t&) override { return giveUp(); }
  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 1) return true;
    // A grid's rows: only under a key that feeds matrix cells.
    if (depth_ == 2 && cols_ && !inArray_ && !cols_->empty() &&
        columns_[cols_->front()].kind == AnswerColumn::Kind::MatrixCell)
      return true;
    return giveUp();
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      auto found = columnsOf_.find(k);
      cols_ = found == columnsOf_.end() ? nullptr : &found->second;
    } else {
      row_ = k;
    }
    return true;
  }
  bool end_object() override {
    if (--depth_ == 1) cols_ = nullptr;
    return true;
  }
  bool start_array(std::size_t) override {
    // A list of choices under a key whose columns have labels; anything else goes to the tree.
    if (depth_ != 1 || inArray_) return giveUp();
    if (cols_)
      for (size_t i : *cols_)
        if (columns_[i].kind != AnswerColumn::Kind::Value || columns_[i].labels.empty()) return giveUp();
    inArray_ = true;
    return true;
  }
  bool end_array() override {
    inArray_ = false;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool giveUp() {
    failed_ = true;
    return false;
  }

  // One scalar: `text` is its JSON text, or `str` the string itself.
  bool scalar(const std::string& text, const std::string* str) {
    if (!cols_) return true;  // an answer no column shows (a calculated value, say)
    for (size_t i : *cols_) {
      const AnswerColumn& c = columns_[i];
      if (depth_ == 2 && (c.kind != AnswerColumn::Kind::MatrixCell || c.row != row_)) continue;
      if (depth_ == 1 && c.kind == AnswerColumn::Kind::MatrixCell) continue;
      std::string label;
      if (str) {
        auto found = c.stringLabels.find(*str);
        label = found != c.stringLabels.end() ? found->second : *str;
      } else {
        auto found = c.labels.find(text);
        label = found != c.labels.end() ? found->second : text == "null" ? std::string() : text;
      }
      std::string& cell = (*cells_)[first_ + i];
      if (inArray_) {
        if (!cell.empty()) cell += "、";
        cell += label;
      } else {
        cell = shownTo(c, std::move(label), mask_);
      }
    }
    return true;
  }

  const std::vector<AnswerColumn>& columns_;
  const std::unordered_map<std::string, std::vector<size_t>>& columnsOf_;
  bool mask_;
  std::vector<std::string>* cells_ = nullptr;
  size_t first_ = 0;
  int depth_ = 0;
  const std::vector<size_t>* cols_ = nullptr;
  std::string row_;
  bool inArray_ = false, failed_ = false;
};

}  // namespace

int64_t exportRows(ServerStore& store, const StoredForm& form, const ExportOptions& options,
                   const std::function<void(const std::vector<std::string>& cells)>& row) {
  auto loaded = core::loadFormText(form.json, form.id);
  if (!loaded.form) throw std::runtime_error("form " + form.id + " on the server does not load with the engine");
  const std::vector<AnswerColumn> columns = answerColumns(*loaded.form, options.locale, options.words);
  std::map<std::string, std::string> siteNames;
  for (const Site& s : store.sites()) siteNames[s.id] = s.name;

  // Which columns read each answers key (a matrix feeds one column per row).
  std::unordered_map<std::string, std::vector<size_t>> columnsOf;
  for (size_t i = 0; i < columns.size(); ++i) columnsOf[columns[i].key].push_back(i);
  std::vector<const Json*> values(columns.size(), nullptr);
  RowReader reader(columns, columnsOf, options.maskPhones);
  std::vector<std::string> cells = options.fixedHeaders;
  for (const AnswerColumn& c : columns) cells.push_back(c.header);
  row(cells);
  int64_t n = 0;
  store.forEachSubmission(form.id, form.version, options.scope, [&](const SubmissionRow& s) {
    cells.clear();
    cells.push_back(s.id);
    cells.push_back(chinaTime(s.createdAt));
    auto site = siteNames.find(s.siteId);
    cells.push_back(site == siteNames.end() ? s.siteId : site->second);
    cells.push_back(s.deviceId);
    cells.push_back(s.via == "usb" ? options.viaUsb : options.viaNetwork);
    std::string flags;
    for (const std::string& f : s.flags) flags += (flags.empty() ? "" : " ") + f;
    cells.push_back(flags);
    const size_t first = cells.size();
    cells.resize(first + columns.size());
    if (reader.read(s.answersJson, cells, first)) {
      row(cells);
      ++n;
      return;
    }
    // Checked when they arrived (a JSON object of at most 1 MB, 32 levels deep): parsed here without the
    // checks again, which would cost more than the parse.
    const Json answers = Json::parse(s.answersJson, nullptr, false);
    std::fill(values.begin(), values.end(), nullptr);
    if (answers.is_object()) {
      for (auto it = answers.begin(); it != answers.end(); ++it) {
        auto found = columnsOf.find(it.key());
        if (found != columnsOf.end())
          for (size_t i : found->second) values[i] = &it.value();
      }
    }
    for (size_t i = 0; i < columns.size(); ++i) cells[first + i] = answerTextOf(columns[i], values[i], options.maskPhones);
    row(cells);
    ++n;
  });
  return n;
}

namespace {

// One CSV line: RFC 4180 quoting, formula-looking cells neutralised, CRLF.
void appendCsvLine(std::string& out, const std::vector<std::string>& cells) {
  bool first = true;
  for (const std::string& cell : cells) {
    if (!first) out += ',';
    first = false;
    const char* mark = looksLikeFormula(cell) ? "'" : "";  // neutralizeCell, without copying the cell
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
      out += mark;
      out += cell;
      continue;
    }
    out += '"';
    out += mark;
    for (char ch : cell) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }
  out += "\r\n";
}

}  // namespace

int64_t exportCsv(ServerStore& store, const StoredForm& form, const ExportOptions& options,
                  const std::function<bool(std::string_view)>& write) {
  constexpr size_t kBlock = 64 * 1024;
  std::string block = "\xEF\xBB\xBF";
  block.reserve(kBlock + 4096);
  const int64_t n = exportRows(store, form, options, [&](const std::vector<std::string>& cells) {
    appendCsvLine(block, cells);
    if (block.size() < kBlock) return;
    if (!write(block)) throw ExportStopped("the reader stopped taking the export");
    block.clear();
  });
  if (!block.empty() && !write(block)) throw ExportStopped("the reader stopped taking the export");
  return n;
}

int64_t exportCsv(ServerStore& store, const StoredForm& form, const ExportOptions& options, std::string& out) {
  return exportCsv(store, form, options, [&out](std::string_view block) {
    out.append(block);
    return true;
  });
}

int64_t exportXlsx(ServerStore& store, const StoredForm& form, const ExportOptions& options, const std::string& path) {
  // constant_memory: rows go to the file as they are written, so 50,000 submissions need little memory.
  lxw_workbook_options wbOptions{};
  wbOptions.constant_memory = LXW_TRUE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &wbOptions);
  if (!wb) throw std::runtime_error("the spreadsheet " + path + " cannot be created");
  lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  lxw_row_t r = 0;
  int64_t n = 0;
  try {
    n = exportRows(store, form, options, [&](const std::vector<std::string>& cells) {
      for (size_t c = 0; c < cells.size(); ++c) {
        const std::string& cell = cells[c];
        if (cell.empty()) continue;
        // Written as strings, never as formulas; the apostrophe, as in the CSV, keeps the text from becoming
        // one when someone edits the cell in Excel (libxlsxwriter 1.1 has no quote-prefix format).
        worksheet_write_string(ws, r, static_cast<lxw_col_t>(c), neutralizeCell(cell).c_str(), r == 0 ? header : nullptr);
      }
      ++r;
    });
  } catch (...) {
    workbook_close(wb);
    throw;
  }
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR)
    throw std::runtime_error("the spreadsheet " + path + " could not be written: " + lxw_strerror(err));
  return n;
}

ExportOptions exportOptions() {
  const Strings& s = strings();
  ExportOptions o;
  o.words.other = s.get("answer.other");
  o.words.none = s.get("answer.none");
  o.words.yes = s.get("answer.yes");
  o.words.no = s.get("answer.no");
  o.fixedHeaders.clear();
  for (const char* key : {"export.id", "export.created", "export.site", "export.device", "export.via", "export.flags"})
    o.fixedHeaders.push_back(s.get(key));
  o.viaNetwork = s.get("export.network");
  o.viaUsb = s.get("export.usb");
  return o;
}

}  // namespace minyi::server
