// The kiosk's screens, each a header, a scrolling body and a bar that never scrolls away, laid out from the
// panel's real size: attract (landscape and the stacked portrait 立式 layout), form list, form pages,
// review, thank-you and receipt, 查询进度, the staff screens, 暂停服务 and the dialogs over them.
//
// Index (in file order, one section each):
//   attract                  noticesCard, quickFaces, entryColumn, attractScreen (landscape and portrait)
//   forms                    formListScreen, formBar, formPageScreen, reviewScreen
//   thank-you and receipt    qrCode, receiptScreen (core::Receipt), thankYouScreen
//   查询进度                  lookupScreen (with 回访)
//   staff                    adminPinScreen, adminScreen, adminEnrollScreen, outOfServiceScreen
//   (after the sections)     drawKiosk: the frame, the screen of the view model, 还在吗？ and 离开 dialogs
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "draw.h"
#include "minyi/ui/qr.h"

namespace minyi::ui {

using core::Element;
using core::ElementType;
using core::QuestionRef;

namespace {

// ---------------------------------------------------------------- attract

// The left (landscape) or lower (portrait) card: the notices carousel (整改情况公示, policy notices), or the
// welcome when the server has sent none. A tap on the card shows the next notice; long text scrolls.
void noticesCard(Frame& f, ImVec2 cardMin, ImVec2 cardMax) {
  const float inset = std::max(12.0f, f.type.gap * 1.2f);
  const float innerW = cardMax.x - cardMin.x - 2 * inset;
  const ImVec2 inner(cardMin.x + inset, cardMin.y + inset);
  const float innerH = cardMax.y - cardMin.y - 2 * inset;
  // A card with no room for three lines is left out rather than shown empty (a small panel in 长辈模式).
  if (innerH < f.fonts.body->FontSize * 3) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(cardMin, cardMax, colour::kCard, 12);
  dl->AddRect(cardMin, cardMax, colour::kCardBorder, 12, 0, 2);
  if (f.state.notices.empty()) {
    ImGui::SetCursorScreenPos(inner);
    beginScrollArea(f, "welcome", ImVec2(innerW, innerH));
    text(f, f.fonts.title, f.s("attract.welcome"), colour::kPrimary, innerW);
    ImGui::Dummy(ImVec2(1, f.type.gap * 0.5f));
    text(f, f.fonts.body, f.s("attract.intro"), colour::kText, innerW);
    endScrollArea(f);
    return;
  }
  // A notice's words come from the server at run time, so they are drawn only in the body font, whose
  // atlas holds the whole font subset (the other sizes hold only the shipped texts' characters).
  const size_t n = f.state.notices.size();
  const NoticeView& notice = f.state.notices[std::min<size_t>(static_cast<size_t>(f.state.noticeIndex), n - 1)];
  const int card = f.targets.add("notice", cardMin, cardMax);
  f.textOwner = card;
  const std::string head = f.s("attract.notices") + "  ·  " + notice.date;
  const ImVec2 hs = drawText(f, f.fonts.secondary, inner, colour::kSecondary, head, innerW);
  const std::string foot = n > 1 ? f.s("attract.noticeNext", {std::to_string(f.state.noticeIndex + 1), std::to_string(n)}) : "";
  const ImVec2 fs = measure(f, f.fonts.secondary, foot, innerW);
  ImGui::SetCursorScreenPos(ImVec2(inner.x, inner.y + hs.y + f.type.gap * 0.5f));
  beginScrollArea(f, "notice", ImVec2(innerW, innerH - hs.y - f.type.gap * 0.5f - (foot.empty() ? 0 : fs.y + f.type.gap * 0.5f)));
  text(f, f.fonts.body, notice.title, colour::kPrimary, innerW);
  text(f, f.fonts.body, notice.body, colour::kText, innerW);
  if (n > 1 && ImGui::IsWindowHovered() && ImGui::IsMouseReleased(0) && !f.suppressClicks) f.emit(command::NextNotice{});
  endScrollArea(f);
  if (!foot.empty()) drawText(f, f.fonts.secondary, ImVec2(inner.x, cardMax.y - inset - fs.y), colour::kSecondary, foot, innerW);
  f.textOwner = -1;
}

// The quick-rating faces in a row, each with its word under it: one font for every word (the body font, or
// the secondary one when a word would not fit under its face), the row as tall as the longest word needs.
struct FacesLayout {
  float faceW, r, pad, faceH, h;
  int columns;
  ImFont* font;
};

FacesLayout facesLayout(Frame& f, float facesW) {
  const auto& items = f.state.quickChoices;
  const int n = static_cast<int>(std::max<size_t>(1, items.size()));
  FacesLayout l{};
  l.pad = std::max(6.0f, f.type.gap * 0.4f);
  // All in one row when every word fits under its face (in one of the two fonts), else two rows.
  for (int columns : {n, (n + 1) / 2}) {
    l.columns = columns;
    l.faceW = (facesW - (columns - 1) * f.type.gap) / columns;
    const float wrap = l.faceW - 2 * l.pad;
    l.font = f.fonts.body;
    bool fits = true;
    for (const auto& c : items) {
      ImFont* font = fittingFont(f, c.text, wrap, {f.fonts.body, f.fonts.secondary});
      if (font != f.fonts.body) l.font = f.fonts.secondary;
      fits = fits && measure(f, font, c.text, wrap).x <= wrap + 0.5f;
    }
    if (fits) break;
  }
  l.r = std::min(l.faceW * 0.26f, f.type.target * 0.42f);
  float wordsH = 0;
  for (const auto& c : items) wordsH = std::max(wordsH, measure(f, l.font, c.text, l.faceW - 2 * l.pad).y);
  l.faceH = std::max(f.type.target * 1.5f, 3 * l.pad + 2 * l.r + wordsH);
  const int rows = (n + l.columns - 1) / l.columns;
  l.h = rows * l.faceH + (rows - 1) * f.type.gap;
  return l;
}

void quickFaces(Frame& f, ImVec2 at, const FacesLayout& l) {
  const auto& items = f.state.quickChoices;
  const int n = static_cast<int>(items.size());
  const bool best = bestFirst(items);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int i = 0; i < n; ++i) {
    const ImVec2 p(at.x + (i % l.columns) * (l.faceW + f.type.gap), at.y + (i / l.columns) * (l.faceH + f.type.gap));
    ImGui::SetCursorScreenPos(p);
    const std::string& word = items[static_cast<size_t>(i)].text;
    ImGui::PushID(i);
    const bool tapped = ImGui::InvisibleButton("##face", ImVec2(l.faceW, l.faceH)) && !f.suppressClicks;
    const bool pressed = ImGui::IsItemActive();
    ImGui::PopID();
    const int owner = f.targets.add(word, p, ImVec2(p.x + l.faceW, p.y + l.faceH));
    auto [col, mood] = moodOf(static_cast<size_t>(i), items.size(), best);
    face(dl, ImVec2(p.x + l.faceW / 2, p.y + l.pad + l.r), pressed ? l.r * 0.92f : l.r, mood, col);
    const float wrap = l.faceW - 2 * l.pad;
    const ImVec2 ws = measure(f, l.font, word, wrap);
    drawText(f, l.font, ImVec2(p.x + (l.faceW - ws.x) / 2, p.y + 2 * l.pad + 2 * l.r), colour::kText, word, wrap, owner, true);
    if (tapped) f.emit(command::QuickRate{f.state.quickForm->id, items[static_cast<size_t>(i)].value});
  }
}

struct Entry {
  const char* id;
  std::string label, hint;
  TileStyle style;
  Command command;
};

std::vector<Entry> entries(Frame& f) {
  std::vector<Entry> out;
  out.push_back({"survey", f.s("entry.survey"), f.s("entry.surveyHint"), TileStyle::Primary, command::OpenFormList{}});
  // 我要投诉 only when this kiosk can give tickets.
  const auto complaint = std::find_if(f.state.forms.begin(), f.state.forms.end(), [](const FormEntry& e) { return e.kind == "complaint"; });
  if (complaint != f.state.forms.end())
    out.push_back({"complaint", f.s("entry.complaint"), f.s("entry.complaintHint"), TileStyle::Complaint, command::StartForm{complaint->id}});
  out.push_back({"lookup", f.s("entry.lookup"), f.s("entry.lookupHint"), TileStyle::Card, command::OpenLookup{}});
  return out;
}

// The entry tiles stacked in a column of this height; their hints go first when the column is short.
void entryColumn(Frame& f, ImVec2 at, float width, float height) {
  const std::vector<Entry> es = entries(f);
  const float n = static_cast<float>(es.size());
  float withHints = 0, without = 0;
  for (const Entry& e : es) {
    withHints = std::max(withHints, tileHeight(f, e.label, width, f.fonts.entry, false, e.hint));
    without = std::max(without, tileHeight(f, e.label, width, f.fonts.entry));
  }
  const float each = (height - (n - 1) * f.type.gap) / n;
  const bool hints = each >= withHints;
  const float h = std::min(std::max(each, without), f.type.target * 3.0f);
  float y = at.y;
  for (const Entry& e : es) {
    ImGui::SetCursorScreenPos(ImVec2(at.x, y));
    if (tile(f, e.id, e.label, ImVec2(width, h), e.style, f.fonts.entry, 0, false, hints ? e.hint : std::string())) f.emit(e.command);
    y += h + f.type.gap;
  }
}

// The height of the entry column: `comfortable` (portrait: tiles a hand-span tall) or the least that keeps
// their words (without hints) inside them.
float entryColumnHeight(Frame& f, float width, bool comfortable) {
  const std::vector<Entry> es = entries(f);
  float h = 0;
  for (const Entry& e : es) h = std::max(h, tileHeight(f, e.label, width, f.fonts.entry, false, comfortable ? e.hint : std::string()));
  if (comfortable) h = std::max(h, f.type.target * 2.0f);
  return es.size() * h + (es.size() - 1) * f.type.gap;
}

void attractScreen(Frame& f) {
  const float hb = header(f, f.state.siteName, f.state.dateTime);
  adminCorner(f);
  const float m = f.type.margin, g = f.type.gap, full = f.width() - 2 * m;
  const float top = hb + g, bottom = f.height() - languageBarHeight(f) - g;
  const bool quick = f.state.quickForm && !f.state.quickChoices.empty() && f.state.session == nullptr;
  const std::string prompt = !quick ? std::string() : f.state.quickThanks.empty() ? f.state.quickForm->title : f.state.quickThanks;
  const ImU32 promptCol = f.state.quickThanks.empty() ? colour::kText : colour::kSatisfied;
  if (f.portrait()) {
    // 立式: the three entries full width, the rating question and its faces, the notices card below.
    float y = top;
    const float entriesH = entryColumnHeight(f, full, true);
    entryColumn(f, ImVec2(m, y), full, entriesH);
    y += entriesH + g * 1.5f;
    if (quick) {
      const ImVec2 ps = drawText(f, f.fonts.question, ImVec2(m, y), promptCol, prompt, full);
      y += ps.y + g * 0.5f;
      const FacesLayout faces = facesLayout(f, full);
      quickFaces(f, ImVec2(m, y), faces);
      y += faces.h + g * 1.5f;
    }
    if (bottom - y > f.type.target) noticesCard(f, ImVec2(m, y), ImVec2(f.width() - m, bottom));
  } else {
    // Landscape: the notices card left (~40 %), the entries right, the rating row across the bottom. On a
    // short panel the faces move under the notices card (which shrinks first) and the entries keep the
    // height their words need.
    const float leftW = full * 0.4f, rightX = m + leftW + g * 2, rightW = f.width() - m - rightX;
    const float entriesLeast = entryColumnHeight(f, rightW, false);
    float quickH = 0;
    ImVec2 ps(0, 0);
    FacesLayout faces{};
    bool facesLeft = false;
    if (quick) {
      ps = measure(f, f.fonts.question, prompt, leftW);
      faces = facesLayout(f, full - leftW - g * 2);
      quickH = std::max(ps.y, faces.h) + g;
      if (bottom - quickH - top < entriesLeast) {
        facesLeft = true;
        faces = facesLayout(f, leftW);
        ps = measure(f, f.fonts.question, prompt, leftW);
        quickH = ps.y + g * 0.5f + faces.h + g;
      }
    }
    const float leftBottom = bottom - quickH;
    const float entriesBottom = facesLeft ? bottom : leftBottom;
    noticesCard(f, ImVec2(m, top), ImVec2(m + leftW, leftBottom));
    entryColumn(f, ImVec2(rightX, top), rightW, entriesBottom - top);
    if (quick && facesLeft) {
      const float y = leftBottom + g;
      drawText(f, f.fonts.question, ImVec2(m, y), promptCol, prompt, leftW);
      quickFaces(f, ImVec2(m, y + ps.y + g * 0.5f), faces);
    } else if (quick) {
      const float y = leftBottom + g;
      drawText(f, f.fonts.question, ImVec2(m, y + std::max(0.0f, (faces.h - ps.y) / 2)), promptCol, prompt, leftW);
      quickFaces(f, ImVec2(m + leftW + g * 2, y), faces);
    }
  }
  languageBar(f);
}

// ---------------------------------------------------------------- forms

void formListScreen(Frame& f) {
  const float hb = header(f, f.s("formlist.title"), f.state.dateTime);
  const float width = f.width() - 2 * f.type.margin;
  const BarButton home{"home", f.s("nav.home"), command::Home{}};
  ImGui::SetCursorScreenPos(ImVec2(f.type.margin, hb + f.type.gap));
  beginScrollArea(f, "forms", ImVec2(width, f.height() - hb - f.type.gap - bottomBarHeight(f, home, {}, {}) - f.type.gap));
  int n = 0;
  for (const FormEntry& e : f.state.forms) {
    if (e.kind != "survey") continue;
    ImGui::PushID(e.id.c_str());
    if (tile(f, "form", e.title, ImVec2(width, std::max(f.type.target * 1.8f, tileHeight(f, e.title, width, f.fonts.question, false, e.description))),
             TileStyle::Card, f.fonts.question, 0, false, e.description))
      f.emit(command::StartForm{e.id});
    ImGui::PopID();
    ++n;
  }
  if (n == 0) text(f, f.fonts.body, f.s("formlist.empty"), colour::kSecondary, width);
  endScrollArea(f);
  bottomBar(f, home, {}, {});
}

// The form page's bar: 上一步 (not on the first page), 返回首页, 下一步 / 核对并提交.
void formBar(Frame& f, std::optional<BarButton>* left, std::optional<BarButton>* middle, std::optional<BarButton>* right) {
  const core::Session& s = *f.state.session;
  const bool last = s.isLastPage() || s.completeOnNext();
  if (!s.isFirstPage()) *left = BarButton{"back", f.s("nav.prev"), command::Back{}};
  *middle = BarButton{"home", f.s("nav.home"), command::LeaveForm{}};
  *right = BarButton{"next", f.s(last ? "nav.review" : "nav.next"), last ? Command(command::ToReview{}) : Command(command::Next{}), TileStyle::Primary};
}

void formPageScreen(Frame& f) {
  const core::Session& s = *f.state.session;
  const core::Progress p = s.progress();
  const float hb = header(f, s.text(s.form().title), f.s("form.progress", {std::to_string(p.page), std::to_string(p.pageCount)}),
                          p.pageCount ? static_cast<float>(p.page) / p.pageCount : 0);
  const float width = f.width() - 2 * f.type.margin;
  std::optional<BarButton> left, middle, right;
  formBar(f, &left, &middle, &right);
  const float bottom = f.state.keyboard ? keyboardHeight(f) + f.type.gap : bottomBarHeight(f, left, middle, right) + f.type.gap;
  // One area per page of this resident's session: each page starts at its top, returns to where it was left
  // on 上一步, and the next resident never inherits a scroll position.
  const std::string area = "page" + std::to_string(s.currentPageIndex());
  ImGui::SetCursorScreenPos(ImVec2(f.type.margin, hb + f.type.gap));
  beginScrollArea(f, area.c_str(), ImVec2(width, f.height() - hb - f.type.gap - bottom));
  // After a 下一步 that found problems the first question with a message comes into view (once: the
  // resident may drag away from it); a question that opens the keyboard comes to the top, title and all.
  const bool reveal = f.state.revealErrors != f.memory.revealedErrors;
  const bool showEditing = f.state.editSerial != f.memory.shownEditing;
  bool revealed = false;
  const std::string pageTitle = s.text(s.currentPage().title);
  if (!pageTitle.empty()) text(f, f.fonts.question, pageTitle, colour::kPrimary, width);
  for (const Element* e : s.visibleElements()) {
    ImGui::PushID(e);
    if (e->type == ElementType::Panel) {
      text(f, f.fonts.question, s.title(*e), colour::kPrimary, width);
      ImGui::PopID();
      continue;
    }
    const float titleY = ImGui::GetCursorPosY();
    if (e->type != ElementType::Html) {
      std::string title = s.title(*e);
      if (s.isRequired(*e)) title += f.s("field.required");
      text(f, f.fonts.question, title, colour::kText, width);
      text(f, f.fonts.secondary, s.text(e->description), colour::kSecondary, width);
    }
    if (reveal && !revealed && !s.errorsFor(QuestionRef{e}).empty()) {
      ImGui::SetScrollY(std::max(0.0f, titleY - f.type.gap));
      revealed = true;
    }
    // The message goes right under the title, where the eye is, not below a long list of choices.
    errorsFor(f, QuestionRef{e}, width);
    const bool enabled = s.isEnabled(*e);
    if (!enabled) ImGui::BeginDisabled();
    questionBody(f, QuestionRef{e}, width);
    if (!enabled) ImGui::EndDisabled();
    // The question being typed comes to the top, title first; when the space left above the keyboard is
    // smaller than the question, the field (what is being written) sits at the bottom of that space with as
    // much of its title and description above it as fits, or at the top when even the field does not fit.
    if (showEditing && f.state.editing == e) {
      const float visible = ImGui::GetWindowHeight(), end = ImGui::GetCursorPosY();
      float target = titleY - f.type.gap;
      if (end - target > visible) {
        const std::string field = f.s("field.tapToType") + ":" + e->name + (f.state.editingComment ? "-Comment" : "");
        if (const TouchTargets::Target* t = f.targets.find(field)) {
          const float offset = ImGui::GetScrollY() - ImGui::GetWindowPos().y;  // screen → content
          const float fieldTop = t->min.y + offset - f.type.gap * 0.5f, fieldBottom = t->max.y + offset + f.type.gap * 0.5f;
          target = fieldBottom - fieldTop > visible ? fieldTop : std::max(target, fieldBottom - visible);
        }
      }
      ImGui::SetScrollY(std::max(0.0f, target));
    }
    ImGui::Dummy(ImVec2(width, f.type.gap));
    ImGui::PopID();
  }
  f.memory.revealedErrors = f.state.revealErrors;
  f.memory.shownEditing = f.state.editSerial;
  endScrollArea(f);
  if (f.state.keyboard) {
    keyboardPanel(f);  // the keyboard replaces the bottom bar; 完成 closes it
    return;
  }
  bottomBar(f, left, middle, right);
}

void reviewScreen(Frame& f) {
  const core::Session& s = *f.state.session;
  const float hb = header(f, f.s("review.title"), s.text(s.form().title));
  const float width = f.width() - 2 * f.type.margin;
  const BarButton edit{"edit", f.s("review.edit"), command::BackToForm{}};
  const BarButton home{"home", f.s("nav.home"), command::LeaveForm{}};
  const BarButton submit{"submit", f.s("nav.complete"), command::Submit{}, TileStyle::Primary};
  ImGui::SetCursorScreenPos(ImVec2(f.type.margin, hb + f.type.gap));
  beginScrollArea(f, "review", ImVec2(width, f.height() - hb - 2 * f.type.gap - bottomBarHeight(f, edit, home, submit)));
  for (int page : s.visiblePages()) {
    for (const Element* e : s.visibleElements(page)) {
      if (!e->isQuestion() || e->type == ElementType::Html) continue;
      text(f, f.fonts.secondary, s.title(*e), colour::kSecondary, width);
      const std::string answer = s.displayValue(*e);
      text(f, f.fonts.body, answer.empty() ? f.s("review.unanswered") : answer, colour::kText, width);
      ImGui::Dummy(ImVec2(width, f.type.gap * 0.5f));
    }
  }
  endScrollArea(f);
  bottomBar(f, edit, home, submit);
}

// ---------------------------------------------------------------- thank-you and receipt

void checkMark(ImDrawList* dl, ImVec2 c, float r) {
  dl->AddCircleFilled(c, r, colour::kSatisfied, 48);
  dl->PathLineTo(ImVec2(c.x - r * 0.45f, c.y));
  dl->PathLineTo(ImVec2(c.x - r * 0.1f, c.y + r * 0.35f));
  dl->PathLineTo(ImVec2(c.x + r * 0.5f, c.y - r * 0.35f));
  dl->PathStroke(colour::kWhite, 0, r * 0.16f);
}

// The QR code on white with its quiet zone (4 modules), whole pixels per module for phone cameras.
float qrCode(Frame& f, const std::string& link, ImVec2 at, float side) {
  const auto qr = makeQr(link);
  if (!qr) return 0;
  const int modules = qr->size + 8;
  const float m = std::floor(side / modules);
  const float drawn = m * modules;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(at, ImVec2(at.x + drawn, at.y + drawn), colour::kWhite);
  dl->AddRect(at, ImVec2(at.x + drawn, at.y + drawn), colour::kCardBorder, 0, 0, 2);
  for (int y = 0; y < qr->size; ++y)
    for (int x = 0; x < qr->size; ++x)
      if (qr->at(x, y)) {
        const ImVec2 a(at.x + (x + 4) * m, at.y + (y + 4) * m);
        dl->AddRectFilled(a, ImVec2(a.x + m, a.y + m), IM_COL32(0, 0, 0, 255));
      }
  f.targets.add("qr", at, ImVec2(at.x + drawn, at.y + drawn), TouchTargets::Kind::Alias);
  return drawn;
}

// A complaint's receipt: the ticket code big enough to read from a step back, the QR link for a phone, the
// category and its promised handling time, and how to follow up. It stays until 完成.
void receiptScreen(Frame& f) {
  const core::Receipt& r = *f.state.receipt;
  const float hb = header(f, f.state.siteName, f.state.dateTime);
  const float m = f.type.margin, g = f.type.gap, full = f.width() - 2 * m;
  const BarButton done{"done", f.s("thanks.done"), command::Finish{}, TileStyle::Primary};
  const float barH = bottomBarHeight(f, {}, {}, done);
  const float areaH = f.height() - hb - 2 * g - barH;
  const std::string caption = f.s("receipt.scan");
  auto code = [&](float w) {
    text(f, f.fonts.secondary, f.s("receipt.codeLabel"), colour::kSecondary, w);
    text(f, f.fonts.ticket, r.code, colour::kPrimary, w);
    f.targets.add("ticket:" + r.code, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), TouchTargets::Kind::Alias);
  };
  auto details = [&](float w) {
    text(f, f.fonts.body, core::plainText(f.state.thankYouText), colour::kText, w);
    if (!r.category.empty()) {
      text(f, f.fonts.secondary, f.s("receipt.category"), colour::kSecondary, w);
      text(f, f.fonts.body, r.category, colour::kText, w);
    }
    if (!r.deadline.empty()) {
      text(f, f.fonts.secondary, f.s("receipt.deadline"), colour::kSecondary, w);
      text(f, f.fonts.body, r.deadline, colour::kText, w);
    }
    ImGui::Dummy(ImVec2(1, g * 0.5f));
    text(f, f.fonts.body, f.s("receipt.howTo"), colour::kText, w);
    text(f, f.fonts.body, f.s("receipt.stays"), colour::kSecondary, w);
  };
  if (f.portrait()) {
    // 立式: the code, then the QR code centred under it, then the rest; all of it scrolls together.
    ImGui::SetCursorScreenPos(ImVec2(m, hb + g));
    beginScrollArea(f, "receipt", ImVec2(full, areaH));
    code(full);
    const float side = std::min(full * 0.6f, areaH * 0.45f);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float drawn = qrCode(f, r.link, ImVec2(at.x + (full - side) / 2, at.y + g * 0.5f), side);
    ImGui::Dummy(ImVec2(full, drawn + g * 0.5f));
    const ImVec2 cs = measure(f, f.fonts.body, caption, full);
    ImGui::SetCursorScreenPos(ImVec2(at.x + (full - cs.x) / 2, ImGui::GetCursorScreenPos().y));
    text(f, f.fonts.body, caption, colour::kText, full);
    ImGui::SetCursorScreenPos(ImVec2(at.x, ImGui::GetCursorScreenPos().y + g));
    details(full);
    endScrollArea(f);
  } else {
    // Landscape: the code and what happens next on the left, the QR code and its caption on the right.
    const float captionH = measure(f, f.fonts.body, caption, full * 0.32f).y;
    const float side = std::min(areaH - captionH - g, full * 0.32f);
    const float leftW = full - side - 2 * g;
    ImGui::SetCursorScreenPos(ImVec2(m, hb + g));
    beginScrollArea(f, "receipt", ImVec2(leftW, areaH));
    code(leftW);
    ImGui::Dummy(ImVec2(1, g * 0.5f));
    details(leftW);
    endScrollArea(f);
    const ImVec2 at(f.width() - m - side, hb + g);
    const float drawn = qrCode(f, r.link, at, side);
    const ImVec2 cs = measure(f, f.fonts.body, caption, side);
    drawText(f, f.fonts.body, ImVec2(at.x + (drawn - cs.x) / 2, at.y + drawn + g * 0.5f), colour::kText, caption, side, -1, true);
  }
  bottomBar(f, {}, {}, done);
}

