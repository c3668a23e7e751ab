// Internal: the dashboard's CSS (assets/dashboard/style.css), built into the program by embed_files.cmake.
#pragma once
#include <string_view>

namespace minyi::server::dash::assets {
std::string_view css();
}  // namespace minyi::server::dash::assets
