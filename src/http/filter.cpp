#include "http/filter.hpp"

namespace sluice::http {

FilterStats::FilterStats(std::vector<std::string> results)
    : results_(std::move(results)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(results_.size())) {}

boost::asio::awaitable<FilterResult> SyncFilter::on_request(Exchange& exchange) {
  co_return decide(exchange);
}

}  // namespace sluice::http
