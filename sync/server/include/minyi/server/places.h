// The township's places (communities and sites) as data: the id rule the command line and the dashboard share,
// and the demo township that `minyi demo` and the tests add.
#pragma once
#include <string>
#include <vector>

#include "minyi/server/server_store.h"

namespace minyi::server {

// Ids are short and stable (kiosks, exports and the dashboard's links name them): 1-40 lowercase letters,
// digits and dashes.
bool isPlaceId(const std::string& id);

struct TownshipPlaces {
  std::vector<Community> communities;
  std::vector<Site> sites;
};

// The township of the seed reports: three communities (households from its civilized-city report) and the six
// places it names as its campaign sites. Demo data, not a default: a real township adds its own places.
const TownshipPlaces& demoTownship();

// Adds the places that are not there yet (by id), communities before their sites; returns how many it added.
int addPlaces(SiteStore& store, const TownshipPlaces& places);

}  // namespace minyi::server