void thankYouScreen(Frame& f) {
  if (f.state.receipt) return receiptScreen(f);
  const float m = f.type.margin, g = f.type.gap, full = f.width() - 2 * m;
  const BarButton done{"done", f.s("thanks.done"), command::Finish{}, TileStyle::Primary};
  const float areaH = f.height() - 2 * m - bottomBarHeight(f, {}, done, {}) - g;
  ImGui::SetCursorScreenPos(ImVec2(m, m));
  beginScrollArea(f, "thanks", ImVec2(full, areaH));
  const float r = std::min(f.height() * 0.09f, f.type.target);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  checkMark(ImGui::GetWindowDrawList(), ImVec2(at.x + full / 2, at.y + g + r), r);
  ImGui::Dummy(ImVec2(full, 2 * r + 2 * g));
  const float w = std::min(full, std::max(f.width() * 0.7f, 600.0f));
  const float x = at.x + (full - w) / 2;
  ImGui::SetCursorScreenPos(ImVec2(x, ImGui::GetCursorScreenPos().y));
  text(f, f.fonts.title, core::plainText(f.state.thankYouText), colour::kText, w);
  ImGui::SetCursorScreenPos(ImVec2(x, ImGui::GetCursorScreenPos().y + g));
  text(f, f.fonts.body, f.s("thanks.return", {std::to_string(f.state.thankYouSeconds)}), colour::kSecondary, w);
  endScrollArea(f);
  bottomBar(f, {}, done, {});
}

