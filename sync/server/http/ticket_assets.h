// Internal: the residents' ticket page's strings (zh-CN, zh-TW, en) and its CSS, built in by embed_files.cmake.
#pragma once
#include <string_view>

namespace minyi::server::ticket_assets {
std::string_view public_zh_cn();  // assets/dashboard/public.zh-CN.json
std::string_view public_zh_tw();  // assets/dashboard/public.zh-TW.json
std::string_view public_en();     // assets/dashboard/public.en.json
std::string_view css();           // assets/dashboard/ticket.css
}  // namespace minyi::server::ticket_assets
