#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/result.hpp"

namespace sluice::core {

// A duration finer than milliseconds ("12.5ms"), for values that are measured rather than
// configured limits: the latencies of a simulated upstream.
using Seconds = std::chrono::duration<double>;

// Why a configuration value was rejected, phrased for the operator who wrote it.
struct ValueError {
  std::string message;
};

template <class T>
using ValueResult = Result<T, ValueError>;

struct ListenAddress {
  std::string host;  // without brackets: "::1", "0.0.0.0", "localhost"
  uint16_t port = 0;

  bool operator==(const ListenAddress&) const = default;
};

// "250ms", "5s", "1m", "1h", or a bare number of seconds; decimals allowed ("1.5s") when the
// result is a whole number of milliseconds. Negative values are rejected.
ValueResult<Millis> parse_duration(std::string_view text);
// As parse_duration, with any fraction and also "us": "12.5ms", "250us", "0.3s", "2m", "1h", "1d",
// or a bare number of seconds. Negative, infinite and NaN values are rejected.
ValueResult<Seconds> parse_seconds(std::string_view text);

// A bare integer is bytes. Binary units: k/K, Ki, KiB (and m/M, g/G likewise, as nginx reads
// "512k"); decimal units: KB, MB, GB. Unit letters are case-insensitive.
ValueResult<std::size_t> parse_byte_size(std::string_view text);

// true/false, yes/no, on/off, 1/0, case-insensitive.
ValueResult<bool> parse_bool(std::string_view text);

// A decimal integer with optional sign.
ValueResult<long long> parse_integer(std::string_view text);
// A finite decimal number ("0.15", "2", "1e-3").
ValueResult<double> parse_number(std::string_view text);

// A TCP port number, 0..65535.
ValueResult<uint16_t> parse_port(std::string_view text);

// "host:port", "[v6addr]:port", or ":port" meaning 0.0.0.0.
ValueResult<ListenAddress> parse_listen(std::string_view text);

ValueResult<LogLevel> parse_log_level(std::string_view text);    // debug|info|warn|error
ValueResult<LogFormat> parse_log_format(std::string_view text);  // json|text
// dev|development, staging, prod|production.
ValueResult<Profile> parse_profile(std::string_view text);

// The shortest exact form that parse_duration reads back: "0s", "250ms", "5s", "10m", "1h".
std::string format_duration(Millis duration);

// A URL's credentials replaced: "scheme://user:<redacted>@host/...", or
// "scheme://<redacted>@host/..." when the user info is a bare token. Anything else unchanged.
std::string redact_url_credentials(std::string_view value);

}  // namespace sluice::core