// ---------------------------------------------------------------- 查询进度

void lookupScreen(Frame& f) {
  const float hb = header(f, f.s("lookup.title"), f.state.dateTime);
  const LookupView& l = *f.state.lookup;
  const float width = f.width() - 2 * f.type.margin, g = f.type.gap;
  const BarButton back{"home", f.s("lookup.back"), command::Home{}};
  const BarButton search{"search", f.s("lookup.search"), command::LookupSubmit{}, TileStyle::Primary};
  const float bottom = f.state.keyboard ? keyboardHeight(f) + g : bottomBarHeight(f, back, {}, search) + g;
  ImGui::SetCursorScreenPos(ImVec2(f.type.margin, hb + g));
  beginScrollArea(f, "lookup", ImVec2(width, f.height() - hb - g - bottom));
  using R = LookupView::Result;
  // Once a ticket is found the field itself shows the code; the page's height goes to the answer.
  if (l.result != R::Found) text(f, f.fonts.question, f.s("lookup.prompt"), colour::kText, width);
  if (fieldBox(f, "code", f.s("lookup.prompt"), l.typed, f.s("enroll.tap"), l.editing, f.type.target)) f.emit(command::LookupField{});
  ImGui::Dummy(ImVec2(1, g));
  if (l.result == R::Malformed || l.result == R::Mistyped || l.result == R::Unknown || l.result == R::Asking || l.result == R::Unreachable) {
    const char* key = l.result == R::Malformed     ? "lookup.malformed"
                      : l.result == R::Mistyped    ? "lookup.mistyped"
                      : l.result == R::Asking      ? "lookup.asking"
                      : l.result == R::Unreachable ? "lookup.unreachable"
                      : l.asked.empty()            ? "lookup.unknown"
                                                   : "lookup.unknownAnywhere";
    const bool typo = l.result == R::Malformed || l.result == R::Mistyped;
    text(f, f.fonts.body, f.s(key), typo ? colour::kErrorText : colour::kText, width);
  } else if (l.result == R::Found) {
    // Labels in a column beside their values where that leaves the values room; one above the other on a
    // narrow panel. The status and the reply first, the 回访 right after them, the rest below.
    float labelW = 0;
    for (const auto& [label, value] : l.rows) labelW = std::max(labelW, measure(f, f.fonts.secondary, label).x);
    labelW = std::max(labelW, measure(f, f.fonts.secondary, f.s("lookup.timeline")).x) + g;
    const bool beside = labelW <= width * 0.3f;
    const float x0 = ImGui::GetCursorPosX();
    auto line = [&](const std::string& label, const std::string& value) {
      if (!beside) {
        if (!label.empty() && label != " ") text(f, f.fonts.secondary, label, colour::kSecondary, width);
        text(f, f.fonts.body, value, colour::kText, width);  // a reply comes from the server: body font only
        ImGui::Dummy(ImVec2(1, g * 0.25f));
        return;
      }
      const float y = ImGui::GetCursorPosY();
      // The label sits on the value's first line: nudged down by the difference of the two fonts' heights.
      ImGui::SetCursorPos(ImVec2(x0, y + (f.fonts.body->FontSize - f.fonts.secondary->FontSize) * 0.6f));
      text(f, f.fonts.secondary, label, colour::kSecondary, labelW - g);
      const float afterLabel = ImGui::GetCursorPosY();
      ImGui::SetCursorPos(ImVec2(x0 + labelW, y));
      text(f, f.fonts.body, value, colour::kText, width - labelW);
      ImGui::SetCursorPos(ImVec2(x0, std::max(ImGui::GetCursorPosY(), afterLabel)));
    };
    for (size_t i = 0; i < l.rows.size() && i < l.rateAfterRows; ++i) line(l.rows[i].first, l.rows[i].second);
    if (l.canRate) {
      // 回访: three big choices, the words on them (colour is not the only signal).
      ImGui::Dummy(ImVec2(1, g));
      text(f, f.fonts.question, f.s("lookup.rateAsk"), colour::kText, width);
      using command::TicketRating;
      const TicketRating ratings[] = {TicketRating::Satisfied, TicketRating::Basic, TicketRating::Unsatisfied};
      const auto words = [&](TicketRating r) { return f.s((std::string("rating.") + ratingWord(r)).c_str()); };
      const float w = (width - 2 * g) / 3;
      float h = f.type.target * 1.2f;
      for (TicketRating rating : ratings) h = std::max(h, tileHeight(f, words(rating), w, f.fonts.body));
      for (int i = 0; i < 3; ++i) {
        if (i > 0) ImGui::SameLine(0, g);
        if (tile(f, ratingWord(ratings[i]), words(ratings[i]), ImVec2(w, h), TileStyle::Key, f.fonts.body))
          f.emit(command::RateTicket{ratings[i]});
      }
    }
    if (!l.thanks.empty()) text(f, f.fonts.body, l.thanks, colour::kSatisfied, width);
    if (l.canRate) ImGui::Dummy(ImVec2(1, g * 0.5f));
    for (size_t i = l.rateAfterRows; i < l.rows.size(); ++i) line(l.rows[i].first, l.rows[i].second);
    ImGui::Dummy(ImVec2(1, g * 0.5f));
    for (size_t i = 0; i < l.timeline.size(); ++i) line(i == 0 ? f.s("lookup.timeline") : std::string(" "), l.timeline[i]);
    ImGui::Dummy(ImVec2(1, g * 0.5f));
    text(f, f.fonts.secondary, l.note, colour::kSecondary, width);
  }
  endScrollArea(f);
  if (f.state.keyboard) {
    keyboardPanel(f);
    return;
  }
  bottomBar(f, back, {}, search);
}

