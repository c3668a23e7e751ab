// `minyi import`'s work: a kiosk's USB export checked and fed through ingest (see usb_import.h).
#include "minyi/server/usb_import.h"

#include <algorithm>

#include "minyi/core/json_input.h"
#include "minyi/protocol/usb_export.h"
#include "minyi/server/ingest.h"

namespace minyi::server {

namespace {

// A stick holds at most this much data per export (what a kiosk's outbox can hold, with room).
constexpr size_t kMaxExportBytes = size_t{2} << 30;

}  // namespace

UsbImportReport importUsbExport(ServerStore& store, const protocol::KeyPair& keys,
                                const std::filesystem::path& manifestPath, const UsbImportOptions& options) {
  UsbImportReport report;
  auto refuse = [&](const std::string& why) {
    report.refused = why;
    return report;
  };
  std::string why;
  auto manifestText = core::readTextFile(manifestPath.string(), &why, 1 << 20);
  if (!manifestText) return refuse(why);
  auto manifest = protocol::parseExportManifest(*manifestText, &why);
  if (!manifest) return refuse(why);
  auto data = core::readTextFile((manifestPath.parent_path() / manifest->dataFile).string(), &why, kMaxExportBytes);
  if (!data) return refuse(why);
  const int64_t lines = std::count(data->begin(), data->end(), '\n');
  if (data->size() != manifest->dataBytes || protocol::sha256Hex(*data) != manifest->dataSha256 ||
      lines != manifest->submissions)
    return refuse("the data file " + manifest->dataFile + " does not match its manifest (damaged or incomplete copy)");

  report.siteId = options.siteOverride.empty() ? manifest->siteId : options.siteOverride;
  if (!store.site(report.siteId))
    return refuse("the export is from site '" + report.siteId + "', which this server does not know (give --site)");
  // Record the kiosk only when the server knows it; an export may come from a kiosk never enrolled.
  const auto device = manifest->deviceId.empty() ? std::nullopt : store.device(manifest->deviceId);
  // A revoked kiosk (lost, stolen, replaced) may still have a stick's worth of data: an admin decides.
  if (device && device->revoked() && !options.acceptRevoked)
    return refuse("the export is from kiosk " + manifest->deviceId + ", which staff revoked on " +
                  device->revokedAt.substr(0, 10) +
                  " (lost or stolen?); if an admin knows these submissions are genuine, import again with --accept-revoked");
  // The kiosk's own id, which its answers are sealed with: the server's record of it, else what the manifest
  // says (a kiosk never enrolled; the stick is trusted no further than its admin trusts it).
  const std::string kioskId = device && !device->kioskId.empty() ? device->kioskId : manifest->kioskId;
  const Origin origin{device ? manifest->deviceId : "", report.siteId, "usb", kioskId};
  report.submissions = lines;

  std::vector<protocol::Envelope> batch;
  std::vector<int64_t> batchLines;
  auto count = [&](protocol::Outcome o) {
    switch (o) {
      case protocol::Outcome::Stored: ++report.stored; break;
      case protocol::Outcome::Duplicate: ++report.duplicate; break;
      case protocol::Outcome::Conflict: ++report.conflict; break;
      case protocol::Outcome::Rejected: ++report.rejected; break;
    }
  };
  auto flush = [&] {
    if (batch.empty()) return;
    const auto reply = ingestBatch(store, keys, batch, origin);
    for (size_t i = 0; i < reply.results.size(); ++i) {
      const auto& r = reply.results[i];
      count(r.outcome);
      if (r.outcome == protocol::Outcome::Conflict || r.outcome == protocol::Outcome::Rejected)
        report.problems.push_back({batchLines[i], r.id, r.outcome, r.reason});
    }
    batch.clear();
    batchLines.clear();
  };
  int64_t lineNo = 0;
  for (size_t start = 0; start < data->size();) {
    size_t end = data->find('\n', start);
    if (end == std::string::npos) end = data->size();
    const std::string_view line(data->data() + start, end - start);
    start = end + 1;
    ++lineNo;
    auto submission = protocol::parseExportLine(line, &why);
    if (!submission) {
      count(protocol::Outcome::Rejected);
      report.problems.push_back({lineNo, "", protocol::Outcome::Rejected, why});
      continue;
    }
    batch.push_back(std::move(submission->envelope));
    batchLines.push_back(lineNo);
    if (batch.size() == protocol::kMaxBatch) flush();
  }
  flush();
  return report;
}

}  // namespace minyi::server
