#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "http/filter.hpp"
#include "http/router.hpp"

namespace sluice::http {

// Sees every request at its start and end: metrics and the access log hang here.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_request_start() = 0;
  // `bytes_sent` counts the body (streamed or not), not the head.
  virtual void on_request_end(const Exchange& exchange, std::size_t bytes_sent) = 0;
  // On each event loop thread every 250 ms, and once more when the loop stops.
  virtual void on_tick() {}
};

// HTTP/1.1 server: one event loop per thread, each with its own SO_REUSEPORT listener, so no
// lock is shared between loops on the request path. Limits and timeouts come from ServerConfig.
class Server {
 public:
  Server(const core::ServerConfig& config, const Router& router, RequestObserver& observer);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void add_filter(Filter* filter);  // before start(); run in order added
  const std::vector<Filter*>& filters() const;
  Status listen();              // binds every loop's listener
  uint16_t local_port() const;  // the bound port (useful when config asked for port 0)
  void start();                 // spawns the event-loop threads
  // Runs `task` on the first event loop, for background work (periodic refreshes); after
  // listen(). It ends when the loops stop, so what it references must outlive stop().
  void spawn(std::function<boost::asio::awaitable<void>()> task);
  // The same on event loop `loop_index` modulo their count: spreads long-lived tasks (workers).
  void spawn(std::function<boost::asio::awaitable<void>()> task, std::size_t loop_index);

  // Drain: closes the listeners and idle keep-alive connections; requests in flight finish, and
  // their responses carry `Connection: close`.
  void stop_accepting();
  std::size_t open_connections() const;
  // Drain grace over: fires every in-flight request's cancellation (shutdown), so that handlers
  // end what they hold (an open stream gets its error event) and log it, before stop().
  void cancel_in_flight();
  // Connections refused at server.max_connections since start.
  std::uint64_t connections_rejected() const;
  // Shutdown has begun (readiness fails; the listeners may still be open for a drain delay).
  void mark_draining();
  bool draining() const;  // from mark_draining() or stop_accepting() on
  // Stops every loop (cutting whatever is still open) and joins the threads.
  void stop();
  // Runs once in stop(), after the loops' threads ended and before the loops are destroyed: where
  // owners of objects bound to the loops (timers, sockets) free them, single-threaded.
  void on_stopped(std::function<void()> hook);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::http
