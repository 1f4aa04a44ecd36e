#pragma once
// traffic.replay: the chat completions of a Sluice access log (log.format: json,
// log.access_log: true) as the traffic of a scenario. A request arrived at its line's `ts` (when
// it ended) minus its `duration_ms`; it names its `model`; it was streamed when the line has a
// `ttft_ms` (the log has no stream field: a stream that failed before its first token replays as
// not streamed); it asks for the line's `prompt_tokens` and gets `completion_tokens` (at least 1:
// a failed request's answer length is unknown). Other lines (other routes, other messages, text
// that is not JSON) are passed over.

#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// A log longer than this is refused: the replay keeps every request in memory (24 bytes each).
inline constexpr std::size_t kMaxReplayedRequests = 20'000'000;

// Reads `path`, replayed at `speed`; the requests' models must be routable by `gateway`. With
// `answers`, also each line's `tries` (the attempts and how the upstream answered them, at their
// logged pace whatever the speed). Errors name the key path `traffic.replay.file` (or
// `traffic.replay.answers`).
Result<ReplayedTraffic, std::vector<core::ConfigError>> read_access_log(
    const std::string& path, double speed, const core::GatewayConfig& gateway,
    bool answers = false);

// Milliseconds since the Unix epoch of an RFC 3339 UTC time as the logger writes it
// ("2026-11-22T20:15:01.123Z", the fraction optional); nullopt when it is not one.
std::optional<double> parse_log_time(std::string_view text);

}  // namespace sluice::sim
