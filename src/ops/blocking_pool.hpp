#pragma once
// Work too slow for an event loop (parsing a large body, hashing, file I/O) runs here and is
// awaited. Include only from .cpp files: it pulls in Asio.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

namespace sluice::ops {

// The process' pool, shared by every event loop: two threads per core (at least 4), because
// besides work for a core its calls wait: on the store's writer (a group commit, an ingest
// batch) and on the disk, and two such waits must not leave parsing and reads without a thread.
boost::asio::thread_pool& blocking_pool();

// Runs f() on the blocking pool; the awaiting coroutine resumes on its own executor afterwards.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_blocking(F f) {
  using T = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<T> || std::is_default_constructible_v<T>) {
    co_return co_await boost::asio::co_spawn(
        blocking_pool(), [&f]() -> boost::asio::awaitable<T> { co_return f(); },
        boost::asio::use_awaitable);
  } else {
    // co_spawn's result must be default-constructible (a Result<T> is not): carried in an optional.
    std::optional<T> out = co_await boost::asio::co_spawn(
        blocking_pool(),
        [&f]() -> boost::asio::awaitable<std::optional<T>> { co_return std::optional<T>(f()); },
        boost::asio::use_awaitable);
    co_return std::move(*out);
  }
}

}  // namespace sluice::ops
