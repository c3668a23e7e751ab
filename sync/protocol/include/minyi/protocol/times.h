// Times on the wire and in databases: UTC ISO-8601 with milliseconds (docs/protocol.md, "Rules").
#pragma once
#include <chrono>
#include <string>

namespace minyi::protocol {

// 2026-11-27T08:00:00.123Z. Text of this one shape sorts in time order, so databases compare it as text.
std::string isoUtc(std::chrono::system_clock::time_point t);

}  // namespace minyi::protocol
