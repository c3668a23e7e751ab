// A kiosk's USB export delivered to the server (`minyi import`): the manifest checked against its data file,
// then every line through the same ingest as a network upload (docs/kiosk-storage.md, "USB export").
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/server/server_store.h"

namespace minyi::server {

struct UsbImportOptions {
  std::string siteOverride;    // the site to file under when the stick's site is wrong or unknown here
  bool acceptRevoked = false;  // an admin knows the export of a revoked kiosk is genuine
};

// One line the server did not store, by its line number in the data file.
struct UsbImportProblem {
  int64_t line = 0;
  std::string id;  // empty when the line is not a submission at all
  protocol::Outcome outcome = protocol::Outcome::Rejected;
  std::string reason;
};

struct UsbImportReport {
  std::string refused;  // why the export was refused whole (nothing of it imported); empty when it was read
  std::string siteId;   // where its submissions were filed
  int64_t submissions = 0;
  int64_t stored = 0, duplicate = 0, conflict = 0, rejected = 0;
  std::vector<UsbImportProblem> problems;  // the conflicting and rejected lines, in order
};

// Imports the export whose manifest is `manifestPath`. Throws StoreError when the database fails; whatever
// was stored before stays (ids make a second import of the same stick harmless).
UsbImportReport importUsbExport(ServerStore& store, const protocol::KeyPair& keys,
                                const std::filesystem::path& manifestPath, const UsbImportOptions& options);

}  // namespace minyi::server
