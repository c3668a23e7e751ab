// The staff panel's actions and rows; PIN tries and every action go to the audit log.
#include "admin_panel.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "minyi/protocol/provisioning.h"
#include "minyi/protocol/times.h"

namespace minyi::app {

using ui::Screen;
namespace fs = std::filesystem;

void AdminPanel::configure(std::string pinHash, std::string exportFolder) {
  pinLock_ = pinHash.empty() ? nullptr : std::make_unique<store::PinLock>(std::move(pinHash));
  if (!exportFolder.empty()) exportFolder_ = std::move(exportFolder);
}

bool AdminPanel::open() const {
  return ctx_.screen == Screen::AdminPin || ctx_.screen == Screen::Admin || ctx_.screen == Screen::AdminEnroll;
}

void AdminPanel::cornerTap() {
  const Clock::time_point now = ctx_.now;
  cornerTaps_.erase(std::remove_if(cornerTaps_.begin(), cornerTaps_.end(),
                                   [&](Clock::time_point t) { return now - t > std::chrono::seconds(3); }),
                    cornerTaps_.end());
  cornerTaps_.push_back(now);
  if (cornerTaps_.size() >= 5) {
    cornerTaps_.clear();
    openPinPad();
  }
}

void AdminPanel::openPinPad() {
  if (!pinLock_) return;  // no PIN configured: the panel stays shut
  typing_.close();
  if (ctx_.screen != Screen::AdminPin && ctx_.screen != Screen::Admin) openedOver_ = ctx_.screen;
  typing_.open({input::Mode::Digits}, 16, {}, nullptr);
  pinMessage_.clear();
  ctx_.screen = Screen::AdminPin;
}

void AdminPanel::pinEntered() {
  const std::string pin = typing_.text();
  typing_.clearText();
  switch (pinLock_->attempt(pin, ctx_.now)) {
    case store::PinLock::Outcome::Accepted:
      typing_.close();
      pinMessage_.clear();
      ctx_.screen = Screen::Admin;
      ctx_.audit("login");
      refreshInfo();
      break;
    case store::PinLock::Outcome::Wrong:
      pinMessage_ = ctx_.say("admin.pinWrong");
      ctx_.audit("pin_failed");
      break;
    case store::PinLock::Outcome::Locked:
      pinMessage_ = ctx_.say("admin.pinLocked", {std::to_string(pinLock_->secondsLeft(ctx_.now))});
      ctx_.audit("pin_locked");
      break;
    case store::PinLock::Outcome::NotConfigured:
      break;
  }
}

std::string AdminPanel::pinMessage() const {
  if (ctx_.screen == Screen::AdminPin && pinLocked(ctx_.now))
    return ctx_.say("admin.pinLocked", {std::to_string(pinLock_->secondsLeft(ctx_.now))});
  return pinMessage_;
}

void AdminPanel::back() {
  typing_.close();
  if (ctx_.screen == Screen::AdminEnroll) {  // back to the panel, not out of it
    enroll_ = {};
    ctx_.screen = Screen::Admin;
    refreshInfo();
    return;
  }
  pinMessage_.clear();
  info_ = {};
  if (ctx_.screen == Screen::Admin) ctx_.audit("logout");
  ctx_.screen = openedOver_;
}

void AdminPanel::timedOut() {
  // A panel left open goes back to what it came from (a paused kiosk stays paused).
  typing_.close();
  info_ = {};
  enroll_ = {};
  ctx_.screen = openedOver_;
}

void AdminPanel::syncNow() {
  if (ctx_.screen != Screen::Admin || !ctx_.uploader) return;
  ctx_.uploader->syncNow();
  ctx_.audit("sync_now");
  refreshInfo();
  info_.message = ctx_.say("admin.syncStarted");
}

void AdminPanel::retryUnsettled() {
  if (ctx_.screen != Screen::Admin || !ctx_.store) return;
  auto again = ctx_.store->retryUnsettled();
  ctx_.audit("retry_unsettled", again.ok() ? std::to_string(again.value()) : again.error().message);
  if (ctx_.uploader) ctx_.uploader->syncNow();
  refreshInfo();
  info_.message = again.ok() ? ctx_.say("admin.retried", {std::to_string(again.value())})
                             : ctx_.say("admin.exportFailed", {again.error().message});
}

void AdminPanel::exportOutbox() {
  if (ctx_.screen != Screen::Admin || !ctx_.store) return;
  store::ExportOptions eo;
  eo.siteId = ctx_.siteId;
  eo.deviceId = ctx_.deviceId();  // the manifest names the kiosk the stick came from
  if (auto own = ctx_.store->kioskId(); own.ok()) eo.kioskId = own.value();
  auto report = ctx_.store->exportOutbox(exportFolder_, eo);
  if (report.ok()) {
    info_.message = ctx_.say("admin.exported", {std::to_string(report.value().submissions), exportFolder_});
    ctx_.audit("export", exportFolder_ + " " + std::to_string(report.value().submissions));
  } else {
    info_.message = ctx_.say("admin.exportFailed", {report.error().message});
    ctx_.audit("export_failed", report.error().message);
  }
  refreshInfo(true);
}

void AdminPanel::exit() {
  if (ctx_.screen != Screen::Admin) return;
  ctx_.audit("exit");
  exitRequested_ = true;
}

void AdminPanel::openEnroll() {
  if (ctx_.screen != Screen::Admin || !ctx_.store) return;
  typing_.close();
  enroll_ = {};
  enroll_.url = ctx_.setting(sync::keys::kServerUrl);
  if (enroll_.url.empty()) enroll_.url = ctx_.configuredServerUrl;
  ctx_.screen = Screen::AdminEnroll;
}

void AdminPanel::editEnroll(ui::command::EnrollInput field) {
  if (ctx_.screen != Screen::AdminEnroll || enroll_.busy) return;
  const bool url = field == ui::command::EnrollInput::Url;
  std::string& target = url ? enroll_.url : enroll_.code;
  typing_.open({input::Mode::Latin, input::Mode::Digits}, url ? 200 : 32, target,
               [&target](const std::string& t) { target = t; }, [this] { enroll_.editing = 0; });
  enroll_.editing = url ? 1 : 2;
}

void AdminPanel::submitEnroll() {
  if (ctx_.screen != Screen::AdminEnroll || enroll_.busy || !ctx_.uploader) return;
  typing_.close();
  enroll_.busy = true;
  enroll_.failed = false;
  enroll_.message = ctx_.say("enroll.busy");
  ctx_.audit("enroll_attempt", enroll_.url);
  ctx_.uploader->enroll(enroll_.url, enroll_.code);
}

bool AdminPanel::enrollFromStick(bool automatic) {
  const bool onPanel = ctx_.screen == Screen::Admin || ctx_.screen == Screen::AdminEnroll;
  if (!onPanel || enroll_.busy || !ctx_.uploader || !ctx_.store) return false;
  auto refuse = [&](const std::string& message) {
    if (ctx_.screen != Screen::AdminEnroll) openEnroll();
    enroll_.failed = true;
    enroll_.message = message;
    return true;
  };
  const std::vector<std::string> files = protocol::findProvisioningFiles(exportFolder_);
  if (files.empty()) return automatic ? false : refuse(ctx_.say("enroll.stickNone", {exportFolder_}));
  if (!ctx_.provisioningKey) {  // only staff's own tap gets here: the panel looks by itself only with a key
    ctx_.audit("enroll_stick_refused", "no [server] provisioning_key");
    return refuse(ctx_.say("enroll.stickNoKey"));
  }
  std::optional<protocol::ProvisioningCheck> firstRefusal;
  for (const auto& path : files) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto when = fs::last_write_time(path, ec).time_since_epoch().count();
    // By itself the panel tries a file once; a new or rewritten one is another file.
    if (automatic && !sticksTried_.insert(path + "|" + std::to_string(size) + "|" + std::to_string(when)).second) continue;
    auto check = protocol::checkProvisioningFile(path, *ctx_.provisioningKey, std::chrono::system_clock::now());
    if (!check.file) {
      ctx_.audit("enroll_stick_refused", fs::path(path).filename().string() + ": " + check.detail);
      if (!firstRefusal) firstRefusal = check;
      continue;
    }
    const protocol::Provisioning& p = *check.file;
    if (ctx_.screen != Screen::AdminEnroll) openEnroll();
    typing_.close();
    enroll_.url = p.serverUrl;
    enroll_.code = p.code;
    enroll_.busy = true;
    enroll_.failed = false;
    enroll_.message = ctx_.say("enroll.stickFound", {p.siteName, p.deviceName.empty() ? p.deviceId : p.deviceName});
    ctx_.audit("enroll_stick", p.deviceId + " at " + p.serverUrl);
    ctx_.uploader->enroll(p.serverUrl, p.code, protocol::decodeKey(p.serverKey));
    stickFile_ = path;
    return true;
  }
  if (!firstRefusal) return false;  // every file was tried before
  const std::string problem = protocol::problemName(*firstRefusal->problem);
  return refuse(ctx_.say(("enroll.stick." + problem).c_str(), {firstRefusal->detail}));
}

