#include "auth/rate_limit_headers.hpp"

namespace sluice::auth {

std::string openai_duration(int64_t ns) {
  const int64_t ms = (ns + 999'999) / 1'000'000;  // up: "0s" only when nothing is left
  if (ms <= 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out;
  const int64_t hours = ms / 3'600'000;
  const int64_t minutes = ms / 60'000 % 60;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(ms / 1000 % 60);
  if (int64_t fraction = ms % 1000; fraction > 0) {
    std::string digits = std::to_string(fraction + 1000).substr(1);  // three digits
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  out += "s";
  return out;
}

void add_rate_limit_headers(http::Response& response, std::string_view kind, int64_t limit,
                            int64_t remaining, int64_t reset_ns) {
  std::string name = "x-ratelimit-limit-";
  name += kind;
  response.add_header(name, std::to_string(limit));
  name.replace(12, 5, "remaining");
  response.add_header(name, std::to_string(remaining));
  name.replace(12, 9, "reset");
  response.add_header(std::move(name), openai_duration(reset_ns));
}

void add_retry_after(http::Response& response, int64_t retry_after_ms) {
  response.add_header("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
  response.add_header("retry-after-ms", std::to_string(retry_after_ms));
}

}  // namespace sluice::auth
