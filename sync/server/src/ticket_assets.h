// Internal: the ticket pages' strings (staff zh-CN; public zh-CN, zh-TW, en) and the public page's CSS, built in by embed_files.cmake.
#pragma once
#include <string_view>

namespace minyi::server::ticket_assets {
std::string_view staff();         // assets/dashboard/tickets.zh-CN.json, merged into the dashboard's table
std::string_view public_zh_cn();  // assets/dashboard/public.zh-CN.json
std::string_view public_zh_tw();  // assets/dashboard/public.zh-TW.json
std::string_view public_en();     // assets/dashboard/public.en.json
std::string_view css();           // assets/dashboard/ticket.css
}  // namespace minyi::server::ticket_assets
