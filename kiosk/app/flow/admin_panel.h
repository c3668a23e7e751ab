// The staff panel: five taps in the corner open the PIN pad (with its lock after wrong tries), then the panel's
// rows (storage, outbox, sync, errors, active forms), sync now, retrying what the server turned down, exporting
// the outbox to a USB stick, enrolling with a server, and ending the app. Every action is in the audit log.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "flow_context.h"
#include "typing.h"
#include "minyi/store/pin_lock.h"
#include "minyi/ui/view_model.h"

namespace minyi::app {

class AdminPanel {
 public:
  AdminPanel(FlowContext& ctx, Typing& typing) : ctx_(ctx), typing_(typing) {}
  // The PIN's hash from the config (none: the panel cannot be opened) and where exports go.
  void configure(std::string pinHash, std::string exportFolder);

  void cornerTap();  // five within 3 s open the PIN pad
  void pinEntered();  // 完成 on the PIN pad
  // Back: from enrollment to the panel, from the panel or the PIN pad to the screen they were opened over.
  void back();
  void syncNow();
  void retryUnsettled();
  void exportOutbox();
  void exit();
  void openEnroll();
  void editEnroll(ui::command::EnrollInput field);
  void submitEnroll();
  // Enrolls from a provisioning file on the USB stick (the export folder), signed by the township's server.
  // `automatic`: the panel looks by itself while it is open on a kiosk not yet enrolled (a stick inserted is
  // enough); it then says nothing when there is no file, and tries each file once. Returns true when the
  // screen changed.
  bool enrollFromStick(bool automatic);
  // The uploader reported something: the panel's rows and an enrollment's outcome. True when they changed.
  bool syncNews();
  // Nobody touched the panel for the idle time: it closes and the screen it was opened over comes back.
  void timedOut();

  bool open() const;  // the PIN pad, the panel or enrollment is up
  bool exitRequested() const { return exitRequested_; }
  std::string pinMessage() const;  // a lock's seconds count down
  bool pinLocked(Clock::time_point at) const { return pinLock_ && pinLock_->locked(at); }
  Clock::time_point pinLockedUntil() const { return pinLock_ ? pinLock_->lockedUntil() : Clock::time_point{}; }
  const ui::AdminInfo& info() const { return info_; }
  const ui::EnrollView& enrollment() const { return enroll_; }

 private:
  void openPinPad();
  void refreshInfo(bool keepMessage = false);
  void syncRows();
  FlowContext& ctx_;
  Typing& typing_;
  std::vector<Clock::time_point> cornerTaps_;
  std::unique_ptr<store::PinLock> pinLock_;
  std::string exportFolder_ = "/media/usb";
  std::string pinMessage_;
  ui::AdminInfo info_;
  ui::EnrollView enroll_;
  ui::Screen openedOver_ = ui::Screen::Attract;
  std::set<std::string> sticksTried_;
  std::string stickFile_;  // the provisioning file being enrolled with: marked used when it worked  // provisioning files (name, size, time) already tried by themselves
  bool exitRequested_ = false;
};

}  // namespace minyi::app
