#include "core/config_values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "core/strings.hpp"

namespace sluice::core {
namespace {

// __int128 so that "whole * unit + fraction * unit" cannot overflow before the range check.
using Wide = unsigned __int128;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string quoted(std::string_view s) {
  std::string out;  // appended, not `"'" + ... + "'"`, which trips GCC 12's -Wrestrict
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

// A non-negative decimal number such as "12" or "1.25", split so that it can be scaled exactly.
struct Decimal {
  Wide whole = 0;
  Wide fraction = 0;        // digits after the point, as an integer
  Wide fraction_scale = 1;  // 10^(number of fraction digits)
};

// Consumes a decimal number from the front of `s`. At most 18 digits on each side, which is far
// beyond any sensible configuration value and keeps the arithmetic in range.
std::optional<Decimal> take_decimal(std::string_view& s) {
  Decimal d;
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (i == 18) return std::nullopt;
    d.whole = d.whole * 10 + static_cast<unsigned>(s[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) {
      if (i - start == 18) return std::nullopt;
      d.fraction = d.fraction * 10 + static_cast<unsigned>(s[i] - '0');
      d.fraction_scale *= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  s.remove_prefix(i);
  return d;
}

// d * unit, if that is a whole number.
std::optional<Wide> scale_exact(const Decimal& d, Wide unit) {
  Wide fraction = d.fraction * unit;
  if (fraction % d.fraction_scale != 0) return std::nullopt;
  return d.whole * unit + fraction / d.fraction_scale;
}

}  // namespace

ValueResult<Millis> parse_duration(std::string_view text) {
  const std::string_view original = text;
  const auto bad = [&] {
    return ValueError{"expected a duration like 250ms, 5s, 1m, 1h or 7d, got " + quoted(original)};
  };
  text = trim(text);
  if (!text.empty() && text.front() == '-') {
    return ValueError{"a duration cannot be negative, got " + quoted(original)};
  }
  std::optional<Decimal> number = take_decimal(text);
  if (!number) return bad();
  std::string_view unit = trim(text);
  Wide millis_per_unit = 0;
  if (unit.empty() || unit == "s") {
    millis_per_unit = 1000;  // a bare number is seconds, like most timeouts people write
  } else if (unit == "ms") {
    millis_per_unit = 1;
  } else if (unit == "m") {
    millis_per_unit = 60'000;
  } else if (unit == "h") {
    millis_per_unit = 3'600'000;
  } else if (unit == "d") {  // retentions: the README's defaults are written in days
    millis_per_unit = 86'400'000;
  } else {
    return bad();
  }
  std::optional<Wide> millis = scale_exact(*number, millis_per_unit);
  if (!millis) {
    return ValueError{"a duration must be a whole number of milliseconds, got " + quoted(original)};
  }
  if (*millis > static_cast<Wide>(std::numeric_limits<Millis::rep>::max())) {
    return ValueError{"duration " + quoted(original) + " is too large"};
  }
  return Millis{static_cast<Millis::rep>(*millis)};
}

ValueResult<Seconds> parse_seconds(std::string_view text) {
  const std::string_view original = text;
  text = trim(text);
  if (!text.empty() && text.front() == '-')
    return ValueError{"a duration cannot be negative, got " + quoted(original)};
  // The number ends where the unit's letters begin ("1e-3s" is not accepted: write 1ms).
  std::size_t split = 0;
  while (split < text.size() && (is_digit(text[split]) || text[split] == '.')) ++split;
  const std::string_view number = text.substr(0, split);
  const std::string_view unit = trim(text.substr(split));
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  double seconds_per_unit = 0;
  if (unit.empty() || unit == "s") {
    seconds_per_unit = 1;
  } else if (unit == "ms") {
    seconds_per_unit = 1e-3;
  } else if (unit == "us") {
    seconds_per_unit = 1e-6;
  } else if (unit == "m") {
    seconds_per_unit = 60;
  } else if (unit == "h") {
    seconds_per_unit = 3600;
  } else if (unit == "d") {
    seconds_per_unit = 86400;
  }
  if (number.empty() || ec != std::errc{} || end != number.data() + number.size() ||
      seconds_per_unit == 0 || !std::isfinite(value))
    return ValueError{"expected a duration like 250us, 12.5ms, 0.3s, 2m or 1h, got " +
                      quoted(original)};
  return Seconds{value * seconds_per_unit};
}

ValueResult<std::size_t> parse_byte_size(std::string_view text) {
  const std::string_view original = text;
  const auto bad = [&] {
    return ValueError{"expected a size like 1048576, 512k, 16KiB or 1MB, got " + quoted(original)};
  };
  text = trim(text);
  if (!text.empty() && text.front() == '-') {
    return ValueError{"a size cannot be negative, got " + quoted(original)};
  }
  std::optional<Decimal> number = take_decimal(text);
  if (!number) return bad();
  const std::string unit = lower(trim(text));
  constexpr Wide kKi = 1024;
  static const std::array<std::pair<std::string_view, Wide>, 18> kUnits = {{
      {"", 1},
      {"b", 1},
      {"k", kKi},
      {"ki", kKi},
      {"kib", kKi},
      {"kb", 1000},
      {"m", kKi * kKi},
      {"mi", kKi * kKi},
      {"mib", kKi * kKi},
      {"mb", 1000 * 1000},
      {"g", kKi * kKi * kKi},
      {"gi", kKi * kKi * kKi},
      {"gib", kKi * kKi * kKi},
      {"gb", 1000 * 1000 * 1000},
      {"t", kKi * kKi * kKi * kKi},
      {"ti", kKi * kKi * kKi * kKi},
      {"tib", kKi * kKi * kKi * kKi},
      {"tb", Wide{1000} * 1000 * 1000 * 1000},
  }};
  for (const auto& [name, multiplier] : kUnits) {
    if (unit != name) continue;
    std::optional<Wide> bytes = scale_exact(*number, multiplier);
    if (!bytes)
      return ValueError{"a size must be a whole number of bytes, got " + quoted(original)};
    if (*bytes > static_cast<Wide>(std::numeric_limits<std::size_t>::max())) {
      return ValueError{"size " + quoted(original) + " is too large"};
    }
    return static_cast<std::size_t>(*bytes);
  }
  return bad();
}

ValueResult<bool> parse_bool(std::string_view text) {
  const std::string v = lower(trim(text));
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return ValueError{"expected a boolean (true/false, yes/no, on/off, 1/0), got " + quoted(text)};
}

ValueResult<long long> parse_integer(std::string_view text) {
  std::string_view v = trim(text);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  long long out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) {
    if (ec == std::errc::result_out_of_range) {
      return ValueError{"integer " + quoted(text) + " is out of range"};
    }
    return ValueError{"expected an integer, got " + quoted(text)};
  }
  return out;
}

ValueResult<double> parse_number(std::string_view text) {
  std::string_view v = trim(text);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  double out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || !std::isfinite(out)) {
    return ValueError{"expected a number, got " + quoted(text)};
  }
  return out;
}

ValueResult<uint16_t> parse_port(std::string_view text) {
  std::string_view v = trim(text);
  const bool digits_only = !v.empty() && v.size() <= 5 &&
                           std::all_of(v.begin(), v.end(), [](char c) { return is_digit(c); });
  if (!digits_only) {
    return ValueError{"expected a port number between 0 and 65535, got " + quoted(text)};
  }
  unsigned port = 0;
  std::from_chars(v.data(), v.data() + v.size(), port);
  if (port > 65535) {
    return ValueError{"expected a port number between 0 and 65535, got " + quoted(text)};
  }
  return static_cast<uint16_t>(port);
}

ValueResult<ListenAddress> parse_listen(std::string_view text) {
  const auto bad = [&](std::string why) {
    return ValueError{std::move(why) + ", got " + quoted(text) +
                      " (expected host:port, [ipv6]:port or :port)"};
  };
  std::string_view v = trim(text);
  if (v.empty()) return bad("empty listen address");
  ListenAddress out;
  std::string_view port_text;
  if (v.front() == '[') {
    const std::size_t close = v.find(']');
    if (close == std::string_view::npos) return bad("missing ']' after the IPv6 address");
    std::string_view host = v.substr(1, close - 1);
    const bool valid =
        host.find(':') != std::string_view::npos &&
        std::all_of(host.begin(), host.end(), [](char c) {
          // Hex digits, separators, and an alphanumeric zone id after '%'.
          return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '.' || c == '%';
        });
    if (!valid) return bad("invalid IPv6 address");
    std::string_view rest = v.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return bad("missing ':port' after the IPv6 address");
    out.host = std::string(host);
    port_text = rest.substr(1);
  } else {
    const std::size_t colon = v.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port");
    std::string_view host = v.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return bad("IPv6 addresses need brackets, e.g. [::1]:8080");
    }
    const bool valid = std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!valid) return bad("invalid host");
    // ":8080" binds every interface, as in Go's net.Listen and most PaaS examples.
    out.host = host.empty() ? "0.0.0.0" : std::string(host);
    port_text = v.substr(colon + 1);
  }
  if (port_text.empty()) return bad("missing port");
  ValueResult<uint16_t> port = parse_port(port_text);
  if (!port) return bad("port must be a number between 0 and 65535");
  out.port = *port;
  return out;
}

