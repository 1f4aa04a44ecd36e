#include "ops/blocking_pool.hpp"

#include <thread>

namespace sluice::ops {

boost::asio::thread_pool& blocking_pool() {
  static boost::asio::thread_pool pool(std::max(4u, 2 * std::thread::hardware_concurrency()));
  return pool;
}

}  // namespace sluice::ops
