// libFuzzer target: any bytes as a request body to minyi-server — the protocol parsers of every route, and a
// batch that parses goes through the real ingest into a real SQLite store (DESIGN.md §12).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/server/ingest.h"
#include "minyi/server/places.h"
#include "minyi/server/server_store.h"

namespace {

struct Server {
  std::unique_ptr<minyi::server::ServerStore> store;
  minyi::protocol::KeyPair keys = minyi::protocol::generateKeyPair();
  Server() {
    const auto dir = std::filesystem::temp_directory_path() / ("minyi-fuzz-" + minyi::protocol::randomHex(4));
    store = minyi::server::openDataFolder(dir.string());
    minyi::server::addPlaces(*store, minyi::server::demoTownship());
    minyi::server::StoredForm f{"opinion", 1, "", "survey", R"({"minyi":{"id":"opinion","version":1},"pages":[]})",
                                "2026-11-27T00:00:00Z"};
    f.hash = minyi::protocol::formContentHash(f.json);
    store->addForm(f);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Server server;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;
  // Every parser a request or reply passes through must answer with a value or a sentence, never crash.
  minyi::protocol::parseEnrollRequest(body, &why);
  minyi::protocol::parseEnrollReply(body, &why);
  minyi::protocol::parseFormsReply(body, &why);
  minyi::protocol::parseNoticesReply(body, &why);
  minyi::protocol::parseTicketsReply(body, &why);
  minyi::protocol::parseApiError(body);
  minyi::protocol::parseBatchReply(body, {"00000000-0000-4000-8000-000000000001"}, &why);
  if (auto batch = minyi::protocol::parseSubmissionBatch(body, &why)) {
    const auto reply = minyi::server::ingestBatch(*server.store, server.keys, batch->submissions, {"", "donghu-dqfwzx", "usb", {}});
    if (reply.results.size() != batch->submissions.size()) __builtin_trap();  // one answer per id, always
  }
  return 0;
}
