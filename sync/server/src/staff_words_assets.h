// Internal: the staff's string tables (assets/dashboard), built into the program by embed_files.cmake.
#pragma once
#include <string_view>

namespace minyi::server::words {
std::string_view dashboard();  // assets/dashboard/strings.zh-CN.json
std::string_view tickets();    // assets/dashboard/tickets.zh-CN.json, the ticket pages' entries
}  // namespace minyi::server::words
