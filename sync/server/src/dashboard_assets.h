// Internal: the dashboard's CSS and string table (assets/dashboard), built into the program by embed_files.cmake.
#pragma once
#include <string_view>

namespace minyi::server::dash::assets {
std::string_view css();
std::string_view stringsZhCn();
}  // namespace minyi::server::dash::assets
