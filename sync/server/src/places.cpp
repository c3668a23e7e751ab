// The township's places: the id rule and the demo township of the seed reports.
#include "minyi/server/places.h"

#include <algorithm>

namespace minyi::server {

bool isPlaceId(const std::string& id) {
  if (id.empty() || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

const TownshipPlaces& demoTownship() {
  static const TownshipPlaces places{
      {{"donghu", "东湖社区", 1516}, {"donglian", "东联社区", 1869}, {"huayuan", "花园社区", 1300}},
      {{"jiedao-office", "街道办事处", ""},
       {"jiedao-culture", "街道文化中心", ""},
       {"donghu-dqfwzx", "东湖社区党群服务中心", "donghu"},
       {"donglian-dqfwzx", "东联社区党群服务中心", "donglian"},
       {"huayuan-dqfwzx", "花园社区党群服务中心", "huayuan"},
       {"donglian-culture", "东联社区文化中心", "donglian"}}};
  return places;
}

int addPlaces(SiteStore& store, const TownshipPlaces& places) {
  int added = 0;
  for (const Community& c : places.communities) added += store.addCommunity(c) ? 1 : 0;
  for (const Site& s : places.sites) added += store.addSite(s) ? 1 : 0;
  return added;
}

}  // namespace minyi::server
