#include "ops/admission_filter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "http/server.hpp"
#include "ops/metrics.hpp"

namespace sluice::ops {
namespace {

namespace asio = boost::asio;
using http::Exchange;
using http::FilterResult;
using namespace std::chrono_literals;

constexpr std::string_view kChat = "/v1/chat/completions";

core::AdmissionConfig limit(int concurrency, int queue, std::chrono::milliseconds max_wait = 10s) {
  core::AdmissionConfig config;
  config.max_concurrency = concurrency;
  config.max_queue = queue;
  config.max_wait = max_wait;
  config.retry_after = 2s;
  return config;
}

std::shared_ptr<const core::Principal> principal(bool admin, core::Priority priority) {
  auto p = std::make_shared<core::Principal>();
  p->permissions = static_cast<uint8_t>(admin ? core::Permission::admin : core::Permission::query);
  p->priority = priority;
  return p;
}

// One request on `io`: its exchange and, once on_request finished, what it decided.
struct Pending {
  Exchange exchange;
  std::optional<FilterResult> result;
};

class AdmissionFilterTest : public ::testing::Test {
 protected:
  void make_filter(const core::AdmissionConfig& config) {
    filter_.emplace(config, std::vector<std::string>{"/livez"}, degraded_, registry_);
  }
  // Runs the filter on a request as the server does: on_request_now, else on_request in a
  // coroutine on io_ (not run here).
  std::unique_ptr<Pending> arrive(std::string_view route = kChat,
                                  std::shared_ptr<const core::Principal> who = nullptr,
                                  std::string_view priority_header = {}) {
    auto pending = std::make_unique<Pending>();
    pending->exchange.route = route;
    pending->exchange.principal = std::move(who);
    if (!priority_header.empty())
      pending->exchange.request.headers.emplace_back(AdmissionFilter::kPriorityHeader,
                                                     priority_header);
    pending->result = filter_->on_request_now(pending->exchange);
    if (!pending->result)
      asio::co_spawn(
          io_,
          [this, p = pending.get()]() -> asio::awaitable<void> {
            p->result = co_await filter_->on_request(p->exchange);
          },
          [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
          });
    io_.restart();  // a poll that found nothing to do leaves the context stopped
    io_.poll();
    return pending;
  }
  std::uint64_t stat(std::string_view result) const {
    const auto& names = filter_->stats().results();
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == result) return filter_->stats().value(i);
    return 0;
  }
  void run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(10ms);
    }
  }

  asio::io_context io_;
  DegradedMode degraded_{1s, 1s};
  Registry registry_;
  std::optional<AdmissionFilter> filter_;
};

TEST_F(AdmissionFilterTest, AdmitsWhileSlotsAreFreeWithoutWaiting) {
  make_filter(limit(2, 0));
  auto a = arrive(), b = arrive();
  EXPECT_EQ(a->result, FilterResult::next);
  EXPECT_EQ(b->result, FilterResult::next);
  EXPECT_EQ(filter_->global_gate()->in_flight(), 2u);
  EXPECT_EQ(stat("admitted"), 2u);
  filter_->on_response(a->exchange);
  filter_->on_response(b->exchange);
  EXPECT_EQ(filter_->global_gate()->in_flight(), 0u);
}

TEST_F(AdmissionFilterTest, ExcessIsRefusedWith503RetryAfterAndCounted) {
  make_filter(limit(1, 0));
  auto holder = arrive();
  auto refused = arrive();
  ASSERT_EQ(refused->result, FilterResult::responded);
  const http::Response& response = refused->exchange.response;
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find("\"code\":\"overloaded\""), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("admission.max_queue"), std::string::npos) << response.body;
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Retry-After", "2"}));
  EXPECT_EQ(stat("shed"), 1u);
  EXPECT_NE(registry_.render().find(
                "sluice_shed_total{route=\"/v1/chat/completions\",priority=\"normal\"} 1\n"),
            std::string::npos)
      << registry_.render();
  EXPECT_EQ(filter_->global_gate()->in_flight(), 1u);  // the refused request holds nothing
}

