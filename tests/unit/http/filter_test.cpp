#include "http/filter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace sluice::http {
namespace {

// Refuses requests whose path is "/deny"; counts "allowed" and "denied".
class DenyFilter final : public SyncFilter {
 public:
  DenyFilter() : SyncFilter("deny", {"allowed", "denied"}) {}
  FilterResult decide(Exchange& exchange) override {
    if (exchange.request.path == "/deny") {
      count(1);
      exchange.response.status = 403;
      return FilterResult::responded;
    }
    count(0);
    return FilterResult::next;
  }
};

FilterResult run_awaitable(Filter& filter, Exchange& exchange) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, filter.on_request(exchange), boost::asio::use_future);
  io.run();
  return result.get();
}

TEST(FilterTest, SyncFilterDecidesAlikeWithOrWithoutACoroutine) {
  DenyFilter filter;
  Exchange exchange;
  exchange.request.path = "/deny";
  EXPECT_EQ(filter.on_request_now(exchange), FilterResult::responded);
  EXPECT_EQ(run_awaitable(filter, exchange), FilterResult::responded);
  exchange.request.path = "/ok";
  EXPECT_EQ(filter.on_request_now(exchange), FilterResult::next);
  EXPECT_EQ(run_awaitable(filter, exchange), FilterResult::next);
}

TEST(FilterTest, StatsCountEachResult) {
  DenyFilter filter;
  Exchange exchange;
  exchange.request.path = "/ok";
  for (int i = 0; i < 3; ++i) (void)filter.on_request_now(exchange);
  exchange.request.path = "/deny";
  (void)filter.on_request_now(exchange);
  EXPECT_EQ(filter.name(), "deny");
  ASSERT_EQ(filter.stats().results(), (std::vector<std::string>{"allowed", "denied"}));
  EXPECT_EQ(filter.stats().value(0), 3u);
  EXPECT_EQ(filter.stats().value(1), 1u);
}

// An asynchronous filter has no on_request_now: the server must await it.
class AsyncFilter final : public Filter {
 public:
  AsyncFilter() : Filter("async", {"allowed"}) {}
  boost::asio::awaitable<FilterResult> on_request(Exchange&) override {
    count(0);
    co_return FilterResult::next;
  }
};

TEST(FilterTest, AsyncFilterAsksToBeAwaited) {
  AsyncFilter filter;
  Exchange exchange;
  EXPECT_EQ(filter.on_request_now(exchange), std::nullopt);
  EXPECT_EQ(run_awaitable(filter, exchange), FilterResult::next);
  EXPECT_EQ(filter.stats().value(0), 1u);
}

}  // namespace
}  // namespace sluice::http