bool AdminPanel::syncNews() {
  bool changed = false;
  if (ctx_.screen == Screen::Admin) {
    refreshInfo(true);
    changed = true;
  }
  if (ctx_.screen == Screen::AdminEnroll && enroll_.busy && ctx_.uploader) {
    const sync::SyncStatus st = ctx_.uploader->status();
    if (!st.enrolling) {
      enroll_.busy = false;
      enroll_.failed = !st.problem.empty();
      const std::string stickFile = std::exchange(stickFile_, std::string());
      if (enroll_.failed) {
        const std::string words = ctx_.say(("sync.problem." + st.problem).c_str());
        enroll_.message = ctx_.say("enroll.failed", {words + (st.detail.empty() ? "" : " (" + st.detail + ")")});
      } else {
        enroll_.message = ctx_.say("enroll.done", {st.siteName, st.deviceId});
        enroll_.code.clear();  // single use: nothing to keep on screen
        if (!stickFile.empty()) protocol::markProvisioningUsed(stickFile);
      }
      changed = true;
    }
  }
  return changed;
}

// The panel's rows, in words; `keepMessage` keeps the outcome of the last action on top.
void AdminPanel::refreshInfo(bool keepMessage) {
  const std::string message = keepMessage ? info_.message : std::string();
  info_ = {};
  info_.message = message;
  auto row = [&](const char* key, std::string value) { info_.rows.emplace_back(key, std::move(value)); };
  auto mb = [](uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1024.0 * 1024.0));
    return std::string(buf);
  };
  row("admin.site", ctx_.siteName + (ctx_.siteId.empty() ? "" : " (" + ctx_.siteId + ")"));
  store::KioskStore* store = ctx_.store;
  if (!store) {
    row("admin.lastError", ctx_.pausedBecause.empty() ? ctx_.say("admin.noStore") : ctx_.pausedBecause);
    return;
  }
  row("admin.device", ctx_.deviceId());
  if (auto use = store->storageUse(); use.ok())
    row("admin.storage", ctx_.say("admin.storageValue", {mb(use.value().databaseBytes + use.value().walBytes), mb(use.value().freeBytes)}));
  if (auto counts = store->counts(); counts.ok()) {
    info_.unsettled = counts.value().conflict + counts.value().rejected;
    row("admin.outbox", ctx_.say("admin.outboxValue", {std::to_string(counts.value().pending), std::to_string(counts.value().sent),
                                                       std::to_string(counts.value().conflict + counts.value().rejected)}));
  }
  const store::Health h = store->health();
  row("admin.lastError", !ctx_.pausedBecause.empty() ? ctx_.pausedBecause : h.ok() ? ctx_.say("admin.noError") : h.reason);
  syncRows();
  if (ctx_.kioskNumber() <= 0) row("admin.lastError", ctx_.say("admin.noKioskNumber"));
  // Conflicts and rejections stay on the kiosk with the server's reason, for staff to take up.
  if (auto odd = store->unsettled(5); odd.ok())
    for (const store::Submission& s : odd.value())
      row("admin.unsettled", s.createdAt.substr(0, 10) + "  " + s.formId + "  " + stateName(s.state) + ": " + s.lastError);
  if (auto forms = store->activeForms(); forms.ok())
    for (const auto& f : forms.value())
      info_.forms.push_back(f.id + "  v" + std::to_string(f.version) + "  (" + f.hash.substr(0, 8) + ")");
}

