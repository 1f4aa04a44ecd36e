#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/exchange.hpp"

namespace sluice::http {

enum class FilterResult { next, responded };  // responded: the filter wrote the response

// A filter's counters, Envoy-style: one per result it names ("allowed", "missing_key", ...),
// relaxed atomics bumped on the request path and read at scrape. Their sum is the requests seen.
class FilterStats {
 public:
  explicit FilterStats(std::vector<std::string> results);
  void count(std::size_t result) { counts_[result].fetch_add(1, std::memory_order_relaxed); }
  const std::vector<std::string>& results() const { return results_; }
  std::uint64_t value(std::size_t result) const {
    return counts_[result].load(std::memory_order_relaxed);
  }

 private:
  std::vector<std::string> results_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
};

// Runs after routing and before the handler (request id, CORS, authentication, ...), in the
// order installed. Unmatched paths pass through filters too (route "unmatched"), so that an
// unauthenticated caller cannot tell which routes exist.
class Filter {
 public:
  Filter(std::string name, std::vector<std::string> results)
      : name_(std::move(name)), stats_(std::move(results)) {}
  virtual ~Filter() = default;

  // May wait (a key store, a JWKS refresh, an admission queue). `responded` skips the handler
  // and every later filter.
  virtual boost::asio::awaitable<FilterResult> on_request(Exchange& exchange) = 0;
  // A filter that decides without waiting answers here, and the server skips on_request's
  // coroutine frame; nullopt means "await on_request".
  virtual std::optional<FilterResult> on_request_now(Exchange& exchange) { return std::nullopt; }
  // After the handler or a later filter's own answer, in reverse order, for every filter whose
  // on_request returned `next`.
  virtual void on_response(Exchange& exchange) {}

  std::string_view name() const { return name_; }
  const FilterStats& stats() const { return stats_; }

 protected:
  void count(std::size_t result) { stats_.count(result); }

 private:
  std::string name_;
  FilterStats stats_;
};

// A filter that never waits: implement decide().
class SyncFilter : public Filter {
 public:
  using Filter::Filter;
  virtual FilterResult decide(Exchange& exchange) = 0;
  boost::asio::awaitable<FilterResult> on_request(Exchange& exchange) final;
  std::optional<FilterResult> on_request_now(Exchange& exchange) final { return decide(exchange); }
};

}  // namespace sluice::http