// ---------------------------------------------------------------- staff

// The PIN pad: digits shown as dots, the message after a wrong PIN or while locked, 取消.
void adminPinScreen(Frame& f) {
  const float hb = header(f, f.s("admin.pinTitle"), f.state.dateTime);
  const float m = f.type.margin, g = f.type.gap;
  const std::string cancel = f.s("admin.cancel");
  const float cw = std::max(f.width() * 0.2f, tileWidth(f, cancel, f.fonts.body));
  ImGui::SetCursorScreenPos(ImVec2(f.width() - m - cw, hb + g));
  if (tile(f, "cancel", cancel, ImVec2(cw, f.type.target), TileStyle::Outline, f.fonts.body)) f.emit(command::AdminCancel{});
  // One drawn dot per digit (the PIN itself is never shown).
  const size_t typed = f.state.keyboard ? f.state.keyboard->buffer().text().size() : 0;
  const float r = f.type.body * 0.3f, cy = hb + g + f.type.target / 2;
  for (size_t i = 0; i < typed; ++i) ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(m + r + i * r * 3.5f, cy), r, colour::kText);
  if (!f.state.pinMessage.empty())
    drawText(f, f.fonts.body, ImVec2(m, hb + 2 * g + f.type.target), colour::kErrorText, f.state.pinMessage, f.width() - 2 * m);
  if (f.state.keyboard) keyboardPanel(f);
}

