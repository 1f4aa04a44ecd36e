#include "http/server.hpp"

#include <pthread.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <thread>
#include <utility>

#include "core/clock.hpp"
#include "http/bind_probe.hpp"
#include "http/connection.hpp"
#include "http/event_loop.hpp"
#include "http/response_head.hpp"

namespace sluice::http {
namespace asio = boost::asio;
using asio::ip::tcp;
namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kTick{250};
constexpr int kConnectionsPerLoop = 512;  // nginx's default worker_connections

asio::awaitable<void> serve_connection(std::unique_ptr<Connection> connection) {
  co_await connection->run();
}

// Over max_connections: say so briefly and close, rather than leave the client in the backlog.
asio::awaitable<void> reject_connection(tcp::socket socket) {
  static const std::string kResponse = [] {
    Response response;
    response.set_error(make_error(
        Errc::unavailable, "server is at its connection limit (raise server.max_connections)"));
    std::string head;
    write_response_head(head, response, "", "req_connection_limit", BodyFraming::content_length,
                        false, false);
    return head + response.body;
  }();
  co_await asio::async_write(socket, asio::buffer(kResponse), kNoThrow);
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

void refresh_clock(EventLoop& loop) {
  loop.now = Clock::now();
  const long long second = core::unix_seconds();
  if (second != loop.date_second) {
    loop.date_second = second;
    loop.date_line = http_date_line(second);
  }
}

// Refreshes the coarse clock and the Date line, and fires connection deadlines.
asio::awaitable<void> tick(EventLoop& loop) {
  for (;;) {
    refresh_clock(loop);
    for (Connection* connection : loop.connections) connection->check_deadline(loop.now);
    loop.shared.observer->on_tick();
    loop.ticker.expires_after(kTick);
    auto [ec] = co_await loop.ticker.async_wait(kNoThrow);
    if (ec) co_return;
  }
}

asio::awaitable<void> accept_loop(EventLoop& loop) {
  asio::steady_timer backoff(loop.io);
  for (;;) {
    auto [ec, socket] = co_await loop.acceptor->async_accept(kNoThrow);
    if (ec) {
      if (!loop.acceptor->is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors or similar: pause instead of spinning on the error.
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kNoThrow);
      continue;
    }
    const auto limit = static_cast<std::size_t>(loop.shared.config.max_connections);
    if (loop.shared.open_connections.load(std::memory_order_relaxed) >= limit) {
      loop.shared.connections_rejected.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(loop.io, reject_connection(std::move(socket)), asio::detached);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(loop.io, serve_connection(std::make_unique<Connection>(loop, std::move(socket))),
                   asio::detached);
  }
}

Result<asio::ip::address> resolve_host(const std::string& host) {
  if (host.empty() || host == "*") return asio::ip::address(asio::ip::address_v4::any());
  if (host == "localhost") return asio::ip::address(asio::ip::address_v4::loopback());
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return make_error(Errc::invalid_request, "not an IP address: " + host);
  return address;
}

}  // namespace

struct Server::Impl {
  ServerShared shared;
  std::vector<std::unique_ptr<EventLoop>> loops;
  std::vector<std::thread> threads;
  std::vector<std::function<void()>> stopped_hooks;
  uint16_t port = 0;
};

Server::Server(const core::ServerConfig& config, const Router& router, RequestObserver& observer)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared.config = config;
  impl_->shared.router = &router;
  impl_->shared.observer = &observer;
  int threads =
      config.threads > 0 ? config.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (threads < 1) threads = 1;
  impl_->shared.config.threads = threads;
  if (impl_->shared.config.max_connections <= 0)
    impl_->shared.config.max_connections = kConnectionsPerLoop * threads;
}

Server::~Server() { stop(); }

void Server::add_filter(Filter* filter) { impl_->shared.filters.push_back(filter); }

const std::vector<Filter*>& Server::filters() const { return impl_->shared.filters; }

Status Server::listen() {
  const auto& config = impl_->shared.config;
  auto address = resolve_host(config.host);
  if (!address) return address.error();
  impl_->port = config.port;
  for (int i = 0; i < config.threads; ++i) {
    auto loop = std::make_unique<EventLoop>(impl_->shared);
    refresh_clock(*loop);
    boost::system::error_code ec;
    tcp::endpoint endpoint(*address, impl_->port);
    // Another process' SO_REUSEPORT listener on this port would silently share its traffic with
    // ours: a probe bound without SO_REUSEPORT fails when anyone listens there.
    if (i == 0 && impl_->port != 0) {
      if (const int taken = probe_bind(address->to_string(), impl_->port); taken != 0)
        return make_error(Errc::internal, "cannot listen on " + config.host + ":" +
                                              std::to_string(impl_->port) + ": " +
                                              std::strerror(taken));
    }
    auto& acceptor = loop->acceptor.emplace(loop->io);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      const int on = 1;  // one listener per loop; the kernel spreads connections across them
      if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
        ec.assign(errno, boost::system::system_category());
    }
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return make_error(Errc::internal, "cannot listen on " + config.host + ":" +
                                            std::to_string(impl_->port) + ": " + ec.message());
    impl_->port = acceptor.local_endpoint().port();  // later loops join the same port
    impl_->loops.push_back(std::move(loop));
  }
  return {};
}