TEST_F(AdmissionFilterTest, ExemptRoutesPassEvenWhenFull) {
  make_filter(limit(1, 0));
  auto holder = arrive();
  auto probe = arrive("/livez");
  EXPECT_EQ(probe->result, FilterResult::next);
  filter_->on_response(probe->exchange);  // releases nothing it did not take
  EXPECT_EQ(filter_->global_gate()->in_flight(), 1u);
  EXPECT_EQ(stat("exempt"), 1u);
}

TEST_F(AdmissionFilterTest, AWaiterIsAdmittedWhenAHolderFinishes) {
  make_filter(limit(1, 4));
  auto holder = arrive();
  auto waiter = arrive();
  EXPECT_FALSE(waiter->result);
  EXPECT_EQ(filter_->global_gate()->queued(), 1u);
  filter_->on_response(holder->exchange);
  run_until([&] { return waiter->result.has_value(); });
  EXPECT_EQ(waiter->result, FilterResult::next);
  EXPECT_EQ(stat("admitted_after_wait"), 1u);
  EXPECT_EQ(filter_->global_gate()->in_flight(), 1u);
  EXPECT_NE(registry_.render().find("sluice_admission_wait_seconds_count 1\n"), std::string::npos);
}

TEST_F(AdmissionFilterTest, AWaiterIsRefusedAfterMaxWait) {
  make_filter(limit(1, 4, 20ms));
  auto holder = arrive();
  const auto started = std::chrono::steady_clock::now();
  auto waiter = arrive();
  run_until([&] { return waiter->result.has_value(); });
  EXPECT_GE(std::chrono::steady_clock::now() - started, 20ms);
  ASSERT_EQ(waiter->result, FilterResult::responded);
  EXPECT_EQ(waiter->exchange.response.status, 503);
  EXPECT_NE(waiter->exchange.response.body.find("admission.max_wait"), std::string::npos);
  EXPECT_EQ(stat("timed_out"), 1u);
  EXPECT_EQ(filter_->global_gate()->queued(), 0u);
  EXPECT_EQ(filter_->global_gate()->in_flight(), 1u);
}

TEST_F(AdmissionFilterTest, AWaiterWhoseClientLeavesGivesUpItsPlace) {
  make_filter(limit(1, 1));
  auto holder = arrive();
  auto waiter = arrive();
  ASSERT_EQ(filter_->global_gate()->queued(), 1u);
  waiter->exchange.cancellation.cancel(core::Cancellation::Reason::client_gone);
  run_until([&] { return waiter->result.has_value(); });
  EXPECT_EQ(waiter->result, FilterResult::responded);
  EXPECT_EQ(stat("cancelled"), 1u);
  EXPECT_EQ(filter_->global_gate()->queued(), 0u);
  filter_->on_response(holder->exchange);
  EXPECT_EQ(filter_->global_gate()->in_flight(), 0u);  // the slot went to nobody
}

TEST_F(AdmissionFilterTest, OnlyAnAdminMayRaiseItsPriorityByHeader) {
  make_filter(limit(1, 1));
  auto holder = arrive();
  auto queued = arrive(kChat, principal(false, core::Priority::normal));
  // A user's header is ignored: equal to the waiter, it is shed itself.
  auto user = arrive(kChat, principal(false, core::Priority::normal), "high");
  EXPECT_EQ(user->result, FilterResult::responded);
  EXPECT_FALSE(queued->result);
  // An admin's is honoured: the normal waiter makes room.
  auto admin = arrive(kChat, principal(true, core::Priority::normal), "high");
  run_until([&] { return queued->result.has_value(); });
  EXPECT_EQ(queued->result, FilterResult::responded);
  EXPECT_EQ(queued->exchange.response.status, 503);
  EXPECT_FALSE(admin->result);
  filter_->on_response(holder->exchange);
  run_until([&] { return admin->result.has_value(); });
  EXPECT_EQ(admin->result, FilterResult::next);
}