void adminScreen(Frame& f) {
  const float hb = header(f, f.s("admin.title"), f.state.dateTime);
  const float m = f.type.margin, g = f.type.gap, width = f.width() - 2 * m, P = f.type.primaryButton;
  // Every action in a grid that never scrolls away: back, sync now, enroll, export, exit.
  struct Action {
    const char* id;
    std::string label;
    Command command;
    TileStyle style;
  };
  const Action actions[] = {{"back", f.s("admin.back"), command::AdminCancel{}, TileStyle::Outline},
                            {"sync-now", f.s("admin.syncNow"), command::AdminSyncNow{}, TileStyle::Outline},
                            {"enroll", f.s("admin.enroll"), command::AdminEnroll{}, TileStyle::Outline},
                            {"export", f.s("admin.export"), command::AdminExport{}, TileStyle::Primary},
                            {"exit", f.s("admin.exit"), command::AdminExit{}, TileStyle::Complaint}};
  float least = 0;
  for (const Action& a : actions) least = std::max(least, tileWidth(f, a.label, f.fonts.body));
  const int columns = std::max(1, std::min(5, static_cast<int>((width + g) / (least + g))));
  const int rows = (5 + columns - 1) / columns;
  const float bw = (width - (columns - 1) * g) / columns;
  const float gridH = rows * P + (rows - 1) * g;
  ImGui::SetCursorScreenPos(ImVec2(m, hb + g));
  beginScrollArea(f, "admin", ImVec2(width, f.height() - hb - 2 * g - gridH - m));
  if (f.state.admin) {
    // The outcome of the last action first, where it is seen without scrolling (an export's confirmation).
    if (!f.state.admin->message.empty()) {
      text(f, f.fonts.body, f.state.admin->message, colour::kNoticeText, width);
      ImGui::Dummy(ImVec2(1, g));
    }
    for (const auto& [key, value] : f.state.admin->rows) {
      text(f, f.fonts.secondary, f.s(key.c_str()), colour::kSecondary, width);
      text(f, f.fonts.body, value, colour::kText, width);
    }
    // Refused and conflicting submissions stay until staff send them again (a proxy's refusal, a form
    // uploaded since) or take the USB export, which carries them marked.
    if (f.state.admin->unsettled > 0) {
      ImGui::Dummy(ImVec2(1, g * 0.5f));
      const std::string retry = f.s("admin.retryUnsettled", {std::to_string(f.state.admin->unsettled)});
      const float rw = std::min(width, tileWidth(f, retry, f.fonts.body));
      if (tile(f, "retry-unsettled", retry, ImVec2(rw, tileHeight(f, retry, rw, f.fonts.body)), TileStyle::Outline, f.fonts.body))
        f.emit(command::AdminRetryUnsettled{});
      ImGui::Dummy(ImVec2(1, g * 0.5f));
    }
    text(f, f.fonts.secondary, f.s("admin.forms"), colour::kSecondary, width);
    for (const std::string& form : f.state.admin->forms) text(f, f.fonts.body, form, colour::kText, width);
  }
  endScrollArea(f);
  const float y0 = f.height() - m - gridH;
  for (int i = 0; i < 5; ++i) {
    ImGui::SetCursorScreenPos(ImVec2(m + (i % columns) * (bw + g), y0 + (i / columns) * (P + g)));
    if (tile(f, actions[i].id, actions[i].label, ImVec2(bw, P), actions[i].style, f.fonts.body)) f.emit(actions[i].command);
  }
}

