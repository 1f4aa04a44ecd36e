#pragma once
// Internal to the HTTP server: included only by its .cpp files (it pulls in Asio).

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace sluice::http {

class Connection;
using Clock = std::chrono::steady_clock;

// What every loop shares, read-only after start (plus the connection counts and the drain flag).
struct ServerShared {
  core::ServerConfig config;
  const Router* router = nullptr;
  RequestObserver* observer = nullptr;
  std::vector<Filter*> filters;
  std::atomic<std::size_t> open_connections{0};
  std::atomic<std::uint64_t> connections_rejected{0};
  std::atomic<bool> draining{false};
};

// One event loop: its io_context, listener and connections, touched only from its own thread.
struct EventLoop {
  explicit EventLoop(ServerShared& shared_state)
      : shared(shared_state), now(Clock::now()), ticker(io) {}

  // Order matters for destruction: the io_context destroys suspended connections, which unlink
  // themselves from `connections`, so the list must outlive it; the listener and timer must die
  // before it.
  ServerShared& shared;
  std::list<Connection*> connections;
  Clock::time_point now;  // coarse clock for deadlines, refreshed by the ticker
  std::string date_line;  // cached "Date: ...\r\n", refreshed by the ticker
  long long date_second = 0;
  bool draining = false;
  // One thread per io_context: no locking needed around descriptor state.
  boost::asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;
  boost::asio::steady_timer ticker;
};

}  // namespace sluice::http