void AdminPanel::syncRows() {
  auto row = [&](const char* key, std::string value) { info_.rows.emplace_back(key, std::move(value)); };
  if (!ctx_.uploader) {
    row("admin.sync", ctx_.say("sync.state.not_enrolled"));
    return;
  }
  const sync::SyncStatus st = ctx_.uploader->status();
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(st.nextAttempt - std::chrono::system_clock::now()).count();
  std::string line = ctx_.say((std::string("sync.state.") + sync::stateName(st.state)).c_str(), {std::to_string(std::max<long long>(0, wait))});
  if (!st.serverUrl.empty()) line += "  ·  " + st.serverUrl;
  if (!st.problem.empty())
    line += "\n" + ctx_.say(("sync.problem." + st.problem).c_str()) + (st.detail.empty() ? "" : " (" + st.detail + ")");
  row("admin.sync", line);
  std::string last = st.lastSuccessAt;
  if (last.size() >= 19) last = last.substr(0, 10) + " " + last.substr(11, 8) + " UTC";
  row("admin.lastSync", last.empty() ? ctx_.say("admin.never") : last);
  // A clock off by minutes files residents' answers in the wrong hour or week (the server then uses its own).
  if (st.clockOffsetSeconds && std::chrono::seconds(std::llabs(*st.clockOffsetSeconds)) > protocol::kClockTolerance)
    row("admin.clock", ctx_.say(*st.clockOffsetSeconds > 0 ? "admin.clockAhead" : "admin.clockBehind",
                                {std::to_string(std::llabs(*st.clockOffsetSeconds) / 60)}));
}

}  // namespace minyi::app