// Enrollment: the server's address and the one-time code, typed on the keyboard; 登记 sends them.
void adminEnrollScreen(Frame& f) {
  const float hb = header(f, f.s("enroll.title"), f.state.dateTime);
  const EnrollView& e = *f.state.enroll;
  const float width = f.width() - 2 * f.type.margin, g = f.type.gap;
  const BarButton back{"back", f.s("admin.back"), command::AdminCancel{}};
  std::optional<BarButton> submit;  // not while the server is being asked
  if (!e.busy) submit = BarButton{"submit", f.s("enroll.submit"), command::EnrollSubmit{}, TileStyle::Primary};
  const float bottom = f.state.keyboard ? keyboardHeight(f) + g : bottomBarHeight(f, back, {}, submit) + g;
  ImGui::SetCursorScreenPos(ImVec2(f.type.margin, hb + g));
  beginScrollArea(f, "enroll", ImVec2(width, f.height() - hb - g - bottom));
  text(f, f.fonts.secondary, f.s("enroll.url"), colour::kSecondary, width);
  if (fieldBox(f, "url", f.s("enroll.url"), e.url, f.s("enroll.tap"), e.editing == 1, f.type.target)) f.emit(command::EnrollField{command::EnrollInput::Url});
  ImGui::Dummy(ImVec2(1, g));
  text(f, f.fonts.secondary, f.s("enroll.code"), colour::kSecondary, width);
  if (fieldBox(f, "code", f.s("enroll.code"), e.code, f.s("enroll.tap"), e.editing == 2, f.type.target)) f.emit(command::EnrollField{command::EnrollInput::Code});
  // Or nothing typed at all: the provisioning file IT put on a USB stick (`minyi device add --provision-to`).
  if (!e.busy) {
    ImGui::Dummy(ImVec2(1, g));
    const std::string stick = f.s("enroll.fromStick");
    const float sw = std::min(width, tileWidth(f, stick, f.fonts.body));
    if (tile(f, "from-stick", stick, ImVec2(sw, tileHeight(f, stick, sw, f.fonts.body)), TileStyle::Outline, f.fonts.body))
      f.emit(command::EnrollFromStick{});
  }
  if (!e.message.empty()) {
    ImGui::Dummy(ImVec2(1, g));
    text(f, f.fonts.body, e.message, e.failed ? colour::kErrorText : colour::kText, width);
  }
  endScrollArea(f);
  if (f.state.keyboard) {
    keyboardPanel(f);
    return;
  }
  bottomBar(f, back, {}, submit);
}

