// Internal: the kiosk database schema as a list of migrations applied by PRAGMA user_version.
#pragma once
#include <sqlite3.h>

#include <optional>

#include "minyi/store/error.h"

namespace minyi::store::detail {

// "MnYi" in the database header, so a stray SQLite file is never mistaken for a kiosk database.
constexpr int kApplicationId = 0x4D6E5969;

// The user_version this build migrates to (the number of migration steps).
int latestSchemaVersion();

// Brings a database from `current` to latestSchemaVersion(), one transaction per step, each step
// re-checking user_version inside its transaction. nullopt on success.
std::optional<StoreError> migrate(sqlite3* db, int current);

}  // namespace minyi::store::detail
