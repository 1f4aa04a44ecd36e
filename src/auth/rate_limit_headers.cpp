#include "auth/rate_limit_headers.hpp"

#include <charconv>

namespace sluice::auth {

std::string openai_duration(int64_t ns) {
  const int64_t ms = (ns + 999'999) / 1'000'000;  // up: "0s" only when nothing is left
  // Written into a buffer and made a string once: short enough to need no allocation.
  char text[48];
  char* out = text;
  char* const end = text + sizeof text;
  const auto number = [&out, end](int64_t value) { out = std::to_chars(out, end, value).ptr; };
  if (ms < 1000) {
    number(ms);
    if (ms > 0) *out++ = 'm';
  } else {
    const int64_t hours = ms / 3'600'000;
    const int64_t minutes = ms / 60'000 % 60;
    if (hours > 0) {
      number(hours);
      *out++ = 'h';
    }
    if (hours > 0 || minutes > 0) {
      number(minutes);
      *out++ = 'm';
    }
    number(ms / 1000 % 60);
    if (int64_t fraction = ms % 1000; fraction > 0) {
      *out++ = '.';
      for (int64_t digit = 100; fraction > 0; digit /= 10) {  // trailing zeros dropped
        *out++ = static_cast<char>('0' + fraction / digit);
        fraction %= digit;
      }
    }
  }
  *out++ = 's';
  return std::string(text, out);
}

namespace {

struct HeaderNames {
  std::string_view limit, remaining, reset;
};
constexpr HeaderNames kRequests{"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                                "x-ratelimit-reset-requests"};
constexpr HeaderNames kTokens{"x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
                              "x-ratelimit-reset-tokens"};

}  // namespace

void add_rate_limit_headers(http::Response& response, RateLimitKind kind, int64_t limit,
                            int64_t remaining, int64_t reset_ns) {
  // Names from constants: one allocation each for the response to own, none to build them.
  const HeaderNames& names = kind == RateLimitKind::requests ? kRequests : kTokens;
  response.add_header(std::string(names.limit), std::to_string(limit));
  response.add_header(std::string(names.remaining), std::to_string(remaining));
  response.add_header(std::string(names.reset), openai_duration(reset_ns));
}

void add_retry_after(http::Response& response, int64_t retry_after_ms) {
  response.add_header("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
  response.add_header("retry-after-ms", std::to_string(retry_after_ms));
}

}  // namespace sluice::auth