// 暂停服务: the kiosk cannot keep what residents give it. No detail for residents; the admin panel has it.
void outOfServiceScreen(Frame& f) {
  const float hb = header(f, f.state.siteName, f.state.dateTime);
  adminCorner(f);  // staff must reach the panel to see why
  const float width = std::min(f.width() - 2 * f.type.margin, std::max(f.width() * 0.7f, 600.0f));
  const float areaH = f.height() - hb - 2 * f.type.gap - languageBarHeight(f);
  ImGui::SetCursorScreenPos(ImVec2((f.width() - width) / 2, hb + f.type.gap));
  beginScrollArea(f, "paused", ImVec2(width, areaH));
  ImGui::Dummy(ImVec2(1, std::max(0.0f, areaH * 0.2f)));
  text(f, f.fonts.title, f.s("paused.title"), colour::kErrorText, width);
  ImGui::Dummy(ImVec2(1, f.type.gap));
  text(f, f.fonts.body, f.s("paused.body"), colour::kText, width);
  endScrollArea(f);
  languageBar(f, false);
}

}  // namespace

std::vector<Command> drawKiosk(const ViewState& state, const Fonts& fonts, const TypeScale& type, TouchTargets& targets,
                               ViewMemory& memory, const PointerPath& path) {
  memory.startVisit(state.sessionSerial);  // the last resident's wrapped text is forgotten with them
  Frame f{state, fonts, type, targets, memory, path, {}};
  targets.beginFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(state.width, state.height));
  // No background: the renderer's clear already paints the page colour, and under llvmpipe one more
  // full-screen textured, blended quad costs ~7 ms of a 1080p frame.
  ImGui::Begin("kiosk", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBackground);
  ImGui::PushFont(fonts.body);
  const ImVec2 drag = ImGui::GetMouseDragDelta(0, 0.0f);
  f.suppressClicks = std::fabs(drag.y) > 12.0f || std::fabs(drag.x) > 24.0f;
  if (state.asleep) {
    // Outside opening hours the screen is dark (the window clears to black) and draws nothing; the first
    // touch only wakes it, on its release, so that touch cannot also press whatever the start screen shows.
    if (ImGui::IsMouseReleased(0)) f.commands.push_back(command::Wake{});
  } else if (state.idlePrompt) {
    // 还在吗？ is the only thing on the screen and the page under it is not drawn at all: whoever walks up
    // while the countdown runs sees nothing of what the last resident typed. 继续 brings it back.
    dialog(f, f.s("idle.title"), f.s("idle.body", {std::to_string(state.idleSecondsLeft)}),
           BarButton{"still-here", f.s("idle.continue"), command::StillHere{}, TileStyle::Primary}, std::nullopt);
  } else if (state.confirmLeave) {
    // Leaving a form with answers in it asks first; staying is the big button.
    dialog(f, f.s("leave.title"), f.s("leave.body"),
           BarButton{"stay", f.s("leave.stay"), command::LeaveCancelled{}, TileStyle::Primary},
           BarButton{"leave", f.s("leave.go"), command::LeaveConfirmed{}, TileStyle::Danger});
  } else {
    switch (state.screen) {
      case Screen::Attract: attractScreen(f); break;
      case Screen::FormList: formListScreen(f); break;
      case Screen::FormPage: if (state.session) formPageScreen(f); break;
      case Screen::Review: if (state.session) reviewScreen(f); break;
      case Screen::ThankYou: thankYouScreen(f); break;
      case Screen::OutOfService: outOfServiceScreen(f); break;
      case Screen::AdminPin: adminPinScreen(f); break;
      case Screen::Admin: adminScreen(f); break;
      case Screen::AdminEnroll: if (state.enroll) adminEnrollScreen(f); break;
      case Screen::Lookup: if (state.lookup) lookupScreen(f); break;
    }
  }
  ImGui::PopFont();
  ImGui::End();
  return std::move(f.commands);
}

}  // namespace minyi::ui
