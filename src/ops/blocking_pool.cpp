#include "ops/blocking_pool.hpp"

#include <openssl/crypto.h>

#include <thread>

namespace sluice::ops {

namespace {

// The pool's threads use OpenSSL (JWT signatures, digests), and each keeps an OpenSSL error
// state that OpenSSL frees when the thread ends, unless its exit handler (OPENSSL_cleanup) has
// already run. Exit handlers run in the reverse order of registration, so OpenSSL, fully
// initialized here before the pool exists, is cleaned up after the pool's threads are joined.
bool openssl_initialized_before_pool() {
  return OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr) == 1;
}

}  // namespace

boost::asio::thread_pool& blocking_pool() {
  [[maybe_unused]] static const bool openssl_ready = openssl_initialized_before_pool();
  static boost::asio::thread_pool pool(std::max(4u, 2 * std::thread::hardware_concurrency()));
  return pool;
}

}  // namespace sluice::ops
