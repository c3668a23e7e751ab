// A kiosk's USB export (docs/kiosk-storage.md, "USB export"): one JSON line per submission and a manifest beside
// them. The kiosk's store writes them and `minyi import` reads them, both through these types.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "minyi/protocol/messages.h"

namespace minyi::protocol {

constexpr const char* kUsbExportFormat = "minyi-outbox-export";
constexpr int kUsbExportFormatVersion = 1;

// One submission on the stick: the envelope the network would carry (its `sealed` is the line's `payload`)
// and the kiosk's view of it, so staff see what the network could not deliver.
struct ExportedSubmission {
  Envelope envelope;
  std::string state;      // pending | sent | conflict | rejected
  int64_t attempts = 0;   // failed upload attempts
  std::string lastError;  // empty: none
  std::string sentAt;     // empty: not sent
};
// The line, without its newline. Text that is not UTF-8 (a proxy's error words) is replaced, never thrown on.
std::string exportLine(const ExportedSubmission& s);
// Reads a line as the import takes it: the envelope checked as an upload's is; the kiosk's view as far as it is
// there. nullopt with a sentence in `why` when the line is not a submission.
std::optional<ExportedSubmission> parseExportLine(std::string_view line, std::string* why);

// The manifest: what the data file must be (its size, SHA-256 and number of lines), where it came from.
struct ExportManifest {
  std::string createdAt;  // UTC ISO-8601
  std::string siteId;     // the kiosk's site
  std::string deviceId;   // the server's name for the kiosk, or its own id when it was never enrolled
  std::string kioskId;    // the kiosk's own id, which its answers are sealed with (may be empty: older kiosks)
  bool everything = false;  // scope "all" (sent ones too) rather than "unsent"
  std::string dataFile;     // a plain file name in the same folder
  uint64_t dataBytes = 0;
  std::string dataSha256;   // hex
  int64_t submissions = 0;  // lines in the data file
  int64_t pending = 0, sent = 0, conflict = 0, rejected = 0;
};
std::string manifestText(const ExportManifest& m);  // indented JSON with a final newline
// nullopt with a sentence when the text is not a manifest this build can read (format, version, a data
// file that is not a plain name in the same folder, missing numbers).
std::optional<ExportManifest> parseExportManifest(std::string_view text, std::string* why);

}  // namespace minyi::protocol
