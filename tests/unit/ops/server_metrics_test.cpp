#include "ops/server_metrics.hpp"

#include <gtest/gtest.h>

namespace sluice::ops {
namespace {

class NullObserver final : public http::RequestObserver {
 public:
  void on_request_start() override {}
  void on_request_end(const http::Exchange&, std::size_t) override {}
};

class CountingFilter final : public http::SyncFilter {
 public:
  CountingFilter() : SyncFilter("counting", {"allowed", "refused"}) {}
  http::FilterResult decide(http::Exchange&) override {
    count(1);
    return http::FilterResult::responded;
  }
};

TEST(ServerMetricsTest, RendersServerStateAndFilterCounters) {
  core::ServerConfig config;
  config.threads = 1;
  http::Router router;
  NullObserver observer;
  http::Server server(config, router, observer);
  CountingFilter filter;
  server.add_filter(&filter);
  http::Exchange exchange;
  (void)filter.on_request_now(exchange);
  (void)filter.on_request_now(exchange);

  Registry registry;
  register_server_metrics(registry, server);
  std::string text = registry.render();
  EXPECT_NE(
      text.find("# TYPE sluice_http_open_connections gauge\nsluice_http_open_connections 0\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("\nsluice_http_connections_rejected_total 0\n"), std::string::npos);
  EXPECT_NE(text.find("\nsluice_draining 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE sluice_filter_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_filter_requests_total{filter=\"counting\",result=\"allowed\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_filter_requests_total{filter=\"counting\",result=\"refused\"} 2\n"),
            std::string::npos);

  server.mark_draining();
  text = registry.render();
  EXPECT_NE(text.find("\nsluice_draining 1\n"), std::string::npos);
}

TEST(ServerMetricsTest, NoFilterFamilyWithoutFilters) {
  core::ServerConfig config;
  http::Router router;
  NullObserver observer;
  http::Server server(config, router, observer);
  Registry registry;
  register_server_metrics(registry, server);
  EXPECT_EQ(registry.render().find("sluice_filter_requests_total"), std::string::npos);
}

}  // namespace
}  // namespace sluice::ops