uint16_t Server::local_port() const { return impl_->port; }

void Server::start() {
  for (auto& loop : impl_->loops) {
    asio::co_spawn(loop->io, accept_loop(*loop), asio::detached);
    asio::co_spawn(loop->io, tick(*loop), asio::detached);
    const std::string name = "sluice-loop-" + std::to_string(impl_->threads.size());
    impl_->threads.emplace_back([&io = loop->io, observer = impl_->shared.observer, name] {
      // Named for top -H, perf and /proc: an event loop's CPU is what its clients wait on.
      pthread_setname_np(pthread_self(), name.c_str());
      io.run();
      observer->on_tick();  // the last word of this thread (buffered log lines)
    });
  }
}

void Server::spawn(std::function<asio::awaitable<void>()> task) { spawn(std::move(task), 0); }

void Server::spawn(std::function<asio::awaitable<void>()> task, std::size_t loop_index) {
  if (!impl_->loops.empty())
    asio::co_spawn(impl_->loops[loop_index % impl_->loops.size()]->io, std::move(task),
                   asio::detached);
}

void Server::stop_accepting() {
  impl_->shared.draining.store(true, std::memory_order_relaxed);
  for (auto& loop : impl_->loops)
    asio::post(loop->io, [&loop = *loop] {
      loop.draining = true;
      boost::system::error_code ignored;
      if (loop.acceptor) loop.acceptor->close(ignored);
      for (Connection* connection : loop.connections) connection->close_if_idle();
    });
}

void Server::cancel_in_flight() {
  for (auto& loop : impl_->loops)
    asio::post(loop->io, [&loop = *loop] {
      for (Connection* connection : loop.connections) connection->cancel_request();
    });
}

std::size_t Server::open_connections() const {
  return impl_->shared.open_connections.load(std::memory_order_relaxed);
}

std::uint64_t Server::connections_rejected() const {
  return impl_->shared.connections_rejected.load(std::memory_order_relaxed);
}

void Server::mark_draining() { impl_->shared.draining.store(true, std::memory_order_relaxed); }

bool Server::draining() const { return impl_->shared.draining.load(std::memory_order_relaxed); }

void Server::on_stopped(std::function<void()> hook) {
  impl_->stopped_hooks.push_back(std::move(hook));
}

void Server::stop() {
  for (auto& loop : impl_->loops) loop->io.stop();
  for (auto& thread : impl_->threads)
    if (thread.joinable()) thread.join();
  impl_->threads.clear();
  for (auto& hook : std::exchange(impl_->stopped_hooks, {})) hook();
  impl_->loops.clear();  // destroys suspended coroutines, and with them their connections
}

}  // namespace sluice::http
