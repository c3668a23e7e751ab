// Phone numbers kept from those who may not read them: in the phone answer itself and inside free text.
#pragma once
#include <string>
#include <string_view>

namespace minyi::server {

// A phone answer as viewers, exports for them and the public read it: its digits hidden but the last 4, and a
// mobile number's first 3 too (138****1234), however it was typed (spaces, hyphens, brackets, full-width
// digits, +86 / 0086 in front). Separators stay, so the shape of what was typed stays readable.
std::string maskPhone(std::string_view phone);

// Free text with every phone number in it masked as maskPhone does, whatever its spelling: a number a
// resident typed into a complaint, or staff copied into a reply, never reaches a wall, a phone screen or a
// viewer (DESIGN.md §11). Other runs of 7 or more digits (ID card and bank numbers) are hidden entirely.
// Left as they are: dates (2026-03-05, 2026.3.5, 20260305), times, ticket codes (K3M9Q-2XH7R, and an
// all-digit one whose check symbol holds), building and room numbers (3-2-1502, 12栋3单元1502室), amounts.
std::string maskPhoneNumbers(std::string_view text);

}  // namespace minyi::server