TEST_F(AdmissionFilterTest, AKeysPriorityRanksItsRequests) {
  make_filter(limit(1, 1));
  auto holder = arrive();
  auto low = arrive(kChat, principal(false, core::Priority::low));
  auto high = arrive(kChat, principal(false, core::Priority::high));
  run_until([&] { return low->result.has_value(); });
  EXPECT_EQ(low->result, FilterResult::responded);
  EXPECT_NE(registry_.render().find(
                "sluice_shed_total{route=\"/v1/chat/completions\",priority=\"low\"} 1\n"),
            std::string::npos);
  EXPECT_FALSE(high->result);
  filter_->on_response(holder->exchange);
  run_until([&] { return high->result.has_value(); });
  EXPECT_EQ(high->result, FilterResult::next);
}

TEST_F(AdmissionFilterTest, ARouteLimitHoldsInsideTheGlobalOne) {
  core::AdmissionConfig config = limit(4, 0);
  config.routes.push_back({std::string(kChat), 1, 0});
  make_filter(config);
  auto chat = arrive();
  auto second_chat = arrive();
  EXPECT_EQ(second_chat->result, FilterResult::responded);
  EXPECT_NE(second_chat->exchange.response.body.find("admission.routes.0.max_queue"),
            std::string::npos);
  auto other = arrive("/v1/embeddings");
  EXPECT_EQ(other->result, FilterResult::next);
  EXPECT_EQ(filter_->global_gate()->in_flight(), 2u);
  EXPECT_EQ(filter_->route_gate(kChat)->in_flight(), 1u);
  filter_->on_response(chat->exchange);
  filter_->on_response(other->exchange);
  EXPECT_EQ(filter_->global_gate()->in_flight(), 0u);
  EXPECT_EQ(filter_->route_gate(kChat)->in_flight(), 0u);
}

TEST_F(AdmissionFilterTest, DegradedModeIsVisibleOnResponsesAndInMetrics) {
  make_filter(limit(1, 0));
  EXPECT_NE(registry_.render().find("\nsluice_degraded 0\n"), std::string::npos);
  const auto t0 = DegradedMode::Clock::now();
  degraded_.observe(true, t0);
  degraded_.observe(true, t0 + 1s);
  ASSERT_TRUE(degraded_.on());
  auto admitted = arrive();
  ASSERT_EQ(admitted->exchange.response.headers.size(), 1u);
  EXPECT_EQ(admitted->exchange.response.headers[0].first, AdmissionFilter::kDegradedHeader);
  EXPECT_NE(registry_.render().find("\nsluice_degraded 1\n"), std::string::npos);
}

// The server runs on_response for every request the filter admitted, however it ended: a slot
// never leaks. Each case runs against a limit of one slot with no queue, so a leaked slot would
// refuse the next request.
class AdmissionSlotReleaseTest : public ::testing::Test {
 protected:
  class NullObserver final : public http::RequestObserver {
   public:
    void on_request_start() override {}
    void on_request_end(const Exchange&, std::size_t) override {}
  };

