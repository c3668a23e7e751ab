// Choosing the storage backend [storage] names: SQLite is built in; PostgreSQL comes with issue #15.
#include "minyi/server/server_store.h"

namespace minyi::server {

const std::vector<std::string>& storageBackends() {
  static const std::vector<std::string> names = {"sqlite"};
  return names;
}

std::unique_ptr<ServerStore> openStorage(const StorageConfig& config) {
  if (config.backend == "sqlite") return openDataFolder(config.dataDir);
  std::string known;
  for (const std::string& n : storageBackends()) known += (known.empty() ? "" : ", ") + n;
  throw StoreError("the storage backend \"" + config.backend + "\" is not built into this program (built in: " + known + ")");
}

}  // namespace minyi::server
