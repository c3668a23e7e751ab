// What the uploader's news means for the flow: notices, 查询进度's answers, new forms (between residents), the
// staff panel's rows and enrollment, and a pause that enrollment may lift.
#include "kiosk_app.h"
#include "minyi/core/form_loader.h"

namespace minyi::app {

using ui::Screen;

bool KioskApp::applyStoreForms() {
  if (!ctx_.store || session_) return false;  // never under a resident's feet
  auto active = ctx_.store->activeForms();
  if (!active.ok() || active.value().empty()) return false;
  std::vector<LoadedForm> loaded;
  for (const store::StoredForm& sf : active.value()) {
    auto r = core::loadFormText(sf.json, sf.id);
    if (!r.ok()) {
      problems_.push_back(sf.id + ": " + (r.diagnostics.empty() ? "unusable" : r.diagnostics.front().message));
      continue;
    }
    loaded.push_back(LoadedForm{"", sf.json, std::move(r.form)});
  }
  if (loaded.empty()) return false;
  ctx_.forms = std::move(loaded);
  refreshEntries();
  return true;
}

bool KioskApp::syncNews(Clock::time_point now) {
  sync::Uploader* uploader = ctx_.uploader;
  if (!uploader) return false;
  ctx_.now = now;
  bool changed = false;
  if (uploader->takeNoticesChanged()) {
    notices_.load();
    changed = true;
  }
  if (lookup_.takeLiveAnswer()) changed = true;
  if (uploader->takeTicketsChanged() && lookup_.ticketsChanged()) changed = true;
  if (uploader->takeFormsChanged()) {
    serverForms_ = true;
    formsStale_ = true;
  }
  if (formsStale_ && !session_ && (ctx_.screen == Screen::Attract || ctx_.screen == Screen::OutOfService)) {
    formsStale_ = false;
    changed |= applyStoreForms();
  }
  if (admin_.syncNews()) changed = true;
  if (siteFromEnrollment()) changed = true;  // a kiosk configured without [site] shows the one it enrolled at
  // Enrollment may have brought the key a paused kiosk was waiting for.
  if (ctx_.screen == Screen::OutOfService && ctx_.store && ctx_.cannotKeep().empty()) {
    liftPauseIfFixed();
    changed = true;
  }
  return changed;
}

}  // namespace minyi::app