  void SetUp() override {
    router_.add("GET", "/ok", [](Exchange& e) -> asio::awaitable<void> {
      e.response.set_json(200, "{}");
      co_return;
    });
    router_.add("GET", "/throw", [](Exchange&) -> asio::awaitable<void> {
      throw std::runtime_error("handler bug");
      co_return;
    });
    router_.add("GET", "/error", [](Exchange& e) -> asio::awaitable<void> {
      e.response.set_error(make_error(Errc::bad_gateway, "upstream failed"));
      co_return;
    });
    router_.add("GET", "/stream", [](Exchange& e) -> asio::awaitable<void> {
      e.response.content_type = "text/event-stream";
      if (!co_await e.begin_stream()) co_return;
      for (int i = 0; i < 3; ++i)
        if (!co_await e.write("data: x\n\n")) co_return;
    });
    // Streams until the client leaves.
    router_.add("GET", "/endless", [](Exchange& e) -> asio::awaitable<void> {
      e.response.content_type = "text/event-stream";
      e.watch_client();
      if (!co_await e.begin_stream()) co_return;
      asio::steady_timer timer(co_await asio::this_coro::executor);
      while (!e.cancellation.cancelled() && co_await e.write("data: x\n\n")) {
        timer.expires_after(5ms);
        co_await timer.async_wait(asio::use_awaitable);
      }
    });
    config_.host = "127.0.0.1";
    config_.threads = 1;
    server_.emplace(config_, router_, observer_);
    filter_.emplace(limit(1, 0), std::vector<std::string>{}, degraded_, registry_);
    server_->add_filter(&*filter_);
    ASSERT_TRUE(server_->listen());
    server_->start();
  }
  void TearDown() override { server_->stop(); }

  // Sends GET `path` on a new connection; reads `read_bytes` of the answer (all, when 0) and
  // closes. Returns what was read.
  std::string get(std::string_view path, std::size_t read_bytes = 0) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->local_port()});
    const std::string request =
        "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(request));
    std::string answer;
    boost::system::error_code ec;
    std::array<char, 4096> buffer;
    while (!ec && (read_bytes == 0 || answer.size() < read_bytes)) {
      const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
      answer.append(buffer.data(), n);
    }
    return answer;
  }
  bool slots_free_soon() const {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (filter_->global_gate()->in_flight() != 0)
      if (std::chrono::steady_clock::now() > deadline)
        return false;
      else
        std::this_thread::sleep_for(1ms);
    return true;
  }
  void expect_released_after(std::string_view path, std::size_t read_bytes = 0) {
    const std::string answer = get(path, read_bytes);
    EXPECT_FALSE(answer.empty()) << path;
    EXPECT_TRUE(slots_free_soon()) << path;
    EXPECT_NE(get("/ok").find("HTTP/1.1 200"), std::string::npos) << "after " << path;
  }

  core::ServerConfig config_;
  http::Router router_;
  NullObserver observer_;
  DegradedMode degraded_{1s, 1s};
  Registry registry_;
  std::optional<AdmissionFilter> filter_;
  std::optional<http::Server> server_;
};

TEST_F(AdmissionSlotReleaseTest, APlainResponseReleasesItsSlot) { expect_released_after("/ok"); }

TEST_F(AdmissionSlotReleaseTest, AnErrorResponseReleasesItsSlot) {
  expect_released_after("/error");
}

TEST_F(AdmissionSlotReleaseTest, AHandlerExceptionReleasesItsSlot) {
  expect_released_after("/throw");
}

TEST_F(AdmissionSlotReleaseTest, AStreamReleasesItsSlotAtItsEnd) {
  expect_released_after("/stream");
}

TEST_F(AdmissionSlotReleaseTest, AClientLeavingMidStreamReleasesItsSlot) {
  expect_released_after("/endless", 1);
}

TEST_F(AdmissionSlotReleaseTest, AnUnmatchedRouteReleasesItsSlot) {
  expect_released_after("/nowhere");
}

TEST_F(AdmissionSlotReleaseTest, ALeakedSlotWouldBeSeen) {
  // The check itself can fail: while a stream holds the only slot, the next request is refused.
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->local_port()});
  asio::write(socket, asio::buffer(std::string("GET /endless HTTP/1.1\r\nHost: t\r\n\r\n")));
  std::array<char, 64> buffer;
  socket.read_some(asio::buffer(buffer));
  EXPECT_NE(get("/ok").find("HTTP/1.1 503"), std::string::npos);
  socket.close();
  EXPECT_TRUE(slots_free_soon());
}

}  // namespace
}  // namespace sluice::ops