ValueResult<LogLevel> parse_log_level(std::string_view text) {
  const std::string v = lower(trim(text));
  if (v == "debug") return LogLevel::debug;
  if (v == "info") return LogLevel::info;
  if (v == "warn" || v == "warning") return LogLevel::warn;
  if (v == "error") return LogLevel::error;
  return ValueError{"expected a log level (debug, info, warn, error), got " + quoted(text)};
}

ValueResult<LogFormat> parse_log_format(std::string_view text) {
  const std::string v = lower(trim(text));
  if (v == "json") return LogFormat::json;
  if (v == "text") return LogFormat::text;
  return ValueError{"expected a log format (json, text), got " + quoted(text)};
}

ValueResult<Profile> parse_profile(std::string_view text) {
  const std::string v = lower(trim(text));
  if (v == "dev" || v == "development") return Profile::dev;
  if (v == "staging") return Profile::staging;
  if (v == "prod" || v == "production") return Profile::prod;
  return ValueError{"expected a profile (dev, staging, prod), got " + quoted(text)};
}

std::string format_duration(Millis duration) {
  const Millis::rep ms = duration.count();
  if (ms == 0) return "0s";
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string redact_url_credentials(std::string_view value) {
  const std::size_t scheme_end = value.find("://");
  if (scheme_end == std::string_view::npos) return std::string(value);
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = value.find_first_of("/?#", authority);
  const std::size_t at = value.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority) return std::string(value);
  const std::size_t colon = value.substr(0, at).find(':', authority);
  const std::size_t secret = colon == std::string_view::npos ? authority : colon + 1;
  return std::string(value.substr(0, secret)) + "<redacted>" + std::string(value.substr(at));
}

}  // namespace sluice::core
