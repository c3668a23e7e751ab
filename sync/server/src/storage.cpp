// Choosing the storage backend [storage] names: SQLite is built in; PostgreSQL comes with issue #15.
#include "minyi/server/server_store.h"

namespace minyi::server {

const std::vector<std::string>& storageBackends() {
  static const std::vector<std::string> names = {"sqlite"};
  return names;
}

std::string storageBackendNames() {
  std::string names;
  for (const std::string& n : storageBackends()) names += (names.empty() ? "" : ", ") + n;
  return names;
}

std::unique_ptr<ServerStore> openStorage(const StorageConfig& config) {
  if (config.backend == "sqlite") return openDataFolder(config.dataDir);
  throw StoreError("the storage backend \"" + config.backend + "\" is not built into this program (built in: " +
                   storageBackendNames() + ")");
}

}  // namespace minyi::server
