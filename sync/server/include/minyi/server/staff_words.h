// The words staff read (assets/dashboard/strings.zh-CN.json and tickets.zh-CN.json, built into the program): the
// dashboard's pages and the exports' headers and answer words both take them from here.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace minyi::server {

// A string table. A missing key shows as [[key]], which the tests look for on every page.
class Strings {
 public:
  void load(std::string_view json);
  std::string get(const std::string& key) const;
  // {0}, {1}, ... replaced by the arguments (plain text; escaping is the caller's).
  std::string format(const std::string& key, const std::vector<std::string>& args) const;

 private:
  std::map<std::string, std::string> texts_;
};

// The staff's table (zh-CN).
const Strings& strings();

}  // namespace minyi::server
