// Times on the wire and in databases: UTC ISO-8601 with milliseconds (docs/protocol.md, "Rules").
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace minyi::protocol {

// 2026-11-27T08:00:00.123Z. Text of this one shape sorts in time order, so databases compare it as text.
std::string isoUtc(std::chrono::system_clock::time_point t);
// How far a kiosk's clock may be from the server's before it counts as wrong: the server then files by its
// own time (ingest), the devices page and the kiosk's admin panel say so.
constexpr std::chrono::minutes kClockTolerance{5};

// The time of 2026-11-27T08:00:00Z or 2026-11-27T08:00:00.123Z (a real date and time); nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parseIsoUtc(std::string_view iso);

}  // namespace minyi::protocol
