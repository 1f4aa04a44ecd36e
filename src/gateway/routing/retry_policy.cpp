#include "gateway/routing/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/strings.hpp"

namespace sluice::gateway {

namespace {

using core::trim;
using std::chrono::milliseconds;

// Absurdly large waits are clamped rather than overflowing: any budget rejects them anyway.
constexpr milliseconds kMaxWait{1'000'000'000'000'000};  // ~31,000 years

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A non-negative decimal without sign or exponent ("12", "1.5"), in `unit`s, rounded up to whole
// milliseconds, at most kMaxWait.
std::optional<milliseconds> parse_decimal(std::string_view text, double ms_per_unit) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double value = 0;
  double scale = 0;  // 0 before the decimal point, then 0.1, 0.01, ...
  bool any_digit = false;
  for (char c : text) {
    if (c == '.') {
      if (scale != 0) return std::nullopt;
      scale = 1;
      continue;
    }
    if (!is_digit(c)) return std::nullopt;
    any_digit = true;
    if (scale == 0) {
      value = value * 10 + (c - '0');
    } else {
      scale /= 10;
      value += (c - '0') * scale;
    }
  }
  if (!any_digit) return std::nullopt;
  const double ms = std::min(std::ceil(value * ms_per_unit), static_cast<double>(kMaxWait.count()));
  return milliseconds{static_cast<long long>(ms)};
}

// A left-to-right reader for the fixed layouts of HTTP dates.
class DateReader {
 public:
  explicit DateReader(std::string_view s) : s_(s) {}

  bool done() const { return s_.empty(); }
  bool literal(std::string_view text) {
    if (!s_.starts_with(text)) return false;
    s_.remove_prefix(text.size());
    return true;
  }
  void skip_spaces() {
    while (!s_.empty() && s_.front() == ' ') s_.remove_prefix(1);
  }
  // Between min and max digits.
  bool number(int min_digits, int max_digits, int& out) {
    int n = 0;
    out = 0;
    while (n < max_digits && n < static_cast<int>(s_.size()) && is_digit(s_[n])) {
      out = out * 10 + (s_[n] - '0');
      ++n;
    }
    if (n < min_digits) return false;
    s_.remove_prefix(n);
    return true;
  }
  bool word(std::string_view& out) {
    std::size_t n = 0;
    while (n < s_.size() && ((s_[n] >= 'a' && s_[n] <= 'z') || (s_[n] >= 'A' && s_[n] <= 'Z'))) {
      ++n;
    }
    if (n == 0) return false;
    out = s_.substr(0, n);
    s_.remove_prefix(n);
    return true;
  }
  bool month(int& out) {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (literal(kMonths[i])) {
        out = static_cast<int>(i) + 1;
        return true;
      }
    }
    return false;
  }
  bool time_of_day(int& h, int& m, int& s) {
    return number(2, 2, h) && literal(":") && number(2, 2, m) && literal(":") && number(2, 2, s);
  }

 private:
  std::string_view s_;
};

struct DateFields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate) or "Sunday, 06-Nov-94 08:49:37 GMT" (RFC 850,
// two-digit year resolved against `now_year` as RFC 9110 says).
bool read_comma_date(std::string_view text, int now_year, DateFields& f) {
  DateReader r(text);
  std::string_view weekday;
  if (!r.word(weekday) || !r.literal(", ")) return false;
  if (DateReader imf = r; imf.number(2, 2, f.day) && imf.literal(" ")) {
    r = imf;
    if (!r.month(f.month) || !r.literal(" ") || !r.number(4, 4, f.year)) return false;
  } else {
    int yy = 0;
    if (!r.number(2, 2, f.day) || !r.literal("-") || !r.month(f.month) || !r.literal("-") ||
        !r.number(2, 2, yy)) {
      return false;
    }
    f.year = now_year / 100 * 100 + yy;
    if (f.year > now_year + 50) f.year -= 100;
  }
  return r.literal(" ") && r.time_of_day(f.hour, f.minute, f.second) && r.literal(" GMT") &&
         r.done();
}

// "Sun Nov  6 08:49:37 1994" (C's asctime).
bool read_asctime_date(std::string_view text, DateFields& f) {
  DateReader r(text);
  std::string_view weekday;
  if (!r.word(weekday) || !r.literal(" ") || !r.month(f.month) || !r.literal(" ")) return false;
  r.skip_spaces();
  return r.number(1, 2, f.day) && r.literal(" ") && r.time_of_day(f.hour, f.minute, f.second) &&
         r.literal(" ") && r.number(4, 4, f.year) && r.done();
}

// In whole seconds: years 0 to 9999 fit, where system_clock's nanoseconds cover only 1678-2262.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text,
                                                        std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const int now_year = static_cast<int>(year_month_day{floor<days>(now)}.year());
  DateFields f;
  if (!read_comma_date(text, now_year, f) && !read_asctime_date(text, f)) return std::nullopt;
  const year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)},
                            day{static_cast<unsigned>(f.day)}};
  // 60 is a leap second.
  if (!date.ok() || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  return sys_days{date} + hours{f.hour} + minutes{f.minute} + seconds{f.second};
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::optional<milliseconds> parse_retry_after(std::string_view header,
                                              std::chrono::system_clock::time_point now) {
  header = trim(header);
  if (header.empty()) return std::nullopt;
  if (is_digit(header.front()) || header.front() == '.') return parse_decimal(header, 1000.0);
  const std::optional<std::chrono::sys_seconds> when = parse_http_date(header, now);
  if (!when) return std::nullopt;
  // Milliseconds from a whole second, rounded up: `when` minus `now` floored to milliseconds.
  const milliseconds wait = *when - std::chrono::floor<milliseconds>(now);
  return std::clamp(wait, milliseconds{0}, kMaxWait);
}

std::optional<milliseconds> parse_retry_after_ms(std::string_view header) {
  return parse_decimal(header, 1.0);
}

RetryBudget::RetryBudget(const core::RetryConfig& config, std::uint64_t seed)
    : base_backoff_(std::max(config.base_backoff, milliseconds{1})),
      max_backoff_(std::max(config.max_backoff, milliseconds{1})),
      budget_(std::max(config.budget, milliseconds{0})),
      rng_state_(seed) {}

std::optional<milliseconds> RetryBudget::next_delay(int attempt_number,
                                                    std::optional<milliseconds> retry_after) {
  attempt_number = std::max(attempt_number, 1);
  if (retry_after && *retry_after < milliseconds{0}) retry_after = milliseconds{0};
  const milliseconds left = remaining();
  if (retry_after && *retry_after > left) return std::nullopt;

  // Doubling stops at the cap, so no shift can overflow however many attempts are allowed.
  milliseconds ceiling = base_backoff_;
  for (int i = 1; i < attempt_number && ceiling < max_backoff_; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max_backoff_);

  // Full jitter spreads clients that failed together (AWS architecture blog, "Exponential
  // Backoff and Jitter"); modulo bias over 64 bits is negligible here.
  const auto span = static_cast<std::uint64_t>(ceiling.count()) + 1;
  milliseconds delay{static_cast<long long>(next_random() % span)};
  // The backoff is only our politeness, so it shrinks to fit the budget; retry_after is the
  // upstream's demand, so it never does.
  delay = std::min(delay, left);
  if (retry_after) delay = std::max(delay, *retry_after);
  waited_ += delay;
  return delay;
}

std::uint64_t RetryBudget::next_random() { return splitmix64(rng_state_); }

}  // namespace sluice::gateway
